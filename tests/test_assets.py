"""assets/: the committed pictures are exactly what assets/make_assets.py draws (Pillow is pinned)."""
from pathlib import Path

import numpy as np
from PIL import Image

from assets import make_assets

ASSETS = Path(make_assets.__file__).resolve().parent


def test_the_script_redraws_the_committed_pictures(tmp_path):
    written = make_assets.main(tmp_path)
    assert sorted(p.name for p in written) == sorted(make_assets.PICTURES)
    for path in written:
        fresh, committed = Image.open(path), Image.open(ASSETS / path.name)
        assert fresh.size == committed.size
        assert np.array_equal(np.asarray(fresh), np.asarray(committed)), \
            f"{path.name} differs: run `python assets/make_assets.py` and commit the PNGs"


def test_the_pictures_are_small():
    for name in make_assets.PICTURES:
        assert (ASSETS / name).stat().st_size < 200_000
