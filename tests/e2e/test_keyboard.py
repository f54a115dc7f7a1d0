"""Keyboard only: the course preset from Home, Start, Pause, Step (Tab and Enter, then the shortcuts), the run
to its end, and Results, without the mouse; the focus stays on the control row after every control."""
from __future__ import annotations

import re

from .conftest import assert_no_exception, metric, train_status, wait_ready
from .screens_helpers import DESKTOP, screen_context, screenshot

__all__ = ["screen_context"]

MAX_TABS = 80
FOCUS_IN = "sel => !!document.activeElement && !!document.activeElement.closest(sel)"


def tab_to(page, selector: str, backwards: bool = False) -> int:
    """Press Tab (Shift+Tab) until the focus is inside ``selector``; how many presses it took."""
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate(FOCUS_IN, selector):
            return presses
    raise AssertionError(f"{selector} not reached with {MAX_TABS} presses of Tab")


def focus_on(page, selector: str) -> bool:
    return page.evaluate(FOCUS_IN, selector)


def iteration(page) -> int:
    return int(metric(page, "Iteration").replace(",", ""))


def wait_status(page, pattern: str, timeout_ms: int = 60_000) -> None:
    page.wait_for_function("""re => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
        .some(e => new RegExp(re).test(e.innerText.trim()))""", arg=rf"^Status:\s*({pattern})",
                           timeout=timeout_ms)


def test_train_pause_step_and_results_by_keyboard(screen_context, server):
    page = screen_context(DESKTOP, "light")
    page.goto(server.base_url)
    wait_ready(page)
    presses = tab_to(page, ".st-key-preset_five_layer")
    print(f"\n[e2e] Home's five-layer preset is Tab stop {presses}")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.pathname.endsWith('/train')")
    wait_ready(page)

    start_stop = tab_to(page, ".st-key-start")
    print(f"[e2e] Start is Tab stop {start_stop} on Train")
    page.keyboard.press("Enter")
    wait_status(page, "running|done")
    assert focus_on(page, ".st-key-start"), "the focus left Start when training started"
    page.keyboard.press("Tab")
    assert focus_on(page, ".st-key-pause"), "Pause is the next Tab stop after Start"
    page.keyboard.press("Enter")
    wait_status(page, "paused|done")
    wait_ready(page)
    assert focus_on(page, ".st-key-pause"), "the focus left Pause"
    paused = train_status(page) == "paused"
    before = iteration(page)
    page.keyboard.press("Tab")
    assert focus_on(page, ".st-key-step")
    page.keyboard.press("Enter")
    wait_ready(page)
    if paused:
        page.wait_for_function("""n => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
            .find(e => e.innerText.startsWith('Iteration'));
            return m && parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText
                .replace(/,/g, '')) === n; }""",
                               arg=before + 1)
    assert focus_on(page, ".st-key-step"), "the focus left Step"
    screenshot(page, "keyboard-train-after-step", full_page=False)

    # The shortcuts, from anywhere on the page: Alt+N steps, Alt+S resumes, Alt+P pauses.
    if paused:
        page.keyboard.press("Alt+N")
        page.wait_for_function("""n => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
            .find(e => e.innerText.startsWith('Iteration'));
            return m && parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText
                .replace(/,/g, '')) === n; }""",
                               arg=before + 2)
        page.keyboard.press("Alt+S")
        wait_status(page, "running|done")
    wait_status(page, "done", timeout_ms=180_000)
    wait_ready(page)
    assert metric(page, "Iteration") == "2,500"
    assert_no_exception(page)

    # Results through the page list (Shift+Tab back from the controls to the navigation), then Enter.
    tab_to(page, '[data-testid="stSidebarNavLink"][href$="/results"]', backwards=True)
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.pathname.endsWith('/results')")
    wait_ready(page)
    page.get_by_role("heading", name=re.compile("^Results")).first.wait_for()
    assert metric(page, "Iteration") == "2,500"
    assert_no_exception(page)
    screenshot(page, "keyboard-results", full_page=False)
