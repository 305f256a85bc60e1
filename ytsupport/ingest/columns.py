"""The sheet kinds and their columns, loaded from ``reference/sheets.yaml`` (one place)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from ..settings import REFERENCE_DIR
from ..text import fold, fold_header
from .records import KINDS, Kind

NUMBERING_HEADERS = frozenset({"stt", "tt", "so tt", "so thu tu", "thu tu", "no"})
GROUP_HEADERS = frozenset({"trong do", "trong so do", "chia ra", "bao gom"})


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    header_vi: str
    header_en: str
    required: bool
    type: str
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.key.replace("_", " "), self.header_vi, self.header_en, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    kind: Kind
    label_vi: str
    label_en: str
    template_sheet: str
    sheet_names: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]

    def column(self, key: str) -> ColumnSpec:
        return next(c for c in self.columns if c.key == key)

    @property
    def required(self) -> tuple[ColumnSpec, ...]:
        return tuple(c for c in self.columns if c.required)


@dataclass(frozen=True)
class InfoSpec:
    sheet_names: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]  # key -> label and aliases


@cache
def sheet_specs() -> dict[Kind, SheetSpec]:
    """The three sheet kinds, validated on load."""
    raw = yaml.safe_load((REFERENCE_DIR / "sheets.yaml").read_text(encoding="utf-8"))
    specs: dict[Kind, SheetSpec] = {}
    for kind in KINDS:
        entry = raw[kind]
        columns = tuple(ColumnSpec(c["key"], c["header_vi"], c["header_en"], bool(c["required"]), c["type"],
                                   tuple(c.get("aliases") or ())) for c in entry["columns"])
        keys = [c.key for c in columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"sheets.yaml: duplicate column key in '{kind}'")
        specs[kind] = SheetSpec(kind, entry["label_vi"], entry["label_en"], entry["template_sheet"],
                                tuple(entry["sheet_names"]), columns)
    return specs


@cache
def info_spec() -> InfoSpec:
    raw = yaml.safe_load((REFERENCE_DIR / "sheets.yaml").read_text(encoding="utf-8"))["info"]
    fields = {f["key"]: (f["label_vi"], f["label_en"], *(f.get("aliases") or ())) for f in raw["fields"]}
    return InfoSpec(tuple(raw["sheet_names"]), fields)


@cache
def header_index() -> dict[str, tuple[tuple[Kind, str], ...]]:
    """Folded header name -> the (kind, key) pairs it may mean."""
    index: dict[str, list[tuple[Kind, str]]] = {}
    for kind, spec in sheet_specs().items():
        for col in spec.columns:
            for name in col.names:
                folded = fold_header(name)
                index.setdefault(folded, [])
                if (kind, col.key) not in index[folded]:
                    index[folded].append((kind, col.key))
                for group in GROUP_HEADERS:  # "Trong đó: Khuyết tật" also matches as "Khuyết tật"
                    if folded.startswith(group + " "):
                        short = folded[len(group) + 1:]
                        index.setdefault(short, [])
                        if (kind, col.key) not in index[short]:
                            index[short].append((kind, col.key))
    return {k: tuple(v) for k, v in index.items()}


@cache
def match_header(label: object) -> tuple[tuple[Kind, str], ...]:
    """The (kind, key) pairs a header cell may mean; () when it names no known column."""
    folded = fold_header(label)
    if not folded:
        return ()
    hits = header_index().get(folded)
    if hits:
        return hits
    for group in GROUP_HEADERS:
        if folded.startswith(group + " "):
            return header_index().get(folded[len(group) + 1:], ())
    return ()


@cache
def sheet_name_index() -> dict[str, str]:
    """Folded sheet name -> kind ("activities", …, or "info")."""
    index = {fold(n): kind for kind, spec in sheet_specs().items() for n in (*spec.sheet_names, spec.template_sheet)}
    index.update({fold(n): "info" for n in info_spec().sheet_names})
    raw = yaml.safe_load((REFERENCE_DIR / "sheets.yaml").read_text(encoding="utf-8"))
    index.update({fold(n): "ignored" for n in raw.get("ignored_sheets", [])})
    return index
