"""Small-count suppression of person counts in breakdowns below province level.

A count of 1 to ``threshold - 1`` people is shown as "<threshold" (default "<5"), and when a
single cell of a group is suppressed, the next smallest cell of that group is suppressed too
(complementary suppression), so the group's total cannot reveal it. Target values and province
totals are never suppressed.
"""
from __future__ import annotations


import pandas as pd
from .settings import get_settings


def threshold() -> int:
    return get_settings().suppress_below


def suppression_mask(counts: pd.Series, below: int | None = None) -> pd.Series:
    """Which cells to hide: small non-zero counts, plus a complementary cell when only one is small."""
    below = threshold() if below is None else below
    values = pd.to_numeric(counts, errors="coerce").fillna(0)
    mask = (values > 0) & (values < below)
    if int(mask.sum()) == 1 and len(values) > 1:
        others = values[~mask & (values > 0)]
        if len(others):
            mask[others.idxmin()] = True
    return mask


def suppress(frame: pd.DataFrame, columns: list[str], by: list[str] | None = None,
             below: int | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with small person counts in ``columns`` replaced by "<below" (text).

    ``by`` names the columns that define a group whose cells add up to a shown total (each
    group is protected on its own); without it the whole column is one group.
    """
    below = threshold() if below is None else below
    out = frame.copy()
    for column in columns:
        if column not in out:
            continue
        groups = [out.index] if not by else [idx for _, idx in out.groupby(by, sort=False).groups.items()]
        mask = pd.Series(False, index=out.index)
        for idx in groups:
            mask.loc[idx] = suppression_mask(out.loc[idx, column], below)
        shown = out[column].astype(object)
        shown[mask] = f"<{below}"
        out[column] = shown
    return out


def hide_small(frame: pd.DataFrame, columns: list[str], below: int | None = None) -> pd.DataFrame:
    """A copy with the cells ``suppress`` would hide set to NaN (for charts: no bar, shown as "–")."""
    out = frame.copy()
    for column in columns:
        if column in out:
            mask = suppression_mask(out[column], below)
            out[column] = out[column].astype("float64").mask(mask)
    return out
