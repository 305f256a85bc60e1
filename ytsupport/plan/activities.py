"""Counting an activity once, and choosing activities by type, place and date.

docs/plan-file.md §3: rows in *different* reports with the same date, activity type and place describe one
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

import numpy as np
import pandas as pd

from ..store.conversion import rows_of
from ..text import fold

CENTRE = "centre"
_CENTRE_KEY = "@centre"  # fold() never produces "@", so no location text can collide with it


def place_keys(activities: pd.DataFrame) -> pd.Series:
    """The place of each activity for matching: the Centre, or its folded location text."""
    locations = activities["location"] if "location" in activities else pd.Series(None, index=activities.index)
    unique = {v: fold(v) for v in locations.dropna().unique()}
    folded = locations.map(unique).fillna("")
    at_centre = (activities["at_centre"].fillna(False).astype(bool) if "at_centre" in activities
                 else pd.Series(False, index=activities.index))
    return folded.where(~at_centre, _CENTRE_KEY)


def report_keys(activities: pd.DataFrame) -> np.ndarray:
    """Which report each row came from (its report version, else its unit and month), as codes."""
    if "report_version_id" in activities:
        return pd.factorize(activities["report_version_id"], use_na_sentinel=False)[0]
    blank = pd.Series("", index=activities.index)
    unit = activities["unit"].astype(str) if "unit" in activities else blank
    period = activities["period"].astype(str) if "period" in activities else blank
    return pd.factorize(unit + "|" + period, use_na_sentinel=False)[0]


def count_once(activities: pd.DataFrame) -> pd.DataFrame:
    """The activities with rows repeated across reports merged (largest people count kept).

    Returns the kept rows (their own columns) plus ``times_reported``: in how many reports the
    activity appears. Sorted by date.

    Rows are ranked by people served (largest first, ties in their order); within each report,
    the rows of one activity key (day, type, place) take slots 0, 1, ... in rank order; each
    (key, slot) is one activity, kept from its best-ranked row and reported by as many reports
    as fill that slot. Whole columns of integer codes, sorted with numpy: no grouping by text.
    """
    if len(activities) == 0:
        return activities.assign(times_reported=pd.Series(dtype="int64"))
    days = as_days(activities["date"]).dt.normalize()
    key = _codes(days, activities["activity_type"], place_keys(activities))
    report = report_keys(activities)
    people = activities["people_served"].astype("Float64").fillna(-1).to_numpy(dtype=float)
    rank = np.empty(len(people), dtype=np.int64)
    rank[np.argsort(-people, kind="stable")] = np.arange(len(people))
    order = np.lexsort((rank, report, key))  # by activity key, then report, then rank
    k, r = key[order], report[order]
    starts = np.r_[True, (k[1:] != k[:-1]) | (r[1:] != r[:-1])]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    slot = np.empty(len(order), dtype=np.int64)
    slot[order] = np.arange(len(order)) - run_start
    by_rank = np.argsort(rank)
    # Activities numbered in order of first appearance in rank order: activity j first shows
    # at the row where the running maximum of the numbers first reaches j.
    activity = pd.factorize(key[by_rank] * (int(slot.max()) + 1) + slot[by_rank])[0]
    first = np.r_[True, activity[1:] > np.maximum.accumulate(activity)[:-1]]
    kept_rows = by_rank[first]  # each activity's best-ranked row, in rank order
    kept = activities.iloc[kept_rows].assign(times_reported=np.bincount(activity).astype("int64"),
                                             _day=days.iloc[kept_rows].to_numpy())
    kept = kept.sort_values(["_day", "activity_type"], kind="stable")
    return kept.drop(columns=["_day"]).reset_index(drop=True)


COUNTED = "activities_counted"  # the key of count_once(activities) in a frames dict (with_counted)


def with_counted(data: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``data`` plus its activities counted once (key ``COUNTED``): counted once for every reader."""
    return {**data, COUNTED: count_once(rows_of(data, "activities"))}


def counted(data: Mapping[str, pd.DataFrame], start: date | None, end: date | None) -> pd.DataFrame:
    """``count_once`` of the activities of ``data`` dated from ``start`` through ``end`` (None: no
    bound; with no bound at all, undated rows too).

    Counting once commutes with choosing rows by date: the rows merged into one activity share
    its day, so a date range keeps or drops them together (with the same kept row and number of
    reports). So this cuts ``data[COUNTED]`` when ``with_counted`` made it, for any dates.
    """
    once = data.get(COUNTED)
    if once is None:
        once = count_once(rows_of(data, "activities"))
    if start is None and end is None:
        return once
    days = as_days(once["date"])
    keep = pd.Series(True, index=once.index)
    if start is not None:
        keep &= days >= pd.Timestamp(start)
    if end is not None:
        keep &= days <= pd.Timestamp(end)
    if keep.all():  # the whole period: no copy of a million rows
        return once
    return once[keep.to_numpy()].reset_index(drop=True)


def _codes(*columns: pd.Series) -> np.ndarray:
    """One int64 code per distinct combination of the columns' values (missing values included)."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
        combined = pd.factorize(combined)[0]  # keep the codes small: no overflow however many columns
    return combined.astype(np.int64)


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
        days = as_days(activities["date"])
        chosen &= (days >= pd.Timestamp(window[0])) & (days <= pd.Timestamp(window[1]))
    return activities[chosen.fillna(False)]


def as_days(values: pd.Series) -> pd.Series:
    """``values`` as datetime64 (a datetime64 column as it is: ``pd.to_datetime`` would first look
    at it value by value to decide whether to cache, a tenth of a second at 1M rows)."""
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values
    return pd.to_datetime(values)


def month_of(dates: pd.Series) -> pd.Series:
    """ "YYYY-MM" of each date ("NaT" for a missing one)."""
    months = as_days(dates).to_numpy().astype("datetime64[M]")
    return pd.Series(np.datetime_as_string(months, unit="M"), index=dates.index).astype(object)
