"""A mutable draft of a record, used while parsing; frozen into `Record` at the end."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.types import DelphiScores, Record, Source


@dataclass
class Draft:
    id: str
    text: str
    kind: str
    kernelement: str
    file: str
    title: str
    edition: str
    section: tuple[str, ...]
    line_start: int
    line_end: int
    lead: str = ""
    principle: str = ""
    principle_id: str = ""
    deelelement: str = ""
    phase: str | None = None
    expert_added: bool = False
    delphi: DelphiScores | None = None
    references: tuple[str, ...] = ()
    theme: int | None = None
    also_in: list[str] = field(default_factory=list)

    def freeze(self) -> Record:
        return Record(
            id=self.id,
            text=clean_markup(self.text),
            lead=clean_markup(self.lead),
            principle=clean_markup(self.principle),
            principle_id=self.principle_id,
            kernelement=self.kernelement,  # type: ignore[arg-type]
            deelelement=self.deelelement,
            kind=self.kind,  # type: ignore[arg-type]
            phase=self.phase,  # type: ignore[arg-type]
            expert_added=self.expert_added,
            delphi=self.delphi,
            references=tuple(dict.fromkeys(self.references)),
            source=Source(
                file=self.file,
                title=self.title,
                section=tuple(s for s in self.section if s),
                line_start=self.line_start,
                line_end=self.line_end,
            ),
            edition=self.edition,  # type: ignore[arg-type]
            theme=self.theme,
            also_in=tuple(dict.fromkeys(self.also_in)),
        )


def clean_markup(text: str) -> str:
    """Remove markdown emphasis and HTML remnants, normalise white space."""
    text = re.sub(r"\*{1,2}([^*]+?)\*{1,2}", r"\1", text)
    text = text.replace("**", "").replace("\\*", "")
    text = re.sub(r"\^\{([^}]*)\}", r"\1", text)
    text = re.sub(r"</?[a-z]+[^>]*>", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text


def merge_short_lists(out: list[Draft]) -> list[Draft]:
    """Bullets of a few words under one lead make one chunk: 'lead: a; b; c'."""
    merged: list[Draft] = []
    i = 0
    while i < len(out):
        d = out[i]
        j = i
        while (
            j + 1 < len(out)
            and d.lead
            and out[j + 1].lead == d.lead
            and out[j + 1].kind == d.kind
            and out[j + 1].section == d.section
        ):
            j += 1
        run = out[i : j + 1]
        if len(run) > 1 and all(len(r.text.split()) <= 10 for r in run):
            d.text = "; ".join(r.text.rstrip(";. ") for r in run) + "."
            d.line_end = run[-1].line_end
            merged.append(d)
        else:
            merged.extend(run)
        i = j + 1
    return merged
