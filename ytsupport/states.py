"""The three vocabularies of state, one each for every view and export, with one palette.

* :class:`TargetStatus`: where a target stands at the as-of date (scorecard, presentation, the
  report in every format, ``status --json``);
* :class:`ReportState`: a unit's report for a month, as known on the as-of date (the dashboard's
  grid, the report's grid, ``reporting.matrix``);
* :class:`MonthState`: a month of a monthly target (met, missed, excused, not over yet).

The words are in ``i18n.py`` (``status_<code>``, ``state_<code>``, ``month_<code>``); the icon and
colour of each state are here, so a chart, a card, a printed grid and a slide show a state alike.
Colours follow Okabe & Ito (2008), "Color Universal Design", distinguishable with colour-blindness;
a state is never told by colour alone (every state has an icon and a word).
"""
from __future__ import annotations

from enum import StrEnum

OKABE_ITO = {"black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
             "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7"}
GREY, LIGHT_GREY = "#8C8C8C", "#E6E6E6"


class TargetStatus(StrEnum):
    """Decided in this order (``plan.status.decide_status``)."""

    NO_TARGET = "no_target"  # tracked, the plan sets no number
    MET = "met"  # actual >= target
    NOT_MET = "not_met"  # the plan period is over and the target was not reached
    UPCOMING = "upcoming"  # nothing expected yet and nothing done (e.g. before an event's window)
    NOT_STARTED = "not_started"  # nothing done although something is expected by now
    ON_TRACK = "on_track"  # actual >= expected by now
    BEHIND = "behind"  # actual < expected by now


class ReportState(StrEnum):
    """A (unit, month) report at the as-of date D: received only if received on or before D."""

    EARLY = "early"  # received before the month ended (and on or before D)
    ON_TIME = "on_time"  # received after the month ended, by the due date
    LATE = "late"  # received after the due date (and on or before D)
    MISSING = "missing"  # due on or before D, not received by D
    NOT_DUE = "not_due"  # due after D, not received by D
    NOT_EXPECTED = "not_expected"  # the unit did not exist that month (joined later, left earlier)


class MonthState(StrEnum):
    MET = "met"
    MISSED = "missed"
    EXCUSED = "excused"
    PENDING = "pending"


# icon, colour
STATUS_STYLE: dict[TargetStatus, tuple[str, str]] = {
    TargetStatus.MET: ("✔", OKABE_ITO["green"]), TargetStatus.ON_TRACK: ("➜", OKABE_ITO["sky"]),
    TargetStatus.BEHIND: ("▼", OKABE_ITO["orange"]), TargetStatus.NOT_STARTED: ("✖", OKABE_ITO["vermillion"]),
    TargetStatus.NOT_MET: ("✗", OKABE_ITO["vermillion"]), TargetStatus.UPCOMING: ("◷", LIGHT_GREY),
    TargetStatus.NO_TARGET: ("•", GREY),
}
STATE_STYLE: dict[ReportState, tuple[str, str]] = {
    ReportState.EARLY: ("★", OKABE_ITO["sky"]), ReportState.ON_TIME: ("✔", OKABE_ITO["green"]),
    ReportState.LATE: ("◷", OKABE_ITO["orange"]), ReportState.MISSING: ("✖", OKABE_ITO["vermillion"]),
    ReportState.NOT_DUE: ("·", LIGHT_GREY), ReportState.NOT_EXPECTED: ("–", GREY),
}
MONTH_STYLE: dict[MonthState, tuple[str, str]] = {
    MonthState.MET: ("✔", OKABE_ITO["green"]), MonthState.MISSED: ("✖", OKABE_ITO["vermillion"]),
    MonthState.EXCUSED: ("⊘", GREY), MonthState.PENDING: ("·", LIGHT_GREY),
}

# One letter per report state for the printed unit × month grid (vi, en); its legend is printed below it.
STATE_MARKS: dict[ReportState, tuple[str, str]] = {
    ReportState.EARLY: ("S", "E"), ReportState.ON_TIME: ("Đ", "O"), ReportState.LATE: ("T", "L"),
    ReportState.MISSING: ("X", "X"), ReportState.NOT_DUE: ("", ""), ReportState.NOT_EXPECTED: ("–", "–"),
}
RECEIVED_STATES = frozenset({ReportState.EARLY, ReportState.ON_TIME, ReportState.LATE})
TIMELY_STATES = frozenset({ReportState.EARLY, ReportState.ON_TIME})
# States of a pair that is not (yet) expected: left out of every count of due reports.
UNCOUNTED_STATES = frozenset({ReportState.NOT_DUE, ReportState.NOT_EXPECTED})


def pale(colour: str, strength: float = 0.35) -> str:
    """``colour`` mixed with white (a cell's background that black text stays readable on)."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 - (255 - c) * strength) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)
