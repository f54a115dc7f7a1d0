"""The Share page (link, Copy link, QR code, notes) and toy-set options carried by links, through AppTest."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from streamlit.testing.v1 import AppTest

from ui import settings

from app_helpers import rendered, sess, unescaped_syntax

ROOT = Path(__file__).resolve().parents[1]
TOY_QUERY = {"data": "moons", "hidden": "9,4", "lr": "0.05", "iters": "700", "points": "300", "noise": "0.25",
             "train": "70", "dseed": "7"}


def _share_page() -> AppTest:
    return AppTest.from_file(str(ROOT / "views" / "share.py"), default_timeout=60).run()


def _link(at: AppTest) -> str:
    body = at.get("html")[0].proto.body
    value = body.split('readonly value="', 1)[1].split('"', 1)[0]
    return value.replace("&amp;", "&")


def test_share_page_shows_the_link_a_copy_button_and_a_large_qr_code():
    at = _share_page()
    assert not at.exception, [e.message for e in at.exception]
    link = _link(at)
    parts = urlsplit(link)
    assert (parts.scheme, parts.path) == ("http", "/train")  # the Train page by default
    query = parse_qs(parts.query)
    assert query["hidden"] == ["20,7,5"] and "lr" not in query and "iters" not in query, "defaults stay out (short QR)"
    # A short link still means the whole setup: reading it back gives the page's config exactly.
    config = sess(at).config
    assert settings.parse_link(query, default_n_x=config.layer_dims[0]).config == config
    assert ">Copy link</button>" in at.get("html")[0].proto.body
    assert len(at.image) == 1 and at.get("download_button"), "the QR code and its PNG download"
    # No server URL in a test: the fallback is localhost, which a phone cannot open, and the page says so.
    assert any("only this computer can open" in rendered(w.value) for w in at.warning)


def test_share_page_target_and_a_note_for_data_that_cannot_travel():
    import numpy as np

    from dnn.builder import DatasetDraft
    from ui.controller import Controller
    from ui.photo_builder import BUILT_KEY

    at = _share_page()
    at.selectbox(key="share_target").set_value("model").run()
    assert urlsplit(_link(at)).path == "/model"
    draft = DatasetDraft().rename(0, "**me**")
    for slot in (0, 1):
        for k in range(2):
            draft = draft.add_image(slot, f"{slot}{k}.png", np.full((64, 64, 3), 40 * slot + k, np.uint8))
    Controller(sess(at)).switch_dataset(draft.build(), BUILT_KEY)
    at.run()
    link = _link(at)
    assert "data=" not in link, "a built set has no name a link could carry"
    notes = [rendered(w.value) for w in at.warning]
    assert any("not the data 'My photos'" in n and "download them as a zip" in n for n in notes), notes


def test_the_share_page_is_in_the_app(app_test):
    at = app_test("views/share.py")
    assert not at.exception
    assert _link(at).startswith("http://localhost:8501/train?")


def test_a_link_carries_the_toy_sets_points_noise_split_and_seed(app_test):
    from ui import toy_link
    at = app_test(query=TOY_QUERY)
    assert not at.exception and not at.warning, [w.value for w in at.warning]
    s = sess(at)
    assert s.data_key == "moons" and (s.dataset.m_train, s.dataset.m_test) == (210, 90)
    assert toy_link.options_of(s) == toy_link.ToyOptions(points=300, noise=0.25, train_pct=70, seed=7)
    assert s.config.layer_dims == (2, 9, 4, 1)
    for key, value in TOY_QUERY.items():
        assert at.query_params[key] == value, key
    # Regenerate on Data: the link follows.
    at.switch_page("views/data.py").run()
    at.button(key="toy_regenerate").click().run()
    assert at.query_params["dseed"] == "8"
    # Other data: the toy keys leave the link.
    at.radio(key="dataset_choice").set_value("synthetic").run()
    assert "points" not in at.query_params and "dseed" not in at.query_params


def test_a_tampered_toy_link_keeps_the_defaults_with_a_notice(app_test):
    at = app_test(query={"data": "spiral", "points": "1e9", "noise": "[x](https://evil.example)", "dseed": "3"})
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 2, warnings
    noise = next(w for w in warnings if w.startswith("Ignored noise="))
    assert "noise=“[x](https://evil.example)”" in rendered(noise)
    assert unescaped_syntax(noise.split("“", 1)[1].split("”", 1)[0]) == [], noise
    s = sess(at)
    assert (s.dataset.m_train + s.dataset.m_test) == 400 and s.data_key == "spiral"
