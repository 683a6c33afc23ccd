"""The closing note's picture (issue 29): the Jämförelse page's chart of U40455 for the demo, its own
series beside the shipped Borås series, written to docs/kolada_jamforelse.png with the page's own
chart function (``make kolada-bild``; kaleido finds the machine's chromium itself)."""

from __future__ import annotations

from pathlib import Path

from jamstalldhet.app import kolada
from jamstalldhet.base.settings import default_k
from jamstalldhet.intake.demo import DEMO_FILE
from jamstalldhet.intake.records import prepare_parquet

OUT = Path(__file__).resolve().parent / "kolada_jamforelse.png"


def main() -> None:
    prep = prepare_parquet([DEMO_FILE])
    mapping = kolada.load_mapping()
    k = default_k()  # published, as the page shows it by default
    own = [kolada.compute(prep, y, k, mapping) for y in sorted(prep.whole_years())]
    published, _ = kolada.shipped_values()
    home = kolada.series_name(mapping, mapping.municipality)
    frame = kolada.comparison_frame(own, published, kolada.HEADLINE, [mapping.municipality], mapping)
    note = f"Egna poster: {own[-1].note()}"  # as the page says it
    fig = kolada.comparison_chart(frame, kolada.HEADLINE, home, note)
    fig.write_image(OUT, width=1100, height=620, scale=2)
    print(f"Skrev {OUT}")


if __name__ == "__main__":
    main()
