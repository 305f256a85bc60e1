"""Converting canonical report frames to database rows and back (one column at a time).

The conversions work on whole columns (numpy's C loops, ``tolist``): a 100k-row report becomes
plain Python values in tens of milliseconds, not a Python loop per cell.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .tables import FRAME_DTYPES

# The current data as ``load_current`` returns it: one frame per kind (activities, beneficiaries, ...).
Frames = dict[str, pd.DataFrame]


def _with_nones(values: list[Any], missing: np.ndarray) -> list[Any]:
    for i in np.flatnonzero(missing):
        values[i] = None
    return values


def _dates(series: pd.Series, as_text: bool = False) -> list[Any]:
    """``datetime.date`` values (or ``"YYYY-MM-DD"`` text, how SQLite stores a DATE); None for missing."""
    values = series if pd.api.types.is_datetime64_dtype(series.dtype) else pd.to_datetime(series, errors="coerce")
    if getattr(values.dtype, "tz", None) is not None:  # the local day of each stamp
        dates = [None if pd.isna(v) else v.date() for v in values]
        return [d if d is None or not as_text else d.isoformat() for d in dates]
    days = values.to_numpy().astype("datetime64[D]")
    if as_text:
        return _with_nones(np.datetime_as_string(days, unit="D").tolist(), np.isnat(days))
    return days.tolist()  # NaT -> None


def _ints(series: pd.Series) -> list[Any]:
    values = pd.to_numeric(series, errors="raise").astype("Int64")
    return _with_nones(values.to_numpy(dtype="int64", na_value=0).tolist(), values.isna().to_numpy())


def _floats(series: pd.Series) -> list[Any]:
    values = pd.to_numeric(series, errors="raise").astype("Float64")
    return _with_nones(values.to_numpy(dtype="float64", na_value=np.nan).tolist(), values.isna().to_numpy())


def _bools(series: pd.Series) -> list[bool]:
    if series.dtype == bool:
        return series.to_numpy().tolist()
    return [bool(v) if not pd.isna(v) else False for v in series]


def _texts(series: pd.Series) -> list[Any]:
    values = series.to_numpy(dtype=object)
    missing = pd.isna(values)
    if pd.api.types.infer_dtype(values[~missing], skipna=False) in ("string", "empty"):
        return np.where(missing, None, values).tolist()
    return [None if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in series]


def _column_values(series: pd.Series, dtype: str, dates_as_text: bool = False) -> list[Any]:
    """Python values for one canonical column (None for missing values; False for booleans)."""
    if dtype.startswith("datetime64"):
        return _dates(series, dates_as_text)
    if dtype == "Int64":
        return _ints(series)
    if dtype in ("Float64", "float64"):
        return _floats(series)
    if dtype == "bool":
        return _bools(series)
    return _texts(series)


def frame_columns(frame: pd.DataFrame | None, kind: str, dates_as_text: bool = False) -> dict[str, list[Any]]:
    """The canonical columns of a frame as lists of plain Python values, in ``FRAME_DTYPES`` order.

    Columns the frame lacks are null (booleans False); extra columns are ignored. Dates are
    ``datetime.date`` (``"YYYY-MM-DD"`` with ``dates_as_text``). Raises ``ValueError``/``TypeError``
    for a value that does not fit its column's type.
    """
    n = 0 if frame is None else len(frame)
    columns: dict[str, list[Any]] = {}
    for name, dtype in FRAME_DTYPES[kind].items():
        if n == 0:
            columns[name] = []
            continue
        series = frame[name] if name in frame.columns else pd.Series([None] * n, dtype=object)
        columns[name] = _column_values(series.reset_index(drop=True), dtype, dates_as_text)
    return columns


def typed_frame(rows: list[Any], columns: list[str], kind: str | None = None,
                extra: dict[str, str] | None = None) -> pd.DataFrame:
    """A DataFrame of database rows with the canonical dtypes of ``kind`` (plus ``extra`` dtypes)."""
    return typed(pd.DataFrame([tuple(r) for r in rows], columns=columns), kind, extra)


def typed(frame: pd.DataFrame, kind: str | None = None, extra: dict[str, str] | None = None) -> pd.DataFrame:
    """``frame`` (database columns, as a driver returned them) in the canonical dtypes of ``kind``
    (plus ``extra`` dtypes), in place."""
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
        return series.astype("boolean").fillna(False).astype(bool)
    if dtype in ("Int64", "Float64", "float64", "int64"):
        return pd.to_numeric(series).astype(dtype)
    return series.astype(object).where(series.notna(), None)


def rows_of(data: dict[str, pd.DataFrame], kind: str) -> pd.DataFrame:
    """The current rows of ``kind`` in ``data`` (what ``load_current`` returns), or an empty frame
    of their columns when there are none."""
    frame = data.get(kind)
    if frame is None:
        columns = {**FRAME_DTYPES[kind], "report_version_id": "int64", "unit": "object", "period": "object"}
        frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    return frame
