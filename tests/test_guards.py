"""Guards that live outside Python functions: the server's config, and nothing written to disk."""
import io
import os
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pytest

import dnn

ROOT = Path(__file__).resolve().parents[1]


def test_streamlit_config_caps_uploads_and_hides_tracebacks():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert 1 <= config["server"]["maxUploadSize"] <= 25
    assert config["client"]["showErrorDetails"] == "none"
    # No developer options for students: "viewer" (its menu switches the light and dark themes) or "minimal".
    assert config["client"]["toolbarMode"] in ("viewer", "minimal")
    assert config["runner"]["postScriptGC"] is False


def _tree(path: Path) -> set:
    return {p.relative_to(path) for p in path.rglob("*")}


def test_hostile_files_write_nothing(tmp_path, monkeypatch):
    """A traversal zip, a pickled npz and a broken h5 are refused without touching the disk."""
    monkeypatch.chdir(tmp_path)
    before_repo, before_tmp = _tree(ROOT / "dnn"), _tree(tmp_path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../evil.png", b"x")
        z.writestr("cats/a.png", b"x")
    pickled = io.BytesIO()
    np.savez(pickled, W1=np.array([object()], dtype=object))
    for load in (lambda: dnn.load_photo_zip(buf.getvalue()), lambda: dnn.load_model(pickled.getvalue()),
                 lambda: dnn.load_catvnoncat_files(b"not h5", b"not h5")):
        with pytest.raises(ValueError):
            load()
    assert _tree(tmp_path) == before_tmp and _tree(ROOT / "dnn") == before_repo
    assert not (tmp_path.parent.parent / "evil.png").exists() and not os.path.exists("evil.png")


def test_issue_9_hostile_uploads_write_nothing(tmp_path, monkeypatch):
    """External storage, links, an npz bomb, a HEIC photo and a zip of big canvases: refused, no file written."""
    import hostile

    monkeypatch.chdir(tmp_path)
    before_repo, before_tmp = _tree(ROOT / "dnn"), _tree(tmp_path)
    test_h5 = hostile.h5_file("test")
    model = io.BytesIO()
    X = np.random.RandomState(0).randn(4, 6)
    run = dnn.Trainer(dnn.TrainConfig(layer_dims=(4, 2, 1), num_iterations=5), X, (X[:1] > 0).astype(int))
    dnn.save_run(model, run, ["a", "b"])
    loads = [
        lambda: dnn.load_catvnoncat_files(hostile.h5_external_storage("train", "created_by_hdf5.bin"), test_h5),
        lambda: dnn.load_catvnoncat_files(hostile.h5_external_link("train", "created_by_hdf5.h5"), test_h5),
        lambda: dnn.load_catvnoncat_files(hostile.h5_soft_link_loop("train"), test_h5),
        lambda: dnn.load_model(hostile.npz_deflate_bomb(model.getvalue(), n_bytes=300 * 2**20)),
        lambda: dnn.prepare_photo(hostile.heic_named_jpg()),
        lambda: dnn.load_photo_zip(hostile.zip_of_big_canvases(40, 7000)),
    ]
    for load in loads:
        with pytest.raises(ValueError):
            load()
    assert _tree(tmp_path) == before_tmp and _tree(ROOT / "dnn") == before_repo
