"""Task runners: run in this process (default) or spread work over a Dask cluster.

With ``dask``, the flows submit the embedding chunks and the per-issue position estimates to the
cluster (a ``LocalCluster`` on this machine when no address is given); everything that reads or
writes the DuckDB store stays in the flow's process, since DuckDB allows one writer. Work units
are fixed by the data and the configuration alone (chunks of pending texts in hash order, one
unit per issue with its own bootstrap seed), so results are identical whichever runner ran them.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Literal
from urllib.parse import urlparse

RunnerKind = Literal["local", "dask"]
RUNNER_KINDS: tuple[str, ...] = ("local", "dask")


def check_dask_address(address: str) -> str:
    """``tcp://HOST:PORT`` (or ``tls://``) of a Dask scheduler, else a ValueError saying so."""
    parsed = urlparse(address)
    if parsed.scheme not in {"tcp", "tls"} or not parsed.hostname:
        raise ValueError(f"--dask-address {address!r}: expected tcp://HOST:PORT of a Dask "
                         "scheduler")
    try:
        port = parsed.port
    except ValueError:
        port = None
    if port is None:
        raise ValueError(f"--dask-address {address!r}: expected a port, as in "
                         "tcp://HOST:8786")
    return address


def share_prefect_api() -> str:
    """Make sure worker processes report to the same Prefect API as this process.

    Dask workers are separate processes: without ``PREFECT_API_URL`` each would start its own
    ephemeral API server (seconds each, and task runs scattered over several servers). If this
    process has an API URL (a real server, or a test harness) it is exported; otherwise this
    process's ephemeral server is started now and its URL exported, so that workers started
    afterwards (``LocalCluster``) use it. Returns the URL.
    """
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    if not url:
        from prefect.server.api.server import SubprocessASGIServer

        server = SubprocessASGIServer()
        server.start()
        url = server.api_url
    os.environ["PREFECT_API_URL"] = str(url)
    return str(url)


def make_task_runner(kind: str, address: str | None = None,
                     workers: int | None = None) -> Any:
    """A Prefect task runner for ``kind``; ``None`` keeps the flows' default (local).

    Args:
        kind: ``local`` or ``dask``.
        address: a running Dask scheduler (``tcp://HOST:PORT``); without it a ``LocalCluster``
            with ``workers`` single-threaded worker processes is started for the run and closed
            after it.
        workers: worker processes of the local cluster (default: the CPU count, at most 4).
    """
    if kind not in RUNNER_KINDS:
        raise ValueError(f"--task-runner {kind!r}: expected one of {', '.join(RUNNER_KINDS)}")
    if kind == "local":
        if address:
            raise ValueError("--dask-address needs --task-runner dask")
        return None
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as err:  # pragma: no cover - a declared dependency
        raise ValueError("--task-runner dask needs prefect-dask: pip install prefect-dask") \
            from err
    share_prefect_api()
    # when the run ends, Prefect's background threads keep each worker process alive past the
    # nanny's 4 s grace period and the nanny kills it, warning; the results are already in
    logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
    if address:
        return DaskTaskRunner(address=check_dask_address(address))
    count = workers or min(4, os.cpu_count() or 1)
    # one thread per worker: torch and BLAS inside each task already use the cores they get
    return DaskTaskRunner(cluster_kwargs={"n_workers": count, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


def describe_runner(kind: str, address: str | None = None, workers: int | None = None) -> str:
    """How the run was executed, for its provenance record (results do not depend on it)."""
    if kind != "dask":
        return "local"
    if address:
        return f"dask {address}"
    return f"dask LocalCluster ({workers or min(4, os.cpu_count() or 1)} workers)"
