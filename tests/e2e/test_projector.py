"""The projector: 1280x720 at 150% zoom (853x480 CSS px), presenter mode. Train (the course's five-layer net,
and moons) shows the controls and at least one chart on the first screen and nothing overflows the width;
the Share QR code is on the first screen; Home's presets are above the fold; presenter mode holds on every
page and its row of links reaches every page."""
from __future__ import annotations

import pytest

from .conftest import assert_no_exception, wait_ready
from .screens_helpers import go, overflow, page_links, screen_context, screenshot

__all__ = ["screen_context"]

ZOOMED = {"width": 853, "height": 480}   # 1280x720 at 150%
SCALE = 1.5
MOONS = "train?data=moons&hidden=50,50&iters=5000&lr=0.1"
# A chart counts as shown when this much of it is on the first screen (its title and the start of the plot).
CHART_SHOWN_PX = 90


def rect(page, selector: str) -> dict:
    return page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); "
        "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; }")


def presenter_on(page) -> None:
    toggle = page.locator(".st-key-presenter_toggle input").first
    if not toggle.is_checked():
        page.locator(".st-key-presenter_toggle label").first.click()
        wait_ready(page)
    page.locator('[data-testid="stSidebar"]').first.wait_for(state="hidden")


def open_presenting(screen_context, server, where: str = "train"):
    """A new session on the projector, opened at ``where`` (a Train address), presenter mode switched on."""
    page = screen_context(ZOOMED, "light", scale=SCALE)
    page.goto(server.url(where))
    wait_ready(page)
    presenter_on(page)
    return page


@pytest.mark.parametrize("where", ["train", MOONS])
def test_train_shows_controls_and_a_chart_on_the_first_screen(screen_context, server, where):
    page = open_presenting(screen_context, server, where)
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()
    page.wait_for_timeout(500)
    name = "course" if where == "train" else "moons"
    screenshot(page, f"projector-150-train-{name}", full_page=False)
    assert not page.locator('[data-testid="stSidebar"]').first.is_visible(), "presenter mode hides the sidebar"
    start = rect(page, ".st-key-start")
    assert start["bottom"] <= ZOOMED["height"], f"Start is below the first screen: {start}"
    chart = rect(page, '[data-testid="stVegaLiteChart"]')
    assert chart["top"] + CHART_SHOWN_PX <= ZOOMED["height"], f"no chart on the first screen: {chart}"
    assert overflow(page) == [], f"wider than the screen: {overflow(page)}"
    assert_no_exception(page)


def test_share_qr_and_home_presets_on_the_first_screen_and_presenter_everywhere(screen_context, server):
    page = open_presenting(screen_context, server)
    links = page_links(page)
    go(page, "")
    preset = rect(page, ".st-key-preset_five_layer button")
    screenshot(page, "projector-150-home", full_page=False)
    assert preset["bottom"] <= ZOOMED["height"], f"Home's presets need a scroll: {preset}"
    go(page, "share")
    qr = rect(page, '[data-testid="stImage"] img')
    screenshot(page, "projector-150-share", full_page=False)
    assert qr["bottom"] <= ZOOMED["height"], f"the QR code is below the first screen: {qr}"
    assert overflow(page) == [], overflow(page)
    # Presenter mode on every page: no sidebar, and the page row links every page.
    row = page.evaluate("""() => [...document.querySelectorAll('a[data-testid="stPageLink-NavLink"]')]
        .map(a => a.innerText
            .replace(a.querySelector('[data-testid="stIconMaterial"]')?.innerText ?? '', '').trim())""")
    sidebar_back = set()
    for title, path in links:
        go(page, path)
        if page.locator('[data-testid="stSidebar"]').first.is_visible():
            sidebar_back.add(title)
        assert overflow(page) == [], f"{title}: {overflow(page)}"
    assert not sidebar_back, f"presenter mode lets the sidebar back on {sorted(sidebar_back)}"
    assert set(row) == {title for title, _ in links}, f"the presenter row reaches every page: {row}"
