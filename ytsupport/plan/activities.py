"""Counting an activity once, and choosing activities by type, place and date.

PLAN.md: rows in *different* reports with the same date, activity type and place describe one
activity reported twice (a joint activity, or a cumulative report repeating earlier months): it
counts once, with the largest people count. Rows within one report are never merged. The Centre
in any spelling is one place (``at_centre``); any other place is its folded location text.

When one report holds several rows with the same date, type and place (two sessions), and another
report repeats them, rows are paired in order of people served (largest with largest): the
activity count is the most rows any one report has for that key, each with its largest people
count.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from ..text import fold

CENTRE = "centre"
_CENTRE_KEY = "@centre"  # fold() never produces "@", so no location text can collide with it


def place_keys(activities: pd.DataFrame) -> pd.Series:
    """The place of each activity for matching: the Centre, or its folded location text."""
    locations = activities["location"] if "location" in activities else pd.Series(None, index=activities.index)
    unique = {v: fold(v) for v in locations.dropna().unique()}
    folded = locations.map(unique).fillna("")
    at_centre = activities["at_centre"].fillna(False).astype(bool) if "at_centre" in activities else False
    return folded.where(~at_centre, _CENTRE_KEY)


def report_keys(activities: pd.DataFrame) -> pd.Series:
    """Which report each row came from: its report version, else its (unit, month)."""
    if "report_version_id" in activities:
        return activities["report_version_id"].astype(str)
    unit = activities["unit"].astype(str) if "unit" in activities else ""
    period = activities["period"].astype(str) if "period" in activities else ""
    return unit + "|" + period


def count_once(activities: pd.DataFrame) -> pd.DataFrame:
    """The activities with rows repeated across reports merged (largest people count kept).

    Returns the kept rows (their own columns) plus ``times_reported``: in how many reports the
    activity appears. Sorted by date.
    """
    if len(activities) == 0:
        return activities.assign(times_reported=pd.Series(dtype="int64"))
    work = activities.assign(_day=pd.to_datetime(activities["date"]).dt.normalize(),
                             _place=place_keys(activities), _report=report_keys(activities),
                             _people=activities["people_served"].astype("Float64").fillna(-1))
    work = work.sort_values("_people", ascending=False, kind="stable")
    same = ["_day", "activity_type", "_place"]
    work["_slot"] = work.groupby([*same, "_report"], dropna=False).cumcount()
    times = work.groupby([*same, "_slot"], dropna=False)["_report"].transform("size")
    work = work.assign(times_reported=times.astype("int64"))
    kept = work.drop_duplicates([*same, "_slot"], keep="first")
    kept = kept.sort_values(["_day", "activity_type"], kind="stable")
    return kept.drop(columns=["_day", "_place", "_report", "_people", "_slot"]).reset_index(drop=True)


def at_place(activities: pd.DataFrame, place: str | None,
             places: Mapping[str, Sequence[str]]) -> pd.Series:
    """Which activities happened at ``place`` (a configured place code; None: anywhere)."""
    if place is None:
        return pd.Series(True, index=activities.index)
    if place == CENTRE and "at_centre" in activities:
        return activities["at_centre"].fillna(False).astype(bool)
    aliases = [f" {fold(a)} " for a in places.get(place, ())]
    locations = activities["location"].dropna()
    folded = {v: f" {fold(v)} " for v in locations.unique()}
    hits = {v for v, f in folded.items() if any(a in f for a in aliases)}
    return activities["location"].isin(hits)


def select_activities(activities: pd.DataFrame, activity_type: str, places: Mapping[str, Sequence[str]],
                      place: str | None = None, window: tuple[date, date] | None = None) -> pd.DataFrame:
    """Activities of one type, optionally at one place and within a date window (both ends included)."""
    chosen = (activities["activity_type"] == activity_type) & at_place(activities, place, places)
    if window is not None:
        days = pd.to_datetime(activities["date"])
        chosen &= (days >= pd.Timestamp(window[0])) & (days <= pd.Timestamp(window[1]))
    return activities[chosen.fillna(False)]


def month_of(dates: pd.Series) -> pd.Series:
    """ "YYYY-MM" of each date."""
    return pd.to_datetime(dates).dt.to_period("M").astype(str)
