"""Every page in Chromium: navigation to charts drawn, year and filter changes, layout shift (issue 26).

A fresh dashboard server on the demo data (as bench/users.py and the browser tests start it) and
one Chromium at 1280 × 900. The pages are the app's own menu (``st.navigation`` in dashboard.py,
read over Streamlit's protocol, bench/protocol.py), plus rapportläge (``?rapport=1``) of Översikt
and of each målområde. For every page:

- **first visit**: the first time the page is opened on this server (Översikt's is the first visit
  after the server started: the data is read then);
- **load**: opening the address in a new tab (median of ``--runs``), navigation start to drawn;
- **menu**: a click on the page in the sidebar menu, to drawn (median);
- **year** and **filter** change: choosing another year (and on a page with one, another Insats)
  in the sidebar, to drawn; "cold" the first time the server makes that year or filter, "warm"
  when it has made it before (medians);
- **CLS**: Chromium's cumulative layout shift (``PerformanceObserver``, type ``layout-shift``,
  buffered, shifts without recent input) of a load, from navigation start until one second after
  drawn, and the elements that moved (``entry.sources``).

Drawn = Streamlit's ``script_finished`` has reached the page (an init script reads the app's own
websocket), no element is stale or a skeleton, the status widget is gone and every plotly chart has
its SVG. The page records, from navigation start, when the first message, the first element and
script_finished arrived, which splits a load into connecting, the server's run and drawing.

    python -m bench.pages [--runs 3] [--label before] [--only oversikt makt-och-halsa]

Writes bench/results_pages.json (keeps runs of other labels) and its section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results_pages.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
HEADING = "## 9. Every page in Chromium: navigation, year and filter changes, layout shift (issue 26)"
VIEWPORT = {"width": 1280, "height": 900}
YEAR = 2018
#: year changes in turn: 2017 and 2019 are made for the first time (cold), the others again (warm)
YEAR_CHANGES = [2017, 2018, 2017, 2019, 2018]
#: the targets of issue 26 (seconds, and CLS)
TARGET_LOAD_S, TARGET_CHANGE_S, TARGET_FIRST_S, TARGET_CLS = 2.0, 1.0, 3.0, 0.1
SETTLE_MS = 1000
#: the runs kept in bench/results_pages.json, by label, as BENCHMARKS.md names them
LABELS = {"before": "Before (the code issue 26 started from)", "before-loaded": "Before, while other sessions' tests ran",
          "after": "After"}

#: Runs before the page's own scripts: sums layout shifts (what Chromium's CLS counts: no recent
#: input), names what moved, and reads the app's websocket to see when messages arrive (a
#: ForwardMsg's top-level fields: 5 delta, 6 script_finished).
INIT_SCRIPT = r"""
(() => {
  const b = window.__bench = {cls: 0, shifts: [], msgs: [], finished: [], firstMsg: null, firstDelta: null};
  const describe = (node) => {
    if (!node) return '(removed)';
    const el = node.nodeType === 1 ? node : node.parentElement;
    if (!el) return '(text)';
    const box = el.closest('[data-testid]');
    const id = box ? box.getAttribute('data-testid') : el.tagName.toLowerCase();
    const inner = el !== box ? el.tagName.toLowerCase() + (el.classList.length ? '.' + [...el.classList].slice(0, 2).join('.') : '') : '';
    const text = ((box || el).innerText || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return id + (inner ? ' > ' + inner : '') + (text ? ' "' + text + '"' : '');
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        b.cls += e.value;
        b.shifts.push({t: e.startTime, v: e.value, sources: (e.sources || []).map((s) => ({
          node: describe(s.node), dx: s.currentRect.x - s.previousRect.x, dy: s.currentRect.y - s.previousRect.y,
          dw: s.currentRect.width - s.previousRect.width, dh: s.currentRect.height - s.previousRect.height}))});
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (err) { b.error = String(err); }
  const top = (buf) => {  // ForwardMsg's top-level field numbers (and script_finished's value)
    const u = new Uint8Array(buf); let i = 0; const out = [];
    const varint = () => { let x = 0, s = 0, c; do { c = u[i++]; x += (c & 127) * 2 ** s; s += 7; } while (c & 128 && i < u.length); return x; };
    while (i < u.length) {
      const tag = varint(), f = Math.floor(tag / 8), wt = tag & 7;
      if (wt === 0) { const v = varint(); out.push([f, v]); }
      else if (wt === 2) { const n = varint(); i += n; out.push([f, null]); }
      else if (wt === 1) i += 8; else if (wt === 5) i += 4; else break;
    }
    return out;
  };
  const seen = (t, buf) => {
    if (b.firstMsg === null) b.firstMsg = t;
    for (const [f, v] of top(buf)) {
      if (f === 5 && b.firstDelta === null) b.firstDelta = t;
      if (f === 6) b.finished.push({t, v});
    }
  };
  const WS = window.WebSocket;
  class BenchSocket extends WS {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (ev) => {
        const t = performance.now();
        if (ev.data instanceof ArrayBuffer) seen(t, ev.data);
        else if (ev.data && ev.data.arrayBuffer) ev.data.arrayBuffer().then((buf) => seen(t, buf));
      });
    }
  }
  window.WebSocket = BenchSocket;
})();
"""

#: Drawn since ``since`` (performance.now()): the time it was seen, or false.
DRAWN = r"""
(since) => {
  const b = window.__bench;
  const fin = b.finished.filter((f) => f.t >= since && f.v === 0);
  if (!fin.length) return false;
  if (document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"], [data-testid="stSkeleton"], '
      + '[data-testid="stAppSkeleton"], [data-testid="stSkeletonElement"]')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (charts.some((c) => !c.querySelector('.main-svg'))) return false;
  return {t: performance.now(), finished: fin[0].t, charts: charts.length};
}
"""


def median(values: Iterable[float | None]) -> float | None:
    v = [x for x in values if x is not None]
    return statistics.median(v) if v else None


def source_key(node: str) -> str:
    """What moved, without its text and Streamlit's generated class names: ``stAppViewContainer > div``."""
    import re

    return re.sub(r"\.[\w-]+", "", node.split(' "', 1)[0]).strip()


def top_sources(shifts: Sequence[Mapping[str, Any]], visits: int = 1, n: int = 3) -> list[list[Any]]:
    """The elements whose moves added most to CLS, per visit: [what moved (its text when first
    seen), CLS per visit]. A shift's value is split evenly among its sources (Chromium gives one
    value for all of them)."""
    score: dict[str, float] = {}
    example: dict[str, str] = {}
    for s in shifts:
        sources = s.get("sources") or [{"node": "(unknown)"}]
        for src in sources:
            key = source_key(src["node"])
            score[key] = score.get(key, 0.0) + s["v"] / len(sources)
            text = src["node"].split(' "', 1)[1][:30].rstrip('"') if ' "' in src["node"] else ""
            example.setdefault(key, text)
    return [[k + (f' ("{example[k]}…")' if example[k] else ""), round(v / max(visits, 1), 4)]
            for k, v in sorted(score.items(), key=lambda kv: -kv[1])[:n]]


def summarize(visits: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A page's measurements (a list of events: kind, seconds, …) to medians per kind."""
    by: dict[str, list[Mapping[str, Any]]] = {}
    for v in visits:
        by.setdefault(v["kind"], []).append(v)
    out: dict[str, Any] = {}
    for kind, vs in by.items():
        out[f"{kind}_s"] = median(v.get("seconds") for v in vs)
        out[f"{kind}_n"] = sum(1 for v in vs if v.get("seconds") is not None)
    loads = by.get("load", []) + by.get("first", [])
    if loads:
        out["cls"] = median(v.get("cls") for v in by.get("load", loads))
        out["cls_max"] = max((v.get("cls") or 0.0) for v in loads)
        out["cls_sources"] = top_sources([s for v in loads for s in v.get("shifts", [])], len(loads))
        for part in ("first_msg", "first_delta", "finished"):
            out[f"load_{part}_s"] = median(v.get(part) for v in by.get("load", loads))
        out["charts"] = max((v.get("charts") or 0) for v in loads)
    out["failed"] = sum(1 for v in visits if v.get("seconds") is None)
    out["dialogs"] = sorted({v["dialog"] for v in visits if v.get("dialog")})
    return out


def _stamp(page: Any) -> float:
    return float(page.evaluate("performance.now()"))


def _wait_drawn(page: Any, since: float, timeout_ms: int = 120_000) -> dict[str, Any]:
    handle = page.wait_for_function(DRAWN, arg=since, polling="raf", timeout=timeout_ms)
    return dict(handle.json_value())


def _bench(page: Any) -> dict[str, Any]:
    return dict(page.evaluate("() => window.__bench"))


def load(context: Any, url: str) -> dict[str, Any]:
    """Open ``url`` in a new tab: navigation start to drawn, its parts, and the layout shift until
    one second after drawn. Returns the event and leaves the tab open (the caller closes it)."""
    page = context.new_page()
    page.goto(url, wait_until="commit", timeout=120_000)
    drawn = _wait_drawn(page, 0.0)
    page.wait_for_timeout(SETTLE_MS)
    b = _bench(page)
    dialog = page.locator("[role=dialog]").all_inner_texts()
    shifts = [s for s in b["shifts"] if s["t"] <= drawn["t"] + SETTLE_MS]
    return {"page": page, "seconds": drawn["t"] / 1000, "cls": round(sum(s["v"] for s in shifts), 4), "shifts": shifts,
            "first_msg": None if b["firstMsg"] is None else b["firstMsg"] / 1000,
            "first_delta": None if b["firstDelta"] is None else b["firstDelta"] / 1000,
            "finished": drawn["finished"] / 1000, "charts": drawn["charts"], "cls_error": b.get("error"),
            "dialog": " ".join(dialog[0].split())[:120] if dialog else ""}


def _dismiss(page: Any) -> str:
    """Close a dialog Streamlit opened (its "Page not found" makes the rest of the page inert);
    its text, or ""."""
    dialog = page.locator("[role=dialog]")
    if not dialog.count():
        return ""
    text = dialog.first.inner_text().strip().replace("\n", " ")
    page.keyboard.press("Escape")
    dialog.first.wait_for(state="detached", timeout=10_000)
    return text


def _select(page: Any, label: str, option: str) -> float:
    """Choose ``option`` in the sidebar selectbox ``label``; the seconds from the choice to drawn."""
    _dismiss(page)
    page.locator("[data-testid='stSidebar']").get_by_label(label, exact=True).click(timeout=20_000)
    choice = page.get_by_role("option", name=option, exact=True)
    since = _stamp(page)
    choice.click(timeout=20_000)
    drawn = _wait_drawn(page, since)
    return float((drawn["t"] - since) / 1000)


def _menu(page: Any, title: str) -> float:
    _dismiss(page)
    since = _stamp(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text=title).first.click(timeout=20_000)
    drawn = _wait_drawn(page, since)
    return float((drawn["t"] - since) / 1000)


def _options(page: Any, label: str) -> tuple[list[str], str]:
    """The options of the sidebar selectbox ``label``, and the one chosen."""
    _dismiss(page)
    page.locator("[data-testid='stSidebar']").get_by_label(label, exact=True).click(timeout=20_000)
    names = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    chosen = page.get_by_role("option", selected=True).first.inner_text().strip()
    page.keyboard.press("Escape")
    page.get_by_role("listbox").wait_for(state="detached", timeout=60_000)
    return names, chosen


def measure(url: str, pages: Sequence[tuple[str, str, str]], runs: int, browser: Any) -> dict[str, dict[str, Any]]:
    """``pages``: (key, title in the menu or "", address with query). Every kind of event per page."""
    context = browser.new_context(viewport=VIEWPORT, locale="sv-SE")
    context.add_init_script(INIT_SCRIPT)
    events: dict[str, list[dict[str, Any]]] = {key: [] for key, _, _ in pages}
    try:
        for key, _title, address in pages:  # first visits, in menu order (Översikt first: after start)
            e = load(context, url + address)
            e.pop("page").close()
            events[key].append({"kind": "first", **e})
            print(f"  first {key}: {e['seconds']:.2f} s, CLS {e['cls']:.3f}", flush=True)
        for key, _title, address in pages:
            last = None
            for _ in range(runs):
                e = load(context, url + address)
                if last is not None:
                    last.close()
                last = e.pop("page")
                events[key].append({"kind": "load", **e})
            assert last is not None
            if "rapport=1" not in address:
                seen = {YEAR}
                for y in YEAR_CHANGES[: max(runs, 3) + 2]:
                    kind = "year_warm" if y in seen else "year_cold"
                    seen.add(y)
                    try:
                        events[key].append({"kind": kind, "seconds": _select(last, "År", str(y))})
                    except Exception as exc:  # noqa: BLE001 - counted, not fatal
                        events[key].append({"kind": kind, "seconds": None, "error": str(exc)[:200]})
                if last.locator("[data-testid='stSidebar']").get_by_label("Insats", exact=True).count():
                    names, current = _options(last, "Insats")
                    others = [n for n in names if n != current][:2]
                    for name in [*others, current, *others][: max(runs, 3) + 2]:
                        kind = "filter_warm" if name == current or name in seen else "filter_cold"
                        seen.add(name)
                        try:
                            events[key].append({"kind": kind, "seconds": _select(last, "Insats", name)})
                        except Exception as exc:  # noqa: BLE001
                            events[key].append({"kind": kind, "seconds": None, "error": str(exc)[:200]})
            last.close()
            print(f"  {key}: {json.dumps({k: v for k, v in summarize(events[key]).items() if k.endswith('_s')})}", flush=True)
        # the menu: from each page to the next, in turn, ``runs`` rounds in one tab
        menu = [(k, t) for k, t, a in pages if t and "rapport=1" not in a]
        tab = context.new_page()
        tab.goto(url + pages[0][2], wait_until="commit")
        _wait_drawn(tab, 0.0)
        for _ in range(runs):
            for key, title in [*menu[1:], menu[0]]:
                try:
                    events[key].append({"kind": "menu", "seconds": _menu(tab, title)})
                except Exception as exc:  # noqa: BLE001
                    events[key].append({"kind": "menu", "seconds": None, "error": str(exc)[:200]})
        tab.close()
    finally:
        context.close()
    return {key: {**summarize(ev), "events": ev} for key, ev in events.items()}


def app_pages(url: str) -> list[tuple[str, str, str]]:
    """The app's menu, (name, title, address: "" for the default page), in order, from the navigation
    message a session gets."""
    import asyncio

    from bench.protocol import Client

    async def read() -> list[tuple[str, str, str]]:
        c = Client(url)
        await c.connect()
        try:
            await c.visit("oversikt")
            return [(name, title, c.urls[name]) for name, title in c.titles.items()]
        finally:
            await c.close()

    return asyncio.run(read())


def page_list(menu: Sequence[tuple[str, str, str]], malomraden: Iterable[str]) -> list[tuple[str, str, str]]:
    """Every page of the menu at the bench year, at the address its menu link has, then rapportläge
    of the default page (Översikt) and of each målområde."""
    out = [(name, title, f"/{address}?ar={YEAR}") for name, title, address in menu]
    names = {name: address for name, _, address in menu}
    report = [menu[0][0], *[p for p in malomraden if p in names]]
    out += [(f"{name} (rapportläge)", "", f"/{names[name]}?ar={YEAR}&rapport=1") for name in report]
    return out


def run(runs: int, only: Sequence[str] | None = None) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from bench.users import CHROMIUM, FLAGS, Server
    from jamstalldhet.compute.catalogue import load as load_catalogue

    areas = [a.url for a in load_catalogue().malomraden]
    server = Server({})  # the menu from a server of its own: the measured one's first visit is its very first
    try:
        menu = app_pages(server.url)
    finally:
        server.stop()
    server = Server({})
    try:
        pages = page_list(menu, areas)
        if only:
            pages = [p for p in pages if p[0] in only or p[0].split(" ")[0] in only]
        print("pages:", ", ".join(p[0] for p in pages), flush=True)
        load0 = os.getloadavg()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            try:
                results = measure(server.url, pages, runs, browser)
            finally:
                browser.close()
    finally:
        server.stop()
    return {"date": datetime.now().strftime("%Y-%m-%d %H:%M"), "runs": runs, "viewport": VIEWPORT,
            "load_before": [round(x, 2) for x in load0], "load_after": [round(x, 2) for x in os.getloadavg()],
            "pages": results}


# --- output ------------------------------------------------------------------------------------

def _s(x: float | None, target: float | None = None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f} s" + ("" if target is None else (" ✅" if x <= target else " ❌"))


def _cls(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}" + (" ✅" if x <= TARGET_CLS else " ❌")


def table(r: Mapping[str, Any]) -> list[str]:
    """One run's table (a label's results) in Markdown."""
    lines = ["| page | first visit | load | menu click | year change (cold / warm) | Insats change (cold / warm) | CLS (max) "
             "| moved most (CLS per visit) |", "|---|---:|---:|---:|---:|---:|---:|---|"]
    first_key = next(iter(r["pages"]), None)
    for key, x in r["pages"].items():
        first_target = TARGET_FIRST_S if key == first_key else TARGET_LOAD_S
        year = " / ".join(_s(x.get(k), TARGET_CHANGE_S) for k in ("year_cold_s", "year_warm_s")) if "year_warm_s" in x else "–"
        filt = " / ".join(_s(x.get(k), TARGET_CHANGE_S) for k in ("filter_cold_s", "filter_warm_s")) if "filter_warm_s" in x else "–"
        moved = "; ".join(f"`{n[:70]}` {v:.3f}" for n, v in x.get("cls_sources", [])[:2]) or "–"
        cls = _cls(x.get("cls")) + ("" if x.get("cls_max") is None else f" ({x['cls_max']:.3f})")
        lines.append(f"| {key} | {_s(x.get('first_s'), first_target)} | {_s(x.get('load_s'), TARGET_LOAD_S)} | "
                     f"{_s(x.get('menu_s'), TARGET_LOAD_S)} | {year} | {filt} | {cls} | {moved} |")
    lines += ["", "Where a load's time goes (medians, seconds from navigation start): the first message from the server "
              "(the app's JavaScript loaded and its websocket open), the first element, the script finished (the server's "
              "run), drawn (React and plotly).", "",
              "| page | first message | first element | script finished | drawn | charts |", "|---|---:|---:|---:|---:|---:|"]
    for key, x in r["pages"].items():
        lines.append(f"| {key} | {_s(x.get('load_first_msg_s'))} | {_s(x.get('load_first_delta_s'))} | "
                     f"{_s(x.get('load_finished_s'))} | {_s(x.get('load_s'))} | {x.get('charts', '–')} |")
    return lines


def protocol_table(p: Mapping[str, Any]) -> list[str]:
    lines = ["| sessions | actions (failed) | median | p95 | year change median / p95 | other page median / p95 | first visit (median) "
             "| server CPU / wall |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, x in p.items():
        a, y, pg, f = x.get("actions", {}), x.get("year", {}), x.get("page", {}), x.get("first", {})
        lines.append(f"| {n} | {a.get('n', 0)} ({x.get('failed', 0)}) | {_s(a.get('median_s'))} | {_s(a.get('p95_s'))} | "
                     f"{_s(y.get('median_s'))} / {_s(y.get('p95_s'))} | {_s(pg.get('median_s'))} / {_s(pg.get('p95_s'))} | "
                     f"{_s(f.get('median_s'))} | {x.get('server_cpu_s', '–')} s / {x.get('wall_s', '–')} s |")
    return lines


def section(results: Mapping[str, Any]) -> list[str]:
    """BENCHMARKS.md's section 9 (and 10, the protocol) from bench/results_pages.json."""
    lines = [HEADING, "",
             f"`python -m bench.pages`: a fresh server on the demo data, Chromium at {VIEWPORT['width']} × {VIEWPORT['height']}, "
             f"year {YEAR}. Targets: every page drawn within {TARGET_LOAD_S:g} s of navigation (median), a year or filter change "
             f"within {TARGET_CHANGE_S:g} s, the first visit after start within {TARGET_FIRST_S:g} s, CLS at most {TARGET_CLS:g}. "
             "*First visit*: the page's first opening on this server (Översikt's is the first after start). *Load*: the "
             "address opened in a new tab, navigation start to drawn. *Menu click*: from the page before it in the menu. "
             "Drawn: Streamlit's script_finished has arrived, nothing stale or a skeleton, no status widget, every plotly "
             "chart has its SVG. A change is *cold* the first time the server makes that year or filter, *warm* after. "
             "CLS: Chromium's layout-shift entries without recent input, navigation start to one second after drawn; "
             "*moved most*: the elements (`entry.sources`, a shift's value split among them) whose moves added most to it, per visit (the first and the loads).", ""]
    for label, r in results.get("browser", {}).items():
        lines += [f"### {LABELS.get(label, label)} ({r['date']}, medians of {r['runs']}; load average "
                  f"{r['load_before'][0]:.1f} at the start, {r['load_after'][0]:.1f} at the end)", "", *table(r), ""]
        if r.get("note"):
            lines += [r["note"], ""]
    if results.get("diagnosis"):
        lines += ["### Where the time and the layout shift go", "", results["diagnosis"].strip(), ""]
    if results.get("protocol"):
        lines += ["## 10. Server side alone: protocol clients, no browser (issue 26)", "",
                  "`python -m bench.protocol`: sessions that speak Streamlit's websocket protocol (`BackMsg.rerun_script` "
                  "with the query string, the page's script hash and the widgets' values; `ForwardMsg` read until "
                  "`script_finished`), acting as bench/users.py's browsers do (a year change or another page of Översikt, "
                  "Makt och hälsa and Makt, inflytande, then 3–8 s of reading), on a fresh server each. Action to script "
                  "finished: what the server costs a user, with no drawing.", ""]
        for label, p in results["protocol"].items():
            lines += [f"### {LABELS.get(label, label)} ({p.get('date', '')})", "", *protocol_table(p["sessions"]), ""]
            if p.get("pages"):
                lines += ["One session, every page alone (median of 3, two of them years or Insats values the server had "
                          "not made before; seconds to script finished):", "",
                          "| page | first visit | menu click | year change | Insats change |", "|---|---:|---:|---:|---:|"]
                for key, x in p["pages"].items():
                    lines.append(f"| {key} | {_s(x.get('first_s'))} | {_s(x.get('navigate_s'))} | {_s(x.get('year_s'))} | "
                                 f"{_s(x.get('filter_s'))} |")
                lines.append("")
    return lines


def write_section(results: Mapping[str, Any], path: Path = BENCHMARKS) -> None:
    """Replace section 9 (and 10) of BENCHMARKS.md, or add them at its end; the rest stays."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    head, sep, _ = text.partition(HEADING)
    path.write_text(head.rstrip("\n") + "\n\n\n" + "\n".join(section(results)).rstrip("\n") + "\n", encoding="utf-8")


def load_results(path: Path = RESULTS) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--label", default="after", choices=list(LABELS))
    ap.add_argument("--only", nargs="+", help="these pages (URL names) only")
    ap.add_argument("--protocol", action="store_true", help="the protocol clients (bench/protocol.py) instead of Chromium")
    ap.add_argument("--seconds", type=float, default=60, help="how long each protocol scenario acts")
    ap.add_argument("--markdown", action="store_true", help="only write BENCHMARKS.md from bench/results_pages.json")
    args = ap.parse_args(argv)
    results = load_results()
    t = time.perf_counter()
    if args.protocol:
        from bench import protocol

        sessions = {str(n): protocol.scenario(n, args.seconds) for n in (1, 10, 20)}
        for n, x in sessions.items():
            print(n, json.dumps(x), flush=True)
        results.setdefault("protocol", {})[args.label] = {
            "date": datetime.now().strftime("%Y-%m-%d %H:%M"), "sessions": sessions, "pages": protocol.every_page(3)}
    elif not args.markdown:
        results.setdefault("browser", {})[args.label] = run(args.runs, args.only)
    RESULTS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    write_section(results)
    print("\n".join(section(results)))
    print(f"({time.perf_counter() - t:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
