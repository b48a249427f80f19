"""`python -m assistant`: the command line, the first user of the library.

Every command imports what it needs inside its body, so `--help` answers instantly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="LISO-assistent: antwoorden uit het LISO-framework, met bronnen.", no_args_is_help=True
)
corpus_app = typer.Typer(help="Corpus: bronnen → principles.jsonl", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")


def _register_subapps() -> None:
    """Sub-command groups that live next to the code they drive (lazy inside)."""
    from index.commands import app as index_app
    from index.models_cli import app as models_app

    app.add_typer(index_app, name="index")
    app.add_typer(models_app, name="models")
    for module, name in (("eval.commands", "eval"), ("app.commands", None)):
        try:
            sub = __import__(module, fromlist=["app"]).app
        except ImportError:
            continue
        if name:
            app.add_typer(sub, name=name)
        else:
            for cmd in sub.registered_commands:
                app.registered_commands.append(cmd)
            for group in sub.registered_groups:
                app.registered_groups.append(group)


_register_subapps()


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


@corpus_app.command("bank-stats")
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


@corpus_app.command("audit")
def corpus_audit() -> None:
    """The records against the hand-checked table of the Delphi principles and the review
    themes (tests/corpus/delphi_hand_checked.yaml); fragments; coverage of the sources."""
    from assistant.config import get_settings
    from corpus.audit import audit_text
    from corpus.build import parse_all

    s = get_settings()
    typer.echo(audit_text(parse_all(s.sources_dir), s.sources_dir))


def _filters(kernelement: list[str] | None, kind: list[str] | None, phase: list[str] | None):  # type: ignore[no-untyped-def]
    from corpus.record import Filters

    return Filters(kernelement=kernelement or None, kind=kind or None, phase=phase or None)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Bad input ends the command with both messages and exit code 2."""
    from assistant.errors import InputError

    try:
        yield
    except InputError as exc:
        _echo_err(f"{exc.nl}\n{exc.en}")
        raise typer.Exit(2) from exc


def _lines(batch: Path | None, single: str | None) -> list[str]:
    if batch is not None:
        return [ln.strip() for ln in batch.read_text(encoding="utf-8").splitlines() if ln.strip()]
    if single is None:
        raise typer.BadParameter("geef een vraag of --batch FILE / give a question or --batch FILE")
    return [single]


@app.command("search")
def search_cmd(
    query: Annotated[str | None, typer.Argument(help="de vraag / the question")] = None,
    k: int = 10,
    kernelement: Annotated[list[str] | None, typer.Option()] = None,
    kind: Annotated[list[str] | None, typer.Option()] = None,
    phase: Annotated[list[str] | None, typer.Option()] = None,
    batch: Annotated[Path | None, typer.Option(help="one question per line")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Search the corpus (hybrid retrieval + re-ranking)."""
    from assistant.service import get_assistant

    a = get_assistant()
    filters = _filters(kernelement, kind, phase)
    for q in _lines(batch, query):
        with _user_errors():
            result = a.retrieve(q, k=k, filters=filters)
        hits = result.hits
        principles = [{"id": p.id, "score": round(p.score, 6)} for p in result.principles[:k]]
        rows = [
            {
                "id": h.id,
                "text": h.record.text,
                "score": h.score,
                "principle": h.record.principle,
                "kernelement": h.record.kernelement,
                "kind": h.record.kind,
                "source": h.record.source.label(),
            }
            for h in hits
        ]
        if as_json or batch:
            typer.echo(json.dumps({"results": rows, "principles": principles}, ensure_ascii=False))
        else:
            typer.echo("uitgangspunten / principles: " + ", ".join(p["id"] for p in principles[:3]))
            for i, r in enumerate(rows, 1):
                typer.echo(f"{i:>2}. [{r['kind']}] {r['id']}\n    {r['text'][:160]}")


@app.command("ask")
def ask_cmd(
    question: Annotated[str | None, typer.Argument(help="de vraag / the question")] = None,
    batch: Annotated[Path | None, typer.Option(help="one question per line")] = None,
    history: Annotated[Path | None, typer.Option(help="JSON list of {role, content}")] = None,
    kernelement: Annotated[list[str] | None, typer.Option()] = None,
    phase: Annotated[list[str] | None, typer.Option()] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Answer a question with citations."""
    from assistant.service import get_assistant
    from assistant.types import Turn

    a = get_assistant()
    turns = (
        [Turn(**t) for t in json.loads(history.read_text(encoding="utf-8"))] if history else None
    )
    filters = _filters(kernelement, None, phase)
    for q in _lines(batch, question):
        with _user_errors():
            ans = a.ask(q, history=turns, filters=filters)
        if as_json or batch:
            data = ans.model_dump(
                mode="json",
                include={"answer", "refused", "citations", "backend", "timings_ms", "notice"},
            )
            data["citations"] = [
                {k: c[k] for k in ("n", "id", "text", "principle", "kernelement", "kind", "source")}
                for c in data["citations"]
            ]
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            typer.echo(ans.answer)
            if ans.citations:
                typer.echo("\nBronnen:")
                for c in ans.citations:
                    typer.echo(
                        f"[{c.n}] {c.principle or c.text[:80]} — {c.kernelement}; {c.source}"
                    )


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["Annotated", "Path", "app", "json", "main"]
