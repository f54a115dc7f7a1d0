"""The run store in real browsers: a reload and a server restart keep the runs (and say so), a share link
opens a run read-only, and two replicas behind a real NGINX share one real PostgreSQL.

Each test starts its own servers (the shared ``server`` fixture cannot be killed): Streamlit with a
throwaway DNN_DATA_HOME, PostgreSQL from tests/pg.py, NGINX from deploy/replicas.sh, all on 127.0.0.1.
"""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from e2e.conftest import (
    ARTIFACTS,
    DATA_DIR,
    REPO,
    VIEWPORT,
    assert_no_exception,
    metric_locator,
    nav,
    open_class,
    wait_ready,
)
from pg import free_port, pg_url, postgres_server  # noqa: F401  fixtures

PYTHON = REPO / ".venv" / "bin" / "python"
SLOW_RUN = "train?data=moons&hidden=5&iters=10000&lr=0.1"   # mid-run for minutes at 5 iterations per tick
QUICK_RUN = "train?data=moons&hidden=5&iters=300&lr=0.1"
NOTICE_RE = re.compile(r"at iteration (\d+) of 10000")


def _python() -> str:
    return str(PYTHON if PYTHON.exists() else Path(sys.executable))


def _wait_health(url: str, timeout_s: float = 90, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} was not healthy within {timeout_s} s")


def _start_app(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    cmd = [_python(), "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
           "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with open(log, "ab") as out:
        process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    _wait_health(f"http://127.0.0.1:{port}", process=process)
    return process


def _kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def _iteration(page) -> int:
    """The Train page's live Iteration metric (-1 while it is not shown)."""
    value = metric_locator(page, "Iteration")
    if value.count() == 0:
        return -1
    text = value.first.inner_text().strip().replace(",", "")
    return int(text) if text.isdigit() else -1


def _wait_iteration_above(page, floor: int, timeout_s: float = 60) -> int:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        now = _iteration(page)
        if now > floor:
            return now
        page.wait_for_timeout(250)
    pytest.fail(f"training did not pass iteration {floor} within {timeout_s} s (at {_iteration(page)})")


def _notice(page, text: str, timeout_ms: int = 60_000) -> str:
    box = page.locator('[data-testid="stAlert"]').filter(has_text=text).first
    box.wait_for(timeout=timeout_ms)
    return box.inner_text()


def _notice_iteration_above(page, floor: int, timeout_s: float = 90) -> int:
    """The iteration an "interrupted run" notice names, once it is above ``floor``."""
    deadline = time.monotonic() + timeout_s
    seen = []
    while time.monotonic() < deadline:
        alerts = page.locator('[data-testid="stAlert"]').filter(has_text="lost its server")
        seen = [int(m.group(1)) for m in map(NOTICE_RE.search, alerts.all_inner_texts()) if m]
        if any(n > floor for n in seen):
            return max(seen)
        page.wait_for_timeout(250)
    pytest.fail(f"no notice of an interrupted run saved after iteration {floor} within {timeout_s} s: {seen}")


def _nav_after_reconnect(page, title: str) -> None:
    """Go to a page; if the frontend still holds the sidebar inert after the reconnect, reload once (a new
    session of the same browser, which the store restores) and go there."""
    link = page.locator('[data-testid="stSidebarNavLink"]').filter(has_text=title).first
    try:
        link.click(timeout=15_000)
        wait_ready(page)
    except PlaywrightTimeout:
        _shot(page, "sidebar-inert-after-reconnect")
        page.reload()
        wait_ready(page)
        nav(page, title)


def _shot(page, name: str) -> None:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"store-{name}.png"), full_page=True)


@pytest.fixture
def chromium(browser):
    """The session's Chromium (conftest): a second sync Playwright in one process is refused."""
    return browser


def _context(chromium, base: str, route: str | None = None):
    context = chromium.new_context(viewport=VIEWPORT)
    if route is not None:
        context.add_cookies([{"name": "dnn_route", "value": route, "url": base}])
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


# ----- one server, SQLite: reload, restart, share -------------------------------------------------
def test_a_reload_and_a_server_restart_keep_the_runs_and_a_share_link_opens_one(chromium, tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "DNN_DATA_HOME": str(home), "DNN_DATA_DIR": str(DATA_DIR), "DNN_ITERATIONS_PER_TICK": "5"}
    env.pop("DATABASE_URL", None)
    port, log = free_port(), ARTIFACTS / "e2e-store-server.log"
    ARTIFACTS.mkdir(exist_ok=True)
    base = f"http://127.0.0.1:{port}"
    server = _start_app(port, env, log)
    context, page = _context(chromium, base)
    try:
        page.goto(f"{base}/{SLOW_RUN}")
        wait_ready(page)
        page.locator(".st-key-start button:visible").first.click()
        _wait_iteration_above(page, 20)
        page.wait_for_timeout(6000)  # at least one timed save (every SAVE_SECONDS) after iteration 20
        _shot(page, "01-training")

        page.reload()
        wait_ready(page)
        assert "Welcome back" in _notice(page, "Welcome back")
        saved = int(NOTICE_RE.search(_notice(page, "continues from its last saved state")).group(1))
        assert saved > 20, "the state saved while training, not the first slice"
        _wait_iteration_above(page, saved)  # it continues
        _shot(page, "02-after-reload")
        page.wait_for_timeout(6000)

        _kill(server)  # the server dies mid-run ...
        page.locator('[data-testid="stApp"]:not([data-test-connection-state="CONNECTED"])').wait_for()
        server = _start_app(port, env, log)  # ... and comes back; the page reconnects by itself
        wait_ready(page, timeout_ms=90_000)
        # The old session's notice stays on screen until the new session's run replaces it.
        resumed = _notice_iteration_above(page, saved)
        _wait_iteration_above(page, resumed)
        _shot(page, "03-after-restart")
        assert_no_exception(page)

        _nav_after_reconnect(page, "My runs")
        page.locator(".st-key-runs_share button").first.click()
        wait_ready(page)
        link = page.locator('input[aria-label="Link to this page"]').first.input_value()
        assert "share=" in link and "dnn_browser" not in link
        _shot(page, "04-my-runs-shared")

        other, viewer = _context(chromium, base)  # another browser
        try:
            viewer.goto(link)
            wait_ready(viewer)
            _notice(viewer, "shared run")
            for title in ("Results", "Inspect", "Your photo"):
                nav(viewer, title)
                assert_no_exception(viewer)
            _shot(viewer, "05-shared-results")
            nav(viewer, "My runs")
            assert "No stored runs yet" in viewer.locator('[data-testid="stMain"]').inner_text()
        finally:
            other.close()
    finally:
        context.close()
        _kill(server, signal.SIGTERM)
    files = {p.name for p in home.iterdir()}
    # The store and the secret that signs browser identities (ui/identity.py); nothing of a user's beside them.
    assert files and files <= {"store.sqlite3", "store.sqlite3-wal", "store.sqlite3-shm", "secret.key"}


# ----- two replicas, NGINX, PostgreSQL ------------------------------------------------------------
def _nginx_missing() -> str | None:
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        return None
    return "NGINX is not installed (apt-get install nginx)"


def _consecutive_free_ports(count: int) -> list[int]:
    """``count`` consecutive ports free on 127.0.0.1, below the kernel's ephemeral range: replicas.sh takes
    consecutive ports, and a port picked by bind(0) comes from that range, where an outgoing connection
    (PostgreSQL's, Chromium's) can take its neighbour before the replica starts (seen once in five runs)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    start = 20_000 + (os.getpid() * 37) % 8_000  # concurrent runs start at different places
    for first in [*range(start, low - count, count), *range(20_000, start, count)]:
        ports = list(range(first, first + count))
        with contextlib.ExitStack() as stack:
            try:
                for port in ports:
                    stack.enter_context(socket.create_server(("127.0.0.1", port)))
            except OSError:
                continue
        return ports
    raise RuntimeError(f"no {count} consecutive free ports below {low}")


def _serving_port(ports: list[int], timeout_s: float = 30) -> int:
    """The replica NGINX sends 127.0.0.1 to (ip hash): the one with established connections on its port.
    (NGINX no longer says which replica answered, and the client cannot choose one.)"""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        busy = [p for p in ports if _established(p) > 0]
        if len(busy) == 1:
            return busy[0]
        time.sleep(0.2)
    pytest.fail(f"cannot tell which replica serves 127.0.0.1: {[(p, _established(p)) for p in ports]}")


def _established(port: int) -> int:
    """Established TCP connections whose local port is ``port`` (from /proc/net/tcp, IPv4)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            count += 1
    return count


def _start_replicas(n: int, pg_url: str, tmp_path: Path, extra_env: dict | None = None):  # noqa: F811
    reason = _nginx_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    run_dir = tmp_path / "replicas"
    ports = _consecutive_free_ports(n + 1)
    env = {**os.environ, "DATABASE_URL": pg_url, "DNN_DATA_DIR": str(DATA_DIR), "PYTHON": _python(),
           **(extra_env or {})}
    script = subprocess.Popen([str(REPO / "deploy" / "replicas.sh"), str(n), "--base-port", str(ports[0]),
                               "--listen", f"127.0.0.1:{ports[-1]}", "--run-dir", str(run_dir), "--nginx"],
                              cwd=REPO, env=env, stdout=open(tmp_path / "replicas.log", "wb"),
                              stderr=subprocess.STDOUT, start_new_session=True)
    return script, run_dir, ports[:-1], f"http://127.0.0.1:{ports[-1]}"


def _stop_script(script: subprocess.Popen) -> None:
    if script.poll() is None:
        os.killpg(script.pid, signal.SIGTERM)
        script.wait(timeout=60)


def test_two_replicas_behind_nginx_share_one_postgresql(chromium, pg_url, tmp_path):  # noqa: F811
    script, run_dir, ports, base = _start_replicas(2, pg_url, tmp_path, {"DNN_ITERATIONS_PER_TICK": "50"})
    contexts = []
    try:
        _wait_health(base, timeout_s=180, process=script)

        context, teacher = _context(chromium, base)
        contexts.append(context)
        code = open_class(teacher, f"{base}/board", "Lab 3: best test accuracy")

        context, student = _context(chromium, base)
        contexts.append(context)
        student.goto(f"{base}/{QUICK_RUN}")
        wait_ready(student)
        student.locator(".st-key-start button:visible").first.click()
        student.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Status: done").first.wait_for(
            timeout=120_000)
        nav(student, "Class board")
        student.locator(".st-key-board_code_input input").first.fill(code.lower())
        student.locator(".st-key-board_code_input input").first.press("Enter")
        wait_ready(student)
        student.locator(".st-key-board_join button").first.click()
        wait_ready(student)
        student.locator(".st-key-board_name input").first.fill("Ada <b>L</b>")
        student.locator(".st-key-board_name input").first.press("Enter")
        wait_ready(student)
        student.locator(".st-key-board_submit button").first.click()
        _notice(student, "on the board")

        teacher.get_by_text(re.compile(r"· 1 entry ·")).first.wait_for(timeout=30_000)
        _shot(teacher, "10-board")

        # Both browsers come from 127.0.0.1, so NGINX's ip hash sends them to one replica: it dies, and the
        # survivor must show what the dead one wrote (one PostgreSQL for both).
        serving = _serving_port(ports)
        pid = int((run_dir / f"replica-{serving}.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        _notice(student, "Welcome back", timeout_ms=90_000)  # reconnected through NGINX to the survivor
        assert "iteration 300/300" in student.locator('[data-testid="stSidebar"]').inner_text()
        nav(student, "My runs")
        student.get_by_text(re.compile(r"^1 run, .* in the store")).first.wait_for(timeout=30_000)
        assert_no_exception(student)
        _shot(student, "11-student-after-replica-died")
        teacher.reload()  # a new session: the link still names the class, and a visitor by code joins first
        wait_ready(teacher)
        teacher.locator(".st-key-board_join button").first.click()
        wait_ready(teacher)
        teacher.get_by_text(re.compile(r"· 1 entry ·")).first.wait_for(timeout=30_000)
    finally:
        for context in contexts:
            context.close()
        _stop_script(script)


# ----- connections (issue 22.5): NGINX's limits and headers, run.sh's open-files limit ---------------
IDLE_CONNECTIONS = 1_050


def _raise_own_open_files(need: int) -> None:
    """This test process holds the idle sockets: its soft limit must allow them (up to the hard limit)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (need if hard == resource.RLIM_INFINITY else min(need, hard), hard))


@contextlib.contextmanager
def _idle_connections(port: int, count: int = IDLE_CONNECTIONS):
    """``count`` TCP connections to 127.0.0.1:port that send nothing (as a hostile client would hold them)."""
    _raise_own_open_files(count + 256)
    sockets = []
    try:
        for _ in range(count):
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def _get(url: str, headers: dict | None = None, method: str = "GET", data: bytes | None = None):
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_nginx_hides_replicas_denies_metrics_limits_uploads_and_outlasts_idle_connections(pg_url, tmp_path):  # noqa: F811,E501
    script, run_dir, ports, base = _start_replicas(1, pg_url, tmp_path)
    try:
        _wait_health(base, timeout_s=180, process=script)
        status, headers, body = _get(f"{base}/_stcore/health", {"Cookie": "dnn_route=route-7"})
        assert status == 200 and body.strip() == b"ok"
        assert headers.get("Server") == "nginx", "no version, no Tornado"
        assert not any(k.lower().startswith("x-dnn") for k in headers) and "Set-Cookie" not in headers
        assert _get(f"{base}/_stcore/metrics")[0] == 404
        assert _get(f"http://127.0.0.1:{ports[0]}/_stcore/health")[0] == 200  # the replica itself is fine

        # An uploads flood from one address: past the burst, NGINX refuses before any replica reads a byte.
        codes = [_get(f"{base}/_stcore/upload_file/not-a-session/x", method="PUT", data=b"x" * 1024)[0]
                 for _ in range(45)]
        assert codes.count(429) >= 10 and 429 not in codes[:30], codes
        too_big = _get(f"{base}/_stcore/upload_file/s/x", method="PUT", data=b"x" * (26 * 1024 * 1024))[0]
        assert too_big in (413, 429)

        with _idle_connections(int(base.rsplit(":", 1)[1])):
            started = time.monotonic()
            status, _, body = _get(f"{base}/_stcore/health")
            assert status == 200 and body.strip() == b"ok"
            assert time.monotonic() - started < 10, "answered while 1,050 idle connections are held"
    finally:
        _stop_script(script)
    conf = (run_dir / "nginx.conf").read_text()
    assert "X-DNN-Replica" not in conf and "cookie_dnn_route" not in conf and "server_tokens off" in conf


def test_run_sh_raises_the_open_files_limit_so_idle_connections_do_not_stop_the_server(tmp_path):
    import resource

    port = free_port()
    env = {**os.environ, "DNN_DATA_HOME": str(tmp_path / "home"), "DNN_DATA_DIR": str(DATA_DIR),
           "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("DATABASE_URL", None)

    def usual_limit() -> None:  # start as a typical login shell would: 1,024 open files
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([str(REPO / "run.sh"), "--server.headless", "true", "--server.address",
                                   "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none"],
                                  cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True, preexec_fn=usual_limit)
    try:
        _wait_health(f"http://127.0.0.1:{port}", timeout_s=180, process=server)
        limits = Path(f"/proc/{server.pid}/limits").read_text()
        soft = next(line.split()[3] for line in limits.splitlines() if line.startswith("Max open files"))
        assert soft == "unlimited" or int(soft) > IDLE_CONNECTIONS + 100, limits
        with _idle_connections(port):
            status, _, body = _get(f"http://127.0.0.1:{port}/_stcore/health")
            assert status == 200 and body.strip() == b"ok"
    finally:
        _kill(server, signal.SIGTERM)
    assert log.stat().st_size < 1_000_000, "the server does not flood its log"
