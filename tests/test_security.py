"""Deployment security (README, "Bảo mật / Security"), each test replaying an attack that must fail:
another local user reading the store's files, guessing passwords, serving the open local mode to
the network, and the reverse proxy configuration shipped in ``deploy/``."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.factories import activity, make_report
from ytsupport.store import backup, get_engine, restore, store_report

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- files for the owner only

@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual umask (022), under which a plain new file is readable by every local user."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def others_can_read(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def test_store_backups_and_secrets_are_for_the_owner_only(tmp_path: Path, open_umask: None,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A local user who is not the service cannot read the store (names inside), its WAL, its
    backups, the secret or the users file: all 0600, the data folder 0700."""
    from ytsupport.auth import add_user
    from ytsupport.settings import installation_secret

    data = tmp_path / "srv" / "data"
    db = data / "ytsupport.sqlite"
    engine = get_engine(f"sqlite:///{db}")
    store_report(engine, make_report(activities=[activity("2021-06-15")]), received_on=date(2021, 7, 5))
    wal, shm = db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")
    assert [others_can_read(f) for f in (db, wal, shm)] == [False] * 3  # open: the WAL holds the last rows
    saved = backup(db, tmp_path / "backups" / "daily.sqlite")
    engine.dispose()
    result = restore(saved, db)
    monkeypatch.setenv("YTSUPPORT_DATA_DIR", str(data))
    monkeypatch.delenv("YTSUPPORT_SECRET", raising=False)
    installation_secret()
    add_user(data / "users.yaml", "vanphong", "mat-khau-du-dai", "editor")
    files = [db, saved, Path(result["saved_previous"]), data / "secret.key", data / "users.yaml"]
    assert [f.name for f in files if others_can_read(f)] == []
    assert [oct(f.stat().st_mode & 0o777) for f in files] == ["0o600"] * len(files)
    for folder in (data, data.parent, tmp_path / "backups"):
        assert oct(folder.stat().st_mode & 0o777) == "0o700", folder


def test_a_store_left_readable_by_an_older_version_is_tightened(tmp_path: Path, open_umask: None) -> None:
    db = tmp_path / "ytsupport.sqlite"
    get_engine(f"sqlite:///{db}").dispose()
    os.chmod(db, 0o644)
    get_engine(f"sqlite:///{db}").dispose()
    assert not others_can_read(db)
