"""A sheet's rows as fastexcel read them, carried as Arrow until they are checked.

The reader worker sends each sheet's rows as an Arrow record batch: pickled with out-of-band
buffers, it crosses the process boundary without a copy and without one Python object per
cell. The checking process turns a sheet into pandas (:meth:`ArrowRows.to_frame`) just before
checking it, so the worker never builds a pandas copy of the data and the checker holds one
sheet's pandas frame at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class ArrowRows:
    """The rows below a sheet's header.

    ``positions[j]`` is the data column (0-based from the sheet's first column) of the batch's
    column ``j``, ascending; columns between them hold no cell. ``errors`` are the cells no type
    can hold (Excel error cells such as ``#N/A``), as ``(row, batch column, text)``: they come
    back as that text. ``numbers`` are the number cells of text columns, as
    ``{batch column: (rows, values)}``: they come back as numbers (see ``read.load_rows``).
    """

    batch: pa.RecordBatch
    positions: list[int]
    errors: list[tuple[int, int, str]]
    numbers: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return self.batch.num_rows

    @property
    def width(self) -> int:
        return max(self.positions, default=-1) + 1

    def to_frame(self, rows: int | None = None) -> pd.DataFrame:
        """The rows (the first ``rows`` of them, or all) as a frame whose columns are 0..width-1."""
        batch = self.batch if rows is None else self.batch.slice(0, rows)
        frame = batch.to_pandas(date_as_object=False)
        for col, (rows_at, values) in self.numbers.items():
            keep = rows_at < len(frame)
            cells = frame.iloc[:, col].to_numpy(dtype=object, copy=True)
            cells[rows_at[keep]] = values[keep].tolist()
            frame.isetitem(col, cells)
        for row, col, text in self.errors:
            if row < len(frame):
                if frame.iloc[:, col].dtype != object:
                    frame.isetitem(col, frame.iloc[:, col].astype(object))
                frame.iat[row, col] = text
        frame.columns = self.positions
        if self.positions != list(range(self.width)):
            frame = frame.reindex(columns=range(self.width))
        return frame

    def texts(self) -> dict[int, pa.Array]:
        """The text columns as Arrow strings, by data column: exactly ``to_frame()``'s cells there.

        What the checks would otherwise rebuild from Python strings (columns holding an error
        cell are left out: their frame column differs).
        """
        differs = {col for _, col, _ in self.errors} | set(self.numbers)
        return {self.positions[j]: self.batch.column(j) for j in range(self.batch.num_columns)
                if j not in differs and pa.types.is_string(self.batch.column(j).type)}


def arrow_rows(batch: pa.RecordBatch, positions: list[int], errors: list[tuple[int, int, str]],
               numbers: dict[int, tuple[np.ndarray, np.ndarray]] | None = None) -> ArrowRows:
    """:class:`ArrowRows` without the trailing columns that hold no cell (null or empty text)."""
    keep = batch.num_columns
    with_error = {col for _, col, _ in errors}
    while keep and keep - 1 not in with_error and _empty(batch.column(keep - 1)):
        keep -= 1
    if keep < batch.num_columns:
        batch = batch.select(range(keep))
    return ArrowRows(batch, positions[:keep], errors, {j: v for j, v in (numbers or {}).items() if j < keep})


def _empty(column: pa.Array) -> bool:
    if column.null_count == len(column):
        return True
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return not pc.any(pc.fill_null(pc.not_equal(column, ""), False)).as_py()
    return False
