"""What a meeting report shows, as plain data that can be frozen as JSON (a snapshot) and rendered.

``ReportContent`` holds the ``plan.status`` JSON, the key aggregates as lists of records, and a few
facts about the data (plan title, months, unit names, as-of, data version). A report for "now"
and a report for a snapshot are rendered by the same code from the same shape.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pandas as pd
from ..settings import get_settings

# The aggregates a report carries (each a list of records; see ``collect.collect``).
TABLE_KEYS: tuple[str, ...] = (
    "checkups_by_month", "activities_by_month_type", "resources_by_item", "resources_by_measure",
    "resources_by_donor_type", "resources_by_unit", "resources_by_month", "top_donors", "coverage_by_district",
    "coverage_by_category", "unit_contribution", "reporting_pairs", "resources_detail", "activities_detail",
    "emulation",
)


@dataclass(frozen=True)
class ReportSettings:
    """Who issues the report and who signs it, and how many detail rows it lists (README "Settings")."""

    superior: str = field(default_factory=lambda: get_settings().issuer_superior)
    issuer: str = field(default_factory=lambda: get_settings().issuer)
    place: str = field(default_factory=lambda: get_settings().report_place)
    number: str = field(default_factory=lambda: get_settings().report_number)
    signer: str = field(default_factory=lambda: get_settings().signer)
    signer_role: str = field(default_factory=lambda: get_settings().signer_role)
    detail_limit: int = field(default_factory=lambda: get_settings().report_detail_rows)


@dataclass(frozen=True)
class ReportContent:
    """The figures of one report: ``status`` (the ``status --json`` of docs/data-contract.md §5,
    plus labels), ``tables``, ``meta``.

    ``meta`` keys: plan, plan_title {vi, en}, months, units {code: name}, reporting_units, as_of,
    generated_at, data_version, threshold, headline {...}, totals {table: rows before truncation},
    known_versions (report version ids stored when the figures were taken), snapshot (None, or
    {name, created_at, created_by}); month, reasons, unsupported, emulation_criteria (see
    ``briefing`` and ``emulation``); at export: since (the compared snapshot) and texts (edited).
    """

    status: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]]
    meta: dict[str, Any]

    @property
    def as_of(self) -> date:
        return date.fromisoformat(self.status["as_of"])

    @property
    def targets(self) -> list[dict[str, Any]]:
        return list(self.status["targets"])

    @property
    def snapshot(self) -> dict[str, Any] | None:
        return self.meta.get("snapshot")

    def table(self, key: str) -> pd.DataFrame:
        """One aggregate as a DataFrame (empty when absent)."""
        return pd.DataFrame(self.tables.get(key) or [])

    def resource_measures(self) -> list[dict[str, Any]]:
        """Resources per item and unit of measure (``metrics.resources_by_measure``). A snapshot
        frozen before that table existed gives its by-item rows without a quantity: those had been
        added across units of measure."""
        if "resources_by_measure" in self.tables:
            return list(self.tables["resources_by_measure"])
        return [{**r, "unit_of_measure": None, "quantity": None} for r in self.tables.get("resources_by_item") or []]

    def unit_name(self, code: str) -> str:
        return str(self.meta.get("units", {}).get(code, code))

    def with_snapshot(self, snapshot: dict[str, Any]) -> ReportContent:
        return replace(self, meta={**self.meta, "snapshot": snapshot})

    def aggregates_json(self) -> str:
        """Everything but the status, as JSON text (what a snapshot keeps beside the status)."""
        meta = {k: v for k, v in self.meta.items() if k != "snapshot"}
        return dumps({"tables": self.tables, "meta": meta})

    def status_json(self) -> str:
        return dumps(self.status)

    @classmethod
    def from_json(cls, status_json: str, aggregates_json: str) -> ReportContent:
        aggregates = json.loads(aggregates_json)
        return cls(status=json.loads(status_json), tables=aggregates.get("tables", {}),
                   meta=aggregates.get("meta", {}))


def plain(value: Any) -> Any:
    """A JSON-ready value: NaN/NaT/NA -> None, numpy scalars -> Python, dates -> ISO text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        midnight = value.tzinfo is None and value.time() == time(0)
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready records."""
    return [{str(k): plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _default(value: Any) -> Any:
    return str(value)


def dumps(value: Any) -> str:
    """JSON text of a report part (no NaN: missing numbers are null)."""
    return json.dumps(_clean(value), ensure_ascii=False, default=_default, allow_nan=False)


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return plain(value)
