"""Sign-in, roles and the event log with a real OpenID Connect provider, a real server and Chromium.

The provider is oidc-provider-mock (a Flask app on 127.0.0.1 in a thread of the test process)
with three predefined users whose ``groups`` claim gives läsare, analytiker and förvaltare via
``[roller]``; the dashboard runs with a secrets.toml of its own (``--secrets.files``) and its own
store and texts. The last test starts the server the way ``make run`` does, without sign-in, and
checks it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jamstalldhet.base import eventlog
from jamstalldhet.intake import store as store_module
from tests.conftest import ROOT
from tests.e2e.conftest import SHOTS, _free_port, wait_for_app

pytestmark = pytest.mark.slow  # a real browser and server: left out of make test-fast

GROUPS = {"lasare": ["alla-anstallda"], "analytiker": ["alla-anstallda", "jamstalldhet-analytiker"],
          "forvaltare": ["jamstalldhet-forvaltare"]}
UPLOAD = ROOT / "tests" / "data" / "import" / "cp1252_semikolon.csv"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """oidc-provider-mock on 127.0.0.1 and a free port, in a process of its own (tests/e2e/oidc_provider.py)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    users = {sub: {"email": f"{sub}@kommun.example.se", "groups": groups} for sub, groups in GROUPS.items()}
    log = tmp_path_factory.mktemp("oidc") / "oidc.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.oidc_provider", str(port), json.dumps(users)],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_ready(url + "/.well-known/openid-configuration", proc, log)
            yield url
        finally:
            proc.terminate()
            proc.wait(10)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"stopped: {log.read_text(encoding='utf-8')[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{url} not ready within 60 s")


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    _wait_ready(url + "/_stcore/health", proc, log)


def _env(tmp: Path) -> dict[str, str]:
    texts = tmp / "uppfoljning"
    shutil.copytree(ROOT / "data" / "uppfoljning", texts)
    return {**os.environ, "JAMSTALLDHET_STORE": str(tmp / "lager"), "JAMSTALLDHET_TEXTS": str(texts),
            "JAMSTALLDHET_KEY_FILE": str(tmp / "nyckel"), "STREAMLIT_SERVER_HEADLESS": "true",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}


@pytest.fixture(scope="module")
def app_server(provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The dashboard with sign-in configured; yields its URL and its store folder."""
    tmp = tmp_path_factory.mktemp("auth")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        f'[auth]\nredirect_uri = "{url}/oauth2callback"\ncookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "jamstalldhet"\nclient_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n\n'
        '[roller]\nclaim = "groups"\nanalytiker = ["jamstalldhet-analytiker"]\nforvaltare = ["jamstalldhet-forvaltare"]\n',
        encoding="utf-8")
    log = tmp / "streamlit.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--secrets.files", str(secrets_file),
             "--server.fileWatcherType", "none"],  # no "File change" badge while the tree is edited
            cwd=ROOT, env=_env(tmp), stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(url, proc, log)
            yield url, tmp / "lager"
        finally:
            proc.terminate()
            proc.wait(10)


def _signed_in(browser: Any, url: str, provider: str, who: str) -> Any:
    """A fresh browser context signed in as ``who`` through the provider's own pages."""
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    page = context.new_page()
    page.goto(url + "/")
    wait_for_app(page)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(provider + "/**", timeout=30_000)
    page.locator(f"button[name='sub'][value='{who}']").click()
    page.wait_for_url(url + "/**", timeout=30_000)
    wait_for_app(page)
    page.wait_for_selector("h1:has-text('Översikt')", timeout=60_000)
    return page


def _open(page: Any, url: str, expect: str) -> str:
    """Open ``url`` and wait until the script has run and ``expect`` is shown; the page's text."""
    page.goto(url)
    try:
        page.wait_for_selector("[data-testid='stApp']", timeout=60_000)
        page.get_by_text(expect).first.wait_for(timeout=60_000)
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "auth_fel.png"), full_page=True)  # to see what the browser showed
        raise
    page.wait_for_timeout(300)
    return str(page.inner_text("body"))


def _import(page: Any) -> None:
    """Upload the test file on the Import page and store it."""
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(UPLOAD))
    page.get_by_role("button", name="Lagra").click()
    page.wait_for_selector("text=Lagrade 8 rader", timeout=60_000)


def _idle(page: Any) -> None:
    """Wait until the app has no run going (a click during a rerun can land on a detached element)."""
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def _download(page: Any, button: str) -> Any:
    """Click a download button when the app is idle; once more if the first click fell into a rerun."""
    for attempt in range(2):
        _idle(page)
        try:
            with page.expect_download(timeout=30_000) as info:
                page.get_by_role("button", name=button).first.click()
            return info.value
        except Exception:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _main(page: Any) -> str:
    return str(page.locator("[data-testid='stMain']").inner_text())


def _sidebar(page: Any) -> str:
    return str(page.locator("[data-testid='stSidebar']").inner_text())


def test_signed_out_sees_only_sign_in(app_server: tuple[str, Path], browser: Any) -> None:
    url, _ = app_server
    page = browser.new_context().new_page()
    for path in ("/", "/importera", "/vald?ar=2018", "/?internt=1"):
        body = _open(page, url + path, "Logga in med ditt konto")
        assert page.get_by_role("button", name="Logga in").count() == 1, path
        assert "Logga in med ditt konto" in body
        for hidden in ("Översikt", "Importera", "kvinnor", "Internt läge", "Lokalt läge"):
            assert hidden not in body, (path, hidden)
        nav = page.locator("[data-testid='stSidebarNav']")
        assert nav.count() == 0, nav.inner_text()
    page.context.close()


def test_reader_has_no_internal_mode_no_import_no_text_editing_and_signs_out(app_server: tuple[str, Path], provider: str, browser: Any) -> None:
    url, store = app_server
    page = _signed_in(browser, url, provider, "lasare")
    side = _sidebar(page)
    assert "lasare@kommun.example.se (läsare)" in side and "Logga ut" in side
    assert "Internt läge" not in side and "Importera" not in side and "Översikt" in side
    # the Import page by URL: "Du saknar behörighet" and nothing else
    _open(page, url + "/importera", "Du saknar behörighet")
    main = _main(page)
    assert "Du saknar behörighet att importera" in main and "Lagrade importer" not in main
    assert page.locator("[data-testid='stFileUploader']").count() == 0
    # internt läge by query parameter: refused
    _open(page, url + "/?internt=1", "Du saknar behörighet")
    main = _main(page)
    assert "Du saknar behörighet att slå på internt läge" in main and "kvinnor" not in main
    assert page.locator(".js-plotly-plot").count() == 0
    # a målområde: the text is there, editing is not
    _open(page, url + "/vald?ar=2018", "Uppföljning 2018")
    assert "Redigera uppföljningstexten" not in page.inner_text("body")
    # a reader's visit leaves only the sign-in and the refused attempts
    assert {e.event for e in eventlog.read(store) if e.sub == "lasare"} == {eventlog.SIGN_IN, eventlog.REFUSED}
    # signing out: through the provider's end-session page, back to the sign-in view
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="Logga ut").click()
    page.wait_for_url(provider + "/**", timeout=30_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(url + "/**", timeout=30_000)
    page.get_by_text("Logga in med ditt konto").wait_for(timeout=60_000)
    assert "Översikt" not in page.inner_text("body")
    page.context.close()


def test_analyst_uses_internal_mode_saves_text_and_imports(app_server: tuple[str, Path], provider: str, browser: Any) -> None:
    url, store = app_server
    page = _signed_in(browser, url, provider, "analytiker")
    assert "(analytiker)" in _sidebar(page)
    _open(page, url + "/vald?ar=2018", "Redigera uppföljningstexten")
    # internt läge, and a file downloaded in it
    page.locator("[data-testid='stSidebar']").get_by_text("Internt läge").click()
    page.wait_for_timeout(500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    assert "_INTERNT" in _download(page, "CSV för Excel").suggested_filename
    # logging the download reruns the page: let that run finish before the next step
    page.wait_for_timeout(500)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    # a follow-up text
    page.get_by_text("Redigera uppföljningstexten").click()
    area = page.get_by_role("textbox", name="Uppföljning 2018 (Markdown)")
    area.fill("Ny text från analytikern.")
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    area.press("Control+Enter")
    page.get_by_role("button", name="Spara texten").click()
    page.wait_for_selector("text=Texten är sparad", state="attached", timeout=30_000)  # (the expander may fold)
    # import
    body = _open(page, url + "/importera", "Lagrade importer")
    assert "Du saknar behörighet" not in body
    _import(page)
    body = page.inner_text("body")
    assert "Händelselogg" not in body  # the log is for förvaltare
    assert page.get_by_role("button", name="Ta bort", exact=True).count() == 0  # so is removing
    events = [(e.sub, e.email, e.event) for e in eventlog.read(store) if e.sub == "analytiker"]
    who = ("analytiker", "analytiker@kommun.example.se")
    assert events == [(*who, eventlog.SIGN_IN), (*who, eventlog.INTERNAL), (*who, eventlog.DOWNLOAD), (*who, eventlog.TEXT),
                      (*who, eventlog.IMPORT)]
    internal, download = (e for e in eventlog.read(store) if e.sub == "analytiker" and e.event in (eventlog.INTERNAL, eventlog.DOWNLOAD))
    assert "sida vald" in internal.object and "år 2018" in internal.object and "filter" in internal.object
    assert "uttag " in download.object and "år 2018" in download.object  # who, what, year, filter and the id
    page.context.close()


def test_manager_sees_the_log_and_removes_an_import(app_server: tuple[str, Path], provider: str, browser: Any) -> None:
    url, store = app_server
    page = _signed_in(browser, url, provider, "forvaltare")
    assert "Importera" in _sidebar(page)
    _open(page, url + "/importera", "Lagrade importer")
    if not store_module.has_data(store):  # the analyst's test ran in another worker (pytest -n 2): import here
        _import(page)
        _open(page, url + "/importera", "Lagrade importer")
    page.get_by_text("cp1252_semikolon.csv").first.wait_for(timeout=30_000)
    page.get_by_text("Händelselogg").click()
    page.get_by_role("button", name="JSON Lines").wait_for(timeout=30_000)
    download = _download(page, "JSON Lines")
    name = download.suggested_filename  # handelselogg_<extract id>.jsonl, made on the click
    assert name.startswith("handelselogg_") and name.endswith(".jsonl") and len(name) == len("handelselogg_.jsonl") + 32
    got = Path(download.path()).read_bytes()
    assert eventlog.path(store).read_bytes().startswith(got)  # the log as it was, ending with its own download
    assert name[len("handelselogg_"):-len(".jsonl")] in got.decode("utf-8").splitlines()[-1]
    assert [e.event for e in eventlog.read(store) if e.sub == "forvaltare"][-2:] == [eventlog.LOG_READ, eventlog.LOG_DOWNLOAD]
    page.get_by_role("button", name="Ta bort", exact=True).click()
    page.get_by_role("button", name="Ja, ta bort").click()
    page.get_by_text("är tom; sidorna visar demodatan").wait_for(timeout=30_000)  # "Lagringen (…) är tom; …"
    events = [e for e in eventlog.read(store) if e.event in (eventlog.IMPORT, eventlog.REMOVE)]
    imported, removed = events[-2], events[-1]
    assert (removed.sub, removed.email, removed.event) == ("forvaltare", "forvaltare@kommun.example.se", eventlog.REMOVE)
    assert imported.event == eventlog.IMPORT and imported.sub in ("analytiker", "forvaltare")
    assert removed.object == imported.object and removed.object.startswith("cp1252_semikolon.csv (")  # file (batch id)
    raw = eventlog.path(store).read_text(encoding="utf-8")
    assert "rader" not in raw and "personer" not in raw  # no figures from the import, only what and who
    page.context.close()


def _listening(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on ``port`` (Linux /proc/net)."""
    import ipaddress

    found: set[str] = set()
    for name, width in (("tcp", 4), ("tcp6", 16)):
        table = Path("/proc/net") / name
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            host, hexport = local.split(":")
            if state != "0A" or int(hexport, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(host)
            # /proc prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, width, 4))
            found.add(str(ipaddress.ip_address(raw)))
    return found


def test_make_run_without_sign_in_listens_on_loopback_only(tmp_path: Path, browser: Any) -> None:
    if (ROOT / ".streamlit" / "secrets.toml").exists():
        pytest.skip(".streamlit/secrets.toml finns här: make run lyssnar då med inloggning")
    if shutil.which("make") is None:
        pytest.skip("make saknas")
    port = _free_port()
    home = tmp_path / "hem"  # no ~/.streamlit/secrets.toml
    home.mkdir()
    env = {**_env(tmp_path), "HOME": str(home), "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none"}
    for name in ("JAMSTALLDHET_ADDRESS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # also when run inside `make test`
        env.pop(name, None)
    log = tmp_path / "make-run.log"
    with open(log, "wb") as out:
        # -o: the virtualenv is ready; make run must not reinstall it in a test
        proc = subprocess.Popen(["make", "-s", "-o", ".venv/.installed", "run"], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_healthy(f"http://127.0.0.1:{port}", proc, log)
            assert _listening(port) == {"127.0.0.1"}
            page = browser.new_page()
            _open(page, f"http://127.0.0.1:{port}/", "Lokalt läge – bara på den här datorn")
            side = _sidebar(page)
            assert "Importera" in side and "Internt läge" in side and "Logga ut" not in side  # the one local user may do all
            page.close()
        finally:
            os.killpg(proc.pid, 15)
            proc.wait(10)
