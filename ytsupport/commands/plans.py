"""``plan``: list the plans, copy one to another year, check a plan file, import a plan file as
a new stored version, export a stored version as a file.

Exit codes: 0 on success (``check``: the plan is valid), 1 on failure (``check``: the problems,
one a line), 64 for wrong arguments.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``plan list|new|check|import|export`` to ``subparsers`` (from ``add_subparsers``)."""
    p = subparsers.add_parser("plan", help="plans: list, new (copy to another year), check, import, export")
    sub = p.add_subparsers(dest="plan_command", required=True)
    ls = sub.add_parser("list", help="the plans of ytsupport/plans and the stored plans' versions")
    ls.add_argument("--db", metavar="URL", default=None)
    ls.set_defaults(handler=cmd_plan_list)
    imp = sub.add_parser("import", help="store a plan file as the next version of a stored plan (audited)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--id", dest="plan_id", default=None, help="the stored plan's id (default: the file name)")
    imp.add_argument("--db", metavar="URL", default=None)
    imp.set_defaults(handler=cmd_plan_import)
    exp = sub.add_parser("export", help="write a stored plan version as a plan file")
    exp.add_argument("plan_id", metavar="ID")
    exp.add_argument("--out", type=Path, required=True, metavar="FILE")
    exp.add_argument("--version", type=int, default=None, help="default: the latest")
    exp.add_argument("--db", metavar="URL", default=None)
    exp.set_defaults(handler=cmd_plan_export)
    new = sub.add_parser("new", help="copy a plan to another year (dates shifted, ids kept)")
    new.add_argument("--from", dest="source", metavar="PLAN_ID_OR_FILE", required=True)
    new.add_argument("--year", type=int, required=True, metavar="YYYY")
    new.add_argument("--out", type=Path, required=True, metavar="FILE")
    new.set_defaults(handler=cmd_plan_new)
    check = sub.add_parser("check", help="check a plan file: exit 0 when valid, 1 with the problems")
    check.add_argument("file", metavar="PLAN_ID_OR_FILE")
    check.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of the problems (default vi)")
    check.set_defaults(handler=cmd_plan_check)


def _problems(where: object, errors: list[str]) -> int:
    """Print a plan's problems, one a line, on standard error; exit code 1."""
    print(f"{where}: {len(errors)} lỗi / problem(s):", file=sys.stderr)
    for error in errors:
        print(f"  - {error}", file=sys.stderr)
    return 1


def cmd_plan_list(args: argparse.Namespace) -> int:
    from .. import formatting as fmt
    from ..plan import PlanError, load_plan
    from ..settings import PLANS_DIR

    for path in sorted(PLANS_DIR.glob("*.yaml")):
        try:
            plan = load_plan(path)
            print(f"{path.stem:<24} {plan.number:<14} {fmt.day(plan.start)} – {fmt.day(plan.end)}")
        except PlanError as exc:
            print(f"{path.stem:<24} ({len(exc.errors)} lỗi / errors: plan check {path})")
    from ..plan.stored import versions
    from ..store import get_engine

    for row in versions(get_engine(args.db)):
        print(f"{row['plan_id']:<24} v{row['version']:<3} {fmt.stamp(row['created_at'])} {row['created_by']}")
    return 0


def cmd_plan_import(args: argparse.Namespace) -> int:
    """Check the file and store it as the next version of ``--id`` (exit 1 with every problem)."""
    from ..plan import PlanError
    from ..plan.stored import save_version
    from ..store import get_engine

    try:
        text = args.file.read_text(encoding="utf-8")
        version = save_version(get_engine(args.db), args.plan_id or args.file.stem, text, actor="cli")
    except OSError as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    except PlanError as exc:
        return _problems(args.file, exc.errors)
    print(f"{args.plan_id or args.file.stem} v{version}")
    return 0


def cmd_plan_export(args: argparse.Namespace) -> int:
    from ..plan.stored import version_text
    from ..store import get_engine

    text = version_text(get_engine(args.db), args.plan_id, args.version)
    if text is None:
        print(f"error: no stored plan {args.plan_id!r}" + (f" version {args.version}" if args.version else ""),
              file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(args.out)
    return 0


def cmd_plan_new(args: argparse.Namespace) -> int:
    """Write the copy of ``--from`` moved to ``--year`` to ``--out``, then check it."""
    from ..plan import PlanError, load_plan
    from ..plan.catalogue import resolve_plan
    from ..plan.copying import copy_plan, dump_raw, read_raw

    if not 1900 < args.year < 3000:
        print(f"error: --year {args.year}: a year such as 2022", file=sys.stderr)
        return 1
    if args.out.exists():
        print(f"error: {args.out} exists; choose another --out", file=sys.stderr)
        return 1
    try:
        source = resolve_plan(args.source)
        load_plan(source)
    except PlanError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    raw = copy_plan(read_raw(source), args.year)
    # the reference files (units, districts…) stay those of the source plan, wherever the copy goes
    refs = raw.get("reference") or {}
    from ..plan.load import resolve_reference

    raw["reference"] = {k: v if resolve_reference(str(v), args.out) == resolve_reference(str(v), source)
                        else str(resolve_reference(str(v), source).resolve()) for k, v in refs.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(f"# Copied from {source.name} to {args.year} (plan new).\n" + dump_raw(raw), encoding="utf-8")
    try:
        plan = load_plan(args.out)
    except PlanError as exc:
        print(f"error: the copy does not check: {exc}", file=sys.stderr)
        return 1
    print(f"{args.out}: {plan.number}, {plan.start.isoformat()} – {plan.end.isoformat()}, {len(plan.targets)} targets")
    return 0


def cmd_plan_check(args: argparse.Namespace) -> int:
    """Exit 0 when the plan is valid; else 1 with every problem, one a line, in ``--lang``, each
    after where it is in the plan (``targets.<id>.roles``)."""
    from ..plan import PlanError, load_plan
    from ..plan.catalogue import resolve_plan

    try:
        plan = load_plan(resolve_plan(args.file))
    except PlanError as exc:
        lines = dict.fromkeys(f"{p.where}: {p.message(args.lang)}" for p in exc.problems)
        return _problems(exc.path, list(lines))
    print(f"OK {plan.number}: {plan.start.isoformat()} – {plan.end.isoformat()}, {len(plan.targets)} targets")
    return 0
