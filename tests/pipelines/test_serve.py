"""A real local Prefect server, the update flow served as a deployment, a run triggered by hand."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from pipelines.store.storage import open_store
from tests.pipelines.test_nlp_stages import make_corpus


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.slow
def test_served_deployment_runs_and_updates_the_store(tmp_path, sample_dir, seeded_template):
    import shutil

    corpus = make_corpus(sample_dir / "oewg-2019-1", tmp_path / "corpus", ["usa.txt", "rus.txt"])
    db = tmp_path / "served.duckdb"
    shutil.copy(seeded_template, db)
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_API_URL=api,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
               PREFECT_LOGGING_LEVEL="WARNING")
    prefect = os.path.join(os.path.dirname(sys.executable), "prefect")
    server = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    served = None
    try:
        wait_for(lambda: healthy(api), 180, "the Prefect server")
        served = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "serve", "--corpus", str(corpus), "--db",
             str(db), "--cron", "0 6 * * 1"], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        trigger = [prefect, "deployment", "run", "update/likeminded-update", "--watch"]
        wait_for(lambda: subprocess.run(
            [prefect, "deployment", "inspect", "update/likeminded-update"], env=env,
            capture_output=True, check=False).returncode == 0, 180, "the deployment")
        done = subprocess.run(trigger, env=env, capture_output=True, text=True, timeout=400,
                              check=False)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        assert "Completed" in done.stdout + done.stderr
    finally:
        for proc in (served, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
    with open_store(db, read_only=True) as store:
        runs = store.runs()
        assert store.count_statements() == 2
    assert runs and runs[0]["kind"] == "update" and runs[0]["status"] == "completed"
