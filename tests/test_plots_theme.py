"""Colours readable in both themes: the app's (.streamlit/config.toml) and the charts' (ui/theme.py)."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ui import theme

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


@pytest.fixture(scope="module")
def themes() -> dict:
    return tomllib.loads(CONFIG.read_text())["theme"]


def test_contrast_matches_wcag_reference_values():
    assert theme.contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    # The orange primary button of earlier versions: white on #e07a1f, measured 3.01:1 by axe-core.
    assert theme.contrast("#ffffff", "#e07a1f") == pytest.approx(3.01, abs=0.01)
    assert theme.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # WebAIM's grey at AA


@pytest.mark.parametrize("bad", ["#fff", "red", "#12345g", ""])
def test_contrast_refuses_what_is_not_a_colour(bad):
    with pytest.raises(ValueError):
        theme.contrast(bad, "#ffffff")


def test_both_themes_are_declared_so_the_app_follows_the_browser(themes):
    assert set(themes) >= {"light", "dark"}
    assert themes["light"]["base"] == "light" and themes["dark"]["base"] == "dark"
    # A colour in the bare [theme] section would force one look on light and dark alike.
    assert not any(isinstance(v, str) and v.startswith("#") for v in themes.values())


@pytest.mark.parametrize("name", ["light", "dark"])
def test_text_links_and_buttons_reach_aa(themes, name):
    t = themes[name]
    background = t["backgroundColor"]
    assert theme.contrast(t["textColor"], background) >= 7
    assert theme.contrast(t["textColor"], t["secondaryBackgroundColor"]) >= 7
    assert theme.contrast(t["linkColor"], background) >= theme.TEXT_CONTRAST
    # The primary button: its white label on the primary colour, and the button against the page.
    assert theme.contrast("#ffffff", t["primaryColor"]) >= theme.TEXT_CONTRAST
    # The primary colour is text too (a slider's value), so 4.5:1 against the page, not only 3:1.
    assert theme.contrast(t["primaryColor"], background) >= theme.TEXT_CONTRAST
    assert theme.contrast(t["borderColor"], background) >= theme.GRAPHICS_CONTRAST
    assert background == theme.background(name == "dark")


def _blend(fg: str, bg: str, alpha: float) -> str:
    f, b = ([int(c.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)] for c in (fg, bg))
    return "#" + "".join(f"{round(alpha * x + (1 - alpha) * y):02x}" for x, y in zip(f, b, strict=True))


@pytest.mark.parametrize("name", ["light", "dark"])
def test_captions_at_sixty_percent_of_the_text_colour_still_reach_aa(themes, name):
    """Streamlit draws captions and the sidebar summary in the text colour at 60% (the default light theme's
    #828180-like grey was 3.8:1)."""
    t = themes[name]
    for surface in (t["backgroundColor"], t["secondaryBackgroundColor"]):
        assert theme.contrast(_blend(t["textColor"], surface, 0.6), surface) >= theme.TEXT_CONTRAST


@pytest.mark.parametrize("dark", [False, True])
def test_chart_colours_stand_out_from_the_background(dark):
    bg = theme.background(dark)
    assert theme.weakest(theme.run_colours(dark), bg) >= theme.GRAPHICS_CONTRAST
    assert theme.weakest(theme.class_colours(dark), bg) >= theme.GRAPHICS_CONTRAST
    assert theme.contrast(theme.muted(dark), bg) >= theme.TEXT_CONTRAST  # rules carry text notes
    assert theme.contrast(theme.EXPLOSION, bg) >= theme.GRAPHICS_CONTRAST


@pytest.mark.parametrize("dark", [False, True])
def test_runs_and_classes_get_distinct_colours(dark):
    runs, classes = theme.run_colours(dark), theme.class_colours(dark)
    assert len(set(runs)) == len(runs) >= 6 and len(set(classes)) == 2
    assert theme.EXPLOSION not in runs  # vermillion means "blew up", never a run
    assert len(set(theme.CLASS_SHAPES)) == 2  # classes by shape as well as colour


def test_is_dark_reads_streamlits_theme_type():
    assert theme.is_dark("dark") and not theme.is_dark("light") and not theme.is_dark(None)


def test_quiet_marks_hides_every_mark_of_every_layer_and_leaves_the_input_alone():
    spec = {"mark": "line", "layer": [{"mark": {"type": "rule", "color": "red"}}, {"layer": [{"mark": "text"}]},
                                      {"mark": {"type": "line", "point": {"filled": True}}}]}
    quiet = theme.quiet_marks(spec)
    assert quiet["mark"] == {"type": "line", "aria": False}
    assert quiet["layer"][0]["mark"] == {"type": "rule", "color": "red", "aria": False}
    assert quiet["layer"][1]["layer"][0]["mark"] == {"type": "text", "aria": False}
    assert quiet["layer"][2]["mark"]["point"] == {"filled": True, "aria": False}
    assert spec["mark"] == "line" and "aria" not in spec["layer"][0]["mark"]
    assert "aria" not in spec["layer"][2]["mark"]["point"]
