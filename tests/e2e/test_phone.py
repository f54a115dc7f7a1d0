"""Phones (390x844, touch): after a trained run no page scrolls sideways (the page, and every chart, picture
and element fit: scrollWidth <= clientWidth), every control is a 44 px touch target, and Start is on the
first screen of Train. Screenshots of every page go to artifacts/screenshots/phone-touch-<page>.png."""
from __future__ import annotations

from .conftest import assert_no_exception
from .screens_helpers import (
    PHONE,
    go,
    overflow,
    page_links,
    record,
    screen_context,
    screenshot,
    slug,
    small_targets,
    train_five_layer,
)

__all__ = ["screen_context"]



def test_no_page_scrolls_sideways_and_every_target_is_44px(screen_context, server):
    page = screen_context(PHONE, "light", phone=True)
    train_five_layer(page, server.base_url)
    start = page.locator(".st-key-start").first.bounding_box()
    assert start is not None and start["y"] + start["height"] <= PHONE["height"], "Start needs a scroll on a phone"
    seen: dict[str, dict] = {}
    for title, path in page_links(page):
        go(page, path)
        assert_no_exception(page)
        seen[title] = {"overflow": overflow(page), "small": small_targets(page)}
        screenshot(page, f"phone-touch-{slug(path)}")
    record("phone-390", seen)
    wide = {title: v["overflow"] for title, v in seen.items() if v["overflow"]}
    small = {title: v["small"] for title, v in seen.items() if v["small"]}
    assert not wide, f"sideways scroll at 390 px: {wide}"
    assert not small, f"touch targets under 44 px (app.py sets ui.theme.SCREEN_STYLE on every page): {small}"
