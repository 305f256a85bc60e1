"""Telling data rows from blank, totals, group-heading and example rows (DATA_CONTRACT §3)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..text import fold

_TOTAL = re.compile(r"^(tong cong|cong|tong|tong so)( thang \d{1,2}( nam)?( \d{4})?)?$")
_NUMERIC_TEXT = re.compile(r"^[\d\s.,+-]+$")


def nonempty(column: pd.Series) -> np.ndarray:
    """True where a cell holds something (not None/NaN, not only spaces)."""
    present = column.notna().to_numpy()
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        text = column[present].astype(str).str.strip().ne("")
        present = present.copy()
        present[present] = text.to_numpy()
    return present


def _fold_map(values: pd.Series) -> dict[object, str]:
    return {u: fold(u) for u in pd.unique(values)}


def _text_flags(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: is text, is a totals label, looks like a number; computed once per unique value."""
    flags = {u: (isinstance(u, str), bool(_TOTAL.match(f)), bool(_NUMERIC_TEXT.match(f)))
             for u, f in _fold_map(values).items()}
    table = np.array([flags[v] for v in values], dtype=bool).reshape(-1, 3) if len(values) else np.zeros((0, 3), bool)
    return table[:, 0], table[:, 1], table[:, 2]


def classify_rows(data: pd.DataFrame, numbering: int | None) -> pd.Series:
    """Per row: "data", or why it is skipped: "blank", "total", "group" or "example"."""
    n = len(data)
    kinds = np.full(n, "data", dtype=object)
    if n == 0 or data.shape[1] == 0:
        return pd.Series(kinds, dtype=object)
    filled = np.column_stack([nonempty(data.iloc[:, j]) for j in range(data.shape[1])])
    others = filled.copy()
    if numbering is not None and numbering < data.shape[1]:
        others[:, numbering] = False
    count = filled.sum(axis=1)
    first = np.where(count > 0, filled.argmax(axis=1), -1)
    kinds[others.sum(axis=1) == 0] = "blank"
    for col in np.unique(first[(first >= 0) & (kinds == "data")]):
        rows = np.flatnonzero((first == col) & (kinds == "data"))
        is_text, total, numeric = _text_flags(data.iloc[rows, col])
        total &= is_text
        group = is_text & (count[rows] == 1) & ~numeric
        kinds[rows[total]] = "total"
        kinds[rows[group & ~total]] = "group"
    if numbering is not None and numbering < data.shape[1]:
        stt = data.iloc[:, numbering]
        folded = _fold_map(stt)
        example = stt.map(lambda v: isinstance(v, str) and folded[v] == "vi du").to_numpy(dtype=bool)
        kinds[example] = "example"
    return pd.Series(kinds, dtype=object)
