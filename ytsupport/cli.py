"""The command line (docs/data-contract.md §5): validate, template, sample, serve, and the store's commands.

Exit codes: ``validate``/``ingest`` 0 when no file has an error, 1 when some file is invalid,
2 when some file is unreadable; other commands 0 on success, 1 on failure; wrong arguments 64.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Sequence
from .settings import environment_with, get_settings

EX_USAGE = 64


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2; the contract says 64
        self.print_usage(sys.stderr)
        self.exit(EX_USAGE, f"{self.prog}: error: {message}\n")


def unit_code(value: str) -> str:
    from .vocab import reference

    code = reference().units.match_name(value)
    if code is None:
        raise argparse.ArgumentTypeError(f"unknown unit '{value}'")
    return code


def period_arg(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"'{value}' is not a month YYYY-MM")
    return value


def xlsx_path(value: str) -> Path:
    if not value.lower().endswith(".xlsx"):
        raise argparse.ArgumentTypeError(f"'{value}' must end in .xlsx")
    return Path(value)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m ytsupport", description="Plan 114-KH/ĐTN reports: check, store, measure.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = sub.add_parser("validate", help="parse and check report files; writes nothing")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--unit", type=unit_code)
    p.add_argument("--period", type=period_arg)
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.set_defaults(handler=cmd_validate)
    p = sub.add_parser("convert", help="write a Unicode copy of a workbook typed in TCVN3 or VNI-Windows")
    p.add_argument("source", type=Path)
    p.add_argument("out", type=xlsx_path)
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.set_defaults(handler=cmd_convert)
    p = sub.add_parser("template", help="write the blank report template")
    p.add_argument("out", type=Path)
    p.set_defaults(handler=cmd_template)
    p = sub.add_parser("sample", help="regenerate the sample workbooks")
    p.add_argument("outdir", type=Path)
    p.set_defaults(handler=cmd_sample)
    p = sub.add_parser("serve", help="start the dashboard")
    p.add_argument("--port", type=int, default=get_settings().port)
    p.add_argument("--address", default=get_settings().address)
    p.add_argument("--insecure-local-network", action="store_true",
                   help="serve a non-loopback address without logins (everyone is admin; a banner says so)")
    p.set_defaults(handler=cmd_serve)
    p = sub.add_parser("user", help="add or update a dashboard login (users file of YTSUPPORT_USERS_FILE)")
    p.add_argument("action", choices=("add",))
    p.add_argument("username")
    p.add_argument("--role", choices=("viewer", "editor", "admin"), required=True)
    p.add_argument("--name")
    p.add_argument("--users-file", type=Path)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(handler=cmd_user)
    from .commands.reports import register as register_report
    from .commands.data import register as register_store
    from .commands.plans import register as register_plan

    register_store(sub)
    register_report(sub)
    register_plan(sub)
    return parser


def cmd_validate(args: argparse.Namespace) -> int:
    from .ingest.records import exit_code
    from .ingest.validate import validate_file
    from .plan.catalogue import known_plans, recognised_units

    units = recognised_units(known_plans())  # the plans' own units too, as ``ingest`` recognises them
    reports = [validate_file(p, unit=args.unit, period=args.period, lang=args.lang, units=units) for p in args.paths]
    if args.json:
        print(json.dumps({"files": [r.to_json(args.lang) for r in reports]}, ensure_ascii=False, indent=1))
    else:
        for report in reports:
            print(format_report(report, args.lang))
    return exit_code([r.status for r in reports])


def cmd_convert(args: argparse.Namespace) -> int:
    """Write the Unicode copy; exit 0, or 2 when the file cannot be read (as ``validate``), 1 when
    the copy cannot be written."""
    from .convert import convert_file
    from .legacy import LABELS

    result = convert_file(args.source)
    if result.content is None:
        for issue in result.issues:
            print(f"{args.source}: [{issue.severity}] {issue.code}: {issue.message(args.lang)}", file=sys.stderr)
        return 2
    try:
        args.out.write_bytes(result.content)
    except OSError as exc:
        print(f"{args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    cells = "ô" if args.lang == "vi" else "cells"
    for name, tally in result.sheets.items():
        print(f"  {name}: {tally.converted} {cells} {LABELS.get(tally.encoding or '', '')} -> Unicode")
    print(f"{args.out} ({result.converted} {cells})")
    return 0


STATUS_WORDS = {"vi": {"ok": "HỢP LỆ", "invalid": "CÓ LỖI", "unreadable": "KHÔNG ĐỌC ĐƯỢC", "stored": "ĐÃ LƯU",
                       "replaced": "ĐÃ THAY THẾ", "unchanged": "KHÔNG ĐỔI"},
                "en": {"ok": "OK", "invalid": "INVALID", "unreadable": "UNREADABLE", "stored": "STORED",
                       "replaced": "REPLACED", "unchanged": "UNCHANGED"}}


def format_report(report, lang: str = "vi") -> str:
    """A readable summary of one file: status, unit, month, sheets and issues."""
    words = STATUS_WORDS["en" if lang == "en" else "vi"]
    unit_w, month_w = ("Đơn vị", "Tháng") if lang == "vi" else ("Unit", "Month")
    lines = [f"{report.path}: {words.get(report.status, report.status)}  "
             f"{unit_w}: {report.unit or '?'}  {month_w}: {report.period or '?'}"]
    for s in report.sheets:
        lines.append(f"  {s.name} ({s.kind}): {s.rows_read} " + ("dòng, " if lang == "vi" else "rows, ") +
                     f"{s.rows_valid} " + ("hợp lệ" if lang == "vi" else "valid"))
    for issue in report.issues:
        where = " ".join(x for x in (issue.sheet or "", f"r{issue.row}" if issue.row else "") if x)
        lines.append(f"  [{issue.severity}] {issue.code} {where}: {issue.message(lang)}")
    return "\n".join(lines)


def cmd_user(args: argparse.Namespace) -> int:
    """Add or update a user; the password is asked for (or read from stdin) and stored hashed."""
    import getpass

    from .auth import add_user, users_file

    path = args.users_file or users_file()
    if path is None:
        print("Set YTSUPPORT_USERS_FILE or pass --users-file.", file=sys.stderr)
        return 1
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Mật khẩu / password: ")
    if len(password) < 8:
        print("Mật khẩu cần ít nhất 8 ký tự / the password needs at least 8 characters.", file=sys.stderr)
        return 1
    add_user(path, args.username, password, args.role, args.name)
    print(f"{args.username} ({args.role}) -> {path}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from .template import write_template

    write_template(args.out)
    print(args.out)
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from .sample import generate_sample

    paths = generate_sample(args.outdir)
    print(f"{len(paths)} files in {args.outdir}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Start Streamlit on the dashboard (what ``make run`` calls; works without make)."""
    root = Path(__file__).resolve().parent.parent
    from .auth import INSECURE_NETWORK_ENV, is_loopback, oidc_configured, serve_refusal, users_file
    from .store.seed import prepare_sample_database

    logins = users_file() is not None or oidc_configured([root / ".streamlit" / "secrets.toml",
                                                          Path.home() / ".streamlit" / "secrets.toml"])
    refusal = serve_refusal(args.address, logins, args.insecure_local_network)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 1
    extra: dict[str, str] = {}
    if not logins and not is_loopback(args.address):
        from .i18n import t

        extra[INSECURE_NETWORK_ENV] = "1"
        print("\n".join(t("insecure_local_network", lang) for lang in ("vi", "en")), file=sys.stderr)
    prepare_sample_database()
    cmd = [sys.executable, "-m", "streamlit", "run", str(root / "dashboard.py"),
           "--server.port", str(args.port), "--server.address", args.address]
    return subprocess.call(cmd, cwd=root, env=environment_with(**extra))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 1
