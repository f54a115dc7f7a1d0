"""Names a class sees (display names, class titles): one readable form, and a key that look-alikes share.

``clean_name`` returns the NFKC form of a name, or ValueError when the name could hide, fake or overdraw
what the board shows: control, format (zero-width, direction marks), private-use, surrogate or unassigned
characters, blank-looking letters (U+3164, U+2800, ...), or more than ``MAX_MARKS`` combining marks on
one letter.  ``skeleton`` is the key two names are compared by: "Ada", "ADA", "Аda" (Cyrillic A),
"A d a" and "Ada." share it, so a board refuses a second browser that picks a name already in use.
Standard library only (unicodedata), so the store can check names where it receives them.
"""
from __future__ import annotations

import unicodedata
from typing import Any

MAX_MARKS = 2  # combining marks on one base letter: Vietnamese needs two, "Z̷̢͍" attacks use dozens
_REFUSED_CATEGORIES = {"Cc": "a control", "Cf": "an invisible formatting", "Co": "a private-use",
                       "Cs": "a surrogate", "Cn": "an unassigned", "Zl": "a line-break", "Zp": "a paragraph-break"}
_MARKS = ("Mn", "Me", "Mc")
# Letters and symbols that draw nothing (or nearly nothing) but are not spaces or format characters.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e\u200b\u2060\ufeff\u1cbb\u1cbc"
                   "\U0001d159\U0001d173\U0001d174\U0001d175\U0001d176\U0001d177\U0001d178\U0001d179\U0001d17a")

# Cyrillic and Greek letters that look like Latin ones (capitals are mapped before case folding, so
# Greek H and small eta do not meet).  A small table in the spirit of Unicode's confusables (UTS #39).
_LOOKALIKE = str.maketrans({
    **dict(zip("АВЕЅІЈКМНОРСТХУЬԁ", "ABESIJKMHOPCTXYbd", strict=True)),
    **dict(zip("аеіјоѕрсхуһԛԝӏ", "aeijospcxyhqwl", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧ", "ABEZHIKMNOPTYX", strict=True)),
    **dict(zip("αοιρνυκχτ", "aoipvukxt", strict=True)),
    "ɡ": "g", "ɑ": "a", "ı": "i", "ȷ": "j", "ʏ": "y", "ℓ": "l",
    "0": "o", "1": "l", "|": "l", "5": "s", "$": "s",
})


_DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _refusal(char: str) -> str | None:
    if char in _DIRECTION:
        return "a direction-changing"
    category = unicodedata.category(char)
    if category in _REFUSED_CATEGORIES:
        return _REFUSED_CATEGORIES[category]
    if char in _BLANK:
        return "a blank-looking"
    return None


def clean_name(value: Any, what: str = "display name", max_len: int = 40) -> str:
    """The NFKC form of ``value`` with spaces collapsed; ValueError (a sentence for the page) when refused."""
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    text = unicodedata.normalize("NFKC", value)
    for char in text:  # before spaces are collapsed: a tab or a newline is refused, not turned into a space
        reason = _refusal(char)
        if reason:
            raise ValueError(f"The {what} contains {reason} character (U+{ord(char):04X}); "
                             "use letters, digits and spaces.")
    text = " ".join("".join(" " if unicodedata.category(c) == "Zs" else c for c in text).split())
    if not text:
        raise ValueError(f"The {what} is empty: type at least one character.")
    if not any(unicodedata.category(c)[0] in "LNSP" for c in text):
        raise ValueError(f"The {what} needs at least one visible letter, digit or sign.")
    _check_marks(text, what)
    if len(text) > max_len:
        raise ValueError(f"The {what} is {len(text)} characters long; at most {max_len} are allowed.")
    return text


def _check_marks(text: str, what: str) -> None:
    # Counted on the decomposed form: NFKC folds a + U+0301 into one letter, which hides one accent.
    text, run = unicodedata.normalize("NFD", text), 0
    for i, char in enumerate(text):
        if unicodedata.category(char) in _MARKS:
            run += 1
            if i == 0 or text[i - 1] == " " and run == 1:
                raise ValueError(f"The {what} starts a word with a combining mark; type the letter first.")
            if run > MAX_MARKS:
                raise ValueError(f"The {what} stacks more than {MAX_MARKS} accents on one letter.")
        else:
            run = 0


def skeleton(name: str) -> str:
    """The key look-alike names share: marks dropped, look-alike letters mapped, case folded, only letters
    and digits kept (a name of punctuation only keeps its folded form)."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", str(name)))
    text = "".join(c for c in text if unicodedata.category(c) not in _MARKS)
    folded = text.translate(_LOOKALIKE).casefold().translate(_LOOKALIKE)
    kept = "".join(c for c in folded if unicodedata.category(c)[0] in "LN")
    return (kept or folded)[:160]
