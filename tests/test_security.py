"""Issue 23 without a server: the rules behind sign-in, uploads, masking and the event log.

Each test names the finding of issue 23 it covers; tests/e2e/test_security.py attacks a real server.
"""

from __future__ import annotations

import io
import os
import secrets
import time
import zipfile
from pathlib import Path

import pytest

from jamstalldhet.base import access, eventlog
from jamstalldhet.base.eventlog import mask
from jamstalldhet.base.formatting import markdown_text
from jamstalldhet.intake import importing, reading, store
from tests.conftest import ROOT, small_unit

EXAMPLE = access.load_secrets([ROOT / ".streamlit" / "secrets.example.toml"])


def _auth(secret: str) -> dict[str, object]:
    return {"auth": {**EXAMPLE["auth"], "cookie_secret": secret}}


# --- finding 3: a cookie_secret that protects nothing is refused ------------------------------------

@pytest.mark.parametrize("secret", [EXAMPLE["auth"]["cookie_secret"], "x", "a" * 64, "abcdefghij" * 4,
                                    "byt-ut-mot-82f3185c304132d6c08b9c2298fcfe96", ""])
def test_finding_3_weak_or_example_cookie_secret_refused(secret: str) -> None:
    problem = access.cookie_secret_problem(_auth(secret))
    assert problem is not None and "token_hex(32)" in problem  # says how to make one
    with pytest.raises(access.AccessConfigError):
        access.bind_address(_auth(secret))


def test_finding_3_a_random_secret_is_accepted_and_make_run_refuses_the_example(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(200):
        assert access.cookie_secret_problem(_auth(secrets.token_hex(16))) is None
        assert access.cookie_secret_problem(_auth(secrets.token_urlsafe(32))) is None
    assert access.cookie_secret_problem({}) is None  # no sign-in: nothing to sign
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_bytes((ROOT / ".streamlit" / "secrets.example.toml").read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "hem"))
    monkeypatch.delenv(access.ADDRESS_ENV, raising=False)
    assert access.main() == 2
    assert "cookie_secret" in capsys.readouterr().err


# --- finding 4: sign-ins end -------------------------------------------------------------------------

def test_finding_4_a_sign_in_ends_after_the_maximum_and_on_sign_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    now = time.time()
    monkeypatch.delenv(access.SESSION_HOURS_ENV, raising=False)
    limit = access.session_max_seconds()
    assert limit == 8 * 3600
    assert not access.session_expired({"iat": int(now) - 60}, now, limit)
    assert access.session_expired({"iat": int(now - 29 * 86400)}, now, limit)  # the 29-day-old cookie
    assert access.session_expired({"iat": int(now - limit - 1)}, now, limit)
    assert access.session_expired({}, now, limit)  # no time: not trusted
    monkeypatch.setenv(access.SESSION_HOURS_ENV, "1")
    assert access.session_max_seconds() == 3600
    monkeypatch.setenv(access.SESSION_HOURS_ENV, "aldrig")
    with pytest.raises(access.AccessConfigError):
        access.session_max_seconds()
    claims = {"sub": "u", "iat": int(now), "nonce": "n1"}
    fp = eventlog.fingerprint(access.sign_in_parts(claims))
    assert not eventlog.signed_out(tmp_path, fp)
    eventlog.sign_out(tmp_path, fp)
    assert eventlog.signed_out(tmp_path, fp)
    again = eventlog.fingerprint(access.sign_in_parts({**claims, "iat": int(now) + 5, "nonce": "n2"}))
    assert not eventlog.signed_out(tmp_path, again)  # a new sign-in of the same user counts


# --- finding 5: no personnummer on disk ------------------------------------------------------------

def test_finding_5_upload_folder_is_removed_also_on_error_and_leftovers_at_start(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), importing.upload_folder(tmp_path) as folder:
        importing.upload_path(folder, "19850314-2385.csv").write_text("19850314-2385")
        assert list(tmp_path.iterdir())
        raise RuntimeError
    assert not list(tmp_path.iterdir())
    assert importing.upload_path(tmp_path, "lista 19850314-2385.CSV").name == "fil.csv"  # no name on disk
    legacy = tmp_path / (importing.UPLOAD_PREFIX + "k2j3h4")  # an older server's folder
    dead = tmp_path / f"{importing.UPLOAD_PREFIX}999999999-ab"  # a pid that cannot run
    live = tmp_path / f"{importing.UPLOAD_PREFIX}{os.getpid()}-cd"  # this process: in use
    for f in (legacy, dead, live):
        (f / "x").mkdir(parents=True)
        (f / "x" / "deltagare.csv").write_text("19850314-2385")
    assert set(importing.remove_leftover_uploads(tmp_path)) == {legacy, dead}
    assert live.exists() and not legacy.exists() and not dead.exists()


def test_finding_5_the_import_page_leaves_nothing_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from streamlit.testing.v1 import AppTest

    system_tmp = Path(tempfile.gettempdir())
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    corpus = ROOT / "tests" / "data" / "import"
    names = ("cp1252_semikolon.csv", "fel_ogiltigt_personnummer.csv")
    for name in names:
        at = AppTest.from_file(str(ROOT / "pages" / "importera.py"), default_timeout=90).run()
        at.file_uploader[0].set_value((name, (corpus / name).read_bytes(), "text/csv")).run()
        assert not at.exception
        commit = [b for b in at.button if b.label == "Lagra"]
        if commit:
            commit[0].click().run()
            assert at.success
        assert not list(tmp.rglob("*")), name
    uploaded = {(corpus / name).read_bytes() for name in names}
    for base in (tmp, system_tmp):  # (a folder made before the test, at import, would be in the system's)
        left = [f for f in base.glob(importing.UPLOAD_PREFIX + "*/**/*") if f.is_file() and f.read_bytes() in uploaded]
        assert not left, left


# --- finding 8: the unpacked size of an xlsx is relative to the file -----------------------------------

def test_finding_8_a_small_xlsx_that_unpacks_to_60_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<c/>" * 15_000_000)  # 60 MB of one pattern
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 1_000_000
    assert reading.xlsx_unpacked_limit(path.stat().st_size) < 60_000_000
    result = reading.read_checked(path, "bomb.xlsx")
    assert isinstance(result, list) and any("packas upp" in str(p) for p in result)
    assert reading.xlsx_unpacked_limit(10_000_000) == 1_000_000_000  # 100 × the file …
    assert reading.xlsx_unpacked_limit(10**9) == reading.max_xlsx_unpacked_bytes()  # … never above the cap


# --- finding 10: every personnummer form is masked, in the log and in the manifest ----------------------

FORMS = ["19850314-2385", "198503142385", "850314-2385", "8503142385", "850314+2385", "19850314 2385", "850314 2385"]


@pytest.mark.parametrize("form", FORMS)
def test_finding_10_every_form_is_masked(form: str, tmp_path: Path) -> None:
    assert mask(f"lista {form}.csv") == "lista [maskerat].csv"
    e = eventlog.append(tmp_path, "u", "u@x.se", eventlog.IMPORT, f"lista_{form}.csv (b1)")
    assert form not in eventlog.path(tmp_path).read_text(encoding="utf-8") and "[maskerat]" in e.object
    df = small_unit()
    batch = store.commit(tmp_path / "lager", df, f"{form}.csv", store.plan(tmp_path / "lager", df, "y" * 64))
    assert batch is not None and form not in batch.file
    manifest = (tmp_path / "lager" / "manifest.json").read_text(encoding="utf-8")
    assert form not in manifest and form.replace(" ", "") not in manifest


def test_finding_10_dates_and_years_stay() -> None:
    assert mask("deltagare_2018-01-01_2024.csv") == "deltagare_2018-01-01_2024.csv"


# --- finding 11: a file name is text -----------------------------------------------------------------

def test_finding_11_a_markdown_file_name_is_escaped() -> None:
    name = "[klicka här](https://example.invalid/x) ![b](https://example.invalid/p.png) <b>x</b> www.example.invalid.csv"
    shown = markdown_text(name)
    for raw in ("](", "![", "<b>", "www.", "https://"):
        assert raw not in shown
    assert shown.replace("\\", "") == name  # every character is still there, as text


# --- finding 7: no network address without sign-in ----------------------------------------------------

def test_finding_7_a_network_address_without_sign_in_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert access.serving_problem({}, "0.0.0.0", trusted=False) is not None  # noqa: S104
    assert access.serving_problem({}, None, trusted=False) is not None  # Streamlit's default: all interfaces
    assert access.serving_problem({}, "127.0.0.1", trusted=False) is None
    assert access.serving_problem({}, "0.0.0.0", trusted=True) is None  # noqa: S104 – declared trusted
    assert access.serving_problem(_auth(secrets.token_hex(32)), "0.0.0.0", trusted=False) is None  # noqa: S104
    monkeypatch.setenv(access.TRUSTED_ENV, "ja")
    assert access.bind_address({}, "0.0.0.0") == "0.0.0.0"  # noqa: S104


# --- finding 6: uploads limited to what an export needs -------------------------------------------------

def test_finding_6_upload_size_is_100_mb() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 100
    assert "maxUploadSize" in (ROOT / "README.md").read_text(encoding="utf-8")
