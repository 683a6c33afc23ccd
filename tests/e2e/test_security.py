# ruff: noqa: F811 – the provider fixture is imported from test_auth and named as a parameter
"""Issue 23 against a real server: what an attacker with no cookie, an old cookie or a copied cookie
gets, and what the server leaves on disk. oidc-provider-mock, Chromium and plain HTTP requests.

Each test names the finding of issue 23 it covers (and fails on the code before the fix)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jamstalldhet.base import eventlog
from jamstalldhet.intake import importing
from tests.conftest import ROOT
from tests.e2e.conftest import _free_port, wait_for_app
from tests.e2e.test_auth import GROUPS, _download, _idle, _open, _signed_in, _wait_healthy, provider  # noqa: F401

pytestmark = pytest.mark.slow  # a real browser and server: left out of make test-fast

KEY = "testnyckel-inte-hemlig"  # the pseudonym key of tests/conftest.py: the test rebuilds the server's noise
CORPUS = ROOT / "tests" / "data" / "import"


def _start(tmp: Path, secrets_text: str | None, address: str = "127.0.0.1", extra: dict[str, str] | None = None
           ) -> tuple[subprocess.Popen[bytes], str, Any]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    texts = tmp / "uppfoljning"
    if not texts.exists():
        shutil.copytree(ROOT / "data" / "uppfoljning", texts)
    (tmp / "tmp").mkdir(exist_ok=True)
    home = tmp / "hem"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "JAMSTALLDHET_STORE": str(tmp / "lager"), "JAMSTALLDHET_TEXTS": str(texts), "JAMSTALLDHET_KEY": KEY,
           "TMPDIR": str(tmp / "tmp"), "HOME": str(home), "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(extra or {})}
    for name in ("JAMSTALLDHET_KEY_FILE", "JAMSTALLDHET_BETRODD_NATVERK", "JAMSTALLDHET_K"):
        env.pop(name, None)
    args = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port), "--server.address", address,
            "--server.fileWatcherType", "none"]
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(secrets_text or "", encoding="utf-8")
    args += ["--secrets.files", str(secrets_file)]
    log = tmp / f"streamlit-{port}.log"
    out = open(log, "wb")  # noqa: SIM115 – closed by the caller, with the server
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    _wait_healthy(url, proc, log)
    return proc, url, out


def _secrets(url: str, provider_url: str, cookie_secret: str) -> str:
    return (f'[auth]\nredirect_uri = "{url}/oauth2callback"\ncookie_secret = "{cookie_secret}"\n'
            f'client_id = "jamstalldhet"\nclient_secret = "{secrets.token_hex(16)}"\n'
            f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n\n'
            '[roller]\nclaim = "groups"\nanalytiker = ["jamstalldhet-analytiker"]\nforvaltare = ["jamstalldhet-forvaltare"]\n')


@pytest.fixture(scope="module")
def secure(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, str, Path]]:
    """The dashboard with sign-in, its own TMPDIR; yields URL, store, cookie secret and TMPDIR."""
    tmp = tmp_path_factory.mktemp("sakerhet")
    cookie_secret = secrets.token_hex(32)
    # a crashed server's upload folder, left in TMPDIR: removed at start
    (tmp / "tmp" / (importing.UPLOAD_PREFIX + "kvar") / "x").mkdir(parents=True)
    (tmp / "tmp" / (importing.UPLOAD_PREFIX + "kvar") / "x" / "deltagare.csv").write_bytes((CORPUS / "cp1252_semikolon.csv").read_bytes())
    # the redirect URI names the port: the secrets are written once the port is chosen
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    texts = tmp / "uppfoljning"
    shutil.copytree(ROOT / "data" / "uppfoljning", texts)
    (tmp / "hem").mkdir()
    (tmp / "secrets.toml").write_text(_secrets(url, provider, cookie_secret), encoding="utf-8")
    env = {**os.environ, "JAMSTALLDHET_STORE": str(tmp / "lager"), "JAMSTALLDHET_TEXTS": str(texts), "JAMSTALLDHET_KEY": KEY,
           "TMPDIR": str(tmp / "tmp"), "HOME": str(tmp / "hem"), "STREAMLIT_SERVER_HEADLESS": "true",
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    for name in ("JAMSTALLDHET_KEY_FILE", "JAMSTALLDHET_BETRODD_NATVERK", "JAMSTALLDHET_K"):
        env.pop(name, None)
    log = tmp / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port), "--server.address", "127.0.0.1",
             "--secrets.files", str(tmp / "secrets.toml"), "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, proc, log)
            yield url, tmp / "lager", cookie_secret, tmp / "tmp"
        finally:
            proc.terminate()
            proc.wait(10)
    # finding 5, after the server stops: nothing with a personnummer in its TMPDIR
    assert not _files_with_personnummer(tmp / "tmp")


def _get(url: str) -> int:
    """The status of a GET with no cookie at all (another machine, another user)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _media_url(base: str, data: bytes, mime: str, name: str) -> str:
    """Where Streamlit serves these bytes: /media/ + an unkeyed hash of bytes, MIME type and name."""
    from streamlit.runtime.memory_media_file_storage import _calculate_file_id, get_extension_for_mimetype

    return f"{base}/media/{_calculate_file_id(data, mime, name)}{get_extension_for_mimetype(mime)}"


def _candidates(base: str, k: int) -> list[str]:
    """The /media/ addresses of the CSV files of *Makt och mäns våld mot kvinnor* 2018 as the page
    would hand them to Streamlit, rebuilt with the project's own code (k=0: the exact internal figures)."""
    from jamstalldhet.app import sources
    from jamstalldhet.compute import catalogue
    from jamstalldhet.disclosure.control import file_name
    from jamstalldhet.disclosure.tables import indicator_table
    from jamstalldhet.show import export, views

    prep, _ = sources.load_prepared(sources.Source("demo"))
    assert prep is not None
    c = catalogue.load()
    area = next(a for a in c.malomraden if a.url == "vald")
    filters = views.default_filters(area)
    mv = views.malomrade_from(indicator_table(prep, 2018, k=k, filters=filters), c, area, 2018, filters)
    urls = []
    for view in mv.indicators:
        name = file_name(mv.stem(view.id), mv.pub.internal)
        # the machine CSV depends on the figures alone (CSV för Excel also names the source and its date)
        urls.append(_media_url(base, export.machine_csv(view.export), "text/csv", f"{name}_punkt.csv"))
    return urls


def _files_with_personnummer(folder: Path) -> list[Path]:
    uploaded = [(CORPUS / n).read_bytes() for n in ("cp1252_semikolon.csv", "fel_ogiltigt_personnummer.csv")]
    return [f for f in folder.rglob("*") if f.is_file() and any(f.read_bytes() == u for u in uploaded)]


def _internal_on(page: Any) -> None:
    page.locator("[data-testid='stSidebar']").get_by_text("Internt läge").click()
    _idle(page)
    page.get_by_text("Internt läge: små tal visas").first.wait_for(timeout=60_000)
    _idle(page)


def test_finding_1_media_oracle_gets_no_internal_file(secure: tuple[str, Path, str, Path], provider: str, browser: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    url, store, _, _ = secure
    monkeypatch.setenv("JAMSTALLDHET_KEY", KEY)
    page = _signed_in(browser, url, provider, "analytiker")
    _open(page, url + "/vald?ar=2018", "Alla tabeller på sidan")
    _idle(page)
    # the oracle works: a published file's address is rebuilt from public figures and served (public anyway)
    assert any(_get(u) == 200 for u in _candidates(url, k=5)), "the oracle does not rebuild Streamlit's addresses"
    _internal_on(page)
    internal = _candidates(url, k=0)
    assert internal and all(_get(u) == 404 for u in internal)  # finding 1: no exact figures for a guesser
    # the click makes the file: its name and content carry an extract id, and the log has it
    download = _download(page, "CSV för Excel")
    name = download.suggested_filename
    xid = name.split("_INTERNT")[0].rsplit("_", 1)[1]
    assert len(xid) == 32 and xid in Path(download.path()).read_bytes().decode("utf-8-sig")
    logged = [e for e in eventlog.read(store) if e.event == eventlog.DOWNLOAD and xid in e.object]
    assert logged and logged[0].sub == "analytiker" and "år 2018" in logged[0].object
    assert all(_get(u) == 404 for u in _candidates(url, k=0))  # the old names still give nothing
    page.context.close()


def test_finding_2_event_log_not_served_without_the_click(secure: tuple[str, Path, str, Path], provider: str,
                                                         browser: Any) -> None:
    url, store, _, _ = secure
    page = _signed_in(browser, url, provider, "forvaltare")
    _open(page, url + "/importera", "Lagrade importer")
    page.get_by_text("Händelselogg").click()
    page.get_by_role("button", name="JSON Lines").wait_for(timeout=30_000)
    _idle(page)
    import pandas as pd

    from jamstalldhet.show import export

    log = eventlog.export_jsonl(store)
    table = export.csv_excel(pd.DataFrame(eventlog.rows(eventlog.read(store))))
    for data, mime, name in ((log, "application/jsonl", eventlog.FILE), (table, "text/csv", "handelselogg.csv")):
        assert _get(_media_url(url, data, mime, name)) == 404, name
    assert eventlog.LOG_READ in [e.event for e in eventlog.read(store) if e.sub == "forvaltare"]
    page.context.close()


def _forged(cookie_secret: str, url: str, iat: float, who: str = "analytiker") -> dict[str, Any]:
    """A sign-in cookie as Streamlit writes it, signed with the server's secret, issued at ``iat``."""
    from streamlit.web.server.server_util import AUTH_COOKIE_NAME
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    payload = {"sub": who, "email": f"{who}@kommun.example.se", "groups": GROUPS[who], "iat": int(iat), "nonce": secrets.token_hex(8),
               "origin": url, "is_logged_in": True, "provider": "default"}
    value = create_signed_value(cookie_secret, AUTH_COOKIE_NAME, json.dumps(payload)).decode("latin-1")
    return {"name": AUTH_COOKIE_NAME, "value": value, "url": url}


def _shows(browser: Any, url: str, cookies: list[dict[str, Any]]) -> str:
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(url + "/")
    wait_for_app(page)
    _idle(page)
    text = str(page.inner_text("body"))
    context.close()
    return text


def test_finding_4_an_old_cookie_is_refused(secure: tuple[str, Path, str, Path], browser: Any) -> None:
    url, store, cookie_secret, _ = secure
    assert "Översikt" in _shows(browser, url, [_forged(cookie_secret, url, time.time() - 60)])  # the forgery is right
    old = _shows(browser, url, [_forged(cookie_secret, url, time.time() - 29 * 86400)])  # the 29-day-old cookie
    assert "Logga in med ditt konto" in old and "Översikt" not in old and "(analytiker)" not in old
    nine = _shows(browser, url, [_forged(cookie_secret, url, time.time() - 9 * 3600)])  # past the 8-hour default
    assert "Logga in med ditt konto" in nine and "Översikt" not in nine
    assert any(e.event == eventlog.REFUSED and "gått ut" in e.object for e in eventlog.read(store))


def test_finding_4_a_signed_out_cookie_is_refused(secure: tuple[str, Path, str, Path], provider: str, browser: Any) -> None:
    url, store, _, _ = secure
    page = _signed_in(browser, url, provider, "analytiker")
    copied = page.context.cookies()
    assert "Översikt" in _shows(browser, url, copied)  # the copy works while signed in
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Logga ut").click()
    page.wait_for_url(provider + "/**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(url + "/**", timeout=30_000)
    page.context.close()
    after = _shows(browser, url, copied)
    assert "Logga in med ditt konto" in after and "Översikt" not in after
    assert eventlog.SIGN_OUT in [e.event for e in eventlog.read(store) if e.sub == "analytiker"]


def test_finding_5_and_11_no_personnummer_in_tmp_and_a_file_name_is_text(secure: tuple[str, Path, str, Path], provider: str,
                                                                         browser: Any, tmp_path: Path) -> None:
    url, _, _, tmp = secure
    assert not (tmp / (importing.UPLOAD_PREFIX + "kvar")).exists()  # an earlier crash's folder: removed at start
    page = _signed_in(browser, url, provider, "analytiker")
    _open(page, url + "/importera", "Lagrade importer")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(CORPUS / "cp1252_semikolon.csv"))
    page.get_by_role("button", name="Lagra").click()
    page.wait_for_selector("text=Lagrade 8 rader", timeout=60_000)
    assert not _files_with_personnummer(tmp)  # after an import
    evil = tmp_path / "[klicka här](https:⁄⁄example.invalid) ![b](https:⁄⁄example.invalid⁄p.png) <b>fet<⁄b>.csv"
    evil.write_bytes((CORPUS / "fel_ogiltigt_personnummer.csv").read_bytes())
    _open(page, url + "/importera", "Lagrade importer")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(evil))
    page.get_by_text("Inget har lagrats").first.wait_for(timeout=60_000)
    _idle(page)
    main = page.locator("[data-testid='stMain']")
    assert main.locator("a[href*='example.invalid'], img[src*='example.invalid'], b:has-text('fet')").count() == 0
    assert "[klicka här](https:⁄⁄example.invalid)" in str(main.inner_text())  # shown as the characters it is
    assert not _files_with_personnummer(tmp)  # after a failed import
    page.context.close()


def test_finding_3_the_example_secret_is_refused(provider: str, tmp_path: Path, browser: Any) -> None:
    example = (ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8")
    proc, url, out = _start(tmp_path, example.replace("https://jamstalldhet.kommun.example.se", "http://127.0.0.1"))
    try:
        page = browser.new_page()
        page.goto(url + "/")
        page.get_by_text("cookie_secret").first.wait_for(timeout=60_000)
        body = str(page.inner_text("body"))
        assert "token_hex(32)" in body and "Logga in med ditt konto" not in body
        page.close()
    finally:
        proc.terminate()
        proc.wait(10)
        out.close()


def test_finding_7_all_addresses_without_sign_in_is_refused(tmp_path: Path, browser: Any) -> None:
    proc, url, out = _start(tmp_path, None, address="0.0.0.0")  # noqa: S104
    try:
        page = browser.new_page()
        page.goto(url + "/importera")
        page.get_by_text("utan inloggning").first.wait_for(timeout=60_000)
        _idle(page)
        body = str(page.inner_text("body"))
        assert "Lagrade importer" not in body and "Internt läge" not in body and "Importera" not in body
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        page.close()
    finally:
        proc.terminate()
        proc.wait(10)
        out.close()
