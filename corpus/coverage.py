"""Coverage of the sources by the records: which non-empty lines of each source file a
record holds (its line range), which the parsers used as structure (headings, labels,
leads, statements: metadata of the records), which they skipped on purpose (with the
reason), and which nothing accounts for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus.parse.records import Span
from corpus.record import Record

FLOOR = 0.95  # share of non-empty lines that must be covered or skipped with a reason


@dataclass
class FileCoverage:
    file: str
    nonempty: int
    in_records: int
    in_structure: int
    n_skipped: int = 0
    skipped: list[tuple[int, int, str]] = field(default_factory=list)
    uncovered: list[tuple[int, int]] = field(default_factory=list)

    @property
    def covered(self) -> float:
        """Share of non-empty lines in a record or used as its metadata."""
        return (self.in_records + self.in_structure) / self.nonempty if self.nonempty else 1.0

    @property
    def accounted(self) -> float:
        """Share of non-empty lines covered or skipped with a reason."""
        return (
            (self.in_records + self.in_structure + self.n_skipped) / self.nonempty
            if self.nonempty
            else 1.0
        )


def coverage(
    records: Sequence[Record], spans: Sequence[Span], sources_dir: Path
) -> list[FileCoverage]:
    """One `FileCoverage` per source file that records or spans refer to."""
    files = sorted({r.source.file for r in records} | {s.file for s in spans})
    return [_file_coverage(f, records, spans, sources_dir) for f in files]


def _file_coverage(
    file: str, records: Sequence[Record], spans: Sequence[Span], sources_dir: Path
) -> FileCoverage:
    lines = (sources_dir / file).read_text(encoding="utf-8").split("\n")
    nonempty = {i for i, t in enumerate(lines, start=1) if t.strip()}
    in_records = _lines(
        (r.source.line_start, r.source.line_end) for r in records if r.source.file == file
    )
    mine = [s for s in spans if s.file == file]
    structure = _lines((s.start, s.end) for s in mine if s.use != "skipped") - in_records
    reasons: dict[int, str] = {}
    for s in mine:
        if s.use == "skipped":
            for i in range(s.start, s.end + 1):
                reasons.setdefault(i, s.reason)
    skipped_lines = sorted((set(reasons) & nonempty) - in_records - structure)
    rest = sorted(nonempty - in_records - structure - set(reasons))
    return FileCoverage(
        file,
        len(nonempty),
        len(in_records & nonempty),
        len(structure & nonempty),
        len(skipped_lines),
        skipped=_ranges_with_reason(skipped_lines, reasons, nonempty),
        uncovered=_ranges(rest, nonempty),
    )


def _lines(ranges: Iterable[tuple[int, int]]) -> set[int]:
    out: set[int] = set()
    for a, b in ranges:
        if a > 0:
            out.update(range(a, b + 1))
    return out


def _adjacent(a: int, b: int, nonempty: set[int]) -> bool:
    """No non-empty line lies between lines a < b."""
    return not any(i in nonempty for i in range(a + 1, b))


def _ranges(numbers: Sequence[int], nonempty: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for n in numbers:
        if out and _adjacent(out[-1][1], n, nonempty):
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def _ranges_with_reason(
    numbers: Sequence[int], reasons: dict[int, str], nonempty: set[int]
) -> list[tuple[int, int, str]]:
    """Runs of lines with the same reason (blank lines between them do not break a run)."""
    out: list[tuple[int, int, str]] = []
    for n in numbers:
        if out and out[-1][2] == reasons[n] and _adjacent(out[-1][1], n, nonempty):
            out[-1] = (out[-1][0], n, reasons[n])
        else:
            out.append((n, n, reasons[n]))
    return out


def coverage_text(report: Sequence[FileCoverage], detail: bool = True) -> str:
    out = ["coverage of the sources (non-empty lines):"]
    out.append(
        f"  {'file':<28} {'lines':>6} {'records':>8} {'metadata':>9} {'skipped':>8} "
        f"{'covered':>8} {'accounted':>10}"
    )
    for c in report:
        out.append(
            f"  {c.file:<28} {c.nonempty:>6} {c.in_records:>8} {c.in_structure:>9} "
            f"{c.n_skipped:>8} {c.covered:>8.1%} {c.accounted:>10.1%}"
        )
    if detail:
        for c in report:
            if c.skipped:
                out.append(f"\n  skipped in {c.file}:")
                out += [f"    r. {a}-{b}: {why}" for a, b, why in c.skipped]
            if c.uncovered:
                spans = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in c.uncovered)
                out.append(f"  not accounted for in {c.file}: {spans}")
    return "\n".join(out)
