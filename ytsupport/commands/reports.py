"""Command-line subcommands: ``report`` (meeting report file) and ``snapshot`` (create, list, compare).

``register(subparsers)`` adds them to the main parser (``ytsupport/cli.py``); each subcommand sets
``handler`` (and ``func``) taking the parsed arguments and returning the exit code: 0 on success,
1 on failure with a message on stderr (docs/data-contract.md §5, exit codes).

    report --out FILE [--db URL] [--as-of YYYY-MM-DD] [--snapshot NAME] [--since NAME] [--lang vi|en]
    snapshot create NAME [--db URL] [--as-of YYYY-MM-DD] [--by ACTOR]
    snapshot list [--db URL] [--json]
    snapshot compare NAME [--db URL] [--as-of YYYY-MM-DD] [--json] [--lang vi|en]
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from .. import formatting as fmt
from ..i18n import t
from ..report.labels import status_label


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _common(parser: argparse.ArgumentParser, as_of: bool = True) -> None:
    parser.add_argument("--db", metavar="URL", default=None,
                        help="database URL (default: YTSUPPORT_DB_URL or the embedded SQLite file)")
    if as_of:
        parser.add_argument("--as-of", metavar="YYYY-MM-DD", type=_day, default=None, help="default: today")


def _add_report(subparsers: Any) -> None:
    p = subparsers.add_parser("report", help="meeting report (format from the extension: .xlsx .docx .pdf .html)")
    p.add_argument("--out", metavar="FILE", required=True)
    _common(p)
    p.add_argument("--snapshot", metavar="NAME", default=None, help="report the figures frozen in this snapshot")
    p.add_argument("--since", metavar="NAME", default="latest",
                   help="compare with this snapshot (default: the latest one before the as-of date)")
    p.add_argument("--lang", choices=("vi", "en"), default="vi")
    p.set_defaults(func=cmd_report, handler=cmd_report)


def _add_snapshot(subparsers: Any) -> None:
    p = subparsers.add_parser("snapshot", help="freeze the figures for a meeting; list; compare with now")
    sub = p.add_subparsers(dest="snapshot_command", required=True, parser_class=type(p))
    c = sub.add_parser("create", help="freeze the current status and aggregates under a name")
    c.add_argument("name", metavar="NAME")
    _common(c)
    c.add_argument("--by", metavar="ACTOR", default="cli", help="who takes the snapshot (default: cli)")
    c.set_defaults(func=cmd_snapshot_create, handler=cmd_snapshot_create)
    ls = sub.add_parser("list", help="the snapshots, newest first")
    _common(ls, as_of=False)
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_snapshot_list, handler=cmd_snapshot_list)
    cmp = sub.add_parser("compare", help="what changed since a snapshot")
    cmp.add_argument("name", metavar="NAME")
    _common(cmp)
    cmp.add_argument("--json", action="store_true", help="machine-readable: the comparison as JSON")
    cmp.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the text (default: vi)")
    cmp.set_defaults(func=cmd_snapshot_compare, handler=cmd_snapshot_compare)


def register(subparsers: Any) -> None:
    """Add ``report`` and ``snapshot`` to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    _add_report(subparsers)
    _add_snapshot(subparsers)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _engine(args: argparse.Namespace) -> Any:
    from ..store import get_engine

    return get_engine(args.db)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the meeting report to --out; the format comes from its extension."""
    from ..plan import PlanError
    from ..report.export import ReportError, format_of, write_report

    try:
        format_of(args.out)
        path = write_report(_engine(args), args.out, as_of=args.as_of, snapshot=args.snapshot, lang=args.lang,
                            actor="cli", since=args.since)
    except (ReportError, PlanError) as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"cannot read the database: {exc}")
    except OSError as exc:
        return _fail(f"cannot write {args.out}: {exc}")
    print(path)
    return 0


def cmd_snapshot_create(args: argparse.Namespace) -> int:
    from ..plan import PlanError
    from ..report.snapshots import SnapshotError, create_snapshot

    try:
        snap = create_snapshot(_engine(args), args.name, args.as_of, created_by=args.by)
    except (SnapshotError, PlanError) as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"the database refused the snapshot: {exc}")
    print(f"snapshot #{snap.id} {snap.name!r} as of {snap.as_of.isoformat()} (data version {snap.data_version})")
    return 0


def cmd_snapshot_list(args: argparse.Namespace) -> int:
    import json

    from ..report.snapshots import list_snapshots

    try:
        snaps = list_snapshots(_engine(args))
    except SQLAlchemyError as exc:
        return _fail(f"cannot read the database: {exc}")
    if args.json:
        print(json.dumps({"snapshots": [s.to_json() for s in snaps]}, ensure_ascii=False, indent=2))
        return 0
    for s in snaps:
        print(f"#{s.id:<4} {s.as_of.isoformat()}  {s.created_at:%Y-%m-%d %H:%M}  {s.created_by:<12} {s.name}")
    if not snaps:
        print("(no snapshots)")
    return 0


def _target_line(change: dict[str, Any], lang: str) -> str:
    label = change["label"].get(lang) or change["label"].get("vi") or change["id"]
    value = {when: fmt.target_value(change[f"actual_{when}"], change["format"], lang) for when in ("then", "now")}
    status = {when: status_label(change[f"status_{when}"], lang) if change[f"status_{when}"] else "–"
              for when in ("then", "now")}
    return (f"  • {label}: {t('col_actual', lang)} {value['then']} → {value['now']}; "
            f"{t('col_status', lang)} {status['then']} → {status['now']}")


def _report_line(report: dict[str, Any], lang: str) -> str:
    flags = [t(key, lang) for key, on in (("late_flag", report["late"]), ("correction", report["correction"])) if on]
    line = t("compare_report_line", lang, unit=report["unit_name"], month=fmt.month_number(report["period"]),
             version=report["version"], day=fmt.day(report["received_on"]), due=fmt.day(report["due_on"]))
    return f"  • {line}" + (f" ({', '.join(flags)})" if flags else "")


def comparison_text(result: dict[str, Any], lang: str = "vi") -> str:
    """``snapshot.compare``'s result in words for people, in ``lang``: dates as 30/6/2021, each
    target's values in its own format (counts, percentages, đồng), statuses and report flags as
    the dashboard words them."""
    then, now = fmt.day(result["as_of_then"]), fmt.day(result["as_of_now"])
    lines = [t("compare_heading", lang, name=result["snapshot"]["name"], then=then, now=now), ""]
    sections = ((t("targets_changed", lang), t("targets_unchanged", lang),
                 [_target_line(c, lang) for c in result["targets"]]),
                (t("received_between", lang, then=then, now=now), t("received_none", lang),
                 [_report_line(r, lang) for r in result["received_since"]]),
                (t("newly_missing", lang), t("newly_missing_none", lang),
                 [f"  • {u['unit_name']}: {t('month_short', lang, months=fmt.month_list(u['months']))}"
                  for u in result["newly_missing"]]))
    for title, none, items in sections:
        lines += [f"{title}:", *(items or [f"  {none}"]), ""]
    return "\n".join(lines).rstrip()


def cmd_snapshot_compare(args: argparse.Namespace) -> int:
    from ..plan import PlanError
    from ..report.snapshots import SnapshotError, compare, compare_json

    try:
        result = compare(_engine(args), args.name, as_of=args.as_of)
    except (SnapshotError, PlanError) as exc:
        return _fail(str(exc))
    except SQLAlchemyError as exc:
        return _fail(f"cannot read the database: {exc}")
    if args.json:
        print(compare_json(result))
    else:
        print(comparison_text(result, args.lang))
    return 0
