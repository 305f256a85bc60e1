"""Legacy-encoded text (TCVN3, VNI-Windows) in a sheet as read, converted to Unicode in place.

Runs in the reader, before anything else reads a cell: the header search sees converted labels
(:func:`converted_rows`), and :func:`convert_sheet` converts a finished sheet's first rows and its
bulk rows, leaving what was done in ``RawSheet.legacy`` (see ``ytsupport.legacy``).

The bulk rows are Arrow strings: only the cells that may be legacy text reach Python. First the
cells holding a character no Unicode Vietnamese text has (TCVN3's "¸", "®", the soft hyphen
that is its "ư"; VNI's "ø", "ñ", or a vowel followed by a mark byte); then, when the sheet is
mostly legacy text, the other cells with Latin-1 letters, which only the sheet can decide.
"""
from __future__ import annotations

from array import array

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..legacy import TCVN3, UNICODE_ONLY_LETTERS, VNI, SheetConverter, Tally
from .arrow_rows import ArrowRows
from .records import RawSheet

_VIETNAMESE_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_ODD = sorted((set(TCVN3) | {c for seq in VNI for c in seq if not c.isascii()}) - _VIETNAMESE_LATIN1)
# A vowel and a VNI mark byte that Unicode Vietnamese never puts together (it does write "oà",
# "oá", "uâ": hoàng, hoá, xuân; a VNI cell without these follows its sheet).
_VNI_PAIRS = "[aeiouyAEIOUYôöÔÖ][ùõÙÕ]|[aeAE][âêáàãÂÊÁÀÃ]|[oO][âÂ]|[aA][éèúÉÈÚ]"
# A character no Unicode Vietnamese text holds, or such a pair.
_STRONG = "[" + "".join(_ODD) + "]|" + _VNI_PAIRS
_LATIN1 = "[\u00a1-\u00ff]"


def _convert_rows(converter: SheetConverter, rows: list[list[Any]], first_row: int, first_col: int) -> None:
    """Convert the text cells of ``rows`` in place (row ``i`` is Excel row ``first_row + i``)."""
    # where the text cells are, as two integer arrays (a list of (row, column) tuples costs ~70
    # bytes a cell: 170 MB for a 500,000-row CSV, in a reader process limited to 1 GB)
    at_row, at_col, strings = array("i"), array("i"), []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, str) and value:
                at_row.append(i)
                at_col.append(j)
                strings.append(value)
    if not strings:
        return
    texts = _Texts(pa.array(strings, type=pa.string()),
                   lambda idx: [(first_row + at_row[k], first_col + at_col[k] + 1) for k in idx])
    del strings
    [converted] = _convert_texts(converter, [texts])
    if converted is not texts.strings:
        for i, j, text in zip(at_row, at_col, converted.to_pylist()):
            rows[i][j] = text


def converted_rows(top: list[list[Any]]) -> list[list[Any]]:
    """A copy of a sheet's first rows with legacy text converted (to find the header on)."""
    copy = [list(row) for row in top]
    _convert_rows(SheetConverter(), copy, 1, 0)
    return copy


def convert_sheet(sheet: RawSheet) -> None:
    """Convert a read sheet's legacy text in place: its first rows, then its rows below the header
    (still Arrow: ``sheet.pending``).

    ``sheet.legacy`` tells what was converted (None when nothing was).
    """
    converter = SheetConverter()
    if sheet.pending is None or sheet.data_first_row is None:
        _convert_rows(converter, sheet.top, sheet.first_row, sheet.first_col)
    else:
        above = sheet.data_first_row - sheet.first_row  # the first rows also hold the first data rows
        _convert_rows(converter, sheet.top[:above], sheet.first_row, sheet.first_col)
        _convert_arrow(converter, sheet.pending, sheet.data_first_row, sheet.first_col)
        _copy_text(sheet.pending, sheet.top[above:])
    sheet.legacy = converter.tally if converter.tally.converted else None


def _copy_text(rows: ArrowRows, top: list[list[Any]]) -> None:
    """Give the first rows' text cells below the header their converted text from the data rows
    (converted and counted once, with the whole sheet's evidence)."""
    for j, position in enumerate(rows.positions):
        column = rows.batch.column(j)
        if not pa.types.is_string(column.type):
            continue
        for i, text in enumerate(column.slice(0, len(top)).to_pylist()):
            if position < len(top[i]) and isinstance(top[i][position], str) and isinstance(text, str):
                top[i][position] = text


def convert_all_rows(rows: list[list[Any]], first_row: int = 1, first_col: int = 0) -> Tally | None:
    """Convert every text cell of a whole sheet's rows in place; row ``i`` is Excel row
    ``first_row + i`` and column ``j`` the 0-based ``first_col + j`` (a CSV file: the defaults)."""
    converter = SheetConverter()
    _convert_rows(converter, rows, first_row, first_col)
    return converter.tally if converter.tally.converted else None


@dataclass
class _Texts:
    """Text cells to convert: their strings, and where the cells at given indexes are (Excel row,
    column, 1-based)."""

    strings: pa.Array
    cells: Callable[[np.ndarray], list[tuple[int, int]]]


def _convert_arrow(converter: SheetConverter, rows: ArrowRows, first_row: int, first_col: int) -> None:
    """Convert the string columns of ``rows`` in place (see :func:`_convert_texts`)."""
    strings = [j for j in range(rows.batch.num_columns) if pa.types.is_string(rows.batch.column(j).type)]
    texts = [_Texts(rows.batch.column(j), _column_cells(first_row, first_col + rows.positions[j] + 1))
             for j in strings]
    converted = dict(zip(strings, _convert_texts(converter, texts)))
    if any(converted[j] is not rows.batch.column(j) for j in strings):
        arrays = [converted.get(j, rows.batch.column(j)) for j in range(rows.batch.num_columns)]
        rows.batch = pa.RecordBatch.from_arrays(arrays, schema=rows.batch.schema)


def _column_cells(first_row: int, excel_col: int) -> Callable[[np.ndarray], list[tuple[int, int]]]:
    return lambda idx: [(first_row + int(i), excel_col) for i in idx]


def _convert_texts(converter: SheetConverter, texts: list[_Texts]) -> list[pa.Array]:
    """The strings with their legacy cells converted: first the clear cells (a character no
    Unicode Vietnamese text holds); then, when the sheet is mostly legacy text, the other cells
    with Latin-1 letters, which only the sheet can decide. Only those cells reach Python."""
    strong = [_matches(t.strings, _STRONG) for t in texts]
    out = [_convert_masked(converter, t, mask) for t, mask in zip(texts, strong)]
    tally: Tally = converter.tally
    if not tally.counts:
        return out
    proof = [_matches(t.strings, UNICODE_ONLY_LETTERS) for t in texts]
    tally.unicode_cells += sum(int((p & ~s).sum()) for p, s in zip(proof, strong))
    if max(tally.counts.values()) <= tally.unicode_cells:
        return out
    for k, t in enumerate(texts):
        weak = _matches(t.strings, _LATIN1) & ~strong[k] & ~proof[k]
        out[k] = _convert_masked(converter, _Texts(out[k], t.cells), weak, count_unicode=False)
    return out


def _matches(column: pa.Array, pattern: str) -> np.ndarray:
    found = pc.fill_null(pc.match_substring_regex(column, pattern=pattern), False)
    return found.to_numpy(zero_copy_only=False)


def _convert_masked(converter: SheetConverter, texts: _Texts, mask: np.ndarray,
                    count_unicode: bool = True) -> pa.Array:
    """``texts.strings`` with its ``mask`` cells converted where the converter says so."""
    at = np.flatnonzero(mask)
    if not len(at):
        return texts.strings
    values = texts.strings.take(pa.array(at)).to_pylist()
    converted = converter.convert(values, texts.cells(at), count_unicode=count_unicode)
    changed = np.array([text is not None for text in converted], dtype=bool)
    if not changed.any():
        return texts.strings
    replace = np.zeros(len(texts.strings), dtype=bool)
    replace[at[changed]] = True
    return pc.replace_with_mask(texts.strings, pa.array(replace),
                                pa.array([t for t in converted if t is not None], type=texts.strings.type))
