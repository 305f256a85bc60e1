"""A realistic, generated year (2021) of branch reports, and a folder of broken ones.

``generate_sample(outdir)`` writes what ``sample_data/`` holds (``python -m ytsupport sample
OUTDIR`` regenerates it): one workbook per unit and month in many of the shapes real files take
(docs/data-contract.md §1, variations of real files), ``manifest.csv`` (file, unit, period,
received_on, style), a README, and ``invalid/`` with one file per failure mode plus
``invalid/EXPECTED.csv``.

The year has three steps, each a plain function: *content* (what each unit did, as canonical
values: dates, codes, integers), *style* (how that unit writes its report that month) and
*rendering* (grids of cells written as .xlsx, .ods, .xls or .csv). Everything is drawn from
``random.Random(seed)`` and fixed timestamps, so a rerun writes identical bytes.

All people are generated (family, middle and given names combined at random): no real person.
"""
from __future__ import annotations

import calendar
import csv
import io
import random
import struct
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from . import template as tpl

YEAR = tpl.PLAN_YEAR
Row = dict[str, Any]
Cell = Any

# =========================================================================== reference helpers


def vocabulary(name: str) -> list[dict[str, Any]]:
    """Entries of one vocabulary of ``reference/vocabularies.yaml``."""
    return list(tpl.load_reference("vocabularies")[name])


def entry(name: str, code: str) -> dict[str, Any]:
    """One vocabulary entry by code."""
    return next(e for e in vocabulary(name) if e["code"] == code)


def district(code: str) -> dict[str, Any]:
    """One district of ``reference/districts.yaml`` by code."""
    return next(d for d in tpl.load_reference("districts")["districts"] if d["code"] == code)


def unit(code: str) -> dict[str, Any]:
    """One unit of ``reference/units_2021.yaml`` by code."""
    return next(u for u in tpl.units() if u["code"] == code)


def reporting_units() -> list[str]:
    """Codes of the units expected to send a monthly report (12 in 2021)."""
    return [u["code"] for u in tpl.units() if u["counts_for_reporting"]]


def strip_diacritics(text: str) -> str:
    """``"Khám bệnh"`` -> ``"Kham benh"`` (case and punctuation kept)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def month_days(month: int) -> int:
    return calendar.monthrange(YEAR, month)[1]


# =========================================================================== names and places

KINH_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi",
               "Ngô", "Dương", "Lâm", "Châu", "Hồ", "Đỗ", "Lý", "Mai"]
KHMER_FAMILY = ["Thạch", "Kim", "Sơn", "Danh", "Kiên", "Thạch", "Trầm", "Lâm"]
MALE_MIDDLE = ["Văn", "Minh", "Hoàng", "Thanh", "Quốc", "Hữu", "Đức", "Văn", "Chí"]
FEMALE_MIDDLE = ["Thị", "Ngọc", "Thị", "Thanh", "Kim", "Mỹ", "Thị Ngọc", "Thị Thu", "Bảo"]
MALE_GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hòa", "Khang", "Lộc", "Nam", "Phúc", "Quang",
              "Sang", "Tài", "Thành", "Toàn", "Trí", "Vinh", "Hậu", "Nhân", "Tuấn", "Khải", "Duy"]
FEMALE_GIVEN = ["Anh", "Bích", "Diễm", "Hà", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Mai", "Ngân",
                "Nhi", "Phượng", "Thảo", "Trang", "Tuyết", "Vy", "Yến", "Xuân", "Kiều", "Như"]
KHMER_MALE_GIVEN = ["Sa Rinh", "Sô Phal", "Chanh Thu", "Sa Ron", "Sóc Kha", "Phươl", "Sa Vết", "Kim Sang",
                    "Sây", "Thươl", "Chăn Đa", "Sô Khom", "Ra Tha", "Sóc Phon", "Kha Na", "Vi Chết", "Sa Rây",
                    "Phi Rum", "Chanh Ri", "Sóc Thanh"]
KHMER_FEMALE_GIVEN = ["Thị Sa Ly", "Thị Sa Rết", "Thị Sô Phia", "Thị Chanh Đa", "Thị Sa Ni", "Thị Mai",
                      "Thị Ngọc Hân", "Thị Sà Quênh", "Thị Kim Sên", "Thị Phol", "Thị Sa Rươl", "Thị Sô Kha",
                      "Thị Mỹ Linh", "Thị Chanh Thy", "Thị Ra Ny", "Thị Sóc Tha", "Thị Phương", "Thị Bô Pha"]
#: Share of Khmer families per district (Trà Cú, Cầu Ngang, Châu Thành, Tiểu Cần, Cầu Kè are high).
KHMER_SHARE = {"tra_cu": 0.6, "cau_ngang": 0.45, "chau_thanh": 0.4, "tieu_can": 0.35, "cau_ke": 0.35,
               "tp_tra_vinh": 0.2, "duyen_hai": 0.25, "tx_duyen_hai": 0.15, "cang_long": 0.1}
#: Communes per district (their names before the 2025 reform): a few of each, for realistic addresses.
COMMUNES = {
    "tp_tra_vinh": ["Phường 3", "Phường 7", "Xã Long Đức"],
    "cang_long": ["Thị trấn Càng Long", "Xã An Trường", "Xã Bình Phú", "Xã Huyền Hội", "Xã Nhị Long"],
    "cau_ke": ["Thị trấn Cầu Kè", "Xã An Phú Tân", "Xã Phong Thạnh", "Xã Thông Hòa"],
    "tieu_can": ["Thị trấn Tiểu Cần", "Xã Tân Hòa", "Xã Tân Hùng", "Xã Tập Ngãi"],
    "chau_thanh": ["Thị trấn Châu Thành", "Xã Hòa Minh", "Xã Hòa Thuận", "Xã Hưng Mỹ", "Xã Long Hòa"],
    "cau_ngang": ["Thị trấn Cầu Ngang", "Thị trấn Mỹ Long", "Xã Hiệp Mỹ Tây", "Xã Nhị Trường", "Xã Vĩnh Kim"],
    "tra_cu": ["Thị trấn Trà Cú", "Xã Hàm Tân", "Xã Long Hiệp", "Xã Lưu Nghiệp Anh", "Xã Tập Sơn", "Xã Đại An"],
    "duyen_hai": ["Thị trấn Long Thành", "Xã Long Vĩnh", "Xã Ngũ Lạc", "Xã Đôn Xuân", "Xã Đông Hải"],
    "tx_duyen_hai": ["Phường 1", "Phường 2", "Xã Long Hữu"],
}
#: The Centre as units write it (all contain one of the place's aliases).
CENTRE = ["Trung tâm Bảo trợ xã hội tỉnh", "Trung tâm BTXH tỉnh Trà Vinh", "TT Bảo trợ xã hội tỉnh",
          "Trung tâm Bảo trợ xã hội tỉnh Trà Vinh", "TT BTXH tỉnh"]

BIRTH_YEARS = {"mo_coi": (2004, 2018), "hoan_canh_dac_biet": (2005, 2018), "khuyet_tat": (1945, 2015),
               "gia_neo_don": (1935, 1958), "ho_ngheo": (1955, 2000), "benh_hiem_ngheo": (1950, 2012),
               "khac": (1960, 2010)}
NEEDS = {"khuyet_tat": ["Xe lăn", "Khám, cấp thuốc định kỳ", "Phục hồi chức năng", "Thẻ BHYT", "Học nghề"],
         "mo_coi": ["Học bổng", "Xe đạp đi học", "Dụng cụ học tập", "Nhận đỡ đầu"],
         "gia_neo_don": ["Khám, cấp thuốc định kỳ", "Nhu yếu phẩm", "Sửa chữa nhà ở"],
         "ho_ngheo": ["Vốn sinh kế", "Nhu yếu phẩm", "Sửa chữa nhà ở"],
         "benh_hiem_ngheo": ["Hỗ trợ chi phí điều trị", "Thẻ BHYT"],
         "hoan_canh_dac_biet": ["Học bổng", "Xe đạp đi học", "Dụng cụ học tập"],
         "khac": ["Nhu yếu phẩm"]}


@dataclass
class Person:
    """A generated beneficiary (name, birth year, district: what identifies a person)."""

    full_name: str
    birth_year: int
    sex: str
    categories: tuple[str, ...]
    district: str
    commune: str
    needs: str

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.full_name, self.birth_year, self.district)


def person_name(rng: random.Random, sex: str, district_code: str) -> str:
    """A plausible generated Vietnamese (Kinh or Khmer) full name."""
    if rng.random() < KHMER_SHARE.get(district_code, 0.2):
        family = rng.choice(KHMER_FAMILY)
        given = rng.choice(KHMER_MALE_GIVEN if sex == "nam" else KHMER_FEMALE_GIVEN)
        return f"{family} {given}"
    middle = rng.choice(MALE_MIDDLE if sex == "nam" else FEMALE_MIDDLE)
    given = rng.choice(MALE_GIVEN if sex == "nam" else FEMALE_GIVEN)
    return f"{rng.choice(KINH_FAMILY)} {middle} {given}"


def new_person(rng: random.Random, district_code: str, categories: tuple[str, ...],
               birth_year: int | None = None) -> Person:
    """A generated person of these categories living in ``district_code``."""
    lo, hi = BIRTH_YEARS[categories[0]]
    for cat in categories[1:]:
        lo, hi = max(lo, BIRTH_YEARS[cat][0]), min(hi, BIRTH_YEARS[cat][1])
    sex = rng.choice(["nam", "nu"])
    needs = sorted({rng.choice(NEEDS[c]) for c in categories})
    return Person(person_name(rng, sex, district_code), birth_year or rng.randint(lo, hi), sex, categories,
                  district_code, rng.choice(COMMUNES[district_code]), ", ".join(needs))


# =========================================================================== content

@dataclass
class MonthReport:
    """What one unit reported for one month, in canonical values (codes, dates, integers)."""

    unit: str
    month: int
    activities: list[Row] = field(default_factory=list)
    beneficiaries: list[Row] = field(default_factory=list)
    resources: list[Row] = field(default_factory=list)

    def rows(self, kind: str) -> list[Row]:
        return {"activities": self.activities, "beneficiaries": self.beneficiaries,
                "resources": self.resources}[kind]

    @property
    def period(self) -> str:
        return f"{YEAR}-{self.month:02d}"

    @property
    def kinds(self) -> list[str]:
        return [k for k in tpl.KIND_ORDER if self.rows(k)]


def activity(day: date, activity_type: str, people: int, title: str, *, location: str | None = None,
             district_code: str | None = None, disabled: int | None = None, orphans: int | None = None,
             elderly: int | None = None, volunteers: int | None = None, cost: int | None = None,
             notes: str | None = None) -> Row:
    """One HoatDong row in canonical values."""
    return {"date": day, "activity_type": activity_type, "title": title, "location": location,
            "district": district_code, "people_served": people, "disabled": disabled, "orphans": orphans,
            "elderly": elderly, "volunteers": volunteers, "cost_vnd": cost, "notes": notes}


def resource(day: date, donor: str, donor_type: str, item: str, description: str, quantity: int,
             unit_of_measure: str, value: int, recipient: str | None = None, notes: str | None = None) -> Row:
    """One NguonLuc row in canonical values."""
    return {"date": day, "donor": donor, "donor_type": donor_type, "item": item, "description": description,
            "quantity": quantity, "unit_of_measure": unit_of_measure, "value_vnd": value,
            "recipient": recipient, "notes": notes}


class Year:
    """Builds the year's content: each unit's activities, surveys and resources, month by month."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.reports: dict[tuple[str, int], MonthReport] = {}
        self.surveyed: list[tuple[str, int, Person]] = []

    # ---------------------------------------------------------------- small helpers
    def report(self, unit_code: str, month: int) -> MonthReport:
        return self.reports.setdefault((unit_code, month), MonthReport(unit_code, month))

    def day(self, month: int, lo: int = 1, hi: int = 28) -> date:
        return date(YEAR, month, self.rng.randint(lo, min(hi, month_days(month))))

    def money(self, lo: int, hi: int, step: int = 500_000) -> int:
        return self.rng.randrange(lo // step, hi // step + 1) * step

    def centre(self) -> str:
        return self.rng.choice(CENTRE)

    def split(self, people: int, shares: tuple[float, float, float]) -> tuple[int, int, int]:
        """Breakdowns (disabled, orphans, elderly) whose sum stays within ``people``."""
        parts = [int(people * self.rng.uniform(s * 0.85, s * 1.1)) for s in shares]
        while sum(parts) > people:
            parts[parts.index(max(parts))] -= 1
        return parts[0], parts[1], parts[2]

    def add(self, unit_code: str, month: int, kind: str, row: Row) -> None:
        self.report(unit_code, month).rows(kind).append(row)

    # ---------------------------------------------------------------- surveys
    def survey(self, unit_code: str, month: int, districts: list[str], n: int, categories: list[tuple[str, ...]],
               reuse_from: tuple[str, ...] = (), reuse: int = 0, pinned: Iterable[tuple[tuple[str, ...], int]] = (),
               bhyt_rate: float = 0.6, supported_rate: float = 0.4) -> None:
        """``n`` people surveyed in ``districts``; ``reuse`` of them surveyed before by ``reuse_from`` units."""
        people = self._reused(month, districts, reuse_from, reuse)
        keys = {p.key for p in people}
        pinned = list(pinned)
        while len(people) < n:
            cats, year = pinned.pop(0) if pinned else (self.rng.choice(categories), None)
            person = new_person(self.rng, self.rng.choice(districts), cats, year)
            if person.key not in keys:
                people.append(person)
                keys.add(person.key)
        for person in people:
            self.surveyed.append((unit_code, month, person))
            self.add(unit_code, month, "beneficiaries", self._survey_row(person, month, bhyt_rate, supported_rate))

    def _reused(self, month: int, districts: list[str], reuse_from: tuple[str, ...], reuse: int) -> list[Person]:
        """Up to ``reuse`` people surveyed earlier by ``reuse_from`` units in these districts."""
        seen: dict[tuple[str, int, str], Person] = {}
        for who, when, person in self.surveyed:
            if who in reuse_from and when < month and person.district in districts:
                seen.setdefault(person.key, person)
        pool = list(seen.values())
        return self.rng.sample(pool, min(reuse, len(pool)))

    def _survey_row(self, person: Person, month: int, bhyt_rate: float, supported_rate: float) -> Row:
        state_card = any(c in ("mo_coi", "gia_neo_don", "ho_ngheo") for c in person.categories)
        return {"person_id": None, "full_name": person.full_name, "birth_year": person.birth_year,
                "sex": person.sex, "category": person.categories, "district": person.district,
                "commune": person.commune, "needs": person.needs, "surveyed_on": self.day(month, 3, 26),
                "supported": self.rng.random() < supported_rate,
                "has_bhyt": state_card or self.rng.random() < bhyt_rate}


# --------------------------------------------------------------------------- the units' years

COVID_NOTE = "Giãn cách xã hội do dịch COVID-19, chỉ khám cho đối tượng có bệnh nền"
PHARMA = ["Công ty TNHH Dược phẩm Phúc Hưng", "Công ty CP Dược Hòa An", "Nhà thuốc Tâm Đức"]
ENTERPRISES = ["Công ty TNHH Thương mại Hoàng Long", "Công ty CP Thủy sản Duyên Hải Xanh",
               "Doanh nghiệp tư nhân Minh Phát", "Công ty TNHH MTV Xây dựng Hòa Thuận",
               "Công ty TNHH Nông sản Cửu Long Xanh"]
GROUPS = ["Nhóm thiện nguyện Tấm Lòng Vàng", "Câu lạc bộ Doanh nhân trẻ tỉnh", "Hội Chữ thập đỏ tỉnh"]
BENEFACTORS = ["Các mạnh thường quân TP Trà Vinh", "Mạnh thường quân ẩn danh", "Nhóm cựu đoàn viên"]


def build_year(rng: random.Random) -> Year:
    """The whole year's content, unit by unit (the Bloc included)."""
    year = Year(rng)
    for build in (hospital_year, labour_year, insurance_year, health_year, education_year,
                  power_year, agribank_year, policy_bank_year, water_year, finance_year,
                  office_year, culture_year, occasional_year, bloc_year):
        build(year)
    return year


def hospital_year(y: Year) -> None:
    """bv_da_khoa: the monthly check-up at the Centre (short in August: COVID-19), medicine, training."""
    for m in range(1, 13):
        if m == 3:  # two sessions that month, together above 100
            for lo, hi, people in ((6, 12, y.rng.randint(52, 58)), (20, 26, y.rng.randint(50, 56))):
                y.add("bv_da_khoa", m, "activities", checkup(y, y.day(m, lo, hi), people))
        else:
            people = 60 if m == 8 else y.rng.randint(100, 120)
            y.add("bv_da_khoa", m, "activities",
                  checkup(y, y.day(m, 8, 22), people, COVID_NOTE if m == 8 else None))
        if m in (1, 4, 6, 9, 12):
            value = y.money(6_000_000, 18_000_000)
            y.add("bv_da_khoa", m, "resources", resource(
                y.day(m, 2, 10), y.rng.choice(PHARMA), "doanh_nghiep", "thuoc",
                "Thuốc điều trị tăng huyết áp, tiểu đường, thuốc bổ", y.rng.randint(80, 150), "suất", value,
                "Người khuyết tật, người già neo đơn tại Trung tâm"))
    y.add("bv_da_khoa", 3, "activities", activity(
        y.day(3, 13, 18), "tap_huan", 24, "Tập huấn kỹ năng sơ cấp cứu, chăm sóc người khuyết tật cho nhân viên Trung tâm",
        location=y.centre(), volunteers=6, cost=3_500_000))
    for m in (5, 10):
        people = y.rng.randint(10, 15)
        y.add("bv_da_khoa", m, "activities", activity(
            y.day(m, 5, 25), "tri_lieu", people, "Hỗ trợ vật lý trị liệu, phục hồi chức năng cho thanh niên khuyết tật",
            location="Khoa Phục hồi chức năng, Bệnh viện Đa khoa tỉnh", disabled=people, volunteers=5))
    y.survey("bv_da_khoa", 3, ["tp_tra_vinh", "chau_thanh"], 6, [("khuyet_tat",), ("gia_neo_don",)])


def checkup(y: Year, day: date, people: int, notes: str | None = None) -> Row:
    """The hospital's check-up and medicine session at the Centre."""
    disabled, orphans, elderly = y.split(people, (0.35, 0.2, 0.3))
    title = y.rng.choice(["Khám bệnh, cấp phát thuốc miễn phí cho đối tượng tại Trung tâm",
                          "Khám sức khỏe định kỳ, phát thuốc miễn phí", "Đội hình y tế tình nguyện khám, phát thuốc"])
    return activity(day, "kham_benh", people, title, location=y.centre(), disabled=disabled, orphans=orphans,
                    elderly=elderly, volunteers=y.rng.randint(10, 18), cost=y.money(6_000_000, 12_000_000), notes=notes)


def labour_year(y: Year) -> None:
    """ldtbxh: monthly recreation (none in February and August), the club, Tết and holiday visits."""
    for m in range(1, 13):
        if m not in (2, 8):
            people = y.rng.randint(40, 70)
            disabled, orphans, _ = y.split(people, (0.45, 0.45, 0.0))
            y.add("ldtbxh", m, "activities", activity(
                y.day(m, 10, 27), "vui_choi", people, "Sinh hoạt vui chơi, giải trí cho trẻ mồ côi, thanh, thiếu niên khuyết tật",
                location=y.centre(), disabled=disabled, orphans=orphans, volunteers=y.rng.randint(8, 15),
                cost=y.money(1_000_000, 3_000_000)))
        if m >= 5 and m != 8:
            members = y.rng.randint(30, 38)
            y.add("ldtbxh", m, "activities", activity(
                y.day(m, 1, 9), "sinh_hoat_clb", members, "Sinh hoạt Câu lạc bộ Thanh niên khuyết tật",
                location="Hội trường Sở Lao động – Thương binh và Xã hội", disabled=members, volunteers=4))
    y.add("ldtbxh", 4, "activities", activity(
        date(YEAR, 4, 18), "thanh_lap_clb", 32, "Ra mắt Câu lạc bộ Thanh niên khuyết tật tỉnh nhân Ngày Người khuyết tật Việt Nam",
        location=y.centre(), disabled=32, volunteers=12, cost=5_000_000))
    y.add("ldtbxh", 2, "activities", activity(
        date(YEAR, 2, 5), "tham_tang_qua", 95, "Thăm, tặng quà Tết Tân Sửu cho đối tượng tại Trung tâm",
        location="Trung tâm Bảo trợ xã hội tỉnh", disabled=30, orphans=28, elderly=30, volunteers=10))
    y.add("ldtbxh", 6, "activities", activity(
        date(YEAR, 6, 1), "tham_tang_qua", 84, "Phối hợp Đoàn Khối thăm, tặng quà Ngày Quốc tế Thiếu nhi 1/6",
        location="Trung tâm Bảo trợ xã hội tỉnh", orphans=52, disabled=20, volunteers=8))
    y.add("ldtbxh", 10, "activities", activity(
        y.day(10, 12, 16), "tap_huan", 30, "Tập huấn kỹ năng hỗ trợ tâm lý cho cán bộ, nhân viên Trung tâm",
        location=y.centre(), volunteers=5, cost=4_000_000))
    y.add("ldtbxh", 6, "resources", resource(
        date(YEAR, 6, 1), y.rng.choice(ENTERPRISES), "doanh_nghiep", "qua", "Quà Ngày Quốc tế Thiếu nhi (sữa, bánh, đồ chơi)",
        80, "phần", 16_000_000, "Trẻ em tại Trung tâm Bảo trợ xã hội tỉnh"))
    y.survey("ldtbxh", 3, ["tp_tra_vinh", "chau_thanh"], 8, [("mo_coi",), ("khuyet_tat",), ("gia_neo_don",)],
             pinned=[(("gia_neo_don",), 1935)])
    y.survey("ldtbxh", 10, ["chau_thanh", "tieu_can", "tp_tra_vinh"], 9,
             [("mo_coi",), ("hoan_canh_dac_biet",), ("khuyet_tat", "mo_coi")], reuse_from=("ldtbxh", "bv_da_khoa"),
             reuse=2, pinned=[(("hoan_canh_dac_biet",), 2018)])


def insurance_year(y: Year) -> None:
    """bhxh: free BHYT cards for students with disabilities (May, July, September), a review at the Centre."""
    card = 804_600
    for m, cards in ((5, 2), (7, 3), (9, 2)):
        day = y.day(m, 10, 25)
        y.add("bhxh", m, "activities", activity(
            day, "bhyt", cards, "Trao thẻ BHYT miễn phí cho học sinh khuyết tật", location="Trường Tiểu học Thị trấn Cầu Ngang",
            district_code="cau_ngang", disabled=cards, volunteers=4))
        y.add("bhxh", m, "resources", resource(
            day, "Đoàn viên Chi đoàn Bảo hiểm Xã hội tỉnh đóng góp", "co_quan", "the_bhyt",
            "Thẻ BHYT học sinh, thời hạn 12 tháng", cards, "thẻ", cards * card, "Học sinh khuyết tật"))
    y.add("bhxh", 4, "activities", activity(
        y.day(4, 5, 20), "khao_sat", 104, "Rà soát thẻ BHYT của đối tượng đang nuôi dưỡng tại Trung tâm", location=y.centre(),
        volunteers=5))
    y.add("bhxh", 1, "activities", activity(
        y.day(1, 20, 28), "tham_tang_qua", 20, "Thăm, tặng quà Tết cho hộ nghèo", location="Xã Hiệp Mỹ Tây",
        district_code="cau_ngang", volunteers=6, cost=6_000_000))
    y.survey("bhxh", 5, ["tra_cu", "cau_ngang"], 7, [("khuyet_tat",), ("khuyet_tat", "mo_coi"), ("hoan_canh_dac_biet",)],
             bhyt_rate=0.3)


def health_year(y: Year) -> None:
    """so_y_te: Tết gifts, a survey in April, COVID-19 relief in July, a check-up outside the Centre."""
    y.add("so_y_te", 1, "activities", activity(
        y.day(1, 18, 28), "tham_tang_qua", 30, "Thăm, tặng quà Tết cho người cao tuổi neo đơn", location="Xã Tân Hùng",
        district_code="tieu_can", elderly=30, volunteers=8, cost=9_000_000))
    y.add("so_y_te", 1, "resources", resource(
        y.day(1, 10, 17), GROUPS[0], "to_chuc", "tien_mat", "Tiền mặt hỗ trợ quà Tết", 1, "lần", 5_000_000))
    y.add("so_y_te", 4, "activities", activity(
        y.day(4, 3, 9), "khao_sat", 12, "Khảo sát người khuyết tật, người già neo đơn cần hỗ trợ", location="Xã Nhị Long",
        district_code="cang_long", volunteers=5))
    y.survey("so_y_te", 4, ["cang_long", "cau_ngang"], 12, [("khuyet_tat",), ("gia_neo_don",), ("benh_hiem_ngheo",),
                                                              ("gia_neo_don", "khuyet_tat")])
    for day, people, place in ((y.day(7, 5, 12), 45, "Xã Hòa Minh"), (y.day(7, 18, 25), 38, "Xã Long Hòa")):
        y.add("so_y_te", 7, "activities", activity(
            day, "tham_tang_qua", people, "Trao túi an sinh cho hộ nghèo bị ảnh hưởng dịch COVID-19", location=place,
            district_code="chau_thanh", volunteers=6, cost=people * 300_000))
    y.add("so_y_te", 11, "activities", activity(
        y.day(11, 6, 20), "kham_benh", 150, "Khám bệnh, phát thuốc miễn phí cho người cao tuổi", location="Trạm Y tế xã Đại An",
        district_code="tra_cu", elderly=90, disabled=25, volunteers=20, cost=15_000_000))
    y.add("so_y_te", 3, "activities", activity(
        y.day(3, 20, 27), "tham_tang_qua", 15, "Thăm, tặng quà bệnh nhân nghèo", location="Bệnh viện Đa khoa tỉnh",
        volunteers=4, cost=3_000_000))


def education_year(y: Year) -> None:
    """so_gddt: a survey of pupils, bicycles and scholarships, Mid-Autumn, teacher training."""
    y.survey("so_gddt", 7, ["tra_cu"], 10, [("hoan_canh_dac_biet",), ("mo_coi",), ("khuyet_tat",)], bhyt_rate=0.5)
    y.add("so_gddt", 9, "resources", resource(
        y.day(9, 1, 6), y.rng.choice(ENTERPRISES), "doanh_nghiep", "xe_dap", "Xe đạp cho học sinh nghèo vượt khó",
        20, "chiếc", 20 * 1_500_000, "Học sinh huyện Trà Cú"))
    y.add("so_gddt", 9, "resources", resource(
        y.day(9, 1, 6), GROUPS[1], "to_chuc", "hoc_bong", "Học bổng đầu năm học", 15, "suất", 15 * 1_000_000,
        "Học sinh mồ côi"))
    y.add("so_gddt", 9, "activities", activity(
        date(YEAR, 9, 17), "tham_tang_qua", 60, "Vui Tết Trung thu, tặng quà học sinh có hoàn cảnh khó khăn",
        location="Trường THCS Phong Thạnh", district_code="cau_ke", orphans=18, volunteers=10, cost=7_200_000))
    y.add("so_gddt", 11, "activities", activity(
        y.day(11, 8, 20), "tap_huan", 40, "Tập huấn giáo viên về giáo dục hòa nhập học sinh khuyết tật",
        location="Hội trường Sở Giáo dục và Đào tạo", volunteers=3, cost=6_000_000))
    y.add("so_gddt", 5, "activities", activity(
        y.day(5, 25, 31), "tham_tang_qua", 35, "Tặng quà học sinh khuyết tật nhân Ngày Quốc tế Thiếu nhi",
        location="Trường Tiểu học Long Hiệp", district_code="tra_cu", disabled=12, volunteers=6, cost=3_500_000))


def power_year(y: Year) -> None:
    """dien_luc: Tết, Children's Day and Mid-Autumn in the coastal districts, a survey in November."""
    y.add("dien_luc", 1, "activities", activity(
        y.day(1, 20, 28), "tham_tang_qua", 40, "Thăm, tặng quà Tết cho hộ nghèo", location="Xã Vĩnh Kim",
        district_code="cau_ngang", volunteers=12, cost=12_000_000))
    y.add("dien_luc", 1, "resources", resource(
        y.day(1, 10, 18), "Công đoàn Công ty Điện lực Trà Vinh", "co_quan", "qua", "Quà Tết (gạo, dầu ăn, bánh mứt)",
        40, "phần", 12_000_000, "Hộ nghèo xã Vĩnh Kim"))
    y.add("dien_luc", 5, "activities", activity(
        date(YEAR, 5, 31), "tham_tang_qua", 50, "Tặng quà thiếu nhi nhân Ngày Quốc tế Thiếu nhi",
        location="Nhà văn hóa ấp Cây Da", district_code="cau_ngang", orphans=8, volunteers=10, cost=5_000_000))
    y.add("dien_luc", 9, "activities", activity(
        date(YEAR, 9, 18), "tham_tang_qua", 70, "Trung thu cho em", location="Phường 1", district_code="tx_duyen_hai",
        orphans=12, volunteers=15, cost=10_500_000))
    y.add("dien_luc", 9, "resources", resource(
        date(YEAR, 9, 15), ENTERPRISES[1], "doanh_nghiep", "qua", "Bánh trung thu, lồng đèn", 70, "phần", 10_500_000,
        "Thiếu nhi TX Duyên Hải"))
    y.survey("dien_luc", 11, ["duyen_hai", "tra_cu"], 9, [("ho_ngheo",), ("khuyet_tat",), ("gia_neo_don",)],
             reuse_from=("bhxh",), reuse=1)


def agribank_year(y: Year) -> None:
    """agribank: Tết cash, scholarships, COVID-19 necessities, Mid-Autumn."""
    y.add("agribank", 1, "resources", resource(
        y.day(1, 15, 25), "Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Trà Vinh", "co_quan", "tien_mat",
        "Tiền mặt tặng hộ nghèo dịp Tết", 25, "suất", 25 * 500_000, "Hộ nghèo huyện Càng Long"))
    y.add("agribank", 1, "activities", activity(
        y.day(1, 25, 29), "tham_tang_qua", 25, "Thăm, tặng quà Tết hộ nghèo", location="Xã Huyền Hội",
        district_code="cang_long", volunteers=9, cost=12_500_000))
    y.add("agribank", 5, "resources", resource(
        y.day(5, 10, 20), "Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Trà Vinh", "co_quan", "hoc_bong",
        "Học bổng Agribank - Tiếp sức đến trường", 10, "suất", 10 * 1_000_000, "Học sinh mồ côi"))
    for m in (7, 8):
        y.add("agribank", m, "resources", resource(
            y.day(m, 5, 25), "Đoàn viên Agribank Trà Vinh", "co_quan", "nhu_yeu_pham", "Gạo, mì gói, trứng cho khu cách ly",
            y.rng.randint(40, 80), "phần", y.money(8_000_000, 16_000_000), "Hộ dân khu phong tỏa"))
    y.add("agribank", 9, "activities", activity(
        date(YEAR, 9, 19), "tham_tang_qua", 45, "Tặng quà Trung thu cho thiếu nhi", location="Xã Tân Hòa",
        district_code="tieu_can", orphans=10, volunteers=8, cost=6_750_000))


def policy_bank_year(y: Year) -> None:
    """nhcsxh: livelihood means, scholarships (September CSV), a survey of poor households."""
    y.add("nhcsxh", 3, "activities", activity(
        y.day(3, 10, 25), "sinh_ke", 5, "Trao bò giống hỗ trợ sinh kế cho thanh niên khuyết tật", location="Xã An Phú Tân",
        district_code="cau_ke", disabled=5, volunteers=6, cost=60_000_000))
    y.add("nhcsxh", 3, "resources", resource(
        y.day(3, 1, 9), ENTERPRISES[4], "doanh_nghiep", "sinh_ke", "Bò giống", 5, "con", 60_000_000,
        "Thanh niên khuyết tật huyện Cầu Kè"))
    y.add("nhcsxh", 9, "resources", resource(
        y.day(9, 5, 12), GROUPS[1], "to_chuc", "hoc_bong", "Học bổng cho học sinh mồ côi", 12, "suất", 12_000_000,
        "Học sinh mồ côi huyện Cầu Kè"))
    y.add("nhcsxh", 9, "resources", resource(
        y.day(9, 13, 18), BENEFACTORS[1], "ca_nhan", "qua", "Bánh trung thu", 50, "hộp", 4_500_000, "Thiếu nhi xã Thông Hòa"))
    y.survey("nhcsxh", 10, ["cau_ke"], 8, [("ho_ngheo",), ("khuyet_tat",), ("ho_ngheo", "benh_hiem_ngheo")])
    y.add("nhcsxh", 12, "activities", activity(
        y.day(12, 15, 24), "tham_tang_qua", 20, "Thăm, tặng quà hộ nghèo có người khuyết tật", location="Xã Thông Hòa",
        district_code="cau_ke", disabled=20, volunteers=7, cost=8_000_000))


def water_year(y: Year) -> None:
    """cap_thoat_nuoc: water connections, a survey in June (some people met before), Mid-Autumn."""
    y.add("cap_thoat_nuoc", 4, "activities", activity(
        y.day(4, 10, 24), "khac", 15, "Lắp đặt đồng hồ nước miễn phí cho hộ nghèo", location="Thị trấn Càng Long",
        district_code="cang_long", volunteers=10, cost=22_500_000))
    y.add("cap_thoat_nuoc", 4, "resources", resource(
        y.day(4, 1, 9), "Công ty Cổ phần Cấp thoát nước Trà Vinh", "co_quan", "khac", "Đồng hồ nước và ống dẫn", 15, "bộ",
        22_500_000, "Hộ nghèo thị trấn Càng Long"))
    y.survey("cap_thoat_nuoc", 6, ["cang_long", "tieu_can"], 11, [("ho_ngheo",), ("gia_neo_don",), ("khuyet_tat",)],
             reuse_from=("so_y_te",), reuse=2)
    y.add("cap_thoat_nuoc", 9, "activities", activity(
        date(YEAR, 9, 20), "tham_tang_qua", 40, "Tặng quà Trung thu cho thiếu nhi", location="Xã Tập Ngãi",
        district_code="tieu_can", orphans=6, volunteers=8, cost=4_000_000))
    y.add("cap_thoat_nuoc", 12, "resources", resource(
        y.day(12, 5, 20), BENEFACTORS[0], "ca_nhan", "nhu_yeu_pham", "Gạo, dầu ăn", 30, "phần", 9_000_000,
        "Người già neo đơn"))


def finance_year(y: Year) -> None:
    """so_tai_chinh: mostly nil; a cash gift in September."""
    y.add("so_tai_chinh", 9, "resources", resource(
        y.day(9, 8, 16), "Đoàn viên Chi đoàn Sở Tài chính", "co_quan", "tien_mat", "Đóng góp mua quà Trung thu", 1, "lần",
        3_000_000, "Trẻ em tại Trung tâm Bảo trợ xã hội tỉnh"))
    y.add("so_tai_chinh", 2, "activities", activity(
        date(YEAR, 2, 3), "tham_tang_qua", 10, "Thăm, tặng quà Tết cho gia đình đoàn viên khó khăn", location="Phường 7",
        district_code="tp_tra_vinh", volunteers=5, cost=3_000_000))


def office_year(y: Year) -> None:
    """vp_ubnd: one Tết visit; otherwise nil reports (when it reports at all)."""
    y.add("vp_ubnd", 1, "activities", activity(
        y.day(1, 20, 28), "tham_tang_qua", 12, "Thăm, tặng quà Tết người già neo đơn", location="Xã Long Đức",
        district_code="tp_tra_vinh", elderly=12, volunteers=6, cost=3_600_000))
    y.add("vp_ubnd", 10, "resources", resource(
        y.day(10, 5, 20), BENEFACTORS[2], "ca_nhan", "xe_dap", "Xe đạp cũ đã sửa chữa", 4, "chiếc", 2_800_000,
        "Học sinh nghèo"))


def culture_year(y: Year) -> None:
    """so_vhttdl: playgrounds and forums for children, recreation."""
    y.add("so_vhttdl", 6, "activities", activity(
        date(YEAR, 6, 1), "dien_dan", 150, "Sân chơi thiếu nhi chào mừng Ngày Quốc tế Thiếu nhi", location="Nhà Thiếu nhi tỉnh",
        district_code="tp_tra_vinh", disabled=15, orphans=20, volunteers=25, cost=8_000_000))
    y.add("so_vhttdl", 3, "activities", activity(
        y.day(3, 20, 28), "vui_choi", 60, "Ngày hội thể thao cho thanh, thiếu niên khuyết tật", location="Nhà Thi đấu tỉnh",
        district_code="tp_tra_vinh", disabled=60, volunteers=18, cost=6_500_000))
    y.add("so_vhttdl", 11, "activities", activity(
        y.day(11, 10, 25), "dien_dan", 80, "Diễn đàn \"Thanh niên khuyết tật vươn lên\"",
        location="Hội trường Sở Văn hóa, Thể thao và Du lịch", district_code="tp_tra_vinh", disabled=55, volunteers=12, cost=5_000_000))
    y.add("so_vhttdl", 12, "resources", resource(
        y.day(12, 10, 20), ENTERPRISES[3], "doanh_nghiep", "qua", "Quà cuối năm cho thiếu nhi khuyết tật", 40, "phần",
        6_000_000, "Thiếu nhi khuyết tật"))


OCCASIONAL = [("tham_tang_qua", "Thăm, tặng quà gia đình có hoàn cảnh khó khăn", 5, 20),
              ("tham_tang_qua", "Thăm, tặng quà người khuyết tật", 10, 25),
              ("dien_dan", "Tổ chức sân chơi cuối tuần cho thiếu nhi", 30, 60),
              ("khac", "Ra quân sửa chữa nhà cho người già neo đơn", 1, 3),
              ("sinh_ke", "Hỗ trợ con giống, cây giống cho hộ nghèo", 3, 8)]
OCCASIONAL_GIFTS = [("qua", "Quà (gạo, dầu ăn, sữa)", "phần", 250_000), ("nhu_yeu_pham", "Gạo, mì gói", "phần", 200_000),
                    ("tien_mat", "Tiền mặt", "suất", 500_000)]
#: Units that do a few small things during the year besides their own programme (months drawn at random).
OCCASIONAL_UNITS = {"so_y_te": 3, "so_gddt": 3, "dien_luc": 4, "agribank": 3, "nhcsxh": 3, "cap_thoat_nuoc": 3,
                    "so_tai_chinh": 1, "so_vhttdl": 3, "bhxh": 2}


def occasional_year(y: Year) -> None:
    """Small activities (gifts, playgrounds, house repairs, livelihood) in a few months of most units."""
    for unit_code, count in OCCASIONAL_UNITS.items():
        months = [m for m in range(1, 13) if m != 8 and m not in MISSING.get(unit_code, ())
                  and (unit_code, m) not in CSV_MONTHS]
        for month in sorted(y.rng.sample(months, count)):
            occasional(y, unit_code, month)


def occasional(y: Year, unit_code: str, month: int) -> None:
    """One small activity somewhere in the province, half the time with the gifts it handed out."""
    activity_type, title, lo, hi = y.rng.choice(OCCASIONAL)
    district_code = y.rng.choice(sorted(COMMUNES))
    people = y.rng.randint(lo, hi)
    day = y.day(month, 3, 27)
    y.add(unit_code, month, "activities", activity(
        day, activity_type, people, title, location=y.rng.choice(COMMUNES[district_code]),
        district_code=district_code, volunteers=y.rng.randint(4, 12), cost=people * 300_000))
    if y.rng.random() < 0.5:
        item, description, uom, each = y.rng.choice(OCCASIONAL_GIFTS)
        donor, donor_type = y.rng.choice([(y.rng.choice(ENTERPRISES), "doanh_nghiep"),
                                          (y.rng.choice(BENEFACTORS), "ca_nhan"), (y.rng.choice(GROUPS), "to_chuc")])
        y.add(unit_code, month, "resources",
              resource(day, donor, donor_type, item, description, people, uom, people * each))


def bloc_year(y: Year) -> None:
    """doan_khoi: the Bloc's own records: Tết and Children's Day at the Centre (model a), Mid-Autumn."""
    y.add("doan_khoi", 2, "activities", activity(
        date(YEAR, 2, 5), "tham_tang_qua", 95, "Thăm, chúc Tết, tặng quà đối tượng tại Trung tâm",
        location="Trung tâm BTXH tỉnh", disabled=30, orphans=28, elderly=30, volunteers=20, cost=19_000_000))
    y.add("doan_khoi", 6, "activities", activity(
        date(YEAR, 6, 1), "tham_tang_qua", 86, "Thăm, tặng quà trẻ em nhân Ngày Quốc tế Thiếu nhi 1/6",
        location="Trung tâm Bảo trợ xã hội tỉnh", disabled=22, orphans=54, volunteers=25, cost=17_200_000))
    y.add("doan_khoi", 6, "resources", resource(
        date(YEAR, 6, 1), ENTERPRISES[0], "doanh_nghiep", "qua", "Quà thiếu nhi (sữa, bánh kẹo, đồ chơi)", 86, "phần",
        17_200_000, "Trẻ em tại Trung tâm Bảo trợ xã hội tỉnh"))
    y.add("doan_khoi", 9, "activities", activity(
        date(YEAR, 9, 19), "tham_tang_qua", 90, "Trung thu yêu thương: tặng quà, lồng đèn cho trẻ em",
        location="Trung tâm Bảo trợ xã hội tỉnh", orphans=60, disabled=25, volunteers=18, cost=13_500_000))
    y.add("doan_khoi", 9, "resources", resource(
        date(YEAR, 9, 14), GROUPS[0], "to_chuc", "qua", "Bánh trung thu, lồng đèn, sữa", 90, "phần", 13_500_000,
        "Trẻ em tại Trung tâm Bảo trợ xã hội tỉnh"))


# =========================================================================== styles

@dataclass(frozen=True)
class Style:
    """How one file is written (the accepted variations of docs/data-contract.md §1).
    Defaults: a clean workbook with ThongTin."""

    fmt: str = "xlsx"               # xlsx | ods | xls | csv
    from_template: bool = False     # a filled copy of the real template
    keep_example: bool = False      # template: leave the "Ví dụ" row in
    info_sheet: str | None = "ThongTin"
    info_labels: str = "labels"     # labels | aliases
    unit_text: str = "name"         # name | alias
    period_text: str = "m/yyyy"     # m/yyyy | mm/yyyy | thang | thang_nam | date
    title: str | None = None        # None | slash | words: a title block names unit and month
    sheet_names: str = "template"   # template | vn | alt | ascii_upper
    headers: str = "plain"          # plain | ascii | upper | breaks | aliases
    two_row: bool = False           # activities: "Trong đó" merged above the breakdowns
    stt: bool = True
    columns: str = "all"            # all | core (fewer optional columns)
    person_id: bool = False
    dates: str = "excel"            # excel | dd/mm/yyyy | d/m/yyyy | dd-mm-yyyy | dd.mm.yyyy | dd/mm/yy | iso | mixed
    money: str = "number"           # number | dots | words | dong | nghin
    counts: str = "number"          # number | nguoi
    yes_no: str = "co_khong"        # co_khong | x_blank
    codes: str = "label"            # label | alias | ascii_upper
    districts: str = "label"        # label | prefixed | short
    totals: str | None = None       # None | tong_cong | cong_thang
    group_by_district: bool = False
    blank_numbered: int = 0         # empty rows with only their STT number
    extra_column: bool = False      # an unknown column (info unknown_column)
    all_sheets: bool = False        # write the sheets of kinds with no rows too
    nil_form: str = "empty_sheets"  # empty_sheets | info_only | note_row
    birth_as_date: bool = False     # "Ngày sinh" with a full date
    file_name: str = "code"         # code | vn
    encoding: str = "utf-8-sig"     # csv only

    def describe(self) -> str:
        """The style's distinctive features, for the manifest."""
        default = Style()
        parts = [self.fmt]
        for name in ("from_template", "keep_example", "title", "two_row", "group_by_district",
                     "extra_column", "birth_as_date", "person_id"):
            if getattr(self, name) and getattr(self, name) != getattr(default, name):
                parts.append(name if getattr(self, name) is True else f"{name}={getattr(self, name)}")
        for name in ("info_sheet", "info_labels", "unit_text", "period_text", "sheet_names", "headers", "dates",
                     "money", "counts", "yes_no", "codes", "districts", "totals", "columns", "blank_numbered", "nil_form"):
            if getattr(self, name) != getattr(default, name):
                parts.append(f"{name}={getattr(self, name)}")
        if self.fmt == "csv":
            parts.append(f"encoding={self.encoding}")
        return " ".join(parts)


TEMPLATE = Style(from_template=True, all_sheets=True)
TITLE_BLOCK = Style(info_sheet=None, title="slash")
CSV_MONTHS = {("so_y_te", 7): ("activities", "utf-8-sig"), ("nhcsxh", 9): ("resources", "cp1258")}


def unit_style(unit_code: str, month: int, rng: random.Random) -> Style:
    """Each unit has its habits (a unit copies last month's file); some change during the year."""
    csv_kind = CSV_MONTHS.get((unit_code, month))
    if csv_kind:
        return Style(fmt="csv", info_sheet=None, dates="dd/mm/yyyy", money="dots", encoding=csv_kind[1],
                     stt=unit_code == "so_y_te")
    styles: dict[str, Callable[[], Style]] = {
        "doan_khoi": lambda: TEMPLATE,
        "bv_da_khoa": lambda: replace(TEMPLATE, keep_example=month == 1) if month <= 3 else replace(
            TITLE_BLOCK, title="words" if month >= 10 else "slash", two_row=True, totals="cong_thang",
            sheet_names="vn", file_name="vn"),
        "ldtbxh": lambda: replace(TEMPLATE, keep_example=month % 3 == 0, codes="alias",
                                  dates="mixed" if month in (4, 11) else "excel"),
        "bhxh": lambda: Style(info_sheet="Thông tin", info_labels="aliases", unit_text="alias", period_text="thang",
                              sheet_names="vn", dates="d/m/yyyy", money="dong", person_id=True, all_sheets=True,
                              file_name="vn"),
        "so_y_te": lambda: replace(TITLE_BLOCK, title="words", headers="breaks", money="dots", dates="dd/mm/yyyy",
                                   districts="prefixed", nil_form="note_row"),
        "so_gddt": lambda: Style(fmt="ods" if month >= 7 else "xlsx", headers="ascii", dates="dd-mm-yyyy",
                                 yes_no="x_blank", districts="short", period_text="mm/yyyy", all_sheets=month >= 7),
        "dien_luc": lambda: Style(sheet_names="ascii_upper", headers="upper", money="words", codes="ascii_upper",
                                  counts="nguoi", columns="core", file_name="vn", period_text="thang_nam"),
        "agribank": lambda: replace(TITLE_BLOCK, money="nghin", sheet_names="alt", dates="dd.mm.yyyy", columns="core",
                                    totals="tong_cong", file_name="vn"),
        "nhcsxh": lambda: Style(fmt="xls", headers="aliases", birth_as_date=True, period_text="date"),
        "cap_thoat_nuoc": lambda: Style(info_sheet="Thông tin chung", sheet_names="alt", group_by_district=True,
                                        districts="prefixed", dates="dd/mm/yy", totals="tong_cong", codes="alias"),
        "so_tai_chinh": lambda: replace(TEMPLATE, keep_example=rng.random() < 0.6, file_name="vn"),
        "vp_ubnd": lambda: Style(nil_form="info_only", period_text="thang", unit_text="alias", dates="mixed"),
        "so_vhttdl": lambda: Style(blank_numbered=10, extra_column=True, yes_no="x_blank", codes="alias")
        if month <= 9 else replace(TITLE_BLOCK, fmt="ods", title="words", headers="upper", codes="alias"),
    }
    return styles[unit_code]()


# =========================================================================== calendar: which files, when

#: Months for which a unit sent nothing at all.
MISSING = {"so_vhttdl": (8, 9), "cap_thoat_nuoc": (2, 8), "vp_ubnd": (7, 8, 12)}
#: Reports received together long after their due date.
BATCHES = {("vp_ubnd", 9): date(YEAR, 11, 15), ("vp_ubnd", 10): date(YEAR, 11, 15),
           ("so_vhttdl", 7): date(YEAR, 9, 20)}
ON_TIME_RATE = {"bv_da_khoa": 0.95, "ldtbxh": 0.92, "bhxh": 0.92, "vp_ubnd": 0.5, "so_vhttdl": 0.6}
BLOC_MONTHS = (2, 6, 9)


def received_on(unit_code: str, month: int, rng: random.Random) -> date:
    """When the report reached the Bloc: usually by the 10th of the next month, sometimes later."""
    if (unit_code, month) in BATCHES:
        return BATCHES[(unit_code, month)]
    first_next = date(YEAR + (month == 12), month % 12 + 1, 1)
    if rng.random() < ON_TIME_RATE.get(unit_code, 0.85):
        return first_next + timedelta(days=rng.randint(0, 9))
    return first_next + timedelta(days=rng.randint(11, 27))


def expected_reports(year: Year) -> list[MonthReport]:
    """The reports that exist as files: every reporting unit's months (except missing ones) and the Bloc's few."""
    reports = [year.report(u, m) for u in reporting_units() for m in range(1, 13) if m not in MISSING.get(u, ())]
    reports += [year.report("doan_khoi", m) for m in BLOC_MONTHS]
    return reports


# =========================================================================== rendering values

VN_FILE_LABELS = {"bv_da_khoa": "Doan co so BVDK", "bhxh": "Chi doan BHXH tinh", "ldtbxh": "Chi doan So LDTBXH",
                  "so_y_te": "Chi doan SYT", "so_gddt": "So GDDT", "dien_luc": "PC Tra Vinh",
                  "agribank": "Agribank Tra Vinh", "nhcsxh": "NHCSXH tinh", "cap_thoat_nuoc": "Cap thoat nuoc Tra Vinh",
                  "so_tai_chinh": "So Tai chinh", "vp_ubnd": "Van phong UBND tinh", "so_vhttdl": "So VHTTDL",
                  "doan_khoi": "Doan Khoi"}
CSV_KIND_WORDS = {"activities": "hoatdong", "beneficiaries": "doituong", "resources": "nguonluc"}


def file_name(report: MonthReport, style: Style) -> str:
    """``2021-06_bv_da_khoa.xlsx``, ``BC thang 6-2021 - Doan co so BVDK.xlsx``, ``2021-07_so_y_te_hoatdong.csv``."""
    ext = style.fmt
    if style.fmt == "csv":
        return f"{report.period}_{report.unit}_{CSV_KIND_WORDS[report.kinds[0]]}.csv"
    if style.file_name == "vn":
        label = VN_FILE_LABELS[report.unit]
        if report.month % 2:
            return f"BC thang {report.month}-{YEAR} - {label}.{ext}"
        return f"Bao cao thang {report.month:02d}-{YEAR} - {label}.{ext}"
    return f"{report.period}_{report.unit}.{ext}"


def thousands(n: int) -> str:
    """Vietnamese digit grouping: 1500000 -> ``1.500.000``."""
    return f"{n:,}".replace(",", ".")


def money_text(n: int, form: str) -> Cell:
    """Money as the style writes it (the header carries the scale for ``nghin``)."""
    if form == "number":
        return n
    if form == "nghin":
        return n // 1000 if n % 1000 == 0 else n / 1000
    if form == "dong":
        return f"{thousands(n)} đ"
    if form == "words":
        if n % 1_000_000 == 0:
            return f"{n // 1_000_000} triệu"
        if n >= 1_000_000 and n % 100_000 == 0:
            return f"{n / 1_000_000:.1f}".replace(".", ",") + " triệu"
        if n < 1_000_000 and n % 1000 == 0:
            return f"{n // 1000} nghìn"
    return thousands(n)


DATE_TEXT = {"dd/mm/yyyy": "%d/%m/%Y", "dd-mm-yyyy": "%d-%m-%Y", "dd.mm.yyyy": "%d.%m.%Y", "dd/mm/yy": "%d/%m/%y",
             "iso": "%Y-%m-%d"}
MIXED_DATES = ("excel", "dd/mm/yyyy", "iso")


def date_cell(day: date, form: str, index: int) -> Cell:
    """A date as the style writes it: a real date, day-first text, or ISO text."""
    if form == "mixed":  # a file filled in by several people: real dates and two kinds of text
        form = MIXED_DATES[index % len(MIXED_DATES)]
    if form == "excel":
        return datetime(day.year, day.month, day.day)
    if form == "d/m/yyyy":
        return f"{day.day}/{day.month}/{day.year}"
    return day.strftime(DATE_TEXT[form])


def code_text(vocab: str, code: str, form: str) -> str:
    """A code written as its label, its first alias, or its label in capitals without diacritics."""
    e = entry(vocab, code)
    if form == "alias" and e["aliases"]:
        return str(e["aliases"][0])
    if form == "ascii_upper":
        return strip_diacritics(e["label_vi"]).upper()
    return str(e["label_vi"])


PREFIXED = {"tp_tra_vinh": ("TP Trà Vinh", "Thành phố Trà Vinh"), "duyen_hai": ("Huyện Duyên Hải", "H. Duyên Hải"),
            "tx_duyen_hai": ("TX Duyên Hải", "Thị xã Duyên Hải")}


def district_text(code: str, form: str, index: int) -> str:
    """A district as the style writes it (never the ambiguous bare "Duyên Hải" or "Trà Vinh")."""
    d = district(code)
    if form == "short":
        return str(d["short_vi"])
    if form == "prefixed":
        pair = PREFIXED.get(code, (f"Huyện {d['label_vi']}", f"H. {d['label_vi']}"))
        return pair[index % 2]
    return str(d["label_vi"])


def district_heading(code: str) -> str:
    """The full name used in group headings ("Huyện Càng Long")."""
    full = {"tp_tra_vinh": "Thành phố Trà Vinh", "duyen_hai": "Huyện Duyên Hải", "tx_duyen_hai": "Thị xã Duyên Hải"}
    return full.get(code, f"Huyện {district(code)['label_vi']}")


def render_value(column: dict[str, Any], value: Any, style: Style, index: int) -> Cell:
    """One canonical value as a cell in the file's style."""
    kind, key = column["type"], column["key"]
    if value is None:
        return None
    if kind == "date":
        return date_cell(value, style.dates, index)
    if kind == "code:sex":
        return code_text("sex", value, "ascii_upper" if style.codes == "ascii_upper" else "label")
    if kind.startswith("code:"):
        return code_text(kind.split(":", 1)[1], value, style.codes)
    if kind == "categories":
        return "; ".join(code_text("beneficiary_categories", c, style.codes) for c in value)
    if kind == "district":
        return district_text(value, style.districts, index)
    if kind == "money":
        return money_text(value, style.money)
    if kind == "count" and key == "people_served" and style.counts == "nguoi":
        return f"{value} người"
    if kind == "year" and style.birth_as_date:
        return datetime(value, 1 + index % 12, 1 + (index * 7) % 28)
    if kind == "yes_no":
        return ("Có" if value else "Không") if style.yes_no == "co_khong" else ("x" if value else None)
    return value


# =========================================================================== headers and columns

CORE_DROP = {"activities": {"disabled", "orphans", "elderly", "notes"},
             "beneficiaries": {"needs"}, "resources": {"donor_type", "notes", "recipient"}}
EXTRA_COLUMN = "Người phụ trách"
SHEET_NAMES = {"vn": {"activities": "Hoạt động", "beneficiaries": "Danh sách đối tượng", "resources": "Nguồn lực"},
               "alt": {"activities": "Kết quả hoạt động", "beneficiaries": "DS đối tượng", "resources": "Vận động nguồn lực"},
               "ascii_upper": {"activities": "HOAT DONG", "beneficiaries": "DOI TUONG", "resources": "NGUON LUC"}}


def sheet_title(kind: str, style: Style) -> str:
    return SHEET_NAMES.get(style.sheet_names, {}).get(kind) or tpl.template_sheet_name(kind)


def columns_for(kind: str, style: Style) -> list[dict[str, Any]]:
    """The columns a file of this style writes for a kind."""
    drop = set(CORE_DROP[kind]) if style.columns == "core" else set()
    if not style.person_id:
        drop.add("person_id")
    if style.two_row:
        drop -= {"disabled", "orphans", "elderly"}
    return [c for c in tpl.sheet_columns(kind) if c["key"] not in drop]


def break_line(text: str) -> str:
    """A long header split over two lines near its middle ("Số người\\nđược hỗ trợ")."""
    if len(text) < 14 or " " not in text:
        return text
    spaces = [i for i, ch in enumerate(text) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(text) // 2))
    return text[:cut] + "\n" + text[cut + 1:]


def money_header(column: dict[str, Any], style: Style) -> str | None:
    """Money headers that state their scale or currency (``Kinh phí (nghìn đồng)``, ``Kinh phí (VNĐ)``)."""
    base = {"cost_vnd": "Kinh phí", "value_vnd": "Giá trị quy đổi"}.get(column["key"])
    if base and style.money == "nghin":
        return f"{base} (nghìn đồng)"
    if base and style.money in ("dots", "dong"):
        return f"{base} (VNĐ)"
    return None


def header_text(column: dict[str, Any], style: Style) -> str:
    """A column's header as the style writes it."""
    text = money_header(column, style)
    if text is None:
        text = column["aliases"][0] if style.headers == "aliases" and column["aliases"] else column["header_vi"]
    if style.headers == "ascii":
        return strip_diacritics(text)
    if style.headers == "upper":
        return text.upper()
    if style.headers == "breaks":
        return break_line(text)
    return text


# =========================================================================== grids

@dataclass
class Grid:
    """One sheet as rows of cells (1-based merges ``(row1, col1, row2, col2)``)."""

    name: str
    rows: list[list[Cell]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)
    header_rows: set[int] = field(default_factory=set)
    formats: dict[int, str] = field(default_factory=dict)  # column (1-based) -> number format

    def append(self, row: list[Cell], bold: bool = False, header: bool = False) -> int:
        self.rows.append(row)
        if bold:
            self.bold_rows.add(len(self.rows))
        if header:
            self.header_rows.add(len(self.rows))
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


BLOC_TITLE = "ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH TRÀ VINH"
UNION_TITLE = "ĐOÀN TNCS HỒ CHÍ MINH"
KINH_GUI = "Kính gửi: Ban Thường vụ Đoàn Khối các cơ quan và Doanh nghiệp tỉnh Trà Vinh"


def title_block(grid: Grid, report: MonthReport, style: Style, width: int, dated: date) -> None:
    """The letterhead: Bloc and unit on the left; the Union and "Trà Vinh, ngày … tháng … năm …" on the
    right; the report title naming the month; "Kính gửi"."""
    split = max(3, width // 2 - 1)
    r = grid.append([BLOC_TITLE] + [None] * (split - 1) + [UNION_TITLE], bold=True)
    grid.merges += [(r, 1, r, split), (r, split + 1, r, width)]
    place_date = f"Trà Vinh, ngày {dated.day:02d} tháng {dated.month:02d} năm {dated.year}"
    r = grid.append([unit(report.unit)["name_vi"].upper()] + [None] * (split - 1) + [place_date], bold=True)
    grid.merges += [(r, 1, r, split), (r, split + 1, r, width)]
    r = grid.append(["***"])
    grid.merges.append((r, 1, r, split))
    grid.append([])
    if style.title == "words":
        r = grid.append(["BÁO CÁO KẾT QUẢ HỖ TRỢ THANH, THIẾU NHI YẾU THẾ"], bold=True)
        grid.merges.append((r, 1, r, width))
        r = grid.append([f"tháng {report.month} năm {YEAR}"])
    else:
        r = grid.append([f"BÁO CÁO KẾT QUẢ HOẠT ĐỘNG THÁNG {report.month}/{YEAR}"], bold=True)
    grid.merges.append((r, 1, r, width))
    r = grid.append([KINH_GUI])
    grid.merges.append((r, 1, r, width))
    grid.append([])


SHEET_CAPTIONS = {"activities": "KẾT QUẢ HOẠT ĐỘNG", "beneficiaries": "DANH SÁCH ĐỐI TƯỢNG ĐƯỢC KHẢO SÁT",
                  "resources": "NGUỒN LỰC VẬN ĐỘNG"}


def caption(grid: Grid, kind: str, report: MonthReport, width: int) -> None:
    """A one-line title on the second and third sheets of a title-block workbook (same month)."""
    r = grid.append([f"{SHEET_CAPTIONS[kind]} THÁNG {report.month}/{YEAR}"], bold=True)
    grid.merges.append((r, 1, r, width))
    grid.append([])


def header_rows(grid: Grid, kind: str, columns: list[dict[str, Any]], style: Style) -> None:
    """One header row, or two with "Trong đó" merged above the breakdowns."""
    lead = ["STT"] if style.stt else []
    tail = [EXTRA_COLUMN] if style.extra_column and kind == "activities" else []
    if not (style.two_row and kind == "activities"):
        grid.append(lead + [header_text(c, style) for c in columns] + tail, bold=True, header=True)
        return
    short = {"disabled": "Khuyết tật", "orphans": "Mồ côi", "elderly": "Neo đơn"}
    upper, lower = list(lead), [None] * len(lead)
    for c in columns:
        first_part = c["key"] == "disabled"
        upper.append("Trong đó" if first_part else (None if c["key"] in short else header_text(c, style)))
        lower.append(short.get(c["key"]))
    top = grid.append(upper + tail, bold=True, header=True)
    grid.append(lower, bold=True, header=True)
    offset = len(lead)
    for i, c in enumerate(columns, start=offset + 1):
        if c["key"] == "disabled":
            grid.merges.append((top, i, top, i + 2))
        elif c["key"] not in short:
            grid.merges.append((top, i, top + 1, i))
    for i in range(1, offset + 1):
        grid.merges.append((top, i, top + 1, i))
    for i in range(len(upper) + 1, len(upper) + len(tail) + 1):
        grid.merges.append((top, i, top + 1, i))


def data_row(row: Row, columns: list[dict[str, Any]], style: Style, index: int, kind: str) -> list[Cell]:
    cells = [render_value(c, row.get(c["key"]), style, index) for c in columns]
    lead = [index + 1] if style.stt else []
    tail = [VOLUNTEER_LEADS[index % len(VOLUNTEER_LEADS)]] if style.extra_column and kind == "activities" else []
    return lead + cells + tail


VOLUNTEER_LEADS = ["Đ/c Bí thư", "Đ/c Phó Bí thư", "Ban Chấp hành"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]


def body_rows(grid: Grid, kind: str, rows: list[Row], columns: list[dict[str, Any]], style: Style) -> None:
    """Data rows (grouped under district headings when the style does), numbered from 1."""
    if kind == "beneficiaries" and style.group_by_district:
        order = [d["code"] for d in tpl.load_reference("districts")["districts"]]
        rows = sorted(rows, key=lambda r: order.index(r["district"]))
        current, group = None, 0
        for i, row in enumerate(rows):
            if row["district"] != current:
                current = row["district"]
                r = grid.append([f"{ROMAN[group]}. {district_heading(current)}"], bold=True)
                grid.merges.append((r, 1, r, len(columns) + int(style.stt)))
                group += 1
            grid.append(data_row(row, columns, style, i, kind))
        return
    for i, row in enumerate(rows):
        grid.append(data_row(row, columns, style, i, kind))


TOTAL_KEYS = {"activities": ("people_served", "disabled", "orphans", "elderly", "volunteers", "cost_vnd"),
              "resources": ("value_vnd",)}


def totals_row(grid: Grid, kind: str, rows: list[Row], columns: list[dict[str, Any]], style: Style, month: int) -> None:
    """"Tổng cộng" / "Cộng tháng 6" with the sums of the count and money columns."""
    if not style.totals or kind not in TOTAL_KEYS or not rows:
        return
    label = "Tổng cộng" if style.totals == "tong_cong" else f"Cộng tháng {month}"
    cells: list[Cell] = [label] + [None] * (len(columns) - (0 if style.stt else 1))
    offset = 1 if style.stt else 0
    for i, c in enumerate(columns):
        if c["key"] in TOTAL_KEYS[kind]:
            values = [r[c["key"]] for r in rows if r.get(c["key"]) is not None]
            if values:
                total = sum(values)
                cells[i + offset] = money_text(total, style.money) if c["type"] == "money" else total
    r = grid.append(cells, bold=True)
    if style.stt and cells[1] is None:
        grid.merges.append((r, 1, r, 2))


def data_grid(report: MonthReport, kind: str, style: Style, first: bool, dated: date) -> Grid:
    """A report sheet of one kind in the style, title block or caption included."""
    columns = columns_for(kind, style)
    rows = report.rows(kind)
    width = len(columns) + int(style.stt) + int(style.extra_column and kind == "activities")
    grid = Grid(sheet_title(kind, style))
    if style.title and first:
        title_block(grid, report, style, width, dated)
    elif style.title:
        caption(grid, kind, report, width)
    header_rows(grid, kind, columns, style)
    body_rows(grid, kind, rows, columns, style)
    if not rows and style.nil_form == "note_row":
        r = grid.append(["Trong tháng không phát sinh hoạt động."])
        grid.merges.append((r, 1, r, width))
    for n in range(len(rows) + 1, len(rows) + 1 + style.blank_numbered):
        grid.append([n])
    totals_row(grid, kind, rows, columns, style, report.month)
    for i, c in enumerate(columns, start=1 + int(style.stt)):
        if c["type"] in ("count", "money", "quantity"):
            grid.formats[i] = tpl.NUMBER_FORMAT
    return grid


INFO_ALIASES = {"unit": "Tên đơn vị", "period": "Kỳ báo cáo", "prepared_by": "Người báo cáo", "prepared_on": "Ngày báo cáo"}


def period_cell(month: int, form: str) -> Cell:
    """The report month as the ThongTin sheet writes it."""
    return {"m/yyyy": f"{month}/{YEAR}", "mm/yyyy": f"{month:02d}/{YEAR}", "thang": f"tháng {month}/{YEAR}",
            "thang_nam": f"Tháng {month} năm {YEAR}", "date": datetime(YEAR, month, 1)}[form]


def unit_cell(code: str, form: str) -> str:
    u = unit(code)
    return str(u["aliases"][-1] if form == "alias" and u["aliases"] else u["name_vi"])


def info_grid(report: MonthReport, style: Style, preparer: str, prepared_on: date) -> Grid:
    """The ThongTin sheet: labels in column A, values in column B."""
    labels = {f["key"]: (INFO_ALIASES[f["key"]] if style.info_labels == "aliases" else f["label_vi"])
              for f in tpl.info_fields()}
    grid = Grid(style.info_sheet or tpl.INFO_SHEET)
    grid.append([labels["unit"], unit_cell(report.unit, style.unit_text)])
    grid.append([labels["period"], period_cell(report.month, style.period_text)])
    grid.append([labels["prepared_by"], preparer])
    grid.append([labels["prepared_on"], datetime(prepared_on.year, prepared_on.month, prepared_on.day)])
    return grid


def report_grids(report: MonthReport, style: Style, preparer: str, prepared_on: date) -> list[Grid]:
    """All sheets of a (non-template) file in the style."""
    kinds = list(tpl.KIND_ORDER) if style.all_sheets else report.kinds
    if not report.kinds and style.nil_form == "note_row":
        kinds = ["activities"]
    if not report.kinds and style.nil_form == "empty_sheets" and not kinds:
        kinds = list(tpl.KIND_ORDER)
    grids = [info_grid(report, style, preparer, prepared_on)] if style.info_sheet else []
    for i, kind in enumerate(kinds):
        grids.append(data_grid(report, kind, style, i == 0, prepared_on))
    return grids


# =========================================================================== writers

def write_xlsx(grids: list[Grid], path: Path) -> None:
    """Grids as an .xlsx workbook (merges, bold headers, dates dd/mm/yyyy)."""
    wb = Workbook()
    wb.remove(wb.active)
    for grid in grids:
        ws = wb.create_sheet(grid.name)
        for r, row in enumerate(grid.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, datetime):
                    cell.number_format = tpl.DATE_FORMAT
                elif isinstance(value, (int, float)) and c in grid.formats:
                    cell.number_format = grid.formats[c]
                if r in grid.bold_rows:
                    cell.font = Font(bold=True)
                if r in grid.header_rows:
                    cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        for merge in grid.merges:
            ws.merge_cells(start_row=merge[0], start_column=merge[1], end_row=merge[2], end_column=merge[3])
        set_widths(ws, grid)
    tpl.save_workbook(wb, path)


def set_widths(ws: Any, grid: Grid) -> None:
    """Column widths from the texts of the header (or, with no header, of all rows), 12 to 36 wide."""
    merged = {(r, c) for (r, c, _, c2) in grid.merges if c2 > c}
    rows = [grid.rows[r - 1] for r in sorted(grid.header_rows)] or grid.rows
    for c in range(1, grid.width + 1):
        texts = [str(row[c - 1]) for r, row in enumerate(rows, start=1)
                 if c - 1 < len(row) and isinstance(row[c - 1], str) and (r, c) not in merged]
        longest = max((len(line) for t in texts for line in t.split("\n")), default=8)
        ws.column_dimensions[get_column_letter(c)].width = 6 if texts == ["STT"] else max(12, min(36, longest + 2))


def write_csv(grid: Grid, path: Path, encoding: str) -> None:
    """One grid as CSV (comma, CRLF); cp1258 text is written in its decomposed (tone-mark) form."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in grid.rows:
        writer.writerow(["" if v is None else (v.strftime("%d/%m/%Y") if isinstance(v, datetime) else v) for v in row])
    text = out.getvalue()
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    path.write_bytes(data)


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 bytes: letters it lacks precomposed are written as base letter + combining tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONE_MARKS))
        tones = "".join(p for p in parts if p in TONE_MARKS)
        out += (base + tones).encode("cp1258")
    return bytes(out)


def write_xls(grids: list[Grid], path: Path) -> None:
    """Grids as a legacy .xls workbook (BIFF8, via xlwt)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    plain, bold = xlwt.XFStyle(), xlwt.easyxf("font: bold on; align: wrap on, vert centre, horiz centre")
    dated = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    for grid in grids:
        ws = wb.add_sheet(grid.name, cell_overwrite_ok=True)
        covered = {(r, c) for (r1, c1, r2, c2) in grid.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r1, c1, r2, c2 in grid.merges:
            value = grid.rows[r1 - 1][c1 - 1] if c1 - 1 < len(grid.rows[r1 - 1]) else None
            ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, value if value is not None else "", bold)
        for r, row in enumerate(grid.rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or (r, c) in covered:
                    continue
                style = dated if isinstance(value, datetime) else (bold if r in grid.bold_rows else plain)
                ws.write(r - 1, c - 1, value, style)
        for c in range(grid.width):
            ws.col(c).width = 256 * 16
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(buffer.getvalue())


def write_ods(grids: list[Grid], path: Path) -> None:
    """Grids as an OpenDocument spreadsheet (odfpy), merges as spanned and covered cells."""
    from odf.number import DateStyle, Day, Month, Text, Year as OdfYear
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style as OdfStyle, TextProperties

    doc = OpenDocumentSpreadsheet()
    date_style = DateStyle(name="dmy")
    for part in (Day(style="long"), Text(text="/"), Month(style="long"), Text(text="/"), OdfYear(style="long")):
        date_style.addElement(part)
    doc.automaticstyles.addElement(date_style)
    date_cell_style = OdfStyle(name="date", family="table-cell", datastylename="dmy")
    bold_style = OdfStyle(name="bold", family="table-cell")
    bold_style.addElement(TextProperties(fontweight="bold"))
    doc.automaticstyles.addElement(date_cell_style)
    doc.automaticstyles.addElement(bold_style)
    for grid in grids:
        doc.spreadsheet.addElement(ods_table(grid, date_cell_style, bold_style))
    buffer = io.BytesIO()
    with canonical_odf_namespaces():
        doc.write(buffer)
    path.write_bytes(tpl.stable_zip(buffer.getvalue()))


@contextmanager
def canonical_odf_namespaces() -> Iterator[None]:
    """odfpy declares the namespaces *every* element created so far in the process used (a class-level
    dict), so the same document serialises differently depending on history. Declare all of them, in a
    fixed order, while writing; restore odfpy's state afterwards."""
    from odf.element import Element
    from odf.namespaces import nsdict

    saved = dict(Element.namespaces)
    Element.namespaces.clear()
    Element.namespaces.update(sorted(nsdict.items()))
    try:
        yield
    finally:
        Element.namespaces.clear()
        Element.namespaces.update(saved)


def ods_table(grid: Grid, date_style: Any, bold_style: Any) -> Any:
    """One grid as an ODF table."""
    from odf.table import CoveredTableCell, Table, TableRow

    spans = {(r1, c1): (r2 - r1 + 1, c2 - c1 + 1) for (r1, c1, r2, c2) in grid.merges}
    covered = {(r, c) for (r1, c1, r2, c2) in grid.merges for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
    covered -= set(spans)
    table = Table(name=grid.name)
    width = grid.width
    for r in range(1, len(grid.rows) + 1):
        row = grid.rows[r - 1]
        tr = TableRow()
        last = max([len(row)] + [c2 for (r1, c1, r2, c2) in grid.merges if r1 <= r <= r2])
        for c in range(1, max(1, min(width, last)) + 1):
            if (r, c) in covered:
                tr.addElement(CoveredTableCell())
                continue
            value = row[c - 1] if c - 1 < len(row) else None
            tr.addElement(ods_cell(value, spans.get((r, c)), date_style, bold_style if r in grid.bold_rows else None))
        table.addElement(tr)
    return table


def ods_cell(value: Cell, span: tuple[int, int] | None, date_style: Any, bold_style: Any) -> Any:
    """One ODF cell: a float, a date or a string (with its display text)."""
    from odf.table import TableCell
    from odf.text import P

    attrs: dict[str, Any] = {}
    if span:
        attrs.update(numberrowsspanned=span[0], numbercolumnsspanned=span[1])
    if bold_style is not None:
        attrs["stylename"] = bold_style
    if value is None:
        return TableCell(**attrs)
    if isinstance(value, datetime):
        cell = TableCell(valuetype="date", datevalue=value.strftime("%Y-%m-%d"), stylename=date_style,
                         **{k: v for k, v in attrs.items() if k != "stylename"})
        cell.addElement(P(text=value.strftime("%d/%m/%Y")))
        return cell
    if isinstance(value, (int, float)):
        cell = TableCell(valuetype="float", value=value, **attrs)
        cell.addElement(P(text=str(value)))
        return cell
    cell = TableCell(valuetype="string", **attrs)
    for i, line in enumerate(str(value).split("\n")):
        cell.addElement(P(text=line))
    return cell


def write_template_report(report: MonthReport, style: Style, preparer: str, prepared_on: date, path: Path) -> None:
    """A filled copy of the real template (ThongTin, example row kept or deleted)."""
    wb = tpl.build_template()
    info = wb[tpl.INFO_SHEET]
    info["B1"], info["B2"], info["B3"] = unit(report.unit)["name_vi"], f"{report.month}/{YEAR}", preparer
    info["B4"] = datetime(prepared_on.year, prepared_on.month, prepared_on.day)
    for kind in tpl.KIND_ORDER:
        ws = wb[tpl.template_sheet_name(kind)]
        first = 3 if style.keep_example else 2
        if not style.keep_example:
            ws.delete_rows(2)
        columns = tpl.sheet_columns(kind)
        for i, row in enumerate(report.rows(kind)):
            values = {c["key"]: render_value(c, row.get(c["key"]), style, i) for c in columns}
            tpl.write_data_row(ws, first + i, i + 1, columns, values)
    tpl.save_workbook(wb, path)


def write_report(report: MonthReport, style: Style, preparer: str, prepared_on: date, path: Path) -> None:
    """One sample file in its style and format."""
    if style.from_template:
        write_template_report(report, style, preparer, prepared_on, path)
        return
    grids = report_grids(report, style, preparer, prepared_on)
    if style.fmt == "csv":
        write_csv(grids[0], path, style.encoding)
    elif style.fmt == "xls":
        write_xls(grids, path)
    elif style.fmt == "ods":
        write_ods(grids, path)
    else:
        write_xlsx(grids, path)


# =========================================================================== the sample year

@dataclass(frozen=True)
class ManifestRow:
    file: str
    unit: str
    period: str
    received_on: date
    style: str


def write_year(outdir: Path, rng: random.Random) -> list[ManifestRow]:
    """Every report file of the year, returning the manifest rows."""
    year = build_year(rng)
    preparers = {u: person_name(rng, rng.choice(["nam", "nu"]), "cang_long") for u in sorted(VN_FILE_LABELS)}
    manifest = []
    for report in expected_reports(year):
        style = unit_style(report.unit, report.month, rng)
        received = received_on(report.unit, report.month, rng)
        name = file_name(report, style)
        prepared_on = max(date(YEAR, report.month, month_days(report.month)), received - timedelta(days=rng.randint(0, 2)))
        write_report(report, style, preparers[report.unit], prepared_on, outdir / name)
        manifest.append(ManifestRow(name, report.unit, report.period, received, style.describe()))
    return sorted(manifest, key=lambda m: (m.period, m.unit))


def write_manifest(rows: list[ManifestRow], path: Path) -> None:
    """``manifest.csv``: file, unit, period, received_on (YYYY-MM-DD), style."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "unit", "period", "received_on", "style"])
    for m in rows:
        writer.writerow([m.file, m.unit, m.period, m.received_on.isoformat(), m.style])
    path.write_text(out.getvalue(), encoding="utf-8")


README = """# Sample data (generated)

A generated, realistic year (2021) of the monthly reports that the grassroots units send to the
Youth Union of the Bloc of Agencies and Enterprises of Trà Vinh (Plan 114-KH/ĐTN). Every name of
a person is generated; no real person is described.

Do not edit by hand: `python -m ytsupport sample sample_data` rewrites these files
(`ytsupport/sample.py`, seed 114; byte-identical on every run).

- `manifest.csv`: one line per report file: `file`, `unit` (code), `period` (YYYY-MM), the date
  it reached the Bloc (`received_on`, used by the ingest step of `make run` for timeliness) and
  the `style` it exercises (format and the accepted variations of real files it uses).
- Every report file is valid (no error, no warning). Some units send nil reports, three miss a
  few months entirely, some reports come late.
- `invalid/`: one small file per failure mode, named after it; `invalid/EXPECTED.csv` lists the
  issue each must produce (`file, code, sheet, row, column, severity`; an empty cell is not
  pinned, e.g. file-level issues have no row).
"""


def generate_sample(outdir: Path, seed: int = 114) -> list[Path]:
    """Write the sample year, its manifest, a README and the ``invalid/`` folder into ``outdir``.

    Deterministic: the same seed writes the same bytes. Returns the paths written, sorted.
    Existing files of other names in ``outdir`` are left alone.
    """
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    manifest = write_year(outdir, rng)
    write_manifest(manifest, outdir / "manifest.csv")
    (outdir / "README.md").write_text(README, encoding="utf-8")
    paths = [outdir / m.file for m in manifest] + [outdir / "manifest.csv", outdir / "README.md"]
    paths += write_invalid(outdir / "invalid")
    return sorted(paths)


# =========================================================================== invalid files

@dataclass(frozen=True)
class Expected:
    """The issue a broken file must produce (None: not pinned)."""

    file: str
    code: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    severity: str | None = None


def _info(unit_name: str | None = "Đoàn cơ sở Bệnh viện Đa khoa tỉnh", period: str | None = "6/2021") -> Grid:
    grid = Grid("ThongTin")
    if unit_name:
        grid.append(["Đơn vị", unit_name])
    if period:
        grid.append(["Tháng báo cáo", period])
    return grid


ACT_HEADERS = ["STT", "Ngày thực hiện", "Loại hoạt động", "Nội dung hoạt động", "Địa điểm", "Số người được hỗ trợ",
               "Trong đó: Người khuyết tật", "Trong đó: Trẻ mồ côi", "Kinh phí (đồng)"]


def _activities(*rows: list[Cell], headers: list[str] | None = None, title: list[str] | None = None) -> Grid:
    """A small HoatDong sheet: optional title lines, the header, then the rows (first data row is row 2)."""
    grid = Grid("HoatDong")
    for line in title or []:
        grid.append([line])
    if title:
        grid.append([])
    grid.append(headers or ACT_HEADERS, bold=True, header=True)
    for row in rows:
        grid.append(row)
    return grid


def _checkup(stt: int, day: Cell = None, kind: Cell = "Khám bệnh, phát thuốc", people: Cell = 104,
             disabled: Cell = 35, orphans: Cell = 20, cost: Cell = 9_000_000) -> list[Cell]:
    return [stt, day or datetime(YEAR, 6, 15), kind, "Khám bệnh, phát thuốc miễn phí", "Trung tâm Bảo trợ xã hội tỉnh",
            people, disabled, orphans, cost]


BEN_HEADERS = ["STT", "Họ và tên", "Năm sinh", "Giới tính", "Nhóm đối tượng", "Huyện/Thị xã/Thành phố",
               "Ngày khảo sát", "Có thẻ BHYT"]


def _beneficiaries(*rows: list[Cell]) -> Grid:
    grid = Grid("DoiTuong")
    grid.append(BEN_HEADERS, bold=True, header=True)
    for row in rows:
        grid.append(row)
    return grid


def _person(stt: int, name: str = "Trần Văn Bình", year: Cell = 1975, district_text: str = "Càng Long") -> list[Cell]:
    return [stt, name, year, "Nam", "Người khuyết tật", district_text, datetime(YEAR, 6, 10), "Có"]


RES_HEADERS = ["STT", "Ngày tiếp nhận", "Nhà tài trợ", "Loại hỗ trợ", "Số lượng", "Giá trị quy đổi (đồng)"]


def _resources(*rows: list[Cell]) -> Grid:
    grid = Grid("NguonLuc")
    grid.append(RES_HEADERS, bold=True, header=True)
    for row in rows:
        grid.append(row)
    return grid


PEOPLE = "Số người được hỗ trợ"
DATE_HEADER = "Ngày thực hiện"
TYPE_HEADER = "Loại hoạt động"
JUNE_TITLE = "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG THÁNG 6/2021"


def invalid_cases() -> list[tuple[Expected, list[Grid]]]:
    """One workbook per failure mode (row 3 holds the fault; row 2 is a valid row)."""
    ok = _checkup(1)
    no_people = [h for h in ACT_HEADERS if h != PEOPLE]
    return [
        (Expected("negative_number.xlsx", "negative_number", "HoatDong", 3, "Kinh phí (đồng)", "error"),
         [_info(), _activities(ok, _checkup(2, people=20, disabled=5, orphans=2, cost=-500_000))]),
        (Expected("invalid_number.xlsx", "invalid_number", "HoatDong", 3, PEOPLE, "error"),
         [_info(), _activities(ok, _checkup(2, people="khoảng một trăm", disabled=None, orphans=None))]),
        (Expected("invalid_date.xlsx", "invalid_date", "HoatDong", 3, DATE_HEADER, "error"),
         [_info(), _activities(ok, _checkup(2, day="31/02/2021"))]),
        (Expected("date_outside_plan_year.xlsx", "date_outside_plan_year", "HoatDong", 3, DATE_HEADER, "error"),
         [_info(), _activities(ok, _checkup(2, day=datetime(2020, 6, 15)))]),
        (Expected("date_outside_month.xlsx", "date_outside_month", "HoatDong", 3, DATE_HEADER, "warning"),
         [_info(), _activities(ok, _checkup(2, day="15/07/2021"))]),
        (Expected("unknown_code.xlsx", "unknown_code", "HoatDong", 3, TYPE_HEADER, "error"),
         [_info(), _activities(ok, _checkup(2, kind="Khám răng miễn phí"))]),
        (Expected("missing_value.xlsx", "missing_value", "HoatDong", 3, TYPE_HEADER, "error"),
         [_info(), _activities(ok, _checkup(2, kind=None))]),
        (Expected("breakdown_exceeds_total.xlsx", "breakdown_exceeds_total", "HoatDong", 3,
                  "Trong đó: Người khuyết tật", "error"),
         [_info(), _activities(ok, _checkup(2, people=10, disabled=15, orphans=0))]),
        (Expected("breakdowns_overlap.xlsx", "breakdowns_overlap", "HoatDong", 3, None, "warning"),
         [_info(), _activities(ok, _checkup(2, people=10, disabled=6, orphans=5))]),
        (Expected("missing_column.xlsx", "missing_column", "HoatDong", None, PEOPLE, "error"),
         [_info(), _activities([c for h, c in zip(ACT_HEADERS, ok) if h != PEOPLE], headers=no_people)]),
        (Expected("not_positive.xlsx", "not_positive", "NguonLuc", 3, "Số lượng", "error"),
         [_info(), _resources([1, datetime(YEAR, 6, 3), "Công ty TNHH Thương mại Hoàng Long", "Quà tặng", 50, 5_000_000],
                              [2, datetime(YEAR, 6, 9), "Mạnh thường quân ẩn danh", "Tiền mặt", 0, 2_000_000])]),
        (Expected("birth_year_out_of_range.xlsx", "birth_year_out_of_range", "DoiTuong", 3, "Năm sinh", "error"),
         [_info(), _beneficiaries(_person(1), _person(2, "Lê Thị Hoa", 1890))]),
        (Expected("ambiguous_code.xlsx", "ambiguous_code", "DoiTuong", 3, "Huyện/Thị xã/Thành phố", "warning"),
         [_info(), _beneficiaries(_person(1), _person(2, "Thạch Thị Sa Ly", 1960, "Duyên Hải"))]),
        (Expected("unit_missing.xlsx", "unit_missing", None, None, None, "error"),
         [_activities(ok, title=[JUNE_TITLE])]),
        (Expected("unit_conflict.xlsx", "unit_conflict", None, None, None, "error"),
         [_info(), _activities(ok, title=["CHI ĐOÀN SỞ Y TẾ", JUNE_TITLE])]),
        (Expected("unknown_unit.xlsx", "unknown_unit", None, None, None, "error"),
         [_info("Chi đoàn Công an tỉnh"), _activities(ok)]),
        (Expected("period_missing.xlsx", "period_missing", None, None, None, "error"),
         [_info(period=None), _activities(ok)]),
        (Expected("period_conflict.xlsx", "period_conflict", None, None, None, "error"),
         [_info(), _activities(ok, title=["ĐOÀN CƠ SỞ BỆNH VIỆN ĐA KHOA TỈNH", "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG THÁNG 7/2021"])]),
        (Expected("header_not_found.xlsx", "header_not_found", "HoatDong", None, None, "error"),
         [_info(), _activities(ok[1:], _checkup(2)[1:], headers=["Cột 1", "Cột 2", "Cột 3", "Cột 4", "Cột 5", "Cột 6",
                                                                   "Cột 7", "Cột 8"])]),
        (Expected("no_report_sheet.xlsx", "no_report_sheet", None, None, None, "error"), [_letter()]),
        (Expected("too_many_issues.xlsx", "too_many_issues", None, None, None, None),
         [_info(), _activities(*[_checkup(i, people=-i) for i in range(1, 301)])]),
    ]


def _letter() -> Grid:
    """A sheet that is a letter, not a report: title lines and prose, no table."""
    grid = Grid("Sheet1")
    for line in ("ĐOÀN CƠ SỞ BỆNH VIỆN ĐA KHOA TỈNH", JUNE_TITLE, "",
                 "Trong tháng, đơn vị đã phối hợp tổ chức khám bệnh, phát thuốc tại Trung tâm Bảo trợ xã hội tỉnh.",
                 "Số liệu chi tiết sẽ gửi bổ sung sau."):
        grid.append([line] if line else [])
    return grid


def truncated_xlsx() -> bytes:
    """A valid report cut in half: an unreadable zip."""
    buffer_path = io.BytesIO()
    wb = Workbook()
    ws = wb.active
    ws.title = "HoatDong"
    for row in [ACT_HEADERS] + [_checkup(i) for i in range(1, 40)]:
        ws.append(row)
    tpl.fix_properties(wb)
    wb.save(buffer_path)
    data = tpl.stable_zip(buffer_path.getvalue())
    return data[: len(data) // 2]


def encrypted_like_xlsx() -> bytes:
    """An OLE2 compound file holding ``EncryptionInfo`` and ``EncryptedPackage``: how a password-protected xlsx looks."""
    rng = random.Random(1258)
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
        b'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" blockSize="16" '
        b'keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" '
        b'hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></encryption>')
    package = struct.pack("<Q", 8192) + bytes(rng.getrandbits(8) for _ in range(8192))
    return compound_file([("EncryptionInfo", info.ljust(4096, b"\0")), ("EncryptedPackage", package.ljust(8704, b"\0"))])


def compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A minimal OLE2 (CFB v3, 512-byte sectors) file; each stream must be ≥ 4096 bytes (no mini stream)."""
    end, free, fat_sect, nostream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [fat_sect, end]  # sector 0: the FAT, sector 1: the directory
    starts = []
    for _, data in streams:
        n = -(-len(data) // 512)
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(n - 1)] + [end]
    fat += [free] * (128 - len(fat))
    entries = [_dir_entry("Root Entry", 5, child=1, start=end, size=0)]
    for i, (name, data) in enumerate(streams, start=1):
        right = i + 1 if i < len(streams) else nostream
        entries.append(_dir_entry(name, 2, right=right, start=starts[i - 1], size=len(data)))
    unused = b"\0" * 64 + struct.pack("<HBBIII", 0, 0, 0, nostream, nostream, nostream) + b"\0" * 48
    entries += [unused] * (4 - len(entries))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    body = struct.pack("<128I", *fat) + b"".join(entries)
    for _, data in streams:
        body += data.ljust(-(-len(data) // 512) * 512, b"\0")
    return header + body


def _dir_entry(name: str, kind: int, *, left: int = 0xFFFFFFFF, right: int = 0xFFFFFFFF, child: int = 0xFFFFFFFF,
               start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, left, right, child)
            + b"\0" * 16 + struct.pack("<IQQIQ", 0, 0, 0, start, size))


UNSUPPORTED_TEXT = ("BÁO CÁO THÁNG 6/2021 - ĐOÀN CƠ SỞ BỆNH VIỆN ĐA KHOA TỈNH\n"
                    "Đơn vị gửi báo cáo dạng văn bản thay vì bảng tính.\n")


def write_invalid(folder: Path) -> list[Path]:
    """The broken files and ``EXPECTED.csv``; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: list[Expected] = []
    paths = []
    for exp, grids in invalid_cases():
        write_xlsx(grids, folder / exp.file)
        expected.append(exp)
        paths.append(folder / exp.file)
    extra = [(Expected("unsupported_format.txt", "unsupported_format", None, None, None, "error"),
              UNSUPPORTED_TEXT.encode("utf-8")),
             (Expected("unreadable_truncated.xlsx", "unreadable", None, None, None, "error"), truncated_xlsx()),
             (Expected("encrypted_like.xlsx", "encrypted", None, None, None, "error"), encrypted_like_xlsx())]
    for exp, data in extra:
        (folder / exp.file).write_bytes(data)
        expected.append(exp)
        paths.append(folder / exp.file)
    paths.append(write_expected(expected, folder / "EXPECTED.csv"))
    return paths


def write_expected(rows: list[Expected], path: Path) -> Path:
    """``EXPECTED.csv``: file, code, sheet, row, column, severity (empty: not pinned)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", "code", "sheet", "row", "column", "severity"])
    for e in sorted(rows, key=lambda e: e.file):
        writer.writerow([e.file, e.code, e.sheet or "", "" if e.row is None else e.row, e.column or "", e.severity or ""])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
