"""Downloads, manifests and voting data against a local HTTP server on 127.0.0.1 only."""

import hashlib
import json
import socket
import time

import httpx
import pytest

from corpora.connectors import (
    FETCH_DIR,
    Fetcher,
    FetchPolicy,
    cached_result,
    fetch_manifest,
    fetch_votes,
    find_csv_links,
    import_votes_file,
    is_dns_failure,
    read_manifest,
    url_key,
)
from corpora.connectors.cache import choose_extension
from corpora.errors import FetchError, InputError, OfflineError
from corpora.ingest import ingest_folder
from corpora.store import Store
from tests.local_http import HALFWAY_CSV, VOTES_CSV, LocalServer, closed_port_url

FAST = dict(timeout=5.0, retries=2, backoff=0.01, min_interval=0.0, trust_env=False)


@pytest.fixture(scope="module")
def server():
    with LocalServer() as running:
        yield running


@pytest.fixture
def fetcher():
    with Fetcher(FetchPolicy(**FAST)) as f:
        yield f


def requests_to(server, path):
    return [headers for p, headers in server.state.requests if p == path]


# -- single downloads ---------------------------------------------------------------------------
def test_pdf_download_records_a_sidecar_and_is_cached(server, fetcher, tmp_path):
    url = server.url("/docs/statement.pdf")
    result = fetcher.fetch(url, tmp_path, stem="kenya")
    assert result.path == tmp_path / "kenya.pdf" and not result.cached
    assert result.sha256 == hashlib.sha256(server.pdf).hexdigest()
    assert result.bytes == len(server.pdf) and result.etag == '"pdf-v1"'
    sidecar = json.loads((tmp_path / FETCH_DIR / f"{url_key(url)}.json").read_text())
    assert sidecar["url"] == url and sidecar["file"] == "kenya.pdf"
    assert {"sha256", "bytes", "fetched_at", "etag", "last_modified"} <= set(sidecar)
    before = len(requests_to(server, "/docs/statement.pdf"))
    again = fetcher.fetch(url, tmp_path, stem="kenya")
    assert again.cached and again.sha256 == result.sha256
    assert len(requests_to(server, "/docs/statement.pdf")) == before  # no request at all


def test_a_tampered_file_is_downloaded_again(server, fetcher, tmp_path):
    url = server.url("/docs/statement.pdf")
    result = fetcher.fetch(url, tmp_path, stem="kenya")
    result.path.write_bytes(b"%PDF-tampered")
    assert cached_result(url, tmp_path) is None
    assert not fetcher.fetch(url, tmp_path, stem="kenya").cached


def test_refresh_sends_a_conditional_request(server, fetcher, tmp_path):
    url = server.url("/etag.html")
    first = fetcher.fetch(url, tmp_path, stem="page")
    assert first.path.suffix == ".html" and not first.cached
    refreshed = fetcher.fetch(url, tmp_path, stem="page", refresh=True)
    assert refreshed.cached
    assert requests_to(server, "/etag.html")[-1]["If-None-Match"] == '"page-v1"'


def test_web_page_without_extension_is_saved_as_html(server, fetcher, tmp_path):
    result = fetcher.fetch(server.url("/docs/page"), tmp_path, stem="chile")
    assert result.path.name == "chile.html" and result.content_type == "text/html"


def test_octet_stream_pdf_is_accepted_by_its_magic_bytes(server, fetcher, tmp_path):
    assert fetcher.fetch(server.url("/docs/octet.pdf"), tmp_path, stem="o").path.suffix == ".pdf"
    with pytest.raises(FetchError, match=r"not a \.pdf file"):
        fetcher.fetch(server.url("/docs/fake.pdf"), tmp_path, stem="f")
    assert not (tmp_path / "f.pdf").exists()


@pytest.mark.parametrize(("path", "expected"), [
    ("/missing.pdf", "HTTP 404"),
    ("/wrong.pdf", "served as 'text/html', expected application/pdf"),
    ("/big.pdf", "over the size cap of 50,000 bytes"),
    ("/big-stream.pdf", "more than the size cap of 50,000 bytes"),
])
def test_bad_responses_fail_without_retrying_or_leaving_files(server, tmp_path, path, expected):
    with Fetcher(FetchPolicy(**{**FAST, "max_bytes": 50_000})) as fetcher:
        before = len(requests_to(server, path))
        with pytest.raises(FetchError, match=expected) as info:
            fetcher.fetch(server.url(path), tmp_path, stem="x")
    assert server.url(path) in str(info.value)
    assert len(requests_to(server, path)) == before + 1
    assert [p.name for p in tmp_path.iterdir() if p.name != FETCH_DIR] == []
    assert not list((tmp_path / FETCH_DIR).glob("*.part"))


def test_503_is_retried_then_succeeds(tmp_path):
    with LocalServer() as fresh, Fetcher(FetchPolicy(**FAST)) as fetcher:
        result = fetcher.fetch(fresh.url("/flaky.pdf"), tmp_path, stem="ghana")
        assert result.path.read_bytes().startswith(b"%PDF-")
        assert fresh.state.counts["/flaky.pdf"] == 2 and fetcher.requests == 2


def test_slow_response_times_out_with_retries_then_succeeds_with_a_longer_timeout(server,
                                                                                  tmp_path):
    url = server.url("/slow.html")
    policy = FetchPolicy(**{**FAST, "timeout": 0.4, "retries": 1})
    with Fetcher(policy) as fetcher, pytest.raises(FetchError, match="timed out") as info:
        fetcher.fetch(url, tmp_path, stem="slow")
    assert "2 attempt(s)" in str(info.value) and fetcher.requests == 2
    with Fetcher(FetchPolicy(**{**FAST, "timeout": 3.0})) as patient:
        assert patient.fetch(url, tmp_path, stem="slow").path.suffix == ".html"


def test_download_that_breaks_off_resumes_with_a_range_request(tmp_path):
    with LocalServer() as fresh, Fetcher(FetchPolicy(**FAST)) as fetcher:
        result = fetcher.fetch(fresh.url("/halfway.csv"), tmp_path, stem="data",
                               allowed=(".csv",))
        ranges = [h.get("Range") for p, h in fresh.state.requests if p == "/halfway.csv"]
    assert result.resumed and result.path.read_bytes() == HALFWAY_CSV
    assert ranges[0] is None and ranges[1] == f"bytes={len(HALFWAY_CSV) // 2}-"
    assert result.sha256 == hashlib.sha256(HALFWAY_CSV).hexdigest()


def test_an_existing_part_file_is_resumed(server, fetcher, tmp_path):
    url = server.url("/docs/statement.pdf")
    fetch_dir = tmp_path / FETCH_DIR
    fetch_dir.mkdir()
    (fetch_dir / f"{url_key(url)}.part").write_bytes(server.pdf[:100])
    (fetch_dir / f"{url_key(url)}.part.json").write_text(json.dumps(
        {"url": url, "etag": '"pdf-v1"', "last_modified": ""}))
    result = fetcher.fetch(url, tmp_path, stem="kenya")
    assert result.resumed and result.path.read_bytes() == server.pdf
    last = requests_to(server, "/docs/statement.pdf")[-1]
    assert last["Range"] == "bytes=100-" and last["If-Range"] == '"pdf-v1"'
    assert not (fetch_dir / f"{url_key(url)}.part").exists()


def test_rate_limit_spaces_requests_to_one_host(server, tmp_path):
    with Fetcher(FetchPolicy(**{**FAST, "min_interval": 0.25})) as fetcher:
        start = time.monotonic()
        for name in ("a", "b", "c"):
            fetcher.fetch(server.url(f"/docs/page?copy={name}"), tmp_path / name, stem=name)
        assert time.monotonic() - start >= 0.5


def test_connection_refused_is_reported_as_offline(tmp_path):
    slept = []
    with Fetcher(FetchPolicy(**FAST), sleep=slept.append) as fetcher, \
            pytest.raises(OfflineError, match="offline") as info:
        fetcher.fetch(closed_port_url(), tmp_path, stem="x")
    assert "3 attempt(s)" in str(info.value)
    assert slept == [0.01, 0.02]  # exponential backoff


def test_dns_failure_is_offline_at_once_without_retries(tmp_path):
    def refuse(request):
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    with Fetcher(FetchPolicy(**FAST), transport=httpx.MockTransport(refuse)) as fetcher, \
            pytest.raises(OfflineError, match="DNS lookup failed"):
        fetcher.fetch("https://digitallibrary.example/record/1.csv", tmp_path, stem="x")
    assert fetcher.requests == 1


def test_is_dns_failure_follows_the_cause_chain():
    try:
        try:
            raise socket.gaierror(-3, "Temporary failure")
        except socket.gaierror as inner:
            raise httpx.ConnectError("connect failed") from inner
    except httpx.ConnectError as err:
        assert is_dns_failure(err)
    assert not is_dns_failure(httpx.ConnectError("[Errno 111] Connection refused"))


def test_choose_extension_rules():
    allowed = (".pdf", ".html", ".htm", ".docx", ".txt")
    assert choose_extension("https://x.org/a.PDF", "application/pdf", allowed) == ".pdf"
    assert choose_extension("https://x.org/statement?id=3", "text/html", allowed) == ".html"
    assert choose_extension("https://x.org/s.aspx", "application/pdf", allowed) == ".pdf"
    with pytest.raises(FetchError, match="unsupported content type 'image/png'"):
        choose_extension("https://x.org/s", "image/png", allowed)


def test_policy_validates_its_arguments():
    with pytest.raises(ValueError, match="timeout"):
        FetchPolicy(timeout=0)
    with pytest.raises(ValueError, match="retries"):
        FetchPolicy(retries=-1)


# -- manifests ----------------------------------------------------------------------------------
def write_manifest(path, server, rows):
    lines = ["url,state,forum,session,date,on_behalf_of,language,title"]
    lines += [",".join([server.url(u) if u.startswith("/") else u, *rest]) for u, *rest in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


MANIFEST_ROWS = [
    ("/docs/statement.pdf", "Kenya", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", "Kenya"),
    ("/docs/page", "Chile", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", "Chile"),
    ("/missing.pdf", "Peru", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", ""),
    ("/wrong.pdf", "Peru", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", ""),
    ("/big.pdf", "Peru", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", ""),
    ("/slow.html", "Peru", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", ""),
    ("/flaky.pdf", "Ghana", "OEWG", "OEWG-2024-8", "2024-07-10", "AFRICAN_GROUP", "en", ""),
    ("/docs/never-fetched.pdf", "Atlantis", "OEWG", "OEWG-2024-8", "2024-07-10", "", "en", ""),
    ("/docs/report.html", "CONSENSUS", "OEWG", "OEWG-2024-8", "2024-07-12", "", "en", "APR"),
    ("/docs/page", "Chile", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", "again"),
    ("ftp://example.org/x.pdf", "Chile", "OEWG", "OEWG-2024-8", "2024-07-09", "", "en", ""),
]
EXPECTED_FAILURES = {
    4: "HTTP 404", 5: "expected application/pdf", 6: "over the size cap", 7: "timed out",
    9: "field 'state' is not a known state", 11: "already listed at line 3",
    12: "field 'url' must be an http(s) URL",
}


def test_manifest_downloads_reports_failures_per_row_and_is_ingestible(tmp_path):
    dest = tmp_path / "out"
    # the slow page answers after 1.5 s: a 0.75 s timeout fails it (twice), not the others
    policy = FetchPolicy(**{**FAST, "timeout": 0.75, "retries": 1, "max_bytes": 50_000})
    with LocalServer() as fresh, Fetcher(policy) as fetcher:
        manifest = write_manifest(tmp_path / "manifest.csv", fresh, MANIFEST_ROWS)
        report = fetch_manifest(manifest, dest, fetcher=fetcher)
        assert (report.rows, report.downloaded, report.cached, report.failed) == (11, 4, 0, 7)
        reasons = {o.line: o.reason for o in report.outcomes if o.status == "failed"}
        assert set(reasons) == set(EXPECTED_FAILURES)
        for line, expected in EXPECTED_FAILURES.items():
            assert expected in reasons[line] and reasons[line].startswith(
                f"manifest.csv line {line}: ")
        assert "/docs/never-fetched.pdf" not in fresh.state.paths()
        on_disk = json.loads((dest / "fetch_report.json").read_text())
        assert on_disk["failed"] == 7 and len(on_disk["failures"]) == 7
        metadata = (dest / "metadata.csv").read_text().splitlines()
        assert metadata[0] == ("file,state,forum,session,date,on_behalf_of,aligned_with,"
                               "language,title,agenda_item,url")
        assert len(metadata) == 5

        # a second run downloads nothing new: cached rows send no request
        before = request_counts(fresh)
        again = fetch_manifest(manifest, dest, fetcher=fetcher)
        assert (again.downloaded, again.cached, again.failed) == (0, 4, 7)
        after = request_counts(fresh)
        for path in ("/docs/statement.pdf", "/docs/page", "/flaky.pdf", "/docs/report.html"):
            assert after[path] == before[path], path

    with Store(tmp_path / "lm.duckdb") as store:
        ingested = ingest_folder(dest, store, run_id="r")
        assert (ingested.ingested, ingested.quarantined) == (4, 0)
        # metadata.csv and fetch_report.json describe the folder; the hidden sidecars are
        # ignored (listed), and none of them is a statement
        assert ingested.ignored == len(list((dest / FETCH_DIR).iterdir()))
        rows = {r["state"]: r for r in store.current_statements()}
    assert set(rows) == {"KEN", "CHL", "GHA", "CONSENSUS"}
    assert "Capacity building" in rows["KEN"]["text"] and rows["KEN"]["encoding"] == "pdf"
    assert rows["GHA"]["on_behalf_of"] == "AFRICAN_GROUP"
    assert rows["CONSENSUS"]["url"].endswith("/docs/report.html")


def request_counts(server):
    with server.state.lock:
        return dict(server.state.counts)


def test_manifest_header_must_have_the_required_columns(tmp_path):
    bad = tmp_path / "m.csv"
    bad.write_text("link,state,forum,session,date\n")
    with pytest.raises(InputError, match="lacks required column"):
        read_manifest(bad)


# -- UN voting data -----------------------------------------------------------------------------
def test_votes_page_is_read_and_the_newest_ga_csv_downloaded(server, fetcher, tmp_path,
                                                             monkeypatch):
    monkeypatch.setenv("LIKEMINDED_VOTES_URL", server.url("/votes/record"))
    download = fetch_votes(tmp_path, fetcher=fetcher)
    assert download.result.path.name == "2025_9_19_ga_voting.csv"
    assert download.result.path.read_bytes() == VOTES_CSV and not download.warning
    assert "ms_vote" in download.columns and download.page == server.url("/votes/record")
    again = fetch_votes(tmp_path, fetcher=fetcher)
    assert again.result.cached


def test_find_csv_links_prefers_dated_ga_files():
    html = ('<a href="/f/2024_1_5_ga_voting.csv">a</a><a href="x.pdf">b</a>'
            '<a href="/f/2025_11_25_sc_voting.csv">c</a><a href="/f/2025_9_19_ga_voting.csv">d</a>')
    links = find_csv_links(html, "https://lib.example/record/1")
    assert links[0] == "https://lib.example/f/2025_9_19_ga_voting.csv" and len(links) == 3


def test_votes_offline_says_how_to_provide_the_file(tmp_path, fetcher):
    with pytest.raises(OfflineError) as info:
        fetch_votes(tmp_path, fetcher=fetcher, url=closed_port_url("/record/4060887"))
    message = str(info.value)
    assert "offline" in message and "--from-file" in message and "\n" not in message


def test_votes_page_without_csv_link_suggests_a_browser(server, fetcher, tmp_path):
    with pytest.raises(FetchError, match=r"no CSV file is linked.*--from-file"):
        fetch_votes(tmp_path, fetcher=fetcher, url=server.url("/votes/empty-record"))


def test_votes_file_downloaded_by_hand_is_registered(tmp_path):
    manual = tmp_path / "2025_9_19_ga_voting.csv"
    manual.write_bytes(VOTES_CSV)
    download = import_votes_file(manual, tmp_path / "votes")
    assert download.result.path.read_bytes() == VOTES_CSV
    assert cached_result(manual.resolve().as_uri(), tmp_path / "votes") is not None
    with pytest.raises(InputError, match="expected the downloaded voting data"):
        import_votes_file(tmp_path / "missing.csv", tmp_path / "votes")
