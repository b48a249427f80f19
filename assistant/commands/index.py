"""`python -m assistant index …`: build the index, or build it only when needed."""

from __future__ import annotations

import sys

import typer

app = typer.Typer(help="Zoekindex: principles.jsonl → Chroma + BM25", no_args_is_help=True)


def _log(message: str) -> None:
    typer.echo(message, err=True)


def _progress(done: int, total: int) -> None:
    """A counter on one line, only on a terminal."""
    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        typer.echo(f"\r  {done}/{total}", err=True, nl=False)
        typer.echo(end, err=True, nl=False)


@app.command("build")
def build_cmd() -> None:
    """Embed every record into a new collection and swap it in atomically."""
    from assistant.config import get_settings
    from assistant.factory import make_embedder, make_indexes

    s = get_settings()
    make_indexes(s).build(make_embedder(s), log=_log, progress=_progress)


@app.command("ensure")
def ensure_cmd() -> None:
    """Build the index when it is missing or built from another corpus or model."""
    from assistant.config import get_settings
    from assistant.factory import make_embedder, make_indexes

    s = get_settings()
    embedder = make_embedder(s)
    indexes = make_indexes(s)
    state = indexes.status(embedder.model_id)
    if state == "ok":
        typer.echo("index up to date", err=True)
        indexes.prune(log=_log)  # what a crashed build or older builds left
        return
    typer.echo(f"index {state}: building …", err=True)
    indexes.build(embedder, log=_log, progress=_progress)


@app.command("prune")
def prune_cmd() -> None:
    """Remove every index but the current one and its predecessor (also what a crashed
    build left); builds and app starts do this by themselves."""
    from assistant.config import get_settings
    from assistant.factory import make_indexes

    removed = make_indexes(get_settings()).prune(log=_log)
    typer.echo(f"{len(removed)} index(es) removed", err=True)
