"""Matching codes, districts, units and places against the reference data (docs/data-contract.md §2, §3)."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ytsupport.settings import REFERENCE_DIR
from ytsupport.vocab import (
    DistrictVocabulary,
    Entry,
    Unit,
    UnitRegistry,
    Vocabulary,
    categories,
    centre_mask,
    load_reference,
    reference,
)

SHARED = Path(__file__).resolve().parents[2] / "shared"


def col(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype=object)


def codes_of(vocabulary: Vocabulary, *values: object) -> list[object]:
    return list(vocabulary.match(col(*values)).codes)


def district(text: object) -> tuple[object, bool, bool]:
    match = reference().districts.match(col(text))
    return match.codes.iloc[0], bool(match.ambiguous.iloc[0]), bool(match.unknown.iloc[0])


# --------------------------------------------------------------------------- vocabularies

def test_label_matches_after_folding() -> None:
    activities = reference().activity_types
    assert codes_of(activities, "KHAM BENH, PHAT THUOC", "Khám bệnh, phát thuốc", " khám  bệnh ,phát thuốc ") == \
        ["kham_benh"] * 3


def test_code_matches() -> None:
    assert codes_of(reference().activity_types, "kham_benh", "KHAM_BENH", "kham benh") == ["kham_benh"] * 3


def test_alias_matches() -> None:
    assert codes_of(reference().activity_types, "Tặng quà", "Sinh hoạt CLB") == ["tham_tang_qua", "sinh_hoat_clb"]


def test_english_label_matches() -> None:
    assert codes_of(reference().resource_items, "Bicycles") == ["xe_dap"]


def test_no_fuzzy_matching() -> None:
    match = reference().activity_types.match(col("Khám bệnh phát thuốc miễn phí", "Kham benh phat thuo"))
    assert match.codes.isna().all() and match.unknown.all()


def test_blank_is_not_unknown() -> None:
    match = reference().activity_types.match(col(None, "", "  ", "-"))
    assert match.codes.isna().all() and not match.unknown.any() and not match.ambiguous.any()


def test_match_keeps_index() -> None:
    match = reference().sex.match(pd.Series(["Nữ", "nam", "?"], index=[4, 5, 6], name="Giới tính"))
    assert match.codes.to_dict() == {4: "nu", 5: "nam", 6: None}
    assert match.unknown.to_dict() == {4: False, 5: False, 6: True}


def test_suggest_closest_label() -> None:
    activities = reference().activity_types
    assert activities.suggest("Kham benh phat thuo") == "Khám bệnh, phát thuốc"
    assert activities.suggest("Thành lập CLBB") == "Thành lập câu lạc bộ"
    assert activities.suggest("zzzz qqqq") is None


def test_labels_and_label() -> None:
    items = reference().resource_items
    assert items.labels()[:2] == ["Thuốc", "Xe đạp"]
    assert items.labels("en")[:2] == ["Medicine", "Bicycles"]
    assert items.label("the_bhyt") == "Thẻ BHYT" and items.label("the_bhyt", "en") == "Health-insurance cards"


def test_label_of_unknown_code_is_the_code() -> None:
    assert reference().resource_items.label("gone") == "gone"


def test_duplicate_code_is_rejected() -> None:
    entries = [Entry("a", "A", "A"), Entry("a", "B", "B")]
    with pytest.raises(ValueError, match=r"test\.yaml: things: duplicate code 'a'"):
        Vocabulary("things", entries, source="test.yaml")


def test_duplicate_folded_alias_is_rejected() -> None:
    entries = [Entry("a", "Khám bệnh", "Check-up"), Entry("b", "Tặng quà", "Gifts", aliases=("KHAM BENH",))]
    with pytest.raises(ValueError, match=r"entry 'b': 'KHAM BENH' folds to 'kham benh', which already names 'a'"):
        Vocabulary("things", entries, source="test.yaml")


def _copy_reference(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    return target


def test_bad_vocabulary_file_names_file_and_entry(tmp_path: Path) -> None:
    directory = _copy_reference(tmp_path)
    path = directory / "vocabularies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["donor_types"].append({"code": "ca_nhan_2", "label_vi": "Cá nhân (2)", "label_en": "x",
                                "aliases": ["Mạnh thường quân"]})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"vocabularies\.yaml: donor_types: entry 'ca_nhan_2'"):
        load_reference(directory)


def test_missing_label_is_rejected(tmp_path: Path) -> None:
    directory = _copy_reference(tmp_path)
    path = directory / "vocabularies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["sex"][0]["label_vi"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"vocabularies\.yaml: sex: entry 'nam': 'label_vi'"):
        load_reference(directory)


def test_duplicate_unit_alias_is_rejected(tmp_path: Path) -> None:
    directory = _copy_reference(tmp_path)
    path = directory / "units_2021.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["units"][2]["aliases"].append("BV Đa khoa tỉnh")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"units_2021\.yaml: unit 'bhxh'.*already names unit 'bv_da_khoa'"):
        load_reference(directory)


def test_every_sheet_type_names_a_vocabulary() -> None:
    sheets = yaml.safe_load((REFERENCE_DIR / "sheets.yaml").read_text(encoding="utf-8"))
    types = {c["type"] for kind in ("activities", "beneficiaries", "resources") for c in sheets[kind]["columns"]}
    for name in sorted(t for t in types if t.startswith("code:") or t in ("district", "categories")):
        assert isinstance(reference().vocabulary(name), Vocabulary), name
    assert reference().vocabulary("code:activity_types") is reference().activity_types
    with pytest.raises(KeyError):
        reference().vocabulary("code:nothing")


def test_reference_is_loaded_once() -> None:
    assert reference() is reference()


# --------------------------------------------------------------------------- categories

def test_categories_split_on_semicolon_newline_and_plus() -> None:
    codes, unknown, _ = categories(col("Người khuyết tật; Mồ côi", "Khuyết tật\nHộ nghèo, cận nghèo", "Mồ côi + Khác"))
    assert list(codes) == [("khuyet_tat", "mo_coi"), ("khuyet_tat", "ho_ngheo"), ("mo_coi", "khac")]
    assert not unknown.any()


def test_categories_not_split_on_comma() -> None:
    codes, unknown, _ = categories(col("Hộ nghèo, cận nghèo", "Mồ côi, Khuyết tật"))
    assert codes.iloc[0] == ("ho_ngheo",)
    assert unknown.iloc[1]


def test_categories_first_unknown_text() -> None:
    codes, unknown, first = categories(col("Mồ côi; Người nghiện ; Vô gia cư", None, "Mồ côi;;mồ côi"))
    assert list(unknown) == [True, False, False]
    assert list(first) == ["Người nghiện", None, None]
    assert list(codes) == [("mo_coi",), (), ("mo_coi",)]


# --------------------------------------------------------------------------- districts

@pytest.mark.parametrize("text,code", [
    ("Huyện Càng Long", "cang_long"), ("H. Càng Long", "cang_long"), ("Càng Long", "cang_long"),
    ("HUYEN CANG LONG", "cang_long"), ("TP Trà Vinh", "tp_tra_vinh"), ("TP. Trà Vinh", "tp_tra_vinh"),
    ("Thành phố Trà Vinh", "tp_tra_vinh"), ("T.P. Trà Vinh", "tp_tra_vinh"), ("TX Duyên Hải", "tx_duyen_hai"),
    ("T.X. Duyên Hải", "tx_duyen_hai"), ("Huyện Duyên Hải", "duyen_hai"), ("H. Duyên Hải", "duyen_hai"),
])
def test_district_with_administrative_prefix(text: str, code: str) -> None:
    assert district(text) == (code, False, False)


def test_thi_xa_duyen_hai_is_the_town() -> None:
    assert district("Thị xã Duyên Hải") == ("tx_duyen_hai", False, False)
    assert district("Duyên Hải (thị xã)") == ("tx_duyen_hai", False, False)


def test_huyen_duyen_hai_is_the_district() -> None:
    assert district("Huyện Duyên Hải") == ("duyen_hai", False, False)
    assert district("Duyên Hải (huyện)") == ("duyen_hai", False, False)


def test_bare_duyen_hai_is_ambiguous() -> None:
    assert district("Duyên Hải") == ("duyen_hai", True, False)
    assert district("DUYEN HAI") == ("duyen_hai", True, False)


def test_bare_tra_vinh_is_ambiguous() -> None:
    assert district("Trà Vinh") == ("tp_tra_vinh", True, False)


def test_thi_xa_tra_vinh_is_the_city() -> None:
    assert district("Thị xã Trà Vinh") == ("tp_tra_vinh", False, False)


def test_district_code_is_not_ambiguous() -> None:
    assert district("duyen_hai") == ("duyen_hai", False, False)
    assert district("tx_duyen_hai") == ("tx_duyen_hai", False, False)


def test_district_gso_code() -> None:
    assert district("844") == ("cang_long", False, False)
    assert district(844) == ("cang_long", False, False)
    assert district(851.0) == ("tx_duyen_hai", False, False)


def test_province_is_not_a_district() -> None:
    assert district("Tỉnh Trà Vinh") == (None, False, True)


def test_unknown_district() -> None:
    assert district("Huyện Long Hồ") == (None, False, True)
    assert reference().districts.suggest("Cang Lon") == "Càng Long"


def test_two_districts_sharing_a_bare_name_must_be_declared_ambiguous() -> None:
    entries = [Entry("a", "Huyện X", "X"), Entry("b", "Thị xã X", "X town")]
    with pytest.raises(ValueError, match="bare name 'x'.*ambiguous"):
        DistrictVocabulary("districts", entries, ["Huyện", "Thị xã"], {}, source="d.yaml")
    vocabulary = DistrictVocabulary("districts", entries, ["Huyện", "Thị xã"], {"X": "a"}, source="d.yaml")
    assert [vocabulary.lookup(t) for t in ("X", "Huyện X", "Thị xã X")] == [("a", True), ("a", False), ("b", False)]


def test_districts_match_the_shared_gso_list() -> None:
    path = SHARED / "domain" / "tra_vinh_units_2021.csv"
    if not path.exists():
        pytest.skip("../shared is not present")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        assert district(row["code"])[0] is not None, row
        assert district(row["name_vi"]) == district(row["code"]), row


# --------------------------------------------------------------------------- units

@pytest.mark.parametrize("text,code", [
    ("bv_da_khoa", "bv_da_khoa"), ("Đoàn cơ sở Bệnh viện Đa khoa tỉnh", "bv_da_khoa"),
    ("BỆNH VIỆN ĐA KHOA TỈNH", "bv_da_khoa"), ("Chi đoàn Bệnh viện Đa khoa tỉnh", "bv_da_khoa"),
    ("ĐCS BVĐK tỉnh", "bv_da_khoa"), ("Đoàn TN Sở Y tế", "so_y_te"), ("Sở Y Tế", "so_y_te"),
    ("BCH Chi đoàn BHXH tỉnh", "bhxh"), ("Sở LĐ-TB&XH", "ldtbxh"), ("Đoàn Khối", "doan_khoi"),
])
def test_unit_match_name(text: str, code: str) -> None:
    assert reference().units.match_name(text) == code


def test_unit_match_name_is_whole_cell() -> None:
    units = reference().units
    assert units.match_name("Bệnh viện") is None
    assert units.match_name(None) is None


def test_unit_named_in_title_line() -> None:
    units = reference().units
    assert units.find_in_text("ĐOÀN CƠ SỞ BỆNH VIỆN ĐA KHOA TỈNH") == "bv_da_khoa"
    assert units.find_in_text("BCH Chi đoàn Sở Y tế") == "so_y_te"


def test_bloc_only_title_gives_the_bloc() -> None:
    assert reference().units.find_in_text("ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH TRÀ VINH") == "doan_khoi"


def test_unit_wins_over_the_bloc() -> None:
    line = "ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH - CHI ĐOÀN BHXH TỈNH"
    assert reference().units.find_in_text(line) == "bhxh"


def test_longest_unit_name_wins() -> None:
    registry = UnitRegistry([Unit("a", "Sở Y tế", kind="chi_doan_co_so"),
                             Unit("b", "Trung tâm Kiểm soát bệnh tật Sở Y tế", kind="doan_co_so")])
    assert registry.find_in_text("Đoàn cơ sở Trung tâm Kiểm soát bệnh tật Sở Y tế") == "b"


def test_unit_names_match_on_word_boundaries() -> None:
    units = reference().units
    assert units.find_in_text("BÁO CÁO THÁNG 6/2021") is None
    assert units.find_in_text("Các Sở Y tếxyz") is None


def test_units_list() -> None:
    units = reference().units.units()
    by_code = {u.code: u for u in units}
    assert by_code["bv_da_khoa"].pilot and by_code["bv_da_khoa"].counts_for_reporting
    assert not by_code["doan_khoi"].counts_for_reporting
    assert "Sở Y tế" in by_code["so_y_te"].aliases
    assert reference().units.labels()[1] == "Đoàn cơ sở Bệnh viện Đa khoa tỉnh"


def test_unit_suggest() -> None:
    assert reference().units.suggest("Chi đoàn Sở Tai chinh tinh") == "Chi đoàn Sở Tài chính"


def test_units_match_the_shared_list() -> None:
    path = SHARED / "plan" / "units_2021.csv"
    if not path.exists():
        pytest.skip("../shared is not present")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    units = {u.code: u for u in reference().units.units()}
    assert list(units) == [r["code"] for r in rows]
    for row in rows:
        unit = units[row["code"]]
        assert (unit.name_vi, unit.pilot, unit.counts_for_reporting) == \
            (row["name_vi"], row["pilot"] == "yes", row["counts_for_reporting"] == "yes")
        shared = row["aliases"].split("|")
        assert [a for a in unit.aliases if a in shared] == shared  # all of them, in order; the project adds
        assert set(unit.aliases) - set(shared) <= {"Đoàn cơ sở Bệnh viện Đa khoa"}  # ...this one only


# --------------------------------------------------------------------------- places

def test_centre_named_in_location() -> None:
    mask = centre_mask(col("Tại Trung tâm Bảo trợ xã hội tỉnh Trà Vinh", "TTBTXH tỉnh", "TT. BTXH",
                           "trung tam btxh", "TT Bảo trợ xã hội"))
    assert mask.all()


def test_other_places_are_not_the_centre() -> None:
    mask = centre_mask(col("Cơ sở BTXH Hy Vọng", "Trung tâm Y tế huyện", "TTBTXHX", None, ""))
    assert not mask.any()


def test_reference_shortcuts() -> None:
    values = col("TT BTXH", "Nhà văn hóa")
    assert list(reference().centre_mask(values)) == [True, False]
    assert list(reference().categories(col("Mồ côi"))[0]) == [("mo_coi",)]
    assert reference().units.name("so_y_te") == "Chi đoàn Sở Y tế"
    assert reference().units.name("gone") == "gone"


def test_ambiguous_district_examples() -> None:
    districts = reference().districts
    assert districts.examples_for("duyen_hai") == "Huyện Duyên Hải; Thị xã Duyên Hải"  # names with commas: semicolons between
    assert districts.examples_for("tp_tra_vinh") == "Thành phố Trà Vinh"
