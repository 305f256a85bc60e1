"""Settings in one place. Each has one name, one default, and one line in the README.

Every setting can be overridden by an environment variable ``YTSUPPORT_<NAME>``.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ROOT = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_ROOT / "reference"
PLANS_DIR = PACKAGE_ROOT / "plans"
SAMPLE_DIR = PROJECT_ROOT / "sample_data"


def _env(name: str, default: str) -> str:
    return os.environ.get(f"YTSUPPORT_{name}", default)


@dataclass(frozen=True)
class Limits:
    """Limits applied to every uploaded file before and while it is read (see README)."""

    max_file_mb: float = float(_env("MAX_FILE_MB", "50"))
    max_unzipped_mb: float = float(_env("MAX_UNZIPPED_MB", "1000"))
    max_compression_ratio: float = float(_env("MAX_COMPRESSION_RATIO", "200"))
    max_zip_members: int = int(_env("MAX_ZIP_MEMBERS", "2000"))
    max_rows_per_sheet: int = int(_env("MAX_ROWS_PER_SHEET", "1000000"))
    max_cells: int = int(_env("MAX_CELLS", "30000000"))
    worker_timeout_s: float = float(_env("WORKER_TIMEOUT_S", "60"))
    worker_memory_mb: int = int(_env("WORKER_MEMORY_MB", "1024"))
    max_issues: int = int(_env("MAX_ISSUES", "200"))
    reader_workers: int = max(1, int(_env("READER_WORKERS", "2")))


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", str(PROJECT_ROOT / "data"))))
    plan_file: Path = field(default_factory=lambda: Path(_env("PLAN", str(PLANS_DIR / "plan_2021_114.yaml"))))
    limits: Limits = field(default_factory=Limits)

    @property
    def db_url(self) -> str:
        """The store: ``YTSUPPORT_DB_URL`` or the embedded SQLite file under ``data_dir``."""
        return os.environ.get("YTSUPPORT_DB_URL") or f"sqlite:///{self.data_dir / 'ytsupport.sqlite'}"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"


def get_settings() -> Settings:
    return Settings()


def installation_secret(settings: Settings | None = None) -> bytes:
    """The per-installation secret that keys pseudonymous person keys (HMAC).

    ``YTSUPPORT_SECRET`` wins; otherwise a random key is created once in ``data_dir``.
    """
    env = os.environ.get("YTSUPPORT_SECRET")
    if env:
        return env.encode("utf-8")
    settings = settings or get_settings()
    path = settings.secret_file
    if not path.exists():
        from .files import private_dir, private_file

        private_dir(path.parent)
        tmp = private_file(path.with_suffix(".tmp"))
        tmp.write_text(secrets.token_hex(32), encoding="ascii")
        if not path.exists():
            os.replace(tmp, path)
        else:
            tmp.unlink(missing_ok=True)
    return path.read_text(encoding="ascii").strip().encode("ascii")
