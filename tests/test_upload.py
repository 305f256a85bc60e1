"""The upload workflow's core: comparison with the stored month, and storing only valid files."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.workbooks import activity, write_report_workbook
from ytsupport.ingest.validate import validate_file
from ytsupport.store import get_engine, history
from ytsupport.store.compare import compare_with_stored, store_checked


def test_comparison_counts_rows_added_removed_and_totals(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    first = validate_file(write_report_workbook(tmp_path / "a.xlsx", activities=[activity(), activity(n=2, people=50)]))
    assert compare_with_stored(engine, first).version is None
    assert [r["status"] for r in store_checked(engine, [first], date(2021, 7, 5), "tester")] == ["stored"]
    again = compare_with_stored(engine, validate_file(tmp_path / "a.xlsx"))
    assert again.identical and not again.replaces
    corrected = validate_file(write_report_workbook(tmp_path / "b.xlsx", activities=[activity(), activity(n=2, people=60)]))
    diff = compare_with_stored(engine, corrected)
    assert diff.replaces and diff.version == 1
    acts = next(r for r in diff.rows if r["kind"] == "activities")
    assert (acts["before"], acts["after"], acts["added"], acts["removed"]) == (2, 2, 1, 1)
    people = next(t for t in diff.totals if t["measure"] == "people_served")
    assert (people["before"], people["after"]) == (150, 160)


def test_invalid_files_are_refused_and_store_nothing(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    bad = validate_file(write_report_workbook(tmp_path / "bad.xlsx", activities=[activity(day="31/02/2021")]))
    good = validate_file(write_report_workbook(tmp_path / "good.xlsx", activities=[activity()], unit="Sở Y tế"))
    results = store_checked(engine, [bad, good], date(2021, 7, 5), "tester")
    assert [r["status"] for r in results] == ["refused", "stored"]
    assert [(h["unit"], h["period"]) for h in history(engine)] == [("so_y_te", "2021-06")]
