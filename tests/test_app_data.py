"""The Data page through AppTest: toy sets and their controls, photo zips with their positive class, the
photo-set builder (uploads, folders, camera shots), course .h5 uploads and the synthetic data."""
from __future__ import annotations

import io
import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from ui.session import ZIP_UPLOAD

from app_helpers import rendered, sess, unescaped_syntax
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
    assert rendered(at.header[0].value) == f"Active: {before.name}"


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


# ----- 4. building a photo set in the app (issue 13) --------------------------------------
def _photo(seed: int, fmt: str = "PNG", size=(80, 60)) -> bytes:
    """A distinct random picture (no two alike: the builder refuses duplicates)."""
    pixels = np.random.RandomState(seed).randint(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


def _builder(at):
    from ui import photo_builder
    return photo_builder.state(sess(at))


def _uploader(at, prefix: str, slot: int):
    """The builder's uploader of ``slot`` (its key ends in a generation number that changes after each upload)."""
    return next(f for f in at.file_uploader if f.key.startswith(f"builder_{prefix}_{slot}_"))


def _add(at, slot: int, files, folder: bool = False):
    return _uploader(at, "folder" if folder else "upload", slot).set_value(files).run()


def _open_builder(app_test):
    at = app_test("views/data.py")
    at.radio(key="dataset_choice").set_value("build").run()
    _no_exception(at)
    return at


def _rename(at, slot: int, name: str):
    return at.text_input(key=f"builder_name_{slot}").set_value(name).run()


def _warnings(at) -> list[str]:
    return [rendered(w.value) for w in at.warning]


def test_build_a_set_from_uploads_rename_remove_and_choose_the_positive_class(app_test):
    at = _open_builder(app_test)
    before = sess(at).dataset
    _rename(at, 0, "kitten")
    _rename(at, 1, "puppy")
    _add(at, 0, [(f"k{i}.png", _photo(i), "image/png") for i in range(22)])
    _no_exception(at)
    # A folder upload sends the files with their paths.
    _add(at, 1, [(f"puppies/p{i}.jpg", _photo(100 + i, "JPEG"), "image/jpeg") for i in range(21)], folder=True)
    _no_exception(at)
    state = _builder(at)
    assert state.draft.class_names == ("kitten", "puppy") and state.draft.counts == (22, 21)
    assert state.draft.photos(1)[0].name == "p0.jpg"
    assert sess(at).dataset is before, "nothing changes until the set is used"
    # Thumbnails are the 64x64 pictures, each with a remove button.
    removers = [b for b in at.button if b.key.startswith("builder_remove_")]
    assert len(removers) == 43 and len(at.image) >= 43
    assert [u.value for u in at.file_uploader if u.key.startswith("builder_")] == [[], [], [], []], \
        "uploaders are emptied once their photos are taken in"
    first = state.draft.photos(0)[0]
    at.button(key=f"builder_remove_{first.id}").click().run()
    assert _builder(at).draft.counts == (21, 21)
    assert first.id not in [p.id for p in _builder(at).draft.photos(0)]
    # The positive class: puppy, so P(puppy) is what the network outputs.
    at.radio(key="builder_positive").set_value(1).run()
    assert _builder(at).draft.positive_name == "puppy"
    assert not _warnings(at), _warnings(at)
    assert not at.button(key="builder_use").disabled
    at.button(key="builder_use").click().run()
    _no_exception(at)
    ds = sess(at).dataset
    assert sess(at).data_key == "upload:built" and sess(at).link_data is None
    assert ds.class_names == ("kitten", "puppy") and ds.kind == "images" and ds.num_px == 64
    assert (ds.m_train, ds.m_test) == (34, 8)  # 17 + 17 train, 4 + 4 test
    assert sess(at).config.layer_dims[0] == 12288
    assert at.radio(key="dataset_choice").value == "build"
    assert rendered(at.header[0].value) == "Active: My photos"
    assert any("Positive class (label 1, what P(...) means) = 'puppy'" in rendered(i.value) for i in at.info)
    assert at.get("download_button"), "the built set can be downloaded as a zip"


def test_the_split_and_augmentation_are_visible_and_applied_to_training_only(app_test):
    at = _open_builder(app_test)
    _add(at, 0, [(f"a{i}.png", _photo(i), "image/png") for i in range(20)])
    _add(at, 1, [(f"b{i}.png", _photo(50 + i), "image/png") for i in range(20)])
    assert not at.checkbox(key="builder_flip").value and not at.checkbox(key="builder_crop").value, \
        "augmentation is off by default"
    table = at.dataframe[0].value
    assert table["train"].tolist() == [16, 16] and table["test"].tolist() == [4, 4]
    at.slider(key="builder_test_pct").set_value(30).run()
    assert not any("mirrored copy" in c for img in at.image for c in img.captions)
    at.checkbox(key="builder_flip").check().run()
    preview = next(img for img in at.image if "mirrored copy" in img.captions)
    assert preview.captions == ["a training photo", "mirrored copy"], "augmentation is shown, not only named"
    table = at.dataframe[0].value
    assert table["train"].tolist() == [14, 14] and table["test"].tolist() == [6, 6]
    assert table["training images"].tolist() == [28, 28]
    at.button(key="builder_use").click().run()
    ds = sess(at).dataset
    assert (ds.m_train, ds.m_test) == (56, 12)
    assert any("augmented" in rendered(i.value) for i in at.info)


def test_camera_shots_one_after_another_fill_a_class(app_test):
    at = _open_builder(app_test)
    assert not at.camera_input, "the camera waits for its toggle"
    at.toggle(key="builder_camera_on").set_value(True).run()
    at.radio(key="builder_camera_target").set_value(1).run()
    for k in range(3):
        at.camera_input(key="builder_camera").set_value(
            (f"shot{k}.jpg", _photo(300 + k, "JPEG", size=(640, 480)), "image/jpeg")).run()
        _no_exception(at)
        assert _builder(at).draft.counts == (0, k + 1)
        at.camera_input(key="builder_camera").clear().run()  # "Clear photo": ready for the next shot
        assert _builder(at).draft.counts == (0, k + 1), "clearing the camera removes nothing"
    assert [p.name for p in _builder(at).draft.photos(1)] == ["camera_1.jpg", "camera_2.jpg", "camera_3.jpg"]
    at.radio(key="builder_camera_target").set_value(0).run()
    at.camera_input[0].set_value(("shot.jpg", _photo(400, "JPEG"), "image/jpeg")).run()
    assert _builder(at).draft.counts == (1, 3)


def test_a_small_set_is_warned_about_and_a_single_photo_blocks_building(app_test):
    at = _open_builder(app_test)
    _rename(at, 0, "cat")
    _rename(at, 1, "other")
    _add(at, 0, [(f"c{i}.png", _photo(i), "image/png") for i in range(5)])
    _add(at, 1, [("o.png", _photo(99), "image/png")])
    errors = [rendered(e.value) for e in at.error]
    assert any("'other' has 1 photo; each class needs at least 2" in e for e in errors), errors
    assert at.button(key="builder_use").disabled
    _add(at, 1, [("o2.png", _photo(98), "image/png")])
    warnings = _warnings(at)
    assert any("'cat' has only 5 photos" in w and "about 20" in w for w in warnings), warnings
    assert any("'other' has only 2 photos" in w for w in warnings)
    assert any("badly unbalanced (5 vs 2)" in w and "'cat' is already right 71%" in w for w in warnings)
    assert not at.button(key="builder_use").disabled
    at.button(key="builder_use").click().run()
    assert (sess(at).dataset.m_train, sess(at).dataset.m_test) == (5, 2)


def test_bad_photos_and_duplicates_are_listed_and_the_good_ones_kept(app_test):
    at = _open_builder(app_test)
    same = _photo(7)
    _add(at, 0, [("ok.png", same, "image/png"), ("notes.jpg", b"not an image", "image/jpeg"),
                 ("empty.png", b"", "image/png"), ("again.png", same, "image/png")])
    _no_exception(at)
    errors = [rendered(e.value) for e in at.error]
    assert any(e.startswith("notes.jpg: This is not an image") for e in errors), errors
    assert any(e.startswith("empty.png: The photo is empty") for e in errors)
    assert any("again.png: the same picture is already in 'Class 1'" in e for e in errors)
    assert _builder(at).draft.counts == (1, 0)


@pytest.mark.parametrize("bad, message", [("a/b", "cannot contain"), ("", "cannot be empty"),
                                          ("Class 2", "different names")])
def test_a_bad_class_name_is_refused_and_the_old_one_kept(app_test, bad, message):
    at = _open_builder(app_test)
    _rename(at, 0, bad)
    _no_exception(at)
    assert any(message in rendered(e.value) for e in at.error)
    assert _builder(at).draft.class_names[0] == "Class 1"
    assert at.text_input(key="builder_name_0").value == "Class 1"


def test_class_names_are_shown_literally(app_test):
    evil = "**bold** [x](e.html) <b> `c` ![i](p.png)"
    at = _open_builder(app_test)
    _rename(at, 0, evil)
    assert _builder(at).draft.class_names[0] == evil
    _add(at, 0, [(f"e{i}.png", _photo(i), "image/png") for i in range(2)])
    _add(at, 1, [(f"f{i}.png", _photo(20 + i), "image/png") for i in range(2)])
    shown = [at.radio(key="builder_positive").options[0], at.file_uploader[0].label,
             *[w.value for w in at.warning if "bold" in w.value]]
    assert len(shown) >= 3
    for text in shown:
        assert unescaped_syntax(text) == [], text
        assert evil in rendered(text)
    at.button(key="builder_use").click().run()
    notes = [i.value for i in at.info if "bold" in i.value]
    assert notes, "the positive-class note names the class"
    for text in notes:
        assert unescaped_syntax(text.split("bold", 1)[1]) == [], text
    captions = [c for img in at.image for c in img.captions if "bold" in c]
    assert captions and all(unescaped_syntax(c.split(": ", 1)[1]) == [] for c in captions), captions


def test_a_zip_gets_the_same_positive_class_choice_and_can_be_edited_in_the_builder(app_test):
    at = app_test("views/data.py")
    at.radio(key="dataset_choice").set_value("zip").run()
    _upload_zip(at, "photos.zip", _photo_zip())
    ds = sess(at).dataset
    assert ds.class_names == ("cats", "dogs")  # alphabetical: P(dogs) by default
    radio = at.radio(key="zip_positive")
    assert radio.value == "dogs" and list(radio.options) == ["cats", "dogs"]
    radio.set_value("cats").run()
    _no_exception(at)
    flipped = sess(at).dataset
    assert flipped.class_names == ("dogs", "cats") and sess(at).data_key == ZIP_UPLOAD
    np.testing.assert_array_equal(flipped.train_y, 1 - ds.train_y)
    assert at.radio(key="zip_positive").value == "cats"
    at.run()
    assert sess(at).dataset is flipped, "the same upload is not loaded again"
    # Six photos: the honest warnings show for an imported zip too.
    assert any("'cats' has only 4 photos" in w for w in _warnings(at))
    at.button(key="zip_edit").click().run()
    _no_exception(at)
    assert at.radio(key="dataset_choice").value == "build"
    draft = _builder(at).draft
    assert draft.class_names == ("dogs", "cats") and draft.positive_name == "cats" and draft.counts == (4, 4)


def test_a_built_set_downloaded_loads_back_with_its_photos(app_test):
    from dnn.builder import export_zip

    at = _open_builder(app_test)
    _rename(at, 0, "me")
    _rename(at, 1, "not me")
    _add(at, 0, [(f"m{i}.png", _photo(i), "image/png") for i in range(3)])
    _add(at, 1, [(f"n{i}.png", _photo(30 + i), "image/png") for i in range(3)])
    button = at.get("download_button")[0]
    assert button.proto.label == "Download as zip"
    data = export_zip(_builder(at).draft)  # what the button's callable returns
    at.radio(key="dataset_choice").set_value("zip").run()
    _upload_zip(at, "my_photos.zip", data)
    _no_exception(at)
    assert sess(at).dataset.class_names == ("me", "not me") and sess(at).dataset.m_train + sess(at).dataset.m_test == 6
    at.radio(key="zip_positive").set_value("me").run()
    assert sess(at).dataset.class_names == ("not me", "me")


# ----- 5. the toy sets' Playground controls (issue 13) --------------------------------------
def test_toy_controls_points_noise_ratio_and_regenerate(app_test):
    from ui import toy_link
    from ui.share import link_params

    at = app_test("views/data.py")
    at.radio(key="dataset_choice").set_value("toy").run()
    _no_exception(at)
    assert sess(at).data_key == "flower" and (sess(at).dataset.m_train, sess(at).dataset.m_test) == (320, 80)
    assert at.slider(key="toy_noise").value == pytest.approx(0.2), "each set starts at its own noise"
    at.selectbox(key="toy_name").set_value("moons").run()
    assert at.slider(key="toy_noise").value == pytest.approx(0.1)
    at.slider(key="toy_points").set_value(300).run()
    at.slider(key="toy_train").set_value(70).run()
    _no_exception(at)
    ds = sess(at).dataset
    assert sess(at).data_key == "moons" and (ds.m_train, ds.m_test) == (210, 90)
    at.slider(key="toy_noise").set_value(0.0).run()
    clean = sess(at).dataset
    # Noise 0: the moons are exact half circles of radius 1.
    centred = clean.X_train - np.where(clean.train_y == 1, [[1.0], [0.5]], [[0.0], [0.0]])
    np.testing.assert_allclose(np.hypot(*centred), 1.0)
    before = clean.X_train
    at.button(key="toy_regenerate").click().run()
    regenerated = sess(at).dataset
    assert toy_link.options_of(sess(at)) == toy_link.ToyOptions(points=300, noise=0.0, train_pct=70, seed=2)
    assert not np.array_equal(regenerated.X_train, before) and regenerated.m_train == 210
    assert any("data seed 2" in c.value for c in at.caption)
    assert link_params(sess(at)).items() >= {"data": "moons", "points": "300", "noise": "0", "train": "70",
                                             "dseed": "2"}.items()
    # Another toy set keeps the chosen points, share and noise.
    at.selectbox(key="toy_name").set_value("xor").run()
    assert (sess(at).dataset.m_train, sess(at).dataset.m_test) == (210, 90)
    assert at.slider(key="toy_noise").value == 0.0


def test_a_built_set_over_the_memory_budget_is_refused_with_the_reason(app_test, monkeypatch):
    at = _open_builder(app_test)
    before = sess(at).dataset
    _add(at, 0, [(f"a{i}.png", _photo(i), "image/png") for i in range(3)])
    _add(at, 1, [(f"b{i}.png", _photo(40 + i), "image/png") for i in range(3)])
    monkeypatch.setenv("DNN_MEMORY_BUDGET_MB", "1")
    at.button(key="builder_use").click().run()
    _no_exception(at)
    errors = _errors(at)
    assert any("This photo set (4 training and 2 test images" in e and "more than the 1 MiB allowed" in e
               for e in errors), errors
    assert sess(at).dataset is before
