"""Plans made and edited in the app: every saved version kept in the store, with who saved it and
when (audited). The YAML file stays the import and export format: a version holds the file's
text, checked by ``load_plan`` before it is saved. The latest version of each stored plan is also
written to ``<data folder>/plans/<id>.yaml``, where the dashboard's plan select finds it.
"""
from __future__ import annotations

import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select

from ..settings import get_settings
from ..store.engine import write_transaction
from ..store.storing import audit
from ..store.tables import plan_versions
from .definition import Plan
from .load import PlanError, load_plan
from .problems import problem

PLAN_ID = re.compile(r"[a-z0-9][a-z0-9_]{0,63}")


def stored_dir() -> Path:
    """Where the latest version of each stored plan is written as a file."""
    return get_settings().data_dir / "plans"


def check_text(text: str) -> Plan:
    """The plan a YAML text describes, checked (``PlanError`` lists every problem). Reference
    file names resolve in ``ytsupport/reference`` (or as absolute paths)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return load_plan(path)
        except PlanError as exc:
            raise PlanError("plan", exc.problems) from None


def save_version(engine: Engine, plan_id: str, text: str, actor: str, note: str = "") -> int:
    """Check ``text`` and store it as the next version of ``plan_id`` (audited as ``plan_save``);
    return the version number. ``PlanError`` when the id or the plan is not valid: nothing is stored."""
    if not PLAN_ID.fullmatch(plan_id or ""):
        raise PlanError("plan", [problem("plan_id", "plan_id", f"plan id {plan_id!r}: lower-case letters, digits and _ "
                                         "only (e.g. plan_2022_114)")])
    plan = check_text(text)
    with write_transaction(engine) as conn:
        last = conn.execute(select(func.max(plan_versions.c.version))
                            .where(plan_versions.c.plan_id == plan_id)).scalar()
        version = int(last or 0) + 1
        conn.execute(insert(plan_versions).values(plan_id=plan_id, version=version, yaml=text,
                                                  created_at=datetime.now(timezone.utc), created_by=actor,
                                                  note=note or None))
        audit(conn, actor, "plan_save", {"plan_id": plan_id, "version": version, "plan": plan.number,
                                         "period": f"{plan.start.isoformat()}..{plan.end.isoformat()}"})
    folder = stored_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{plan_id}.yaml").write_text(text, encoding="utf-8")
    return version


def versions(engine: Engine, plan_id: str | None = None) -> list[dict[str, Any]]:
    """Stored plan versions, newest first: plan_id, version, created_at, created_by, note."""
    query = select(plan_versions.c.plan_id, plan_versions.c.version, plan_versions.c.created_at,
                   plan_versions.c.created_by, plan_versions.c.note)
    if plan_id is not None:
        query = query.where(plan_versions.c.plan_id == plan_id)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(plan_versions.c.plan_id, plan_versions.c.version.desc())).mappings()
        return [dict(r) for r in rows]


def version_text(engine: Engine, plan_id: str, version: int | None = None) -> str | None:
    """The YAML text of a stored plan version (default: the latest), or None."""
    query = select(plan_versions.c.yaml).where(plan_versions.c.plan_id == plan_id)
    query = query.where(plan_versions.c.version == version) if version is not None else query
    with engine.connect() as conn:
        return conn.execute(query.order_by(plan_versions.c.version.desc()).limit(1)).scalar()
