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
