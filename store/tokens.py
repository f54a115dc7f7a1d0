"""Secrets the store hands out (browser, lease, share, teacher tokens; board codes) and how it keeps them.

Browser and teacher tokens are stored only as SHA-256 digests, so a copy of the database does not
let anyone act as a browser or a teacher.  Share tokens are stored as they are: they are the link.
"""
from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
RUN_ID_PATTERN = re.compile(r"[0-9a-f]{32}")
# Board codes are read aloud and typed: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")


def new_token() -> str:
    """A fresh 32-character URL-safe secret (192 bits)."""
    return secrets.token_urlsafe(24)


def check_token(token: str, what: str = "token") -> str:
    """The token itself, or ValueError when it is not 16-64 URL-safe characters."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise ValueError(f"The {what} is not valid (expected 16 to 64 letters, digits, '-' or '_').")
    return token


def digest(token: str, what: str = "token") -> str:
    """SHA-256 hex digest of a checked token: what the database keeps for owners and teachers."""
    return hashlib.sha256(check_token(token, what).encode("ascii")).hexdigest()


def new_run_id() -> str:
    return secrets.token_hex(16)


def new_board_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Upper-cased, spaces removed; ValueError when it cannot be a board code."""
    cleaned = re.sub(r"[\s-]", "", str(code)).upper() if isinstance(code, str) else ""
    if not CODE_PATTERN.fullmatch(cleaned):
        raise ValueError(f"A class code is {CODE_LENGTH} letters and digits, like 'K7WQ3M'.")
    return cleaned
