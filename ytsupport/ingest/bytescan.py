"""Whole-column character tests on an Arrow text column's UTF-8 bytes, with numpy.

An Arrow string column is one buffer of UTF-8 bytes and the offsets where each cell starts. A
test "which cells hold one of these characters" is then a vectorised pass over the bytes (about
1.5 ms per 10 MB) per byte value looked for, and work on the positions found, where a regular
expression costs tens of nanoseconds per cell. The checks use these instead of patterns
(``rows.py``, ``checks.py``), and the reader to skip one on the columns that cannot match it
(``read.py``: numbers written out as text).

Every answer is exact on valid UTF-8, which Arrow strings are: a character is found by one of
its bytes (the first that is rare in Vietnamese text, so that few positions need a closer look)
and then compared whole; no character's encoding appears inside another's at another offset.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pyarrow as pa

# What str.split() splits on: every character whose str.isspace() is true (written out, since
# finding them over all of Unicode took 0.4 s at every import; tests/test_bytescan.py checks the list)
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
          "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
# Bytes frequent in Vietnamese text: ASCII letters and space, and the lead and second bytes of
# its accented letters (à: C3 A0, ă: C4 83, ơ: C6 A1, ạ: E1 BA A1, ố: E1 BB 91). A character is
# looked for by its first byte outside this set, so that few positions are found in plain text.
_COMMON = frozenset(range(0x20, 0x7F)) | {0xC3, 0xC4, 0xC6, 0xE1, 0xBA, 0xBB}


def utf8_bytes(strings: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """``(data, offsets)``: the bytes of the column's buffer and, for each of its ``n`` cells, where
    it starts (``offsets[i]``) and ends (``offsets[i + 1]``), as positions into ``data`` (n + 1 of them).

    Nothing is copied; a slice's cells keep their positions in the whole buffer. A null cell's
    bytes (usually none) are part of the answer: callers mask nulls themselves.
    """
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    if not (pa.types.is_string(strings.type) or pa.types.is_large_string(strings.type)):
        raise TypeError(f"not a text column: {strings.type}")
    kind = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    _, offsets_buffer, data_buffer = strings.buffers()
    if offsets_buffer is None or not len(strings):
        return np.zeros(0, np.uint8), np.zeros(1, np.int64)
    offsets = np.frombuffer(offsets_buffer, dtype=kind)[strings.offset:strings.offset + len(strings) + 1]
    data = np.zeros(0, np.uint8) if data_buffer is None else np.frombuffer(data_buffer, dtype=np.uint8)
    return data[:int(offsets[-1])], offsets.astype(np.int64, copy=False)


def char_positions(data: np.ndarray, chars: Iterable[str], start: int = 0) -> np.ndarray:
    """The byte positions (unsorted) in ``data[start:]`` where one of ``chars`` begins.

    One pass over the bytes per anchor (see :func:`_anchors`), then the characters are compared
    whole at the positions found.
    """
    window = data[start:]
    found = []
    for (anchor, at), by_size in _anchors(chars).items():
        hits = np.flatnonzero(window < 0x20) if anchor == _CONTROL else np.flatnonzero(window == anchor)
        for size, codes in by_size.items():
            begin = hits - at
            begin = begin[(begin >= 0) & (begin + size <= len(window))]
            code = np.zeros(len(begin), dtype=np.int64)
            for k in range(size):
                code = (code << 8) | window[begin + k]
            found.append(begin[np.isin(code, codes)])
    positions = np.concatenate(found) if found else np.zeros(0, np.int64)
    return positions + start


_CONTROL = -1  # the anchor of ASCII control characters: one pass finds every byte below 0x20


def _anchors(chars: Iterable[str]) -> dict[tuple[int, int], dict[int, list[int]]]:
    """The characters' UTF-8 encodings (as big-endian integers, by length) grouped by the byte
    each is looked for by, and that byte's index in the encoding.

    Characters sharing a lead byte are looked for by it, in one pass; but one or two characters
    whose lead is frequent in Vietnamese text (E1 of U+1680, the Ogham space) by their first
    infrequent byte, which few positions hold.
    """
    leads: dict[int, list[bytes]] = {}
    for char in set(chars):
        encoded = char.encode("utf-8")
        leads.setdefault(_CONTROL if encoded[0] < 0x20 else encoded[0], []).append(encoded)
    anchors: dict[tuple[int, int], dict[int, list[int]]] = {}
    for lead, encodings in leads.items():
        for encoded in encodings:
            at = 0
            if lead in _COMMON and len(encodings) <= 2:
                at = next((i for i, b in enumerate(encoded) if b not in _COMMON), 0)
            key = (lead, 0) if at == 0 else (encoded[at], at)
            anchors.setdefault(key, {}).setdefault(len(encoded), []).append(int.from_bytes(encoded, "big"))
    return anchors


def cells_at(offsets: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The cell each byte position (within the column's bytes) belongs to."""
    return np.searchsorted(offsets, positions, side="right") - 1


def pairs_holding(strings: pa.Array, pairs: Iterable[tuple[str, str]]) -> np.ndarray:
    """Per cell: whether it holds a character of ``firsts`` right before one of ``seconds``, for
    some ``(firsts, seconds)`` of ``pairs`` (False for a null cell)."""
    data, offsets = utf8_bytes(strings)
    held = np.zeros(len(strings), dtype=bool)
    for firsts, seconds in pairs:
        after = char_positions(data, seconds, int(offsets[0]))
        for size, codes in _codes_by_size(firsts).items():
            before = after[after - size >= offsets[0]] - size
            code = np.zeros(len(before), dtype=np.int64)
            for k in range(size):
                code = (code << 8) | data[before + k]
            before = before[np.isin(code, codes)]
            cells = cells_at(offsets, before)
            same = cells_at(offsets, before + size) == cells  # the two characters in one cell
            held[cells[same]] = True
    return held & _valid(strings)


def _codes_by_size(chars: str) -> dict[int, list[int]]:
    """The UTF-8 encodings of ``chars`` as big-endian integers, by length in bytes."""
    codes: dict[int, list[int]] = {}
    for char in set(chars):
        encoded = char.encode("utf-8")
        codes.setdefault(len(encoded), []).append(int.from_bytes(encoded, "big"))
    return codes


def tidy_mask(strings: pa.Array) -> np.ndarray:
    """Per cell: ``" ".join(t.split()) == t != ""`` (False for a null cell).

    A cell is untidy exactly when it is empty, holds whitespace other than " ", or has a " " at
    its start, at its end or right after another.
    """
    data, offsets = utf8_bytes(strings)
    starts, ends = offsets[:-1], offsets[1:]
    untidy = ends == starts
    filled = np.flatnonzero(~untidy)
    untidy[filled] = (data[starts[filled]] == 0x20) | (data[ends[filled] - 1] == 0x20)
    lo = int(offsets[0])
    untidy[cells_at(offsets, char_positions(data, SPACES.replace(" ", ""), lo))] = True
    space = data[lo:] == 0x20
    doubled = lo + 1 + np.flatnonzero(space[1:] & space[:-1])  # the second of two spaces
    untidy[cells_at(offsets, doubled)] = True  # (across two cells, both already are untidy)
    return ~untidy & _valid(strings)


def blank_mask(strings: pa.Array) -> np.ndarray:
    """Per cell: ``not t.strip()`` (True for a null cell).

    A cell whose first byte is that of no whitespace character is not blank; the few others
    (empty, or starting with a space or with a byte a space shares) are decided in Python.
    """
    data, offsets = utf8_bytes(strings)
    starts, ends = offsets[:-1], offsets[1:]
    blank = ends == starts
    filled = np.flatnonzero(~blank)
    unsure = filled[_SPACE_FIRST_BYTES[data[starts[filled]]]]
    if len(unsure):
        texts = strings.take(pa.array(unsure)).to_pylist()
        blank[unsure] = [text is not None and not text.strip() for text in texts]
    return blank | ~_valid(strings)


_SPACE_FIRST_BYTES = np.zeros(256, dtype=bool)
_SPACE_FIRST_BYTES[[c.encode("utf-8")[0] for c in SPACES]] = True


def _valid(strings: pa.Array) -> np.ndarray:
    if strings.null_count == 0:
        return np.ones(len(strings), dtype=bool)
    return strings.is_valid().to_numpy(zero_copy_only=False)
