"""Names from files (dataset, class, file names) are shown literally on every page, never as Markdown/HTML."""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from dnn.data import Dataset

from app_helpers import autolinkable, markdown_syntax, put_run, rendered, sess, unescaped_syntax, use_data

EVIL_NAME = "[Session expired: log in](https://evil.example) <b>bold</b>"
EVIL_CLASSES = np.array([b"![](https://evil.example/p.png)", b":red[cat] `x`"])
PAGES = ("views/home.py", "views/data.py", "views/model.py", "views/train.py", "views/inspect.py",
         "views/results.py", "views/photo.py")


def _texts(at) -> list[str]:
    """Every Markdown text the page sent: markdown, captions, alerts, headers, metric labels."""
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "subheader", "title", "header")
    texts = [el.value for kind in kinds for el in at.get(kind)]
    return texts + [m.label for m in at.metric]


def _hostile_dataset(ds: Dataset) -> Dataset:
    return Dataset(EVIL_NAME, ds.train_x_orig, ds.train_y, ds.test_x_orig, ds.test_y, EVIL_CLASSES,
                   notes=("Skipped [this](https://evil.example) file",))


def test_dataset_and_class_names_are_literal_on_every_page(app_test, no_course_data):
    at = app_test()
    use_data(at, _hostile_dataset(sess(at).dataset), "upload:zip")
    put_run(at, iterations=5)
    seen = ""
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, page
        for text in _texts(at):
            if "evil" in text or "red" in text:
                assert autolinkable(text) == [], (page, text)
                syntax = markdown_syntax(text)
                assert "](" not in syntax and "![" not in syntax and "<b" not in syntax, (page, text)
                seen += rendered(text)
    assert EVIL_NAME in seen, "the name is shown, as it is"
    assert "P(:red[cat] `x`)" in seen, "the positive class's name, as it is"


def test_an_upload_name_is_literal_in_the_error(app_test, no_course_data):
    at = app_test()
    put_run(at, iterations=5)
    at.switch_page("views/photo.py").run()
    name = "[click me](https://evil.example).jpg"
    at.file_uploader(key="photo_upload").set_value((name, b"not an image", "image/jpeg")).run()
    assert len(at.error) == 1
    shown = at.error[0].value
    assert name in rendered(shown)
    assert unescaped_syntax(shown, "[]()") == [] and autolinkable(shown) == []


def test_a_photo_zip_with_markdown_folder_names_is_literal(app_test, no_course_data):
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(4):
            for folder, colour in (("[a](evil.example)", (200, 20, 20)), ("_b_ *c*", (20, 20, 200))):
                png = io.BytesIO()
                Image.new("RGB", (8, 8), colour).save(png, format="PNG")
                zf.writestr(f"{folder}/{i}.png", png.getvalue())
    at = app_test("views/data.py")
    at.radio(key="dataset_choice").set_value("zip").run()
    at.file_uploader(key="upload_zip").set_value(("p.zip", buf.getvalue(), "application/zip")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert sess(at).dataset.class_names == ("[a](evil.example)", "_b_ *c*")
    texts = [t for t in _texts(at) if "evil" in t]
    assert texts, "the folder names are shown"
    for text in texts:
        assert unescaped_syntax(text, "[]()_*") == [] and autolinkable(text) == [], text
