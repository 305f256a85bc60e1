"""Settings in one place: every environment variable the package reads is read here, and only here.

Each setting has one name, one default and one line in the README's settings table
(``docs/settings.md`` has the same table; a test keeps both in step with this module). A new
``Settings()`` reads the environment when it is made, so a changed variable takes effect at the
next ``get_settings()``.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_ROOT = Path(__file__).resolve().parent
REFERENCE_DIR = PACKAGE_ROOT / "reference"
PLANS_DIR = PACKAGE_ROOT / "plans"
SAMPLE_DIR = PROJECT_ROOT / "sample_data"


def _flag(text: str) -> bool:
    return text.strip().lower() not in ("0", "false", "no", "off", "")


def _optional_path(text: str) -> Path | None:
    return Path(text.strip()).expanduser() if text.strip() else None


def _env(name: str, default: str = "") -> str:
    """The raw text of an environment variable (``default`` when unset)."""
    return os.environ.get(name, default)


def plan_path(value: str) -> Path:
    """A plan file, or the plan of ``ytsupport/plans`` named by its id (the file name without .yaml)."""
    path = Path(value)
    by_id = PLANS_DIR / f"{value}.yaml"
    return by_id if not path.is_file() and by_id.is_file() else path


def setting(env: str, default: str, parse: Callable[[str], Any] = str, doc: str = "") -> Any:
    """A dataclass field read from ``env`` (``default`` when unset) and parsed when the object is made."""
    return field(default_factory=lambda: parse(_env(env, default)),
                 metadata={"env": env, "default": default, "doc": doc})


@dataclass(frozen=True)
class Limits:
    """Limits applied to every uploaded file before and while it is read (README "Security")."""

    max_file_mb: float = setting("YTSUPPORT_MAX_FILE_MB", "50", float, "largest accepted file")
    max_unzipped_mb: float = setting("YTSUPPORT_MAX_UNZIPPED_MB", "1000", float,
                                     "largest total unzipped size of a workbook")
    max_compression_ratio: float = setting("YTSUPPORT_MAX_COMPRESSION_RATIO", "200", float,
                                           "largest compression ratio of a workbook member")
    max_zip_members: int = setting("YTSUPPORT_MAX_ZIP_MEMBERS", "2000", int, "most members in a workbook")
    max_rows_per_sheet: int = setting("YTSUPPORT_MAX_ROWS_PER_SHEET", "1000000", int, "most rows per sheet")
    max_cells: int = setting("YTSUPPORT_MAX_CELLS", "30000000", int, "most cells per sheet")
    worker_timeout_s: float = setting("YTSUPPORT_WORKER_TIMEOUT_S", "60", float, "longest time to read one file")
    worker_memory_mb: int = setting("YTSUPPORT_WORKER_MEMORY_MB", "1024", int, "memory limit of the reading process")
    max_issues: int = setting("YTSUPPORT_MAX_ISSUES", "200", int,
                              "issues shown per file (`too_many_issues` counts the rest)")
    reader_workers: int = setting("YTSUPPORT_READER_WORKERS", "2", lambda v: max(1, int(v)),
                                  "reader processes at once (one slow upload never blocks the others)")


@dataclass(frozen=True)
class Settings:
    """Every setting of an installation (README "Settings")."""

    data_dir: Path = setting("YTSUPPORT_DATA_DIR", str(PROJECT_ROOT / "data"), Path,
                             "where the embedded database and the secret live (and, for PostgreSQL, the "
                             "columnar copy of the current data, in `cache/`)")
    db_url_setting: str = setting("YTSUPPORT_DB_URL", "", str,
                                  "the store (`sqlite:///…` or `postgresql://…`); default: SQLite in the data folder")
    secret: str = setting("YTSUPPORT_SECRET", "", str,
                          "the key of pseudonymous person keys; default: random, kept in `secret.key`")
    plan_file: Path = setting("YTSUPPORT_PLAN", str(PLANS_DIR / "plan_2021_114.yaml"), plan_path,
                              "the plan: a file, or a plan id of ytsupport/plans")
    address: str = setting("YTSUPPORT_ADDRESS", "127.0.0.1", str, "the address the dashboard listens on")
    port: int = setting("PORT", "8501", int, "the dashboard's port (`make run PORT=8600`)")
    users_file: Path | None = setting("YTSUPPORT_USERS_FILE", "", _optional_path,
                                      "the users file (logins, roles); unset: local single-user mode")
    session_timeout_min: float = setting("YTSUPPORT_SESSION_TIMEOUT_MIN", "30", float,
                                         "idle minutes before logging in again")
    download_link_s: float = setting("YTSUPPORT_DOWNLOAD_LINK_S", "60", float,
                                     "seconds a download's link (`/media/…`) lives after the file is made")
    suppress_below: int = setting("YTSUPPORT_SUPPRESS_BELOW", "5", int,
                                  "person counts below this are hidden in breakdowns below province level")
    store_names: bool = setting("YTSUPPORT_STORE_NAMES", "1", _flag,
                                "0: store no beneficiary names, only the pseudonymous key")
    timezone: str = setting("YTSUPPORT_TIMEZONE", "Asia/Ho_Chi_Minh", str,
                            "the time zone of dates and times shown and of \"today\"")
    boundary_file: Path | None = setting("YTSUPPORT_BOUNDARY_FILE", "", _optional_path,
                                         "a GeoJSON file of district polygons for the coverage map (unset: tile map)")
    issuer_superior: str = setting("YTSUPPORT_ISSUER_SUPERIOR", "TỈNH ĐOÀN TRÀ VINH", str,
                                   "the superior body in the report's header")
    issuer: str = setting("YTSUPPORT_ISSUER", "BCH ĐOÀN KHỐI CÁC CƠ QUAN VÀ DOANH NGHIỆP TỈNH", str,
                          "the report's issuing body")
    report_number: str = setting("YTSUPPORT_REPORT_NUMBER", "…-BC/ĐTN", str, "the report's number")
    report_place: str = setting("YTSUPPORT_REPORT_PLACE", "Trà Vinh", str, "the place in the report's date line")
    signer_role: str = setting("YTSUPPORT_SIGNER_ROLE", "PHÓ BÍ THƯ", str,
                               "the signer's title under \"TM. BAN THƯỜNG VỤ\" (e.g. BÍ THƯ)")
    signer: str = setting("YTSUPPORT_SIGNER", "", str, "the signer's name on the meeting report (empty: a line)")
    report_detail_rows: int = setting("YTSUPPORT_REPORT_DETAIL_ROWS", "5000", int,
                                      "most detail rows per sheet in the report workbook")
    insecure_local_network: bool = setting("YTSUPPORT_INSECURE_LOCAL_NETWORK", "0", _flag,
                                           "set by `serve --insecure-local-network` (no logins on the network: a banner says so)")
    limits: Limits = field(default_factory=Limits)

    @property
    def db_url(self) -> str:
        """The store: ``YTSUPPORT_DB_URL`` or the embedded SQLite file under ``data_dir``."""
        return self.db_url_setting or f"sqlite:///{self.data_dir / 'ytsupport.sqlite'}"

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"


def get_settings() -> Settings:
    """The settings as the environment gives them now."""
    return Settings()


def environment_with(**values: str) -> dict[str, str]:
    """This process's environment plus ``values``: the environment of a child process."""
    return {**os.environ, **values}


def documented() -> list[dict[str, str]]:
    """Every setting as {env, default, doc}: what the README's settings table lists."""
    return [{"env": f.metadata["env"], "default": f.metadata["default"], "doc": f.metadata["doc"]}
            for cls in (Settings, Limits) for f in fields(cls) if "env" in f.metadata]


def installation_secret(settings: Settings | None = None) -> bytes:
    """The per-installation secret that keys pseudonymous person keys (HMAC).

    ``YTSUPPORT_SECRET`` wins; otherwise a random key is created once in ``data_dir``.
    """
    settings = settings or get_settings()
    if settings.secret:
        return settings.secret.encode("utf-8")
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
