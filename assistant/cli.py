"""`python -m assistant`: the command line, the first user of the library.

Every command imports what it needs inside its body, so `--help` answers instantly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="LISO-assistent: antwoorden uit het LISO-framework, met bronnen.", no_args_is_help=True
)
corpus_app = typer.Typer(help="Corpus: bronnen → principles.jsonl", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _echo_err(msg: str) -> None:
    typer.echo(msg, err=True)


@corpus_app.command("build")
def corpus_build() -> None:
    """Parse the five sources into corpus/principles.jsonl."""
    from assistant.config import get_settings
    from corpus.build import parse_all, write_jsonl

    s = get_settings()
    report = parse_all(s.sources_dir)
    digest = write_jsonl(report.records, s.principles_path)
    typer.echo(f"{len(report.records)} records → {s.principles_path} (sha256 {digest[:12]})")


@corpus_app.command("stats")
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


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["Annotated", "Path", "app", "json", "main"]
