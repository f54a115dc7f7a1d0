"""Bytes for people: the one formatter every limit, memory and store message uses.

Binary units, named as such (KiB, MiB, GiB): a limit of ``200 * MiB`` reads "200 MiB", never "209.7 MB".
"""
from __future__ import annotations

KiB = 2**10
MiB = 2**20
GiB = 2**30


def fmt_bytes(n_bytes: int) -> str:
    """``n_bytes`` in the largest binary unit it reaches, one decimal unless it is whole.

    >>> fmt_bytes(1536), fmt_bytes(200 * MiB), fmt_bytes(3 * GiB // 2), fmt_bytes(1023)
    ('1.5 KiB', '200 MiB', '1.5 GiB', '1,023 bytes')
    """
    for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if n_bytes >= size:
            text = f"{n_bytes / size:,.1f}"
            return f"{text.removesuffix('.0')} {unit}"
    return f"{int(n_bytes):,} bytes"
