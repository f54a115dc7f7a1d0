"""Reading an upload's bytes with a bound: the one reader behind photos, photo zips and model files.

An upload may be bytes, a path or a binary file object.  A file object is never read past ``limit + 1``
bytes and a path's size is checked before it is read, so a hostile upload costs at most the bound.
(The course's .h5 files are opened by h5py, which reads what each checked header declares, not the whole file.)
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from .units import fmt_bytes

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO


def read_bounded(source: Source, limit: int, what: str, advice: str) -> bytes:
    """The bytes of ``source``, at most ``limit`` of them, or a ValueError a person understands.

    ``what`` names the upload in messages ("photo", "zip file", "model file"); ``advice`` is the sentence said
    after a refusal, what to upload instead ("Choose a JPEG, PNG, ... photo.").
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"There is no {what} at {path}. Check the path.")
        if path.stat().st_size > limit:
            raise ValueError(too_big(what, limit, advice))
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read(limit + 1)
    else:
        raise ValueError(f"A {what} must be bytes, a path or a binary file object, not {type(source).__name__}.")
    if len(data) > limit:
        raise ValueError(too_big(what, limit, advice))
    if len(data) == 0:
        raise ValueError(f"The {what} is empty (0 bytes). {advice}")
    return data


def too_big(what: str, limit: int, advice: str) -> str:
    return f"The {what} is over {fmt_bytes(limit)}, the most this app reads. {advice}"
