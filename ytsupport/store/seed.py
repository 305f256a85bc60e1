"""Building the embedded database from ``sample_data/`` so a new user sees a full year at once."""
from __future__ import annotations

import csv
import os
import sys
from datetime import date
from pathlib import Path
from typing import Callable

from ..files import private_dir
from ..settings import SAMPLE_DIR, Settings, get_settings

REPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


def sample_files(sample_dir: Path = SAMPLE_DIR) -> list[tuple[Path, date | None]]:
    """The sample reports in the manifest's order, with the day each was received (None: unknown)."""
    manifest = sample_dir / "manifest.csv"
    if manifest.exists():
        with open(manifest, encoding="utf-8", newline="") as fh:
            return [(sample_dir / row["file"], date.fromisoformat(row["received_on"]) if row.get("received_on") else None)
                    for row in csv.DictReader(fh)]
    return [(p, None) for p in sorted(sample_dir.iterdir()) if p.suffix.lower() in REPORT_SUFFIXES]


def seed(url: str, sample_dir: Path = SAMPLE_DIR, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Validate and store every sample report into the store at ``url``; counts by outcome."""
    from ..ingest.validate import validate_file
    from . import get_engine, store_report

    engine = get_engine(url)
    counts: dict[str, int] = {}
    for path, received in sample_files(sample_dir):
        report = validate_file(path)
        status = report.status
        if status == "ok":
            status = store_report(engine, report, received_on=received or date.today(), uploaded_by="sample").status
        counts[status] = counts.get(status, 0) + 1
        if progress:
            progress(f"{status:<10} {path.name}")
    engine.dispose()
    return counts


def prepare_sample_database(settings: Settings | None = None) -> Path | None:
    """Build the embedded SQLite database from the samples when it does not exist yet.

    It is built in a temporary file and moved into place, so an interrupted first start leaves
    no half-filled database. Nothing happens with a configured ``YTSUPPORT_DB_URL``.
    """
    settings = settings or get_settings()
    if settings.db_url_setting:
        return None
    target = settings.data_dir / "ytsupport.sqlite"
    if target.exists():
        return target
    private_dir(target.parent)
    tmp = target.with_name(target.name + ".building")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    print("Đang tạo cơ sở dữ liệu mẫu / building the sample database…", file=sys.stderr)
    counts = seed(f"sqlite:///{tmp}")
    os.replace(tmp, target)
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    print(f"  {counts}", file=sys.stderr)
    return target
