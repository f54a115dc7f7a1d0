"""Where the course data and photos live for tests: ../shared beside the repo."""
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA_DIR = SHARED / "data"
PHOTOS_DIR = SHARED / "photos"

needs_data = pytest.mark.skipif(
    not (DATA_DIR / "train_catvnoncat.h5").exists(),
    reason=f"the course data is not at {DATA_DIR} (CI has it; a clone without ../shared skips these)",
)
