"""The session module and the literal-text helper (no Streamlit runtime needed)."""
from __future__ import annotations

import re

import pytest

from ui import session, settings
from ui.text import literal

from app_helpers import autolinkable, rendered, unescaped_syntax


def test_a_new_session_holds_the_default_data_and_the_five_layer_net(no_course_data):
    s = session.new_session()
    assert s.data_key == settings.SYNTHETIC and s.link_data == settings.SYNTHETIC
    assert s.config.layer_dims == (s.dataset.n_x, 20, 7, 5, 1)
    assert s.run is None and not s.running and s.runs == [] and s.max_iterations_per_tick is None
    assert session.new_session().id != s.id


def test_uploads_have_no_link_name(no_course_data):
    s = session.new_session()
    s.data_key = session.ZIP_UPLOAD
    assert s.link_data is None


def test_widget_keys_are_unique():
    constants = [v for k, v in vars(session).items() if k.isupper() and isinstance(v, str) and k != "SESSION_KEY"]
    keys = constants + [session.setting_key(row) for row in settings.SETTINGS] + \
        [session.units_key(k) for k in range(1, 7)] + [session.preset_key(p) for p in settings.PRESETS]
    data_keys = {session.COURSE_UPLOAD, session.ZIP_UPLOAD}
    widget_keys = [k for k in keys if k not in data_keys]
    assert len(widget_keys) == len(set(widget_keys))
    assert session.SESSION_KEY not in widget_keys


HOSTILE = ["[Session expired: log in](https://evil.example)", "![](https://evil.example/p.png)",
           "see https://evil.example or www.evil.example", "mail me@evil.example", "a `tick`` run",
           "<img src=x onerror=alert(1)>", ":red[alert] :material/warning:", "`code` *em* _u_ **b**",
           "# heading", "- item", "1. item", "> quote", "a\\b", "$x^2$", "&amp; &lt;", "~~gone~~", "| a | b |"]


@pytest.mark.parametrize("text", HOSTILE)
def test_literal_reads_back_exactly_and_leaves_no_syntax(text):
    shown = literal(text)
    assert rendered(shown) == text
    assert unescaped_syntax(shown, "[]()!<>`:*_#>|~$&\\-") == []
    assert autolinkable(shown) == [], "GitHub Markdown would link it"


def test_literal_is_one_line_and_bounded():
    assert literal("a\n# b\n\n- c") == "a \\# b \\- c"
    assert literal("x" * 500, limit=10) == "x" * 10 + "…"
    assert re.fullmatch(r"plain words 123", literal("plain words 123"))
    assert literal("https://x.org") == "`https://x.org`", "escapes cannot stop an autolink: a code span"
    assert literal("`x`") == "\\`x\\`" and literal("") == ""


@pytest.mark.parametrize("raw,cap", [("", None), ("50", 50), ("0", None), ("-3", None), ("abc", None)])
def test_the_iterations_per_tick_hook_comes_from_the_environment(monkeypatch, no_course_data, raw, cap):
    monkeypatch.setenv(session.ITERATIONS_PER_TICK_ENV, raw)
    assert session.new_session().max_iterations_per_tick == cap
