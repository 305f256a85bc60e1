"""The printed meeting report's own vocabulary: its programme areas and its receivers. Every other string, the report's
included, is in ``ytsupport/i18n.py``.
"""
from __future__ import annotations

from ..i18n import STRINGS
from ..states import STATE_MARKS, ReportState

# Receivers of the report (after the plan's "Nơi nhận", without personal names).
RECEIVERS: tuple[tuple[str, str], ...] = (
    ("- Ban Thường vụ Tỉnh đoàn (để b/c);", "- Provincial Youth Union Standing Committee (to report);"),
    ("- Thường trực Đảng ủy Khối CCQ-DN tỉnh (để b/c);", "- Bloc Party Committee (to report);"),
    ("- Ban Phong trào Tỉnh đoàn (để b/c);", "- Provincial Youth Union, Movements Department (to report);"),
    ("- Ủy viên BTV Đoàn Khối CCQ-DN (để biết);", "- Members of the Standing Committee (for information);"),
    ("- Các cơ sở Đoàn trực thuộc (để biết);", "- Grassroots units (for information);"),
    ("- Lưu VP.", "- Office file."),
)


def pick(pair: tuple[str, str], lang: str) -> str:
    """The English member of a (vi, en) pair for ``lang == "en"``, else the Vietnamese one."""
    return pair[1] if lang == "en" else pair[0]


def status_label(status: str, lang: str = "vi") -> str:
    """A target status (``met``, ``behind``...) in words; the code itself when unknown."""
    pair = STRINGS.get(f"status_{status}")
    return pick(pair, lang) if pair else status


def state_label(state: str, lang: str = "vi") -> str:
    """A report state (``on_time``, ``missing``...) in words; the code itself when unknown."""
    pair = STRINGS.get(f"state_{state}")
    return pick(pair, lang) if pair else state


def state_mark(state: str, lang: str = "vi") -> str:
    return pick(STATE_MARKS.get(ReportState(state), ("?", "?")), lang)
