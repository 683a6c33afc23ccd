"""Command line (data contract, section 5).

    python -m jamstalldhet indicators --year Y [--data FILE | --store DIR | --demo] [--by DIM] [--format json|csv] [--k N]
    python -m jamstalldhet demo --out FILE.parquet [--records N]

Exit status: 0 success; 1 invalid input (messages on stderr); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from . import schema as S

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: fel: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m jamstalldhet", description="Könsuppdelad uppföljning av arbetsmarknadsinsatser.")
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)
    sub.required = True

    ind = sub.add_parser("indicators", help="beräkna indikatorerna för ett år")
    ind.add_argument("--year", type=int, required=True, help="kalenderår, t.ex. 2018")
    src = ind.add_mutually_exclusive_group()
    src.add_argument("--data", type=Path, help="läs en fil (CSV, Excel eller Parquet) utan att lagra den")
    src.add_argument("--store", type=Path, help="läs lagrad data i mappen DIR")
    src.add_argument("--demo", action="store_true", help="använd demodata")
    ind.add_argument("--by", choices=S.DIMENSIONS, help="dela upp på en dimension")
    ind.add_argument("--format", choices=("json", "csv"), default="json", help="utdataformat (standard: json)")
    ind.add_argument("--k", type=int, default=None, help="röjandekontroll: minsta antal personer (0 = av)")

    dem = sub.add_parser("demo", help="skriv syntetisk demodata som Parquet")
    dem.add_argument("--out", type=Path, required=True, help="utfil (.parquet)")
    dem.add_argument("--records", type=int, help="antal poster (standard: den kalibrerade demodatan)")
    return p


def _cmd_indicators(args: argparse.Namespace) -> int:
    from . import sources
    from .export import cli_csv, records
    from .records import prepare
    from .settings import default_k
    from .tables import indicator_table

    k = default_k() if args.k is None else args.k
    if k < 0:
        sys.stderr.write("fel: --k får inte vara negativt\n")
        return EXIT_USAGE
    if args.data is not None:
        source = sources.Source("file", args.data)
    elif args.store is not None:
        source = sources.Source("store", args.store)
    elif args.demo:
        source = sources.Source("demo")
    else:
        source = sources.default_source()
    df, problems = sources.load(source)
    if df is None:
        for prob in problems:
            sys.stderr.write(f"{prob}\n")
        return EXIT_INVALID
    pub = indicator_table(prepare(df), args.year, by=args.by, k=k)
    if pub.internal:  # the contract fixes stdout's fields, so the mark goes to stderr
        sys.stderr.write(f"{pub.note}: röjandekontrollen är avstängd (--k {k}).\n")
    if args.format == "json":
        sys.stdout.write(json.dumps(records(pub), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(cli_csv(pub))
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from . import demo

    if args.records is not None and args.records < 0:
        sys.stderr.write("fel: --records får inte vara negativt\n")
        return EXIT_USAGE
    df = demo.generate() if args.records is None else demo.generate_records(args.records)
    demo.write(df, args.out)
    sys.stderr.write(f"Skrev {len(df)} poster till {args.out}\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "indicators":
            return _cmd_indicators(args)
        return _cmd_demo(args)
    except OSError as exc:
        sys.stderr.write(f"fel: {exc.strerror or exc}: {exc.filename or ''}\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
