"""The admin's beneficiary list: search, and an export that cannot run formulas."""
from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl

from tests.workbooks import person, write_report_workbook
from ytsupport.ingest.validate import validate_file
from ytsupport.people import people_table, people_xlsx
from ytsupport.store import get_engine, load_current, store_report


def stored_people(tmp_path: Path):
    engine = get_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    rows = [person(), person(n=2, name="@SUM(1,1)", year=1950, category="Người cao tuổi neo đơn",
                             district="Càng Long")]
    store_report(engine, validate_file(write_report_workbook(tmp_path / "r.xlsx", beneficiaries=rows)), received_on=date(2021, 7, 1))
    return load_current(engine)["beneficiaries"]


def test_search_ignores_diacritics_and_shows_labels(tmp_path: Path) -> None:
    table = people_table(stored_people(tmp_path), "tra cu")
    assert table["Họ và tên"].tolist() == ["Thạch Thị Sa Rết"]
    assert table["Nhóm đối tượng"].tolist() == ["Trẻ em mồ côi"]
    assert table["Đơn vị khảo sát"].tolist() == ["Đoàn cơ sở Bệnh viện Đa khoa tỉnh"]


def test_export_writes_formula_like_names_as_text(tmp_path: Path) -> None:
    data = people_xlsx(people_table(stored_people(tmp_path), "", "en"))
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'@SUM(1,1)" in [c.value for c in cells]
