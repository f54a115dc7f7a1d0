"""Every page after a generated run (a sample of tests/strategies.py's space), with Streamlit's AppTest.

Each example opens the app from the run's shareable link (or, for a built photo set, which no link can
carry, switches the session's data as the Data page's builder does), presses Start on Train, ticks until
the run ends, then opens every page of ui.nav.PAGES (a new page is covered with no edit here).  On every
page: no exception, no error box except the run's own diagnosis or a plain refusal, no notice that a save
failed, and no link that leaves the server (issue 18 item 5).
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from hypothesis import given, note
from hypothesis import settings as hsettings

from dnn.diagnose import ERROR, diagnose
from ui import nav, settings, toy_link
from ui.controller import Controller
from ui.text import literal

import strategies as gen
from app_helpers import sess
from conftest import ROOT, _clear_data_caches
from conftest_shared import needs_data

MAX_RUNS = 200          # script runs (ticks) a run of gen.RUN_ITERATIONS iterations gets to end
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", ""}
# Elements whose protos carry URLs no one clicks (chart schemas, image data) are not links.
NOT_LINKS = {"vega_lite_chart", "arrow_vega_lite_chart", "plotly_chart", "imgs", "image", "arrow_data_frame",
             "dataframe", "table", "deck_gl_json_chart", "graphviz_chart"}
URL = re.compile(r"""(?:https?:)?//[^\s"'<>)\]\\]+""", re.IGNORECASE)


def _nodes(at):
    for root in (at.main, at.sidebar):
        yield from root


def off_server_links(at) -> list[str]:
    """Every absolute URL in the page's elements (markdown, captions, alerts, link buttons, page links,
    widget help, HTML) whose host is not this server's."""
    found = []
    for node in _nodes(at):
        proto = getattr(node, "proto", None)
        if proto is None or node.type in NOT_LINKS:
            continue
        for url in URL.findall(str(proto)):
            host = urlsplit(url if "//" in url[:8] else "//" + url).hostname or ""
            if host not in LOCAL_HOSTS:
                found.append(f"{node.type}: {url}")
    return found


def open_app(query: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    _clear_data_caches()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def allowed_errors(s) -> set[str]:
    """The error boxes a run may show: its own diagnoses (a diverged run is an error) and a plain refusal."""
    titles = set()
    if s.run is not None:
        classes = [literal(str(c)) for c in s.dataset.class_names]  # as the pages quote them
        titles |= {d.title for d in diagnose(s.run, classes) if d.severity == ERROR}
    if s.error:
        titles.add(s.error)
    return titles


def check_page(at, page: str) -> None:
    assert not at.exception, (page, [e.message for e in at.exception])
    s = sess(at)
    allowed = allowed_errors(s)
    bad = [e.value for e in at.error if not any(a in e.value for a in allowed)]
    assert not bad, (page, bad)
    failed_saves = [w.value for w in at.warning if "could not be saved" in w.value or "not being saved" in w.value]
    assert not failed_saves, (page, failed_saves)
    assert not off_server_links(at), (page, off_server_links(at))


def visit_every_page(at) -> None:
    for page in nav.PAGES:
        at.switch_page(page.script).run()
        check_page(at, page.script)


@needs_data  # the course data and photos of ../shared: in CI they must be there (fail, never skip)
@hsettings(max_examples=gen.examples(6))
@given(case=gen.cases())
def test_every_page_after_a_generated_run(case):
    ds = case.data.load()
    config = gen.run_config(case.config(ds))
    note(f"config: {config}")
    query = settings.to_link(config, case.data.link_data)
    if case.data.toy is not None:
        query.update(toy_link.to_link(case.data.toy))
    at = open_app(query)
    s = sess(at)
    s.max_iterations_per_tick = gen.TICK_ITERATIONS
    if case.data.link_data is None:  # a built photo set: switched to as the Data page's builder does
        ctl = Controller(s)
        ctl.switch_dataset(ds, case.data.key)
        ctl.set_config(settings.with_inputs(config, ds.n_x))
    assert settings.same_model(s.config, settings.with_inputs(config, s.dataset.n_x)), "the link's settings are applied"
    check_page(at, "after the link")
    at.switch_page("views/train.py").run()
    at.button(key="start").click().run()
    for _ in range(MAX_RUNS):
        if not s.running:
            break
        at.run()
    check_page(at, "views/train.py")
    if s.run is None:  # refused: the page said why, in words
        assert s.error and any(s.error in e.value for e in at.error), [e.value for e in at.error]
    else:
        assert s.run.done, f"the run is still {s.run.status.value} after {MAX_RUNS} ticks"
        status = next(m.value for m in at.markdown if m.value.startswith("Status:"))
        assert s.run.status.value in status
    visit_every_page(at)


def test_no_page_links_off_the_server_before_any_run():
    """Issue 18 item 5 on a fresh session: every page, the default data, nothing trained yet."""
    at = open_app({})
    visit_every_page(at)


def test_the_link_finder_finds_what_it_must():
    """The checker above cannot pass vacuously: it sees links in markdown, link buttons and help text."""
    from streamlit.testing.v1 import AppTest

    def page():
        import streamlit as st
        st.markdown("[search](https://www.google.com/search?q=x) and [here](/train) and <http://127.0.0.1:8501/>")
        st.link_button("Ask", "https://chatgpt.com/?q=error")
        st.button("b", help="see https://example.org/doc")

    at = AppTest.from_function(page).run()
    found = off_server_links(at)
    assert any("google.com" in f for f in found) and any("chatgpt.com" in f for f in found)
    assert any("example.org" in f for f in found)
    assert not any("127.0.0.1" in f or "/train" == f.split(": ", 1)[1] for f in found)
