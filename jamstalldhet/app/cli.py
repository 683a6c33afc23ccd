"""Command line (data contract, section 5).

    python -m jamstalldhet indicators --year Y [--data FILE | --store DIR | --demo] [--by DIM] [--format json|csv|csv-excel|xlsx] [--out FILE] [--k N]
    python -m jamstalldhet import FILE [--store DIR] [--replace] [--tillat-okanda]
    python -m jamstalldhet report --year Y [--data FILE | --store DIR | --demo] --out FILE.html [--zip FILE.zip] [--pdf FILE.pdf] [--k N]
    python -m jamstalldhet demo --out FILE.parquet [--records N]
    python -m jamstalldhet kolada --year Y [--data FILE | --store DIR | --demo] [--format json|xlsx] [--out FILE] [--k N]
    python -m jamstalldhet export-uppfoljning --year Y [--data FILE | --store DIR | --demo] --out FILE.json [--xlsx FILE.xlsx]
    python -m jamstalldhet sammanstall FILE.json... --out FILE.html

Exit status: 0 success; 1 invalid input (messages on stderr); 2 wrong usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from ..base import schema as S
from ..base.errors import UserError

if TYPE_CHECKING:
    from ..disclosure.control import Published
    from ..intake.records import Prepared
    from ..intake.unknown_values import UnknownValue
    from .sources import Source

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
ALLOW_HELP = ("godta värden som ingen synonymlista känner igen (t.ex. ett okänt kön blir Annat/okänt, ett okänt utfall "
              "Annat); varje sådant värde skrivs ut. Utan flaggan vägras filen.")
UNKNOWN_HINT = ("Okända värden: lägg till dem i data/synonymer.toml (eller data/synonymer_utbetalningar.toml), "
                "mappa dem på sidan Importera, eller kör igen med --tillat-okanda för att godta dem som det står.")


def _write_problems(problems: Sequence[object], unknown: Sequence[object]) -> None:
    """The problems on stderr, one a line, and how to go on when some are unknown values."""
    for prob in problems:
        sys.stderr.write(f"{prob}\n")
    if unknown:
        sys.stderr.write(UNKNOWN_HINT + "\n")


def _write_became(unknown: Sequence[UnknownValue]) -> None:
    """What each unknown value became (``--tillat-okanda``)."""
    for u in unknown:
        sys.stderr.write(u.became() + "\n")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: fel: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m jamstalldhet", description="Könsuppdelad uppföljning av arbetsmarknadsinsatser.")
    sub = p.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)
    sub.required = True

    def year_source(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--year", type=int, required=True, help="kalenderår, t.ex. 2018")
        src = cmd.add_mutually_exclusive_group()
        src.add_argument("--data", type=Path, help="läs en fil (CSV, Excel eller Parquet) utan att lagra den")
        src.add_argument("--store", type=Path, help="läs lagrad data i mappen DIR")
        src.add_argument("--demo", action="store_true", help="använd demodata")
        cmd.add_argument("--tillat-okanda", action="store_true", help=ALLOW_HELP)

    def year_source_k(cmd: argparse.ArgumentParser) -> None:
        year_source(cmd)
        cmd.add_argument("--k", type=int, default=None, help="röjandekontroll: minsta antal personer (0 = av, internt)")

    ind = sub.add_parser("indicators", help="beräkna indikatorerna för ett år")
    year_source_k(ind)
    ind.add_argument("--by", choices=S.DIMENSIONS, help="dela upp på en dimension")
    ind.add_argument("--filter", action="append", metavar="DIM=V1,V2",
                     help="som filtren i sidofältet (en gång per dimension); utan --k 0 bara ett värde eller alla, "
                          "eller ett målområdes insatser")
    ind.add_argument("--format", choices=("json", "csv", "csv-excel", "xlsx"), default="json",
                     help="utdataformat (standard: json); csv-excel och xlsx: filerna som sidorna erbjuder, till --out")
    ind.add_argument("--out", type=Path, help="utfil (standard: stdout; krävs för csv-excel och xlsx)")

    imp = sub.add_parser("import", help="läs in en fil (CSV, Excel eller Parquet) och lagra den")
    imp.add_argument("file", type=Path, metavar="FILE", help="filen som ska importeras")
    imp.add_argument("--store", type=Path, help="lagringsmapp (standard: $JAMSTALLDHET_STORE eller data/store)")
    imp.add_argument("--replace", action="store_true", help="ersätt tidigare importer som täcker samma år")
    imp.add_argument("--tillat-okanda", action="store_true", help=ALLOW_HELP)

    rep = sub.add_parser("report", help="skapa årets jämställdhetsrapport (HTML, zip med figurer och tabeller, PDF)")
    year_source_k(rep)
    rep.add_argument("--out", type=Path, required=True, help="rapporten som en fristående HTML-fil")
    rep.add_argument("--zip", type=Path, help="zip med alla figurer (PNG 300 dpi och SVG) och tabeller (xlsx)")
    rep.add_argument("--pdf", type=Path, help="rapporten som PDF (kräver Chromium)")

    dem = sub.add_parser("demo", help="skriv syntetisk demodata som Parquet")
    dem.add_argument("--out", type=Path, required=True, help="utfil (.parquet)")
    dem.add_argument("--records", type=int, help="antal poster (standard: den kalibrerade demodatan)")

    kol = sub.add_parser("kolada", help="Koladas nyckeltal för kommunal arbetsmarknadsstatistik (KAS) för ett år")
    year_source_k(kol)
    kol.add_argument("--format", choices=("json", "xlsx"), default="json",
                     help="json: Kolada API v3:s /data-form (standard); xlsx: arbetsbok per nyckeltal och kön")
    kol.add_argument("--out", type=Path, help="utfil (standard: json till stdout, xlsx till kolada_<kommunkod>_<år>.xlsx)")

    # the board's follow-up file and the compilation of several boards' files (jamstalldhet.plan.followup)
    exp = sub.add_parser("export-uppfoljning", help="skriv nämndens uppföljning av handlingsplanen (JSON och/eller xlsx)")
    year_source(exp)
    exp.add_argument("--out", type=Path, required=True, help="utfil: .json (eller .xlsx för bara arbetsboken)")
    exp.add_argument("--xlsx", type=Path, help="skriv även samma uppföljning som Excel-arbetsbok")
    exp.add_argument("--plan", type=Path, help="planfilen (standard: data/handlingsplan.toml)")
    com = sub.add_parser("sammanstall", help="sammanställ flera nämnders uppföljningsfiler (JSON) i en HTML-rapport")
    com.add_argument("files", type=Path, nargs="+", metavar="FILE", help="uppföljningsfiler från export-uppfoljning")
    com.add_argument("--out", type=Path, required=True, help="den sammanställda rapporten (.html)")
    return p


def _k(args: argparse.Namespace) -> int | None:
    from ..base.settings import SettingsError, default_k
    from ..disclosure.control import check_k

    try:
        k = default_k() if args.k is None else int(args.k)
    except SettingsError as exc:
        sys.stderr.write(f"fel: {exc}\n")
        return None
    problem = check_k(k)
    if problem:
        sys.stderr.write(f"fel: {problem}\n")
        return None
    return k


def _filters(args: argparse.Namespace, k: int) -> dict[str, list[str]] | None:
    """``--filter DIM=V1,V2`` as the sidebar's filters; None (after a message) when not offered."""
    from ..compute import catalogue
    from ..disclosure.control import filter_problem, is_internal

    filters: dict[str, list[str]] = {}
    for spec in args.filter or []:
        dim, sep, values = spec.partition("=")
        dim = dim.strip()
        if not sep or dim not in S.DIMENSIONS or dim in filters:
            sys.stderr.write(f"fel: --filter {spec!r}: skriv DIM=V1,V2 med en av {', '.join(S.DIMENSIONS)}, "
                             "en gång per dimension\n")
            return None
        filters[dim] = [v.strip() for v in values.split(",") if v.strip()]
    if not is_internal(k):
        problem = filter_problem(filters, catalogue.load().fixed_selections)
        if problem:
            sys.stderr.write(f"fel: {problem} (använd --k 0 för internt läge)\n")
            return None
    return filters


def _load(args: argparse.Namespace) -> tuple[Prepared, Source] | None:
    """The records the command works on (and their source), or None after writing the problems."""
    from . import sources

    if args.data is not None:
        source = sources.Source("file", args.data)
        if args.data.exists():
            prep, problems, unknown = sources.load_file(args.data, getattr(args, "tillat_okanda", False))
            if prep is None:
                _write_problems(problems, unknown)
                return None
            _write_became(unknown)
            return prep, source
    elif args.store is not None:
        source = sources.Source("store", args.store)
    elif args.demo:
        source = sources.Source("demo")
    else:
        source = sources.default_source()
    prep, problems = sources.load_prepared(source)
    if prep is None:
        for prob in problems:
            sys.stderr.write(f"{prob}\n")
        return None
    return prep, source


def _cmd_indicators(args: argparse.Namespace) -> int:
    from ..disclosure.tables import indicator_table
    from ..resources import prices as costs
    from ..resources import table as resources
    from ..show.export import cli_csv, records

    k = _k(args)
    if k is None:
        return EXIT_USAGE
    if args.format in ("csv-excel", "xlsx") and args.out is None:
        sys.stderr.write(f"fel: --format {args.format} skriver en fil: ange --out FIL\n")
        return EXIT_USAGE
    filters = _filters(args, k)
    if filters is None:
        return EXIT_USAGE
    paid_only = _payments_only(args)
    if paid_only is not None:
        return _payment_indicators(args, k, filters, paid_only)
    loaded = _load(args)
    if loaded is None:
        return EXIT_INVALID
    prep, source = loaded
    for dim, values in filters.items():
        known = S.AGE_GROUP_VALUES if dim == S.ALDERSGRUPP else prep.categories.get(dim, ())
        unknown = [v for v in values if v not in known]
        if unknown:
            sys.stderr.write(f"fel: --filter {dim}: {', '.join(unknown)} finns inte i data; välj bland {', '.join(known)}\n")
            return EXIT_USAGE
    whole = prep.whole_years()
    if args.year in prep.years() and args.year not in whole:
        sys.stderr.write(f"Obs: {args.year} är ett ofullständigt år i datan (hela år: {whole[0]}–{whole[-1]}); "
                         "siffrorna räknar bara en del av årets deltagare.\n")
    pub = indicator_table(prep, args.year, by=args.by, k=k, filters=filters)
    if args.format in ("csv-excel", "xlsx"):
        return _write_file(args, pub, prep, source, filters)
    try:
        rows = records(pub) + resources.cli_rows(prep, args.year, by=args.by, filters=filters, k=k)
    except costs.CostError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_INVALID
    if args.by is None and not filters:  # payments (section 7) have no participant breakdowns or filters
        from .sources import payments_for

        paid = payments_for(source.kind, source.path)
        if paid is not None:  # a single file has none: the payments module (and pandas) is not needed
            from ..payments import table as payments

            rows += payments.indicator_records(paid, args.year, k)
    if pub.internal:  # the contract fixes stdout's fields, so the mark goes to stderr
        sys.stderr.write(f"{pub.note}: röjandekontrollen är avstängd (--k {k}).\n")
    text = json.dumps(rows, ensure_ascii=False) + "\n" if args.format == "json" else cli_csv(rows, args.by)
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8", newline="")
    return EXIT_OK


def _write_file(args: argparse.Namespace, pub: Published, prep: Prepared, source: Source,
                filters: dict[str, list[str]]) -> int:
    """``--format csv-excel|xlsx``: the file the pages offer for the year's indicators (wide, with
    title, year, filter, source and notes); an internal one has _INTERNT in its name."""
    from ..compute import catalogue
    from ..compute.indicators import INDICATORS
    from ..disclosure.control import INTERNAL_FILE_MARK
    from ..show import export, views
    from ..show.presentation import export_table

    try:
        cat = catalogue.load()
    except catalogue.CatalogueError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_INVALID
    table = export_table(pub, cat, [i.id for i in INDICATORS])
    by = f" efter {S.DIMENSION_LABELS[args.by].lower()}" if args.by else ""
    about = export.About(f"Indikatorer{by}", str(args.year), views.scope_label(filters),
                         export.source_line(source.label, prep.last_date()), pub.note, export.method_line(k=pub.k))
    out: Path = args.out
    if pub.internal:  # the contract fixes stdout's fields, so the mark goes to stderr; the file says it itself
        sys.stderr.write(f"{pub.note}: röjandekontrollen är avstängd (--k {pub.k}).\n")
        if not out.stem.endswith(INTERNAL_FILE_MARK):
            out = out.with_name(out.stem + INTERNAL_FILE_MARK + out.suffix)
    sheet = f"Indikatorer {args.year}"
    excel, _, book = export.table_files(table, sheet, about)
    out.write_bytes(excel if args.format == "csv-excel" else book)
    sys.stderr.write(f"Skrev {out}\n")
    return EXIT_OK


def _payments_only(args: argparse.Namespace) -> Path | None:
    """The file or store when it holds payments of ekonomiskt bistånd only (section 7): a payment
    file given to ``--data`` (recognised from its columns, as ``import`` does), or a store with
    payments and no participant records. None otherwise."""
    from ..intake import store

    if args.data is not None and args.data.exists():
        if args.data.suffix.lower() == ".parquet":  # a canonical participant file is counted without pandas
            import pyarrow.parquet as pq

            try:
                if set(S.COLUMNS) <= set(pq.read_schema(args.data).names):
                    return None
            except (OSError, ValueError):
                return None  # the reader reports an unreadable file
        from ..payments.reading import kind_of_file

        path: Path = args.data
        return path if kind_of_file(path) == "utbetalningar" else None
    if args.store is not None and not store.has_data(args.store):
        from ..payments import store as payment_store

        folder: Path = args.store
        return folder if payment_store.has_data(folder) else None
    return None


def _payment_indicators(args: argparse.Namespace, k: int, filters: dict[str, list[str]], source: Path) -> int:
    """``indicators`` on payments alone: the payment indicators of section 7 (they have no
    participant breakdowns or filters)."""
    from ..payments import store as payment_store
    from ..payments import table as payments
    from ..payments.reading import inspect
    from ..show.export import cli_csv

    if args.by is not None or filters:
        sys.stderr.write("fel: utbetalningar har inga uppdelningar eller filter (--by, --filter); "
                         "kör utan dem för betalningsindikatorerna\n")
        return EXIT_USAGE
    if source.is_dir():
        df = payment_store.load(source)
    else:
        ins = inspect(source, allow_unknown=args.tillat_okanda)
        if ins.frame is None:
            _write_problems(ins.problems, ins.unknown)
            return EXIT_INVALID
        _write_became(ins.unknown)
        df = ins.frame
    from ..disclosure.control import INTERNAL_MARK, is_internal

    rows = payments.indicator_records(df, args.year, k)
    if is_internal(k):  # the contract fixes stdout's fields, so the mark goes to stderr (as for participants)
        sys.stderr.write(f"{INTERNAL_MARK}: röjandekontrollen är avstängd (--k {k}).\n")
    if args.format == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(cli_csv(rows, None))
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from ..base.settings import store_dir
    from ..intake import importing

    target = args.store or store_dir()
    if not args.file.exists():
        sys.stderr.write(f"Fil {args.file.name}: filen finns inte.\n")
        return EXIT_INVALID
    from ..payments import store as payment_store
    from ..payments.reading import kind_of_file

    if kind_of_file(args.file) == "utbetalningar":
        code, lines = payment_store.import_file(args.file, target, args.replace, args.tillat_okanda)
        sys.stderr.write("".join(line + "\n" for line in lines))
        return code
    p = importing.preview(args.file, target, allow_unknown=args.tillat_okanda)
    if not p.ok or p.plan is None:
        _write_problems(p.problems, p.inspection.unknown)
        sys.stderr.write("Inget lagrades.\n")
        return EXIT_INVALID
    _write_became(p.inspection.unknown)
    if p.plan.duplicate_of is not None:
        sys.stderr.write(f"Filen är redan importerad ({p.plan.duplicate_of.label}). Inget ändrades.\n")
        return EXIT_OK
    if p.plan.replaces and not args.replace:
        for b in p.plan.replaces:
            sys.stderr.write(f"Filen täcker samma år som den tidigare importen {b.label}.\n")
        sys.stderr.write("Kör igen med --replace för att ersätta den. Inget lagrades.\n")
        return EXIT_INVALID
    batch = importing.commit(p, target, replace=args.replace)  # a StoreError is said by main
    if batch is not None:
        replaced = f"; ersatte {len(p.plan.replaces)} tidigare import(er)" if p.plan.replaces else ""
        from ..base.formatting import number

        sys.stderr.write(f"Lagrade {number(batch.rows)} rader, {number(batch.persons)} personer, år {batch.years[0]}–{batch.years[-1]} "
                         f"i {target}{replaced}.\n")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    import time

    from ..compute import catalogue
    from . import report, sources

    k = _k(args)
    if k is None:
        return EXIT_USAGE
    started = time.perf_counter()
    loaded = _load(args)
    if loaded is None:
        return EXIT_INVALID
    prep, source = loaded
    if _year_missing(prep, args.year):
        return EXIT_INVALID
    try:
        rep = report.build(prep, args.year, catalogue.load(), k, source.label,
                           payments=sources.payments_for(source.kind, source.path))
    except catalogue.CatalogueError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_INVALID
    if rep.internal:
        sys.stderr.write(f"{rep.note}: röjandekontrollen är avstängd (--k {k}).\n")
    args.out.write_text(report.html(rep), encoding="utf-8")
    written = [args.out]
    if args.zip:  # a ReportError is said by main
        written.append(report.write_zip(rep, args.zip))
    if args.pdf:
        written.append(report.write_pdf(args.out, args.pdf))
    for path in written:
        sys.stderr.write(f"Skrev {path} ({path.stat().st_size / 1e6:.1f} MB)\n")
    sys.stderr.write(f"Klart på {time.perf_counter() - started:.1f} s\n")
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from ..intake import demo

    if args.records is not None and args.records < 0:
        sys.stderr.write("fel: --records får inte vara negativt\n")
        return EXIT_USAGE
    df = demo.generate() if args.records is None else demo.generate_records(args.records)
    demo.write(df, args.out)
    from ..base.formatting import number  # here: babel only when it is said
    sys.stderr.write(f"Skrev {number(len(df))} poster till {args.out}\n")
    return EXIT_OK


def _year_missing(prep: Prepared, year: int) -> bool:
    """Says on stderr, and answers True, when the data has no record in ``year``."""
    years = prep.years()
    if year in years:
        return False
    span = f"{years[0]}–{years[-1]}" if years else "inga år"
    sys.stderr.write(f"fel: året {year} finns inte i datan ({span}).\n")
    return True


def _cmd_kolada(args: argparse.Namespace) -> int:
    from ..disclosure.control import INTERNAL_FILE_MARK
    from . import kolada

    k = _k(args)
    if k is None:
        return EXIT_USAGE
    loaded = _load(args)
    if loaded is None:
        return EXIT_INVALID
    prep, _ = loaded
    if _year_missing(prep, args.year):
        return EXIT_INVALID
    fig = kolada.compute(prep, args.year, k)  # a KoladaError is said by main
    if fig.internal:  # Kolada's JSON has no place for the mark: it goes to stderr, as for indicators
        sys.stderr.write(f"{fig.note()} Röjandekontrollen är avstängd (--k {k}).\n")
    out: Path | None = args.out
    if args.format == "xlsx" and out is None:
        out = Path(kolada.file_stem(fig) + ".xlsx")
    if out is not None and fig.internal and not out.stem.endswith(INTERNAL_FILE_MARK):
        out = out.with_name(out.stem + INTERNAL_FILE_MARK + out.suffix)  # an internal file says so in its name
    if args.format == "xlsx":
        assert out is not None
        out.write_bytes(kolada.xlsx(fig))
    else:
        text = json.dumps(fig.kolada_rows(), ensure_ascii=False) + "\n"
        if out is None:
            sys.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
    if out is not None:
        sys.stderr.write(f"Skrev {out}\n")
    return EXIT_OK


def _cmd_export_followup(args: argparse.Namespace) -> int:
    from ..base.settings import default_k
    from ..compute import catalogue
    from ..plan import model as P
    from ..plan.followup import FollowupError, build, to_json, to_xlsx
    from . import sources

    try:
        k = default_k()
    except ValueError as exc:
        sys.stderr.write(f"fel: {exc}\n")
        return EXIT_USAGE
    source = (sources.Source("file", args.data) if args.data is not None else sources.Source("store", args.store)
              if args.store is not None else sources.Source("demo") if args.demo else sources.default_source())
    prep, problems = sources.load_prepared(source)
    if prep is None:
        for prob in problems:
            sys.stderr.write(f"{prob}\n")
        return EXIT_INVALID
    try:
        cat = catalogue.load()
    except catalogue.CatalogueError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_INVALID
    plan_ = P.load(args.plan)
    for plan_problem in plan_.problems:
        sys.stderr.write(f"varning: {plan_problem}\n")
    if not plan_.goals:
        sys.stderr.write("fel: planen har inga mål att följa upp.\n")
        return EXIT_INVALID
    if args.year not in prep.years():
        sys.stderr.write(f"varning: året {args.year} finns inte i datan; måtten kan inte bedömas för det året.\n")
    try:
        doc = build(prep, args.year, cat, plan_, k)
    except FollowupError as exc:
        sys.stderr.write(f"fel: {exc}\n")
        return EXIT_USAGE
    written = []
    if args.out.suffix.lower() == ".xlsx":
        args.out.write_bytes(to_xlsx(doc))
    else:
        args.out.write_text(to_json(doc), encoding="utf-8")
    written.append(args.out)
    if args.xlsx:
        args.xlsx.write_bytes(to_xlsx(doc))
        written.append(args.xlsx)
    for path in written:
        sys.stderr.write(f"Skrev {path}\n")
    return EXIT_OK


def _cmd_compile_followups(args: argparse.Namespace) -> int:
    from ..plan.followup import FollowupError, compile_html, read

    docs, failed = [], False
    for path in args.files:
        try:
            docs.append(read(path))
        except FollowupError as exc:
            sys.stderr.write(f"fel: {exc}\n")
            failed = True
    if failed:
        sys.stderr.write("Ingen sammanställning skrevs.\n")
        return EXIT_INVALID
    args.out.write_text(compile_html(docs), encoding="utf-8")
    sys.stderr.write(f"Skrev {args.out} ({len(docs)} nämnder)\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        if args.command == "indicators":
            return _cmd_indicators(args)
        if args.command == "report":
            return _cmd_report(args)
        if args.command == "import":
            return _cmd_import(args)
        if args.command == "kolada":
            return _cmd_kolada(args)
        if args.command == "export-uppfoljning":
            return _cmd_export_followup(args)
        if args.command == "sammanstall":
            return _cmd_compile_followups(args)
        return _cmd_demo(args)
    except UserError as exc:  # a message for the user (base/errors): said once, here
        sys.stderr.write(f"fel: {exc}\n")
        return EXIT_INVALID
    except OSError as exc:
        sys.stderr.write(f"fel: {exc.strerror or exc}: {exc.filename or ''}\n")
        return EXIT_INVALID
    except KeyboardInterrupt:
        return 130
