"""What the meeting and presentation pages use of the report package: snapshots, the report's
figures compared with a snapshot, the office's texts, the report's words and downloads.

The pages import only ``ytsupport.dashboard``; this module is their door to ``ytsupport.report``.
"""
from __future__ import annotations

from ..report.briefing import arrow, change, comment, in_month, label, missing_by_unit, reason_texts, sections
from ..report.export import FORMATS, LATEST, prepared, report_bytes
from ..report.labels import state_label, status_label
from ..report.remarks import MAX_TEXT, SECTIONS, comment_key, save_text, scope_of
from ..report.snapshots import (MAX_NAME, MAX_SNAPSHOTS, SnapshotError, compare, create_snapshot, get_snapshot,
                                list_snapshots)

__all__ = ["FORMATS", "LATEST", "MAX_NAME", "MAX_SNAPSHOTS", "MAX_TEXT", "SECTIONS", "SnapshotError", "arrow", "change",
           "comment", "comment_key", "compare", "create_snapshot", "get_snapshot", "in_month", "label",
           "list_snapshots", "missing_by_unit", "prepared", "reason_texts", "report_bytes", "save_text", "scope_of",
           "sections", "state_label", "status_label"]
