"""Colours that stay readable in the light and the dark theme, and the WCAG contrast ratio that checks them.

The app's own colours (buttons, text, links) are in .streamlit/config.toml, [theme.light] and [theme.dark];
the charts draw on a transparent background, so each palette here is for one theme.  Lines and points
need 3:1 against the background (WCAG 2.1, 1.4.11), text 4.5:1 (1.4.3).  No Streamlit here: a page
passes ``dark=st.context.theme.type == "dark"``.
"""
from __future__ import annotations

from collections.abc import Sequence

LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#000000"   # as in .streamlit/config.toml
TEXT_CONTRAST, GRAPHICS_CONTRAST = 4.5, 3.0

# Runs on the curves.  Okabe-Ito (readable with every common colour-vision deficiency) where its colours
# reach 3:1 on the background; its orange, sky blue and yellow are too pale on white, so the light theme
# has a dark ochre and a violet in their place.  Vermillion is the explosion's colour, never a run's.
RUN_COLOURS_LIGHT = ("#0072B2", "#000000", "#009E73", "#CC79A7", "#8F6A00", "#5E3C99")
RUN_COLOURS_DARK = ("#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#FFFFFF")
EXPLOSION = "#D55E00"
# Label 0 and label 1 (blue and vermillion: Okabe-Ito's clearest pair, also on a projector); every chart
# also shows the class by shape or text, never by colour alone.
CLASS_COLOURS_LIGHT = ("#0072B2", "#D55E00")
CLASS_COLOURS_DARK = ("#56B4E9", "#E69F00")
CLASS_SHAPES = ("circle", "triangle-up")     # Vega-Lite shapes of label 0 and label 1
CLASS_SYMBOLS = ("circle", "triangle-up")    # the same in plotly
MUTED_LIGHT, MUTED_DARK = "#595959", "#b0b0b0"  # rules and their notes (7:1 / 10:1)


def is_dark(theme_type: str | None) -> bool:
    """``st.context.theme.type`` ("light", "dark" or None before the browser said) as a flag."""
    return theme_type == "dark"


def background(dark: bool) -> str:
    return DARK_BACKGROUND if dark else LIGHT_BACKGROUND


def run_colours(dark: bool) -> tuple[str, ...]:
    return RUN_COLOURS_DARK if dark else RUN_COLOURS_LIGHT


def class_colours(dark: bool) -> tuple[str, str]:
    return CLASS_COLOURS_DARK if dark else CLASS_COLOURS_LIGHT


def muted(dark: bool) -> str:
    return MUTED_DARK if dark else MUTED_LIGHT


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of "#rrggbb"."""
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"expected a colour as #rrggbb, got {hex_colour!r}.")
    r, g, b = (_channel(int(h[i:i + 2], 16)) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def weakest(colours: Sequence[str], against: str) -> float:
    return min(contrast(c, against) for c in colours)


def quiet_marks(spec: dict) -> dict:
    """The Vega-Lite spec with every mark hidden from screen readers (``"aria": false`` on each mark, nested
    layers included), so the chart's one description speaks for it.  Vega otherwise gives each mark container
    the role graphics-symbol without a name: axe-core's svg-img-alt (serious) on every chart.  A new dict."""
    out = dict(spec)
    if "mark" in out:
        mark = out["mark"]
        out["mark"] = {**({"type": mark} if isinstance(mark, str) else mark), "aria": False}
        for extra in ("point", "line"):  # a line's points (an area's line) are marks of their own
            if isinstance(out["mark"].get(extra), dict):
                out["mark"][extra] = {**out["mark"][extra], "aria": False}
    if "layer" in out:
        out["layer"] = [quiet_marks(layer) for layer in out["layer"]]
    return out


# Phones (390 px wide), touch and projectors at 150%: charts scale down to their column (their SVG keeps its
# viewBox, so a graph or boundary drawn 480 px wide shows whole, never scrolling sideways), and every control
# is at least 44 px tall (WCAG 2.5.5); the header's two buttons too, and headings' hover-only link icons are
# not drawn.
# Pages add it with st.html(theme.SCREEN_STYLE) (a style-only st.html takes no room).
SCREEN_CSS = """
[data-testid="stVegaLiteChart"], [data-testid="stVegaLiteChart"] * { max-width: 100% !important; }
[data-testid="stVegaLiteChart"] svg, [data-testid="stVegaLiteChart"] canvas { height: auto !important; }
@media (max-width: 640px) {
  [data-testid="stMain"] button, [data-testid="stMain"] [role="tab"], [data-testid="stMain"] summary,
  [data-testid="stMain"] [data-baseweb="select"] > div, [data-testid="stMain"] input,
  [data-testid="stSidebarNavLink"], [data-testid="stHeader"] button { min-height: 44px; min-width: 44px; }
  /* ... but a tab keeps its label's width: min-width 44px let the row squeeze tabs over each other's labels;
     the tab row scrolls instead. */
  [data-testid="stMain"] [role="tab"] { min-width: max-content; flex-shrink: 0; }
  [data-testid="stMain"] label:has([role="switch"]), [data-testid="stMain"] label:has(input[type="radio"]),
  [data-testid="stMain"] label:has(input[type="checkbox"]) { min-height: 44px; align-items: center; }
  [data-testid="stHeaderActionElements"] { display: none; }
  /* The page's first heading clear of the header bar (the compact layout's 1.2rem put it underneath). */
  [data-testid="stMainBlockContainer"] { padding-top: 3.6rem !important; }
  /* A display formula wider than the screen scrolled sideways in a box the keyboard cannot reach (axe-core's
     scrollable-region-focusable): it wraps between its terms instead, a little smaller. */
  .katex-display { overflow: visible !important; font-size: 0.85em; }
  .katex-display > .katex { white-space: normal !important; }
  .katex-display .katex-html { display: flex; flex-wrap: wrap; justify-content: center; }
}
"""
# Presenter mode's row of page links on a projector at 150% (853 px): two thin rows instead of two tall ones.
SCREEN_CSS += """
@media (min-width: 641px) and (max-width: 900px) {
  [data-testid="stPageLink"] a { padding: 0 0.3rem; min-height: 0; }
  [data-testid="stPageLink"] a * { font-size: 0.8rem !important; line-height: 1.3; }
  [data-testid="stMain"] h1 { font-size: 1.7rem; padding-top: 0.4rem; padding-bottom: 0.4rem; }
}
"""
SCREEN_STYLE = f"<style>{SCREEN_CSS}</style>"
