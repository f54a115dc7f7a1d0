"""Browser tests: the real Streamlit server on 127.0.0.1 and Debian's headless Chromium (via Playwright).

Without /usr/bin/chromium (or Playwright) the whole folder is skipped with the reason, except when the
environment variable CI is set: then every test here fails loudly, so a broken CI image is never green.
Screenshots of each step go to <repo>/artifacts/screenshots/ (git-ignored), the server log to
<repo>/artifacts/e2e-server.log.
"""
from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

E2E_DIR = Path(__file__).resolve().parent
REPO = E2E_DIR.parents[1]
SHARED = REPO.parent / "shared"
DATA_DIR = SHARED / "data"
PHOTOS_DIR = SHARED / "photos"
# The one marker pair for ../shared (tests/conftest_shared.py): such a test fails in CI when the data is missing.
from conftest_shared import needs_data, needs_photos  # noqa: E402,F401  re-exported for the browser tests

ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# One log per pytest-xdist worker (each starts its own server): "-gw0", "-gw1", or "" without workers.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
SERVER_LOG = ARTIFACTS / f"e2e-server{'-' + _WORKER if _WORKER else ''}.log"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HEALTH_TIMEOUT_S = 60
VIEWPORT = {"width": 1400, "height": 1000}

ITERATIONS_PER_TICK = 200
APP_READY = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
SCRIPT_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def _missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium; ./test.sh does it)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "load: many concurrent browser sessions against one server "
                                       "(runs by default; deselect with -m 'not load')")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _missing_browser()
    if reason is None or os.environ.get("CI"):
        return  # in CI the browser fixture fails instead of skipping
    skip = pytest.mark.skip(reason=f"browser tests skipped: {reason}")
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(skip)


# ----- the server ------------------------------------------------------------------------
@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    health_ok_at: float          # time.monotonic() when /_stcore/health first said "ok"
    startup_seconds: float       # from Popen to health ok
    pages_opened: int = 0        # browser pages opened against it so far (the first one is cold)

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(lines: int = 40) -> str:
    try:
        return "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """`streamlit run app.py` on a free port of 127.0.0.1, in its own process group."""
    python = REPO / ".venv" / "bin" / "python"
    if not python.exists():
        python = Path(sys.executable)
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    # A capped number of iterations per tick keeps every run in progress for many ticks, however fast the
    # machine: the tests look at runs while they train (speed is bench/bench_app.py's business).
    # Its own throwaway store, and room for every browser the suite opens: they all come from 127.0.0.1, and
    # past the per-address cap (60 an hour, a class behind one NAT) a new browser saves nothing, so a test's
    # outcome would hang on how many ran before it on this server (the cap has its own tests, test_trust_quota).
    env = {**os.environ, "DNN_DATA_DIR": str(DATA_DIR), "DNN_ITERATIONS_PER_TICK": str(ITERATIONS_PER_TICK),
           "OPENBLAS_NUM_THREADS": "1", "DNN_DATA_HOME": tempfile.mkdtemp(prefix="dnn-e2e-home-"),
           "DNN_IDENTITIES_PER_ADDRESS_HOUR": "100000"}
    cmd = [str(python), "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    started = time.monotonic()
    with open(SERVER_LOG, "wb") as log:
        process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with code {process.returncode} before it was healthy:\n{_log_tail()}")
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() - started > HEALTH_TIMEOUT_S:
                pytest.fail(f"streamlit was not healthy within {HEALTH_TIMEOUT_S} s:\n{_log_tail()}")
            time.sleep(0.1)
        now = time.monotonic()
        print(f"\n[e2e] server healthy on {base} after {now - started:.1f} s")
        yield Server(base, process, now, now - started)
    finally:
        _stop(process)


# ----- the browser -----------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    reason = _missing_browser()
    if reason is not None:
        pytest.fail(f"CI is set but the browser tests cannot run: {reason}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, server):
    """Factory: a page in a fresh browser context (a new Streamlit session per context)."""
    contexts = []

    def make(timeout_ms: int = 30_000):
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        server.pages_opened += 1
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """shot(page, "step-name"): save artifacts/screenshots/<test>-<nn>-<step>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    counter = iter(range(1, 1000))

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{test}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


# ----- helpers (plain functions, imported by the tests) -----------------------------------
def wait_ready(page, timeout_ms: int = 30_000) -> None:
    """The websocket is connected and the script run has finished."""
    page.locator(APP_READY).wait_for(timeout=timeout_ms)
    page.locator(SCRIPT_IDLE).wait_for(timeout=timeout_ms)


def nav(page, title: str) -> None:
    """Move to another page inside the same session (page.goto would start a new one)."""
    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first.click()
    wait_ready(page)


def open_class(teacher, url: str, title: str) -> str:
    """The teacher opens a class board at ``url`` (the Class board page, perhaps with a setup) titled ``title``;
    its six-character code."""
    teacher.goto(url)
    wait_ready(teacher)
    teacher.locator(".st-key-board_title input").first.fill(title)
    teacher.locator(".st-key-board_title input").first.press("Enter")
    wait_ready(teacher)
    teacher.locator(".st-key-board_open button").first.click()
    wait_ready(teacher)
    heading = teacher.locator("h3").filter(has_text="· class ").first
    heading.wait_for()
    code = heading.inner_text().rsplit("class", 1)[1].strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code), code
    return code


def metric_locator(page, label: str):
    label_re = re.compile(rf"^\s*{re.escape(label)}\s*$")
    box = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]').filter(has_text=label_re))
    return box.locator('[data-testid="stMetricValue"]')


def metric(page, label: str, timeout_ms: int = 10_000) -> str:
    value = metric_locator(page, label)
    value.first.wait_for(timeout=timeout_ms)
    return value.first.inner_text().strip()


def train_status(page) -> str:
    """The status word the Train page writes ("Status: **running**")."""
    text = page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Status:").first.inner_text()
    return text.split("Status:", 1)[1].strip().split()[0] if "Status:" in text else ""


def assert_no_exception(page) -> None:
    count = page.locator('[data-testid="stException"]').count()
    assert count == 0, f"the page shows {count} exception(s): " + page.locator(
        '[data-testid="stException"]').first.inner_text()[:500]
