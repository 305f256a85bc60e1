"""Hand-built reports and data for the store, plan and metrics tests.

``make_report`` builds a checked ``Report`` the way the validator does (canonical frames with
canonical dtypes); ``make_data`` builds what ``store.load_current`` returns, without a database,
from (report, received_on) pairs in the order they were received.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pandas as pd

from ytsupport.ingest.records import Report, SheetResult
from ytsupport.store.conversion import typed_frame
from ytsupport.store.tables import FRAME_DTYPES

CENTRE = "Trung tâm Bảo trợ xã hội tỉnh"
SHEETS = {"activities": "HoatDong", "beneficiaries": "DoiTuong", "resources": "NguonLuc"}


def activity(day: str, activity_type: str = "kham_benh", people: int = 100, *, centre: bool = False,
             location: str | None = None, **extra: Any) -> dict[str, Any]:
    """One activity row; ``centre=True`` places it at the Centre (location text and at_centre)."""
    row = {"date": day, "activity_type": activity_type, "people_served": people,
           "title": f"{activity_type} {day}", "location": CENTRE if centre and location is None else location,
           "at_centre": centre, "district": None}
    row.update(extra)
    return row


def person_key(name: str, birth_year: int, district: str) -> str:
    return hashlib.sha256(f"{name}|{birth_year}|{district}".encode()).hexdigest()


def beneficiary(name: str, *, district: str = "cang_long", birth_year: int = 2010, sex: str | None = "nam",
                categories: str = "khuyet_tat", surveyed_on: str = "2021-03-01", supported: bool = False,
                has_bhyt: bool = False, store_names: bool = True, **extra: Any) -> dict[str, Any]:
    """One surveyed person; the key is derived from name, birth year and district like the validator's."""
    row = {"person_id": None, "person_key": person_key(name, birth_year, district),
           "full_name": name if store_names else None, "birth_year": birth_year, "sex": sex,
           "categories": categories, "district": district, "commune": None, "needs": None,
           "surveyed_on": surveyed_on, "supported": supported, "has_bhyt": has_bhyt}
    row.update(extra)
    return row


def resource(day: str, item: str = "qua", quantity: float = 1, value: float | None = 0, *,
             donor: str = "Công ty A", donor_type: str | None = "doanh_nghiep", **extra: Any) -> dict[str, Any]:
    row = {"date": day, "donor": donor, "donor_type": donor_type, "item": item, "description": None,
           "quantity": quantity, "unit_of_measure": None, "value_vnd": value, "recipient": None, "notes": None}
    row.update(extra)
    return row


def frame(kind: str, rows: Iterable[dict[str, Any]], first_row: int = 5) -> pd.DataFrame:
    """A canonical frame of ``kind`` (the validator's columns and dtypes) from row dicts."""
    rows = [{"sheet": SHEETS[kind], "row": first_row + i, **r} for i, r in enumerate(rows)]
    columns = list(FRAME_DTYPES[kind])
    return typed_frame([[r.get(c) for c in columns] for r in rows], columns, kind)


def make_report(unit: str = "bv_da_khoa", period: str = "2021-06", *, activities: Sequence[dict] = (),
                beneficiaries: Sequence[dict] = (), resources: Sequence[dict] = (),
                sha256: str | None = None, file_name: str | None = None, status: str = "ok",
                kinds: Sequence[str] | None = None) -> Report:
    """A checked report; its sha256 is derived from its content unless given (same content, same hash).

    ``kinds`` chooses which frames are present (default: those with rows, or all three for a nil report).
    """
    rows = {"activities": list(activities), "beneficiaries": list(beneficiaries), "resources": list(resources)}
    present = kinds if kinds is not None else ([k for k, v in rows.items() if v] or list(rows))
    frames = {kind: frame(kind, rows[kind]) for kind in present}
    digest = sha256 or hashlib.sha256(json.dumps([unit, period, rows], sort_keys=True, default=str)
                                      .encode()).hexdigest()
    name = file_name or f"{unit}_{period}.xlsx"
    sheets = [SheetResult(SHEETS[k], k, len(f), len(f)) for k, f in frames.items()]  # type: ignore[arg-type]
    return Report(path=f"/uploads/{name}", file_name=name, sha256=digest, unit=unit, period=period,
                  sheets=sheets, frames=frames, status=status)  # type: ignore[arg-type]


def make_data(received: Iterable[tuple[Report, date | str]]) -> dict[str, pd.DataFrame]:
    """What ``load_current`` returns after storing these reports in this order (no database).

    A report for a (unit, month) already present becomes its next version and the current one.
    """
    versions: list[dict[str, Any]] = []
    current: dict[tuple[str, str], int] = {}
    frames: dict[int, Report] = {}
    for vid, (report, on) in enumerate(received, start=1):
        key = (report.unit or "", report.period or "")
        number = sum(1 for v in versions if (v["unit"], v["period"]) == key) + 1
        versions.append({"report_version_id": vid, "unit": key[0], "period": key[1], "version": number,
                         "file_name": report.file_name, "received_on": pd.Timestamp(on)})
        current[key] = vid
        frames[vid] = report
    return {**_current_frames(frames, current, versions), "reports": _reports(versions, current)}


def _current_frames(reports: dict[int, Report], current: dict[tuple[str, str], int],
                    versions: list[dict[str, Any]]) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for kind in FRAME_DTYPES:
        parts = []
        for (unit, period), vid in current.items():
            f = reports[vid].frames.get(kind)
            if f is not None and len(f):
                parts.append(f.assign(report_version_id=vid, unit=unit, period=period))
        empty = frame(kind, []).assign(report_version_id=pd.Series(dtype="int64"),
                                       unit=pd.Series(dtype=object), period=pd.Series(dtype=object))
        out[kind] = pd.concat(parts, ignore_index=True) if parts else empty
    return out


def _reports(versions: list[dict[str, Any]], current: dict[tuple[str, str], int]) -> pd.DataFrame:
    reports = pd.DataFrame(versions, columns=["report_version_id", "unit", "period", "version",
                                              "file_name", "received_on"])
    reports["received_on"] = pd.to_datetime(reports["received_on"]).astype("datetime64[ns]")
    reports["is_current"] = reports["report_version_id"].isin(list(current.values()))
    first = reports[reports["version"] == 1].set_index(["unit", "period"])["received_on"]
    keys = pd.MultiIndex.from_frame(reports[["unit", "period"]])
    reports["first_received_on"] = first.reindex(keys).to_numpy(dtype="datetime64[ns]")
    return reports


def sample_year() -> list[tuple[Report, date]]:
    """The generated sample year (``ytsupport.sample``, default seed) as checked reports, each with
    the day ``sample_data/manifest.csv`` says it was received, in order of receipt.

    Built from the generator's canonical rows (no workbook is read): the Centre recognised in the
    location as the validator does, persons keyed like ``beneficiary``.
    """
    import csv
    import random

    from ytsupport import sample
    from ytsupport.settings import SAMPLE_DIR
    from ytsupport.vocab import reference

    with open(SAMPLE_DIR / "manifest.csv", encoding="utf-8", newline="") as fh:
        received = {(r["unit"], r["period"]): date.fromisoformat(r["received_on"]) for r in csv.DictReader(fh)}
    out = []
    for month in sample.expected_reports(sample.build_year(random.Random(114))):
        at_centre = reference().centre_mask(pd.Series([a["location"] or "" for a in month.activities], dtype=object))
        activities = [{**a, "at_centre": bool(c)} for a, c in zip(month.activities, at_centre)]
        people = [{**{k: v for k, v in b.items() if k != "category"}, "categories": ";".join(b["category"]),
                   "person_key": person_key(b["full_name"], b["birth_year"], b["district"])}
                  for b in month.beneficiaries]
        report = make_report(month.unit, month.period, activities=activities, beneficiaries=people,
                             resources=month.resources)
        out.append((report, received[(month.unit, month.period)]))
    return sorted(out, key=lambda pair: pair[1])


def store_all(url: str, received: Iterable[tuple[Report, date]]) -> str:
    """Store each (report, received_on) pair in the database at ``url``, in order; the URL back."""
    from ytsupport.store import get_engine, store_report

    engine = get_engine(url)
    for report, on in received:
        store_report(engine, report, received_on=on)
    engine.dispose()
    return url


def run_cli(*argv: str) -> tuple[int, str, str]:
    """The command line run in this process: (exit code, what it printed, what it wrote to stderr)."""
    from ytsupport.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()
