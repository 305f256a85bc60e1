"""Meeting snapshots: the figures frozen under a name before a meeting, listed, and compared with now.

A snapshot keeps the ``plan.status`` JSON and the report's aggregates (``ReportContent``) as JSON
text, with its name, as-of date, when and by whom it was taken, and the data version; a report can
be rendered from it later exactly as it was. ``compare`` tells what moved since: targets whose
status or actual changed, report versions received after the snapshot's as-of date (late ones
flagged, corrections marked), and units newly missing a report. Taking a snapshot is audited.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from .content import ReportContent
from ..store import tables as s
from ..store.engine import write_transaction
from ..store.storing import audit

MAX_NAME = 200
MAX_SNAPSHOTS = 200
"""Most snapshots kept (each holds a few hundred KB of figures): a bound on what a login can store."""


class SnapshotError(Exception):
    """A snapshot request that cannot be carried out; ``code`` says why: ``name_empty``,
    ``name_too_long``, ``name_taken``, ``too_many`` or ``unknown``."""

    def __init__(self, message: str, code: str = "unknown") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Snapshot:
    """One snapshot; ``content`` is loaded by ``get_snapshot`` only (None in listings)."""

    id: int
    name: str
    as_of: date
    created_at: datetime
    created_by: str
    plan: str
    data_version: int
    content: ReportContent | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "as_of": self.as_of.isoformat(),
                "created_at": self.created_at.isoformat(), "created_by": self.created_by, "plan": self.plan,
                "data_version": self.data_version}


def _utc(value: datetime) -> datetime:
    """SQLite keeps no time zone: the stored value was written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _snapshot(row: Any, with_content: bool = False) -> Snapshot:
    snap = Snapshot(id=row.id, name=row.name, as_of=row.as_of, created_at=_utc(row.created_at),
                    created_by=row.created_by, plan=row.plan, data_version=row.data_version)
    if not with_content:
        return snap
    content = ReportContent.from_json(row.status_json, row.aggregates_json).with_snapshot(
        {"name": snap.name, "created_at": snap.created_at.isoformat(), "created_by": snap.created_by})
    return Snapshot(**{**snap.__dict__, "content": content})


def clean_name(name: str) -> str:
    """The name with outer spaces removed; refused when empty or too long."""
    cleaned = " ".join(str(name or "").split())
    if not cleaned:
        raise SnapshotError("a snapshot needs a name", "name_empty")
    if len(cleaned) > MAX_NAME:
        raise SnapshotError(f"a snapshot name has at most {MAX_NAME} characters", "name_too_long")
    return cleaned


def create_snapshot(engine: Engine, name: str, as_of: date | None = None, *, created_by: str = "local",
                    content: ReportContent | None = None) -> Snapshot:
    """Freeze the figures now at ``as_of`` (or the given ``content``) under ``name``; audited.

    Raises ``SnapshotError`` when the name is empty, too long or already taken, or when
    ``MAX_SNAPSHOTS`` are stored already.
    """
    from sqlalchemy import func

    from .gather import current_content

    name = clean_name(name)
    if find_snapshot(engine, name) is not None:
        raise SnapshotError(f"a snapshot named {name!r} exists already", "name_taken")
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(s.snapshots)).scalar_one() >= MAX_SNAPSHOTS:
            raise SnapshotError(f"at most {MAX_SNAPSHOTS} snapshots are kept", "too_many")
    content = content or current_content(engine, as_of)
    values = {"name": name, "as_of": content.as_of, "created_at": datetime.now(timezone.utc),
              "created_by": created_by, "plan": content.meta["plan"],
              "data_version": int(content.meta.get("data_version") or 0),
              "status_json": content.status_json(), "aggregates_json": content.aggregates_json()}
    try:
        with write_transaction(engine) as conn:
            new_id = conn.execute(s.snapshots.insert().values(**values).returning(s.snapshots.c.id)).scalar_one()
            audit(conn, created_by, "snapshot", {"id": new_id, "name": name, "as_of": content.status["as_of"],
                                                 "data_version": values["data_version"]})
    except IntegrityError as exc:
        raise SnapshotError(f"a snapshot named {name!r} exists already", "name_taken") from exc
    return get_snapshot(engine, new_id)


def list_snapshots(engine: Engine) -> list[Snapshot]:
    """Every snapshot, newest first (without their frozen figures)."""
    t = s.snapshots
    query = select(t.c.id, t.c.name, t.c.as_of, t.c.created_at, t.c.created_by, t.c.plan, t.c.data_version)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(t.c.created_at.desc(), t.c.id.desc())).all()
    return [_snapshot(row) for row in rows]


def find_snapshot(engine: Engine, key: str | int) -> Snapshot | None:
    """The snapshot with that id (an int, or text like ``#3``) or name, with its figures; None if none."""
    t = s.snapshots
    text = str(key).strip()
    if isinstance(key, int) or (text.startswith("#") and text[1:].isdigit()):
        condition = t.c.id == int(text.lstrip("#"))
    else:
        condition = t.c.name == " ".join(text.split())
    with engine.connect() as conn:
        row = conn.execute(select(t).where(condition)).first()
    return None if row is None else _snapshot(row, with_content=True)


def get_snapshot(engine: Engine, key: str | int) -> Snapshot:
    """Like ``find_snapshot``, but an unknown snapshot raises ``SnapshotError``."""
    found = find_snapshot(engine, key)
    if found is None:
        raise SnapshotError(f"no snapshot named {key!r}")
    return found


# ---------------------------------------------------------------------------------------------
# Comparing now with a snapshot


def _differs(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return (a is None) != (b is None)
    return abs(float(a) - float(b)) > 1e-9 * max(1.0, abs(float(a)))


def changed_targets(then: ReportContent, now: ReportContent) -> list[dict[str, Any]]:
    """Targets whose status or actual differs between the snapshot and now (plan order)."""
    before = {r["id"]: r for r in then.targets}
    changes = []
    for record in now.targets:
        old = before.get(record["id"], {})
        if old.get("status") == record["status"] and not _differs(old.get("actual"), record["actual"]):
            continue
        delta = (record["actual"] - old["actual"]) if old.get("actual") is not None and record["actual"] is not None \
            else None
        changes.append({"id": record["id"], "label": record.get("label", {}), "format": record.get("format", "count"),
                        "status_then": old.get("status"), "status_now": record["status"],
                        "actual_then": old.get("actual"), "actual_now": record["actual"], "delta": delta,
                        "attainment_then": old.get("attainment"), "attainment_now": record["attainment"]})
    return changes


def received_since(engine: Engine, then: ReportContent, now: ReportContent, due_days: int) -> list[dict[str, Any]]:
    """Report versions received after the snapshot's as-of date and on or before now's, by the day
    each reached the Bloc (``received_on``), oldest first; late ones and corrections flagged.

    By received date, not by what was stored when the snapshot was taken: the June reports that
    arrive in July were not known on 30 June even when they were stored before a snapshot "as of
    30 June" was taken, and they are what changed by the July meeting. A version is ``late`` when
    received after its month's due date, a ``correction`` when not the first of its (unit, month).
    """
    from ..plan.definition import month_end
    from ..store import history

    since, until = then.as_of, now.as_of
    rows = [r for r in history(engine) if since < date.fromisoformat(r["received_on"]) <= until]
    out = []
    for r in sorted(rows, key=lambda r: (r["received_on"], r["uploaded_at"] or "", r["id"])):
        due = month_end(r["period"]) + timedelta(days=due_days)
        out.append({"id": r["id"], "unit": r["unit"], "unit_name": now.unit_name(r["unit"]), "period": r["period"],
                    "version": r["version"], "received_on": r["received_on"], "uploaded_at": r["uploaded_at"],
                    "uploaded_by": r["uploaded_by"], "due_on": due.isoformat(),
                    "late": date.fromisoformat(r["received_on"]) > due, "correction": r["version"] > 1,
                    "is_current": r["is_current"]})
    return out


def newly_missing(then: ReportContent, now: ReportContent) -> list[dict[str, Any]]:
    """Units with months whose report is missing now but was not missing in the snapshot."""
    before = {(p["unit"], p["period"]): p["state"] for p in then.tables.get("reporting_pairs") or []}
    months: dict[str, list[str]] = {}
    for pair in now.tables.get("reporting_pairs") or []:
        key = (pair["unit"], pair["period"])
        if pair["state"] == "missing" and before.get(key) != "missing":
            months.setdefault(pair["unit"], []).append(pair["period"])
    return [{"unit": unit, "unit_name": now.unit_name(unit), "months": sorted(ms)} for unit, ms in months.items()]


def compare(engine: Engine, snapshot: str | int, *, as_of: date | None = None,
            now: ReportContent | None = None) -> dict[str, Any]:
    """What changed between the snapshot and now (the figures at ``as_of``, default today).

    Keys: snapshot (its record), as_of_then, as_of_now (ISO dates), targets (changed ones),
    received_since (report versions received after as_of_then, up to as_of_now), newly_missing.
    Plain data for JSON (``compare_json``); ``commands.reports.comparison_text`` words it for people.
    """
    from .gather import current_content

    snap = get_snapshot(engine, snapshot)
    then = snap.content
    assert then is not None
    now = now or current_content(engine, as_of)
    due_days = int(then.meta.get("due_days") or now.meta.get("due_days") or 10)
    return {"snapshot": snap.to_json(), "as_of_then": then.status["as_of"], "as_of_now": now.status["as_of"],
            "targets": changed_targets(then, now), "received_since": received_since(engine, then, now, due_days),
            "newly_missing": newly_missing(then, now)}


def compare_json(result: dict[str, Any]) -> str:
    """``compare``'s result as JSON text."""
    return json.dumps(result, ensure_ascii=False, indent=2, default=str)
