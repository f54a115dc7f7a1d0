"""axe-core on every page after a trained five-layer run: at 1280x720 in light and dark (the browser's
setting, and the app's own theme switch) and at 390x844; any critical or serious violation fails, and so does
a skipped heading level (axe's heading-order, moderate).

axe-core comes from the npm registry through package.json (`npm ci`), injected from node_modules: no CDN.
Every violation seen (minor and moderate too) is written to artifacts/a11y-<mode>.json, and screenshots
of every page at 390x844 and in dark to artifacts/screenshots/.
"""
from __future__ import annotations

import os

import pytest

from .conftest import assert_no_exception
from .screens_helpers import (
    DESKTOP,
    PHONE,
    axe_missing,
    describe,
    failing,
    go,
    is_dark,
    page_links,
    record,
    run_axe,
    screen_context,
    screenshot,
    set_theme,
    slug,
    train_five_layer,
)

__all__ = ["screen_context"]  # the fixture, imported so pytest finds it


@pytest.fixture(scope="module")
def trained(screen_context, server):
    """One session that trained the course's five-layer net; (page, every page's (title, path))."""
    reason = axe_missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    page = screen_context(DESKTOP, "light")
    train_five_layer(page, server.base_url)
    return page, page_links(page)


def _audit(page, links, mode: str, shots: bool = False) -> dict[str, list[dict]]:
    seen: dict[str, list[dict]] = {}
    for title, path in links:
        go(page, path)
        assert_no_exception(page)
        seen[title] = run_axe(page)
        if shots:
            screenshot(page, f"{mode}-{slug(path)}")
    record(f"a11y-{mode}", seen)
    return seen


def _assert_clean(seen: dict[str, list[dict]], mode: str) -> None:
    bad = {title: failing(v) for title, v in seen.items() if failing(v)}
    report = "\n".join(f"{title}:\n{describe(v)}" for title, v in bad.items())
    assert not bad, f"axe-core ({mode}): critical or serious violations on {len(bad)} page(s)\n{report}"


def test_every_page_light_1280(trained):
    page, links = trained
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    assert not is_dark(page)
    _assert_clean(_audit(page, links, "light-1280"), "light, 1280x720")


def test_every_page_dark_1280_from_the_browser_setting(trained):
    page, links = trained
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="dark")
    try:
        page.wait_for_function("() => true")
        go(page, links[0][1])
        assert is_dark(page), "the browser asks for dark, the app stays light"
        _assert_clean(_audit(page, links, "dark-1280", shots=True), "dark (browser setting), 1280x720")
    finally:
        page.emulate_media(color_scheme="light")


def test_the_app_switches_theme_itself(trained):
    """A person whose browser says light picks Dark in the app's menu, and back to System."""
    page, links = trained
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="light")
    go(page, links[0][1])
    assert not is_dark(page)
    set_theme(page, "Dark")
    try:
        assert is_dark(page), "the menu's Dark did not darken the app"
        train_path = next(path for title, path in links if title == "Train")
        go(page, train_path)
        assert is_dark(page), "the chosen theme did not follow to another page"
        seen = {"Train": run_axe(page)}
        record("a11y-dark-switch", seen)
        _assert_clean(seen, "dark (the app's switch)")
    finally:
        set_theme(page, "System")
    assert not is_dark(page)


def test_every_page_phone_390(trained):
    page, links = trained
    page.set_viewport_size(PHONE)
    try:
        seen = _audit(page, links, "phone-390", shots=True)
        page.emulate_media(color_scheme="dark")
        for _title, path in links:
            go(page, path)
            screenshot(page, f"phone-dark-{slug(path)}")
        page.emulate_media(color_scheme="light")
        _assert_clean(seen, "390x844")
    finally:
        page.set_viewport_size(DESKTOP)
