"""Text typed in the pre-Unicode Vietnamese encodings TCVN3 (ABC) and VNI-Windows, found and converted.

Workbooks typed before Unicode keep their text as the bytes of a legacy font, which Excel stores
as the Windows-1252 characters of those bytes: TCVN3 "Th¨m" (shown in `.VnTime` as "Thăm"),
VNI-Windows "Thaêm" (shown in `VNI-Times`). This module decides, per text cell, whether the
characters are Unicode, TCVN3 or VNI-Windows, and converts legacy text to Unicode NFC.

The decision reads the characters themselves: each word that a decoding would change is checked
against the shape of a Vietnamese syllable (onset, rhyme, at most one tone, and a stop ending
only with the sắc or nặng tone). A cell is converted when the decoding makes more of its words
Vietnamese than the text as stored (Unicode "Công tác" stays: it already reads as Vietnamese).
A cell that reads equally well both ways ("cã": TCVN3 "có", or Unicode "cã") is converted only
when the rest of its sheet is clearly in that encoding and its font, when known, does not say
otherwise; a font name alone never converts anything (schools' files declare `.VnTime` in their
styles while their text is Unicode).

Mapping tables (facts, not code, taken from published tables):

* TCVN3 (ABC): the 8-bit table of TCVN 5712:1993 (VN3 subset, bytes 0xA1-0xFF), as published
  in the GNU C Library's ``TCVN5712-1`` charmap and in the MIT-licensed ``vietnamese-conversion``
  project (github.com/duydev/vietnamese-conversion, ``src/charsets.ts``). Its combining tone
  bytes 0xB0-0xB4 are left out: ABC keyboards never type them, and they are the degree, plus-minus,
  superscript and acute signs of ordinary text. ABC fonts have no capital toned letters: a
  heading in an "H" font (`.VnTimeH`) is stored in lower case and drawn in capitals.
* VNI-Windows: a base letter followed by a mark byte ("a" + "ù" = "á"), and a few single bytes
  ("ñ" = "đ", "ô" = "ơ", "ö" = "ư"), from the same project's VNI table (MIT licence) and the
  VNI table of xvnkb (Dao Hai Lam, 2002).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal, Sequence

Encoding = Literal["tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("tcvn3", "vni")
LABELS = {"tcvn3": "TCVN3 (ABC, .VnTime)", "vni": "VNI-Windows (VNI-Times)"}
UNICODE_FONT = "Times New Roman"  # what converted cells are shown in (every office PC has it)

# --------------------------------------------------------------------------- the tables

# TCVN3: byte (as the Windows-1252 / Latin-1 character Excel stores) -> Unicode letter.
_TCVN3_LETTERS = (
    "\u00a1Ă \u00a2Â \u00a3Ê \u00a4Ô \u00a5Ơ \u00a6Ư \u00a7Đ \u00a8ă \u00a9â \u00aaê \u00abô \u00acơ \u00adư \u00aeđ "
    "\u00afẰ \u00b5à \u00b6ả \u00b7ã \u00b8á \u00b9ạ \u00baẲ \u00bbằ \u00bcẳ \u00bdẵ \u00beắ \u00bfẴ "
    "\u00c0Ắ \u00c1Ầ \u00c2Ẩ \u00c3Ẫ \u00c4Ấ \u00c5Ề \u00c6ặ \u00c7ầ \u00c8ẩ \u00c9ẫ \u00caấ \u00cbậ \u00ccè \u00cdỂ "
    "\u00ceẻ \u00cfẽ \u00d0é \u00d1ẹ \u00d2ề \u00d3ể \u00d4ễ \u00d5ế \u00d6ệ \u00d7ì \u00d8ỉ \u00d9Ễ \u00daẾ \u00dbỒ "
    "\u00dcĩ \u00ddí \u00deị \u00dfò \u00e0Ổ \u00e1ỏ \u00e2õ \u00e3ó \u00e4ọ \u00e5ồ \u00e6ổ \u00e7ỗ \u00e8ố \u00e9ộ "
    "\u00eaờ \u00ebở \u00ecỡ \u00edớ \u00eeợ \u00efù \u00f0Ỗ \u00f1ủ \u00f2ũ \u00f3ú \u00f4ụ \u00f5ừ \u00f6ử \u00f7ữ "
    "\u00f8ứ \u00f9ự \u00faỳ \u00fbỷ \u00fcỹ \u00fdý \u00feỵ \u00ffỐ"
)
TCVN3: dict[str, str] = {pair[0]: pair[1] for pair in _TCVN3_LETTERS.split()}

# VNI-Windows, lower case: base + marks in the order none, sắc, huyền, hỏi, ngã, nặng.
_VNI_TONES = ("", "ù", "ø", "û", "õ", "ï")           # after a, e, o, u, y, ơ ("ô"), ư ("ö")
_VNI_HAT_TONES = ("â", "á", "à", "å", "ã", "ä")      # â, ê, ô: circumflex and tone in one byte
_VNI_BREVE_TONES = ("ê", "é", "è", "ú", "ü", "ë")    # ă: breve and tone in one byte
_VNI_I = ("i", "í", "ì", "æ", "ó", "ò")              # i carries its tone in one byte
_TONED = {  # Unicode letters by base and tone, in the same order
    "a": "aáàảãạ", "e": "eéèẻẽẹ", "o": "oóòỏõọ", "u": "uúùủũụ", "y": "yýỳỷỹỵ", "i": "iíìỉĩị",
    "â": "âấầẩẫậ", "ê": "êếềểễệ", "ô": "ôốồổỗộ", "ă": "ăắằẳẵặ", "ơ": "ơớờởỡợ", "ư": "ưứừửữự",
}


def _vni_table() -> dict[str, str]:
    """VNI-Windows sequence -> Unicode letter, lower and upper case."""
    lower: dict[str, str] = {}
    for base in "aeouy":
        for mark, letter in zip(_VNI_TONES, _TONED[base]):
            lower[base + mark] = letter
    for base, hat in (("a", "â"), ("e", "ê"), ("o", "ô")):
        for mark, letter in zip(_VNI_HAT_TONES, _TONED[hat]):
            lower[base + mark] = letter
    for mark, letter in zip(_VNI_BREVE_TONES, _TONED["ă"]):
        lower["a" + mark] = letter
    for horn_byte, horn in (("ô", "ơ"), ("ö", "ư")):
        for mark, letter in zip(_VNI_TONES, _TONED[horn]):
            lower[horn_byte + mark] = letter
    for mark, letter in zip(_VNI_I, _TONED["i"]):
        lower[mark] = letter
    lower["ñ"], lower["î"] = "đ", "ỵ"  # "ỵ" is one byte, like the toned i's
    del lower["yï"]
    table = {k: v for k, v in lower.items() if k != v}
    table.update({k.upper(): v.upper() for k, v in table.items()})
    return table


VNI: dict[str, str] = _vni_table()
_VNI_PATTERN = re.compile("|".join(sorted(map(re.escape, VNI), key=len, reverse=True)))

# --------------------------------------------------------------------------- Vietnamese syllables

_TONE_MARKS = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}
_OPEN_RHYMES = ("a e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iu oa oe oi ôi ơi ua uê ui uy ưa ưi ưu "
                "oai oay oao oeo uây uôi uya uyu ươi ươu iêu yêu uơ").split()
# Each vowel with the consonant endings it takes in Vietnamese ("ơng" or "ênh" with "ô" do not occur).
_CODAS = {"a": "ch nh c ng m n p t", "ă": "c ng m n p t", "â": "c ng m n p t", "e": "c ng m n p t",
          "ê": "ch nh m n p t", "i": "ch nh m n p t", "o": "c ng m n p t", "ô": "c ng m n p t",
          "ơ": "m n p t", "u": "c ng m n p t", "ư": "c ng m n t", "y": "n t", "iê": "c ng m n p t",
          "yê": "n t m ng", "uô": "c ng m n t", "ươ": "c ng m n p t", "oa": "ch nh c ng m n p t",
          "oă": "c ng m n t", "oe": "n t", "uâ": "n t ng", "uê": "ch nh", "uy": "ch nh n t p", "uyê": "n t"}
_ONSETS = ("ngh ng nh ch gh gi kh ph th tr qu b c d đ g h k l m n p r s t v x".split()) + [""]
_STOPS = ("c", "ch", "p", "t")
_EITHER = frozenset({"oa", "oe", "uy", "uê", "uơ"})  # "hòa" and "hoà" are both in use


def _tone_places(vowels: str, closed: bool) -> frozenset[int]:
    """Where a rhyme's vowels may carry the tone mark: the last before a consonant ending, else
    the first of two (either of "oa", "oe", "uy", "uê", "uơ") and the middle of three."""
    if closed or len(vowels) == 1:
        return frozenset({len(vowels) - 1})
    if len(vowels) == 2:
        return frozenset({0, 1}) if vowels in _EITHER else frozenset({0})
    return frozenset({1})


_RHYMES: dict[str, tuple[frozenset[int], bool]] = {r: (_tone_places(r, False), False) for r in _OPEN_RHYMES}
_RHYMES.update({nucleus + coda: (_tone_places(nucleus, True), coda in _STOPS)
                for nucleus, codas in _CODAS.items() for coda in codas.split()})


def is_syllable(word: str) -> bool:
    """True when ``word`` (any case) has the shape of one Vietnamese syllable: an onset, a rhyme,
    at most one tone, on a vowel that carries it, and only sắc or nặng before c, ch, p, t."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [(i, _TONE_MARKS[c]) for i, c in enumerate(decomposed) if c in _TONE_MARKS]
    if len(tones) > 1:
        return False
    if tones:  # the tone's letter, counted in composed letters
        tone = tones[0][1]
        at = len(unicodedata.normalize("NFC", decomposed[:tones[0][0]])) - 1
    else:
        tone, at = None, -1
    base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    for onset in _ONSETS:
        if not base.startswith(onset) or base[len(onset):] not in _RHYMES:
            continue
        places, stop = _RHYMES[base[len(onset):]]
        if tone is None or (at - len(onset) in places and (not stop or tone in ("sac", "nang"))):
            return True
    return False


@lru_cache(maxsize=1 << 16)  # words repeat across a sheet's cells: each is judged once
def is_word(word: str) -> bool:
    """A Vietnamese syllable, the đồng sign "đ", or an abbreviation in capitals (ĐTN, HĐND, UBND:
    initials, so at most one vowel; Spanish "AÑO" read as VNI "AĐO" is none)."""
    if word == "đ" or is_syllable(word):
        return True
    return _ABBREVIATION.fullmatch(word) is not None and sum(c in "AEIOUY" for c in word) <= 1


_ABBREVIATION = re.compile("[A-ZĐ]{2,}")
_WORD = re.compile(r"[^\s0-9!-/:-@\[-`{-~]+")  # runs of anything but spaces, digits, ASCII punctuation


# --------------------------------------------------------------------------- decoding

_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")


def _is_unicode_word(word: str) -> bool:
    """A word with a character beyond Latin-1 cannot be legacy text (its bytes are all < 256)."""
    return _BEYOND_LATIN1.search(word) is not None


@lru_cache(maxsize=1 << 16)
def _decode_word(word: str, encoding: Encoding) -> str:
    if encoding == "tcvn3":
        decoded = "".join(TCVN3.get(c, c) for c in word)
        # ABC fonts have no capital toned letters: a word typed in capitals keeps them all
        letters = [c for c in word if c.isascii() and c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            decoded = decoded.upper()
        return unicodedata.normalize("NFC", decoded)
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: VNI[m.group(0)], word))


def _counts(word: str, decoded: str) -> bool:
    """Whether a changed word is evidence: one letter counts only as the đồng sign ("®", "ñ")."""
    return len(word) > 1 or decoded == "đ"


@dataclass(frozen=True)
class Verdict:
    """What a cell's characters say: ``encoding`` when a decoding reads clearly better, else
    ``ties``: the decodings that read exactly as well (every word they change is Vietnamese
    either way)."""

    encoding: Encoding | None = None
    ties: tuple[Encoding, ...] = ()


def classify(text: str) -> Verdict:
    """The encoding of one cell's text, from its characters alone (see the module docstring)."""
    words = [w for w in _WORD.findall(text) if not _is_unicode_word(w)]
    best: tuple[int, int, Encoding | None] = (0, 0, None)
    ties: list[Encoding] = []
    for encoding in ENCODINGS:
        gain, changed, all_good, shorter = 0, 0, True, 0
        for word in words:
            decoded = _decode_word(word, encoding)
            if decoded == word or not _counts(word, decoded):
                continue
            changed += 1
            shorter += len(word) - len(decoded)
            good = is_word(decoded)
            all_good &= good
            gain += int(good) - int(is_word(word))
        # equal gains: the decoding that joins more bytes into letters (VNI's "oâ" = "ô") wins
        if gain > 0 and (gain, shorter) > best[:2]:
            best = (gain, shorter, encoding)
        elif gain == 0 and changed and all_good:
            ties.append(encoding)
    return Verdict(best[2], () if best[2] else tuple(ties))


def vietnamese_words(text: str, encoding: Encoding | None = None) -> int:
    """How many words with a non-ASCII letter read as Vietnamese, as stored or decoded from ``encoding``."""
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    if encoding is not None:
        words = [_decode_word(w, encoding) for w in words]
    return sum(1 for w in words if is_word(w))


def decode(text: str, encoding: Encoding, capitals: bool = False) -> str:
    """``text`` converted from ``encoding`` to Unicode NFC, word by word.

    A word holding a character beyond Latin-1 is Unicode already (a cell may mix both), and a
    word whose decoding is not Vietnamese while the stored one is stays as stored. ``capitals``
    (an "H" font such as `.VnTimeH`) gives the whole text in capitals, as the font shows it.
    """
    def word(match: re.Match[str]) -> str:
        stored = match.group(0)
        if _is_unicode_word(stored):
            return stored
        decoded = _decode_word(stored, encoding)
        return stored if is_word(stored) and not is_word(decoded) else decoded

    converted = unicodedata.normalize("NFC", _WORD.sub(word, text))
    return converted.upper() if capitals else converted


def font_encoding(font: str | None) -> tuple[Encoding | None, bool]:
    """What a font name hints: ``(encoding or None, drawn in capitals)``.

    `.VnTime`, `VnArial`, `.VnTimeH` (TCVN3; a trailing "H" draws capitals); `VNI-Times`,
    `VNI-Helve` (VNI-Windows). Any other font (Times New Roman, Arial...) hints Unicode.
    """
    name = (font or "").strip().lower()
    if name.startswith("vni"):
        return "vni", False
    if name.startswith((".vn", "vn")):
        return "tcvn3", name.endswith("h")
    return None, False


# The Vietnamese letters beyond Latin-1 (ă, đ, ĩ, ũ, ơ, ư and the toned letters of Latin Extended Additional)
UNICODE_ONLY_LETTERS = "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
_UNICODE_VIETNAMESE = re.compile(UNICODE_ONLY_LETTERS)


def proves_unicode(text: str) -> bool:
    """True for text holding a Vietnamese letter that only Unicode has (ă, đ, ơ, ư, ạ...)."""
    return _UNICODE_VIETNAMESE.search(text) is not None


# --------------------------------------------------------------------------- a sheet's cells

MAX_POSITIONS = 50_000  # converted cells remembered per sheet (to mark them in a copy)
_UNKNOWN_FONT = "?"  # a cell whose font is not known (the reader sees no styles)


@dataclass
class Tally:
    """What was converted in one sheet: cells per encoding, one example, where (capped)."""

    counts: dict[str, int] = field(default_factory=dict)
    unicode_cells: int = 0
    example: tuple[str, str] | None = None
    cells: list[tuple[int, int]] = field(default_factory=list)  # (row, column), 1-based as Excel shows

    @property
    def converted(self) -> int:
        return sum(self.counts.values())

    @property
    def encoding(self) -> Encoding | None:
        """The encoding most cells were in (None when nothing was converted)."""
        return max(self.counts, key=self.counts.get) if self.counts else None  # type: ignore[return-value]

    def add(self, encoding: Encoding, before: str, after: str, cells: Sequence[tuple[int, int]]) -> None:
        self.counts[encoding] = self.counts.get(encoding, 0) + len(cells)
        if self.example is None or (len(before) > len(self.example[0]) and len(self.example[0]) < 12):
            self.example = (before, after)
        room = MAX_POSITIONS - len(self.cells)
        self.cells.extend(cells[:max(room, 0)])


class SheetConverter:
    """Converts one sheet's text cells, batch by batch, keeping the sheet's evidence in ``tally``.

    Cells whose characters decide are converted at once; cells that read equally well both ways
    follow the sheet: converted when more cells so far were in that encoding than held Unicode-only
    letters, and their font (when known) does not hint another encoding.
    """

    def __init__(self) -> None:
        self.tally = Tally()

    def convert(self, values: Sequence[str], cells: Sequence[tuple[int, int]],
                fonts: Sequence[str | None] | None = None, count_unicode: bool = True) -> list[str | None]:
        """The converted text of each value (None: unchanged); ``cells`` are their positions and
        ``fonts`` their font names (None: unknown). ``count_unicode=False``: the caller has counted
        the cells holding Unicode-only letters already."""
        verdicts = {v: classify(v) for v in dict.fromkeys(values)}
        if count_unicode:
            self.tally.unicode_cells += sum(1 for v in values if proves_unicode(v))
        hints = [font_encoding(f) for f in fonts] if fonts is not None else [(None, False)] * len(values)
        clear: dict[tuple[str, Encoding, bool], list[int]] = {}
        ties: dict[tuple[str, tuple[Encoding, ...], str | None, bool], list[int]] = {}
        for i, value in enumerate(values):
            verdict, (hint, capitals) = verdicts[value], hints[i]
            if verdict.encoding is not None:
                clear.setdefault((value, verdict.encoding, capitals and hint == verdict.encoding), []).append(i)
            elif verdict.ties:
                font = hint if fonts is not None and fonts[i] is not None else _UNKNOWN_FONT
                ties.setdefault((value, verdict.ties, font, capitals), []).append(i)
        out: list[str | None] = [None] * len(values)
        for (value, encoding, capitals), idx in clear.items():  # first: they are the sheet's evidence
            self._apply(value, encoding, capitals, idx, cells, out)
        for (value, candidates, hint, capitals), idx in ties.items():
            encoding = self._sheet_encoding(candidates, hint)
            if encoding is not None:
                self._apply(value, encoding, capitals and hint == encoding, idx, cells, out)
        return out

    def _sheet_encoding(self, candidates: tuple[Encoding, ...], font: str | None) -> Encoding | None:
        """The encoding a tied cell follows: the sheet's main one among ``candidates``, when more of
        its cells were converted from it than held Unicode-only letters, and the cell's font (the
        encoding it hints, None for a Unicode font) is unknown or agrees."""
        counts = self.tally.counts
        best = max(candidates, key=lambda e: counts.get(e, 0))
        if counts.get(best, 0) <= self.tally.unicode_cells or font not in (_UNKNOWN_FONT, best):
            return None
        return best

    def _apply(self, value: str, encoding: Encoding, capitals: bool, idx: list[int],
               cells: Sequence[tuple[int, int]], out: list[str | None]) -> None:
        converted = decode(value, encoding, capitals)
        if converted == value:
            return
        for i in idx:
            out[i] = converted
        self.tally.add(encoding, value, converted, [cells[i] for i in idx])
