"""The house's rules, checked on the syntax tree (imports inside functions too), never by text.

Data flows one way through the folders of ``jamstalldhet/`` (ARCHITECTURE.md):

    base < intake < compute < disclosure < show < {payments, resources, plan} < app

A folder imports only the folders before it; the three wings (payments, resources, plan) never
import each other; ``app`` (and the package's own ``__init__``/``__main__``) may import any. Another
folder, ``pages/`` or ``dashboard.py`` uses a folder's module only if the folder names it in its
``__all__``. The package never imports streamlit or ``pages``; ``pages/`` has no import cycle.
"""

from __future__ import annotations

import ast
import functools
import shutil
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = "jamstalldhet"
ORDER: dict[str, int] = {"base": 0, "intake": 1, "compute": 2, "disclosure": 3, "show": 4,
                         "payments": 5, "resources": 5, "plan": 5, "app": 6}
WINGS = {"payments", "resources", "plan"}
TOP_FILES = {"__init__.py", "__main__.py"}
FORBIDDEN = {"streamlit", "pages"}


def _module(path: Path, root: Path) -> list[str]:
    """``root/jamstalldhet/base/schema.py`` -> ``["jamstalldhet", "base", "schema"]`` (a package's
    ``__init__`` is the package itself)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def imported(path: Path, root: Path) -> set[str]:
    """Every module a file imports, absolute and dotted, relative imports resolved. For
    ``from X import a`` both ``X`` and ``X.a`` (``a`` may be a module)."""
    return set(_imported(path.read_text(encoding="utf-8"), tuple(_module(path, root)), path.name == "__init__.py"))


@functools.cache
def _imported(text: str, me_: tuple[str, ...], is_init: bool) -> frozenset[str]:
    tree = ast.parse(text)
    me = list(me_)
    package = me if is_init else me[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            names.add(mod)
            names |= {f"{mod}.{a.name}" for a in node.names if a.name != "*"}
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
    return frozenset(names)


def _files(directory: Path) -> Iterator[Path]:
    return (p for p in sorted(directory.rglob("*.py")) if "__pycache__" not in p.parts)


def exported(root: Path) -> dict[str, set[str]]:
    """Each folder's ``__all__`` (the modules other folders may use)."""
    out: dict[str, set[str]] = {}
    for folder in ORDER:
        tree = ast.parse((root / PACKAGE / folder / "__init__.py").read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
                names = set(ast.literal_eval(node.value))
        out[folder] = names
    return out


def violations(root: Path) -> list[str]:
    """Every broken rule of the folders under ``root`` (a checkout or a copy of one)."""
    wrong: list[str] = []
    pkg = root / PACKAGE
    folders = {p.name for p in pkg.iterdir() if p.is_dir() and p.name != "__pycache__"}
    if folders != set(ORDER):
        wrong.append(f"folders {sorted(folders)} are not {sorted(ORDER)}")
    for p in pkg.glob("*.py"):
        if p.name not in TOP_FILES:
            wrong.append(f"{p.relative_to(root)}: a module belongs in a folder")
    public = exported(root)
    for p in _files(pkg):
        me = p.relative_to(pkg).parts[0] if len(p.relative_to(pkg).parts) > 1 else None
        for name in sorted(imported(p, root)):
            parts = name.split(".")
            if parts[0] in FORBIDDEN:
                wrong.append(f"{p.relative_to(root)} imports {name}")
            if parts[0] != PACKAGE or len(parts) < 2 or parts[1] not in ORDER or parts[1] == me:
                continue
            dep = parts[1]
            if len(parts) > 2 and parts[2] not in public[dep] and (pkg / dep / f"{parts[2]}.py").exists():
                wrong.append(f"{p.relative_to(root)} -> {name}: not in {dep}/__init__.py's __all__")
            if me is None or me == "app":
                continue
            if dep in WINGS and me in WINGS:
                wrong.append(f"{p.relative_to(root)} ({me}) -> {name}: wings never import each other")
            elif ORDER[dep] >= ORDER[me]:
                wrong.append(f"{p.relative_to(root)} ({me}) -> {name}: upstream")
    for p in [*_files(root / "pages"), root / "dashboard.py"]:
        for name in sorted(imported(p, root)):
            parts = name.split(".")
            if (parts[0] == PACKAGE and len(parts) > 2 and parts[1] in ORDER and parts[2] not in public[parts[1]]
                    and (pkg / parts[1] / f"{parts[2]}.py").exists()):
                wrong.append(f"{p.relative_to(root)} -> {name}: not in {parts[1]}/__init__.py's __all__")
    return wrong


def page_cycles(root: Path) -> list[list[str]]:
    """Import cycles among the modules of ``pages/``."""
    pages = {p.stem: p for p in (root / "pages").glob("*.py") if p.stem != "__init__"}
    graph = {m: sorted({n.split(".")[1] for n in imported(p, root) if n.startswith("pages.") and n.split(".")[1] in pages} - {m})
             for m, p in pages.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            if state.get(n) == 1:
                cycles.append([*path[path.index(n):], n])
            elif n not in state:
                visit(n, [*path, n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    return cycles


def test_the_folders_keep_their_rules() -> None:
    assert not violations(ROOT), violations(ROOT)


def test_pages_have_no_import_cycle() -> None:
    assert not page_cycles(ROOT)


def test_package_never_imports_streamlit_or_pages() -> None:
    files = list(_files(ROOT / PACKAGE))
    assert len(files) > 40
    for f in files:
        assert not {n.split(".")[0] for n in imported(f, ROOT)} & FORBIDDEN, f


def test_each_folder_says_what_it_holds_and_what_others_may_use() -> None:
    for folder, names in exported(ROOT).items():
        init = ROOT / PACKAGE / folder / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), folder
        assert names, folder
        missing = {n for n in names if not (init.parent / f"{n}.py").exists()}
        assert not missing, (folder, missing)


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / PACKAGE, root / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "templates"))
    shutil.copytree(ROOT / "pages", root / "pages", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "dashboard.py", root / "dashboard.py")
    assert not violations(root)
    return root


def _plant(file: Path, code: str) -> None:
    file.write_text(file.read_text(encoding="utf-8") + code, encoding="utf-8")


def test_the_check_fails_on_a_planted_upward_import(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _plant(root / PACKAGE / "base" / "schema.py", "\n\ndef _planted() -> None:\n    from ..app import cli  # noqa\n")
    assert any("base/schema.py (base) -> jamstalldhet.app" in v and "upstream" in v for v in violations(root)), violations(root)


def test_the_check_fails_on_a_wing_importing_a_wing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _plant(root / PACKAGE / "payments" / "view.py", "\nfrom jamstalldhet.resources import table as _t  # noqa\n")
    assert any("wings never import each other" in v for v in violations(root)), violations(root)


def test_the_check_fails_on_a_module_outside_a_folder_or_all(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / PACKAGE / "loose.py").write_text('"""x"""\n', encoding="utf-8")
    _plant(root / "pages" / "_shared.py", "\nfrom jamstalldhet.intake import canonical  # noqa\n")
    found = violations(root)
    assert any("a module belongs in a folder" in v for v in found), found
    assert any("pages/_shared.py -> jamstalldhet.intake.canonical: not in" in v for v in found), found


def test_the_cycle_check_finds_a_planted_cycle(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _plant(root / "pages" / "_auth.py", "\n\ndef _planted() -> None:\n    from pages import _shared  # noqa\n")
    _plant(root / "pages" / "_shared.py", "\n\ndef _planted2() -> None:\n    from pages._auth import x  # noqa\n")
    assert page_cycles(root)


def test_the_environment_is_read_in_settings_only() -> None:
    """Issue 30: every variable the tool knows is named in base/settings.py and read through
    ``settings.environment`` – no module reads ``os.environ`` or ``os.getenv`` itself."""
    import ast

    readers = []
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        if path.relative_to(ROOT / PACKAGE).as_posix() == "base/settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not readers, readers
