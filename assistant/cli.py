"""`python -m assistant`: the command line, the first user of the library.

Every command imports what it needs inside its body, so `--help` answers instantly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="LISO-assistent: antwoorden uit het LISO-framework, met bronnen.", no_args_is_help=True
)


def _register_subapps() -> None:
    """Sub-command groups that live next to the code they drive (lazy inside). The
    command line is the one entry point above every layer: it also registers the
    commands of the app (`serve`, `feedback`) and of the evaluation (`eval`)."""
    from app.commands import app as app_commands
    from assistant.commands.corpus import app as corpus_app
    from assistant.commands.index import app as index_app
    from assistant.commands.models import app as models_app
    from eval.commands import app as eval_app

    app.add_typer(corpus_app, name="corpus")
    app.add_typer(index_app, name="index")
    app.add_typer(models_app, name="models")
    app.add_typer(eval_app, name="eval")
    app.registered_commands += app_commands.registered_commands
    app.registered_groups += app_commands.registered_groups


_register_subapps()


def _echo_err(msg: str) -> None:
    typer.echo(msg, err=True)


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
    from assistant.factory import get_assistant
    from corpus.record import Filters

    a = get_assistant()
    filters = Filters.of(kernelement, kind, phase)
    for q in _lines(batch, query):
        with _user_errors():
            result = a.retrieve(q, k=k, filters=filters)
        hits = result.hits
        principles: list[dict[str, Any]] = [
            {"id": p.id, "score": round(p.score, 6)} for p in result.principles[:k]
        ]
        rows: list[dict[str, Any]] = [
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
    from assistant.factory import get_assistant
    from assistant.types import Turn
    from corpus.record import Filters

    a = get_assistant()
    turns = (
        [Turn(**t) for t in json.loads(history.read_text(encoding="utf-8"))] if history else None
    )
    filters = Filters.of(kernelement, None, phase)
    for q in _lines(batch, question):
        with _user_errors():
            ans = a.ask(q, history=turns, filters=filters)
        if as_json or batch:
            data = ans.model_dump(
                mode="json",
                include={
                    "answer",
                    "refused",
                    "citations",
                    "backend",
                    "timings_ms",
                    "notice",
                    "summary",
                    "blocks",
                    "not_covered",
                },
            )
            keep = (
                "n",
                "id",
                "text",
                "principle",
                "kernelement",
                "kind",
                "source",
                "label",
                "also",
            )
            data["citations"] = [{k: c[k] for k in keep} for c in data["citations"]]
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            typer.echo(ans.answer)
            if ans.citations:
                english = ans.language == "en"
                typer.echo("\nSources:" if english else "\nBronnen:")
                for c in ans.citations:
                    also = "".join(
                        f"; {'also in' if english else 'ook in'} {a}" for a in c.also_sources
                    )
                    typer.echo(f"[{c.n}] {c.label} — {c.source}{also}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["Annotated", "Path", "app", "json", "main"]
