"""Figure builders, number formats and the offline district maps, asserted on figure data."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ytsupport import geo, states
from ytsupport.dashboard import charts

SHARED_BOUNDARIES = Path(__file__).resolve().parents[2] / "shared" / "domain" / "tra_vinh_districts_2021.geojson"
DISTRICTS = ["tp_tra_vinh", "cang_long", "cau_ke", "tieu_can", "chau_thanh", "cau_ngang", "tra_cu", "duyen_hai",
             "tx_duyen_hai"]
GEO_TRACES = {"scattergeo", "choropleth", "choroplethmapbox", "scattermapbox", "choroplethmap", "scattermap",
              "densitymapbox", "densitymap"}


def by_district(values: list[int]) -> pd.DataFrame:
    labels = geo.short_labels("vi")
    return pd.DataFrame({"district": DISTRICTS, "label": [labels[c] for c in DISTRICTS], "surveyed": values})


def test_theme_sets_the_separators_of_the_language() -> None:
    frame = pd.DataFrame({"label": ["a"], "value": [1]})
    assert charts.hbar(frame, "label", "value", "vi").layout.separators == ",."
    assert charts.hbar(frame, "label", "value", "en").layout.separators == ".,"
    assert charts.hbar(frame, "label", "value").layout.colorway[0] == charts.OKABE_ITO["blue"]


def test_every_state_has_an_icon_and_a_colour_blind_safe_colour() -> None:
    safe = set(charts.OKABE_ITO.values()) | {charts.GREY, charts.LIGHT_GREY}
    for styles in (states.STATUS_STYLE, states.STATE_STYLE, states.MONTH_STYLE):
        icons = [icon for icon, _ in styles.values()]
        assert len(set(icons)) == len(icons) and all(icons)
        assert {colour for _, colour in styles.values()} <= safe


# ---------------------------------------------------------------------------------------------
# Figures


def test_checkups_by_month_marks_met_missed_and_excused_months_and_the_line() -> None:
    monthly = pd.DataFrame({"month": ["2021-01", "2021-02", "2021-03", "2021-04"], "people_served": [120, 80, 0, 40]})
    fig = charts.checkups_by_month(monthly, 100, excused=["2021-03"], elapsed=["2021-01", "2021-02", "2021-03"],
                                   names={"met": "Đạt", "missed": "Không đạt", "excused": "Được miễn",
                                          "pending": "Chưa hết tháng", "line": "Chỉ tiêu"})
    traces = {tr.name: tr for tr in fig.data}
    assert list(traces["✔ Đạt"].x) == ["T1"] and list(traces["✔ Đạt"].y) == [120]
    assert list(traces["✖ Không đạt"].x) == ["T2"]
    assert list(traces["⊘ Được miễn"].x) == ["T3"]
    assert list(traces["· Chưa hết tháng"].x) == ["T4"]
    assert traces["✖ Không đạt"].text == ("80 ✖",)
    assert fig.layout.shapes[0].y0 == fig.layout.shapes[0].y1 == 100
    assert "Chỉ tiêu" in fig.layout.annotations[0].text


def test_hbar_sorts_largest_on_top_and_labels_money_in_short_form() -> None:
    frame = pd.DataFrame({"label": ["Thuốc", "Xe đạp", "Quà"], "value": [49_500_000, 32_800_000, 68_000_000]})
    bar = charts.hbar(frame, "label", "value", money=True).data[0]
    assert list(bar.y) == ["Xe đạp", "Thuốc", "Quà"]  # plotly draws the last row on top
    assert list(bar.text) == ["32,8 triệu", "49,5 triệu", "68 triệu"]
    assert list(bar.customdata) == ["32.800.000 đồng", "49.500.000 đồng", "68.000.000 đồng"]
    ordered = charts.hbar(frame, "label", "value", sort=False).data[0]
    assert list(ordered.y) == ["Quà", "Xe đạp", "Thuốc"]


def test_grouped_bars_put_the_first_series_on_top_of_each_group() -> None:
    frame = pd.DataFrame({"label": ["Càng Long", "Trà Cú"], "surveyed": [10, 17], "supported": [4, 4]})
    fig = charts.grouped_hbar(frame, "label", [("surveyed", "Đã khảo sát"), ("supported", "Đã được hỗ trợ")])
    assert [tr.name for tr in fig.data] == ["Đã được hỗ trợ", "Đã khảo sát"]
    assert list(fig.data[1].y) == ["Trà Cú", "Càng Long"] and list(fig.data[1].x) == [17, 10]
    assert fig.layout.legend.traceorder == "reversed"


def test_steps_show_people_and_share() -> None:
    frame = pd.DataFrame({"label": ["Khảo sát", "Hỗ trợ"], "people": [60, 21], "share": [None, 0.35]})
    assert list(charts.steps(frame).data[0].text) == ["21 (35,0%)", "60"]


def test_month_strip_has_one_square_per_month_with_icon_and_month() -> None:
    months = pd.DataFrame({"month": [f"2021-{m:02d}" for m in range(1, 13)],
                           "state": ["met"] * 7 + ["missed", "excused"] + ["pending"] * 3})
    fig = charts.month_strip(months)
    assert len(fig.layout.shapes) == 12
    assert fig.data[0].text[7] == "✖<br>T8" and fig.data[0].text[8] == "⊘<br>T9"
    assert fig.layout.shapes[0].fillcolor == states.MONTH_STYLE["met"][1]


def test_activity_heatmap_shows_counts_and_leaves_zero_cells_blank() -> None:
    matrix = pd.DataFrame([[1, 0], [6, 2]], index=["Khám bệnh", "Thăm hỏi"], columns=["2021-01", "2021-02"])
    heat = charts.activity_heatmap(matrix).data[0]
    assert [list(r) for r in heat.z] == [[1, 0], [6, 2]]
    assert list(heat.text[0]) == ["1", ""] and list(heat.x) == ["T1", "T2"]


def test_cumulative_by_month_is_plotted_in_millions_with_exact_hover() -> None:
    frame = pd.DataFrame({"month": ["2021-01", "2021-02"], "value_vnd": [40e6, 5e6], "cumulative_value_vnd": [40e6, 45e6]})
    bars, line = charts.cumulative_by_month(frame).data
    assert list(bars.y) == [40, 5] and list(line.y) == [40, 45]
    assert line.customdata[-1] == "45.000.000 đồng" and line.text[-1] == "45 triệu"


# ---------------------------------------------------------------------------------------------
# Maps


def test_tile_map_draws_every_district_offline_with_name_and_count() -> None:
    fig = charts.district_map(by_district([4, 10, 8, 3, 2, 12, 17, 4, 0]), "surveyed")
    assert not {tr.type for tr in fig.data} & GEO_TRACES
    assert len(fig.layout.shapes) == 9
    text = list(fig.data[0].text)
    assert "Trà Cú<br><b>17</b>" in text and "TX Duyên Hải<br><b>0</b>" in text
    colours = {c: s.fillcolor for c, s in zip(DISTRICTS, fig.layout.shapes)}
    assert colours["tra_cu"] != colours["tieu_can"]  # the largest count is darker than a small one
    assert json.dumps(fig.to_plotly_json(), default=str).count("http") == 0  # nothing to fetch


def test_tile_map_without_data_is_grey_and_unknown_districts_get_a_new_row() -> None:
    fig = charts.district_map(by_district([0] * 9), "surveyed")
    assert {s.fillcolor for s in fig.layout.shapes} == {charts.LIGHT_GREY}
    positions = geo.tile_positions(["cang_long", "new_ward_a", "new_ward_b"])
    assert positions["new_ward_a"] == (0, 1) and positions["new_ward_b"] == (1, 1)


def _boundary_file(path: Path) -> Path:
    square = [[106.0, 9.9], [106.1, 9.9], [106.1, 10.0], [106.0, 10.0], [106.0, 9.9]]
    shifted = [[x + 0.3, y - 0.3] for x, y in square]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Càng Long", "code": "844"},
         "geometry": {"type": "Polygon", "coordinates": [square]}},
        {"type": "Feature", "properties": {"name_short": "Duyên Hải", "code": None, "codes": ["850", "851"]},
         "geometry": {"type": "MultiPolygon", "coordinates": [[shifted]]}},
        {"type": "Feature", "properties": {"name": "Elsewhere", "code": "999"},
         "geometry": {"type": "Polygon", "coordinates": [square]}}]}), encoding="utf-8")
    return path


def test_boundary_file_draws_polygons_and_sums_the_two_duyen_hai_units(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(geo.BOUNDARY_ENV, str(_boundary_file(tmp_path / "b.geojson")))
    areas = geo.load_boundaries()
    assert [a.codes for a in areas] == [("cang_long",), ("duyen_hai", "tx_duyen_hai")]
    assert areas[0].centre == pytest.approx((106.05, 9.95))
    fig = charts.district_map(by_district([4, 10, 8, 3, 2, 12, 17, 4, 3]), "surveyed", areas=areas,
                              sum_note="một vùng gồm hai đơn vị")
    assert not {tr.type for tr in fig.data} & GEO_TRACES
    filled = [tr for tr in fig.data if tr.fill == "toself"]
    assert len(filled) == 2
    labels = list(fig.data[-1].text)
    assert labels == ["Càng Long<br><b>10</b>", "Duyên Hải*<br><b>7</b>"]
    assert fig.layout.annotations[0].text == "* một vùng gồm hai đơn vị"


def test_missing_or_broken_boundary_file_falls_back_to_tiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(geo.BOUNDARY_ENV, str(tmp_path / "absent.geojson"))
    assert geo.load_boundaries() == ()
    (tmp_path / "broken.geojson").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv(geo.BOUNDARY_ENV, str(tmp_path / "broken.geojson"))
    assert geo.load_boundaries() == ()


@pytest.mark.skipif(not SHARED_BOUNDARIES.exists(), reason="../shared is not beside the checkout")
def test_the_2021_boundary_extract_covers_all_nine_districts() -> None:
    areas = geo.load_boundaries(SHARED_BOUNDARIES)
    covered = sorted(c for a in areas for c in a.codes)
    assert covered == sorted(DISTRICTS)
    assert [a.codes for a in areas if len(a.codes) > 1] == [("duyen_hai", "tx_duyen_hai")]
