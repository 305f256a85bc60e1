"""Appending to the audit log from outside a store transaction (exports, snapshots, page actions)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from .engine import write_transaction
from .storing import audit as audit_in_transaction
from .storing import run_with_retries


def audit(engine: Engine, actor: str, action: str, details: dict[str, Any]) -> None:
    """Append one record (``details`` stored as JSON) to the audit log, in its own transaction."""
    def transaction() -> None:
        with write_transaction(engine) as conn:
            audit_in_transaction(conn, actor, action, details)
    run_with_retries(transaction)
