"""The current data, kept up to date by difference instead of reloaded whole after every change.

``load_current`` (``storing.py``) reads every current row of the store: seconds at a million
rows. But a change touches few reports: an upload makes one version current (and the one it
replaces not), a revert swaps two. ``current_data`` therefore starts from data already held
(in the caller's memory, or in the store's columnar copy, below) and applies the difference:

1. In one read snapshot, the list of every stored version (id, unit, month, version, SHA-256,
   current or not) and the schema version are read: a few hundred rows.
2. The versions current now but not in the held data are *added* (their rows read with a
   ``WHERE report_version_id IN (...)``); the held rows of versions no longer current are
   *dropped*; the rows are put back in ``load_current``'s order (by unit and month as the
   database orders them, then as stored).
3. The whole store is read again instead when the difference cannot be trusted: nothing held,
   another schema version, a version id that vanished or now names another file (a restored
   backup), or when more than ``max_changed_share`` of the current versions changed.

This is exact because a stored version's rows never change: the rows of the store's current
data are the rows of its current versions, whoever wrote them (another process, the command
line). The result is always equal to ``load_current``'s (``tests/test_current.py`` checks it
over random sequences of uploads, replacements, reverts and nil reports).

**The columnar copy.** A fresh process (``python -m ytsupport status``) holds nothing. So the
current data, with its activities counted once, is also kept in one Arrow file beside the
SQLite database (``<database>.current.arrow``) or, for PostgreSQL, in the data folder
(``cache/current-<hash of the URL>.arrow``): created 0600 in a 0700 folder, like the database
(it holds the same personal data). The file records the versions it was made from, so it is
used exactly as held data is: as is when they are still the current ones, as the start of a
difference otherwise. A reader asking for it (``keep_copy``: the ``status`` command) writes the
new copy after a change (atomically: a temporary file renamed over the old one); the dashboard
only reads it when it starts. A copy that cannot be read is ignored.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, select

from ..files import PRIVATE_FILE, private_dir
from ..settings import get_settings
from . import tables as s
from .columnar import ColumnarReader, snapshot
from .conversion import Frames, typed
from .engine import sqlite_path
from .storing import _current_query, _reports_frame, _reports_query

VERSIONS = "_versions"  # the key, in held data, of the versions the rows were read from
COUNTED_ROWS = "_counted_rows"  # which activity row each counted activity is (the copy keeps only that)
COUNTED = "activities_counted"  # plan.activities.COUNTED: the activities counted once (store cannot import plan)
FORMAT = 1  # the copy's layout; a copy of another layout is ignored
MAX_CHANGED_SHARE = 0.25


# ---------------------------------------------------------------------------------------------
# The versions a set of rows was read from


def _versions_query() -> Any:
    rv = s.report_versions
    return select(rv.c.id, rv.c.unit, rv.c.period, rv.c.version, rv.c.sha256, rv.c.is_current).order_by(rv.c.id)


def _read_versions(reader: ColumnarReader) -> pd.DataFrame:
    """Every stored version (id, unit, period, version, sha256, is_current), the schema version in
    ``attrs``."""
    versions = typed(reader.frame(_versions_query()), extra={"id": "int64", "version": "int64", "is_current": "bool"})
    schema = reader.frame(select(s.meta.c.value).where(s.meta.c.key == s.SCHEMA_VERSION_KEY))
    versions.attrs["schema_version"] = int(schema["value"].iloc[0]) if len(schema) else 0
    return versions


def _current_ids(versions: pd.DataFrame) -> set[int]:
    return set(versions.loc[versions["is_current"], "id"].tolist())


def _same_store(held: pd.DataFrame, now: pd.DataFrame) -> bool:
    """Whether ``now`` can have grown from ``held``: same schema, and every held version id still
    names the same unit, month, version and file (a restored backup may reuse ids otherwise)."""
    if held.attrs.get("schema_version") != now.attrs.get("schema_version"):
        return False
    columns = ["unit", "period", "version", "sha256"]
    before = held.set_index("id")[columns].astype(str)
    after = now.set_index("id")[columns].reindex(before.index)
    return not after.isna().any(axis=None) and bool((before == after.astype(str)).all(axis=None))


# ---------------------------------------------------------------------------------------------
# The difference


def _order(version_ids: np.ndarray, reports: pd.DataFrame) -> np.ndarray:
    """The permutation putting rows (given their version ids) in ``load_current``'s order: by
    (unit, month) in the order the database sorts them (that of ``reports``, read in the same
    snapshot), then as they were."""
    pairs = pd.MultiIndex.from_frame(reports[["unit", "period"]])
    rank_of_pair = pd.Series(np.arange(len(pairs)), index=pairs).groupby(level=[0, 1], sort=False).min()
    rank = pd.Series(rank_of_pair.reindex(pairs).to_numpy(), index=reports["report_version_id"].to_numpy())
    return np.argsort(rank.reindex(version_ids).to_numpy(), kind="stable")


@dataclass(frozen=True)
class _Moved:
    """Where each row of the new activities came from: ``held_position``, its position in the held
    activities (-1: a row of an added version); ``dropped``: which held rows were dropped."""

    held_position: np.ndarray
    dropped: np.ndarray


def _apply_difference(reader: ColumnarReader, held: Mapping[str, pd.DataFrame], added: set[int],
                      dropped: set[int], reports: pd.DataFrame) -> tuple[Frames, _Moved]:
    """The held rows without those of ``dropped`` versions, plus the rows of ``added`` ones, in
    ``load_current``'s order; and where the activities' rows came from."""
    data: Frames = {}
    moved = None
    for kind in s.ROW_KINDS:
        frame = held[kind]
        gone = frame["report_version_id"].isin(list(dropped)).to_numpy()
        new = typed(reader.frame(_current_query(kind, s.TABLES[kind].c.report_version_id.in_(sorted(added)))), kind,
                    extra={"report_version_id": "int64"}) if added else frame.iloc[:0]
        # row i of the result is row rows[i] of the held rows followed by the new ones
        rows = np.r_[np.flatnonzero(~gone), len(frame) + np.arange(len(new))]
        rows = rows[_order(np.r_[frame["report_version_id"].to_numpy(), new["report_version_id"].to_numpy()][rows],
                           reports)]
        data[kind] = _stacked(frame, new, rows)
        if kind == "activities":
            moved = _Moved(np.where(rows < len(frame), rows, -1), gone)
    assert moved is not None
    return data, moved


def _stacked(first: pd.DataFrame, second: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Rows ``rows`` of ``first`` followed by ``second`` (same columns and dtypes), column by column:
    ``pd.concat`` would look at every value of a column that is empty in both (seconds at 1M rows).

    After a change ``rows`` is a few long runs (the held rows in order, the new version's rows
    where they belong): each column is then one copy of those slices, not a concatenation followed
    by a gather."""
    if not len(second) and len(rows) == len(first) and (rows == np.arange(len(rows))).all():
        return first
    same_types = all(first[name].dtype == second[name].dtype for name in first.columns)
    runs = _runs(rows, len(first)) if same_types else None
    columns = {}
    for name in first.columns:
        a, b = first[name], second[name]
        if runs is not None:
            slices = [(a if lo < len(first) else b).array[lo - (0 if lo < len(first) else len(first)):
                                                         hi - (0 if lo < len(first) else len(first))]
                      for lo, hi in runs]
            columns[name] = _joined(slices, a.array)
        elif isinstance(a.dtype, np.dtype) and a.dtype == b.dtype:
            values = np.concatenate([a.to_numpy(), b.to_numpy()]) if len(b) else a.to_numpy()
            columns[name] = values.take(rows)
        else:  # pandas' own types (nullable integers, floats): concatenated by their type
            columns[name] = (pd.concat([a, b], ignore_index=True) if len(b) else a).array.take(rows)
    return _frame_of(columns)


def _runs(rows: np.ndarray, split: int, most: int = 256) -> list[tuple[int, int]] | None:
    """``rows`` as ranges [lo, hi) of consecutive positions, none crossing ``split`` (where the
    second frame starts); None when there are more than ``most`` of them."""
    if not len(rows):
        return []
    breaks = np.flatnonzero((np.diff(rows) != 1) | (rows[1:] == split)) + 1
    if len(breaks) >= most:
        return None
    starts, ends = np.r_[0, breaks], np.r_[breaks, len(rows)]
    return [(int(rows[i]), int(rows[j - 1]) + 1) for i, j in zip(starts, ends)]


def _joined(slices: list[Any], like: Any) -> Any:
    """The column of these slices in order (numpy arrays or pandas extension arrays), one copy."""
    if isinstance(like, pd.arrays.NumpyExtensionArray):
        return np.concatenate([piece.to_numpy() for piece in slices]) if slices else like.to_numpy()[:0]
    return type(like)._concat_same_type(slices) if slices else like[:0]


def _frame_of(columns: Mapping[str, Any]) -> pd.DataFrame:
    """A DataFrame of these column arrays, without a copy: ``pd.DataFrame(dict)`` would first copy
    the text columns into one 2-D block (about a second at 1M rows)."""
    if not columns:
        return pd.DataFrame()
    return pd.concat([pd.Series(values, name=name, copy=False) for name, values in columns.items()], axis=1,
                     copy=False)


def _counted(activities: pd.DataFrame, count_once: Callable[[pd.DataFrame], pd.DataFrame]
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``count_once(activities)``, and the position in ``activities`` of each of its rows with its
    ``times_reported`` (from which ``_recounted`` rebuilds it without counting again)."""
    positions = pd.Series(np.arange(len(activities), dtype=np.int64), index=activities.index, name="_position")
    once = count_once(pd.concat([activities, positions], axis=1, copy=False))
    rows = pd.DataFrame({"position": once.pop("_position").astype("int64"),
                         "times_reported": once["times_reported"].astype("int64")})
    return once, rows


def _recounted(activities: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The activities counted once, from the kept rows' positions (``_counted``)."""
    once = activities.take(rows["position"].to_numpy())
    once.index = pd.RangeIndex(len(once))  # a new frame: renumbered in place, not copied again
    once["times_reported"] = rows["times_reported"].to_numpy()
    return once


def _recount(activities: pd.DataFrame, held: Mapping[str, pd.DataFrame], moved: _Moved,
             count_once: Callable[[pd.DataFrame], pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``_counted(activities)`` computed from the held count: only the activities sharing a day and
    an activity type with an added or dropped row are counted again.

    Exact, because rows merged into one activity share its day and type (docs/plan-file.md §3), so
    the other activities keep their rows, kept row and number of reports; their order is
    ``count_once``'s: by day, then type, then people served (most first), then row position.
    """
    before = held["activities"]
    day = activities["date"].dt.normalize()  # the day an activity is matched on (a datetime64 column)
    added = moved.held_position < 0
    touched_days = np.r_[day.to_numpy()[added], before["date"].dt.normalize().to_numpy()[moved.dropped]]
    touched_types = np.r_[activities["activity_type"].to_numpy()[added],
                          before["activity_type"].to_numpy()[moved.dropped]]
    affected = (day.isin(pd.unique(touched_days))
                & activities["activity_type"].isin(pd.unique(touched_types))).to_numpy()
    now_of_held = np.full(len(before), -1, dtype=np.int64)
    survived = moved.held_position >= 0
    now_of_held[moved.held_position[survived]] = np.flatnonzero(survived)
    old_rows = held[COUNTED_ROWS]
    now = now_of_held[old_rows["position"].to_numpy()]
    keep = now >= 0
    keep[keep] = ~affected[now[keep]]
    subset = np.flatnonzero(affected)
    _, again = _counted(activities.take(subset), count_once)
    kept = (now[keep], old_rows["times_reported"].to_numpy()[keep])
    recounted = (subset[again["position"].to_numpy()], again["times_reported"].to_numpy())
    positions, times = _in_count_order(activities, day, kept, recounted)
    rows = pd.DataFrame({"position": positions, "times_reported": times})
    return _recounted(activities, rows), rows


def _in_count_order(activities: pd.DataFrame, day: pd.Series, kept: tuple[np.ndarray, np.ndarray],
                    recounted: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The kept and the recounted activities (positions, times reported) in ``count_once``'s order:
    by day, type, people served (most first), position.

    The kept ones are already in that order (the held rows keep their order in the new frames)
    and share no day and type with the recounted ones, so the few recounted are sorted and
    inserted where their day and type belong: no sort of a million rows. When the kept ones are
    found out of order (or a day is missing), everything is sorted instead.
    """
    names = sorted(set(activities["activity_type"].dropna().unique()))
    type_code = pd.Categorical(activities["activity_type"], categories=names).codes.astype(np.int64)
    day_number = day.to_numpy().astype("datetime64[D]").astype(np.int64)
    people = activities["people_served"].astype("Float64").fillna(-1).to_numpy(dtype=float)

    def keys(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return day_number[positions] * (len(names) + 1) + type_code[positions] + 1, -people[positions], positions

    (k_pos, k_times), (r_pos, r_times) = kept, recounted
    r_group, r_people, _ = keys(r_pos)
    r_order = np.lexsort((r_pos, r_people, r_group))
    r_pos, r_times, r_group = r_pos[r_order], r_times[r_order], r_group[r_order]
    k_group, k_people, _ = keys(k_pos)
    if not day.isna().any() and _ascending(k_group, k_people, k_pos):
        at = np.searchsorted(k_group, r_group, side="left")
        return np.insert(k_pos, at, r_pos), np.insert(k_times, at, r_times)
    positions, times = np.r_[k_pos, r_pos], np.r_[k_times, r_times]
    types = pd.factorize(activities["activity_type"].to_numpy()[positions], sort=True)[0]
    order = np.lexsort((positions, -people[positions], types, day.to_numpy()[positions]))
    return positions[order], times[order]


def _ascending(*columns: np.ndarray) -> bool:
    """Whether the rows of these key columns are in strictly ascending lexicographic order."""
    if len(columns[0]) < 2:
        return True
    after = np.zeros(len(columns[0]) - 1, dtype=bool)  # row i+1 already known to come after row i
    tied = np.ones(len(columns[0]) - 1, dtype=bool)
    for column in columns:
        after |= tied & (column[1:] > column[:-1])
        tied &= column[1:] == column[:-1]
    return bool(after.all())


def _full(reader: ColumnarReader) -> Frames:
    return {kind: typed(reader.frame(_current_query(kind)), kind, extra={"report_version_id": "int64"})
            for kind in s.ROW_KINDS}


def current_data(engine: Engine, held: Mapping[str, pd.DataFrame] | None = None, *,
                 count_once: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                 max_changed_share: float = MAX_CHANGED_SHARE, keep_copy: bool = True) -> Frames:
    """The store's current data: what ``load_current`` returns, plus ``VERSIONS`` (the versions it
    was read from, for the next call) and, with ``count_once``, the activities counted once
    (``COUNTED``: ``count_once(activities)``, taken from ``held`` when the data did not change).

    ``held``: a previous result of this function (None: the columnar copy, if any, is used).
    The difference from it is applied when the store can tell it (see the module's docstring),
    else everything is read. ``keep_copy``: write the columnar copy when it is out of date.
    Database errors propagate; a columnar copy that cannot be read or written is ignored.
    """
    if held is None:
        held = read_copy(engine)
    with snapshot(engine) as reader:
        versions = _read_versions(reader)
        reports = _reports_frame(reader.frame(_reports_query()))
        old = held.get(VERSIONS) if held else None
        now_ids = _current_ids(versions)
        if old is None or not _same_store(old, versions):
            data, changed = _full(reader), True
        else:
            old_ids = _current_ids(old)
            added, dropped = now_ids - old_ids, old_ids - now_ids
            changed = bool(added or dropped)
            if len(added) + len(dropped) > max_changed_share * max(len(now_ids), 1):
                data = _full(reader)
            elif not changed:
                data = {key: held[key] for key in (*s.ROW_KINDS, COUNTED, COUNTED_ROWS) if key in held}
            else:
                data, moved = _apply_difference(reader, held, added, dropped, reports)
                if count_once is not None and held.get(COUNTED_ROWS) is not None:
                    data[COUNTED], data[COUNTED_ROWS] = _recount(data["activities"], held, moved, count_once)
    data["reports"] = reports
    data[VERSIONS] = versions
    if count_once is not None and COUNTED not in data:
        data[COUNTED], data[COUNTED_ROWS] = _counted(data["activities"], count_once)
    if keep_copy and (changed or held is None or (count_once is not None and COUNTED not in held)):
        write_copy(engine, data)
    return data


# ---------------------------------------------------------------------------------------------
# The columnar copy


def copy_path(engine: Engine) -> Path:
    """Where the store's columnar copy lives: beside the SQLite file, or in the data folder."""
    path = sqlite_path(engine.url)
    if path is not None:
        return path.with_name(path.name + ".current.arrow")
    url = engine.url.render_as_string(hide_password=True)
    return get_settings().data_dir / "cache" / f"current-{hashlib.sha256(url.encode()).hexdigest()[:20]}.arrow"


def _column(series: pd.Series) -> pa.Array:
    """One column as Arrow: text as a dictionary (each distinct text once), the rest as is."""
    if series.dtype == object:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0, type=pa.int32()),
                                              pa.array(uniques, type=pa.string()))
    return pa.array(series, from_pandas=True)


def _valid(array: pa.Array) -> np.ndarray | None:
    """Which values of ``array`` are not null, from its validity bitmap (None: no nulls)."""
    if not array.null_count:
        return None
    bits = np.unpackbits(np.frombuffer(array.buffers()[0], dtype=np.uint8), bitorder="little")
    return bits[array.offset:array.offset + len(array)].astype(bool)


def _values(array: pa.Array, numpy_type: Any) -> np.ndarray:
    """The fixed-width values of ``array`` as they are in its buffer (nulls hold whatever is there):
    no compute kernel (``fill_null`` costs a few ms per column, more in a fresh process)."""
    return np.frombuffer(array.buffers()[1], dtype=numpy_type)[array.offset:array.offset + len(array)]


def _series(column: pa.ChunkedArray, dtype: str) -> pd.Series:
    """The pandas column written by ``_column`` (``dtype``: its pandas dtype)."""
    column = column.combine_chunks()
    if pa.types.is_dictionary(column.type):
        texts = np.append(column.dictionary.to_numpy(zero_copy_only=False), None)
        codes = _values(column.indices, column.indices.type.to_pandas_dtype())
        valid = _valid(column.indices)
        if valid is not None:
            codes = np.where(valid, codes, -1)  # -1 takes the None appended last
        return pd.Series(texts[codes], dtype=object)
    if dtype in _MASKED and column.type == pa.from_numpy_dtype(_MASKED_NUMPY[dtype]):
        values = _values(column, _MASKED_NUMPY[dtype]).copy()  # pandas may write into its arrays
        valid = _valid(column)
        mask = np.zeros(len(column), dtype=bool) if valid is None else ~valid
        values[mask] = 0
        return pd.Series(_MASKED[dtype](values, mask))
    return column.to_pandas(date_as_object=False).astype(dtype)


_MASKED = {"Int64": pd.arrays.IntegerArray, "Float64": pd.arrays.FloatingArray}
_MASKED_NUMPY = {"Int64": np.int64, "Float64": np.float64}


def _table(frame: pd.DataFrame) -> pa.Table:
    table = pa.table({name: _column(frame[name]) for name in frame.columns})
    metadata = {"dtypes": "\x1f".join(str(t) for t in frame.dtypes)}
    if "schema_version" in frame.attrs:
        metadata["schema_version"] = str(frame.attrs["schema_version"])
    return table.replace_schema_metadata(metadata)


def _frame(table: pa.Table) -> pd.DataFrame:
    metadata = table.schema.metadata or {}
    dtypes = metadata.get(b"dtypes", b"").decode().split("\x1f")
    frame = _frame_of({name: _series(table.column(name), dtype) for name, dtype in zip(table.column_names, dtypes)})
    if b"schema_version" in metadata:
        frame.attrs["schema_version"] = int(metadata[b"schema_version"])
    return frame


_KINDS_KEPT = (*s.ROW_KINDS, COUNTED_ROWS, VERSIONS)


def write_copy(engine: Engine, data: Mapping[str, pd.DataFrame]) -> Path | None:
    """Write ``data`` (a ``current_data`` result) as the store's columnar copy; the path, or None
    when it could not be written (a read-only folder, a value Arrow cannot hold)."""
    path = copy_path(engine)
    parts = {key: data[key] for key in _KINDS_KEPT if data.get(key) is not None}
    try:
        private_dir(path.parent)
        tables = {key: _table(frame) for key, frame in parts.items()}
        outer = pa.table({key: _one_value(_ipc_bytes(table)) for key, table in tables.items()})
        outer = outer.replace_schema_metadata({"format": str(FORMAT)})
        fd, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
        try:
            os.fchmod(fd, PRIVATE_FILE)
            with os.fdopen(fd, "wb") as out, pa.ipc.new_file(out, outer.schema) as writer:
                writer.write_table(outer)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except (OSError, pa.ArrowException, ValueError, TypeError):
        return None
    return path


def _ipc_bytes(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _one_value(buffer: pa.Buffer) -> pa.Array:
    """A one-value binary column holding ``buffer`` (no copy of its bytes)."""
    offsets = pa.py_buffer(np.array([0, buffer.size], dtype=np.int64).tobytes())
    return pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buffer])


def read_copy(engine: Engine) -> Frames | None:
    """The store's columnar copy as held data for ``current_data``; None when there is none or it
    cannot be read (it is then rebuilt from the database)."""
    path = copy_path(engine)
    try:
        with pa.memory_map(str(path)) as source:
            outer = pa.ipc.open_file(source).read_all()
        if (outer.schema.metadata or {}).get(b"format") != str(FORMAT).encode():
            return None
        data = {key: _frame(pa.ipc.open_stream(outer.column(key)[0].as_buffer()).read_all())
                for key in outer.column_names}
        if not all(key in data for key in (*s.ROW_KINDS, VERSIONS)):
            return None
        if COUNTED_ROWS in data:
            data[COUNTED] = _recounted(data["activities"], data[COUNTED_ROWS])
    except (OSError, pa.ArrowException, ValueError, KeyError, TypeError, IndexError):
        return None
    return data
