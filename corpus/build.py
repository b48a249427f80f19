"""Build `corpus/principles.jsonl` from the five sources, and report on it."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from corpus.parse import delphi, framework, handbook, link, review, website
from corpus.parse.common import ParseError
from corpus.parse.records import Span
from corpus.record import Record

PARSERS = (delphi, framework, website, review, handbook)


@dataclass
class BuildReport:
    records: list[Record]
    unlinked: dict[str, list[str]] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)

    def counts(self, key: str) -> Counter[str]:
        return Counter(str(getattr(r, key)) for r in self.records)

    def by_source(self) -> Counter[str]:
        return Counter(r.source.file for r in self.records)


def parse_all(sources_dir: Path) -> BuildReport:
    parsed = [parser.parse(sources_dir) for parser in PARSERS]
    drafts = [d for p in parsed for d in p.drafts]
    unlinked = link.link(drafts)
    records = [d.freeze() for d in drafts]
    validate(records)
    return BuildReport(records, unlinked, [s for p in parsed for s in p.spans])


def validate(records: list[Record]) -> None:
    ids = Counter(r.id for r in records)
    dupes = [i for i, n in ids.items() if n > 1]
    if dupes:
        raise ParseError(f"duplicate record ids: {dupes[:10]}")
    known = set(ids)
    for r in records:
        if r.principle_id and r.principle_id not in known:
            raise ParseError(f"{r.id}: principle_id {r.principle_id} does not exist")
        missing = [a for a in r.also_in if a not in known]
        if missing:
            raise ParseError(f"{r.id}: also_in points at unknown ids {missing}")
        if not r.text.strip():
            raise ParseError(f"{r.id}: empty text")


def write_jsonl(records: list[Record], path: Path) -> str:
    """Write the records, one JSON object a line; return the sha256 of the file."""
    lines = [json.dumps(r.model_dump(mode="json"), ensure_ascii=False) for r in records]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = path.with_suffix(".jsonl.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return hashlib.sha256(data).hexdigest()


def read_jsonl(path: Path) -> list[Record]:
    with path.open(encoding="utf-8") as fh:
        return [Record.model_validate_json(line) for line in fh if line.strip()]


def corpus_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stats_text(report: BuildReport, ocr_figures: dict | None = None) -> str:
    recs = report.records
    out = [f"records: {len(recs)}"]
    for title, counter in (
        ("per kernelement", report.counts("kernelement")),
        ("per kind", report.counts("kind")),
        ("per role (section label of the source)", report.counts("role")),
        ("per edition", report.counts("edition")),
        ("per source file", report.by_source()),
    ):
        out.append(f"\n{title}:")
        out += [f"  {k:<40} {v:>5}" for k, v in sorted(counter.items(), key=lambda kv: -kv[1])]
    principles = [r for r in recs if r.kind == "uitgangspunt"]
    d23 = [r for r in principles if r.edition == "delphi-2023"]
    out.append("\nprinciples:")
    out.append(f"  Delphi principles                        {len(d23):>5}")
    out.append(
        f"  with both Bijlage 3 scores               {sum(1 for r in d23 if r.delphi and r.delphi.weight is not None and r.delphi.mean is not None):>5}"
    )
    out.append(
        f"  in Table 2 (top 3 per core element)      {sum(1 for r in d23 if r.delphi and r.delphi.top3_rank):>5}"
    )
    out.append(
        f"  in Table 3 (top 10)                      {sum(1 for r in d23 if r.delphi and r.delphi.top10_rank):>5}"
    )
    out.append(
        f"  expert additions (E)                     {sum(1 for r in d23 if r.expert_added):>5}"
    )
    out.append(f"  linked to a scoping-review theme         {sum(1 for r in d23 if r.theme):>5}")
    out.append("\nsuspicious or unmatched:")
    for r in d23:
        if r.delphi is None:
            out.append(f"  Bijlage 2 principle without Bijlage 3 scores: {r.id}")
        elif r.delphi.weight is None:
            out.append(f"  Bijlage 3 row without a weight in the source: {r.id}")
    for kind, ids in report.unlinked.items():
        for i in ids:
            out.append(f"  not linked to a Delphi principle ({kind}): {i}")
    no_items = [r.id for r in d23 if not any(x.principle_id == r.id and x.id != r.id for x in recs)]
    out.append(f"  Delphi principles without any other record: {len(no_items)}")
    out += [f"    {i}" for i in no_items]
    from corpus.audit import fragments

    frags = fragments(recs)
    out.append(f"\nfragment records (cannot stand alone in an answer): {len(frags)}")
    out += [f"  {r.id}: {why}" for r, why in frags]
    if ocr_figures:
        out.append("\nOCR repair of the Delphi report:")
        out.append(f"  word tokens                              {ocr_figures['tokens']:>5}")
        out.append(f"  not in lexicon before repair             {ocr_figures['oov_before']:>8.2%}")
        out.append(f"  not in lexicon after repair              {ocr_figures['oov_after']:>8.2%}")
    return "\n".join(out)
