"""The house rules of the code (docs/architecture.md), checked on the source rather than trusted.

Only the Streamlit layer imports streamlit; pages hold no table logic or SQL; modules import each
other without cycles; the environment is read in ``settings.py`` alone; each module name means one
thing; the README's settings table lists exactly the settings the code reads.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from ytsupport.settings import PROJECT_ROOT, documented

PACKAGE = PROJECT_ROOT / "ytsupport"
PAGES = PROJECT_ROOT / "pages"
STREAMLIT_LAYER = (PACKAGE / "dashboard", PAGES, PROJECT_ROOT / "dashboard.py")


def _sources(*roots: Path) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        out += [root] if root.is_file() else sorted(root.rglob("*.py"))
    return out


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PROJECT_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names, lazy imports inside functions included)."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def _imports_of(path: Path, top: str) -> set[str]:
    return {name for name in _imports(path) if name == top or name.startswith(top + ".")}


def test_only_the_streamlit_layer_imports_streamlit() -> None:
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in _sources(PACKAGE)
                 if _imports_of(p, "streamlit") and not p.is_relative_to(PACKAGE / "dashboard")]
    assert offenders == []
    assert all(_imports_of(p, "streamlit") for p in _sources(PAGES)), "the rule is checked on real pages"


def test_pages_hold_no_table_logic_or_sql() -> None:
    for page in _sources(PAGES, PROJECT_ROOT / "dashboard.py"):
        imported = _imports(page)
        assert not {n for n in imported if n.split(".")[0] in ("pandas", "sqlalchemy", "sqlite3", "psycopg")}, page
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\s+\S+\s+(FROM|INTO|SET)\b", text), page
        assert not re.search(r"\.(groupby|pivot_table|merge|iterrows)\(", text), page


def test_pages_call_only_the_dashboard_package() -> None:
    for page in _sources(PAGES, PROJECT_ROOT / "dashboard.py"):
        ours = {n for n in _imports_of(page, "ytsupport") if n != "ytsupport"}
        assert all(n.startswith("ytsupport.dashboard") for n in ours), (page.name, sorted(ours))


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in _sources(PACKAGE)}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        for target in _imports_of(path, "ytsupport"):
            while target not in modules and "." in target:  # "from .x import name": the module is .x
                target = target.rpartition(".")[0]
            if target != name and target in modules:
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_modules_import_each_other_without_cycles() -> None:
    graph = _graph()
    assert len(graph) > 50, "the graph covers the package"
    # A package's __init__ that re-exports its modules is not a cycle of meaning; leave it out.
    without_inits = {m: {t for t in ts if not (PACKAGE.parent / Path(*t.split(".")) / "__init__.py").exists()}
                     for m, ts in graph.items()}
    assert _cycles(without_inits) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_environment_is_read_in_settings_only() -> None:
    offenders = [str(p.relative_to(PROJECT_ROOT)) for p in _sources(PACKAGE, PAGES, PROJECT_ROOT / "dashboard.py")
                 if p != PACKAGE / "settings.py" and re.search(r"os\.environ|os\.getenv|getenv\(", p.read_text("utf-8"))]
    assert offenders == []


def test_each_module_name_means_one_thing() -> None:
    names: dict[str, list[str]] = defaultdict(list)
    for path in _sources(PACKAGE):
        if path.name != "__init__.py":
            names[path.stem].append(str(path.relative_to(PROJECT_ROOT)))
    assert {n: ps for n, ps in names.items() if len(ps) > 1} == {}


def _listed(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^\| `([A-Z_]+)` \| (.*?) \|", text, flags=re.M)


@pytest.mark.parametrize("where", ["README.md", "docs/settings.md"])
def test_the_docs_list_every_setting(where: str) -> None:
    text = (PROJECT_ROOT / where).read_text(encoding="utf-8")
    if where == "README.md":
        text = text.split("### Settings", 1)[1].split("\n### ", 1)[0]
    listed = _listed(text)
    expected = {d["env"]: d["default"] for d in documented()}
    assert {env for env, _ in listed} == set(expected)
    for env, default in listed:
        if expected[env] and not expected[env].startswith("/"):
            assert default == f"`{expected[env]}`", env


# The specification documents beside the checkout are not shipped: what the code and the files
# users get refer to must be the project's own docs/ or README.
UNSHIPPED = re.compile(r"DATA_CONTRACT|PLAN\.md|DESIGN\.md|STYLE\.md|\.\./shared|shared/(?:plan|corpus|domain)/")


def test_nothing_shipped_cites_the_unshipped_specification() -> None:
    roots = (PACKAGE, PAGES, PROJECT_ROOT / "docs", PROJECT_ROOT / "sample_data")
    shipped = [PROJECT_ROOT / "dashboard.py", PROJECT_ROOT / "README.md",
               *sorted(p for root in roots for p in root.rglob("*")
                       if p.is_file() and p.suffix in (".py", ".yaml", ".yml", ".md", ".txt", ".csv", ".toml"))]
    cited = [f"{path.relative_to(PROJECT_ROOT)}:{n}: {line.strip()}" for path in shipped
             for n, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
             if UNSHIPPED.search(line)]
    assert cited == [], "cite docs/ or the README instead:\n" + "\n".join(cited)


def test_the_citation_check_finds_a_citation() -> None:
    assert [bool(UNSHIPPED.search(s)) for s in ('"""Values (DATA_CONTRACT §2)."""', "# see ../shared/plan",
                                                "docs/data-contract.md §2", "shared strings")] == [
        True, True, False, False]
