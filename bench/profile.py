"""Where a page's server time goes: cProfile around the page script (issue 26).

Runs one page with Streamlit's AppTest on the demo data (a målområde by its catalogue id, any
other page by its file), as the server runs it: a first run, a year change the server has not
seen (cold) and one it has (warm), and prints for each the wall time and the functions that took
most of it (cumulative, in the package, the pages and streamlit).

    python -m bench.profile resurser.py
    python -m bench.profile makt-inflytande-ekonomi --top 25
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def profile_page(page: str, top: int = 20, years: tuple[int, ...] = (2018, 2017, 2018)) -> list[tuple[str, float, str]]:
    """(what, seconds, the profile's top lines) for each run of ``page`` at ``years`` in turn."""
    os.environ.setdefault("JAMSTALLDHET_KEY", "benchmark")
    os.environ.setdefault("JAMSTALLDHET_STORE", str(Path(tempfile.mkdtemp()) / "store"))  # no store: the demo data
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import local_script_runner as runner

    profiler: list[cProfile.Profile] = []
    original = runner.LocalScriptRunner._run_script_thread

    def profiled(self: object) -> None:  # the script runs in a thread of its own: profile that thread
        p = cProfile.Profile()
        profiler.append(p)
        p.enable()
        try:
            original(self)  # type: ignore[arg-type]
        finally:
            p.disable()

    runner.LocalScriptRunner._run_script_thread = profiled  # type: ignore[method-assign]
    if page.endswith(".py"):
        at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=600)
    else:
        at = AppTest.from_string(f"from pages._malomrade import render_malomrade\nrender_malomrade({page!r})", default_timeout=600)
    out = []
    seen: set[int] = set()
    for y in years:
        at.session_state["ar"] = y
        t = time.perf_counter()
        at.run()
        wall = time.perf_counter() - t
        if at.exception:
            raise RuntimeError(str(at.exception))
        what = "first run" if not seen else ("year change, warm" if y in seen else "year change, cold")
        seen.add(y)
        text = io.StringIO()
        stats = pstats.Stats(profiler[-1], stream=text)
        stats.sort_stats("cumulative").print_stats(r"jamstalldhet|pages|streamlit/(elements|runtime/caching)", top)
        out.append((what, wall, text.getvalue()))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", help="a file in pages/ (resurser.py) or a målområde id (makt-och-halsa)")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args(argv)
    for what, wall, text in profile_page(args.page, args.top):
        lines = [line for line in text.splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        print(f"== {args.page}: {what}, {wall:.2f} s")
        print("\n".join(lines[start:]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
