"""Aggregates shared by the pages and the meeting reports.

Each function takes the frames of ``store.load_current`` (a kind may be missing), optionally an
``as_of`` date (only rows dated on or before it count), and returns a small DataFrame ready to
chart. Activities repeated across reports are counted once (``plan.count_once``); only
``unit_contribution`` credits every unit with its own rows, and then adds an adjustment row so its
columns still add up to those totals. Beneficiaries are people: one row per ``person_key`` across
units, their latest survey giving district, sex and birth year. Resource quantities add up only
within one item and unit of measure (``resources_by_measure``); the value in đồng adds up anywhere.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .plan.activities import as_days, at_place, counted, month_of
from .store.conversion import Frames, rows_of
from .store.tables import DATE_COLUMNS

AGE_BANDS = ("children", "youth", "others", "elderly", "unknown")


def rows_until(data: Frames, kind: str, as_of: date | None = None) -> pd.DataFrame:
    """The rows of ``kind`` (an empty canonical frame when absent), dated on or before ``as_of``."""
    frame = rows_of(data, kind)
    if as_of is not None:
        keep = (as_days(frame[DATE_COLUMNS[kind]]) <= pd.Timestamp(as_of)).to_numpy()
        if not keep.all():  # at the usual as-of date every row is kept: no copy
            frame = frame[keep]
    return frame


def _reindexed(frame: pd.DataFrame, key: str, keys: Sequence[str] | None) -> pd.DataFrame:
    """``frame`` with one row per key in ``keys`` (missing ones as zeros), when keys are given."""
    if keys is None:
        return frame.reset_index(drop=True)
    return (frame.set_index(key).reindex(list(keys), fill_value=0).rename_axis(key).reset_index())


# ---------------------------------------------------------------------------------------------
# Activities


def activities_by_month_type(data: Frames, as_of: date | None = None) -> pd.DataFrame:
    """Activities (counted once) and people served by month × activity type.

    Columns: month ("YYYY-MM"), activity_type, activities, people_served.
    """
    acts = counted(data, None, as_of)
    people = acts["people_served"].astype("Float64").fillna(0)
    out = (acts.assign(month=month_of(acts["date"]), people=people)
           .groupby(["month", "activity_type"], as_index=False)
           .agg(activities=("activity_type", "size"), people_served=("people", "sum")))
    out["people_served"] = out["people_served"].astype("int64")
    return out[["month", "activity_type", "activities", "people_served"]]


def checkups_by_month(data: Frames, activity_type: str, as_of: date | None = None,
                      months: Sequence[str] | None = None, *, place: str | None = "centre",
                      places: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """People served by the activities of one type at one place (default the Centre; None:
    anywhere) per month, activities counted once.

    Columns: month, activities, people_served; ``months`` lists every month to show (zeros filled).
    """
    acts = counted(data, None, as_of)
    acts = acts[((acts["activity_type"] == activity_type) & at_place(acts, place, places or {})).fillna(False)]
    out = (acts.assign(month=month_of(acts["date"]), people=acts["people_served"].astype("Float64").fillna(0))
           .groupby("month", as_index=False).agg(activities=("people", "size"), people_served=("people", "sum")))
    out["people_served"] = out["people_served"].astype("int64")
    return _reindexed(out[["month", "activities", "people_served"]], "month", months)


# ---------------------------------------------------------------------------------------------
# Resources


def _resources_by(data: Frames, column: pd.Series | str, name: str, as_of: date | None) -> pd.DataFrame:
    """Entries and value in đồng per key, largest value first. No quantity: quantities of
    different items and units of measure (cows, gift packs) do not add up (``resources_by_measure``)."""
    res = rows_until(data, "resources", as_of)
    keys = res[column] if isinstance(column, str) else column
    values = pd.to_numeric(res["value_vnd"]).astype("float64").fillna(0)
    out = (pd.DataFrame({name: keys.fillna("unknown") if len(res) else keys, "value": values})
           .groupby(name, as_index=False)
           .agg(entries=("value", "size"), value_vnd=("value", "sum")))
    return out.sort_values("value_vnd", ascending=False, kind="stable").reset_index(drop=True)


def resources_by_item(data: Frames, as_of: date | None = None) -> pd.DataFrame:
    """Columns: item, entries, value_vnd (largest value first)."""
    return _resources_by(data, "item", "item", as_of)


def resources_by_donor_type(data: Frames, as_of: date | None = None) -> pd.DataFrame:
    """Columns: donor_type ("unknown" when not given), entries, value_vnd."""
    return _resources_by(data, "donor_type", "donor_type", as_of)


def resources_by_unit(data: Frames, as_of: date | None = None) -> pd.DataFrame:
    """Columns: unit (the reporting unit that mobilised them), entries, value_vnd."""
    return _resources_by(data, "unit", "unit", as_of)


def unit_of_measure(values: pd.Series) -> pd.Series:
    """Units of measure as one spelling each: spaces collapsed, lower case ("Phần " = "phần");
    "" where none was given."""
    unique = {v: " ".join(str(v).split()).lower() for v in values.dropna().unique()}
    return values.map(unique).fillna("").astype(object)


def resources_by_measure(data: Frames, as_of: date | None = None) -> pd.DataFrame:
    """Quantities added up only within one item and one unit of measure (5 "con" of livestock and
    423 "phần" of gifts are two rows, never 428 of anything); the value in đồng of each row too.

    Columns: item, unit_of_measure ("" when not given), entries, quantity, value_vnd; items by
    their total value (largest first), then their measures by value.
    """
    res = rows_until(data, "resources", as_of)
    rows = pd.DataFrame({"item": res["item"].fillna("unknown") if len(res) else res["item"],
                         "unit_of_measure": unit_of_measure(res["unit_of_measure"]),
                         "quantity": pd.to_numeric(res["quantity"]).astype("float64").fillna(0),
                         "value": pd.to_numeric(res["value_vnd"]).astype("float64").fillna(0)})
    out = (rows.groupby(["item", "unit_of_measure"], as_index=False)
           .agg(entries=("value", "size"), quantity=("quantity", "sum"), value_vnd=("value", "sum")))
    item_value = out.groupby("item")["value_vnd"].transform("sum")
    out = out.assign(_item_value=item_value).sort_values(["_item_value", "item", "value_vnd"],
                                                         ascending=[False, True, False], kind="stable")
    return out.drop(columns="_item_value").reset_index(drop=True)


def resources_by_month(data: Frames, as_of: date | None = None,
                       months: Sequence[str] | None = None) -> pd.DataFrame:
    """Columns: month, entries, value_vnd, cumulative_value_vnd (in month order)."""
    res = rows_until(data, "resources", as_of)
    out = _resources_by(data, month_of(res["date"]), "month", as_of).sort_values("month")
    out = _reindexed(out[["month", "entries", "value_vnd"]], "month", months)
    out["cumulative_value_vnd"] = out["value_vnd"].cumsum()
    return out


def top_donors(data: Frames, n: int = 10, as_of: date | None = None) -> pd.DataFrame:
    """The ``n`` donors who gave the most. Columns: donor, donor_type, entries, value_vnd."""
    res = rows_until(data, "resources", as_of)
    out = (res.assign(value=pd.to_numeric(res["value_vnd"]).astype("float64").fillna(0))
           .groupby("donor", as_index=False)
           .agg(donor_type=("donor_type", "last"), entries=("value", "size"), value_vnd=("value", "sum")))
    return out.sort_values(["value_vnd", "donor"], ascending=[False, True]).head(n).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Beneficiaries (people, de-duplicated by person_key across units)


def _categories_by_person(rows: pd.DataFrame, person: np.ndarray) -> pd.Series:
    """Each person's categories over all their rows: distinct, sorted, joined with ";"; indexed by
    ``person``, each row's person number (``unique_beneficiaries``).

    The few category codes become bits: each distinct ``categories`` text is split once, a person
    has a bit when any of their rows has it, and each distinct set is spelled once (no Python per
    row or person).
    """
    texts = rows["categories"].fillna("").astype(str)
    split = {text: {c.strip() for c in text.split(";")} - {""} for text in texts.unique()}
    names = sorted(set().union(*split.values()))
    if len(names) > 62:  # more categories than bits: the plain way
        exploded = pd.DataFrame({"person": person, "category": texts.str.split(";").to_numpy()}).explode("category")
        exploded["category"] = exploded["category"].str.strip()
        exploded = exploded[exploded["category"] != ""].drop_duplicates()
        return exploded.groupby("person")["category"].agg(lambda s: ";".join(sorted(s)))
    bit = {name: i for i, name in enumerate(names)}
    masks = texts.map({text: sum(1 << bit[c] for c in cats) for text, cats in split.items()}).to_numpy(np.int64)
    has = np.zeros(int(person.max()) + 1 if len(person) else 0, dtype=np.int64)
    np.bitwise_or.at(has, person, masks)  # each person's bits: the union over their rows
    spelled = {m: ";".join(n for i, n in enumerate(names) if m >> i & 1) for m in np.unique(has).tolist()}
    return pd.Series([spelled[m] for m in has.tolist()], dtype=object)


def _numbered(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(texts, sort=True)``: each text's number in the sorted distinct texts (-1:
    none), and those texts. Sorted by Arrow, many times faster than sorting Python strings; UTF-8
    bytes sort as the characters do, so the order is Python's."""
    codes, uniques = pd.factorize(texts)
    uniques = np.asarray(uniques, dtype=object)
    try:
        order = pc.array_sort_indices(pa.array(uniques, type=pa.string())).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all texts: as pandas sorts them
        codes, uniques = pd.factorize(texts, sort=True)
        return codes, np.asarray(uniques, dtype=object)
    if not len(order):
        return np.full(len(codes), -1, dtype=np.intp), uniques
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return np.where(codes >= 0, rank[np.maximum(codes, 0)], -1), uniques[order]


def unique_beneficiaries(data: Frames, as_of: date | None = None) -> pd.DataFrame:
    """One row per person: person_key, district, sex, birth_year, surveyed_on (latest survey),
    categories (union), supported / has_bhyt (in any report), units (how many units surveyed them).

    The person keys are numbered once (sorted, as ``groupby`` would) and every aggregate is grouped
    by that number: grouping by the texts again and again was most of the time at 100k people.
    """
    rows = rows_until(data, "beneficiaries", as_of).sort_values("surveyed_on", kind="stable")
    person, keys = _numbered(rows["person_key"])
    if (person < 0).any():  # a row without a key is nobody's (``groupby`` would drop it too)
        rows, person = rows[person >= 0], person[person >= 0]
    unit = rows["unit"] if "unit" in rows else pd.Series("", index=rows.index)
    people = (rows.assign(_unit=unit).groupby(person, sort=True)
              .agg(district=("district", "last"), sex=("sex", "last"), birth_year=("birth_year", "last"),
                   surveyed_on=("surveyed_on", "last"), supported=("supported", "any"),
                   has_bhyt=("has_bhyt", "any"), units=("_unit", "nunique")))
    people["categories"] = _categories_by_person(rows, person).reindex(people.index).fillna("")
    people.index = pd.Index(np.asarray(keys, dtype=object)[people.index.to_numpy()], name="person_key")
    return people.reset_index()


def _count_by(values: pd.Series, name: str, order: Sequence[str] | None = None) -> pd.DataFrame:
    counts = values.fillna("unknown").value_counts().rename_axis(name).reset_index(name="people")
    if order is not None:
        counts = counts.set_index(name).reindex(list(order), fill_value=0).reset_index()
    else:
        counts = counts.sort_values(["people", name], ascending=[False, True])
    return counts.reset_index(drop=True)


def beneficiaries_by_district(data: Frames, as_of: date | None = None,
                              districts: Sequence[str] | None = None) -> pd.DataFrame:
    """Columns: district, people (each person once; ``districts`` lists every district to show)."""
    return _count_by(unique_beneficiaries(data, as_of)["district"], "district", districts)


def beneficiaries_by_category(data: Frames, as_of: date | None = None) -> pd.DataFrame:
    """Columns: category, people (a person in two categories counts in both)."""
    people = unique_beneficiaries(data, as_of)
    codes = people["categories"].str.split(";").explode()
    return _count_by(codes[codes.fillna("") != ""], "category")


def age_band(age: pd.Series) -> pd.Series:
    """children (< 16), youth (16–30), elderly (≥ 60), others; unknown without a birth year."""
    bands = pd.Series("others", index=age.index, dtype=object)
    bands[age < 16] = "children"
    bands[(age >= 16) & (age <= 30)] = "youth"
    bands[age >= 60] = "elderly"
    bands[age.isna()] = "unknown"
    return bands


# ---------------------------------------------------------------------------------------------
# Units


JOINT = "joint_counted_once"  # the ``unit`` of unit_contribution's adjustment row
CONTRIBUTION_COLUMNS = ("activities", "people_served", "resources_value_vnd", "beneficiaries")


def _own_rows(data: Frames, as_of: date | None) -> pd.DataFrame:
    """Per unit, its own rows (nothing merged across units): the columns of ``CONTRIBUTION_COLUMNS``."""
    acts, res = rows_until(data, "activities", as_of), rows_until(data, "resources", as_of)
    ben = rows_until(data, "beneficiaries", as_of)
    frames = {
        "activities": acts.groupby("unit").size() if "unit" in acts else pd.Series(dtype="int64"),
        "people_served": (acts["people_served"].astype("Float64").fillna(0).groupby(acts["unit"]).sum()
                          if "unit" in acts else pd.Series(dtype="float64")),
        "resources_value_vnd": (pd.to_numeric(res["value_vnd"]).astype("float64").fillna(0)
                                .groupby(res["unit"]).sum() if "unit" in res else pd.Series(dtype="float64")),
        "beneficiaries": ben.groupby("unit")["person_key"].nunique() if "unit" in ben else pd.Series(dtype="int64"),
    }
    return pd.DataFrame(frames).fillna(0).rename_axis("unit")


def counted_once_totals(data: Frames, as_of: date | None = None) -> dict[str, float]:
    """The totals every other view shows, each thing once: activities and people served with joint
    activities merged (``plan.count_once``), resources in đồng, people surveyed across units."""
    once = counted(data, None, as_of)
    value = pd.to_numeric(rows_until(data, "resources", as_of)["value_vnd"]).astype("float64").fillna(0)
    return {"activities": len(once), "people_served": int(once["people_served"].astype("Float64").fillna(0).sum()),
            "resources_value_vnd": float(value.sum()), "beneficiaries": len(unique_beneficiaries(data, as_of))}


def unit_contribution(data: Frames, as_of: date | None = None,
                      units: Sequence[str] | None = None) -> pd.DataFrame:
    """Each unit's own rows: activities, people_served, resources_value_vnd, beneficiaries; then the
    adjustment row (``unit == JOINT``) so that every column adds up to ``counted_once_totals``.

    A joint activity is credited to every unit that reported it, and a person surveyed by several
    units to each of them; the adjustment row (zero or negative) takes the repeats away, so the
    table reconciles with the totals shown everywhere else. It is left out when nothing repeats.
    ``units`` lists the units to show first (zeros filled); units with data not listed follow, so
    no row drops out of the sum. By default the units with data.
    """
    own = _own_rows(data, as_of)
    order = list(units or []) + [u for u in own.index if u not in set(units or [])]
    out = own.reindex(order, fill_value=0)
    totals = counted_once_totals(data, as_of)
    adjustment = {c: totals[c] - float(out[c].sum()) for c in CONTRIBUTION_COLUMNS}
    if any(abs(v) > 1e-6 for v in adjustment.values()):
        out = pd.concat([out, pd.DataFrame([adjustment], index=pd.Index([JOINT], name="unit"))])
    out = out.astype({"activities": "int64", "people_served": "int64", "beneficiaries": "int64",
                      "resources_value_vnd": "float64"})
    return out.rename_axis("unit").reset_index()[["unit", *CONTRIBUTION_COLUMNS]]
