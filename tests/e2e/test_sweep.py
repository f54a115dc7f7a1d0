"""The settings sweep in real Chromium: configurations a student tries after the course's next chapters.

Each configuration is opened from its shareable link (ui.settings.to_link, the same link the app writes),
Start is pressed on Train, and the run must end, finished or diverged, said in words; no error box appears
(neither Streamlit's crash box nor a failed-save notice); My runs lists the run; and no anchor on the page
points off the server (issue 18 item 5).  Iteration counts stay small, and the e2e server caps each tick at
DNN_ITERATIONS_PER_TICK iterations (tests/e2e/conftest.py), so every run ends within a few ticks.
Screenshots: artifacts/screenshots/test_sweep*.
"""
from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest

from ui import nav as app_nav
from ui import settings

from .conftest import ITERATIONS_PER_TICK, assert_no_exception, nav, train_status, wait_ready

RUN_TIMEOUT_S = 240  # a wall-clock guard only: a run of a few hundred iterations ends in a few ticks
N_X = {**{name: 2 for name in settings.TOY_NAMES}, settings.COURSE: settings.IMAGE_N_X,
       settings.SYNTHETIC: settings.IMAGE_N_X}
EVERY_OPTION = dict(hidden_activation="tanh", init="he", learning_rate=0.05, seed=7, dtype="float32", lambd=0.1,
                    l1=0.001, keep_prob=0.9, batch_size=32, optimizer="adam", beta=0.95, beta1=0.95, beta2=0.99,
                    epsilon=1e-6, decay="inverse", decay_rate=0.3, time_interval=10)


def link(data: str, hidden: tuple[int, ...], **values) -> str:
    """The query string of the link the app writes for this configuration."""
    return urlencode(settings.to_link(settings.make_config(N_X[data], hidden, values), data))


def preset(name: str, data: str = settings.COURSE, iterations: int = 300) -> str:
    p = settings.PRESETS[name]
    return link(data, p.hidden, **{**p.values, "num_iterations": iterations})


# (id, link, whether it must diverge).  Every configuration of issue 18's list: the two course notebooks,
# the regularisation notebook's L2 + dropout, the optimisation notebook's mini-batch + Adam + decay, every
# option at once, options at their extremes, 2-D sets and the cat images.
SWEEP = [
    ("two-layer", preset("two_layer"), False),
    ("five-layer", preset("five_layer", iterations=200), False),
    ("l2-dropout", link("moons", (20, 3), learning_rate=0.3, lambd=0.7, keep_prob=0.86, num_iterations=400), False),
    ("minibatch-adam-decay", link("moons", (5, 2), learning_rate=0.0007, batch_size=64, optimizer="adam",
                                  decay="scheduled", decay_rate=1.0, time_interval=1000, num_iterations=300), False),
    ("every-option-cats", link(settings.COURSE, (20, 7, 5), **EVERY_OPTION, num_iterations=120), False),
    ("every-option-spiral", link("spiral", (8, 8, 8, 8, 8, 8), **EVERY_OPTION, num_iterations=400), False),
    ("lr-100-diverges", link(settings.COURSE, (7,), learning_rate=100.0, num_iterations=200), True),
    ("momentum-circles", link("circles", (10, 5), optimizer="momentum", beta=0.99, learning_rate=0.1,
                              batch_size=16, num_iterations=300), False),
    ("xor-leaky-scheduled", link("xor", (12, 6), hidden_activation="leaky_relu", batch_size=16, decay="scheduled",
                                 decay_rate=3.0, time_interval=1, learning_rate=0.5, num_iterations=300), False),
    ("flower-sigmoid-l1", link("flower", (6,), hidden_activation="sigmoid", init="xavier", l1=1.0,
                               learning_rate=1.0, num_iterations=400), False),
    ("synthetic-float32-dropout", link(settings.SYNTHETIC, (20, 7, 5), dtype="float32", keep_prob=0.5,
                                       seed=2**32 - 1, num_iterations=150), False),
    ("cats-minibatch-momentum-l2", link(settings.COURSE, (20, 7, 5), batch_size=16, optimizer="momentum",
                                        lambd=0.7, learning_rate=0.01, num_iterations=150), False),
    ("zeros-init", link("moons", (5, 3), init="zeros", learning_rate=0.5, num_iterations=200), None),
    ("one-iteration", link(settings.SYNTHETIC, (7,), num_iterations=1), False),
    ("deepest-widest-toy", link("circles", (12,) * settings.MAX_HIDDEN_LAYERS, init="large", batch_size=1,
                                num_iterations=300), None),
]

# Every anchor's href, resolved by the browser: each must stay on this server (or be the page's own data).
_HREFS = "() => [...document.querySelectorAll('a[href]')].map(a => a.href)"


def off_server(page, base_url: str) -> list[str]:
    return [h for h in page.evaluate(_HREFS)
            if not (h.startswith(base_url + "/") or h == base_url or h.startswith(("blob:", "data:", "javascript:")))]


def error_boxes(page) -> list[str]:
    """Alerts that are not the run's own diagnosis: Streamlit's crash box and the store's failed-save notice."""
    texts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    return [t for t in texts if "could not be saved" in t or "not being saved" in t or "has encountered" in t]


def wait_for_end(page) -> str:
    started = time.monotonic()
    while time.monotonic() - started < RUN_TIMEOUT_S:
        status = train_status(page)
        if status in ("done", "diverged"):
            wait_ready(page)
            return status
        assert_no_exception(page)
        page.wait_for_timeout(250)
    raise AssertionError(f"the run did not end within {RUN_TIMEOUT_S} s (status {train_status(page)!r})")


@pytest.mark.parametrize("query,diverges", [pytest.param(q, d, id=i) for i, q, d in SWEEP])
def test_a_configuration_from_its_link_trains_to_the_end_and_is_listed(server, new_page, shot, query, diverges):
    assert ITERATIONS_PER_TICK > 0
    page = new_page(timeout_ms=60_000)
    page.goto(server.url(f"train?{query}"))
    wait_ready(page)
    shot(page, "opened")
    assert_no_exception(page)
    warnings = page.locator('[data-testid="stAlert"]').filter(has_text="Ignored").all_inner_texts()
    assert not warnings, f"the link's values were refused: {warnings}"
    page.locator(".st-key-start button:visible").click()
    status = wait_for_end(page)
    shot(page, "ended")
    assert_no_exception(page)
    assert not error_boxes(page), error_boxes(page)
    if diverges is not None:
        assert status == ("diverged" if diverges else "done"), status
    # said in words: the status line, then a finished run's summary or what went wrong and what to try next
    said = page.locator('[data-testid="stAlert"]').filter(has_text="Finished" if status == "done" else "diverged")
    if status == "done" and said.count() == 0:
        said = page.locator('[data-testid="stAlert"]').filter(has_text="Try next")
    said.first.wait_for()
    assert not off_server(page, server.base_url), off_server(page, server.base_url)

    nav(page, "My runs")
    assert_no_exception(page)
    page.get_by_text("1 run,").first.wait_for()
    shot(page, "my-runs")
    # the run chooser names the stored run: "<label> · <data> · iteration N · <status>"
    chosen = page.locator('[data-testid="stSelectbox"] input').first.input_value()  # the value sits in the input
    assert re.search(rf"· iteration [\d,]+ · {status}$", chosen), chosen
    assert not error_boxes(page), error_boxes(page)
    assert not off_server(page, server.base_url), off_server(page, server.base_url)


def test_no_page_links_off_the_server_after_a_run(server, new_page, shot):
    """Issue 18 item 5: after a run, every page of the app (ui.nav.PAGES), no anchor leaves the server."""
    page = new_page(timeout_ms=60_000)
    page.goto(server.url(f"train?{link('moons', (5, 3), num_iterations=100)}"))
    wait_ready(page)
    page.locator(".st-key-start button:visible").click()
    wait_for_end(page)
    for p in app_nav.PAGES:
        nav(page, p.title)
        assert_no_exception(page)
        assert not off_server(page, server.base_url), (p.title, off_server(page, server.base_url))
    shot(page, "last-page")


def test_the_error_box_offers_no_links():
    """The config the server runs with hides the error box's "Ask Google" / "Ask ChatGPT" links."""
    import tomllib

    from .conftest import REPO
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorLinks"] is False
