"""The HTML audit report in a real browser: headless Chromium opens the acceptance report,
logs no console message and requests nothing from the network, draws it to a screenshot and
prints it to PDF.

Chromium is Debian's `chromium` package (`.ci/run` installs it when it can). Where there is
no Chromium the tests are skipped, saying so. The browser runs with a fresh profile, its own
network features off, every host name resolving to nothing and a proxy that goes nowhere,
so that not a packet leaves the machine whatever the page asked for; the net log still
records each request the page made, which is what the test reads.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from slacheck.api import verify
from slacheck.reporters import REPORTS
from tests.conftest import AS_OF, ROOT

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome",
                                    "google-chrome-stable")
                 if (found := shutil.which(name)) is not None), None)

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine: `apt-get install -y chromium` (which .ci/run does "
           "when it can) to run the browser tests")

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--no-default-browser-check", "--disable-default-apps", "--disable-extensions",
    "--disable-domain-reliability", "--disable-client-side-phishing-detection", "--no-pings",
    "--disable-features=MediaRouter,OptimizationHints,Translate,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying",
    # nothing leaves the machine: no name resolves, and every request goes to a closed port
    "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--hide-scrollbars", "--enable-logging=stderr", "--v=0",
)


@dataclass(frozen=True)
class Visit:
    stdout: str
    console: list[str]
    requests: list[str]
    """URLs the page itself asked for (the browser's own background requests left out)."""


def _open(page: Path, work: Path, *action: str) -> Visit:
    """Open `page` once in a fresh profile with `action` (--dump-dom, --screenshot=...)."""
    profile = work / f"profile-{len(list(work.glob('profile-*.netlog.json')))}"
    netlog = profile.with_suffix(".netlog.json")
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}", *action,
         page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-3000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return Visit(done.stdout, console, _page_requests(netlog))


def _page_requests(netlog: Path) -> list[str]:
    """Each URL request the page started: its initiator is the page's origin (`null` for a
    file), where the browser's own requests have none."""
    log = json.loads(netlog.read_text("utf-8"))
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    out = []
    for event in log["events"]:
        params = event.get("params") or {}
        url = params.get("url")
        if (event["type"] == start and url is not None
                and params.get("initiator") != "not an origin"
                and not url.startswith(("file:", "data:"))):
            out.append(url)
    return out


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = verify(str(ROOT / "contracts/motorola-sinotrans.yaml"),
                    [str(ROOT / "examples/motorola-sinotrans/shipments.jsonl")],
                    as_of=datetime.fromisoformat(AS_OF))
    path = tmp_path_factory.mktemp("report") / "audit.html"
    path.write_text(REPORTS["html"](result), "utf-8")
    return path


def test_the_report_opens_quietly_and_fetches_nothing(report: Path, tmp_path: Path) -> None:
    page = report.read_text("utf-8")
    assert not re.findall(r'\s(?:src|href)="(?!#)([^"]*)"', page)
    visit = _open(report, tmp_path, "--dump-dom")
    assert visit.console == []
    assert visit.requests == []
    dom = visit.stdout
    assert "<h2>Non-compliant</h2>" in dom
    assert dom.count("<svg ") == 5
    assert "Ledger: what is owed" in dom
    assert "169,050.50 CNY" in dom
    assert "Data quality" in dom


def test_the_checks_would_catch_a_request_and_a_console_message(tmp_path: Path) -> None:
    """A control: a page that fetches and logs is caught by the same checks."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="http://example.invalid/x.png">'
                   '<script>console.error("boom")</script></body></html>', "utf-8")
    visit = _open(bad, tmp_path, "--dump-dom")
    assert visit.requests == ["http://example.invalid/x.png"]
    assert any('"boom"' in line for line in visit.console)


def test_the_report_draws_and_prints(report: Path, tmp_path: Path) -> None:
    shot = tmp_path / "audit.png"
    visit = _open(report, tmp_path, "--window-size=1200,2400", f"--screenshot={shot}")
    assert visit.console == [] and visit.requests == []  # noqa: PT018
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # a page of text and charts, not a blank one
    pdf = tmp_path / "audit.pdf"
    visit = _open(report, tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert visit.console == [] and visit.requests == []  # noqa: PT018
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page[^s]", data)
    assert len(pages) >= 4, len(pages)  # the print CSS starts the standards, ledger and
    # data quality on pages of their own


@pytest.mark.parametrize(("case", "as_of", "shown"), [
    ("escalation", "2024-07-01T00:00:00+08:00",
     ['<section id="escalation">', "has a right to terminate under on-time"]),
    ("credit-pool", "2024-07-01T00:00:00+08:00", ["<h3>Pools</h3>", "at-risk pool"]),
    ("warning-band", "2025-04-01T00:00:00Z",
     ["the warning band, between the target and the 99% warning line"]),
])
def test_the_case_reports_open_quietly_too(case: str, as_of: str, shown: list[str],
                                           tmp_path: Path) -> None:
    folder = ROOT / "tests" / "cases" / case
    result = verify(str(folder / "contract.yaml"), [str(folder / "records.jsonl")],
                    as_of=datetime.fromisoformat(as_of))
    path = tmp_path / "audit.html"
    path.write_text(REPORTS["html"](result), "utf-8")
    visit = _open(path, tmp_path, "--dump-dom")
    assert visit.console == []
    assert visit.requests == []
    for text in shown:
        assert text in visit.stdout, text
