"""Offline: a classroom LAN may have no internet. Every page, every tab, expander, popover and the app's
menu opened after a trained run, on a desktop and a phone, in light and dark: no request may leave
127.0.0.1 (fonts and icons included; the page's own data: and blob: URLs are fine)."""
from __future__ import annotations

import pytest

from .conftest import assert_no_exception, wait_ready
from .screens_helpers import (
    DESKTOP,
    PHONE,
    go,
    page_links,
    record,
    screen_context,
    set_theme,
    train_five_layer,
    watch_errors,
    watch_requests,
)

__all__ = ["screen_context"]

TABS = '[data-baseweb="tab"], [role="tab"]'
EXPANDERS = '[data-testid="stExpander"] summary'
POPOVERS = '[data-testid="stPopover"] button'


def _open_everything(page) -> list[str]:
    """Click every tab, expander and popover of the page as it is; the names of what was opened."""
    opened: list[str] = []
    for k in range(page.locator(TABS).count()):
        tab = page.locator(TABS).nth(k)
        if tab.is_visible():
            opened.append("tab " + tab.inner_text().strip())
            tab.click()
            wait_ready(page)
    for k in range(page.locator(EXPANDERS).count()):
        summary = page.locator(EXPANDERS).nth(k)
        if summary.is_visible():
            opened.append("expander " + summary.inner_text().strip()[:40])
            summary.click()
            page.wait_for_timeout(200)
    for k in range(page.locator(POPOVERS).count()):
        button = page.locator(POPOVERS).nth(k)
        if button.is_visible():
            opened.append("popover " + button.inner_text().strip()[:40])
            button.click()
            page.wait_for_timeout(300)
            page.keyboard.press("Escape")
    return opened


def _visit_all(page, links, visited: dict) -> None:
    for title, path in links:
        go(page, path)
        assert_no_exception(page)
        visited.setdefault(title, []).extend(_open_everything(page))


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_no_request_leaves_the_server_on_any_page(screen_context, server, size):
    page = screen_context(DESKTOP if size == "desktop" else PHONE, "light", phone=size == "phone")
    outside, errors = watch_requests(page), watch_errors(page)
    train_five_layer(page, server.base_url)
    links = page_links(page)
    assert {"Home", "Train", "Results", "Share", "Class board"} <= {title for title, _ in links}
    visited: dict[str, list[str]] = {}
    _visit_all(page, links, visited)
    set_theme(page, "Dark")          # the menu, and every page again in the other theme
    _visit_all(page, links, visited)
    set_theme(page, "System")
    record(f"offline-{size}", {"visited": visited, "outside": outside, "errors": errors})
    assert len(visited) == len(links)
    assert any(item.startswith("tab ") for items in visited.values() for item in items), visited
    assert outside == [], f"requests left 127.0.0.1 ({size}): {sorted(set(outside))[:20]}"
    assert errors == [], f"script errors: {errors[:5]}"
