"""The Your-photo page: upload or camera, what the network sees, P(cat), saliency, and bad files."""
from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import dnn

from app_helpers import put_collapsed_run, put_run, rendered, sess, unescaped_syntax, use_data
from conftest_shared import PHOTOS_DIR, needs_data

PAGE = "views/photo.py"


def open_app(request, course: bool) -> AppTest:
    if not course:
        request.getfixturevalue("no_course_data")
    return request.getfixturevalue("app_test")(timeout=60)



def upload(at: AppTest, name: str, data: bytes, mime: str = "image/jpeg") -> AppTest:
    return at.file_uploader(key="photo_upload").set_value((name, data, mime)).run()


def p_metric(at: AppTest):
    found = [m for m in at.metric if m.label == "P(cat)"]
    return found[0] if found else None


@needs_data
def test_kittens_photo_gets_a_probability_and_a_saliency_map(request):
    at = open_app(request, course=True)
    run = put_run(at)
    at.switch_page(PAGE).run()
    assert not at.get("camera_input"), "the camera must wait for the toggle"
    upload(at, "kittens.jpg", (PHOTOS_DIR / "kittens.jpg").read_bytes())
    assert not at.exception and not at.error
    metric = p_metric(at)
    assert metric is not None and 0.0 <= float(metric.value) <= 1.0
    assert float(metric.value) == pytest.approx(sess(at).photo_probability, abs=5e-4)
    captions = [c for img in at.image for c in img.captions]
    assert any("what the network sees (64×64)" in c for c in captions)
    assert "saliency over the picture" in captions and "saliency alone" in captions
    assert any("The network says" in m.value for m in at.markdown)
    assert sess(at).run is run


@needs_data
def test_dataset_image_round_trip_through_png_upload_gives_the_same_probability(request):
    at = open_app(request, course=True)
    run = put_run(at, iterations=50)
    ds = sess(at).dataset
    i = 7
    buf = io.BytesIO()
    Image.fromarray(ds.test_x_orig[i]).save(buf, format="PNG")
    at.switch_page(PAGE).run()
    upload(at, "test7.png", buf.getvalue(), "image/png")
    assert not at.exception and not at.error
    expected = float(run.predict_proba(ds.X_test[:, [i]])[0, 0])
    assert abs(sess(at).photo_probability - expected) < 1e-12


BAD_FILES = [
    ("notes.jpg", b"This is a text file, not a picture.\n" * 20),
    ("noise.png", np.random.RandomState(1).bytes(5000)),
    ("empty.jpg", b""),
]


def test_bad_files_show_an_error_and_keep_the_run(request):
    at = open_app(request, course=False)
    run = put_run(at, iterations=20)
    at.switch_page(PAGE).run()
    for name, data in BAD_FILES:
        upload(at, name, data)
        assert not at.exception
        assert len(at.error) == 1 and name in rendered(at.error[0].value)
        assert p_metric(at) is None
        assert sess(at).run is run and run.iteration == 20
    # and the page still works with a good photo afterwards
    upload(at, "bird.jpg", (PHOTOS_DIR / "bird.jpg").read_bytes())
    assert not at.error and 0.0 <= float(p_metric(at).value) <= 1.0
    assert sess(at).run is run


def test_without_a_trained_model_the_page_says_what_to_do(request):
    at = open_app(request, course=False)
    at.switch_page(PAGE).run()
    upload(at, "puppy.jpg", (PHOTOS_DIR / "puppy.jpg").read_bytes())
    assert not at.exception and not at.error
    assert "no trained model" in at.info[0].value
    assert p_metric(at) is None
    assert any("what the network sees" in c for img in at.image for c in img.captions)


def test_camera_appears_only_after_the_toggle(request):
    at = open_app(request, course=False)
    at.switch_page(PAGE).run()
    assert not at.get("camera_input")
    at.toggle(key="camera_on").set_value(True).run()
    assert not at.exception
    assert at.get("camera_input")[0].proto.id.endswith("-photo_camera")


def test_toy_data_explains_photos_need_images(request):
    from dnn import toy
    at = open_app(request, course=False)
    use_data(at, toy.toy_dataset("moons"), "moons")
    at.switch_page(PAGE).run()
    assert not at.exception
    assert "2-D points" in at.info[0].value
    assert not at.get("file_uploader")


def test_a_built_set_shows_p_of_its_positive_class(request, tmp_path, monkeypatch):
    """Issue 13: the class chosen as positive is what P(...) means on Your photo, and nothing is written."""
    from dnn.builder import DatasetDraft
    from ui.photo_builder import BUILT_KEY

    monkeypatch.chdir(tmp_path)
    at = open_app(request, course=False)
    draft = DatasetDraft().rename(0, "puppy").rename(1, "**not** [a](b.html) puppy").with_positive(0)
    for slot, names in ((0, ["puppy.jpg", "bird.jpg"]), (1, ["kittens.jpg", "lion.jpg"])):
        for name in names:
            draft = draft.add(slot, name, (PHOTOS_DIR / name).read_bytes())
    use_data(at, draft.build(seed=0), BUILT_KEY)
    run = put_run(at, iterations=30)
    at.switch_page(PAGE).run()
    upload(at, "puppy.jpg", (PHOTOS_DIR / "puppy.jpg").read_bytes())
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert labels == ["P(puppy)"], labels
    value = float(at.metric[0].value)
    image, x = dnn.prepare_photo((PHOTOS_DIR / "puppy.jpg").read_bytes())
    assert value == pytest.approx(float(run.predict_proba(x)[0, 0]), abs=5e-4)
    verdict = next(m.value for m in at.markdown if "The network says" in m.value)
    assert rendered(verdict).endswith("puppy") and unescaped_syntax(verdict.split(":", 1)[1]) == [], verdict
    assert not list(tmp_path.iterdir()), "nothing a user adds is written to disk"


@pytest.mark.parametrize("size", [(60000, 1), (1, 60000)])
def test_an_extreme_panorama_previews_at_least_one_pixel_high_and_is_classified(request, size):
    # A 60000x1 JPEG once gave a 240x0 preview, which crashed the page (issue 9).
    at = open_app(request, course=False)
    put_run(at, iterations=20)
    at.switch_page(PAGE).run()
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buf, format="JPEG")
    upload(at, "panorama.jpg", buf.getvalue())
    assert not at.exception and not at.error
    assert 0.0 <= sess(at).photo_probability <= 1.0
    assert any("your photo" in img.captions for img in at.image)


@needs_data
def test_a_collapsed_network_explains_its_black_saliency_on_your_photo(request):
    # lr 0.5 kills a whole ReLU layer of the five-layer net: P is the same for every photo, dA0 is 0.
    at = open_app(request, course=True)
    put_collapsed_run(at)
    at.switch_page(PAGE).run()
    upload(at, "kittens.jpg", (PHOTOS_DIR / "kittens.jpg").read_bytes())
    assert not at.exception
    assert any("The saliency map is empty" in e.value and "dead" in e.value for e in at.error)
    # a healthy network's saliency is not flagged
    put_run(at, iterations=50)
    upload(at, "bird.jpg", (PHOTOS_DIR / "bird.jpg").read_bytes())
    assert not at.error
