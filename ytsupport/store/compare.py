"""The upload workflow's core: compare a checked report with what is stored, then store it.

Pages call these; nothing here imports streamlit.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from ..ingest.records import KINDS, Report
from ..ingest.validate import PERSON_BASIS
from . import current_report, store_report

# Where a row sits, and who a person is once keyed (the key is made from compared columns, when storing).
IGNORED = {"sheet", "row", "report_version_id", "unit", "period", "person_key", PERSON_BASIS}
# Resources compare by value in đồng: their quantities are of different things (cows, gift packs).
TOTALS = (("activities", "people_served"), ("activities", "cost_vnd"), ("resources", "value_vnd"))


@dataclass
class Comparison:
    """A checked report against the stored current version of the same unit and month."""

    version: int | None                     # the stored current version (None: nothing stored)
    identical: bool                         # byte-identical file: storing changes nothing
    rows: list[dict[str, Any]] = field(default_factory=list)    # kind, before, after, added, removed
    totals: list[dict[str, Any]] = field(default_factory=list)  # kind, measure, before, after

    @property
    def replaces(self) -> bool:
        return self.version is not None and not self.identical


def _row_keys(frame: pd.DataFrame | None) -> Counter:
    if frame is None or frame.empty:
        return Counter()
    columns = sorted(c for c in frame.columns if c not in IGNORED)
    return Counter(tuple("" if pd.isna(v) else str(v) for v in row) for row in frame[columns].itertuples(index=False))


def _total(frame: pd.DataFrame | None, column: str) -> float:
    if frame is None or frame.empty or column not in frame:
        return 0.0
    return float(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())


def compare(report: Report, stored: dict[str, Any] | None) -> Comparison:
    """Rows added and removed per sheet kind, and the main totals before -> after."""
    if stored is None:
        return Comparison(None, False)
    before, after = stored["frames"], report.frames
    comparison = Comparison(stored["version"], stored["sha256"] == report.sha256)
    for kind in KINDS:
        old, new = _row_keys(before.get(kind)), _row_keys(after.get(kind))
        comparison.rows.append({"kind": kind, "before": sum(old.values()), "after": sum(new.values()),
                                "added": sum((new - old).values()), "removed": sum((old - new).values())})
    for kind, column in TOTALS:
        comparison.totals.append({"kind": kind, "measure": column, "before": _total(before.get(kind), column),
                                  "after": _total(after.get(kind), column)})
    return comparison


def compare_with_stored(engine: Engine, report: Report) -> Comparison:
    """``compare`` against the store's current version of the report's (unit, month)."""
    if not report.unit or not report.period:
        return Comparison(None, False)
    return compare(report, current_report(engine, report.unit, report.period))


def store_checked(engine: Engine, reports: list[Report], received_on: date, actor: str) -> list[dict[str, Any]]:
    """Store each valid report (one transaction each, in order); a report with errors is refused."""
    results = []
    for report in reports:
        if report.status != "ok" or not report.unit or not report.period:
            results.append({"file": report.file_name, "status": "refused", "unit": report.unit, "period": report.period})
            continue
        result = store_report(engine, report, received_on=received_on, uploaded_by=actor)
        results.append({"file": report.file_name, "status": result.status, "unit": result.unit,
                        "period": result.period, "version": result.version})
    return results
