"""The public entry: read a report file safely and check it, returning a ``Report`` (never raising)."""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..settings import Limits, get_settings, installation_secret
from ..text import fold
from . import checks
from .collect import IssueCollector
from .identify import identify
from .locate import header_labels, is_empty, kind_from_name, map_columns, sheet_kind
from .messages import SKIP_REASONS
from .model import KINDS, Kind, RawSheet, RawWorkbook, Report, SheetResult
from .rows import classify_rows
from .schema import sheet_specs

BREAKDOWNS = ("disabled", "orphans", "elderly")
COUNTS = {"people_served", "disabled", "orphans", "elderly", "volunteers"}


@dataclass(frozen=True)
class PlanWindow:
    """The plan's period: dates outside it are errors; its last year bounds birth years."""

    start: pd.Timestamp
    end: pd.Timestamp


def default_window() -> PlanWindow:
    """The configured plan's period (``period.start``/``period.end`` of the plan file), else 2021."""
    try:
        import yaml

        raw = yaml.safe_load(get_settings().plan_file.read_text(encoding="utf-8"))
        period = raw.get("period", {})
        return PlanWindow(pd.Timestamp(period["start"]), pd.Timestamp(period["end"]))
    except Exception:  # noqa: BLE001 - a missing or odd plan file falls back to the 2021 plan
        return PlanWindow(pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"))


def validate_file(path: str | Path, unit: str | None = None, period: str | None = None,
                  lang: str = "vi", limits: Limits | None = None, file_name: str | None = None) -> Report:
    """Read ``path`` in the isolated worker and check it. ``unit``/``period`` override detection."""
    from .worker import read_isolated

    path = Path(path)
    limits = limits or get_settings().limits
    raw = read_isolated(path, limits)
    return validate_raw(raw, path, unit=unit, period=period, limits=limits, file_name=file_name)


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
                 file_name: str | None = None) -> Report:
    """Check a workbook already read: identify unit and month, parse and check each report sheet."""
    limits = limits or get_settings().limits
    window = window or default_window()
    name = file_name or path.name
    report = Report(str(path), name, file_sha256(path), unit, period)
    issues = IssueCollector(limits.max_issues)
    issues.extend(raw.issues)
    if any(i.severity == "error" for i in raw.issues):
        report.status, report.issues = "unreadable", issues.issues([])
        return report
    stem_path = Path(name)
    report.unit, report.period = identify(raw.sheets, stem_path, issues, unit, period)
    frames: dict[str, list[pd.DataFrame]] = {k: [] for k in KINDS}
    found_any = False
    for sheet in raw.sheets:
        kind = sheet_kind(sheet)
        named = kind_from_name(sheet.name)
        found_any |= kind is not None or named == "info"
        if kind is None:
            if named in KINDS and _has_content(sheet):
                issues.add("header_not_found", sheet.name, None, None, expected=_expected(named))
            continue
        if sheet.data is None:
            if _has_content(sheet):
                issues.add("header_not_found", sheet.name, None, None, expected=_expected(kind))
            continue
        frame, result = check_sheet(sheet, kind, report.period, window, issues)
        frames[kind].append(frame)
        report.sheets.append(result)
    if not found_any:
        issues.add("no_report_sheet")
    _check_duplicate_people(frames["beneficiaries"], issues)
    report.frames = {k: pd.concat(v, ignore_index=True) for k, v in frames.items() if v}
    report.issues = issues.issues([s.name for s in raw.sheets])
    report.status = "invalid" if issues.has_errors else "ok"
    if report.status == "ok":
        report.frames = {k: f.drop(columns=["_bad"]) for k, f in report.frames.items()}
    else:
        report.frames = {k: f[~f["_bad"]].drop(columns=["_bad"]) for k, f in report.frames.items()}
    return report


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
    row_kind = classify_rows(data, cmap.numbering)
    for reason in ("blank", "total", "group", "example"):
        skipped = excel_rows[(row_kind == reason).to_numpy()]
        issues.add_rows("skipped_row", sheet.name, skipped, None, reason_pair=SKIP_REASONS[reason])
    keep = (row_kind == "data").to_numpy()
    data = data[keep].reset_index(drop=True)
    excel_rows = excel_rows[keep]
    ctx = checks.Context(period, window.start, window.end, issues, np.zeros(len(data), dtype=bool))
    frame = pd.DataFrame({"sheet": sheet.name, "row": excel_rows})
    for col in spec.columns:
        pos = cmap.columns.get(col.key)
        values = data.iloc[:, pos] if pos is not None and pos < data.shape[1] else pd.Series([None] * len(data), dtype=object)
        column = checks.Column(col.key, cmap.labels.get(col.key, col.header_vi), values.reset_index(drop=True),
                               excel_rows, sheet.name, col.required and pos is not None)
        frame[col.key] = _parse(ctx, column, col.type).to_numpy()
    _finish(kind, frame, ctx, cmap.labels)
    frame["_bad"] = ctx.bad
    result = SheetResult(sheet.name, kind, len(frame), int((~ctx.bad).sum()), header_row)
    return frame, result


def _parse(ctx: checks.Context, column: checks.Column, kind: str) -> pd.Series:
    if kind == "date":
        return checks.parse_date(ctx, column)
    if kind == "count":
        return checks.parse_number(ctx, column, integer=True).astype("Int64")
    if kind == "money":
        return checks.parse_number(ctx, column, integer=False).round().astype("Float64")
    if kind == "quantity":
        return checks.parse_number(ctx, column, integer=False, positive=True)
    if kind == "year":
        return checks.parse_year(ctx, column).astype("Int64")
    if kind == "yes_no":
        return checks.parse_yes_no(ctx, column)
    if kind == "district":
        return checks.parse_district(ctx, column)
    if kind == "categories":
        return checks.parse_categories(ctx, column)
    if kind.startswith("code:"):
        return checks.parse_code(ctx, column, kind.split(":", 1)[1])
    return checks.parse_text(ctx, column)


def _finish(kind: Kind, frame: pd.DataFrame, ctx: checks.Context, labels: dict[str, str]) -> None:
    """Cross-field checks and derived columns of each kind."""
    if kind == "activities":
        from ..vocab import reference

        frame["at_centre"] = reference().centre_mask(frame["location"].fillna("")).to_numpy(dtype=bool)
        _check_breakdowns(frame, ctx, labels)
    elif kind == "beneficiaries":
        frame["person_key"] = person_keys(frame)
        frame.rename(columns={"category": "categories"}, inplace=True)


def _check_breakdowns(frame: pd.DataFrame, ctx: checks.Context, labels: dict[str, str]) -> None:
    total = frame["people_served"].astype("Float64")
    parts = []
    for key in BREAKDOWNS:
        part = frame[key].astype("Float64")
        over = (part > total).fillna(False).to_numpy(dtype=bool)
        if over.any():
            rows = frame["row"].to_numpy()[over]
            for row, value, tot in zip(rows, part[over], total[over]):
                ctx.issues.add("breakdown_exceeds_total", frame["sheet"].iat[0], int(row), labels.get(key, key),
                               value=int(value), total=int(tot))
            ctx.bad |= over
        parts.append(part.fillna(0))
    summed = sum(parts)
    overlap = ((summed > total) & ~pd.Series(ctx.bad)).fillna(False).to_numpy(dtype=bool)
    for row, value, tot in zip(frame["row"].to_numpy()[overlap], summed[overlap], total[overlap]):
        ctx.issues.add("breakdowns_overlap", frame["sheet"].iat[0], int(row), None, value=int(value), total=int(tot))


def person_keys(frame: pd.DataFrame) -> pd.Series:
    """A stable pseudonymous key per person, keyed with the installation's secret (HMAC-SHA256).

    From ``person_id`` when given, else from the folded name, birth year and district, so the
    same person surveyed by two units gets one key and the key cannot be reversed by guessing.
    """
    secret = installation_secret()
    ids = frame["person_id"].map(lambda v: f"id|{fold(v)}" if v else None)
    natural = (frame["full_name"].map(lambda v: fold(v) if v else "") + "|" +
               frame["birth_year"].astype("string").fillna("") + "|" + frame["district"].fillna("").astype(str))
    basis = ids.where(ids.notna(), natural)
    return basis.map(lambda b: hmac.new(secret, b.encode("utf-8"), hashlib.sha256).hexdigest()[:32])


def _check_duplicate_people(frames: list[pd.DataFrame], issues: IssueCollector) -> None:
    if not frames:
        return
    people = pd.concat(frames, ignore_index=True)
    people = people[people["full_name"].notna() & people["birth_year"].notna()]
    repeated = people.duplicated("person_key", keep="first")
    if not repeated.any():
        return
    first_rows = people.drop_duplicates("person_key").set_index("person_key")["row"]
    for _, row in people[repeated].iterrows():
        issues.add("duplicate_person", row["sheet"], int(row["row"]), None, first_row=int(first_rows[row["person_key"]]))
