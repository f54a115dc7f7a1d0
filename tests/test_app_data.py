"""The Data page through AppTest: toy sets, photo zips, course .h5 uploads and the synthetic data."""
from __future__ import annotations

import io
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from app_helpers import rendered, sess
from ui.session import ZIP_UPLOAD
from conftest_shared import DATA_DIR, needs_data

TOY_NAMES = ("flower", "moons", "circles", "xor", "spiral")


def _errors(at) -> list[str]:
    return [rendered(e.value) for e in at.error]


def _no_exception(at) -> None:
    assert not at.exception, [e.message for e in at.exception]


def _png(colour: tuple[int, int, int], size: int = 12) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buf, format="PNG")
    return buf.getvalue()


def _photo_zip() -> bytes:
    """Two class folders, 4 small PNGs each (reds in cats/, blues in dogs/)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(4):
            zf.writestr(f"cats/cat{i}.png", _png((200 + 10 * i, 30, 30)))
            zf.writestr(f"dogs/dog{i}.png", _png((30, 30, 200 + 10 * i)))
    return buf.getvalue()


def _evil_zip() -> bytes:
    """Otherwise valid, but one member escapes the folder ('../evil.png')."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(4):
            zf.writestr(f"cats/cat{i}.png", _png((220, 30, 30)))
            zf.writestr(f"dogs/dog{i}.png", _png((30, 30, 220)))
        zf.writestr("../evil.png", _png((0, 255, 0)))
    return buf.getvalue()


def _upload_zip(at, name: str, data: bytes):
    return at.file_uploader(key="upload_zip").set_value((name, data, "application/zip")).run()


def _upload_h5(at, key: str, name: str, data: bytes):
    return at.file_uploader(key=key).set_value((name, data, "application/octet-stream")).run()


def _data_page_with_a_trained_run(app_test):
    """The Data page, with a run that did one step on the Train page."""
    at = app_test("views/train.py")
    at.button(key="step").click().run()
    _no_exception(at)
    run = sess(at).run
    assert run is not None and run.iteration == 1
    at.switch_page("views/data.py").run()
    _no_exception(at)
    assert sess(at).run is run, "merely opening the Data page must not drop the run"
    return at, run


# ----- 1. toy 2-D data -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["moons", "spiral"])
def test_choosing_a_toy_set_switches_to_2d_points(app_test, name):
    at = app_test("views/data.py")
    image_ds = sess(at).dataset
    assert image_ds.kind == "images"
    at.radio(key="dataset_choice").set_value("toy").run()
    _no_exception(at)
    assert set(at.selectbox(key="toy_name").options) == set(TOY_NAMES)
    at.selectbox(key="toy_name").set_value(name).run()
    _no_exception(at)
    assert not _errors(at)
    ds = sess(at).dataset
    assert ds.kind == "toy" and ds is not image_ds
    assert ds.X_train.shape[0] == 2
    assert sess(at).config.layer_dims[0] == 2
    assert sess(at).data_key == name
    assert at.radio(key="dataset_choice").value == "toy"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["m_train"] == str(ds.m_train) and metrics["m_test"] == str(ds.m_test)
    assert at.get("plotly_chart"), "the toy points are drawn as a scatter plot"
    assert not at.image, "no image grid for 2-D points"

    # Another toy set replaces this one; going back to synthetic restores the image input size.
    other = "xor" if name != "xor" else "circles"
    at.selectbox(key="toy_name").set_value(other).run()
    _no_exception(at)
    assert sess(at).data_key == other and sess(at).dataset.kind == "toy"
    at.radio(key="dataset_choice").set_value("synthetic").run()
    _no_exception(at)
    assert sess(at).dataset.name == "Synthetic cartoon cats"
    assert sess(at).config.layer_dims[0] == 12288


# ----- 2. a zip of your own photos -----------------------------------------------------
def test_a_photo_zip_becomes_the_dataset(app_test):
    at, _ = _data_page_with_a_trained_run(app_test)
    at.radio(key="dataset_choice").set_value("zip").run()
    _no_exception(at)
    assert any("zip" in t for t in at.file_uploader(key="upload_zip").allowed_type)
    _upload_zip(at, "photos.zip", _photo_zip())
    _no_exception(at)
    assert not _errors(at), _errors(at)
    ds = sess(at).dataset
    assert ds.kind == "images"
    assert ds.m_train + ds.m_test == 8
    assert ds.m_test >= 2, "each class keeps at least one test image"
    assert ds.class_names == ("cats", "dogs")
    assert ds.num_px == 64
    assert sess(at).config.layer_dims[0] == 64 * 64 * 3
    assert sess(at).data_key == ZIP_UPLOAD and sess(at).link_data is None, "an upload has no shareable link name"
    # Switching archived the trained run and dropped it.
    assert sess(at).run is None and len(sess(at).runs) == 1
    assert any("'cats'" in rendered(i.value) and "'dogs'" in rendered(i.value) for i in at.info), "the label note"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["m_train"] == str(ds.m_train) and metrics["num_px"] == "64"
    assert at.image, "the zip's photos are browsable"

    # A rerun with the same upload does not reload (same object kept).
    at.run()
    assert sess(at).dataset is ds


@pytest.mark.parametrize("label,data", [
    ("random bytes", os.urandom(2048)),
    ("a '../evil.png' member", _evil_zip()),
])
def test_a_bad_zip_shows_an_error_and_keeps_the_data_and_the_run(app_test, label, data):
    at, run = _data_page_with_a_trained_run(app_test)
    before, config, runs = sess(at).dataset, sess(at).config, len(sess(at).runs)
    at.radio(key="dataset_choice").set_value("zip").run()
    _no_exception(at)
    assert sess(at).dataset is before, "choosing 'zip' alone does not switch the data"
    _upload_zip(at, "photos.zip", data)
    _no_exception(at)
    errors = _errors(at)
    assert errors and "Could not use these files" in errors[0], (label, errors)
    if "evil" in label:
        assert "'..'" in errors[0] and "evil.png" in errors[0]
    else:
        assert "not a zip file" in errors[0]
    assert sess(at).dataset is before
    assert sess(at).config == config
    assert sess(at).run is run and run.iteration == 1
    assert len(sess(at).runs) == runs
    assert sess(at).upload_ids is None
    # The page still renders the old data below the error.
    assert rendered(at.subheader[0].value) == f"Active: {before.name}"


def test_a_bad_zip_after_a_good_one_keeps_the_good_one(app_test):
    at = app_test("views/data.py")
    at.radio(key="dataset_choice").set_value("zip").run()
    _upload_zip(at, "photos.zip", _photo_zip())
    good = sess(at).dataset
    assert good.class_names == ("cats", "dogs")
    _upload_zip(at, "evil.zip", _evil_zip())
    _no_exception(at)
    assert any("refusing the whole zip" in e for e in _errors(at))
    assert sess(at).dataset is good


# ----- 3. uploading the course .h5 files ------------------------------------------------
def _course_bytes() -> tuple[bytes, bytes]:
    return (DATA_DIR / "train_catvnoncat.h5").read_bytes(), (DATA_DIR / "test_catvnoncat.h5").read_bytes()


@needs_data
def test_uploading_the_course_files_switches_to_the_course_data(app_test, no_course_data):
    train, test = _course_bytes()
    at = app_test("views/data.py")
    assert sess(at).dataset.name == "Synthetic cartoon cats"
    at.radio(key="dataset_choice").set_value("course").run()
    _no_exception(at)
    assert any("not found on disk" in i.value for i in at.info)
    assert sess(at).dataset.name == "Synthetic cartoon cats", "no switch before both files are in"
    _upload_h5(at, "upload_train_h5", "train_catvnoncat.h5", train)
    assert sess(at).dataset.name == "Synthetic cartoon cats", "one file alone is not enough"
    _upload_h5(at, "upload_test_h5", "test_catvnoncat.h5", test)
    _no_exception(at)
    assert not _errors(at), _errors(at)
    ds = sess(at).dataset
    assert ds.name.startswith("Course cat vs non-cat")
    assert (ds.m_train, ds.m_test, ds.num_px) == (209, 50, 64)
    assert ds.class_names == ("non-cat", "cat")
    assert sess(at).config.layer_dims[0] == 12288
    assert at.radio(key="dataset_choice").value == "course"


@needs_data
@pytest.mark.parametrize("case", ["test file as train file", "random bytes"])
def test_a_wrong_h5_upload_shows_an_error_and_keeps_the_data(app_test, no_course_data, case):
    train, test = _course_bytes()
    if case == "random bytes":
        train = os.urandom(4096)
    else:
        train = test
    at, run = _data_page_with_a_trained_run(app_test)
    before = sess(at).dataset
    assert before.name == "Synthetic cartoon cats"
    at.radio(key="dataset_choice").set_value("course").run()
    _upload_h5(at, "upload_train_h5", "train_catvnoncat.h5", train)
    _upload_h5(at, "upload_test_h5", "test_catvnoncat.h5", test)
    _no_exception(at)
    errors = _errors(at)
    assert errors and "Could not use these files" in errors[0], (case, errors)
    assert sess(at).dataset is before
    assert sess(at).run is run and run.iteration == 1
    assert sess(at).config.layer_dims[0] == 12288


# ----- 4. synthetic data without the course files ---------------------------------------
def test_the_synthetic_choice_works_without_course_data(app_test, no_course_data):
    at = app_test("views/data.py")
    _no_exception(at)
    # Start away from synthetic so the choice has to switch back.
    at.radio(key="dataset_choice").set_value("toy").run()
    assert sess(at).dataset.kind == "toy"
    at.radio(key="dataset_choice").set_value("synthetic").run()
    _no_exception(at)
    assert not _errors(at)
    ds = sess(at).dataset
    assert ds.name == "Synthetic cartoon cats" and ds.kind == "images"
    assert sess(at).data_key == "synthetic"
    assert sess(at).config.layer_dims[0] == 12288
    assert at.image and {m.label for m in at.metric} >= {"m_train", "m_test", "num_px"}
    assert np.isfinite(ds.X_train).all()
    # And the course choice explains how to get the files instead of failing.
    at.radio(key="dataset_choice").set_value("course").run()
    _no_exception(at)
    assert any("not found on disk" in i.value for i in at.info)
    assert sess(at).dataset.name == "Synthetic cartoon cats"
