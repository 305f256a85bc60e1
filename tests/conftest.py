"""Database fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``YTSUPPORT_TEST_PG_URL`` (start one with ``eval "$(.ci/start_postgres.sh)"``);
each test gets a fresh schema in that database, dropped afterwards. Without the variable the
PostgreSQL cases are skipped, except under ``CI=true``, where they fail instead.
"""
from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `ytsupport` and `tests.factories` importable from any folder
    sys.path.insert(0, str(ROOT))

from ytsupport.store.engine import get_engine, normalise_url  # noqa: E402

PG_ENV = "YTSUPPORT_TEST_PG_URL"
MISSING_WORDS = ("not present", "missing", "not beside", "not set", "not installed")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """With CI=true, a test skipped because a component is missing (../shared, the corpus, a
    database, a browser) is a failure: in CI every optional part must run."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI", "").strip().lower() != "true" or not report.skipped:
        return
    reason = str(report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr)
    if any(word in reason.lower() for word in MISSING_WORDS):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI for a missing component: {reason}"
BACKENDS = ["sqlite", "postgresql"]


def _pg_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    message = f"{PG_ENV} is not set (start one with: eval \"$(.ci/start_postgres.sh)\")"
    if os.environ.get("CI", "").strip().lower() == "true":
        pytest.fail(f"PostgreSQL tests cannot run in CI: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[Engine]:
    """An engine on the test PostgreSQL database, to create and drop the per-test schemas."""
    engine = create_engine(normalise_url(_pg_base_url()), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _fresh_pg_url(admin: Engine) -> tuple[str, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = normalise_url(_pg_base_url()).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file in tmp_path, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'ytsupport.sqlite'}"
        return
    admin = request.getfixturevalue("pg_admin")
    url, schema = _fresh_pg_url(admin)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on a fresh, empty store (schema created), disposed after the test."""
    eng = get_engine(db_url)
    yield eng
    eng.dispose()
