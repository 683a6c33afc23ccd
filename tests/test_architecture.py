"""jamstalldhet/ never imports streamlit (checked on the syntax tree, not by text)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

FORBIDDEN = {"streamlit"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value.split(".")[0])
    return names


def test_package_never_imports_streamlit() -> None:
    files = sorted((ROOT / "jamstalldhet").rglob("*.py"))
    assert files
    for f in files:
        assert not imports(f) & FORBIDDEN, f


def test_checker_catches_an_import(tmp_path: Path) -> None:
    f = tmp_path / "x.py"
    f.write_text("def f():\n    from streamlit import cache_data\n", encoding="utf-8")
    assert imports(f) & FORBIDDEN


# --- the direction of the data: file -> reading -> store -> records -> computing -> disclosure ->
# figures and files -> views -> outputs -> entry points (ARCHITECTURE.md). A module may import its
# own layer and the layers above it in this list, never one below.
LAYERS: list[tuple[str, set[str]]] = [
    ("grund", {"schema", "settings", "atomic", "versions", "formatting", "validation", "access", "columnar"}),
    ("läsning", {"personnummer", "cellkey", "canonical", "reading", "typed", "payments_reading", "unknown_values"}),
    ("lagring", {"store", "payment_store", "eventlog", "narrative", "costs", "importing"}),
    ("poster", {"records", "sources", "demo", "demo_payments"}),
    ("beräkning", {"indicators", "stats", "catalogue"}),
    ("röjandekontroll", {"disclosure", "tables", "resources", "payments"}),
    ("figurer och filer", {"charts", "export", "template"}),
    ("vyer", {"presentation", "views", "plan", "payments_view", "resources_view", "kolada"}),
    ("utdata", {"report", "followup"}),
    ("ingångar", {"cli", "__main__", "__init__"}),
]


def package_imports(path: Path) -> set[str]:
    """The jamstalldhet modules a module imports (at the top or inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
            elif node.module and node.module.split(".")[0] == "jamstalldhet":
                parts = node.module.split(".")
                names |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith("jamstalldhet.")}
    return names - {path.stem}


def test_every_module_has_a_layer() -> None:
    modules = {p.stem for p in (ROOT / "jamstalldhet").glob("*.py")}
    placed = set().union(*(m for _, m in LAYERS))
    assert modules == placed, (modules - placed, placed - modules)


def test_dependencies_flow_one_way() -> None:
    layer_of = {m: i for i, (_, mods) in enumerate(LAYERS) for m in mods}
    wrong = []
    for p in sorted((ROOT / "jamstalldhet").glob("*.py")):
        for dep in package_imports(p):
            if dep in layer_of and layer_of[dep] > layer_of[p.stem]:
                wrong.append(f"{p.stem} ({LAYERS[layer_of[p.stem]][0]}) -> {dep} ({LAYERS[layer_of[dep]][0]})")
    assert not wrong, wrong


def test_the_flow_checker_catches_a_reverse_import(tmp_path: Path) -> None:
    f = tmp_path / "store.py"
    f.write_text("def f():\n    from .views import x\n    from jamstalldhet.report import y\n", encoding="utf-8")
    assert package_imports(f) == {"views", "report"}


def test_pages_hold_no_package_internals() -> None:
    """Pages import the package's public modules only; the package never imports pages."""
    for p in sorted((ROOT / "jamstalldhet").glob("*.py")):
        assert "pages" not in imports(p), p
