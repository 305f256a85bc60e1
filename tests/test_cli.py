"""The command line as users' scripts rely on it: JSON shape and exit codes (docs/data-contract.md §5)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.workbooks import activity, write_report_workbook
from ytsupport.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ytsupport", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_validate_json_shape_and_exit_codes(tmp_path: Path) -> None:
    good = write_report_workbook(tmp_path / "good.xlsx", activities=[activity()])
    bad = write_report_workbook(tmp_path / "bad.xlsx", activities=[activity(people=-3, disabled=0, orphans=0, elderly=0)])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    done = run("validate", str(good), str(bad), "--json")
    assert done.returncode == 1, done.stderr
    files = json.loads(done.stdout)["files"]
    assert [f["status"] for f in files] == ["ok", "invalid"]
    assert files[0]["unit"] == "bv_da_khoa" and files[0]["period"] == "2021-06"
    assert files[0]["sheets"] == [{"name": "HoatDong", "kind": "activities", "rows_read": 1, "rows_valid": 1}]
    issue = next(i for i in files[1]["issues"] if i["code"] == "negative_number")
    assert set(issue) == {"sheet", "row", "column", "code", "severity", "message"}
    assert (issue["sheet"], issue["row"], issue["column"], issue["severity"]) == ("HoatDong", 2, "Số người được hỗ trợ", "error")
    assert run("validate", str(good), str(broken), "--json").returncode == 2
    assert main(["validate", str(good)]) == 0


def test_validate_overrides_and_language(tmp_path: Path, capsys) -> None:
    path = write_report_workbook(tmp_path / "r.xlsx", activities=[activity()], info=False)
    assert main(["validate", str(path), "--unit", "bhxh", "--period", "2021-06", "--json", "--lang", "en"]) == 0
    out = json.loads(capsys.readouterr().out)["files"][0]
    assert (out["unit"], out["period"]) == ("bhxh", "2021-06")
    assert main(["validate", str(path), "--lang", "en"]) == 1
    assert "The reporting unit cannot be found" in capsys.readouterr().out


def test_wrong_arguments_exit_64(tmp_path: Path) -> None:
    assert run("validate").returncode == 64
    assert run("validate", "x.xlsx", "--period", "2021-13").returncode == 64
    assert run("validate", "x.xlsx", "--unit", "khong_co").returncode == 64
    assert run("nonsense").returncode == 64


def test_user_add_stores_a_hash_and_refuses_short_passwords(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    done = subprocess.run([sys.executable, "-m", "ytsupport", "user", "add", "vanphong", "--role", "editor",
                           "--users-file", str(users), "--password-stdin"], input="mat-khau-dai\n",
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "mat-khau-dai" not in users.read_text(encoding="utf-8")
    short = subprocess.run([sys.executable, "-m", "ytsupport", "user", "add", "b", "--role", "viewer",
                            "--users-file", str(users), "--password-stdin"], input="ngan\n",
                           cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert short.returncode == 1
