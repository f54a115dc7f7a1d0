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
    assert config["client"]["toolbarMode"] == "minimal"
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
