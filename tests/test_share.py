"""Tests for ui/share.py: the page's own link, its QR code, the Copy link snippet and the link notes."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
import segno
import zxingcpp
from PIL import Image

from ui.share import copy_link_html, fallback_page_url, is_local_url, link_note, qr_png, share_url, sibling_url

LINK = "http://192.168.1.20:8501/train?data=course&hidden=20,7,5&act=relu&init=sqrt&lr=0.0075&iters=2500&seed=1"


def _decode(png: bytes, size: int | None = None) -> list[str]:
    image = Image.open(io.BytesIO(png)).convert("L")
    if size:
        image = image.resize((size, size), Image.BILINEAR)
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_share_url_builds_an_absolute_link_from_page_and_params():
    url = share_url("http://192.168.1.20:8501/train", {"data": "course", "hidden": "20,7,5", "lr": 0.0075})
    assert url == "http://192.168.1.20:8501/train?data=course&hidden=20,7,5&lr=0.0075"


def test_share_url_replaces_the_old_query_and_fragment_and_encodes_values():
    url = share_url("https://class.example.org/dnn/model?lr=1#top",
                    {"data": "toy:moons", "name": "a b&c=d/é", "tags": ["x", "y"]})
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("https", "class.example.org", "/dnn/model", "")
    assert parse_qs(parts.query) == {"data": ["toy:moons"], "name": ["a b&c=d/é"], "tags": ["x", "y"]}
    assert " " not in url and "#" not in url
    assert share_url("http://h:1", {}) == "http://h:1/"


@pytest.mark.parametrize("bad", ["", "javascript:alert(1)", "/train", "ftp://h/x", "http://"])
def test_share_url_refuses_what_is_not_a_web_address(bad):
    with pytest.raises(ValueError, match="http"):
        share_url(bad, {"a": "1"})


def test_sibling_url_keeps_the_host_and_base_path():
    assert sibling_url("http://10.0.0.5:8501/share", "share", "train") == "http://10.0.0.5:8501/train"
    assert sibling_url("http://10.0.0.5:8501/share?x=1", "share", "") == "http://10.0.0.5:8501/"
    assert sibling_url("https://school.example/dnn/share/", "share", "model") == "https://school.example/dnn/model"
    assert sibling_url("http://h:1/", "share", "data") == "http://h:1/data"  # the page served at the root


def test_fallback_page_url():
    assert fallback_page_url(None, 8501, "train") == "http://localhost:8501/train"
    assert fallback_page_url("0.0.0.0", 8501, "/data/") == "http://localhost:8501/data"
    assert fallback_page_url("10.0.0.5", 8502, "data", base_path="/dnn/") == "http://10.0.0.5:8502/dnn/data"
    assert fallback_page_url("fe80::1", 80, "") == "http://[fe80::1]:80/"


@pytest.mark.parametrize("url, local", [
    ("http://localhost:8501/train", True), ("http://127.0.0.1:8501/", True), ("http://[::1]:8501/", True),
    ("http://0.0.0.0:8501/", True), ("http://app.localhost/", True),
    ("http://192.168.1.20:8501/", False), ("https://dnn.school.example/", False), ("http://[fe80::1]:8501/", False),
])
def test_is_local_url(url, local):
    assert is_local_url(url) is local


def test_qr_decodes_to_the_link():
    png = qr_png(LINK)
    assert png.startswith(b"\x89PNG")
    assert _decode(png) == [LINK]


def test_qr_is_large_with_a_quiet_zone_and_sharp_modules():
    png = qr_png(LINK)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    height, width = image.shape
    assert height == width and 700 <= width <= 840  # at most the target, never much less
    assert set(np.unique(image)) == {0, 255}  # whole pixels per module: no grey blur
    dark = np.argwhere(image == 0)
    quiet = dark.min()  # the white border around the code
    module = quiet // 4
    assert module >= 8 and quiet == 4 * module  # 4-module quiet zone, at least 8 px per module


def test_qr_still_reads_when_small_like_from_the_back_of_the_room():
    # From far away the code covers few camera pixels: about 3 pixels per module still decodes.
    png = qr_png(LINK)
    modules = segno.make_qr(LINK, error="m", boost_error=True).symbol_size(scale=1, border=4)[0]
    assert _decode(png, size=modules * 3) == [LINK]


@pytest.mark.parametrize("error", ["l", "m", "q", "h"])
def test_qr_error_levels_and_borders(error):
    png = qr_png(LINK, error=error, border=2, px=400)
    assert _decode(png) == [LINK]
    with pytest.raises(ValueError, match="error correction"):
        qr_png(LINK, error="x")
    with pytest.raises(ValueError, match="border"):
        qr_png(LINK, border=-1)
    with pytest.raises(ValueError, match="no link"):
        qr_png("")


def test_qr_of_a_long_link_with_unicode():
    long = share_url("http://10.0.0.7:8501/model", {"hidden": ",".join(["500"] * 8), "note": "kätzchen 🐈" * 5})
    assert _decode(qr_png(long)) == [long]


def test_copy_link_html_escapes_the_link_and_has_a_visible_fallback():
    hostile = 'http://h:1/x?a="><script>alert(1)</script>&b=\'</script>'
    snippet = copy_link_html(hostile, key="Share Me!")
    escaped = "http://h:1/x?a=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;b=&#x27;&lt;/script&gt;"
    assert f'value="{escaped}"' in snippet
    assert "alert(1)</script>" not in snippet and snippet.count("<script>") == 1
    assert 'id="dnn-copy-share-me"' in snippet and 'getElementById("dnn-copy-share-me")' in snippet
    assert ">Copy link</button>" in snippet and "navigator.clipboard.writeText(field.value)" in snippet
    assert 'readonly value="' in snippet and "Ctrl+C" in snippet  # the field stays visible if copying fails


def test_link_note_says_what_the_link_cannot_carry():
    assert link_note(LINK, dataset_name="Course cat vs non-cat", dataset_in_link=True) == ()
    notes = link_note(LINK, dataset_name="**pets** <b>", dataset_in_link=False, default_dataset="the synthetic cats")
    assert len(notes) == 1
    assert "not the data '**pets** <b>'" in notes[0] and "gets the synthetic cats instead" in notes[0]
    assert "download them as a zip" in notes[0]
    local = link_note("http://localhost:8501/train", dataset_name="x", dataset_in_link=True)
    assert len(local) == 1 and "localhost, which only this computer can open" in local[0]
    assert "://" not in local[0], "no URL in our own words: the app would show the whole note as code"
    both = link_note("http://127.0.0.1:8501/", dataset_name="mine", dataset_in_link=False)
    assert len(both) == 2
