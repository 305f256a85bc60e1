"""The reader over real spreadsheets from public test suites (../shared/corpus/public).

Odd, broken, exotic and hostile files: each must end, within 20 s and within the reader's default
memory limit (1 GB: a file that would need more is refused by the pre-check), as a RawWorkbook
that has sheets or file-level issues whose codes have messages, with nothing escaping; all through
ONE reused worker process, restarted only after a crash or timeout.

``make test`` (CI unset) reads a deterministic sample spread over the source projects plus the
known hazards; ``CI=true`` (or ``-m corpus``) reads every file, and fails when the corpus is
missing.
"""
from __future__ import annotations

import csv
import hashlib
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from ytsupport.ingest.messages import MESSAGES
from ytsupport.ingest.records import RawWorkbook, Report
from ytsupport.ingest.precheck import precheck
from ytsupport.ingest.validate import validate_raw
from ytsupport.ingest.worker import ReaderWorker
from ytsupport.settings import Limits

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "public"
MANIFEST = CORPUS / "MANIFEST.tsv"
SAMPLE_SIZE = 60
PER_FILE_S = 20.0
LIMITS = Limits(worker_timeout_s=15.0)  # the worker's cut-off, leaving room for a restart within 20 s
WORKER_FAILURES = frozenset({"crashed", "timed_out", "out_of_memory"})
# Files known to abort, exhaust or trip the parsers: always part of the sample.
HAZARDS = (
    "ExcelDataReader/src/TestData/Test_git_issue_382_oom.xls",
    "calamine/tests/OOM_alloc.xls",
    "calamine/tests/issue_594_dos.ods",
    "calamine/tests/ptgexp-truncated-operand.xls",
    "poi/test-data/spreadsheet/poc-xmlbomb.xlsx",
    "poi/test-data/spreadsheet/clusterfuzz-testcase-minimized-POIHSSFFuzzer-5816431116615680.xls",
    "poi/test-data/spreadsheet/poc-shared-strings.xlsx",
    "ExcelDataReader/src/TestData/agile_AES128_SHA1_CBC_pwd_password.xlsx",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def manifest_files() -> list[str]:
    """Every file the manifest lists (paths relative to the corpus folder)."""
    with open(MANIFEST, encoding="utf-8", newline="") as fh:
        return [row["file"] for row in csv.DictReader(fh, delimiter="\t")]


def sample(files: list[str], size: int = SAMPLE_SIZE) -> list[str]:
    """A deterministic sample: the hazards, then round-robin over the source projects, each in hash order."""
    groups: dict[str, list[str]] = {}
    for name in sorted(files, key=lambda f: hashlib.sha1(f.encode()).hexdigest()):
        groups.setdefault(name.split("/", 1)[0], []).append(name)
    chosen = [h for h in HAZARDS if h in files]
    queues = [iter(groups[key]) for key in sorted(groups)]
    while len(chosen) < size and queues:
        for queue in list(queues):
            name = next(queue, None)
            if name is None:
                queues.remove(queue)
            elif name not in chosen and len(chosen) < size:
                chosen.append(name)
    return chosen


@dataclass
class Outcome:
    name: str
    seconds: float
    label: str
    problems: list[str]


def outcome_label(result: RawWorkbook) -> str:
    """``sheets`` or the first file-level issue as ``code:reason``."""
    issue = next((i for i in result.issues if i.sheet is None), None)
    if issue is None:
        return "sheets" if result.sheets else "nothing"
    return f"{issue.code}:{issue.params.get('reason') or issue.params.get('limit') or ''}".rstrip(":")


def problems_of(result: object, restarted: int) -> list[str]:
    """Broken promises in one result (empty when all is well)."""
    if not isinstance(result, RawWorkbook):
        return [f"not a RawWorkbook: {type(result).__name__}"]
    problems = []
    file_level = [i for i in result.issues if i.sheet is None]
    if not result.sheets and not file_level:
        problems.append("neither sheets nor file-level issues")
    for issue in result.issues:
        if issue.code not in MESSAGES:
            problems.append(f"issue code without a message: {issue.code}")
        else:
            issue.message("vi"), issue.message("en")  # noqa: B018 - must render
    reason = file_level[0].params.get("reason") if file_level else None
    if restarted != (1 if reason in WORKER_FAILURES else 0):
        problems.append(f"worker restarted {restarted} times for outcome {reason}")
    for sheet in result.sheets:
        if sheet.data is not None:
            width = max((len(row) for row in sheet.top), default=0)
            if list(sheet.data.columns) != list(range(sheet.data.shape[1])) or sheet.data.shape[1] > width:
                problems.append(f"sheet {sheet.name!r}: data columns not aligned with top")
            if not isinstance(sheet.data_first_row, int) or sheet.data_first_row <= sheet.first_row:
                problems.append(f"sheet {sheet.name!r}: bad data_first_row {sheet.data_first_row}")
    return problems


def validation_problems(report: Report) -> list[str]:
    """The whole check on top of the read: ok / invalid / unreadable, and a message unless ok."""
    if report.status not in ("ok", "invalid", "unreadable"):
        return [f"status {report.status!r}"]
    if report.status != "ok" and not any(i.severity == "error" and i.message("vi") for i in report.issues):
        return [f"{report.status} without an error message"]
    return []


def read_one(reader: ReaderWorker, name: str) -> Outcome:
    """Pre-check and read one corpus file through the shared worker, as read_isolated does."""
    path = CORPUS / name
    started, restarts = time.perf_counter(), reader.restarts
    try:
        issues = precheck(path, LIMITS)
        result = RawWorkbook(str(path), path.suffix, issues=issues) if issues else reader.read(path, LIMITS)
        label, problems = outcome_label(result), problems_of(result, reader.restarts - restarts)
        problems += validation_problems(validate_raw(result, path, limits=LIMITS))
    except BaseException as exc:  # noqa: BLE001 - anything escaping is the failure under test
        label, problems = "raised", [f"{type(exc).__name__}: {exc}"]
    seconds = time.perf_counter() - started
    if label == "unreadable:out_of_memory":  # every corpus file stays within the reader's memory limit
        problems.append(f"the reader needed more than {LIMITS.worker_memory_mb} MB; the pre-check must predict it")
    if seconds > PER_FILE_S:
        problems.append(f"took {seconds:.1f} s")
    return Outcome(name, seconds, label, problems)


def summary(outcomes: list[Outcome], total: float) -> str:
    counts = Counter(o.label for o in outcomes)
    slowest = sorted(outcomes, key=lambda o: -o.seconds)[:5]
    return (f"{len(outcomes)} files in {total:.1f} s; outcomes: {dict(counts.most_common())}; slowest: "
            + ", ".join(f"{o.name} {o.seconds:.2f} s" for o in slowest))


def run_pass(reader: ReaderWorker, names: list[str]) -> None:
    started = time.perf_counter()
    outcomes = [read_one(reader, name) for name in names]
    report = summary(outcomes, time.perf_counter() - started)
    print(report)
    failures = [f"{o.name}: {'; '.join(o.problems)}" for o in outcomes if o.problems]
    assert not failures, "\n".join(failures[:50] + [report])


def require_corpus() -> None:
    """Fail in CI when the corpus is missing; skip elsewhere."""
    if MANIFEST.exists():
        return
    if in_ci():
        pytest.fail(f"the corpus is missing in CI: {MANIFEST}")
    pytest.skip(f"corpus not present: {MANIFEST}")


@pytest.fixture(scope="module")
def reader() -> Iterator[ReaderWorker]:
    """ONE worker for the whole pass, restarted only after a crash or timeout."""
    instance = ReaderWorker()
    yield instance
    instance.close()


def test_corpus_sample(reader: ReaderWorker) -> None:
    """A deterministic sample (~60 files) of the corpus, hazards included (CI also reads it all)."""
    require_corpus()
    run_pass(reader, sample(manifest_files()))


@pytest.mark.corpus
def test_corpus_full(reader: ReaderWorker, request: pytest.FixtureRequest) -> None:
    """Every corpus file: with CI=true, or when selected with ``-m corpus``."""
    selected = "corpus" in (request.config.option.markexpr or "") and \
        "not corpus" not in request.config.option.markexpr
    if not (in_ci() or selected):
        pytest.skip("the full corpus pass runs with CI=true or -m corpus")
    require_corpus()
    run_pass(reader, manifest_files())


def test_sample_is_deterministic_and_spread() -> None:
    files = [f"{src}/f{i}.xlsx" for src in ("a", "b", "c") for i in range(30)] + list(HAZARDS[:2])
    chosen = sample(files, 20)
    assert chosen == sample(list(reversed(files)), 20)
    assert chosen[:2] == list(HAZARDS[:2]) and len(chosen) == 20 == len(set(chosen))
    assert {c.split("/")[0] for c in chosen[2:]} == {"a", "b", "c"}
