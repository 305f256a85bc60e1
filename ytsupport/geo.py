"""Where the districts are drawn: a schematic tile layout (default, offline) or real boundaries.

The default map is a grid of squares, one per district, laid out roughly like Trà Vinh province
(north-west to south-east between the Cổ Chiên and Hậu rivers). It needs no file and no network.

When ``YTSUPPORT_BOUNDARY_FILE`` names a GeoJSON file of district polygons (for example an
extract of geoBoundaries VNM ADM2, OCHA ROAP / Government of Viet Nam, licensed CC BY 3.0 IGO and
never committed here), the real polygons are drawn instead. Features are matched to districts by GSO code
(property ``code``, or ``codes`` for a feature that covers several districts). The 2021 extract has
one pre-2015 feature for both Duyên Hải units (850 + 851): the map shows their sum there, with a note.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .settings import REFERENCE_DIR, get_settings

BOUNDARY_ENV = "YTSUPPORT_BOUNDARY_FILE"

# (column, row), row 0 at the top. A district not listed here is placed in a row below.
TILE_LAYOUT: dict[str, tuple[int, int]] = {
    "cang_long": (1, 0), "tp_tra_vinh": (2, 0),
    "cau_ke": (0, 1), "tieu_can": (1, 1), "chau_thanh": (2, 1), "cau_ngang": (3, 1),
    "tra_cu": (1, 2), "duyen_hai": (2, 2), "tx_duyen_hai": (3, 2),
}


def tile_positions(codes: Sequence[str], layout: dict[str, tuple[int, int]] | None = None) -> dict[str, tuple[int, int]]:
    """Tile (column, row) of each district: the layout's, else the next free cells of new rows (4 a row)."""
    layout = TILE_LAYOUT if layout is None else layout
    positions = {c: layout[c] for c in codes if c in layout}
    extra = [c for c in codes if c not in layout]
    first_row = max([r for _, r in positions.values()], default=-1) + 1
    for i, code in enumerate(extra):
        positions[code] = (i % 4, first_row + i // 4)
    return positions


@functools.lru_cache(maxsize=4)
def _district_records(path: Path = REFERENCE_DIR / "districts.yaml") -> tuple[dict, ...]:
    with path.open(encoding="utf-8") as handle:
        return tuple(yaml.safe_load(handle).get("districts", []))


def short_labels(lang: str = "vi") -> dict[str, str]:
    """District code -> a short name for maps and charts ("TP Trà Vinh", "H. Duyên Hải")."""
    key = "label_en" if lang == "en" else "short_vi"
    return {r["code"]: r.get(key) or r.get("label_vi") or r["code"] for r in _district_records()}


def gso_codes() -> dict[str, str]:
    """GSO administrative code -> district code (from the reference file)."""
    return {str(r["gso"]): r["code"] for r in _district_records() if r.get("gso")}


@dataclass(frozen=True)
class Area:
    """One polygon feature of a boundary file: the districts it covers, its outer rings (lon, lat)
    and a point for its label."""

    codes: tuple[str, ...]
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    centre: tuple[float, float]


def boundary_file() -> Path | None:
    """The configured boundary file (``YTSUPPORT_BOUNDARY_FILE``), or None when unset or absent."""
    path = get_settings().boundary_file
    return path if path is not None and path.is_file() else None


def _outer_rings(geometry: dict) -> list[list[tuple[float, float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    return [[(float(p[0]), float(p[1])) for p in polygon[0]] for polygon in polygons if polygon]


def _centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid of a closed ring (shoelace); the vertex mean for a degenerate one."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:]):
        cross = x0 * y1 - x1 * y0
        a, cx, cy = a + cross, cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    if abs(a) < 1e-12:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    return (cx / (3 * a), cy / (3 * a))


def _feature_codes(properties: dict, by_gso: dict[str, str]) -> tuple[str, ...]:
    raw = properties.get("codes") or ([properties["code"]] if properties.get("code") else [])
    return tuple(by_gso[str(c)] for c in raw if str(c) in by_gso)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[Area, ...]:
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    by_gso, areas = gso_codes(), []
    for feature in collection.get("features", []):
        properties = feature.get("properties") or {}
        codes = _feature_codes(properties, by_gso)
        rings = _outer_rings(feature.get("geometry") or {})
        if not codes or not rings:
            continue
        largest = max(rings, key=len)
        areas.append(Area(codes=codes, name=str(properties.get("name_short") or properties.get("name") or ""),
                          rings=tuple(tuple(r) for r in rings), centre=_centroid(largest)))
    return tuple(areas)


def load_boundaries(path: Path | None = None) -> tuple[Area, ...]:
    """The district polygons of the boundary file (``path`` or the configured one); () when none.

    A file that cannot be read gives () too: the tile map is then shown.
    """
    path = path or boundary_file()
    if path is None:
        return ()
    try:
        return _load(str(path), path.stat().st_mtime)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return ()
