"""Many users at once: 8 browser sessions train different small networks on one server at the same time.

Each session must end with exactly the numbers a solo engine run gives for its own seed and network,
see only its own run and config, and a new visitor must still get a page quickly while they train.
The sessions are 8 contexts of one Chromium; one thread drives them in turn (Playwright's sync API),
while the browser and the server run all of them concurrently.
"""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from ui import settings

from .conftest import assert_no_exception, metric, nav, train_status, wait_ready

SESSIONS = 8
ITERS, LR = 3000, 0.0075
RUN_TIMEOUT_S = 240


def hidden_units(seed: int) -> int:
    # A different network per session as well as a different seed, so any mix-up shows.
    return seed + 2


def link(seed: int) -> str:
    return f"train?data=synthetic&hidden={hidden_units(seed)}&iters={ITERS}&seed={seed}&lr={LR}"


@pytest.fixture(scope="module")
def solo_runs() -> dict:
    """seed -> the engine's own run of that session's config on the same synthetic data."""
    import dnn
    from dnn.synthetic import synthetic_dataset
    from ui.settings import recording_intervals

    ds = synthetic_dataset(seed=0)
    record_every, accuracy_every = recording_intervals(ITERS)  # what app.py builds from the link
    runs = {}
    for seed in range(1, SESSIONS + 1):
        cfg = dnn.TrainConfig((ds.n_x, hidden_units(seed), 1), seed=seed, num_iterations=ITERS, learning_rate=LR,
                              record_every=record_every, accuracy_every=accuracy_every)
        run = dnn.Trainer(cfg, ds.X_train, ds.train_y, ds.X_test, ds.test_y)
        run.advance(ITERS)
        assert run.status == dnn.Status.DONE
        runs[seed] = run
    return runs


def _dump(pages: dict, shot, errors: dict) -> str:
    """Every session's state when the test fails: a screenshot each, what its page says and the errors
    its browser reported."""
    lines = []
    for seed, page in pages.items():
        if errors.get(seed):
            lines.append(f"session {seed} browser errors: {list(dict.fromkeys(errors[seed]))[:12]}")
        try:
            shot(page, f"session-{seed}-at-failure")
            app = page.locator('[data-testid="stApp"]')
            state = (app.get_attribute("data-test-connection-state", timeout=2_000),
                     app.get_attribute("data-test-script-state", timeout=2_000))
            text = page.locator('[data-testid="stMain"]').inner_text(timeout=2_000)[:400].replace("\n", " | ")
            lines.append(f"session {seed} {page.url} {state}: {text}")
        except Exception as e:  # noqa: BLE001  a diagnosis must not hide the failure it explains
            lines.append(f"session {seed} {page.url}: could not read the page ({e!r:.200}); "
                         f"HTML: {page.content()[:300]!r}")
    return "\n".join(lines)


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    events = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    best = now = 0
    for _, step in events:
        now += step
        best = max(best, now)
    return best


@pytest.mark.load
def test_eight_sessions_train_at_once_without_mixing(browser, server, shot, solo_runs):
    # No warm-up visit: the pages live in views/, so even a cold server's concurrent first sessions get
    # st.navigation (a pages/ folder used to make them multipage-v1 sessions).
    # Small windows: the 8 browsers share this machine's 2 cores with the server.
    contexts = [browser.new_context(viewport={"width": 800, "height": 600}) for _ in range(SESSIONS + 1)]
    started = time.monotonic()
    try:
        pages, errors = {}, {}
        for seed, context in zip(range(1, SESSIONS + 1), contexts[:SESSIONS], strict=True):
            page = context.new_page()
            errors[seed] = []
            page.on("pageerror", lambda e, seed=seed: errors[seed].append(
                f"pageerror at {time.monotonic() - started:.1f} s: {e}"))
            page.on("console", lambda m, seed=seed: errors[seed].append(f"console: {m.text[:300]}")
                    if m.type in ("error", "warning") else None)
            page.on("websocket", lambda ws, seed=seed: ws.on("close", lambda _ws, seed=seed: errors[seed].append(
                f"websocket closed at {time.monotonic() - started:.1f} s")))
            page.on("framenavigated", lambda f, seed=seed: errors[seed].append(
                f"navigated at {time.monotonic() - started:.1f} s: {f.url[:80]}") if f.parent_frame is None else None)
            page.set_default_timeout(60_000)
            page.goto(server.url(link(seed)), wait_until="commit")
            pages[seed] = page
        for seed, page in pages.items():
            wait_ready(page, timeout_ms=60_000)
            nav_titles = page.locator('[data-testid="stSidebarNavLink"]').all_inner_texts()
            assert any("Your photo" in t for t in nav_titles), f"session {seed} has the v1 navigation: {nav_titles}"
            page.get_by_text(f"layer_dims [12288, {hidden_units(seed)}, 1]").first.wait_for()
            assert "Synthetic" in page.locator('[data-testid="stCaptionContainer"]').first.inner_text()
        opened = time.monotonic()

        for page in pages.values():
            page.locator(".st-key-start button:visible").click()
        clicked = time.monotonic()
        print(f"\n[load] {SESSIONS} sessions open in {opened - started:.1f} s, all Start clicks within "
              f"{clicked - opened:.2f} s")

        # A new visitor mid-run: connected, script finished and the Home page usable (its time is printed;
        # bounds on time belong to the benchmarks).
        time.sleep(3)  # mid-run, past the burst of the 8 Start clicks (each builds its run)
        fresh = contexts[-1].new_page()
        t0 = time.monotonic()
        fresh.goto(server.url(), wait_until="commit")
        try:
            wait_ready(fresh, timeout_ms=30_000)
            fresh.locator(".st-key-preset_two_layer button").wait_for(state="visible", timeout=30_000)
        except PlaywrightTimeout:
            shot(fresh, "fresh-visitor-timeout")
            pytest.fail(f"a new visitor's page was not interactive within 30 s while {SESSIONS} sessions "
                        f"trained; status per session: "
                        f"{[train_status(p) for p in pages.values()]}")
        fresh_s = time.monotonic() - t0
        try:
            running_then = [seed for seed, page in pages.items() if train_status(page) != "done"]
        except PlaywrightTimeout:
            pytest.fail("a session lost its Train status mid-run:\n" + _dump(pages, shot, errors))
        shot(fresh, "fresh-visitor-mid-run")
        assert_no_exception(fresh)
        print(f"[load] fresh page interactive in {fresh_s:.2f} s while sessions {running_then} were training")
        assert running_then, "every run had finished before the fresh page loaded: raise ITERS to measure mid-run"

        # Wait for every run, noting when each was seen running and seen done.
        seen_running = {seed: clicked for seed in pages}
        finished: dict[int, float] = {}
        while len(finished) < SESSIONS:
            assert time.monotonic() - clicked < RUN_TIMEOUT_S, f"runs not done after {RUN_TIMEOUT_S} s: " + \
                str({seed: train_status(page) for seed, page in pages.items() if seed not in finished})
            for seed, page in pages.items():
                if seed in finished:
                    continue
                try:
                    status = train_status(page)
                except PlaywrightTimeout:
                    pytest.fail(f"session {seed} lost its Train status:\n" + _dump(pages, shot, errors))
                assert status in ("running", "done"), f"session {seed}: status {status!r}"
                if status == "done":
                    finished[seed] = time.monotonic()
            time.sleep(0.2)
        overlap = _max_overlap([(seen_running[s], finished[s]) for s in pages])
        print(f"[load] all {SESSIONS} runs done {max(finished.values()) - clicked:.1f} s after the clicks; "
              f"each took {sorted(round(finished[s] - clicked, 1) for s in pages)} s; up to {overlap} at once")
        assert overlap >= SESSIONS // 2, "the runs hardly overlapped: this was not a concurrency test"

        for seed, page in pages.items():
            solo = solo_runs[seed]
            wait_ready(page)
            shot(page, f"session-{seed}-done")
            assert_no_exception(page)
            shown = {label: metric(page, label) for label in ("Iteration", "Cost", "Train accuracy", "Test accuracy")}
            assert shown == {"Iteration": f"{ITERS:,}", "Cost": f"{solo.cost():.4f}",
                             "Train accuracy": f"{solo.train_accuracy():.1%}",
                             "Test accuracy": f"{solo.test_accuracy():.1%}"}, f"session {seed}"
            # Its own run history: one run, of its own network.
            tags = page.locator('.st-key-history_runs [data-tag]').all_inner_texts()
            assert len(tags) == 1 and tags[0].startswith(f"#1 [{hidden_units(seed)}]"), f"session {seed}: {tags}"
            # Its own config, in the shareable URL and on the Model page.
            # Links are short: a setting at its default (seed 1) is left out, and parsing gives it back.
            linked = settings.parse_link(parse_qs(urlsplit(page.url).query)).config
            assert linked.seed == seed and f"hidden={hidden_units(seed)}" in page.url, page.url
            nav(page, "Model")
            # retried: the click returns before the Model page's script has drawn it
            expect(page.locator(".st-key-seed input")).to_have_value(str(seed), timeout=15_000)
            page.get_by_text(f"layer_dims = [12288, {hidden_units(seed)}, 1]").first.wait_for()
            assert f"iteration {ITERS:,}/{ITERS:,}" in page.locator('[data-testid="stSidebar"]').inner_text()
        # A script error in a page (the browser's own, not the app's) fails the test even when the page
        # recovered: a blank page once came from one ('setIn' cannot be called on an ElementNode).
        # (Chromium's "ResizeObserver loop" notice is not an error of the page's code.)
        crashes = {seed: [e for e in found if e.startswith("pageerror") and "ResizeObserver loop" not in e]
                   for seed, found in errors.items()}
        assert not any(crashes.values()), f"pages with script errors: {crashes}"
        costs = {seed: f"{solo_runs[seed].cost():.4f}" for seed in pages}
        assert len(set(costs.values())) == SESSIONS, f"two sessions expected the same cost: {costs}"
        print(f"[load] whole load test {time.monotonic() - started:.1f} s")
    finally:
        for context in contexts:
            context.close()
