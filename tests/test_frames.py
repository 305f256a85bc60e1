"""Rows carried as Arrow between the reader worker and the checks (ytsupport.ingest.arrow_rows)."""
from __future__ import annotations

import pickle

import pandas as pd
import pyarrow as pa

from ytsupport.ingest.arrow_rows import arrow_rows
from ytsupport.ingest.records import RawSheet


def batch(**columns: list) -> pa.RecordBatch:
    return pa.RecordBatch.from_pydict(columns)


def test_frame_puts_columns_at_their_positions_and_error_cells_back_as_text() -> None:
    rows = arrow_rows(batch(a=["x", "y", None], b=[1.0, None, 3.0]), [0, 2], [(1, 1, "#N/A")])
    frame = rows.to_frame()
    assert list(frame.columns) == [0, 1, 2], "the gap between the two columns is an empty column"
    assert frame[0].tolist() == ["x", "y", None]
    assert frame[1].isna().all()
    assert frame[2].tolist() == [1.0, "#N/A", 3.0]
    assert rows.to_frame(1)[2].tolist() == [1.0], "the head alone (the alignment check) is the same rows"


def test_trailing_empty_columns_go_unless_an_error_cell_is_there() -> None:
    data = batch(a=["x", "y"], b=[None, None], c=["", None], d=[None, None])
    assert arrow_rows(data, [0, 1, 2, 3], []).width == 1
    kept = arrow_rows(data, [0, 1, 2, 3], [(0, 3, "#REF!")])
    assert kept.width == 4 and kept.to_frame()[3].tolist() == ["#REF!", None]


def test_texts_are_the_frame_cells_and_skip_columns_with_error_cells() -> None:
    rows = arrow_rows(batch(a=["x", None], b=["1", "2"], c=[1.0, 2.0]), [0, 1, 3], [(0, 1, "#DIV/0!")])
    texts = rows.texts()
    assert list(texts) == [0], "b holds an error cell, c is not text"
    assert texts[0].to_pylist() == rows.to_frame()[0].tolist()


def test_materialise_turns_arrow_into_pandas_once() -> None:
    sheet = RawSheet(name="s", top=[], pending=arrow_rows(batch(a=["x"], b=[2.0]), [0, 1], []))
    assert sheet.materialise().data is not None and sheet.pending is None
    pd.testing.assert_frame_equal(sheet.data, pd.DataFrame({0: ["x"], 1: [2.0]}))
    assert list(sheet.texts) == [0]
    sheet.release()
    assert sheet.data is None and sheet.texts == {}


def test_arrow_rows_pickle_out_of_band_text_included() -> None:
    """Text columns cross the process boundary as buffers too: no Python object per cell."""
    names = [f"Nguyễn Văn {i}" for i in range(100_000)]
    rows = arrow_rows(batch(name=names, n=[float(i) for i in range(100_000)]), [0, 1], [])
    buffers: list[pickle.PickleBuffer] = []
    payload = pickle.dumps(rows, protocol=5, buffer_callback=buffers.append)
    assert len(payload) < 10_000 and sum(b.raw().nbytes for b in buffers) > 1_000_000
    back = pickle.loads(payload, buffers=[b.raw().tobytes() for b in buffers])
    assert back.to_frame()[0].tolist() == names
