"""Display names and class titles (store.names) and table cells (ui.text): generated hostile names."""
from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from store.names import MAX_MARKS, clean_name, skeleton
from ui.text import FSI, PDI, isolate, safe_cell, safe_rows

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u061c", "\u200e", "\u202e", "\u2066", "\u00ad",
             "\u3164", "\u115f", "\u1160", "\uffa0", "\u2800", "\u180e", "\u034f", "\U000e0041"]
LOOKALIKES = {"Ada": ["ADA", "ada", "\u0410da", "Ad\u0430", "\u0391d\u03b1", "A d a", "Ada.", "\uff21\uff44\uff41",
                      "\u00c1da", "A\u0301da"],
              "Pepe": ["\u0420\u0435\u0440\u0435", "P\u0435p\u0435"],
              "Bob": ["\u0412ob", "B\u03bfb", "B0b"]}


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_and_format_characters_are_refused_anywhere_in_a_name(char):
    for name in (char, f"{char}Ada", f"Ada{char}", f"A{char}da", char * 5):
        with pytest.raises(ValueError, match="character|empty"):
            clean_name(name)


@given(st.text(alphabet=st.characters(categories=["Cf", "Co", "Cc"]), min_size=1, max_size=5),
       st.text(alphabet="Ada ", min_size=0, max_size=5))
def test_generated_format_private_and_control_characters_are_refused(bad, around):
    with pytest.raises(ValueError):
        clean_name(around + bad + around)


@given(st.integers(min_value=0x0378, max_value=0x0379) | st.sampled_from([0x0E3B, 0x2FFFF, 0x10FFFE, 0x05FF]))
def test_unassigned_code_points_are_refused(cp):
    assert unicodedata.category(chr(cp)) == "Cn"
    with pytest.raises(ValueError, match="unassigned"):
        clean_name("Ada" + chr(cp))


@given(st.sampled_from("aeouyAEZ"), st.lists(st.sampled_from("\u0300\u0301\u0302\u0303\u0308\u0327\u0336\u0489"),
                                             min_size=MAX_MARKS + 1, max_size=40))
def test_stacked_combining_marks_are_refused(base, marks):
    with pytest.raises(ValueError, match="accents"):
        clean_name("Ada " + base + "".join(marks))


@pytest.mark.parametrize("name", ["Nguyễn Thị Ánh", "Zoë", "François", "José", "Łukasz", "Ayşe", "Müller",
                                  "Søren", "محمد", "דנה", "李小龍", "Ольга", "Δήμητρα", "हिन्दी", "😀 team"])
def test_real_names_pass_unchanged(name):
    assert clean_name(name) == unicodedata.normalize("NFKC", name)


@pytest.mark.parametrize("name,variants", LOOKALIKES.items())
def test_look_alike_names_share_a_skeleton(name, variants):
    for variant in variants:
        assert skeleton(clean_name(variant)) == skeleton(name), variant
    assert skeleton("Ada") != skeleton("Eve") != skeleton("Bob")


@given(st.text(min_size=1, max_size=60))
@example("\u0041\u030a" * 3)
def test_whatever_is_accepted_is_nfkc_short_and_free_of_refused_characters(raw):
    try:
        name = clean_name(raw)
    except ValueError:
        return
    assert name == unicodedata.normalize("NFKC", name).strip() and 0 < len(name) <= 40
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn", "Cs") for c in name)
    assert skeleton(name)  # every accepted name has a non-empty key


@given(st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\uff1d"]), st.text(max_size=30))
@example("=", 'HYPERLINK("http://evil.example","click")')
@example("=", "cmd|' /C calc'!A0")
def test_formula_cells_are_neutralised_in_the_csv_a_spreadsheet_reads(start, rest):
    rows = safe_rows([{"name": start + rest, "name isolated": isolate(start + rest), "n": -3, "acc": 0.5}])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    read = list(csv.DictReader(io.StringIO(out.getvalue())))[0]
    for column in ("name", "name isolated"):
        assert read[column][0] not in "=+-@\t\r\uff1d", read[column]
    assert rows[0]["n"] == -3 and rows[0]["acc"] == 0.5  # numbers stay numbers


def test_isolate_wraps_once_and_plain_cells_pass():
    assert isolate("Ada") == f"{FSI}Ada{PDI}" and isolate(isolate("Ada")) == f"{FSI}Ada{PDI}"
    assert safe_cell("Ada") == "Ada" and safe_cell(None) is None and safe_cell([1.0]) == [1.0]


@given(st.floats(min_value=0.0, max_value=1.0))
@example(0.9865)
@example(0.99525)
@example(0.0005)
def test_the_board_shows_an_accuracy_exactly_as_train_does(acc):
    from ui.board_link import percent, percent_value

    assert f"{percent_value(acc):.1f}%" == percent(acc) == f"{acc:.1%}"
    assert percent(float("nan")) == "—" and percent_value(None) is None
