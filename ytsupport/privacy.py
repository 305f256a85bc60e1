"""Small-count suppression: one rule for every person count below province level, in every output.

A person count ``c`` in a breakdown below province level (by district, or any view filtered to
some units or districts) is hidden when

* ``1 <= c < threshold`` (default 5: counts 1-4), or
* its complement is small: ``total - c`` is 1-4, where ``total`` is the province-level figure the
  count is part of (subtracting ``c`` from a published total would otherwise reveal the rest), and
* when exactly one cell of a group is hidden, the next smallest non-zero cell of the group is
  hidden too (complementary suppression), so the group's total cannot give it back.

A filtered view whose own total is below the threshold shows no breakdown at all
(:func:`too_few_to_break_down`). Zero is never hidden; province totals and target values never
are. Hidden cells become NaN (a chart draws no bar; a table shows "–"). The pages, the
presentation, the four report formats and the snapshots all go through :func:`hide_small`, and a
snapshot stores the hidden figures only.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .settings import get_settings


def threshold() -> int:
    return get_settings().suppress_below


def _small(values: pd.Series, below: int) -> pd.Series:
    return (values >= 1) & (values < below)


def suppression_mask(counts: pd.Series, below: int | None = None,
                     total: float | pd.Series | None = None) -> pd.Series:
    """Which cells of one group to hide (see the module's rule). ``total`` is the province figure
    the counts are part of: one number (default: their sum), or one per cell (a Series aligned
    with ``counts``: the same breakdown at province level)."""
    below = threshold() if below is None else below
    values = pd.to_numeric(pd.Series(counts), errors="coerce").fillna(0)
    if total is None:
        whole: float | pd.Series = float(values.sum())
    elif isinstance(total, pd.Series):
        whole = pd.to_numeric(total, errors="coerce").fillna(0).to_numpy()
    else:
        whole = float(total)
    mask = _small(values, below) | (_small(whole - values, below) & (values > 0))
    if int(mask.sum()) == 1 and len(values) > 1:
        others = values[~mask & (values > 0)]
        if len(others):
            mask[others.idxmin()] = True
    return mask


def hide_small(frame: pd.DataFrame, columns: list[str], below: int | None = None,
               totals: Mapping[str, float | pd.Series] | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with the hidden person counts of ``columns`` set to NaN; ``totals`` gives
    the province figure of each column, one number or one per row (default: the column's sum)."""
    out = frame.copy()
    for column in columns:
        if column in out:
            mask = suppression_mask(out[column], below, (totals or {}).get(column))
            out[column] = out[column].astype("float64").mask(mask.to_numpy())
    return out


def hide_count(count: float, total: float | None = None, below: int | None = None) -> float | None:
    """One person count of a view below province level: None when the rule hides it."""
    below = threshold() if below is None else below
    small = 1 <= count < below or (total is not None and count > 0 and 1 <= total - count < below)
    return None if small else count


def too_few_to_break_down(total: float, below: int | None = None) -> bool:
    """A filtered view of ``total`` people, 1-4, shows no breakdown at all."""
    below = threshold() if below is None else below
    return 0 < total < below
