"""The byte-level column tests of ``ingest/bytescan.py`` give exactly what the Python string
methods they replace give, on every kind of text: whitespace of every sort (one- and multi-byte),
Vietnamese letters whose bytes share values with spaces (U+1680 starts with E1, like "ạ"),
legacy-font characters, four-byte characters, empty and null cells, slices (offsets into a
larger buffer) and large strings."""
from __future__ import annotations

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from ytsupport.ingest.bytescan import SPACES, blank_mask, pairs_holding, tidy_mask

ALPHABET = SPACES + "aeoAEO09.-_xyzĐđăâơưạảấầẩậệểễốộờởỡợụủứừửữựỳỷỹÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý" \
    "¸®©ª«¬\u00adµ¶·¹º»¼½¾¿ÆÇËÑ×Þäåæçëìïñóöøùûüþ\u1680\u3000\u2028😀–“”…"
# cells of any characters, and cells of a few, mostly spaces (where two spaces in a row are common)
CELLS = st.lists(st.one_of(st.none(), st.text(alphabet=ALPHABET, max_size=12),
                           st.text(alphabet="   aạ1.", max_size=8)), max_size=40)


def _arrays(cells: list[str | None]) -> list[pa.Array]:
    """The cells as a plain column, a large-string column, and a slice of a larger column."""
    padded = pa.array(["  lead", *cells, "tail  "], type=pa.string())
    return [pa.array(cells, type=pa.string()), pa.array(cells, type=pa.large_string()),
            padded.slice(1, len(cells))]


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_tidy_and_blank_are_the_string_methods(cells: list[str | None]) -> None:
    tidy = [c is not None and c != "" and " ".join(c.split()) == c for c in cells]
    blank = [c is None or not c.strip() for c in cells]
    for strings in _arrays(cells):
        assert tidy_mask(strings).tolist() == tidy
        assert blank_mask(strings).tolist() == blank


PAIRS = (("aeoôÔ", "ùõâ"), ("0123456789", ".e"), ("ạ", "\u1680"))


def _holds_pair(cell: str | None) -> bool:
    return cell is not None and any(a in firsts and b in seconds
                                    for firsts, seconds in PAIRS for a, b in zip(cell, cell[1:]))


@settings(max_examples=300, deadline=None)
@given(CELLS)
def test_pairs_are_adjacent_characters_of_one_cell(cells: list[str | None]) -> None:
    expected = [_holds_pair(c) for c in cells]
    for strings in _arrays(cells):
        assert pairs_holding(strings, PAIRS).tolist() == expected


def test_a_pair_across_two_cells_is_none() -> None:
    strings = pa.array(["ca", "ùb", "1", ".5", "o", None, "â"], type=pa.string())
    assert not pairs_holding(strings, PAIRS).any()
    assert pairs_holding(pa.array(["caù", "x1.5", "ôõ"]), PAIRS).tolist() == [True, True, True]


def test_spacing_examples() -> None:
    cells = ["Hoạt động", "Hoạt  động", " Hoạt", "Hoạt ", "", None, "ạ\u00a0b", "x", "a b c"]
    assert tidy_mask(pa.array(cells)).tolist() == [True, False, False, False, False, False, False, True, True]


def test_every_whitespace_character_is_found_inside_vietnamese_text() -> None:
    for space in SPACES:
        cell = f"Hoạt{space}động"
        assert tidy_mask(pa.array([cell])).tolist() == [space == " "], repr(space)
        assert blank_mask(pa.array([space * 3, f"{space}ạ"])).tolist() == [True, False], repr(space)


def test_empty_columns() -> None:
    for strings in (pa.array([], type=pa.string()), pa.array([None, None], type=pa.string()),
                    pa.array(["", ""], type=pa.string())):
        assert not tidy_mask(strings).any()
        assert blank_mask(strings).all()
        assert not pairs_holding(strings, PAIRS).any()


def test_spaces_are_every_character_str_split_splits_on() -> None:
    assert SPACES == "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
