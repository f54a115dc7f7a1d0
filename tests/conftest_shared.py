"""Where the course data and photos live for tests: ../shared beside the repo."""
import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DATA_DIR = SHARED / "data"
PHOTOS_DIR = SHARED / "photos"

HAS_COURSE_DATA = (DATA_DIR / "train_catvnoncat.h5").is_file()

# In CI (CI set) the data must be there: these tests then run and fail loudly instead of skipping.
needs_data = pytest.mark.skipif(
    not HAS_COURSE_DATA and not os.environ.get("CI"),
    reason=f"the course data is not at {DATA_DIR} (CI has it; a clone without ../shared skips these)",
)
