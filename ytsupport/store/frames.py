"""Converting canonical report frames to database rows and back (one column at a time)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from .schema import FRAME_DTYPES


def _dates(series: pd.Series) -> list[Any]:
    values = pd.to_datetime(series, errors="coerce")
    return [None if pd.isna(v) else v.date() for v in values]


def _ints(series: pd.Series) -> list[Any]:
    values = pd.to_numeric(series, errors="raise").astype("Int64")
    return [None if pd.isna(v) else int(v) for v in values]


def _floats(series: pd.Series) -> list[Any]:
    values = pd.to_numeric(series, errors="raise").astype("Float64")
    return [None if pd.isna(v) else float(v) for v in values]


def _bools(series: pd.Series) -> list[bool]:
    return [bool(v) if not pd.isna(v) else False for v in series]


def _texts(series: pd.Series) -> list[Any]:
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in series]


def _column_values(series: pd.Series, dtype: str) -> list[Any]:
    """Python values for one canonical column (None for missing values; False for booleans)."""
    if dtype.startswith("datetime64"):
        return _dates(series)
    if dtype == "Int64":
        return _ints(series)
    if dtype in ("Float64", "float64"):
        return _floats(series)
    if dtype == "bool":
        return _bools(series)
    return _texts(series)


def frame_records(frame: pd.DataFrame | None, kind: str) -> list[dict[str, Any]]:
    """The rows of a canonical frame as plain dicts ready for an executemany insert.

    Columns the frame lacks are stored as null (booleans as False); extra columns are ignored.
    Raises ``ValueError``/``TypeError`` for a value that does not fit its column's type.
    """
    if frame is None or len(frame) == 0:
        return []
    dtypes = FRAME_DTYPES[kind]
    columns: dict[str, list[Any]] = {}
    for name, dtype in dtypes.items():
        series = frame[name] if name in frame.columns else pd.Series([None] * len(frame), dtype=object)
        columns[name] = _column_values(series.reset_index(drop=True), dtype)
    names = list(columns)
    return [dict(zip(names, values)) for values in zip(*columns.values())]


def typed_frame(rows: list[Any], columns: list[str], kind: str | None = None,
                extra: dict[str, str] | None = None) -> pd.DataFrame:
    """A DataFrame of database rows with the canonical dtypes of ``kind`` (plus ``extra`` dtypes)."""
    frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
    dtypes = dict(FRAME_DTYPES.get(kind, {}) if kind else {})
    dtypes.update(extra or {})
    for name, dtype in dtypes.items():
        if name not in frame.columns:
            continue
        frame[name] = _as_dtype(frame[name], dtype)
    return frame


def _as_dtype(series: pd.Series, dtype: str) -> pd.Series:
    if dtype.startswith("datetime64"):
        return pd.to_datetime(series, errors="coerce").astype("datetime64[ns]")
    if dtype == "bool":
        return series.fillna(False).astype(bool)
    if dtype in ("Int64", "Float64", "float64", "int64"):
        return pd.to_numeric(series).astype(dtype)
    return series.astype(object).where(series.notna(), None)
