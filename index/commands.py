"""`python -m assistant index …`: build the index, or build it only when needed."""

from __future__ import annotations

import typer

app = typer.Typer(help="Zoekindex: principles.jsonl → Chroma + BM25", no_args_is_help=True)


@app.command("build")
def build_cmd() -> None:
    """Embed every record into a new Chroma collection and swap it in atomically."""
    from assistant.config import get_settings
    from index.embedders import load_embedder
    from index.store import build

    s = get_settings()
    build(s, load_embedder(s), log=lambda m: typer.echo(m, err=True))


@app.command("ensure")
def ensure_cmd() -> None:
    """Build the index when it is missing or built from another corpus or model."""
    from assistant.config import get_settings
    from index.embedders import load_embedder
    from index.store import build, status

    s = get_settings()
    embedder = load_embedder(s)
    state = status(s, embedder.model_id)
    if state == "ok":
        typer.echo("index up to date", err=True)
        return
    typer.echo(f"index {state}: building …", err=True)
    build(s, embedder, log=lambda m: typer.echo(m, err=True))
