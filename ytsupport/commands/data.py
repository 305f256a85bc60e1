"""Command-line subcommands of the store: ingest, status, history, revert, backup, restore.

``register(subparsers)`` adds them to the main parser (``ytsupport/cli.py``); each subcommand sets
``handler`` (and ``func``, the same function) taking the parsed arguments and returning the exit
code (docs/data-contract.md §5, exit codes):
``ingest`` 0 when no file has an error, 1 when some file is invalid (none unreadable), 2 when
some file is unreadable; the others 0 on success, 1 on failure with a message on stderr. Wrong
arguments are argparse's business (the main parser decides their exit code).
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.exc import SQLAlchemyError

from .. import settings
from ..ingest.records import exit_code


def _period(text: str) -> str:
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {text!r}") from None
    return text


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a version id (a whole number), got {text!r}")
    return int(text)


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", default=None,
                        help="database URL (default: YTSUPPORT_DB_URL or the embedded SQLite file)")


def _add_ingest(subparsers: Any) -> None:
    p = subparsers.add_parser("ingest", help="validate, then store each report atomically")
    p.add_argument("paths", nargs="+", metavar="PATH")
    _db_option(p)
    p.add_argument("--unit", metavar="CODE", help="the reporting unit (overrides detection)")
    p.add_argument("--period", metavar="YYYY-MM", type=_period, help="the report's month (overrides detection)")
    p.add_argument("--received-on", metavar="YYYY-MM-DD", type=_day, default=None,
                   help="the day the reports were received (default: today)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    _plan_option(p)
    p.set_defaults(func=cmd_ingest, handler=cmd_ingest)


def _plan_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", metavar="ID_OR_FILE", default=None,
                        help="a plan id of ytsupport/plans (e.g. plan_2021_114) or a plan file "
                             "(default: YTSUPPORT_PLAN, else the 2021 plan)")


def _add_status(subparsers: Any) -> None:
    p = subparsers.add_parser("status", help="target attainment and reporting")
    _db_option(p)
    _plan_option(p)
    p.add_argument("--as-of", metavar="YYYY-MM-DD", type=_day, default=None, help="default: today")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the table (default vi)")
    p.set_defaults(func=cmd_status, handler=cmd_status)


def _add_history_and_revert(subparsers: Any) -> None:
    p = subparsers.add_parser("history", help="stored report versions")
    _db_option(p)
    p.add_argument("--unit", metavar="CODE")
    p.add_argument("--period", metavar="YYYY-MM", type=_period)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history, handler=cmd_history)
    p = subparsers.add_parser("revert", help="make the previous version of that report current")
    p.add_argument("version_id", metavar="VERSION_ID", type=_positive_int)
    _db_option(p)
    p.set_defaults(func=cmd_revert, handler=cmd_revert)


def _add_backup_and_restore(subparsers: Any) -> None:
    p = subparsers.add_parser("backup", help="copy the embedded database safely")
    p.add_argument("out", metavar="OUT")
    _db_option(p)
    p.set_defaults(func=cmd_backup, handler=cmd_backup)
    p = subparsers.add_parser("restore", help="put a copy of the embedded database back")
    p.add_argument("in_path", metavar="IN")
    _db_option(p)
    p.set_defaults(func=cmd_restore, handler=cmd_restore)


def register(subparsers: Any) -> None:
    """Add ingest, status, history, revert, backup and restore to ``subparsers``.

    ``subparsers`` comes from ``ArgumentParser.add_subparsers``; each subcommand sets ``handler`` (and
    ``func``, the same function): it takes the parsed arguments and returns the exit code.
    """
    _add_ingest(subparsers)
    _add_status(subparsers)
    _add_history_and_revert(subparsers)
    _add_backup_and_restore(subparsers)


def _fail(message: str, err: TextIO | None = None) -> int:
    print(f"error: {message}", file=err or sys.stderr)
    return 1


def _engine(args: argparse.Namespace) -> Any:
    from ..store.engine import get_engine

    return get_engine(args.db)


# ---------------------------------------------------------------------------------------------
# ingest


def _ingest_one(engine: Any, path: str, args: argparse.Namespace, received_on: date,
                plans: list[Any], units: Any = None) -> dict[str, Any]:
    from ..ingest.validate import validate_file
    from ..store.storing import store_report

    report = validate_file(path, unit=args.unit, period=args.period, lang="vi", plan_file=plans[0].source,
                           units=units)
    outside = outside_plans(report.period, plans) if report.status != "unreadable" else []
    if outside:  # said first: the dates outside the plan year follow from it
        report.issues, report.status = outside + report.issues, "invalid"
    record = {**report.to_json("vi"), "path": path}
    if report.status == "ok":
        result = store_report(engine, report, received_on=received_on)
        record.update(status=result.status, version_id=result.version_id, version=result.version)
    return record


def _print_ingest_table(files: list[dict[str, Any]], out: TextIO) -> None:
    for f in files:
        rows = sum(s.get("rows_valid", 0) for s in f.get("sheets", []))
        version = f" v{f['version']}" if f.get("version") else ""
        print(f"{f['status']:<10} {f.get('unit') or '?':<16} {f.get('period') or '?':<8} "
              f"{rows:>6} rows{version}  {f['path']}", file=out)
        for issue in f.get("issues", []):
            if issue["severity"] in ("error", "warning"):
                where = ", ".join(str(x) for x in (issue["sheet"], issue["row"], issue["column"]) if x is not None)
                print(f"    {issue['severity']}: [{issue['code']}] {where}: {issue['message']}", file=out)


def outside_plans(period: str | None, plans: list[Any]) -> list[Any]:
    """An error when the report's month lies outside every plan's period (the message names
    the plans and their periods); none otherwise."""
    from ..ingest.records import Issue
    from ..plan.catalogue import periods_text, plan_of_month

    if period is None or plan_of_month(period, plans) is not None:
        return []
    return [Issue(None, None, None, "period_outside_plans", "error",
                  {"period": f"{period[5:]}/{period[:4]}", "plans": periods_text(plans)})]


def cmd_ingest(args: argparse.Namespace) -> int:
    """Validate each file, store those that are ok (in argument order), report what happened.
    A report whose month lies outside every plan's period (``--plan`` and the plans of
    ``ytsupport/plans`` and the plans saved in the app) is refused. Units are recognised by the
    names of those plans' units as well as the reference units files."""
    from ..plan import PlanError
    from ..plan.catalogue import known_plans, load_ref, recognised_units

    received_on = args.received_on or date.today()
    try:
        plans = known_plans(load_ref(args.plan))
    except PlanError as exc:
        return _fail(str(exc))
    try:
        engine = _engine(args)
        units = recognised_units(plans)
        files = [_ingest_one(engine, path, args, received_on, plans, units) for path in args.paths]
    except (SQLAlchemyError, ValueError) as exc:
        return _fail(f"storing stopped, the report being stored was not stored: {exc}")
    if args.json:
        print(json.dumps({"files": files}, ensure_ascii=False, indent=2))
    else:
        _print_ingest_table(files, sys.stdout)
    return exit_code([f["status"] for f in files])


# ---------------------------------------------------------------------------------------------
# status


def rounded(value: Any, digits: int = 3) -> Any:
    """Floats in a JSON-like value rounded for display (computations keep them unrounded)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v, digits) for v in value]
    return value


def _print_status(result: dict[str, Any], out: TextIO, lang: str = "vi") -> None:
    """The status as a table in ``lang``, numbers written as on every page and in every report."""
    from .. import formatting as fmt
    from ..i18n import t
    from ..report.labels import status_label

    print(t("cli_status_title", lang, plan=result["plan"], day=fmt.day(result["as_of"])), file=out)
    head = [t(k, lang) for k in ("col_id", "col_actual", "col_target", "col_expected", "col_attainment", "col_status")]
    print(f"{head[0]:<24} {head[1]:>16} {head[2]:>16} {head[3]:>16} {head[4]:>10}  {head[5]}", file=out)
    for r in result["targets"]:
        form = r.get("format", "count")
        print(f"{r['id']:<24} {fmt.target_value(r['actual'], form, lang, short=True):>16} "
              f"{fmt.target_value(r['target'], form, lang, short=True):>16} "
              f"{fmt.target_value(r['expected_by_now'], form, lang, short=True):>16} "
              f"{fmt.percent(r['attainment'], lang):>10}  {status_label(r['status'], lang)}", file=out)
    rep = result["reporting"]
    print(t("cli_status_reporting", lang, expected=rep["expected"], received=rep["received"], on_time=rep["on_time"],
            completeness=fmt.percent(rep["completeness"], lang), timeliness=fmt.percent(rep["timeliness"], lang)),
          file=out)


def cmd_status(args: argparse.Namespace) -> int:
    """Print target attainment and reporting (with --json, the JSON of docs/data-contract.md §5;
    floats rounded to 3)."""
    from ..figures import status_with_previous
    from ..formatting import today
    from ..plan import PlanError
    from ..plan.activities import count_once
    from ..store.current import current_data

    from ..plan.catalogue import load_ref

    try:
        plan = load_ref(args.plan)
        data = current_data(_engine(args), count_once=count_once)  # from the columnar copy when up to date
    except PlanError as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"cannot read the database: {exc}")
    result = status_with_previous(data, plan, args.as_of or today())
    if args.json:
        print(json.dumps(rounded(result), ensure_ascii=False, indent=2))
    else:
        _print_status(result, sys.stdout, args.lang)
    return 0


# ---------------------------------------------------------------------------------------------
# history, revert


def _print_history(rows: list[dict[str, Any]], out: TextIO) -> None:
    print(f"{'id':>6} {'unit':<16} {'period':<8} {'ver':>3} {'cur':<3} {'received':<10} {'rows':>6}  file",
          file=out)
    for r in rows:
        count = sum(r["rows"].values())
        print(f"{r['id']:>6} {r['unit']:<16} {r['period']:<8} {r['version']:>3} {'*' if r['is_current'] else '':<3} "
              f"{r['received_on'] or '':<10} {count:>6}  {r['file_name'] or ''}", file=out)
    if not rows:
        print("(no stored reports)", file=out)


def cmd_history(args: argparse.Namespace) -> int:
    """List stored report versions (``{"versions": [...]}`` with --json)."""
    from ..store.storing import history

    try:
        rows = history(_engine(args), unit=args.unit, period=args.period)
    except SQLAlchemyError as exc:
        return _fail(f"cannot read the database: {exc}")
    if args.json:
        print(json.dumps({"versions": rows}, ensure_ascii=False, indent=2))
    else:
        _print_history(rows, sys.stdout)
    return 0


def cmd_revert(args: argparse.Namespace) -> int:
    """Make the version before VERSION_ID current again."""
    from ..store.storing import StoreError, revert

    try:
        result = revert(_engine(args), args.version_id, actor="cli")
    except StoreError as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"the database refused the change: {exc}")
    print(f"{result['unit']} {result['period']}: version {result['current_version']} "
          f"(id {result['current_version_id']}) is current again instead of version {result['reverted_version']}")
    return 0


# ---------------------------------------------------------------------------------------------
# backup, restore


def _sqlite_file(args: argparse.Namespace) -> Path | None:
    from ..store.engine import sqlite_path

    return sqlite_path(args.db or settings.get_settings().db_url)


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the embedded SQLite database to OUT (consistent even while the dashboard runs)."""
    from ..store.backup import backup
    from ..store.storing import StoreError

    db = _sqlite_file(args)
    if db is None:
        return _fail("backup copies the embedded SQLite database; back up PostgreSQL with pg_dump")
    try:
        out = backup(db, args.out)
    except (StoreError, OSError) as exc:
        return _fail(str(exc))
    print(f"backed up {db} to {out}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the embedded SQLite database with the backup IN (the replaced one is kept beside it)."""
    from ..store.backup import restore
    from ..store.storing import StoreError

    db = _sqlite_file(args)
    if db is None:
        return _fail("restore works on the embedded SQLite database; restore PostgreSQL with pg_restore")
    try:
        result = restore(args.in_path, db, actor="cli")
    except (StoreError, OSError, SQLAlchemyError) as exc:
        return _fail(str(exc))
    saved = f" (the previous database is saved as {result['saved_previous']})" if result["saved_previous"] else ""
    print(f"restored {db} from {args.in_path}{saved}")
    return 0
