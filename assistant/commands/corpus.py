"""`python -m assistant corpus …`: parse the sources, report on the records and the bank."""

from __future__ import annotations

import typer

app = typer.Typer(help="Corpus: bronnen → principles.jsonl", no_args_is_help=True)


@app.command("build")
def corpus_build() -> None:
    """Parse the five sources into corpus/principles.jsonl."""
    from assistant.config import get_settings
    from corpus.build import parse_all, write_jsonl

    s = get_settings()
    report = parse_all(s.sources_dir)
    digest = write_jsonl(report.records, s.principles_path)
    typer.echo(f"{len(report.records)} records → {s.principles_path} (sha256 {digest[:12]})")


@app.command("bank-stats")
def corpus_bank_stats() -> None:
    """Questions per unit in the question bank, and units without enough questions."""
    from collections import Counter

    from assistant.config import get_settings
    from corpus.build import read_jsonl
    from corpus.units import build_units, load_bank, load_out_of_scope

    s = get_settings()
    units = build_units(read_jsonl(s.principles_path))
    per_unit = Counter(q.unit for q in load_bank(s.bank_path))
    spread = Counter(per_unit.get(u.id, 0) for u in units)
    kinds = Counter(u.kind for u in units)
    typer.echo(f"{len(units)} units ({', '.join(f'{k} {n}' for k, n in kinds.items())})")
    typer.echo(f"{sum(per_unit.values())} bank questions")
    for n, count in sorted(spread.items()):
        typer.echo(f"  {count:>3} units with {n} questions")
    thin = [u.id for u in units if per_unit.get(u.id, 0) < 8]
    typer.echo(f"units with fewer than 8 questions: {thin or 'none'}")
    oos = Counter(q.unit.split(":")[0] for q in load_out_of_scope(s.out_of_scope_path))
    typer.echo(f"out-of-scope bank: {dict(oos)}")


@app.command("stats")
def corpus_stats() -> None:
    """Counts per core element, kind and source; unmatched and suspicious pieces."""
    from assistant.config import get_settings
    from corpus.build import parse_all, stats_text
    from corpus.parse.delphi import FILE
    from corpus.parse.ocr import ocr_report

    s = get_settings()
    report = parse_all(s.sources_dir)
    figures = ocr_report((s.sources_dir / FILE).read_text(encoding="utf-8"))
    typer.echo(stats_text(report, figures))


@app.command("audit")
def corpus_audit() -> None:
    """The records against the hand-checked table of the Delphi principles and the review
    themes (tests/corpus/delphi_hand_checked.yaml); fragments; coverage of the sources."""
    from assistant.config import get_settings
    from corpus.audit import audit_text
    from corpus.build import parse_all

    s = get_settings()
    typer.echo(audit_text(parse_all(s.sources_dir), s.sources_dir))
