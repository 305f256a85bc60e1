"""The current data kept up to date by difference, and the store's columnar copy (store/current.py).

Whatever sequence of uploads, replacements, re-uploads of an older file, reverts and nil reports
the store goes through, the data updated by difference, its activities counted once and the
figures computed from it equal those of a full reload; the columnar copy is never used for data
it was not made from.
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import activity, beneficiary, make_report, resource
from ytsupport.cli import main
from ytsupport.figures import compute
from ytsupport.plan import load_plan, month_end
from ytsupport.plan.activities import COUNTED, count_once, with_counted
from ytsupport.store import backup, get_engine, restore, revert, store_report
from ytsupport.store import current as cur
from ytsupport.store.storing import history, load_current

PLAN = load_plan()
UNITS = [u.code for u in PLAN.reporting_units][:4]
MONTHS = ["2021-03", "2021-04"]
TYPES = ["kham_benh", "tham_tang_qua"]

# One step: ("ingest", unit, month, content seed, nil?), ("revert", pick), ("again", pick) (an
# older file uploaded again: that version becomes current once more).
STEP = st.one_of(
    st.tuples(st.just("ingest"), st.integers(0, len(UNITS) - 1), st.integers(0, len(MONTHS) - 1),
              st.integers(0, 40), st.booleans()),
    st.tuples(st.just("revert"), st.integers(0, 50)),
    st.tuples(st.just("again"), st.integers(0, 50)),
)


def _report(unit: str, period: str, seed: int, nil: bool):
    """A report whose rows often repeat other units' (same day, type, place: one joint activity)."""
    if nil:
        return make_report(unit, period, sha256=f"nil-{unit}-{period}-{seed}")
    day = lambda k: f"{period}-{1 + (seed + k) % 3:02d}"  # noqa: E731 - three days: many shared activities
    acts = [activity(day(k), TYPES[(seed + k) % 2], people=10 * (1 + (seed * k) % 4), centre=(seed + k) % 3 == 0,
                     location=None if (seed + k) % 3 == 0 else f"Xã {(seed + k) % 2}", district="cang_long")
            for k in range(1 + seed % 4)]
    people = [beneficiary(f"Người {(seed + k) % 5}", surveyed_on=day(k)) for k in range(seed % 3)]
    things = [resource(day(0), "qua", quantity=1 + seed % 5, value=100_000 * (1 + seed % 3))] if seed % 2 else []
    return make_report(unit, period, activities=acts, beneficiaries=people, resources=things,
                       sha256=f"{unit}-{period}-{seed}")


def _apply(engine: Any, step: tuple, stored: list[Any]) -> None:
    """Carry out one step on the store (a step that cannot apply, e.g. revert of a first version, is skipped)."""
    if step[0] == "ingest":
        _, u, m, seed, nil = step
        report = _report(UNITS[u], MONTHS[m], seed, nil)
        stored.append(report)
        store_report(engine, report, received_on=month_end(MONTHS[m]) + timedelta(days=seed % 20))
    elif step[0] == "again" and stored:
        report = stored[step[1] % len(stored)]
        store_report(engine, report, received_on=date(2021, 6, 1))
    elif step[0] == "revert":
        undoable = [v for v in history(engine) if v["is_current"] and v["version"] > 1]
        if undoable:
            revert(engine, undoable[step[1] % len(undoable)]["id"])


def _assert_same_data(data: dict[str, pd.DataFrame], engine: Any) -> None:
    """``data`` equals a full reload: every kind, the versions, the activities counted once, the figures."""
    fresh = load_current(engine)
    for kind in ("activities", "beneficiaries", "resources", "reports"):
        pd.testing.assert_frame_equal(data[kind], fresh[kind], check_index_type=True)
    pd.testing.assert_frame_equal(data[COUNTED], count_once(fresh["activities"]))
    for as_of in (date(2021, 3, 2), date(2021, 12, 31)):
        mine, truth = compute(data, PLAN, as_of), compute(with_counted(fresh), PLAN, as_of)
        assert mine.status == truth.status
        assert mine.headline == truth.headline


def test_the_counted_key_is_the_plans() -> None:
    assert cur.COUNTED == COUNTED


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_difference_equals_full_reload_after_every_step(steps: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = get_engine(f"sqlite:///{folder}/db.sqlite")
        try:
            held = cur.current_data(engine, count_once=count_once, keep_copy=False)
            stored: list[Any] = []
            for step in steps:
                _apply(engine, step, stored)
                held = cur.current_data(engine, held, count_once=count_once, max_changed_share=1.0,
                                        keep_copy=False)
                _assert_same_data(held, engine)
        finally:
            engine.dispose()


def test_difference_on_both_stores(engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same on PostgreSQL (the database's own text order) and SQLite, through the columnar copy."""
    monkeypatch.setenv("YTSUPPORT_DATA_DIR", str(tmp_path / "data"))
    steps = [("ingest", 0, 0, 1, False), ("ingest", 1, 0, 2, False), ("ingest", 2, 1, 3, False),
             ("ingest", 0, 0, 5, False), ("ingest", 3, 1, 0, True), ("revert", 0), ("again", 1),
             ("ingest", 1, 0, 6, True), ("revert", 1)]
    held = None
    stored: list[Any] = []
    for step in steps:
        _apply(engine, step, stored)
        held = cur.current_data(engine, held, count_once=count_once, max_changed_share=1.0)
        _assert_same_data(held, engine)
        _assert_same_data(cur.current_data(engine, count_once=count_once), engine)  # from the copy


def _current_ids(data: dict[str, pd.DataFrame]) -> set[int]:
    versions = data[cur.VERSIONS]
    return set(versions.loc[versions["is_current"], "id"].tolist())


def _status_json(db_url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["status", "--db", db_url, "--json", "--as-of", "2021-12-31"]) == 0
    return json.loads(capsys.readouterr().out)


def _expected_status(engine: Any, capsys: pytest.CaptureFixture[str], db_url: str) -> dict[str, Any]:
    """``status --json`` with no columnar copy (the copy moved away for the run, then put back)."""
    path = cur.copy_path(engine)
    aside = path.with_name(path.name + ".aside")
    if path.exists():
        path.rename(aside)
    try:
        return _status_json(db_url, capsys)
    finally:
        path.unlink(missing_ok=True)
        if aside.exists():
            aside.rename(path)


def test_columnar_copy_follows_every_change(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """After an upload, a replacement, a revert and another process's upload, ``status`` reads the
    copy made from the data before and still answers with the new data."""
    monkeypatch.setenv("YTSUPPORT_DATA_DIR", str(tmp_path / "data"))
    engine = get_engine(db_url)
    try:
        store_report(engine, _report(UNITS[0], "2021-03", 1, False), received_on=date(2021, 4, 5))
        seen = [_status_json(db_url, capsys)]
        path = cur.copy_path(engine)
        assert path.exists() and path.stat().st_mode & 0o777 == 0o600
        changes = [
            lambda: store_report(engine, _report(UNITS[1], "2021-03", 2, False), received_on=date(2021, 4, 6)),
            lambda: store_report(engine, _report(UNITS[0], "2021-03", 7, False), received_on=date(2021, 4, 9)),
            lambda: revert(engine, [v for v in history(engine) if v["is_current"] and v["version"] > 1][0]["id"]),
            lambda: _other_process_stores(db_url, tmp_path),
        ]
        for change in changes:
            change()
            now = _status_json(db_url, capsys)
            assert now == _expected_status(engine, capsys, db_url)
            copy = cur.read_copy(engine)
            assert copy is not None and _current_ids(copy) == {v["id"] for v in history(engine) if v["is_current"]}
            seen.append(now)
        assert seen[0] != seen[-1]
    finally:
        engine.dispose()


def _other_process_stores(db_url: str, tmp_path: Path) -> None:
    """Another process (its own engine, its own interpreter) stores a report."""
    import subprocess
    import sys

    code = ("import sys; from datetime import date; sys.path.insert(0, '.');"
            "from tests.test_current import _report, UNITS; from ytsupport.store import get_engine, store_report;"
            "e = get_engine(sys.argv[1]); store_report(e, _report(UNITS[2], '2021-04', 3, False),"
            " received_on=date(2021, 5, 4)); e.dispose()")
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", code, db_url], cwd=root, check=True,
                   env={**os.environ, "YTSUPPORT_DATA_DIR": str(tmp_path / "data")})


def test_copy_of_a_restored_backup_is_not_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A restored backup may give a version id to another file: the copy is then read again in full."""
    db = tmp_path / "db.sqlite"
    url = f"sqlite:///{db}"
    engine = get_engine(url)
    store_report(engine, _report(UNITS[0], "2021-03", 1, False), received_on=date(2021, 4, 5))
    saved = backup(db, tmp_path / "saved.sqlite")
    store_report(engine, _report(UNITS[1], "2021-03", 2, False), received_on=date(2021, 4, 6))
    engine.dispose()
    before = _status_json(url, capsys)
    restore(saved, db)
    engine = get_engine(url)
    try:
        store_report(engine, _report(UNITS[2], "2021-04", 3, False), received_on=date(2021, 5, 4))  # takes id 2
        after = _status_json(url, capsys)
        assert after == _expected_status(engine, capsys, url)
        assert after != before
        _assert_same_data(cur.current_data(engine, count_once=count_once), engine)
    finally:
        engine.dispose()


def test_an_unreadable_copy_is_rebuilt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = get_engine(url)
    try:
        store_report(engine, _report(UNITS[0], "2021-03", 1, False), received_on=date(2021, 4, 5))
        cur.copy_path(engine).write_bytes(b"not an arrow file")
        _assert_same_data(cur.current_data(engine, count_once=count_once), engine)
        assert cur.read_copy(engine) is not None  # written again, readable
    finally:
        engine.dispose()
