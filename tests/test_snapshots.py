"""Meeting snapshots: frozen under a name, listed, compared with now, reported from; on SQLite and PostgreSQL."""
from __future__ import annotations

import argparse
import io
import json
import re
from datetime import date
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, inspect, update

from tests.factories import activity, make_report, resource, sample_year
from ytsupport.report import render, report_bytes
from ytsupport.commands.reports import comparison_text, register
from ytsupport.report.snapshots import (SnapshotError, compare, create_snapshot, find_snapshot, get_snapshot,
                                 list_snapshots)
from ytsupport.store import audit_entries, ensure_schema, store_report
from ytsupport.store import tables as s
from ytsupport.store.engine import write_transaction

THEN = date(2021, 3, 15)


def _targets(content: Any) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in content.targets}


@pytest.fixture
def meeting(engine: Engine) -> Engine:
    """Two January reports; a snapshot "Họp tháng 3" as of 15 March; then a correction and a late report."""
    january = [activity("2021-01-15", people=90, centre=True)]
    store_report(engine, make_report("bv_da_khoa", "2021-01", activities=january), received_on=date(2021, 2, 5))
    store_report(engine, make_report("bhxh", "2021-01", resources=[resource("2021-01-20", "the_bhyt", 1, 600_000, recipient="Học sinh")]),
                 received_on=date(2021, 2, 8))
    create_snapshot(engine, "Họp tháng 3", THEN, created_by="chánh văn phòng")
    corrected = [activity("2021-01-15", people=120, centre=True)]
    store_report(engine, make_report("bv_da_khoa", "2021-01", activities=corrected), received_on=date(2021, 3, 20))
    store_report(engine, make_report("bhxh", "2021-02", resources=[resource("2021-02-03", "the_bhyt", 1, 600_000, recipient="Học sinh")]),
                 received_on=date(2021, 3, 25))
    return engine


def test_schema_version_3_adds_the_snapshots_table(engine: Engine) -> None:
    assert "snapshots" in inspect(engine).get_table_names()
    with write_transaction(engine) as conn:
        s.snapshots.drop(conn)
        conn.execute(update(s.meta).where(s.meta.c.key == s.SCHEMA_VERSION_KEY).values(value=2))
    assert ensure_schema(engine) == 2
    assert "snapshots" in inspect(engine).get_table_names()
    with engine.connect() as conn:
        assert s.schema_version(conn) == s.LATEST_VERSION


def test_snapshot_is_listed_found_and_audited(meeting: Engine) -> None:
    create_snapshot(meeting, "  Họp   tháng 4 ", date(2021, 4, 30), created_by="bí thư")
    assert [x.name for x in list_snapshots(meeting)] == ["Họp tháng 4", "Họp tháng 3"]
    snap = get_snapshot(meeting, "Họp tháng 3")
    assert (snap.as_of, snap.created_by, snap.plan) == (THEN, "chánh văn phòng", "114-KH/ĐTN")
    assert snap.created_at.tzinfo is not None
    assert find_snapshot(meeting, f"#{snap.id}").name == "Họp tháng 3"
    assert find_snapshot(meeting, "Họp tháng 5") is None
    actions = [(e["actor"], e["action"], (e["details"] or {}).get("name")) for e in audit_entries(meeting, 20)]
    assert ("chánh văn phòng", "snapshot", "Họp tháng 3") in actions


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "Họp tháng 3"])
def test_snapshot_name_must_be_new_and_sensible(meeting: Engine, name: str) -> None:
    with pytest.raises(SnapshotError):
        create_snapshot(meeting, name, THEN)


def test_snapshot_keeps_the_figures_as_they_were(meeting: Engine) -> None:
    frozen = get_snapshot(meeting, "Họp tháng 3").content
    assert frozen.status["as_of"] == "2021-03-15"
    assert _targets(frozen)["checkup_people"]["actual"] == 90
    assert _targets(frozen)["checkup_monthly"]["actual"] == 0
    assert frozen.snapshot["name"] == "Họp tháng 3"


def test_compare_shows_changed_targets_reports_received_since_and_units_newly_missing(meeting: Engine) -> None:
    result = compare(meeting, "Họp tháng 3", as_of=date(2021, 4, 15))
    changed = {t["id"]: t for t in result["targets"]}
    assert (changed["checkup_people"]["actual_then"], changed["checkup_people"]["actual_now"]) == (90, 120)
    assert changed["checkup_people"]["delta"] == 30
    assert (changed["checkup_monthly"]["actual_then"], changed["checkup_monthly"]["actual_now"]) == (0, 1)
    assert (changed["bhyt_disabled_students"]["actual_then"], changed["bhyt_disabled_students"]["actual_now"]) == (1, 2)
    assert changed["bhyt_disabled_students"]["status_now"] == "met"
    assert "children_day_gifts" not in changed
    received = [(r["unit"], r["period"], r["version"], r["correction"], r["late"]) for r in result["received_since"]]
    assert received == [("bv_da_khoa", "2021-01", 2, True, True), ("bhxh", "2021-02", 1, False, True)]
    missing = {u["unit"]: u["months"] for u in result["newly_missing"]}
    assert missing["bv_da_khoa"] == ["2021-03"]  # February was already missing at the snapshot
    assert missing["bhxh"] == ["2021-03"]  # February came in late: not missing
    assert result["as_of_then"] == "2021-03-15" and result["as_of_now"] == "2021-04-15"


def test_compare_with_nothing_new_is_empty(engine: Engine) -> None:
    store_report(engine, make_report("bv_da_khoa", "2021-01", activities=[activity("2021-01-15", centre=True)]),
                 received_on=date(2021, 2, 5))
    create_snapshot(engine, "Họp", THEN)
    result = compare(engine, "Họp", as_of=THEN)
    assert (result["targets"], result["received_since"], result["newly_missing"]) == ([], [], [])


def test_a_report_of_a_snapshot_shows_its_frozen_figures(meeting: Engine) -> None:
    book = openpyxl.load_workbook(io.BytesIO(report_bytes(meeting, "xlsx", snapshot="Họp tháng 3", actor="t")))
    rows = {r[1].value: r for r in book["Chỉ tiêu"].iter_rows(min_row=2)}
    assert rows["checkup_people"][5].value == 90
    info = {r[0].value: r[1].value for r in book["Thông tin"].iter_rows()}
    assert info["Lần chốt số liệu"].startswith("Họp tháng 3 (")
    now = openpyxl.load_workbook(io.BytesIO(report_bytes(meeting, "xlsx", as_of=date(2021, 4, 15))))
    assert {r[1].value: r for r in now["Chỉ tiêu"].iter_rows(min_row=2)}["checkup_people"][5].value == 120
    page = render(get_snapshot(meeting, "Họp tháng 3").content, "html").decode("utf-8")
    assert "Họp tháng 3" in page and "15/03/2021" in page
    exports = [e for e in audit_entries(meeting, 5) if e["action"] == "export"]
    assert exports[-1]["details"]["snapshot"] == "Họp tháng 3"


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args)


def test_snapshot_commands(meeting: Engine, capsys: Any) -> None:
    url = meeting.url.render_as_string(hide_password=False)
    assert _cli(["snapshot", "create", "Họp quý I", "--db", url, "--as-of", "2021-03-31", "--by", "vp"]) == 0
    assert "Họp quý I" in capsys.readouterr().out
    assert _cli(["snapshot", "create", "Họp quý I", "--db", url]) == 1
    assert "exists already" in capsys.readouterr().err
    assert _cli(["snapshot", "list", "--db", url]) == 0
    assert capsys.readouterr().out.count("Họp") == 2
    assert _cli(["snapshot", "compare", "Họp tháng 3", "--db", url, "--as-of", "2021-04-15", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["received_since"][0]["unit"] == "bv_da_khoa"
    assert _cli(["snapshot", "compare", "không có", "--db", url]) == 1


def _compare_text(url: str, lang: str | None, capsys: Any) -> str:
    argv = ["snapshot", "compare", "Họp tháng 3", "--db", url, "--as-of", "2021-04-15"]
    assert _cli(argv + (["--lang", lang] if lang else [])) == 0
    return capsys.readouterr().out


def test_compare_command_speaks_vietnamese_with_formatted_numbers(meeting: Engine, capsys: Any) -> None:
    out = _compare_text(meeting.url.render_as_string(hide_password=False), None, capsys)
    assert out.startswith("So sánh số liệu chốt “Họp tháng 3” (tính đến ngày 15/03/2021) với hiện tại "
                          "(tính đến ngày 15/04/2021)")
    people = next(line for line in out.splitlines() if "Lượt người được khám bệnh" in line)
    assert people.endswith("Kết quả 90 → 120; Đánh giá Chậm tiến độ → Chậm tiến độ")
    assert "Tổng giá trị nguồn lực vận động được: Kết quả 600.000 đồng → 1.200.000 đồng" in out
    assert "Báo cáo nhận được sau ngày 15/03/2021, đến ngày 15/04/2021:" in out
    assert ("Đoàn cơ sở Bệnh viện Đa khoa tỉnh, báo cáo tháng 1/2021: bản 2, nhận ngày 20/03/2021, "
            "hạn nộp 10/02/2021 (Trễ hạn, Bản sửa)") in out
    assert "Chi đoàn Bảo hiểm Xã hội tỉnh: tháng 3/2021" in out  # units newly missing
    for english in ("targets changed", "received", "late", "correction", "actual", "none"):
        assert english not in out.lower()
    assert not re.search(r"\d{4}-\d{2}-\d{2}", out)  # no ISO dates


def test_compare_text_formats_each_value_in_its_own_format() -> None:
    change = {"id": "reporting_completeness", "label": {"vi": "Tỷ lệ báo cáo", "en": "Reporting rate"},
              "format": "percent", "status_then": None, "status_now": "behind",
              "actual_then": 0.9833333333333333, "actual_now": 0.95}
    result = {"snapshot": {"name": "Họp"}, "as_of_then": "2021-06-30", "as_of_now": "2021-07-31",
              "targets": [change], "received_since": [], "newly_missing": []}
    assert comparison_text(result).splitlines() == [
        "So sánh số liệu chốt “Họp” (tính đến ngày 30/06/2021) với hiện tại (tính đến ngày 31/07/2021)", "",
        "Chỉ tiêu thay đổi:", "  • Tỷ lệ báo cáo: Kết quả 98,3% → 95,0%; Đánh giá – → Chậm tiến độ", "",
        "Báo cáo nhận được sau ngày 30/06/2021, đến ngày 31/07/2021:", "  Chưa nhận thêm báo cáo nào.", "",
        "Đơn vị mới thiếu báo cáo:", "  Không có đơn vị nào mới thiếu báo cáo."]
    assert "Actual 98.3% → 95.0%" in comparison_text(result, "en")


def test_compare_command_in_english(meeting: Engine, capsys: Any) -> None:
    out = _compare_text(meeting.url.render_as_string(hide_password=False), "en", capsys)
    assert out.startswith("Snapshot “Họp tháng 3” (as of 15/03/2021) compared with now (as of 15/04/2021)")
    assert "Reports received after 15/03/2021, up to 15/04/2021:" in out and "due 10/02/2021 (Late, Correction)" in out
    assert "Actual 90 → 120" in out


def test_reports_received_since_go_by_the_day_they_arrived(engine: Engine) -> None:
    """The whole sample year stored at once, then a snapshot as of 30 June: between the June and
    July meetings, the reports received in July (June's among them) are what came in."""
    for report, received in sample_year():
        store_report(engine, report, received_on=received)
    create_snapshot(engine, "Họp tháng 6", date(2021, 6, 30))
    result = compare(engine, "Họp tháng 6", as_of=date(2021, 7, 31))
    received = result["received_since"]
    in_july = {(report.unit, report.period) for report, on in sample_year() if date(2021, 6, 30) < on <= date(2021, 7, 31)}
    assert {(r["unit"], r["period"]) for r in received} == in_july
    assert len({(unit, period) for unit, period in in_july if period == "2021-06"}) >= 10  # June's reports among them
    assert all("2021-07-01" <= r["received_on"] <= "2021-07-31" for r in received)
    assert [r["received_on"] for r in received] == sorted(r["received_on"] for r in received)
    assert compare(engine, "Họp tháng 6", as_of=date(2021, 6, 30))["received_since"] == []


def test_snapshots_are_bounded_in_number(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A login cannot fill the store with snapshots (a few hundred KB each)."""
    from ytsupport.report import snapshots

    monkeypatch.setattr(snapshots, "MAX_SNAPSHOTS", 2)
    for name in ("a", "b"):
        create_snapshot(engine, name, as_of=date(2021, 6, 30))
    with pytest.raises(SnapshotError) as refused:
        create_snapshot(engine, "c", as_of=date(2021, 6, 30))
    assert refused.value.code == "too_many" and len(list_snapshots(engine)) == 2
    with pytest.raises(SnapshotError) as long_name:
        create_snapshot(engine, "x" * (snapshots.MAX_NAME + 1), as_of=date(2021, 6, 30))
    assert long_name.value.code == "name_too_long"
