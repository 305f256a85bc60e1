"""Legacy Vietnamese encodings (TCVN3, VNI-Windows): per-cell detection and conversion to Unicode."""
from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.legacy_text import TCVN3 as TCVN3_PUBLISHED
from tests.legacy_text import VNI as VNI_PUBLISHED
from tests.legacy_text import to_tcvn3, to_vni
from ytsupport import sample
from ytsupport.legacy import TCVN3, VNI, SheetConverter, classify, decode, is_syllable
from ytsupport.vocab import reference

# What offices type: vocabulary labels and aliases, names, places, notes.
PHRASES = [
    "Báo cáo kết quả hoạt động tháng 3/2021", "Thăm, tặng quà", "Khám bệnh, phát thuốc", "Số người được hỗ trợ",
    "Trung tâm Bảo trợ xã hội tỉnh", "Huyện Càng Long", "Xã Phước Hưng", "Người già neo đơn", "Trẻ em mồ côi",
    "Nguyễn Văn An", "Thạch Thị Sa Rết", "Kinh phí (đồng)", "Ghi chú", "Đoàn cơ sở Bệnh viện Đa khoa tỉnh",
    "Hỗ trợ thẻ BHYT", "Ngày thực hiện", "Giá trị quy đổi (đồng)", "Nhà tài trợ", "Cá nhân, mạnh thường quân",
]


def _vocabulary_words() -> list[str]:
    ref = reference()
    words = {w for phrase in PHRASES for w in phrase.split()}
    for name in ("activity_types", "beneficiary_categories", "resource_items", "donor_types", "districts"):
        for entry in ref.vocabulary(name).entries:
            words.update(" ".join([entry.label_vi, *entry.aliases]).replace(",", " ").split())
    for names in (sample.KINH_FAMILY, sample.MALE_MIDDLE, sample.FEMALE_MIDDLE, sample.MALE_GIVEN,
                  sample.FEMALE_GIVEN, sample.KHMER_FEMALE_GIVEN, sample.CENTRE, sample.ENTERPRISES):
        words.update(w for n in names for w in n.split())
    return sorted(w.strip("(),.;") for w in words if w.strip("(),.;"))


WORDS = _vocabulary_words()


def test_tcvn3_table_matches_the_published_table_and_the_c_library() -> None:
    for letter, stored in TCVN3_PUBLISHED.items():
        assert TCVN3[stored] == letter
    if shutil.which("iconv") is None:
        return  # the transcribed table above still checks every letter
    for stored, letter in TCVN3.items():
        done = subprocess.run(["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=stored.encode("latin-1"),
                              capture_output=True, check=True)
        assert unicodedata.normalize("NFC", done.stdout.decode()) == letter


def test_vni_table_matches_the_published_table() -> None:
    assert {seq: letter for letter, seq in VNI_PUBLISHED.items()} == VNI


@pytest.mark.parametrize("text", PHRASES)
@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_typical_cells_are_detected_and_converted(text: str, encoding: str) -> None:
    stored = (to_tcvn3 if encoding == "tcvn3" else to_vni)(text)
    converter = SheetConverter()  # among a sheet's other cells, as in a real file
    others = [(to_tcvn3 if encoding == "tcvn3" else to_vni)(p) for p in PHRASES]
    out = converter.convert([*others, stored], [(i + 1, 1) for i in range(len(others) + 1)])
    got = out[-1] if out[-1] is not None else stored
    assert (got.lower() if encoding == "tcvn3" else got) == (text.lower() if encoding == "tcvn3" else text)


def test_tcvn3_u_with_horn_is_the_soft_hyphen() -> None:
    assert to_tcvn3("người") == "ng\u00adêi"
    assert classify("ng\u00adêi").encoding == "tcvn3" and decode("ng\u00adêi", "tcvn3") == "người"


def test_dong_sign_in_money_text() -> None:
    assert decode("1.500.000 ®", "tcvn3") == "1.500.000 đ" and classify("1.500.000 ®").encoding == "tcvn3"
    assert decode("1.500.000 ñ", "vni") == "1.500.000 đ" and classify("1.500.000 ñ").encoding == "vni"


def test_a_cell_mixing_unicode_and_tcvn3_keeps_its_unicode_words() -> None:
    cell = "Nguyễn " + to_tcvn3("Văn An")
    assert classify(cell).encoding == "tcvn3" and decode(cell, "tcvn3") == "Nguyễn Văn An"


def test_vni_letters_that_look_like_latin1_are_read_in_context() -> None:
    # "Coâng" is not Vietnamese as stored; "ô" alone is VNI's "ơ": "Côn" stays Unicode
    assert classify("Coâng taùc").encoding == "vni" and decode("Coâng taùc", "vni") == "Công tác"
    assert classify("Công tác").encoding is None


def test_vntimeh_headings_come_back_in_capitals_only_where_the_font_says_so() -> None:
    heading = to_tcvn3("BÁO CÁO HOẠT ĐỘNG")  # "B¸O C¸O HO¹T §éNG": capitals only for the ASCII letters
    converter = SheetConverter()
    plain, capitals = converter.convert([to_tcvn3("báo cáo"), to_tcvn3("báo cáo")], [(1, 1), (2, 1)],
                                        [".VnTime", ".VnTimeH"])
    assert plain == "báo cáo" and capitals == "BÁO CÁO"
    assert decode(heading, "tcvn3") == "BÁO CÁO HOẠT ĐỘNG"


def test_a_tie_follows_the_sheet_not_the_font_alone() -> None:
    # "Cã" is TCVN3 "Có", but also reads as Unicode: it follows a sheet of TCVN3 cells ...
    converter = SheetConverter()
    out = converter.convert([to_tcvn3("Khám bệnh"), to_tcvn3("Thăm, tặng quà"), "Cã"], [(1, 1), (2, 1), (3, 1)])
    assert out[2] == "Có"
    # ... unless its font says it is Unicode ...
    fonts = [".VnTime", ".VnTime", "Times New Roman"]
    assert SheetConverter().convert([to_tcvn3("Khám bệnh"), to_tcvn3("Thăm, tặng quà"), "Cã"],
                                    [(1, 1), (2, 1), (3, 1)], fonts)[2] is None
    # ... and never a font name on its own
    alone = SheetConverter()
    assert alone.convert(["Cã", "Tôi có"], [(1, 1), (2, 1)], [".VnTime", ".VnTime"]) == [None, None]


def test_latin1_text_of_other_languages_stays() -> None:
    for text in ("RECURSOS TRIBUTARIOS AÑO 2016", "Müller GmbH, Köln", "Café crème", "São Paulo", "25°C, m², ½"):
        assert classify(text).encoding is None, text


def test_syllable_shape() -> None:
    for word in ("người", "khuya", "quyết", "giờ", "thuở", "hoà", "hòa", "Nguyễn", "đ"[:0] + "được"):
        assert is_syllable(word), word
    for word in ("ngêi", "Cơng", "tèt", "aõ", "B¸o", "ẵ"):
        assert not is_syllable(word), word


_unicode_cells = st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join) | \
    st.tuples(st.sampled_from(sample.KINH_FAMILY), st.sampled_from(sample.FEMALE_MIDDLE),
              st.sampled_from(sample.FEMALE_GIVEN)).map(" ".join) | \
    st.tuples(st.sampled_from(["Ấp", "Khóm", "Xã", "Phường"]), st.sampled_from(WORDS), st.integers(1, 12),
              st.sampled_from(sample.COMMUNES["tra_cu"])).map(lambda t: f"{t[0]} {t[1]} {t[2]}, {t[3]}")


@settings(max_examples=300, deadline=None)
@given(st.lists(_unicode_cells, min_size=1, max_size=30), st.sampled_from([None, ".VnTime", ".VnTimeH", "VNI-Times"]))
def test_unicode_text_is_never_changed(cells: list[str], font: str | None) -> None:
    converter = SheetConverter()
    fonts = None if font is None else [font] * len(cells)
    assert converter.convert(cells, [(i + 1, 1) for i in range(len(cells))], fonts) == [None] * len(cells)
    assert converter.tally.converted == 0
