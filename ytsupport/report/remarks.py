"""The meeting report's edited texts: office comments per target and the edited drafts.

A text belongs to a *scope*: the report of the figures now at one as-of date (``as_of:YYYY-MM-DD``)
or the report of one snapshot (``snapshot:<id>``), so each snapshot keeps its own version. Every
save is a new row (author, time) and an audit record; the latest row of a (scope, key) wins, and
the earlier ones stay as the text's history.

Keys: ``comment:<target id>`` (the office comment, "Nhận xét của Văn phòng"), ``assessment``
(Đánh giá chung), ``next_steps`` (Phương hướng, nhiệm vụ tháng tới), ``proposals`` (Đề xuất, kiến nghị).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Engine, select

from ..store import tables as s
from ..store.engine import write_transaction
from ..store.storing import audit

SECTIONS: tuple[str, ...] = ("assessment", "next_steps", "proposals")
MAX_TEXT = 20_000


class RemarkError(Exception):
    """A text that cannot be saved (unknown key, too long)."""


def scope_of(as_of: date | None = None, snapshot_id: int | None = None) -> str:
    """The scope of the report now at ``as_of``, or of the snapshot ``snapshot_id`` when given."""
    if snapshot_id is not None:
        return f"snapshot:{int(snapshot_id)}"
    if as_of is None:
        raise ValueError("a scope needs an as-of date or a snapshot")
    return f"as_of:{as_of.isoformat()}"


def comment_key(target_id: str) -> str:
    return f"comment:{target_id}"


def _check_key(key: str) -> None:
    if key not in SECTIONS and not (key.startswith("comment:") and 8 < len(key) <= 120):
        raise RemarkError(f"unknown text {key!r}")


def save_text(engine: Engine, scope: str, key: str, text: str, author: str) -> bool:
    """Keep ``text`` as the latest version of (scope, key), audited; False (nothing stored) when it
    is the same as the current one. Raises ``RemarkError`` for an unknown key or a text too long."""
    _check_key(key)
    text = str(text or "").strip()
    if len(text) > MAX_TEXT:
        raise RemarkError(f"a text has at most {MAX_TEXT} characters")
    if load_texts(engine, scope).get(key, "") == text:
        return False
    now = datetime.now(timezone.utc)
    with write_transaction(engine) as conn:
        new_id = conn.execute(s.meeting_texts.insert().values(scope=scope, key=key, text=text, author=author, at=now)
                              .returning(s.meeting_texts.c.id)).scalar_one()
        audit(conn, author, "meeting_text", {"id": new_id, "scope": scope, "key": key, "text": text[:500]})
    return True


def load_texts(engine: Engine, scope: str) -> dict[str, str]:
    """The latest text of each key of ``scope`` (empty texts included: a cleared draft stays cleared)."""
    t = s.meeting_texts
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.key, t.c.text).where(t.c.scope == scope).order_by(t.c.id)).all()
    return {row.key: row.text for row in rows}


def text_history(engine: Engine, scope: str, key: str) -> list[dict[str, Any]]:
    """Every saved version of (scope, key), oldest first: text, author, at."""
    t = s.meeting_texts
    with engine.connect() as conn:
        rows = conn.execute(select(t.c.text, t.c.author, t.c.at).where(t.c.scope == scope, t.c.key == key)
                            .order_by(t.c.id)).all()
    return [{"text": r.text, "author": r.author, "at": r.at} for r in rows]
