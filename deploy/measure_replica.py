"""Measure what one replica serves: K browser sessions training at once through NGINX, runs saved to PostgreSQL.

    .venv/bin/python deploy/measure_replica.py 8 16

For each K it starts one replica with deploy/replicas.sh (a throwaway PostgreSQL from tests/pg.py, NGINX on
127.0.0.1), opens K headless-Chromium sessions that each train the synthetic-cats network [12288, 4, 1] for
3,000 iterations, and prints: seconds from the first Start to the last run done, the new visitor's time to an
interactive page while they train, and that every run reached the store.  Browser and server share this
machine's cores, so read the numbers as an upper bound on the load, not as a server benchmark.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from pg import free_port, start_postgres  # noqa: E402

ITERS = 3000
APP_READY = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
SCRIPT_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_health(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read().strip() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} not healthy within {timeout_s} s")


def ready(page, timeout_ms: int = 120_000) -> None:
    page.locator(APP_READY).wait_for(timeout=timeout_ms)
    page.locator(SCRIPT_IDLE).wait_for(timeout=timeout_ms)


def measure(k: int, browser, database_url: str) -> dict:
    run_dir, listen, base_port = Path(tempfile.mkdtemp(prefix="dnn-measure-")), free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    script = subprocess.Popen([str(REPO / "deploy" / "replicas.sh"), "1", "--base-port", str(base_port), "--listen",
                               f"127.0.0.1:{listen}", "--run-dir", str(run_dir), "--nginx"], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{listen}"
    contexts = []
    try:
        wait_health(base)
        pages = []
        for seed in range(1, k + 1):
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            contexts.append(context)
            page = context.new_page()
            page.goto(f"{base}/train?data=synthetic&hidden=4&iters={ITERS}&seed={seed}&lr=0.0075")
            ready(page)
            pages.append(page)
        started = time.monotonic()
        for page in pages:
            page.locator(".st-key-start button").first.click()
        time.sleep(5)
        visitor = browser.new_context()
        contexts.append(visitor)
        page = visitor.new_page()
        t0 = time.monotonic()
        page.goto(f"{base}/")
        ready(page)
        interactive = time.monotonic() - t0
        for page in pages:
            page.locator('[data-testid="stMarkdownContainer"]').filter(has_text="Status: done").first.wait_for(
                timeout=900_000)
        all_done = time.monotonic() - started
        time.sleep(2)  # the writer thread's last saves
        import sqlalchemy as sa
        engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT count(*) FROM runs WHERE status = 'done' AND iteration = :n"),
                                  {"n": ITERS}).scalar()
        engine.dispose()
        return {"sessions": k, "all_done_s": round(all_done, 1), "visitor_interactive_s": round(interactive, 1),
                "runs_stored_done": stored}
    finally:
        for context in contexts:
            context.close()
        os.killpg(script.pid, signal.SIGTERM)
        script.wait(timeout=60)
        shutil.rmtree(run_dir, ignore_errors=True)


def main(argv: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    loads = [int(a) for a in argv] or [8]
    server = start_postgres()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            for k in loads:
                db = server.create_database()
                print(measure(k, browser, server.url(db).replace("+psycopg", "")), flush=True)
            browser.close()
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
