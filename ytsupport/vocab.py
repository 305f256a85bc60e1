"""Reference data (vocabularies, districts, units, places) loaded once and matched against cells.

docs/data-contract.md §3, "Codes and vocabularies". A cell matches an entry when, as a whole after
:func:`ytsupport.text.fold`, it equals the entry's code, Vietnamese label, English label or an
alias. There is no fuzzy matching; :meth:`Vocabulary.suggest` only proposes a label for the
error message. The YAML files under ``reference/`` are validated on load: a malformed entry, a
duplicate code or two entries sharing a folded alias is a ``ValueError`` naming file and entry.
"""
from __future__ import annotations

import calendar
import dataclasses
import difflib
import functools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import yaml

from .settings import REFERENCE_DIR
from .text import factorize_cells, fold, is_blank


@dataclass(frozen=True)
class Entry:
    """One value of a vocabulary: a stable code, its labels and further ways to write it."""

    code: str
    label_vi: str
    label_en: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    """The result of matching a column: aligned with the column's index.

    ``codes``: the code or None (blank or unknown); ``unknown``: non-blank and not matched;
    ``ambiguous``: matched, but the text could mean another entry too (warning ``ambiguous_code``).
    """

    codes: pd.Series
    unknown: pd.Series
    ambiguous: pd.Series


Lookup = tuple[str | None, bool]  # (code or None, ambiguous)


def cell_text(value: object) -> str:
    """A cell as text for matching: a whole float prints without ``.0`` (``844.0`` -> ``"844"``)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _closest(text: str, keys: Mapping[str, str]) -> str | None:
    """The value of the key closest to ``fold(text)`` (difflib ratio >= 0.6), or None."""
    best = difflib.get_close_matches(fold(text), list(keys), n=1, cutoff=0.6)
    return keys[best[0]] if best else None


class Vocabulary:
    """A closed list of codes (docs/data-contract.md §3) matched by code, label or alias after folding."""

    def __init__(self, name: str, entries: Iterable[Entry], source: str = "<memory>") -> None:
        self.name = name
        self.source = source
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._by_code: dict[str, Entry] = {}
        for entry in self.entries:
            if entry.code in self._by_code:
                raise ValueError(f"{source}: {name}: duplicate code {entry.code!r}")
            self._by_code[entry.code] = entry
        self._keys: dict[str, str] = {}
        for entry in self.entries:
            for text in self._entry_texts(entry):
                self._add_key(entry.code, text)

    def _fail(self, code: str, message: str) -> ValueError:
        return ValueError(f"{self.source}: {self.name}: entry {code!r}: {message}")

    def _entry_texts(self, entry: Entry) -> list[str]:
        """The texts whose fold names ``entry``: code, labels, aliases."""
        return [entry.code, entry.label_vi, entry.label_en, *entry.aliases]

    def _add_key(self, code: str, text: str) -> None:
        key = fold(text)
        if not key:
            raise self._fail(code, f"{text!r} is empty after folding")
        other = self._keys.setdefault(key, code)
        if other != code:
            raise self._fail(code, f"{text!r} folds to {key!r}, which already names {other!r}")

    def lookup(self, value: object) -> Lookup:
        """``(code, ambiguous)`` for one non-blank cell; ``(None, False)`` when nothing matches."""
        text = cell_text(value)
        raw = text.strip().lower()
        if raw in self._by_code:
            return raw, False
        return self._keys.get(fold(text)), False

    def match(self, values: pd.Series) -> Match:
        """Match a whole column (each distinct cell once). Blank cells: None, not unknown."""
        codes, uniques = factorize_cells(values)
        blank = np.array([is_blank(u) for u in uniques] + [True], dtype=bool)
        found = [(None, False) if b else self.lookup(u) for u, b in zip(uniques, blank)]
        matched = np.array([f[0] for f in found] + [None], dtype=object)
        ambiguous = np.array([f[1] for f in found] + [False], dtype=bool)

        def column(data: np.ndarray) -> pd.Series:
            return pd.Series(data[codes], index=values.index, name=values.name)

        return Match(codes=column(matched),
                     unknown=column(~blank & pd.isna(matched).astype(bool)),
                     ambiguous=column(ambiguous))

    def categories(self, values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Match cells that list several values separated by ``;``, a line break or ``+``.

        Not by comma: labels contain commas. Returns ``(codes, unknown, first_unknown)``: a tuple
        of distinct codes per cell (empty for a blank cell), whether some part matched nothing,
        and the first such part as written (None when all matched).
        """
        codes, uniques = factorize_cells(values)
        parsed = [self._split_match(u) for u in uniques] + [((), None)]
        tuples = np.empty(len(parsed), dtype=object)
        tuples[:] = [p[0] for p in parsed]
        first_unknown = np.array([p[1] for p in parsed], dtype=object)

        def column(data: np.ndarray, dtype: Any = object) -> pd.Series:
            return pd.Series(data[codes], index=values.index, name=values.name, dtype=dtype)

        return column(tuples), column(pd.notna(first_unknown).astype(bool), bool), column(first_unknown)

    def _split_match(self, value: object) -> tuple[tuple[str, ...], str | None]:
        if is_blank(value):
            return (), None
        found: list[str] = []
        first_unknown: str | None = None
        for part in re.split(r"[;\r\n+]", cell_text(value)):
            if is_blank(part):
                continue
            code = self.lookup(part.strip())[0]
            if code is None:
                first_unknown = first_unknown or part.strip()
            elif code not in found:
                found.append(code)
        return tuple(found), first_unknown

    def suggest(self, value: object) -> str | None:
        """The Vietnamese label closest to an unknown value (for the error message), or None."""
        code = _closest(cell_text(value), self._keys)
        return self._by_code[code].label_vi if code else None

    def codes(self) -> list[str]:
        """The codes, in file order."""
        return [e.code for e in self.entries]

    def labels(self, lang: str = "vi") -> list[str]:
        """The labels in ``lang`` (``vi`` or ``en``), in file order: the accepted values to list."""
        return [self.label(e.code, lang) for e in self.entries]

    def label(self, code: str, lang: str = "vi") -> str:
        """The label of ``code`` in ``lang``; an unknown code (stored under an older list) as is."""
        entry = self._by_code.get(code)
        if entry is None:
            return code
        return entry.label_en if lang == "en" else entry.label_vi

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        return f"Vocabulary({self.name!r}, {len(self.entries)} entries)"


# --------------------------------------------------------------------------- districts

def _prefix_kind(folded_prefix: str) -> str:
    """The kind an administrative prefix names, as initials: huyện/H -> h, thị xã/TX/T.X. -> tx."""
    words = folded_prefix.split()
    if len(words) > 1:
        return "".join(w[0] for w in words)
    return words[0] if len(words[0]) <= 2 else words[0][0]


class DistrictVocabulary(Vocabulary):
    """Districts (docs/data-contract.md §3, districts): also matched with an administrative prefix
    or by GSO code.

    A prefix is significant when two units share a bare name ("Thị xã Duyên Hải" vs "Huyện
    Duyên Hải"); a bare name listed as ambiguous maps to its configured code, flagged ambiguous.
    """

    def __init__(self, name: str, entries: Iterable[Entry], prefixes: Iterable[str],
                 ambiguous: Mapping[str, str], source: str = "<memory>") -> None:
        self._prefixes = sorted({fold(p) for p in prefixes if fold(p)}, key=len, reverse=True)
        self._ambiguous = {fold(bare): code for bare, code in ambiguous.items()}
        super().__init__(name, entries, source)
        for bare, code in self._ambiguous.items():
            if code not in self._by_code:
                raise ValueError(f"{source}: ambiguous name {bare!r} maps to unknown code {code!r}")
        self._kinded, self._bare = self._prefixed_keys()

    def _entry_texts(self, entry: Entry) -> list[str]:
        # A bare ambiguous name must not match outright through the code ("duyen_hai" ~ "Duyên Hải").
        texts = super()._entry_texts(entry)
        return [t for t in texts if fold(t) not in self._ambiguous]

    def split_prefix(self, folded: str) -> tuple[str | None, str]:
        """``(kind, bare name)`` of a folded district name with a leading or trailing prefix."""
        for prefix in self._prefixes:
            if folded.startswith(prefix + " "):
                return _prefix_kind(prefix), folded[len(prefix) + 1:]
            if folded.endswith(" " + prefix):
                return _prefix_kind(prefix), folded[: -len(prefix) - 1]
        return None, folded

    def _prefixed_keys(self) -> tuple[dict[tuple[str, str], str], dict[str, set[str]]]:
        """(kind, bare) -> code from the names that carry a prefix; bare -> codes from all names."""
        kinded: dict[tuple[str, str], str] = {}
        bare: dict[str, set[str]] = {}
        for entry in self.entries:
            for text in (entry.label_vi, *entry.aliases):
                kind, name = self.split_prefix(fold(text))
                if kind is not None and kinded.setdefault((kind, name), entry.code) != entry.code:
                    raise self._fail(entry.code, f"{text!r} also names {kinded[(kind, name)]!r}")
                if name and not name.isdigit():
                    bare.setdefault(name, set()).add(entry.code)
        for name, codes in bare.items():
            if len(codes) > 1 and name not in self._ambiguous:
                raise ValueError(f"{self.source}: bare name {name!r} names {sorted(codes)}: "
                                 "list it under 'ambiguous'")
        return kinded, bare

    def lookup(self, value: object) -> Lookup:
        """Code first, then whole name, bare ambiguous name, then name with its prefix stripped."""
        code, _ = super().lookup(value)
        if code is not None:
            return code, False
        folded = fold(cell_text(value))
        if folded in self._ambiguous:
            return self._ambiguous[folded], True
        kind, bare = self.split_prefix(folded)
        if kind is None:
            return None, False
        if (kind, bare) in self._kinded:
            return self._kinded[(kind, bare)], False
        if bare in self._ambiguous:
            return self._ambiguous[bare], True
        codes = self._bare.get(bare, set())
        return (next(iter(codes)), False) if len(codes) == 1 else (None, False)

    def examples_for(self, code: str) -> str:
        """For the ``ambiguous_code`` message: the unambiguous names of every district a bare name
        mapped to ``code`` could mean (``"Huyện Duyên Hải; Thị xã Duyên Hải"``)."""
        candidates = {code}
        for bare, chosen in self._ambiguous.items():
            if chosen == code:
                candidates |= self._bare.get(bare, set())
        return "; ".join(e.label_vi for e in self.entries if e.code in candidates)


# --------------------------------------------------------------------------- units

UNIT_PREFIXES: tuple[str, ...] = (
    "Ban Chấp hành", "BCH", "Đoàn TNCS Hồ Chí Minh", "Đoàn Thanh niên", "Đoàn TN",
    "Đoàn cơ sở", "ĐCS", "Chi đoàn cơ sở", "Chi đoàn",
)
_FOLDED_UNIT_PREFIXES = sorted({fold(p) for p in UNIT_PREFIXES}, key=len, reverse=True)


def strip_unit_prefixes(folded: str) -> str:
    """Drop leading organisational words (``BCH``, ``Chi đoàn``, ``Đoàn cơ sở``, ...) from a folded name."""
    changed = True
    while changed:
        changed = False
        for prefix in _FOLDED_UNIT_PREFIXES:
            if folded.startswith(prefix + " "):
                folded, changed = folded[len(prefix) + 1:], True
    return folded


def month_bounds(period: str) -> tuple[date, date]:
    """The first and last day of the month "YYYY-MM"."""
    year, month = (int(p) for p in period.split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def exists_in(valid_from: date | None, valid_to: date | None, period: str) -> bool:
    """Whether a unit valid from ``valid_from`` through ``valid_to`` (None: open) exists on some
    day of the month "YYYY-MM"."""
    first, last = month_bounds(period)
    return (valid_from is None or valid_from <= last) and (valid_to is None or valid_to >= first)


@dataclass(frozen=True)
class Unit:
    """A reporting unit (docs/data-contract.md §3, reporting units; docs/plan-file.md, units that
    change between years): its names, and when it exists (None: open)."""

    code: str
    name_vi: str
    aliases: tuple[str, ...] = ()
    kind: str = ""
    pilot: bool = False
    counts_for_reporting: bool = True
    note: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    merged_into: str | None = None

    def exists_in(self, period: str) -> bool:
        return exists_in(self.valid_from, self.valid_to, period)

    def overlaps(self, other: Unit) -> bool:
        """Whether the two units' validity periods share a day."""
        return ((self.valid_from is None or other.valid_to is None or self.valid_from <= other.valid_to)
                and (other.valid_from is None or self.valid_to is None or other.valid_from <= self.valid_to))


class UnitRegistry:
    """Reporting units, matched by code, name or alias (organisational prefixes ignored).

    A name may be reused by units that never exist at the same time: the month of the report
    (``period``) picks the one that exists then. A unit merged into another, named in a report of a
    month after it ended, is read as the unit it merged into. Without a month, the unit listed last.
    ``strict``: two units sharing a name in overlapping periods are an error (a units file);
    otherwise the unit listed first keeps the name (units gathered from several plans).

    A unit of kind ``khoi`` (the Bloc) is named in most title blocks above the actual unit, so
    :meth:`find_in_text` returns it only when no other unit is named.
    """

    def __init__(self, units: Iterable[Unit], source: str = "<memory>", strict: bool = True) -> None:
        self.source = source
        self.strict = strict
        self._units: tuple[Unit, ...] = tuple(units)
        self._by_code: dict[str, Unit] = {}
        self._keys: dict[str, list[str]] = {}
        for unit in self._units:
            if unit.code in self._by_code:
                raise ValueError(f"{source}: duplicate unit code {unit.code!r}")
            self._by_code[unit.code] = unit
        for unit in self._units:
            for text in (unit.code, unit.name_vi, *unit.aliases):
                self._add_key(unit.code, text)

    def _add_key(self, code: str, text: str) -> None:
        folded = fold(text)
        unit = self._by_code[code]
        for key in {folded, strip_unit_prefixes(folded)}:
            if not key:
                raise ValueError(f"{self.source}: unit {code!r}: {text!r} is empty after folding")
            codes = self._keys.setdefault(key, [])
            if code in codes:
                continue
            other = next((c for c in codes if self._by_code[c].overlaps(unit)), None)
            if other is None:
                codes.append(code)
            elif self.strict:
                raise ValueError(f"{self.source}: unit {code!r}: {text!r} folds to {key!r}, "
                                 f"which already names unit {other!r}")

    def _pick(self, codes: list[str], period: str | None, follow: bool) -> str:
        """Of the units sharing a name, the one that exists in ``period`` (else the last listed),
        followed (``follow``) into the unit it merged into when it had ended by then."""
        if period is None:
            return codes[-1]
        code = next((c for c in codes if self._by_code[c].exists_in(period)), codes[-1])
        return self.successor(code, period) if follow else code

    def successor(self, code: str, period: str | None) -> str:
        """``code``, or the unit it was merged into (through every later merge) when it had
        ended before the month ``period``."""
        seen = {code}
        unit = self._by_code.get(code)
        while (period is not None and unit is not None and unit.merged_into and unit.valid_to is not None
               and unit.valid_to < month_bounds(period)[0] and unit.merged_into not in seen):
            seen.add(unit.merged_into)
            code, unit = unit.merged_into, self._by_code.get(unit.merged_into)
        return code

    def units(self) -> list[Unit]:
        """All units, in file order."""
        return list(self._units)

    def get(self, code: str) -> Unit | None:
        """The unit with this code, or None."""
        return self._by_code.get(code)

    def codes(self) -> list[str]:
        return [u.code for u in self._units]

    def labels(self) -> list[str]:
        """The units' Vietnamese names, in file order: the accepted values to list."""
        return [u.name_vi for u in self._units]

    def name(self, code: str) -> str:
        """The Vietnamese name of the unit ``code``; an unknown code as is."""
        unit = self._by_code.get(code)
        return unit.name_vi if unit else code

    def match_name(self, text: object, period: str | None = None, follow: bool = True) -> str | None:
        """The code of the unit a cell names as a whole (code, name or alias, prefixes ignored),
        the one existing in the report month ``period`` when the name was reused; with ``follow``,
        a unit merged before that month gives the unit it merged into."""
        if is_blank(text):
            return None
        raw = cell_text(text).strip().lower()
        if raw in self._by_code:
            return self.successor(raw, period) if follow else raw
        folded = fold(cell_text(text))
        codes = self._keys.get(folded) or self._keys.get(strip_unit_prefixes(folded))
        return self._pick(codes, period, follow) if codes else None

    def find_in_text(self, text: object, period: str | None = None, follow: bool = True) -> str | None:
        """The unit named inside a longer line (a title such as ``ĐOÀN CƠ SỞ BỆNH VIỆN ĐA KHOA TỈNH``).

        Names are matched as whole phrases of the folded line; the longest wins. The Bloc is
        returned only when no other unit is named. ``period`` and ``follow`` as in :meth:`match_name`.
        """
        if is_blank(text):
            return None
        padded = f" {fold(cell_text(text))} "
        found = [(len(key), self._pick(codes, period, follow)) for key, codes in self._keys.items() if f" {key} " in padded]
        units = [f for f in found if self._by_code[f[1]].kind != "khoi"] or found
        return max(units)[1] if units else None

    def suggest(self, text: object) -> str | None:
        """The name of the unit closest to an unknown name (for the error message), or None."""
        code = _closest(strip_unit_prefixes(fold(cell_text(text))), {k: c[-1] for k, c in self._keys.items()})
        return self._by_code[code].name_vi if code else None


# --------------------------------------------------------------------------- places

@dataclass(frozen=True)
class Place:
    """A configured place (docs/data-contract.md §3, the Centre), named in a location cell by one
    of its aliases."""

    code: str
    label_vi: str
    label_en: str
    aliases: tuple[str, ...] = ()
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        phrases = sorted({fold(t) for t in (self.label_vi, *self.aliases) if fold(t)}, key=len, reverse=True)
        pattern = re.compile(r"(?:^| )(?:" + "|".join(map(re.escape, phrases)) + r")(?: |$)")
        object.__setattr__(self, "_pattern", pattern)

    def mask(self, values: pd.Series) -> pd.Series:
        """True where the folded cell contains one of the aliases as a whole phrase."""
        codes, uniques = factorize_cells(values)
        hits = np.array([not is_blank(u) and bool(self._pattern.search(fold(cell_text(u))))
                         for u in uniques] + [False], dtype=bool)
        return pd.Series(hits[codes], index=values.index, name=values.name)


# --------------------------------------------------------------------------- loading

VOCABULARY_NAMES: tuple[str, ...] = ("activity_types", "beneficiary_categories", "resource_items",
                                     "donor_types", "sex")


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: not valid YAML: {exc}") from exc


def _text_field(record: Any, key: str, where: str, required: bool = True) -> str:
    value = record.get(key) if isinstance(record, dict) else None
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key!r} must be a non-empty text, got {value!r}")
    return value


def _aliases(record: dict[str, Any], where: str) -> tuple[str, ...]:
    aliases = record.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise ValueError(f"{where}: 'aliases' must be a list of texts, got {aliases!r}")
    return tuple(aliases)


def _entry(record: Any, where: str) -> Entry:
    if not isinstance(record, dict):
        raise ValueError(f"{where}: an entry must be a mapping, got {record!r}")
    where = f"{where} {record.get('code')!r}"
    return Entry(code=_text_field(record, "code", where), label_vi=_text_field(record, "label_vi", where),
                 label_en=_text_field(record, "label_en", where), aliases=_aliases(record, where))


def _records(data: Any, key: str, where: str) -> list[Any]:
    records = data.get(key) if isinstance(data, dict) else None
    if not isinstance(records, list) or not records:
        raise ValueError(f"{where}: {key!r} must be a non-empty list")
    return records


def load_vocabularies(path: Path) -> dict[str, Vocabulary]:
    """The vocabularies of ``vocabularies.yaml``, validated; each of VOCABULARY_NAMES must be there."""
    data = _read_yaml(path)
    vocabularies: dict[str, Vocabulary] = {}
    for name in VOCABULARY_NAMES:
        where = f"{path.name}: {name}"
        entries = [_entry(r, f"{where}: entry") for r in _records(data, name, path.name)]
        vocabularies[name] = Vocabulary(name, entries, source=path.name)
    return vocabularies


def load_districts(path: Path) -> DistrictVocabulary:
    """The districts of ``districts.yaml``: labels, short names and GSO codes as aliases, prefixes, ambiguous names."""
    data = _read_yaml(path)
    entries = []
    for record in _records(data, "districts", path.name):
        entry = _entry(record, f"{path.name}: district")
        where = f"{path.name}: district {entry.code!r}"
        extra = [_text_field(record, k, where, required=False) for k in ("short_vi", "gso")]
        entries.append(Entry(entry.code, entry.label_vi, entry.label_en,
                             (*entry.aliases, *[e for e in extra if e])))
    prefixes = data.get("prefixes") or []
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        raise ValueError(f"{path.name}: 'prefixes' must be a list of texts")
    ambiguous = {_text_field(r, "name", f"{path.name}: ambiguous"): _text_field(r, "code", f"{path.name}: ambiguous")
                 for r in data.get("ambiguous") or []}
    return DistrictVocabulary("districts", entries, prefixes, ambiguous, source=path.name)


def _flag(record: dict[str, Any], key: str, where: str, default: bool) -> bool:
    value = record.get(key, default)
    if not isinstance(value, bool):
        raise ValueError(f"{where}: {key!r} must be true or false, got {value!r}")
    return value


def _date_field(record: dict[str, Any], key: str, where: str) -> date | None:
    value = record.get(key)
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: {key!r} must be a date (YYYY-MM-DD), got {value!r}") from None


def load_units(path: Path) -> UnitRegistry:
    """The reporting units of a units file (``units_2021.yaml``), validated."""
    units = []
    for record in _records(_read_yaml(path), "units", path.name):
        where = f"{path.name}: unit {record.get('code') if isinstance(record, dict) else record!r}"
        if not isinstance(record, dict):
            raise ValueError(f"{where}: a unit must be a mapping")
        units.append(Unit(code=_text_field(record, "code", where), name_vi=_text_field(record, "name_vi", where),
                          aliases=_aliases(record, where), kind=_text_field(record, "kind", where, False),
                          pilot=_flag(record, "pilot", where, False),
                          counts_for_reporting=_flag(record, "counts_for_reporting", where, True),
                          note=_text_field(record, "note", where, False),
                          valid_from=_date_field(record, "valid_from", where),
                          valid_to=_date_field(record, "valid_to", where),
                          merged_into=_text_field(record, "merged_into", where, False) or None))
    return UnitRegistry(units, source=path.name)


def merge_unit_lists(lists: Iterable[Iterable[Unit]]) -> list[Unit]:
    """Unit lists, oldest first, as one list: a unit listed again takes the later list's name,
    kind and validity, and keeps every older name as an alias (so old reports of a renamed unit
    still match)."""
    merged: dict[str, Unit] = {}
    for units in lists:
        for unit in units:
            old = merged.get(unit.code)
            if old is not None:
                older = [old.name_vi] if fold(old.name_vi) != fold(unit.name_vi) else []
                unit = dataclasses.replace(unit, aliases=tuple(dict.fromkeys([*unit.aliases, *old.aliases, *older])))
            merged[unit.code] = unit
    return list(merged.values())


def load_all_units(directory: Path) -> UnitRegistry:
    """The units of every units file of ``directory`` (``units_*.yaml``, one per plan year), so a
    report of any year names a known unit; the last file by name (the newest year) gives a unit's
    current name (``merge_unit_lists``)."""
    files = sorted(directory.glob("units_*.yaml"))
    merged = merge_unit_lists(load_units(path).units() for path in files)
    return UnitRegistry(merged, source=", ".join(p.name for p in files))


def load_places(path: Path) -> dict[str, Place]:
    """The configured places of ``places.yaml`` by code."""
    places: dict[str, Place] = {}
    for record in _records(_read_yaml(path), "places", path.name):
        entry = _entry(record, f"{path.name}: place")
        if entry.code in places:
            raise ValueError(f"{path.name}: duplicate place code {entry.code!r}")
        places[entry.code] = Place(entry.code, entry.label_vi, entry.label_en, entry.aliases)
    return places


@dataclass(frozen=True)
class Reference:
    """All reference data the loaders match cells against."""

    activity_types: Vocabulary
    beneficiary_categories: Vocabulary
    resource_items: Vocabulary
    donor_types: Vocabulary
    sex: Vocabulary
    districts: DistrictVocabulary
    units: UnitRegistry
    places: Mapping[str, Place]

    def vocabulary(self, name: str) -> Vocabulary:
        """The vocabulary a ``sheets.yaml`` type names: ``code:activity_types``, ``district``, ``categories``."""
        key = name.removeprefix("code:")
        aliases = {"district": "districts", "categories": "beneficiary_categories"}
        key = aliases.get(key, key)
        if key not in (*VOCABULARY_NAMES, "districts"):
            raise KeyError(f"no vocabulary {name!r}; known: {', '.join((*VOCABULARY_NAMES, 'districts'))}")
        return getattr(self, key)

    def centre_mask(self, values: pd.Series) -> pd.Series:
        """True where a location cell names the Centre: see :func:`centre_mask`."""
        return self.places["centre"].mask(values)

    def categories(self, values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
        """Beneficiary categories, several per cell: see :meth:`Vocabulary.categories`."""
        return self.beneficiary_categories.categories(values)


def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    """Load and validate every reference file in ``directory`` (no caching; see :func:`reference`)."""
    vocabularies = load_vocabularies(directory / "vocabularies.yaml")
    return Reference(**vocabularies, districts=load_districts(directory / "districts.yaml"),
                     units=load_all_units(directory),
                     places=load_places(directory / "places.yaml"))


@functools.cache
def reference() -> Reference:
    """The project's reference data, loaded and validated once per process."""
    return load_reference()


def centre_mask(values: pd.Series) -> pd.Series:
    """True where a location cell names the Centre (Trung tâm Bảo trợ xã hội tỉnh) by one of its aliases."""
    return reference().centre_mask(values)


def categories(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Beneficiary categories, several per cell: see :meth:`Vocabulary.categories`."""
    return reference().categories(values)
