"""Many users at once: concurrent browser sessions against one streamlit server (issue 16).

Each session is a Playwright context in one Chromium and acts as a person does: change the year
or go to another page, then read for 3–8 seconds, for ``seconds`` seconds. Measured per action:
the time from the action to the page drawn (the script's rerun finished, the status widget gone,
the page's last section showing the chosen year). The sessions open the app at once and start
acting when all of them have drawn their first page (``--together``: each as soon as its own is).
The server's peak memory is its VmHWM; the loads of the dataset are read from streamlit's
``/_stcore/metrics`` (entries of the cached loader); the CPU seconds of the server and of Chromium
(every process below this one but the server) while the sessions act come from /proc, because
on a small machine the browser's drawing competes with the server for the same cores.

    python -m bench.users --sessions 1 10 20 --seconds 120
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--no-first-run"]
#: Pages a session moves between: (link text in the menu and the page's h1, URL path, what shows
#: that the page is drawn for year Y: its last section, as (tag, text)).
PAGES = [
    ("Översikt", "oversikt", ("h1", "Översikt {y}")),
    ("Makt och hälsa", "makt-och-halsa", ("h2", "Uppföljning {y}")),
    ("Makt, inflytande", "makt-inflytande", ("h2", "Uppföljning {y}")),
]
YEARS = [2016, 2017, 2018, 2019, 2020]
#: The page is drawn: the section is there, the rerun is over (no status widget, nothing stale).
DRAWN = ("([tag, text]) => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
         " && !document.querySelector('[data-stale=\"true\"]')"
         " && [...document.querySelectorAll(tag)].some(e => e.textContent.includes(text))")
#: A page of the menu is shown and its year is in the URL.
SHOWN = ("([title]) => [...document.querySelectorAll('h1')].some(e => e.textContent.includes(title))"
         " && /[?&]ar=\\d{4}/.test(location.search)")
#: Waits poll every POLL_MS, not on every animation frame (Playwright's default): a session waiting
#: on every frame keeps its renderer drawing frames, 0.06 CPU-seconds per second measured, which
#: at 10 sessions waiting is a third of a core taken from the server and the pages being drawn.
POLL_MS = 50


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(pid: int, field: str) -> float:
    """A field of /proc/PID/status in MB (VmHWM: peak resident memory, VmRSS: now)."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in text.splitlines() if line.startswith(field))) / 1024


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and of its children it has reaped, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _descendants(root: int) -> list[int]:
    """Every living process below ``root`` (from /proc's parent links)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parents.items() if pp == p]
        out += kids
        todo += kids
    return out


def _browser_cpu(server_pid: int) -> float:
    """CPU seconds of the browser: every process below this one but the server and its own."""
    skip = {server_pid, *_descendants(server_pid)}
    return sum(_cpu(p) for p in _descendants(os.getpid()) if p not in skip)


def _cache_loads(url: str) -> dict[str, float]:
    """How often the dataset loader (pages/_shared.py ``_load``, an ``st.cache_resource``) ran
    and was found in the cache, from streamlit's ``/_stcore/metrics``."""
    try:
        with urllib.request.urlopen(url + "/_stcore/metrics", timeout=10) as r:  # noqa: S310
            text = r.read().decode()
    except OSError:
        return {}
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("cache_lookups_total{") and 'cache="pages._shared._load"' in line:
            result = line.split('result="', 1)[1].split('"', 1)[0]
            out[f"load_{result}"] = float(line.rsplit(" ", 1)[1])
    return out


class Server:
    """A streamlit server on 127.0.0.1 with its own empty store (so it shows the demo data)."""

    def __init__(self, env: dict[str, str]):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.dir = tempfile.TemporaryDirectory()
        full = {**os.environ, "PYTHONPATH": str(ROOT), "JAMSTALLDHET_KEY": "benchmark",
                "JAMSTALLDHET_STORE": str(Path(self.dir.name) / "store"), "STREAMLIT_SERVER_HEADLESS": "true",
                "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **env}
        self.proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(self.port),
                                      "--server.address", "127.0.0.1",
                                      "--server.fileWatcherType", "none"], cwd=ROOT, env=full,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not start within 120 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.dir.cleanup()


async def _drawn(page: Any, drawn: tuple[str, str], year: int, timeout_ms: int = 180_000) -> None:
    await page.wait_for_function(DRAWN, arg=[drawn[0], drawn[1].format(y=year)], polling=POLL_MS, timeout=timeout_ms)


async def _session(browser: Any, url: str, seed: int, arrived: Callable[[], Awaitable[float]], out: list[dict[str, Any]]) -> None:
    rng = random.Random(seed)
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    year, (_, path, drawn) = 2018, PAGES[0]
    t = time.perf_counter()
    await page.goto(f"{url}/{path}?ar={year}", timeout=180_000)
    await _drawn(page, drawn, year)
    out.append({"action": "first", "seconds": time.perf_counter() - t, "session": seed})
    until = await arrived()
    current = 0
    while time.time() < until:
        await asyncio.sleep(rng.uniform(3, 8))  # reading
        if time.time() >= until:
            break
        try:  # the click too: a control that stays unusable (e.g. inert while a loaded page redraws) is a failed action
            if rng.random() < 0.6:  # change the year in the sidebar
                year = rng.choice([y for y in YEARS if y != year])
                action = "year"
                t = time.perf_counter()
                await page.get_by_label("År", exact=True).click(timeout=180_000)
                await page.get_by_role("option", name=str(year), exact=True).click(timeout=180_000)
                # the list closes with an animation, and while it is open react-aria makes the rest of the
                # page inert: a starved renderer can take seconds over it, which belongs to this action
                await page.get_by_role("listbox").wait_for(state="detached", timeout=180_000)
            else:  # another page from the menu
                current = rng.choice([i for i in range(len(PAGES)) if i != current])
                action = "page"
                t = time.perf_counter()
                await page.locator("[data-testid='stSidebarNav'] a", has_text=PAGES[current][0]).first.click(timeout=180_000)
            if action == "page":  # the year the page shows (it follows the session), from the URL
                await page.wait_for_function(SHOWN, arg=[PAGES[current][0]], polling=POLL_MS, timeout=180_000)
                year = int(await page.evaluate("() => new URLSearchParams(location.search).get('ar')"))
            await _drawn(page, PAGES[current][2], year)
            out.append({"action": action, "seconds": time.perf_counter() - t, "session": seed, "at": until - time.time()})
        except Exception as exc:  # noqa: BLE001 - a session that stalls is counted, not fatal
            out.append({"action": action, "seconds": None, "error": f"{type(exc).__name__}: {str(exc)[:300]}", "session": seed})
    await context.close()


async def _run(url: str, sessions: int, seconds: float, server_pid: int,
               together: bool = False) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The sessions' events, and the CPU seconds the server and the browser used meanwhile.

    The sessions open the app at once; their ``seconds`` of acting start when every one has drawn
    its first page (a first load is ~5 CPU-seconds of Chromium, so ten arriving in the same second
    saturate two cores for half a minute, which is no person's action). ``together``: each session
    acts as soon as its own first page is drawn (the arrivals overlap the first actions)."""
    from playwright.async_api import async_playwright

    out: list[dict[str, Any]] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        start = {"server": _cpu(server_pid), "browser": _browser_cpu(server_pid), "wall": time.perf_counter(),
                 "until": time.time() + seconds}
        everyone = asyncio.Event()
        waiting = [sessions]

        async def arrived() -> float:
            waiting[0] -= 1
            if not together and waiting[0] == 0:
                start.update(server=_cpu(server_pid), browser=_browser_cpu(server_pid), wall=time.perf_counter(),
                             until=time.time() + seconds)
                everyone.set()
            if not together:
                await everyone.wait()
            return start["until"]

        await asyncio.gather(*(_session(browser, url, i, arrived, out) for i in range(sessions)))
        cpu = {"wall_s": time.perf_counter() - start["wall"], "server_cpu_s": _cpu(server_pid) - start["server"],
               "browser_cpu_s": _browser_cpu(server_pid) - start["browser"]}
        await browser.close()
    return out, {k: round(v, 1) for k, v in cpu.items()}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def scenario(sessions: int, seconds: float, env: dict[str, str] | None = None, together: bool = False) -> dict[str, Any]:
    """One fresh server, ``sessions`` concurrent sessions for ``seconds``: times, memory, loads, and
    the CPU seconds of the server and of the browser while the sessions acted."""
    server = Server(env or {})
    try:
        base_mb = _status(server.proc.pid, "VmRSS")
        events, cpu = asyncio.run(_run(server.url, sessions, seconds, server.proc.pid, together))
        peak = _status(server.proc.pid, "VmHWM")
        loads = _cache_loads(server.url)
    finally:
        server.stop()
    actions = [e["seconds"] for e in events if e["action"] != "first" and e["seconds"] is not None]
    firsts = [e["seconds"] for e in events if e["action"] == "first" and e["seconds"] is not None]
    by_kind = {f"median_{kind}_s": round(statistics.median(v), 2) for kind in ("year", "page")
               if (v := [e["seconds"] for e in events if e["action"] == kind and e["seconds"] is not None])}
    slowest = sorted((e for e in events if e["action"] != "first" and e["seconds"] is not None), key=lambda e: -e["seconds"])[:5]
    return {"sessions": sessions, "seconds": seconds, "actions": len(actions), **by_kind,
            # the five slowest actions: kind, seconds, and how long before the end they finished
            "slowest": [[e["action"], round(e["seconds"], 1), round(e["at"])] for e in slowest],
            "failed": sum(1 for e in events if e["seconds"] is None),
            "median_s": statistics.median(actions) if actions else None, "p95_s": p95(actions) if actions else None,
            "first_median_s": statistics.median(firsts) if firsts else None, "peak_mb": peak, "idle_mb": base_mb,
            **loads, **cpu}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 20])
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--together", action="store_true",
                    help="each session acts as soon as its first page is drawn, while the others still arrive")
    args = ap.parse_args(argv)
    for n in args.sessions:
        print(json.dumps({**scenario(n, args.seconds, together=args.together), "together": args.together}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
