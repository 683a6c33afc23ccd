"""The server side alone: Streamlit's own protocol, without a browser (issue 26).

A client here speaks what Streamlit's frontend speaks on ``/_stcore/stream``: it sends a
``BackMsg`` with ``rerun_script`` (a ``ClientState``: the query string, the page's script hash or
URL name, the widgets' values) and reads ``ForwardMsg`` until ``script_finished``. The time from
sending the action to the script finished is what the server costs a user, with no drawing at all;
``bench/pages.py`` measures the same pages in Chromium, so the two together say where the time goes.

    python -m bench.protocol --sessions 1 10 20 --seconds 60    # sessions acting as users.py's
    python -m bench.protocol --pages                             # every page alone, one session

The websocket client is ``websockets`` (a dependency of streamlit itself).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STREAM = "/_stcore/stream"
#: ForwardMsg.script_finished: FINISHED_SUCCESSFULLY (the others: compile error, early for a rerun, fragment)
FINISHED = 0
#: the pages a session moves between, as in bench/users.py (URL names)
PAGES = ["oversikt", "makt-och-halsa", "makt-inflytande"]
YEARS = [2016, 2017, 2018, 2019, 2020]


def slug(title: str) -> str:
    """A page's address from its title, as st.Page makes it ("Översikt" -> "oversikt")."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def rerun_message(query_string: str = "", page_script_hash: str = "", page_name: str = "",
                  widgets: Mapping[str, object] | None = None) -> bytes:
    """A serialized ``BackMsg`` asking for a run, as the frontend sends it: a first visit names the
    page by its URL (``page_name``), a click in the menu by its hash, a widget change sends the
    page's hash and the widgets' values (a year selectbox: the option's text, ``string_value``)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query_string
    state.page_script_hash = page_script_hash
    state.page_name = page_name
    for wid, value in (widgets or {}).items():
        w = state.widget_states.widgets.add()
        w.id = wid
        if isinstance(value, bool):
            w.bool_value = value
        elif isinstance(value, int):
            w.int_value = value
        elif isinstance(value, float):
            w.double_value = value
        elif isinstance(value, str):
            w.string_value = value
        elif isinstance(value, (list, tuple)):
            w.string_array_value.data.extend(str(v) for v in value)
        else:
            raise TypeError(f"widget value of type {type(value).__name__}")
    return msg.SerializeToString()


@dataclass
class Run:
    """One action's messages, in seconds from sending it."""

    first_msg_s: float | None = None
    first_delta_s: float | None = None
    finished_s: float | None = None
    deltas: int = 0
    bytes: int = 0
    statuses: list[int] = field(default_factory=list)


@dataclass
class Client:
    """One session over the protocol: what the server told it (pages, current page, query string,
    the widgets' ids by label) and a way to ask for a run and time it."""

    url: str
    ws: Any = None
    pages: dict[str, str] = field(default_factory=dict)  # url name -> page script hash
    titles: dict[str, str] = field(default_factory=dict)  # url name -> title in the menu
    urls: dict[str, str] = field(default_factory=dict)  # url name -> the address the menu links to ("" for the default page)
    page_hash: str = ""
    query_string: str = ""
    widgets: dict[str, str] = field(default_factory=dict)  # label -> widget id
    options: dict[str, list[str]] = field(default_factory=dict)  # label -> a selectbox's options

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url.replace("http", "ws", 1) + STREAM, subprotocols=["streamlit"],  # type: ignore[list-item]
                                max_size=None, compression=None, open_timeout=120, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    def _read(self, data: bytes, run: Run, t0: float) -> bool:
        """Take one ForwardMsg into the state; True when the script finished successfully."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = ForwardMsg()
        msg.ParseFromString(data)
        now = time.perf_counter() - t0
        run.bytes += len(data)
        if run.first_msg_s is None:
            run.first_msg_s = now
        kind = msg.WhichOneof("type")
        if kind == "delta":
            run.deltas += 1
            if run.first_delta_s is None:
                run.first_delta_s = now
            self._widget(msg)
        elif kind == "navigation":  # the app's menu (st.navigation), which replaces any pages/-folder listing
            self.pages, self.titles, self.urls = {}, {}, {}
            for p in msg.navigation.app_pages:
                name = p.url_pathname or slug(p.page_name)  # the default page's address is "" (not its url_path)
                self.pages[name], self.titles[name], self.urls[name] = p.page_script_hash, p.page_name, p.url_pathname
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "new_session" and msg.new_session.page_script_hash:
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            run.statuses.append(msg.script_finished)
            if msg.script_finished == FINISHED:
                run.finished_s = now
                return True
        return False

    def _widget(self, msg: Any) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        if kind in ("selectbox", "multiselect", "checkbox", "radio"):
            w = getattr(el, kind)
            self.widgets[w.label] = w.id
            if kind == "selectbox":
                self.options[w.label] = list(w.options)

    async def act(self, timeout: float = 180, **state: Any) -> Run:
        """Send one ``rerun_script`` and read until the script finished."""
        run = Run()
        self.widgets, self.options = {}, {}  # every run sends the page's elements again
        t0 = time.perf_counter()
        await self.ws.send(rerun_message(**state))

        async def read() -> None:
            async for data in self.ws:
                if isinstance(data, bytes) and self._read(data, run, t0):
                    return

        await asyncio.wait_for(read(), timeout)
        return run

    async def visit(self, path: str, query: str = "ar=2018") -> Run:
        """A first visit to ``/path?query`` (a new tab); the default page at ``/``, as the menu links it
        (its url_path, /oversikt, is answered with Streamlit's "Page not found" and the main page)."""
        return await self.act(query_string=query, page_name=self.urls.get(path, "" if path == PAGES[0] else path))

    async def navigate(self, path: str) -> Run:
        """A click in the menu: the page's hash, the current query string (the year follows)."""
        return await self.act(query_string=self.query_string, page_script_hash=self.pages[path])

    async def choose(self, label: str, value: str) -> Run:
        """A widget changed (a selectbox: the option's text)."""
        wid = self.widgets[label]
        return await self.act(query_string=self.query_string, page_script_hash=self.page_hash, widgets={wid: value})


def p95(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def summary(events: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Median and p95 per kind of action and over all actions but the first visits (seconds)."""
    out: dict[str, Any] = {}
    ok = [e for e in events if e.get("seconds") is not None]
    for kind in sorted({e["action"] for e in ok}):
        v = [e["seconds"] for e in ok if e["action"] == kind]
        out[kind] = {"n": len(v), "median_s": round(statistics.median(v), 3), "p95_s": round(p95(v), 3)}
    acts = [e["seconds"] for e in ok if e["action"] != "first"]
    if acts:
        out["actions"] = {"n": len(acts), "median_s": round(statistics.median(acts), 3), "p95_s": round(p95(acts), 3)}
    out["failed"] = sum(1 for e in events if e.get("seconds") is None)
    return out


async def _session(url: str, seed: int, arrived: Callable[[], Awaitable[float]], out: list[dict[str, Any]],
                   think: tuple[float, float]) -> None:
    rng = random.Random(seed)
    client = Client(url)
    t = time.perf_counter()
    await client.connect()
    run = await client.visit(PAGES[0])
    out.append({"action": "first", "seconds": time.perf_counter() - t, "session": seed})
    until = await arrived()
    year, current = 2018, 0
    try:
        while time.time() < until:
            await asyncio.sleep(rng.uniform(*think))
            if time.time() >= until:
                break
            try:
                if rng.random() < 0.6:
                    year = rng.choice([y for y in YEARS if y != year])
                    action, run = "year", await client.choose("År", str(year))
                else:
                    current = rng.choice([i for i in range(len(PAGES)) if i != current])
                    action, run = "page", await client.navigate(PAGES[current])
                out.append({"action": action, "seconds": run.finished_s, "first_msg_s": run.first_msg_s,
                            "session": seed, "bytes": run.bytes})
            except Exception as exc:  # noqa: BLE001 - a stalled session is counted, not fatal
                out.append({"action": action, "seconds": None, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
                break
    finally:
        await client.close()


async def _sessions(url: str, n: int, seconds: float, think: tuple[float, float]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    everyone = asyncio.Event()
    waiting = [n]
    start = {"until": 0.0}

    async def arrived() -> float:
        waiting[0] -= 1
        if waiting[0] == 0:
            start["until"] = time.time() + seconds
            everyone.set()
        await everyone.wait()
        return start["until"]

    await asyncio.gather(*(_session(url, i, arrived, out, think) for i in range(n)))
    return out


def scenario(n: int, seconds: float, think: tuple[float, float] = (3, 8)) -> dict[str, Any]:
    """A fresh server and ``n`` protocol sessions acting for ``seconds`` (as bench/users.py's
    browsers do: a year change or another page, then reading ``think`` seconds)."""
    from bench.users import Server, _cpu

    server = Server({})
    try:
        cpu0, wall0 = _cpu(server.proc.pid), time.perf_counter()
        events = asyncio.run(_sessions(server.url, n, seconds, think))
        cpu = {"server_cpu_s": round(_cpu(server.proc.pid) - cpu0, 1), "wall_s": round(time.perf_counter() - wall0, 1)}
    finally:
        server.stop()
    return {"sessions": n, "seconds": seconds, "think_s": list(think), **summary(events), **cpu,
            "load": os.getloadavg()[0]}


async def _every_page(url: str, runs: int) -> dict[str, Any]:
    """One session: every page of the menu visited, then ``runs`` menu clicks to it, year changes
    and (where the page has one) an Insats filter change, each to the script finished."""
    client = Client(url)
    await client.connect()
    out: dict[str, Any] = {}
    try:
        await client.visit("oversikt")
        paths = list(client.pages)
        for path in paths:
            first = await client.visit(path)  # a new tab would be a new session; the cost is the same run
            page: dict[str, Any] = {"title": client.titles.get(path, path), "first_s": first.finished_s}
            navs, years, filters = [], [], []
            for i in range(runs):
                await client.navigate(paths[0] if path != paths[0] else paths[1])
                navs.append((await client.navigate(path)).finished_s)
                if "År" in client.widgets:
                    years.append((await client.choose("År", str([2017, 2019, 2018][i % 3]))).finished_s)
                insats = client.options.get("Insats")
                if insats and len(insats) > 2:
                    filters.append((await client.choose("Insats", insats[[2, 1, 0][i % 3] if len(insats) > 2 else 0])).finished_s)
            page["navigate_s"] = statistics.median(navs)
            if years:
                page["year_s"] = statistics.median(years)
            if filters:
                page["filter_s"] = statistics.median(filters)
            out[path] = page
    finally:
        await client.close()
    return out


def every_page(runs: int = 3) -> dict[str, Any]:
    from bench.users import Server

    server = Server({})
    try:
        return asyncio.run(_every_page(server.url, runs))
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 20])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--think", type=float, nargs=2, default=[3, 8], metavar=("MIN", "MAX"))
    ap.add_argument("--pages", action="store_true", help="every page alone in one session instead")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    if args.pages:
        print(json.dumps(every_page(args.runs), indent=1), flush=True)
        return 0
    for n in args.sessions:
        print(json.dumps(scenario(n, args.seconds, (args.think[0], args.think[1]))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
