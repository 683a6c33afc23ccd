"""Issue 30: the package's exceptions for the user share one base class (base/errors.UserError), so the
command line (and a page) catches them in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import jamstalldhet
from jamstalldhet.app import cli
from jamstalldhet.base.errors import StoreError, UserError

#: exceptions that are signals inside the code, not a message for the user
INTERNAL = {"jamstalldhet.intake.reading.BadRows"}


def _exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(jamstalldhet.__path__, "jamstalldhet."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == info.name:
                found[f"{info.name}.{name}"] = obj
    return found


def test_every_error_of_the_package_is_a_user_error() -> None:
    found = _exceptions()
    assert {"jamstalldhet.base.errors.StoreError", "jamstalldhet.compute.catalogue.CatalogueError",
            "jamstalldhet.resources.prices.CostError", "jamstalldhet.app.kolada.KoladaError"} <= set(found)
    assert len(found) >= 14
    wrong = sorted(name for name, cls in found.items() if name not in INTERNAL and not issubclass(cls, UserError))
    assert not wrong, wrong


def test_the_old_bases_still_hold() -> None:
    """Code that caught ValueError or RuntimeError still catches the same errors."""
    from jamstalldhet.app.report import ReportError
    from jamstalldhet.base.settings import SettingsError
    from jamstalldhet.intake import store
    from jamstalldhet.payments import store as payment_store

    assert issubclass(SettingsError, ValueError) and issubclass(ReportError, RuntimeError)
    assert store.StoreError is payment_store.StoreError is StoreError and issubclass(StoreError, RuntimeError)


def test_the_command_line_says_a_user_error_once(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    def refused(_args: object) -> int:
        raise StoreError("Lagringen säger nej.")

    monkeypatch.setattr(cli, "_cmd_demo", refused)
    assert cli.main(["demo", "--out", str(tmp_path / "x.parquet")]) == cli.EXIT_INVALID
    err = capsys.readouterr().err
    assert err == "fel: Lagringen säger nej.\n"
