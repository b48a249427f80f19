"""Adapt the embedder to the domain: a LoRA adapter trained on the question bank.

Practitioners describe situations; the framework states principles. Contrastive
fine-tuning (sentence-transformers, MultipleNegativesRankingLoss) on (bank question,
unit passage) pairs teaches multilingual-e5-small which situations belong to which unit.
Only a LoRA adapter (peft) on the attention and dense layers is trained; the word
embeddings stay frozen, so the adapter is a few MB and can be committed beside its
training command. Seeded and reproducible on CPU.

    python -m assistant models finetune                      # writes index/adapters/e5-liso-lora
    python -m assistant models finetune --holdout 0.2 --epochs 3 --lr 2e-4 --out /tmp/a

With `--holdout`, part of the bank (every fifth question of each unit) is kept out of
training and used to report unit retrieval after every epoch: choose epochs and
learning rate on it, then train the adapter on the whole bank.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from corpus.units import BankQuestion, Unit

TARGET_MODULES: tuple[str, ...] = (
    "query",
    "key",
    "value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 2
    lr: float = 2e-4
    batch_size: int = 32
    rank: int = 16
    alpha: int = 32
    dropout: float = 0.05
    max_seq_length: int = 128
    question_pairs: float = 0.5  # share of positives that are another question of the unit
    hard_negatives: bool = False  # add the most similar other unit (by the base model)
    holdout: float = 0.0  # share of each unit's questions kept out to validate on
    full: bool = False  # train every weight but the word embeddings instead of an adapter
    seed: int = 13
    target_modules: tuple[str, ...] = field(default=TARGET_MODULES)


def split_bank(
    bank: Sequence[BankQuestion], holdout: float
) -> tuple[list[BankQuestion], list[BankQuestion]]:
    """Train and held-out questions: every n-th question of each unit is held out."""
    if holdout <= 0:
        return list(bank), []
    step = max(2, round(1 / holdout))
    train: list[BankQuestion] = []
    held: list[BankQuestion] = []
    position: dict[str, int] = {}
    for q in bank:
        i = position.get(q.unit, 0)
        position[q.unit] = i + 1
        (held if i % step == step - 1 else train).append(q)
    return train, held


def positives(
    train: Sequence[BankQuestion],
    snippets: dict[str, list[str]],
    share_questions: float,
    rng: random.Random,
    negatives: dict[str, str] | None = None,
) -> list[tuple[str, str, str, str]]:
    """(unit, question, positive, negative) for one epoch: the positive is another bank
    question of the same unit (with probability `share_questions`) or a snippet of the
    unit passage (its statement with one of its records), drawn afresh every epoch; the
    negative, when `negatives` names a confusable unit for the question, is of the same
    sort from that unit ("" otherwise)."""
    by_unit: dict[str, list[str]] = {}
    for q in train:
        by_unit.setdefault(q.unit, []).append(q.text)
    out = []
    for q in train:
        others = [t for t in by_unit[q.unit] if t != q.text]
        neg_unit = (negatives or {}).get(q.text, "")
        if others and rng.random() < share_questions:
            neg = "q:" + rng.choice(by_unit[neg_unit]) if neg_unit in by_unit else ""
            out.append((q.unit, q.text, "q:" + rng.choice(others), neg))
        else:
            neg = "p:" + rng.choice(snippets[neg_unit]) if neg_unit in snippets else ""
            out.append((q.unit, q.text, "p:" + rng.choice(snippets[q.unit]), neg))
    return out


def confusable_units(
    questions: Sequence[BankQuestion],
    units: Sequence[Unit],
    question_vecs: np.ndarray,
    passage_vecs: np.ndarray,
) -> dict[str, str]:
    """For each question, the unit whose passage is most similar to it among the units
    that share no principle key with its own unit (those are not negatives)."""
    keys = {u.id: set(u.keys) for u in units}
    sims = question_vecs @ passage_vecs.T
    out: dict[str, str] = {}
    for i, q in enumerate(questions):
        for j in np.argsort(-sims[i]):
            u = units[int(j)]
            if u.id != q.unit and not (keys[u.id] & keys[q.unit]):
                out[q.text] = u.id
                break
    return out


def batches(
    pairs: Sequence[tuple[str, str, str, str]],
    batch_size: int,
    rng: random.Random,
    group_of: dict[str, str] | None = None,
) -> list[list[tuple[str, str, str, str]]]:
    """Shuffled batches in which no unit (no principle, with `group_of`) occurs twice:
    in-batch negatives must be real negatives."""
    group_of = group_of or {}
    pool = list(pairs)
    rng.shuffle(pool)
    out: list[list[tuple[str, str, str, str]]] = []
    while pool:
        batch: list[tuple[str, str, str, str]] = []
        seen: set[str] = set()
        rest: list[tuple[str, str, str, str]] = []
        for p in pool:
            group = group_of.get(p[0], p[0])
            if group not in seen and len(batch) < batch_size:
                batch.append(p)
                seen.add(group)
            else:
                rest.append(p)
        out.append(batch)
        pool = rest
    return out


def unit_snippets(units: Sequence[Unit], passages: dict[str, str]) -> dict[str, list[str]]:
    """Short positives per unit: its title with each of the passage's sentences (records)."""
    out: dict[str, list[str]] = {}
    for u in units:
        parts = [p for p in passages[u.id].split(". ") if p.strip()]
        head, rest = parts[0], parts[1:]
        out[u.id] = [f"{head}. {r}" for r in rest] or [head]
    return out


def unit_accuracy(
    encode_queries: Callable[[list[str]], np.ndarray],
    encode_passages: Callable[[list[str]], np.ndarray],
    held: Sequence[BankQuestion],
    train: Sequence[BankQuestion],
    passages: dict[str, str],
) -> dict[str, float]:
    """Unit retrieval of held-out questions: P@1 and hit@3 against the unit passages,
    and P@1 against the training questions (nearest neighbour's unit)."""
    if not held:
        return {}
    units = list(passages)
    q = encode_queries([h.text for h in held])
    p = encode_passages([passages[u] for u in units])
    t = encode_queries([x.text for x in train])
    sims = q @ p.T
    order = np.argsort(-sims, axis=1)
    gold = [units.index(h.unit) for h in held]
    p1 = float(np.mean([order[i, 0] == g for i, g in enumerate(gold)]))
    h3 = float(np.mean([g in order[i, :3] for i, g in enumerate(gold)]))
    nn = np.argmax(q @ t.T, axis=1)
    knn = float(np.mean([train[int(j)].unit == h.unit for j, h in zip(nn, held, strict=True)]))
    return {"passage_p_at_1": p1, "passage_hit_at_3": h3, "bank_nn_p_at_1": knn}


def train_adapter(
    model_dir: Path,
    units: Sequence[Unit],
    passages: dict[str, str],
    bank: Sequence[BankQuestion],
    out_dir: Path,
    cfg: TrainConfig,
    threads: int = 2,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train the LoRA adapter and save it (fp16) with a training record to `out_dir`."""
    model, qp, pp = _setup(model_dir, cfg, threads)
    rng = random.Random(cfg.seed)
    train, held = split_bank(bank, cfg.holdout)
    snippets = unit_snippets(units, passages)
    # units of one principle (a principle and its review theme) are never each other's
    # negatives: batches hold one unit per principle
    group_of = {u.id: sorted(u.keys)[0] for u in units}
    negatives = _hard_negatives(model, train, units, passages, qp, pp) if cfg.hard_negatives else {}
    # the schedule's length: as many batches per epoch as a trial shuffle gives
    trial = positives(train, snippets, cfg.question_pairs, random.Random(0), negatives)
    n_steps = cfg.epochs * len(batches(trial, cfg.batch_size, random.Random(0), group_of))
    trainer = _Trainer(model, cfg, qp, pp, n_steps)

    def accuracy() -> dict[str, float]:
        return unit_accuracy(
            lambda x: trainer.encode(x, qp), lambda x: trainer.encode(x, pp), held, train, passages
        )

    history: list[dict[str, Any]] = []
    if held:
        history.append({"epoch": 0, **accuracy()})
        log(f"epoch 0: {history[0]}")
    t0 = time.perf_counter()
    for epoch in range(1, cfg.epochs + 1):
        pairs = positives(train, snippets, cfg.question_pairs, rng, negatives)
        loss = trainer.epoch(batches(pairs, cfg.batch_size, rng, group_of))
        entry: dict[str, Any] = {"epoch": epoch, "loss": round(loss, 4)}
        entry["seconds"] = round(time.perf_counter() - t0, 1)
        if held:
            entry.update(accuracy())
        history.append(entry)
        log(f"epoch {epoch}: {entry}")
    _save(model, cfg, out_dir)
    record = {
        "config": asdict(cfg),
        "base_model": str(model_dir.name),
        **{"n_train": len(train), "n_heldout": len(held), "n_units": len(units)},
        "history": history,
        "train_seconds": round(time.perf_counter() - t0, 1),
        "threads": threads,
    }
    (out_dir / "training.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    return record


def _hard_negatives(
    model: Any,
    train: list[BankQuestion],
    units: Sequence[Unit],
    passages: dict[str, str],
    qp: str,
    pp: str,
) -> dict[str, str]:
    """Each unit's most confusable other unit, by the model before training."""
    unit_list = list(units)
    return confusable_units(
        train,
        unit_list,
        _encode(model, [qp + q.text for q in train]),
        _encode(model, [pp + passages[u.id] for u in unit_list]),
    )


def _setup(model_dir: Path, cfg: TrainConfig, threads: int) -> tuple[Any, str, str]:
    """Seeded runtime, the model with its adapter (or unfrozen weights), the prompts."""
    from index.embedders import prepare_runtime

    prepare_runtime(threads)
    import torch
    from peft import LoraConfig
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads)
    random.seed(cfg.seed)
    np.random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    model: Any = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    model.max_seq_length = cfg.max_seq_length
    prompts = model.prompts or {}
    qp, pp = str(prompts.get("query", "query: ")), str(prompts.get("passage", "passage: "))
    if cfg.full:
        model[0].auto_model.embeddings.word_embeddings.weight.requires_grad = False
    else:
        model.add_adapter(
            LoraConfig(
                r=cfg.rank,
                lora_alpha=cfg.alpha,
                lora_dropout=cfg.dropout,
                target_modules=list(cfg.target_modules),
                bias="none",
            )
        )
    return model, qp, pp


class _Trainer:
    """The loss, the optimizer (AdamW) and its schedule (warm-up, then linear decay)."""

    def __init__(self, model: Any, cfg: TrainConfig, qp: str, pp: str, n_steps: int) -> None:
        import torch
        from sentence_transformers.sentence_transformer.losses import (
            MultipleNegativesRankingLoss,
        )

        self.torch = torch
        self.model, self.qp, self.pp = model, qp, pp
        self.loss_fn = MultipleNegativesRankingLoss(model)
        params = [p for p in model.parameters() if p.requires_grad]
        self.optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.01)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer,
            lambda step: (
                min(1.0, (step + 1) / max(1, n_steps // 10)) * max(0.0, 1 - step / max(1, n_steps))
            ),
        )

    def encode(self, texts: list[str], prefix: str) -> np.ndarray:
        self.model.eval()
        with self.torch.no_grad():
            vecs = self.model.encode(
                [prefix + t for t in texts],
                batch_size=32,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vecs, dtype=np.float32)

    def _side(self, texts: list[str]) -> Any:
        return self.model.tokenize([(self.qp if t[0] == "q" else self.pp) + t[2:] for t in texts])

    def epoch(self, epoch_batches: list[list[tuple[str, str, str, str]]]) -> float:
        """One pass over the batches; the mean loss."""
        self.model.train()
        total = 0.0
        for batch in epoch_batches:
            features = [
                self.model.tokenize([self.qp + b[1] for b in batch]),
                self._side([b[2] for b in batch]),
            ]
            if all(b[3] for b in batch):
                features.append(self._side([b[3] for b in batch]))
            loss = self.loss_fn(features, labels=None)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            self.scheduler.step()
            total += float(loss.detach())
        return total / len(epoch_batches)


def _save(model: Any, cfg: TrainConfig, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    if cfg.full:  # a whole sentence-transformers folder (hundreds of MB: not committed)
        model.max_seq_length = 512
        model.save(str(out_dir))
    else:
        model[0].auto_model.save_pretrained(str(out_dir))
        _to_fp16(out_dir / "adapter_model.safetensors")


def _encode(model: Any, texts: list[str]) -> np.ndarray:
    vecs = model.encode(
        texts,
        batch_size=32,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    return np.asarray(vecs, dtype=np.float32)


def _to_fp16(path: Path) -> None:
    """Store the adapter's weights in half precision (half the file; merged into the
    fp32 model at load, where the rounding is far below retrieval's resolution)."""
    from safetensors.numpy import load_file, save_file

    tensors = {k: v.astype(np.float16) for k, v in load_file(str(path)).items()}
    save_file(tensors, str(path))
