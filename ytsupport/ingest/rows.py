"""Telling data rows from blank, totals, group-heading and example rows
(docs/data-contract.md §1, "Skipped rows").

Everything here works on whole columns and computes per distinct value: a column of a million
cells costs about as much as its distinct values (see ``text.py``).
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..text import fold
from .bytescan import blank_mask

_TOTAL = re.compile(r"^(tong cong|cong|tong|tong so)( thang \d{1,2}( nam)?( \d{4})?)?$")
_NUMERIC_TEXT = re.compile(r"^[\d\s.,+-]+$")
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)  # text.fold's punctuation class


def _latin_table() -> dict[int, str]:
    """text.fold's per-character steps (đ -> d, NFD, marks dropped) for the Latin letters."""
    table: dict[int, str] = {}
    for code in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        char = chr(code).replace("đ", "d").replace("Đ", "D")
        table[code] = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
    return table


_LATIN = _latin_table()
_FAST_FOLD = re.compile(r"[\x00-\x7f\u00c0-\u024f\u1e00-\u1eff]*")


def fold_fast(text: str) -> str:
    """``text.fold(text)`` for a string, faster for ASCII and Vietnamese text (the same result).

    For characters that are ASCII or precomposed Latin letters, fold's NFD-then-drop-marks is a
    per-character mapping (dropped marks cannot reorder anything), then lower case, punctuation
    to spaces and single spaces as in fold. Any other character takes fold itself.
    """
    if not _FAST_FOLD.fullmatch(text):
        return fold(text)
    if not text.isascii():
        text = text.translate(_LATIN)
    return " ".join(_PUNCT.sub(" ", text.lower()).replace("_", " ").split())


def fold_texts(texts: list[str]) -> list[str]:
    """``[text.fold(t) for t in texts]`` (see :func:`fold_arrow`)."""
    return fold_arrow(pa.array(texts, type=pa.string())).to_pylist() if texts else []


def fold_arrow(strings: pa.Array) -> pa.Array:
    """``text.fold`` of each cell of an Arrow text column (null stays null): ASCII cells folded by
    Arrow in one go, the others by ``fold_fast``.

    For ASCII, fold is: lower case, every run of characters other than ``[0-9a-z]`` (``_``
    included) to one space, no space at either end.
    """
    folded = pc.utf8_trim(pc.replace_substring_regex(pc.utf8_lower(strings), pattern="[^0-9a-z]+",
                                                     replacement=" "), characters=" ")
    others = np.flatnonzero(~pc.fill_null(pc.string_is_ascii(strings), True).to_numpy(zero_copy_only=False))
    if not len(others):
        return folded
    mask = np.zeros(len(strings), dtype=bool)
    mask[others] = True
    texts = strings.take(pa.array(others)).to_pylist()
    return pc.replace_with_mask(folded, pa.array(mask), pa.array([fold_fast(t) for t in texts], type=pa.string()))


def as_arrow_text(values: np.ndarray) -> pa.Array | None:
    """An object array of text and missing cells (None, NaN) as Arrow strings; None if it holds anything else."""
    try:
        return pa.array(values, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def nonempty(column: pd.Series, strings: pa.Array | None = None) -> np.ndarray:
    """True where a cell holds something (not None/NaN, not only spaces).

    ``strings``: the column as Arrow strings, when the caller has them (saves converting it).
    """
    if strings is not None or column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        if strings is None:
            strings = as_arrow_text(column.to_numpy(dtype=object))
        if strings is not None:  # text only: one vectorised pass
            return ~blank_mask(strings)
    present = column.notna().to_numpy()
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        values = column.to_numpy(dtype=object)[present]
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        if len(uniques):
            blank = np.fromiter((not str(u).strip() for u in uniques), dtype=bool, count=len(uniques))
            if blank.any():
                present = present.copy()
                present[present] = ~blank[codes]
    return present


def filled_matrix(data: pd.DataFrame, texts: dict[int, pa.Array] | None = None) -> np.ndarray:
    """``nonempty`` of every column, as a rows x columns boolean array (``texts``: see RawSheet)."""
    if data.shape[1] == 0:
        return np.zeros((len(data), 0), dtype=bool)
    texts = texts or {}
    return np.column_stack([nonempty(data.iloc[:, j], texts.get(j)) for j in range(data.shape[1])])


def _may_hold_text(values: pd.Series) -> bool:
    return values.dtype == object or isinstance(values.dtype, pd.StringDtype)


def _text_flags(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: is text, is a totals label, looks like a number; computed once per distinct text."""
    n = len(values)
    if not _may_hold_text(values):  # a number, date or bool column holds no text
        return np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    flags = np.zeros((len(uniques) + 1, 3), dtype=bool)  # the last row: missing cells
    for i, u in enumerate(uniques):
        if isinstance(u, str):
            folded = fold_fast(u)
            flags[i] = (True, bool(_TOTAL.match(folded)), bool(_NUMERIC_TEXT.match(folded)))
    table = flags[codes]
    return table[:, 0], table[:, 1], table[:, 2]


def _examples(stt: pd.Series) -> np.ndarray:
    """Rows whose numbering cell is the text "Ví dụ" (an example row of the template)."""
    if not _may_hold_text(stt):
        return np.zeros(len(stt), dtype=bool)
    codes, uniques = pd.factorize(stt.to_numpy(dtype=object), use_na_sentinel=True)
    example = np.array([isinstance(u, str) and fold_fast(u) == "vi du" for u in uniques] + [False], dtype=bool)
    return example[codes]


def classify_rows(data: pd.DataFrame, numbering: int | None) -> pd.Series:
    """Per row: "data", or why it is skipped: "blank", "total", "group" or "example"."""
    return classify_filled(data, numbering, filled_matrix(data) if len(data) else None)


def classify_filled(data: pd.DataFrame, numbering: int | None, filled: np.ndarray | None) -> pd.Series:
    """``classify_rows`` with the ``filled_matrix`` of ``data`` already computed."""
    n = len(data)
    kinds = np.full(n, "data", dtype=object)
    if n == 0 or data.shape[1] == 0 or filled is None:
        return pd.Series(kinds, dtype=object)
    others = filled.copy()
    has_numbering = numbering is not None and numbering < data.shape[1]
    if has_numbering:
        others[:, numbering] = False
    count = filled.sum(axis=1)
    first = np.where(count > 0, filled.argmax(axis=1), -1)
    kinds[others.sum(axis=1) == 0] = "blank"
    for col in np.unique(first[(first >= 0) & (kinds == "data")]):
        rows = np.flatnonzero((first == col) & (kinds == "data"))
        column = data.iloc[:, col]
        is_text, total, numeric = _text_flags(column.iloc[rows] if len(rows) < n else column)
        total &= is_text
        group = is_text & (count[rows] == 1) & ~numeric
        kinds[rows[total]] = "total"
        kinds[rows[group & ~total]] = "group"
    if has_numbering:
        kinds[_examples(data.iloc[:, numbering])] = "example"
    return pd.Series(kinds, dtype=object)
