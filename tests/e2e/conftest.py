"""A real dashboard server and a real browser (Debian's chromium driven by Playwright)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_KEY

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "e2e" / "screenshots"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-dev-shm-usage", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh dashboard server on a free port, with its own store, texts and key."""
    import shutil

    port = _free_port()
    texts = tmp_path_factory.mktemp("e2e-texts") / "uppfoljning"
    shutil.copytree(ROOT / "data" / "uppfoljning", texts)
    env = {**os.environ, "JAMSTALLDHET_STORE": str(tmp_path_factory.mktemp("e2e-store")), "JAMSTALLDHET_TEXTS": str(texts),
           "JAMSTALLDHET_KEY_FILE": str(tmp_path_factory.mktemp("e2e-key") / "nyckel"),
           # the tests' key: the published (perturbed) figures are those of tests.conftest.shown
           "JAMSTALLDHET_KEY": TEST_KEY,
           "STREAMLIT_SERVER_HEADLESS": "true", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    log = open(tmp_path_factory.mktemp("log") / "streamlit.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)  # noqa: S310
            break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("streamlit started not within 60 s")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} saknas: CI måste installera Debians chromium")
        pytest.skip(f"{CHROMIUM} saknas (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def wait_for_app(page: object) -> None:
    """Wait until Streamlit has finished running the script."""
    page.wait_for_selector("[data-testid='stApp']", timeout=60_000)  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('h1') !== null",
        timeout=60_000,
    )
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
