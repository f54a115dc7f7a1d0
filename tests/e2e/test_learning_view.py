"""The learning view in a real Chromium, as a teacher projects it: 1280x720 at 100% and at 150% zoom.

150% browser zoom is a context with device_scale_factor 1.5 and a viewport of 1280/1.5 x 720/1.5 CSS px.
For the course images and the flower set: after a run, no button or metric is truncated (its text fits its
box), and at 100% the controls, the curves and the graph (or boundary) are on screen without scrolling.
Inspect and Results are checked the same way.  The live graph is redrawn in place (never remounted).
Screenshots of every step go to artifacts/screenshots/.
"""
from __future__ import annotations

import pytest

from .conftest import assert_no_exception, nav, needs_data, train_status, wait_ready

ZOOMS = {"100": 1.0, "150": 1.5}
WIDTH, HEIGHT = 1280, 720
COURSE = "train?data=course&hidden=20,7,5&act=relu&init=sqrt&lr=0.0075&iters=1000&seed=1&dtype=float64"
FLOWER = "train?data=flower&hidden=8,8&act=relu&init=he&lr=0.5&iters=1000&seed=1&dtype=float64"
DIVERGING = "train?data=flower&hidden=8,8&act=relu&init=he&lr=10&iters=500&seed=1&dtype=float64"


# Every visible button and metric value whose text is wider than its box (scrollWidth > clientWidth).
TRUNCATED_JS = """() => [...document.querySelectorAll(
    'button, [data-testid="stMetricValue"], [data-testid="stMetricValue"] > div, [data-testid="stMetricLabel"]')]
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => `${e.innerText.trim().slice(0, 40)} (${e.scrollWidth} > ${e.clientWidth})`)"""


@pytest.fixture
def zoomed(browser, server):
    """Factory: a page at 1280x720 seen through a browser zoom (1.0 or 1.5)."""
    contexts = []

    def make(zoom: float):
        context = browser.new_context(viewport={"width": round(WIDTH / zoom), "height": round(HEIGHT / zoom)},
                                      device_scale_factor=zoom)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)
        server.pages_opened += 1
        return page

    yield make
    for context in contexts:
        context.close()


def _train_to_the_end(page, server, link: str) -> None:
    page.goto(server.url(link))
    wait_ready(page)
    page.locator(".st-key-start button:visible").click()
    page.wait_for_function("[...document.querySelectorAll('[data-testid=\"stMarkdownContainer\"]')]"
                           ".some(e => /Status: (done|diverged)/.test(e.innerText))", timeout=120_000, polling=100)
    wait_ready(page)


def _no_truncation(page, where: str) -> None:
    truncated = page.evaluate(TRUNCATED_JS)
    assert truncated == [], f"{where}: truncated controls or metrics: {truncated}"


def _on_screen(page, selector: str, what: str) -> None:
    """The element is within the first screen: no scrolling needed to see it whole."""
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{what} is not on the page"
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT + 1, f"{what} ends at {box['y'] + box['height']:.0f} px"


@needs_data
@pytest.mark.parametrize("zoom", list(ZOOMS))
def test_course_run_graph_curves_and_pages_fit_the_projector(server, zoomed, shot, zoom):
    page = zoomed(ZOOMS[zoom])
    _train_to_the_end(page, server, COURSE)
    assert train_status(page) == "done"
    assert_no_exception(page)
    page.locator('[data-testid="stVegaLiteChart"]').nth(2).wait_for()  # cost, accuracy and the network graph
    shot(page, f"train-course-{zoom}")
    _no_truncation(page, f"Train (course) at {zoom}%")
    if zoom == "100":
        _on_screen(page, ".st-key-start button:visible", "the Start button")
        _on_screen(page, ".st-key-cost_chart", "the cost curve")
        graph = page.locator('[data-testid="stVegaLiteChart"]').nth(2)
        box = graph.bounding_box()
        assert box["y"] + box["height"] <= HEIGHT + 1, f"the graph ends at {box['y'] + box['height']:.0f} px"
    # What each page shows first, drawn (not just requested): the example's plot, the mistakes' pictures.
    ready = {"Inspect": '[data-testid="stPlotlyChart"] .main-svg',
             "Results": '.st-key-mislabeled [data-testid="stImage"] img'}
    for title, drawn in ready.items():
        nav(page, title)
        page.get_by_role("heading", name=title).first.wait_for()
        page.locator(drawn).first.wait_for()
        page.wait_for_timeout(500)  # let the charts finish painting for the screenshot
        assert_no_exception(page)
        shot(page, f"{title.lower()}-{zoom}")
        _no_truncation(page, f"{title} at {zoom}%")


@pytest.mark.parametrize("zoom", list(ZOOMS))
def test_flower_run_boundary_beside_the_curves(server, zoomed, shot, zoom):
    page = zoomed(ZOOMS[zoom])
    page.goto(server.url(FLOWER))
    wait_ready(page)
    # The data, the initial boundary and the graph are shown before Start.
    page.locator('[data-testid="stVegaLiteChart"]').nth(3).wait_for()
    shot(page, f"train-flower-before-start-{zoom}")
    _train_to_the_end(page, server, FLOWER)
    assert train_status(page) == "done"
    assert_no_exception(page)
    shot(page, f"train-flower-{zoom}")
    _no_truncation(page, f"Train (flower) at {zoom}%")
    if zoom == "100":
        _on_screen(page, ".st-key-start button:visible", "the Start button")
        _on_screen(page, ".st-key-cost_chart", "the cost curve")
        boundary = page.locator('[data-testid="stVegaLiteChart"]').nth(2)
        box = boundary.bounding_box()
        assert box["y"] + box["height"] <= HEIGHT + 1, f"the boundary ends at {box['y'] + box['height']:.0f} px"
        assert abs(box["width"] - box["height"]) < 0.6 * box["width"], "the boundary is drawn about square"


def test_divergence_is_explained_in_view(server, zoomed, shot):
    page = zoomed(1.0)
    _train_to_the_end(page, server, DIVERGING)
    assert train_status(page) == "diverged"
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Diverged at iteration")
    assert alert.count() == 1
    box = alert.first.bounding_box()
    assert box["y"] + box["height"] <= HEIGHT, "the divergence message is in view"
    assert "ten times smaller" in alert.first.inner_text()
    shot(page, "train-diverged")


@needs_data
def test_the_graph_is_redrawn_in_place_while_training(server, zoomed):
    page = zoomed(1.0)
    page.goto(server.url(COURSE.replace("iters=1000", "iters=10000")))
    wait_ready(page)
    page.locator(".st-key-start button:visible").click()
    page.wait_for_function("[...document.querySelectorAll('[data-testid=\"stMarkdownContainer\"]')]"
                           ".some(e => e.innerText.includes('Status: running'))", timeout=30_000)
    page.wait_for_timeout(1500)
    # Mark the graph's drawing; a remount would replace it (a blank frame: flicker).
    page.evaluate("""() => { const svgs = document.querySelectorAll('[data-testid="stVegaLiteChart"] svg');
                             window.__graph = svgs[svgs.length - 1]; window.__graph.__mark = 1;
                             window.__cells = window.__graph.innerHTML.length; }""")
    before = page.locator('[data-testid="stMetric"]').filter(has_text="Iteration").inner_text()
    page.wait_for_timeout(3000)
    after = page.locator('[data-testid="stMetric"]').filter(has_text="Iteration").inner_text()
    still = page.evaluate("() => document.contains(window.__graph) && window.__graph.__mark === 1")
    page.locator(".st-key-pause button:visible").click()
    assert before != after, "training went on"
    assert still, "the graph's svg was replaced while training: it would flicker"
