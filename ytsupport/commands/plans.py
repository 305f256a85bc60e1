"""``plan``: list the plans, copy one to another year, check a plan file.

Exit codes: 0 on success (``check``: the plan is valid), 1 on failure (``check``: the problems,
one a line), 64 for wrong arguments.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    """Add ``plan list|new|check`` to ``subparsers`` (from ``ArgumentParser.add_subparsers``)."""
    p = subparsers.add_parser("plan", help="plans: list, new (copy to another year), check")
    sub = p.add_subparsers(dest="plan_command", required=True)
    ls = sub.add_parser("list", help="the plans of ytsupport/plans: id, number, period")
    ls.set_defaults(handler=cmd_plan_list)
    new = sub.add_parser("new", help="copy a plan to another year (dates shifted, ids kept)")
    new.add_argument("--from", dest="source", metavar="PLAN_ID_OR_FILE", required=True)
    new.add_argument("--year", type=int, required=True, metavar="YYYY")
    new.add_argument("--out", type=Path, required=True, metavar="FILE")
    new.set_defaults(handler=cmd_plan_new)
    check = sub.add_parser("check", help="check a plan file: exit 0 when valid, 1 with the problems")
    check.add_argument("file", metavar="PLAN_ID_OR_FILE")
    check.set_defaults(handler=cmd_plan_check)


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
    from ..plan import PlanError, load_plan
    from ..plan.catalogue import resolve_plan

    try:
        plan = load_plan(resolve_plan(args.file))
    except PlanError as exc:
        print(f"{exc.path}: {len(exc.errors)} lỗi / problem(s):", file=sys.stderr)
        for error in exc.errors:
            print(f"  - {error}", file=sys.stderr)
        return 1
    print(f"OK {plan.number}: {plan.start.isoformat()} – {plan.end.isoformat()}, {len(plan.targets)} targets")
    return 0
