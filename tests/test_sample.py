"""The generated sample year (`ytsupport.sample`): determinism, realism, validity, broken files."""
from __future__ import annotations

import csv
import hashlib
import random
import unicodedata
import zipfile
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import openpyxl
import pytest
import yaml

from ytsupport import sample
from ytsupport.settings import REFERENCE_DIR, SAMPLE_DIR

SECRET = "test-secret"


@pytest.fixture(scope="module")
def secret() -> Iterator[None]:
    """validate_file keys person ids with the installation secret: use a fixed one, write nothing."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YTSUPPORT_SECRET", SECRET)
        yield


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two independent runs of the generator with the default seed."""
    first, second = tmp_path_factory.mktemp("sample_a"), tmp_path_factory.mktemp("sample_b")
    sample.generate_sample(first)
    sample.generate_sample(second)
    return first, second


@pytest.fixture(scope="module")
def out(runs: tuple[Path, Path]) -> Path:
    return runs[0]


@pytest.fixture(scope="module")
def manifest(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def year() -> sample.Year:
    return sample.build_year(random.Random(114))


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb}


# --------------------------------------------------------------------------- determinism

def test_two_runs_write_the_same_files(runs: tuple[Path, Path]) -> None:
    assert _files(runs[0]) == _files(runs[1])


def test_two_runs_write_the_same_contents(runs: tuple[Path, Path]) -> None:
    different = []
    for name in _files(runs[0]):
        a, b = runs[0] / name, runs[1] / name
        if a.read_bytes() == b.read_bytes():
            continue
        if a.suffix == ".xlsx" and _cells(a) == _cells(b):
            continue  # same cells, different bytes: acceptable, but say which
        different.append(name)
    assert different == []


def test_returned_paths_are_the_files_written(tmp_path: Path) -> None:
    paths = sample.generate_sample(tmp_path / "s")
    assert sorted(str(p.relative_to(tmp_path / "s")) for p in paths) == _files(tmp_path / "s")


def test_another_seed_gives_another_year(tmp_path: Path, out: Path) -> None:
    sample.generate_sample(tmp_path / "other", seed=7)
    a = (out / "manifest.csv").read_text(encoding="utf-8")
    b = (tmp_path / "other" / "manifest.csv").read_text(encoding="utf-8")
    assert a != b


def test_committed_sample_is_what_the_generator_writes(out: Path) -> None:
    """`sample_data/` must be exactly `generate_sample(SAMPLE_DIR)` (rerun it after changing the generator)."""
    if not (SAMPLE_DIR / "manifest.csv").is_file():
        pytest.skip("sample_data/ has not been generated")
    committed = [f for f in _files(SAMPLE_DIR) if not f.startswith(".")]
    assert committed == _files(out)
    stale = [f for f in committed if (SAMPLE_DIR / f).read_bytes() != (out / f).read_bytes()]
    assert stale == []


# --------------------------------------------------------------------------- the manifest

def _units() -> list[dict[str, Any]]:
    return yaml.safe_load((REFERENCE_DIR / "units_2021.yaml").read_text(encoding="utf-8"))["units"]


def test_manifest_lists_every_report_file(out: Path, manifest: list[dict[str, str]]) -> None:
    assert list(manifest[0]) == ["file", "unit", "period", "received_on", "style"]
    listed = sorted(m["file"] for m in manifest)
    on_disk = sorted(f for f in _files(out) if "/" not in f and f not in ("manifest.csv", "README.md"))
    assert listed == on_disk
    assert len({(m["unit"], m["period"]) for m in manifest}) == len(manifest)


def test_every_reporting_unit_reports_in_2021_only(manifest: list[dict[str, str]]) -> None:
    reporting = {u["code"] for u in _units() if u["counts_for_reporting"]}
    assert len(reporting) == 12
    assert {m["unit"] for m in manifest} == reporting | {"doan_khoi"}
    assert all(m["period"].startswith("2021-") for m in manifest)
    assert 1 <= sum(m["unit"] == "doan_khoi" for m in manifest) <= 4


def test_some_units_miss_whole_months(manifest: list[dict[str, str]]) -> None:
    months = Counter(m["unit"] for m in manifest if m["unit"] != "doan_khoi")
    missing = {u: 12 - n for u, n in months.items() if n < 12}
    assert 2 <= len(missing) <= 3
    assert all(1 <= n <= 4 for n in missing.values())
    assert months["bv_da_khoa"] == months["ldtbxh"] == months["bhxh"] == 12


def test_most_reports_on_time_some_late(manifest: list[dict[str, str]]) -> None:
    on_time = late = 0
    for m in manifest:
        year, month = map(int, m["period"].split("-"))
        month_end = date(year + (month == 12), month % 12 + 1, 1)
        received = date.fromisoformat(m["received_on"])
        assert received >= month_end, m["file"]
        due = date(month_end.year, month_end.month, 10)
        on_time, late = on_time + (received <= due), late + (received > due)
    assert late >= 10 and on_time >= 3 * late


def test_file_names_mix_codes_and_vietnamese(manifest: list[dict[str, str]]) -> None:
    names = [m["file"] for m in manifest]
    assert "2021-01_bv_da_khoa.xlsx" in names  # codes
    assert "BC thang 1-2021 - Chi doan BHXH tinh.xlsx" in names  # Vietnamese, without diacritics
    assert all(n.isascii() for n in names)


def test_formats_are_mixed(out: Path, manifest: list[dict[str, str]]) -> None:
    suffixes = Counter(Path(m["file"]).suffix for m in manifest)
    assert suffixes[".xlsx"] > len(manifest) / 2
    assert suffixes[".ods"] >= 2 and suffixes[".csv"] == 2 and suffixes[".xls"] >= 1
    bom = out / "2021-07_so_y_te_hoatdong.csv"
    assert bom.read_bytes().startswith(b"\xef\xbb\xbf")
    legacy = (out / "2021-09_nhcsxh_nguonluc.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        legacy.decode("utf-8")
    assert "Nhà tài trợ" in unicodedata.normalize("NFC", legacy.decode("cp1258"))


@pytest.mark.parametrize("feature", ["from_template", "keep_example", "title=slash", "title=words", "two_row",
                                     "totals=cong_thang", "totals=tong_cong", "group_by_district", "extra_column",
                                     "headers=ascii", "headers=upper", "headers=breaks", "headers=aliases",
                                     "money=nghin", "money=words", "money=dong", "money=dots", "counts=nguoi",
                                     "yes_no=x_blank", "codes=ascii_upper", "codes=alias", "districts=prefixed",
                                     "sheet_names=vn", "sheet_names=alt", "sheet_names=ascii_upper",
                                     "dates=d/m/yyyy", "dates=dd-mm-yyyy", "dates=dd.mm.yyyy", "dates=dd/mm/yy",
                                     "dates=dd/mm/yyyy", "dates=mixed", "blank_numbered", "birth_as_date",
                                     "nil_form=info_only", "nil_form=note_row", "info_sheet=None"])
def test_styles_exercise_the_contract(manifest: list[dict[str, str]], feature: str) -> None:
    assert any(feature in m["style"].split() or any(s.startswith(feature) for s in m["style"].split())
               for m in manifest)


# --------------------------------------------------------------------------- content

def _reports(year: sample.Year) -> list[sample.MonthReport]:
    return sample.expected_reports(year)


def _at_centre(location: str | None) -> bool:
    text = (location or "").lower()
    return "bảo trợ xã hội" in text or "btxh" in text


def test_monthly_checkup_at_the_centre_short_in_august(year: sample.Year) -> None:
    people: dict[int, int] = defaultdict(int)
    for report in _reports(year):
        for a in report.activities:
            if a["activity_type"] == "kham_benh" and _at_centre(a["location"]):
                assert report.unit == "bv_da_khoa"
                people[a["date"].month] += a["people_served"]
                parts = [a[k] for k in ("disabled", "orphans", "elderly")]
                assert all(p is None or p <= a["people_served"] for p in parts)
                assert sum(p or 0 for p in parts) <= a["people_served"]
    assert sorted(people) == list(range(1, 13))
    assert people[8] == 60
    assert all(100 <= n <= 125 for m, n in people.items() if m != 8)


def test_recreation_club_training_and_cards(year: sample.Year) -> None:
    rows = [(r.unit, a) for r in _reports(year) for a in r.activities]
    recreation = {a["date"].month for u, a in rows if a["activity_type"] == "vui_choi"}
    assert 9 <= len(recreation) <= 11
    assert {a["date"].month for u, a in rows if u == "ldtbxh" and a["activity_type"] == "thanh_lap_clb"} == {4}
    assert sum(a["activity_type"] == "tap_huan" for _, a in rows) >= 2
    cards = [(r.month, res["quantity"]) for r in _reports(year) if r.unit == "bhxh"
             for res in r.resources if res["item"] == "the_bhyt"]
    assert cards and all(5 <= m <= 9 and 2 <= q <= 3 for m, q in cards)


def test_children_day_and_mid_autumn_by_the_bloc(year: sample.Year) -> None:
    bloc = [a for r in _reports(year) if r.unit == "doan_khoi" for a in r.activities]
    assert any(a["date"] == date(2021, 6, 1) and a["activity_type"] == "tham_tang_qua" and _at_centre(a["location"])
               for a in bloc)
    assert any(date(2021, 9, 18) <= a["date"] <= date(2021, 9, 20) and a["activity_type"] == "tham_tang_qua"
               for a in bloc)


def test_survey_covers_some_districts_not_all(year: sample.Year) -> None:
    people = [(r.unit, b) for r in _reports(year) for b in r.beneficiaries]
    districts = {b["district"] for _, b in people}
    assert 7 <= len(districts) <= 8
    assert len({u for u, _ in people}) >= 5
    years = [b["birth_year"] for _, b in people]
    assert min(years) == 1935 and max(years) == 2018
    assert any(len(b["category"]) == 2 for _, b in people)


def test_some_people_surveyed_by_two_units_never_twice_in_one_report(year: sample.Year) -> None:
    seen: dict[tuple[str, int, str], set[str]] = defaultdict(set)
    for report in _reports(year):
        keys = [(b["full_name"], b["birth_year"], b["district"]) for b in report.beneficiaries]
        assert len(keys) == len(set(keys)), (report.unit, report.month)
        for key in keys:
            seen[key].add(report.unit)
    assert sum(len(units) > 1 for units in seen.values()) >= 2


def test_nil_reports_and_dates_inside_the_month(year: sample.Year) -> None:
    reports = _reports(year)
    nil = [r for r in reports if not r.kinds]
    assert 10 <= len(nil) < len(reports) / 2
    for r in reports:
        for a in r.activities + r.resources:
            assert a["date"].month == r.month
        for b in r.beneficiaries:
            assert b["surveyed_on"].month == r.month


def test_resources_from_every_kind_of_donor(year: sample.Year) -> None:
    res = [x for r in _reports(year) for x in r.resources]
    assert {"doanh_nghiep", "co_quan", "ca_nhan"} <= {x["donor_type"] for x in res}
    assert {"thuoc", "xe_dap", "qua", "nhu_yeu_pham", "tien_mat", "the_bhyt"} <= {x["item"] for x in res}
    assert all(x["value_vnd"] > 0 and x["quantity"] > 0 for x in res)


# --------------------------------------------------------------------------- value rendering

@pytest.mark.parametrize(("value", "form", "expected"), [
    (1_500_000, "dots", "1.500.000"), (1_500_000, "words", "1,5 triệu"), (500_000, "words", "500 nghìn"),
    (2_000_000, "words", "2 triệu"), (2_000_000, "dong", "2.000.000 đ"), (6_750_000, "nghin", 6750),
    (1_609_200, "words", "1.609.200"), (12, "number", 12)])
def test_money_forms(value: int, form: str, expected: Any) -> None:
    assert sample.money_text(value, form) == expected


def test_cp1258_round_trips_vietnamese() -> None:
    text = "Nhà tài trợ, Học bổng, Thị xã Duyên Hải, Người khuyết tật"
    assert unicodedata.normalize("NFC", sample.to_cp1258(text).decode("cp1258")) == text


def test_districts_are_never_written_ambiguously() -> None:
    for code in ("tp_tra_vinh", "duyen_hai", "tx_duyen_hai", "cau_ke"):
        for form in ("label", "prefixed", "short"):
            for index in (0, 1):
                assert sample.district_text(code, form, index) not in ("Duyên Hải", "Trà Vinh")


def test_xlsx_files_are_zip_stable(out: Path) -> None:
    name = next(p for p in out.glob("*.xlsx"))
    with zipfile.ZipFile(name) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2021, 1, 1, 0, 0, 0)}
        assert b"2021-01-01T00:00:00Z" in zf.read("docProps/core.xml")


# --------------------------------------------------------------------------- validation

def test_every_sample_file_is_valid_for_its_unit_and_month(out: Path, manifest: list[dict[str, str]],
                                                           secret: None) -> None:
    from ytsupport.ingest.validate import validate_file

    failures = []
    for m in manifest:
        report = validate_file(out / m["file"])
        problems = [(i.sheet, i.row, i.column, i.code) for i in report.issues if i.severity in ("error", "warning")]
        got = (report.status, report.unit, report.period)
        if got != ("ok", m["unit"], m["period"]) or problems:
            failures.append((m["file"], got, problems[:3]))
    assert failures == []


def test_sample_rows_are_read(out: Path, manifest: list[dict[str, str]], secret: None) -> None:
    """Spot checks: the rows generated are the rows read (title blocks, totals, groups, blanks skipped)."""
    from ytsupport.ingest.validate import validate_file

    year = sample.build_year(random.Random(114))
    by_file = {m["file"]: (m["unit"], int(m["period"][5:])) for m in manifest}
    checked = 0
    for name, (unit, month) in by_file.items():
        if not any(k in name for k in ("bv_da_khoa", "BVDK", "cap_thoat_nuoc", "so_vhttdl", "nhcsxh", "PC Tra")):
            continue
        expected = year.report(unit, month)
        report = validate_file(out / name)
        read = Counter()
        for s in report.sheets:
            read[s.kind] += s.rows_read
        for kind in ("activities", "beneficiaries", "resources"):
            assert read[kind] == len(expected.rows(kind)), (name, kind)
        checked += 1
    assert checked >= 40


def _expected_rows(out: Path) -> list[dict[str, str]]:
    with open(out / "invalid" / "EXPECTED.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_invalid_folder_has_one_file_per_expected_row(out: Path) -> None:
    rows = _expected_rows(out)
    assert list(rows[0]) == ["file", "code", "sheet", "row", "column", "severity"]
    assert sorted(r["file"] for r in rows) == sorted(f for f in _files(out / "invalid") if f != "EXPECTED.csv")
    codes = {r["code"] for r in rows}
    assert {"negative_number", "invalid_date", "date_outside_plan_year", "unknown_code", "missing_column",
            "missing_value", "breakdown_exceeds_total", "birth_year_out_of_range", "unit_missing", "unit_conflict",
            "unknown_unit", "period_missing", "period_conflict", "no_report_sheet", "header_not_found",
            "unsupported_format", "unreadable", "encrypted"} <= codes


def test_each_invalid_file_gives_its_expected_issue(out: Path, secret: None) -> None:
    from ytsupport.ingest.validate import validate_file

    failures = []
    for exp in _expected_rows(out):
        report = validate_file(out / "invalid" / exp["file"])

        def matches(issue: Any) -> bool:
            return (issue.code == exp["code"] and (not exp["sheet"] or issue.sheet == exp["sheet"])
                    and (not exp["row"] or issue.row == int(exp["row"]))
                    and (not exp["column"] or issue.column == exp["column"])
                    and (not exp["severity"] or issue.severity == exp["severity"]))

        if not any(matches(i) for i in report.issues):
            failures.append((exp["file"], [(i.sheet, i.row, i.column, i.code) for i in report.issues][:5]))
    assert failures == []


def test_invalid_files_fail_for_their_reason_only(out: Path, secret: None) -> None:
    """Apart from the expected issue, a broken file has no other error (too_many_issues excepted)."""
    from ytsupport.ingest.validate import validate_file

    others = {}
    for exp in _expected_rows(out):
        if exp["code"] == "too_many_issues":
            continue
        report = validate_file(out / "invalid" / exp["file"])
        extra = sorted({i.code for i in report.issues if i.severity == "error" and i.code != exp["code"]})
        if extra:
            others[exp["file"]] = extra
    assert others == {}


def test_truncated_and_encrypted_files_are_what_they_claim(out: Path) -> None:
    folder = out / "invalid"
    assert not zipfile.is_zipfile(folder / "unreadable_truncated.xlsx")
    assert (folder / "unreadable_truncated.xlsx").read_bytes().startswith(b"PK")
    data = (folder / "encrypted_like.xlsx").read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    assert "EncryptedPackage".encode("utf-16-le") in data
    assert hashlib.sha256(data).hexdigest() == hashlib.sha256(sample.encrypted_like_xlsx()).hexdigest()
