"""Files that hold personal data or secrets are readable by the service's account only.

The SQLite store (its ``-wal`` and ``-shm`` files take the store's mode from SQLite), its backups,
the installation secret and the users file are created 0600, and a data folder created here 0700,
whatever the process's umask. Elsewhere (Windows) the modes are not enforced; the folder's ACLs are.
"""
from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> Path:
    """Create the folder ``path`` (with its parents) when missing; the folders created are 0700.

    An existing folder keeps its mode: it may be shared on purpose (``YTSUPPORT_DATA_DIR``).
    """
    path = Path(path)
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        _chmod(folder, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Make ``path`` readable and writable by its owner only: created empty (0600) when missing,
    tightened to 0600 when it exists with more rights (a store made by an older version)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        if path.stat().st_mode & 0o777 != PRIVATE_FILE:
            _chmod(path, PRIVATE_FILE)
    else:
        os.close(fd)
        _chmod(path, PRIVATE_FILE)  # the umask may have taken the owner's write bit from os.open's mode
    return path


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except OSError:  # a file owned by someone else, or a filesystem without modes: nothing to tighten
        pass
