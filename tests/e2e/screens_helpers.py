"""Helpers for the screen tests (accessibility, offline, keyboard, phone, projector): one browser session
that trained a run, moved through every page at a chosen size and theme.

The conftest's fixtures (server, browser, shot) and helpers (wait_ready, nav, ...) are reused; what is
special to these tests lives here: sizes, themes, axe-core from node_modules, the page list read from the
app's own navigation, and the sideways-scroll measure.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, REPO, SCREENSHOTS, assert_no_exception, metric_locator, train_status, wait_ready

AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
# A phone as the server sees it: a touch screen, a mobile viewport and a phone's user agent (Streamlit shows some
# things to phones only, e.g. the camera's "Switch camera" button).
PHONE_UA = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36")
PHONE_CONTEXT = {"is_mobile": True, "has_touch": True, "user_agent": PHONE_UA}
# Requests to the server itself, and data the page made (images, blobs) are fine; anything else leaves.
LOCAL = re.compile(r"^((https?|wss?)://127\.0\.0\.1(:\d+)?/|data:|blob:|about:)")
# axe-core's own impact levels that fail a page (issue 21: zero critical and zero serious violations), and
# rules that fail it whatever their impact (issue 21 asks for heading order; axe calls a skipped level moderate).
FAILING_IMPACTS = ("critical", "serious")
FAILING_RULES = ("heading-order",)


def axe_missing() -> str | None:
    if not AXE_JS.exists():
        return f"{AXE_JS} is missing: run `npm ci` in the repository (test.sh does it)"
    return None


# ----- a browser context of a given size and theme -------------------------------------------------
@pytest.fixture(scope="module")
def screen_context(browser):
    """Factory: a new context (a new Streamlit session) at ``viewport``, with the browser's colour scheme."""
    contexts = []

    def make(viewport: dict = DESKTOP, color_scheme: str = "light", phone: bool = False, scale: float = 1):
        extra = PHONE_CONTEXT if phone else {}
        context = browser.new_context(viewport=viewport, color_scheme=color_scheme, device_scale_factor=scale,
                                      **extra)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30_000)
        return page

    yield make
    for context in contexts:
        context.close()


def watch_requests(page) -> list[str]:
    """Every request the page makes that leaves 127.0.0.1 (appended as they happen)."""
    outside: list[str] = []
    page.on("request", lambda r: None if LOCAL.match(r.url) else outside.append(r.url))
    return outside


def watch_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


# ----- pages ------------------------------------------------------------------------------------------
NAV_LINKS = '[data-testid="stSidebarNavLink"]'


def page_links(page) -> list[tuple[str, str]]:
    """(title, href path) of every page in the app's navigation, in its order (new pages are included)."""
    page.locator(NAV_LINKS).first.wait_for(state="attached")
    return page.evaluate("""sel => [...document.querySelectorAll(sel)].map(a => {
        const icon = a.querySelector('[data-testid="stIconMaterial"]');
        const title = a.innerText.replace(icon ? icon.innerText : '', '').trim();
        return [title, new URL(a.href).pathname.replace(/^\\//, '')]; })""", NAV_LINKS)


PHONE_SIDEBAR_CLOSED_JS = """() => /Mobile/.test(navigator.userAgent)
    && document.querySelector('[data-testid="stSidebar"]')?.getAttribute('data-collapsed') === 'true'"""


def go(page, path: str) -> None:
    """Open a page inside the same session (a click on its navigation link, open or collapsed sidebar);
    in presenter mode, where the sidebar is hidden, the page row's link.  On a phone, as a person does: open
    the sidebar, tap the link (Streamlit closes it again; a click on the hidden link left it open over the
    page)."""
    if page.evaluate(PHONE_SIDEBAR_CLOSED_JS):
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.locator('[data-testid="stSidebar"][data-collapsed="false"]').wait_for()
    clicked = page.evaluate("""path => {
        const links = [...document.querySelectorAll('a[href]')].filter(a =>
            new URL(a.href).pathname.replace(/^\\//, '') === path);
        const link = links.find(a => a.matches('[data-testid="stSidebarNavLink"]')) || links[0];
        if (!link) return false;
        link.click();
        return true;
    }""", path)
    assert clicked, f"no link to /{path} on the page"
    page.wait_for_function("p => location.pathname.replace(/^\\//, '') === p", arg=path)
    wait_ready(page)
    page.wait_for_timeout(300)  # the last deltas of the run paint after the script state says done


def set_theme(page, choice: str) -> None:
    """The app's own theme switch: the menu (top right), then System, Light or Dark."""
    page.locator('[data-testid="stMainMenu"] button').click()
    page.locator(f'[data-testid="stMainMenuItem-theme-{choice}"]').click()
    menu = page.locator('[data-testid="stMainMenuPopover"]')
    if menu.count() and menu.is_visible():
        page.keyboard.press("Escape")
    page.wait_for_timeout(300)


def app_background(page) -> tuple[int, int, int]:
    rgb = page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
    return tuple(int(v) for v in re.findall(r"\d+", rgb)[:3])


def is_dark(page) -> bool:
    return sum(app_background(page)) < 3 * 96


# ----- a trained run ---------------------------------------------------------------------------------
def train_five_layer(page, base_url: str, timeout_s: float = 240) -> None:
    """Home's five-layer preset, Start on Train, wait for the end (the server caps iterations per tick)."""
    page.goto(base_url)
    wait_ready(page)
    page.locator(".st-key-preset_five_layer button").click()
    page.wait_for_function("() => location.pathname.endsWith('/train')")
    wait_ready(page)
    page.locator(".st-key-start button:visible").click()
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
        .some(e => /^Status:\\s*(done|diverged)/.test(e.innerText.trim()))""", timeout=timeout_s * 1000)
    wait_ready(page)
    assert train_status(page) in ("done", "diverged")
    metric_locator(page, "Iteration").first.wait_for()
    assert_no_exception(page)


# ----- axe-core ------------------------------------------------------------------------------------------
def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now (injected from node_modules, never a CDN)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                      summary: (n.failureSummary || '').slice(0, 300)}))}));
    }""")


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING_IMPACTS or v["id"] in FAILING_RULES]


def describe(violations: list[dict], limit: int = 3) -> str:
    lines = []
    for v in violations:
        lines.append(f"  {v['impact']}: {v['id']} ({len(v['nodes'])} nodes): {v['help']}")
        lines += [f"      {n['target']}  {n['summary'][:160]!r}" for n in v["nodes"][:limit]]
    return "\n".join(lines)


def record(name: str, data) -> Path:
    """Write a JSON record of what a test saw under artifacts/ (for the report; git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1))
    return path


def screenshot(page, name: str, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def slug(path: str) -> str:
    return path or "home"


# ----- layout measures -----------------------------------------------------------------------------------
OVERFLOW_JS = """() => {
    const root = document.scrollingElement;
    const main = document.querySelector('[data-testid="stMain"]') || root;
    const out = [];
    if (root.scrollWidth > root.clientWidth) out.push(['page', root.scrollWidth, root.clientWidth]);
    if (main.scrollWidth > main.clientWidth) out.push(['main', main.scrollWidth, main.clientWidth]);
    const box = main.getBoundingClientRect(), left = box.left, right = box.left + main.clientWidth;
    for (const el of main.querySelectorAll(
            '[data-testid="stVegaLiteChart"], [data-testid="stPlotlyChart"], [data-testid="stImage"], ' +
            '[data-testid="stElementContainer"]')) {
        // A table scrolls inside its own frame by design (and takes the keyboard); the rest must fit.
        if (el.querySelector('[data-testid="stDataFrame"], [data-testid="stTable"]')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const what = (el.dataset.testid || '') + ' ' + (el.className || '').toString().split(' ')
            .filter(c => c.startsWith('st-key-')).join(' ');
        if (r.right > right + 1 || r.left < left - 1) out.push([what, Math.round(r.left), Math.round(r.right)]);
        if (el.scrollWidth > el.clientWidth + 1) out.push([what + ' scrolls', el.scrollWidth, el.clientWidth]);
    }
    // A tab's label wider than its tab spills over its neighbours (the tab row scrolls, a tab must not shrink).
    for (const tab of main.querySelectorAll('[role="tab"]')) {
        if (tab.scrollWidth > tab.clientWidth + 1)
            out.push(['tab ' + tab.innerText.trim().slice(0, 30) + ' cut', tab.scrollWidth, tab.clientWidth]);
    }
    return out;
}"""

# Controls in the page (not the collapsed sidebar, not the skip link) smaller than 44 px both ways, or
# thinner than 24 px: too small for a finger (WCAG 2.5.5 asks 44 x 44).
SMALL_TARGETS_JS = """() => [...document.querySelectorAll(
        'button, a[href], [role=tab], summary, input, [role=switch], [role=radio], [role=checkbox]')]
    .filter(e => !e.closest('[data-testid="stSidebar"]') && !e.closest('[data-testid="stSkipLink"]'))
    .filter(e => { const r = e.getBoundingClientRect(), s = getComputedStyle(e);
                   return r.width > 2 && r.height > 2 && s.visibility !== 'hidden' && s.opacity !== '0'
                          && e.getClientRects().length > 0
                          && ((r.height < 44 && r.width < 44) || Math.min(r.width, r.height) < 24); })
    .filter(e => !e.closest('input[type=range]'))
    .map(e => e.tagName + ' ' + (e.getAttribute('aria-label') || e.innerText || e.type || '').trim().slice(0, 30)
              + ' ' + Math.round(e.getBoundingClientRect().width) + 'x' + Math.round(e.getBoundingClientRect().height))
"""


def small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS_JS)


def overflow(page) -> list:
    """What is wider than the page (the page itself, any chart, picture or element), as [what, a, b]."""
    return page.evaluate(OVERFLOW_JS)


def iter_pages(page, links: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    for title, path in links:
        go(page, path)
        yield title, path
