"""The public entry: read a report file safely and check it, returning a ``Report`` (never raising)."""
from __future__ import annotations

import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..settings import Limits, get_settings, installation_secret
from ..legacy import LABELS as LEGACY_LABELS
from ..text import fold
from ..vocab import UnitRegistry
from . import checks
from .issue_cap import IssueCollector
from .identify import identify
from .locate import header_labels, is_empty, kind_from_name, map_columns, sheet_kind
from .messages import SKIP_REASONS, severity_of
from .records import KINDS, Kind, RawSheet, RawWorkbook, Report, SheetResult
from .rows import classify_filled, filled_matrix, fold_arrow
from .columns import sheet_specs

BREAKDOWNS = ("disabled", "orphans", "elderly")
COUNTS = {"people_served", "disabled", "orphans", "elderly", "volunteers"}


@dataclass(frozen=True)
class PlanWindow:
    """The plan's period: dates outside it are errors; its last year bounds birth years."""

    start: pd.Timestamp
    end: pd.Timestamp


def default_window() -> PlanWindow:
    """The configured plan's period (``period.start``/``period.end`` of the plan file), else 2021."""
    path = get_settings().plan_file
    try:
        stat = path.stat()
        return _plan_window(str(path), stat.st_mtime_ns, stat.st_size)
    except Exception:  # noqa: BLE001 - a missing or odd plan file falls back to the 2021 plan
        return PlanWindow(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"))


def window_for(period: str | None, plan_file: Path | None = None) -> PlanWindow:
    """The period of the plan that holds the report month ``period``: ``plan_file`` (``--plan``),
    the configured plan or a plan of ``ytsupport/plans``, in that order; the configured plan's
    when none holds it (``ingest`` then refuses the report, naming the plans' periods)."""
    from ..settings import PLANS_DIR

    candidates = [p for p in (plan_file, get_settings().plan_file) if p is not None] + sorted(PLANS_DIR.glob("*.yaml"))
    month = pd.Timestamp(f"{period}-01") if period and re.fullmatch(r"\d{4}-\d{2}", period) else None
    for path in candidates if month is not None else []:
        try:
            stat = path.stat()
            window = _plan_window(str(path), stat.st_mtime_ns, stat.st_size)
        except Exception:  # noqa: BLE001 - a missing or odd plan file holds no month
            continue
        if window.start.to_period("M") <= month.to_period("M") <= window.end.to_period("M"):
            return window
    return default_window()


@lru_cache(maxsize=8)
def _plan_window(path: str, _mtime_ns: int, _size: int) -> PlanWindow:
    """The plan file's period, parsed once per version of the file (YAML parsing costs ~0.1 s)."""
    import yaml

    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    period = raw.get("period", {})
    return PlanWindow(pd.Timestamp(period["start"]), pd.Timestamp(period["end"]))


def validate_file(path: str | Path, unit: str | None = None, period: str | None = None,
                  lang: str = "vi", limits: Limits | None = None, file_name: str | None = None,
                  plan_file: Path | None = None, units: UnitRegistry | None = None) -> Report:
    """Read ``path`` in the isolated worker and check it. ``unit``/``period`` override detection;
    dates are checked against the period of the plan holding the report's month (``window_for``);
    ``units``: the units the report may name (``identify``)."""
    from .worker import read_isolated

    path = Path(path)
    limits = limits or get_settings().limits
    with ThreadPoolExecutor(max_workers=1) as pool:  # hashing (GIL released) overlaps the worker's read
        digest = pool.submit(file_sha256, path)
        raw = read_isolated(path, limits, materialise=False)
        sha256 = digest.result()
    return _check_workbook(raw, path, unit, period, limits, None, file_name, sha256, consume=True,
                           plan_file=plan_file, units=units)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def validate_raw(raw: RawWorkbook, path: Path, unit: str | None = None, period: str | None = None,
                 limits: Limits | None = None, window: PlanWindow | None = None,
                 file_name: str | None = None, units: UnitRegistry | None = None) -> Report:
    """Check a workbook already read: identify unit and month, parse and check each report sheet."""
    return _check_workbook(raw, path, unit, period, limits, window, file_name, file_sha256(path), consume=False,
                           units=units)


def _check_workbook(raw: RawWorkbook, path: Path, unit: str | None, period: str | None, limits: Limits | None,
                    window: PlanWindow | None, file_name: str | None, sha256: str, consume: bool,
                    plan_file: Path | None = None, units: UnitRegistry | None = None) -> Report:
    """``validate_raw``; with ``consume`` each sheet's rows are let go once checked (``raw`` is ours)."""
    limits = limits or get_settings().limits
    name = file_name or path.name
    report = Report(str(path), name, sha256, unit, period)
    issues = IssueCollector(limits.max_issues)
    issues.extend(raw.issues)
    if any(i.severity == "error" for i in raw.issues):
        report.status, report.issues = "unreadable", issues.issues([])
        return report
    if not any(sheet_kind(s) is not None or kind_from_name(s.name) == "info" for s in raw.sheets):
        # not a report at all (a timetable, a list): one plain message, not a unit/month puzzle
        issues.add("no_report_sheet", sheets=", ".join(f"'{s.name}'" for s in raw.sheets) or "-")
        report.status, report.issues = "invalid", issues.issues([s.name for s in raw.sheets])
        return report
    report.unit, report.period = identify(raw.sheets, Path(name), issues, unit, period, units)
    window = window or window_for(report.period, plan_file)
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in KINDS}
    for sheet in raw.sheets:
        _note_legacy(sheet, issues)
        sheet.materialise()  # one sheet's pandas frame at a time
        kind = sheet_kind(sheet)
        named = kind_from_name(sheet.name)
        if kind is None:
            if named in KINDS and _has_content(sheet):
                issues.add("header_not_found", sheet.name, None, None, expected=_expected(named))
            continue
        if sheet.data is None:
            if _has_content(sheet):
                issues.add("header_not_found", sheet.name, None, None, expected=_expected(kind))
            continue
        frame, result = check_sheet(sheet, kind, report.period, window, issues)
        if consume:
            sheet.release()
        frames[kind].append(frame)
        report.sheets.append(result)
    _check_duplicate_people(frames["beneficiaries"], issues)
    report.issues = issues.issues([s.name for s in raw.sheets])
    report.status = "invalid" if issues.has_errors else "ok"
    report.frames = {k: _valid_rows(v, report.status == "ok") for k, v in frames.items() if v}
    return report


def _note_legacy(sheet: RawSheet, issues: IssueCollector) -> None:
    """A ``legacy_encoding`` warning for a sheet whose text was converted from TCVN3 or VNI-Windows."""
    tally = sheet.legacy
    if tally is None or not tally.converted or tally.encoding is None:
        return
    before, after = tally.example or ("", "")
    issues.add("legacy_encoding", sheet.name, None, None, encoding=LEGACY_LABELS[tally.encoding],
               count=tally.converted, before=before.replace("\xad", "\u2010"), after=after)


def _valid_rows(frames: list[pd.DataFrame], all_valid: bool) -> pd.DataFrame:
    """The checked frames of one kind as one frame without its ``_bad`` column (bad rows left out)."""
    frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    bad = frame.pop("_bad")  # in place: the frame is this check's own
    return frame if all_valid else frame[~bad.to_numpy(dtype=bool)]


def _expected(kind: str) -> str:
    return ", ".join(c.header_vi for c in sheet_specs()[kind].required)  # type: ignore[index]


def _has_content(sheet: RawSheet) -> bool:
    return any(not is_empty(v) for row in sheet.top for v in row)


def check_sheet(sheet: RawSheet, kind: Kind, period: str | None, window: PlanWindow,
                issues: IssueCollector) -> tuple[pd.DataFrame, SheetResult]:
    """Parse and check one report sheet; the frame keeps every data row, ``_bad`` marking errors."""
    spec = sheet_specs()[kind]
    labels = header_labels(sheet)
    cmap = map_columns(labels, kind)
    header_row = sheet.first_row + sheet.header_rows[0]
    for _, label in cmap.unknown:
        issues.add("unknown_column", sheet.name, header_row, label)
    for col in spec.required:
        if col.key not in cmap.columns:
            issues.add("missing_column", sheet.name, header_row, col.header_vi)
    data = sheet.data if sheet.data is not None else pd.DataFrame()
    excel_rows = np.arange(len(data)) + (sheet.data_first_row or header_row + len(sheet.header_rows))
    texts = sheet.texts
    filled = filled_matrix(data, texts) if len(data) else np.zeros((0, data.shape[1]), dtype=bool)
    row_kind = classify_filled(data, cmap.numbering, filled).to_numpy()
    for reason in ("blank", "total", "group", "example"):
        skipped = excel_rows[row_kind == reason]
        issues.add_rows("skipped_row", sheet.name, skipped, None, reason_pair=SKIP_REASONS[reason])
    keep = row_kind == "data"
    if not keep.all():  # most sheets: every row below the header is data, and nothing is copied
        data, filled, excel_rows = data[keep].reset_index(drop=True), filled[keep], excel_rows[keep]
        texts = {j: strings.filter(pa.array(keep)) for j, strings in texts.items()}
    ctx = checks.Context(period, window.start, window.end, issues, np.zeros(len(data), dtype=bool))
    columns: dict[str, object] = {"sheet": sheet.name, "row": excel_rows}
    for col in spec.columns:
        pos = cmap.columns.get(col.key)
        present = pos is not None and pos < data.shape[1]
        values = data.iloc[:, pos] if present else pd.Series([None] * len(data), dtype=object)
        column = checks.Column(col.key, cmap.labels.get(col.key, col.header_vi), _positional(values),
                               excel_rows, sheet.name, col.required and pos is not None,
                               filled[:, pos] if present else None, texts.get(pos) if present else None)
        columns[col.key] = _parse(ctx, column, col.type).to_numpy()
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(data)))
    _finish(kind, frame, ctx, cmap.labels)
    frame["_bad"] = ctx.bad
    result = SheetResult(sheet.name, kind, len(frame), int((~ctx.bad).sum()), header_row)
    return frame, result


def _positional(values: pd.Series) -> pd.Series:
    """``values.reset_index(drop=True)``, without a copy when the index is already 0..n-1."""
    index = values.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return values
    return values.reset_index(drop=True)


def _parse(ctx: checks.Context, column: checks.Column, kind: str) -> pd.Series:
    if kind == "date":
        return checks.parse_date(ctx, column)
    if kind == "count":
        return _nullable(checks.parse_number(ctx, column, integer=True), "Int64")
    if kind == "money":
        return _nullable(checks.parse_number(ctx, column, integer=False).round(), "Float64")
    if kind == "quantity":
        return checks.parse_number(ctx, column, integer=False, positive=True)
    if kind == "year":
        return _nullable(checks.parse_year(ctx, column), "Int64")
    if kind == "yes_no":
        return checks.parse_yes_no(ctx, column)
    if kind == "district":
        return checks.parse_district(ctx, column)
    if kind == "categories":
        return checks.parse_categories(ctx, column)
    if kind.startswith("code:"):
        return checks.parse_code(ctx, column, kind.split(":", 1)[1])
    return checks.parse_text(ctx, column)


def _nullable(numbers: pd.Series, dtype: str) -> pd.Series:
    """``numbers.astype(dtype)`` for a float column, ``dtype`` "Int64" or "Float64" (NaN: missing),
    built from the numpy values: pandas' own conversion costs ~15x more (5 ms per 50,000 cells).
    A column astype would refuse as "Int64" (a fraction, an infinity, beyond int64) goes through
    astype, which then decides as before."""
    values = numbers.to_numpy(dtype=np.float64)
    missing = np.isnan(values)
    if dtype == "Float64":
        return pd.Series(pd.arrays.FloatingArray(values, missing), index=numbers.index, name=numbers.name)
    present = values[~missing]
    ints = np.where(missing, 0, values)
    if not (np.isfinite(present).all() and np.abs(present).max(initial=0) < 2.0 ** 63):
        return numbers.astype(dtype)
    ints = ints.astype(np.int64)
    if not (ints[~missing] == present).all():
        return numbers.astype(dtype)
    return pd.Series(pd.arrays.IntegerArray(ints, missing), index=numbers.index, name=numbers.name)


def _finish(kind: Kind, frame: pd.DataFrame, ctx: checks.Context, labels: dict[str, str]) -> None:
    """Cross-field checks and derived columns of each kind."""
    if kind == "activities":
        from ..vocab import reference

        frame["at_centre"] = reference().centre_mask(frame["location"].fillna("")).to_numpy(dtype=bool)
        _check_breakdowns(frame, ctx, labels)
    elif kind == "beneficiaries":
        frame[PERSON_BASIS] = person_bases(frame)
        frame.rename(columns={"category": "categories"}, inplace=True)


def _check_breakdowns(frame: pd.DataFrame, ctx: checks.Context, labels: dict[str, str]) -> None:
    total = frame["people_served"].astype("Float64")
    parts = []
    for key in BREAKDOWNS:
        part = frame[key].astype("Float64")
        over = (part > total).fillna(False).to_numpy(dtype=bool)
        if over.any():
            _add_per_row(ctx.issues, "breakdown_exceeds_total", frame["sheet"].iat[0], labels.get(key, key),
                         frame["row"].to_numpy()[over], part[over], total[over])
            ctx.bad |= over
        parts.append(part.fillna(0))
    summed = sum(parts)
    overlap = ((summed > total) & ~pd.Series(ctx.bad)).fillna(False).to_numpy(dtype=bool)
    if overlap.any():
        _add_per_row(ctx.issues, "breakdowns_overlap", frame["sheet"].iat[0], None,
                     frame["row"].to_numpy()[overlap], summed[overlap], total[overlap])


def _add_per_row(issues: IssueCollector, code: str, sheet: str, column: str | None, rows: np.ndarray,
                 values: pd.Series, totals: pd.Series) -> None:
    """One issue per row with its value and total, built only for the rows the collector keeps."""
    room = max(0, issues.cap - len(issues.kept[severity_of(code)]))
    for row, value, tot in zip(rows[:room], values.iloc[:room], totals.iloc[:room]):
        issues.add(code, sheet, int(row), column, value=int(value), total=int(tot))
    issues.total[severity_of(code)] += max(0, len(rows) - room)


PERSON_BASIS = "person_basis"  # who a beneficiaries row is, before keying (never stored)


def person_bases(frame: pd.DataFrame) -> pd.Series:
    """Who each row is, for matching: from ``person_id`` when given, else from the folded name,
    birth year and district, so that the same person surveyed by two units matches.

    Names and ids are folded once per distinct value. Rows with equal bases are one person
    (duplicates within a file are found on them); :func:`with_person_keys` turns the bases into
    the keys that are stored.
    """
    basis = _folded(frame["person_id"], "id|", None)
    if basis.null_count:
        name = _folded(frame["full_name"], "", "")
        year = pc.fill_null(pc.cast(pa.array(frame["birth_year"].astype("Int64"), type=pa.int64()), pa.string()), "")
        district = pa.array(frame["district"].fillna("").astype(str).to_numpy(dtype=object), type=pa.string())
        basis = pc.coalesce(basis, pc.binary_join_element_wise(name, year, district, "|"))
    return pd.Series(basis.to_numpy(zero_copy_only=False), index=frame.index, name=PERSON_BASIS, dtype=object)


def with_person_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The beneficiaries with ``person_key`` (a pseudonymous key per person) in place of their bases.

    The key is an HMAC-SHA256 of the basis with the installation's secret, so it is stable and
    cannot be reversed by guessing names; made when storing (checking a file needs only the
    bases), once per distinct basis. A frame without bases (keys already made) is returned as is.
    """
    if PERSON_BASIS not in frame:
        return frame
    encoded = pa.array(frame[PERSON_BASIS].to_numpy(dtype=object), type=pa.string()).dictionary_encode()
    keyed = _hmac_sha256(installation_secret())
    keys = np.array([keyed(b.encode("utf-8"))[:32] for b in encoded.dictionary.to_pylist()], dtype=object)
    return frame.drop(columns=[PERSON_BASIS]).assign(
        person_key=pd.Series(keys[encoded.indices.to_numpy()], index=frame.index, dtype=object))


def _hmac_sha256(secret: bytes) -> Callable[[bytes], str]:
    """``lambda m: hmac.new(secret, m, sha256).hexdigest()``, with the keyed pads hashed once (RFC 2104)."""
    key = hashlib.sha256(secret).digest() if len(secret) > 64 else secret
    key = key.ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def digest(message: bytes) -> str:
        h = inner.copy()
        h.update(message)
        o = outer.copy()
        o.update(h.digest())
        return o.hexdigest()
    return digest


def _folded(values: pd.Series, prefix: str, empty: str | None) -> pa.Array:
    """``prefix + fold(v)`` for each truthy cell, ``empty`` for the others (None, "", 0...), as Arrow text.

    Text cells are folded once per distinct value (ASCII ones by Arrow, see ``fold_arrow``); a
    column holding anything else (numbers, NaN) takes the cell-by-cell way, whose results can
    differ between values that compare equal.
    """
    try:
        strings = pa.array(values.to_numpy(dtype=object), type=pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        cells = values.map(lambda v: prefix + fold(v) if v else empty)
        return pa.array(cells.to_numpy(dtype=object), type=pa.string())
    encoded = strings.dictionary_encode()
    words = encoded.dictionary
    table = pc.if_else(pc.equal(words, ""), pa.scalar(empty, pa.string()),
                       pc.binary_join_element_wise(prefix, fold_arrow(words), ""))
    folded = table.take(encoded.indices)
    return folded if empty is None else pc.fill_null(folded, empty)


def _check_duplicate_people(frames: list[pd.DataFrame], issues: IssueCollector) -> None:
    if not frames:
        return
    needed = ["sheet", "row", "full_name", "birth_year", PERSON_BASIS]
    people = pd.concat([f[needed] for f in frames], ignore_index=True)
    people = people[people["full_name"].notna() & people["birth_year"].notna()]
    repeated = people.duplicated(PERSON_BASIS, keep="first")
    if not repeated.any():
        return
    first_rows = people.drop_duplicates(PERSON_BASIS).set_index(PERSON_BASIS)["row"]
    again = people[repeated]
    severity = severity_of("duplicate_person")
    shown = again.iloc[: max(0, issues.cap - len(issues.kept[severity]))]
    firsts = first_rows.reindex(shown[PERSON_BASIS]).to_numpy()
    for sheet, row, first in zip(shown["sheet"], shown["row"], firsts):
        issues.add("duplicate_person", sheet, int(row), None, first_row=int(first))
    issues.total[severity] += len(again) - len(shown)  # counted beyond the cap, as what they are
