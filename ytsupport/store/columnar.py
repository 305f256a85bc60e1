"""Reading many rows at once into columns, past the per-value work of the usual row API.

``load_current`` reads every current row of the store for the dashboard and the reports.
Through SQLAlchemy's rows that costs a Python object and a type conversion per value (a million
activity rows: about 10 s on SQLite). Here:

* PostgreSQL: the ADBC driver (Apache Arrow's database connectivity, binary COPY) returns
  whole Arrow columns, on a connection of its own in one REPEATABLE READ snapshot; where it
  cannot connect (a URL only psycopg understands), the way below, through psycopg;
* SQLite: the rows come from the sqlite3 cursor of the caller's transaction (another SQLite
  library in the same process would break SQLite's file locks, so no second driver here) and
  are cut into columns with numpy.

Both give columns as the driver typed them; ``frames.typed`` turns them canonical.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.sql import Select

_PG_OPTIONS = {"adbc.connection.transaction.isolation_level": "adbc.connection.transaction.isolation.repeatable_read"}


class ColumnarReader:
    """Runs queries on one read-only snapshot of the store, each returning a DataFrame of its columns."""

    def __init__(self, engine: Engine, connection: Any) -> None:
        self._dialect = engine.dialect
        self._connection = connection

    def frame(self, query: Select) -> pd.DataFrame:
        names = [column.name for column in query.selected_columns]
        sql = str(query.compile(dialect=self._dialect, compile_kwargs={"literal_binds": True}))
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql)
            if hasattr(cursor, "fetch_arrow_table"):  # ADBC
                table = cursor.fetch_arrow_table()
                return table.rename_columns(names).to_pandas(date_as_object=False, split_blocks=True,
                                                             self_destruct=True)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        cells = np.empty((len(rows), len(names)), dtype=object)
        if rows:
            cells[:] = rows  # one C loop over the row tuples
        return pd.DataFrame({name: cells[:, j] for j, name in enumerate(names)})


@contextmanager
def snapshot(engine: Engine) -> Iterator[ColumnarReader]:
    """A :class:`ColumnarReader` on ``engine``'s database, every query in one read transaction."""
    connection = _adbc_connection(engine) if engine.dialect.name == "postgresql" else None
    if connection is not None:
        try:
            yield ColumnarReader(engine, connection)
        finally:
            try:
                connection.rollback()
            finally:
                connection.close()
        return
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():  # SQLite: BEGIN; the first read fixes the snapshot
            yield ColumnarReader(engine, conn.connection.dbapi_connection)


def _adbc_connection(engine: Engine) -> Any | None:
    """An ADBC connection to ``engine``'s PostgreSQL database in REPEATABLE READ; None if it cannot be had."""
    try:
        import adbc_driver_postgresql.dbapi as pg_driver

        connection = pg_driver.connect(engine.url.set(drivername="postgresql").render_as_string(hide_password=False))
    except Exception:  # noqa: BLE001 - no driver, or a URL libpq does not take: psycopg's way then
        return None
    try:
        connection.adbc_connection.set_options(**_PG_OPTIONS)
    except Exception:  # noqa: BLE001
        connection.close()
        return None
    return connection
