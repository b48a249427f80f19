"""One formatter for the Delphi study's scores of a principle, in the three places
they are shown: the answer's weight line, the principle page, and the chat's sources."""

from __future__ import annotations

from typing import Literal

from corpus.record import DelphiScores

Style = Literal["answer-nl", "answer-en", "meta-nl", "meta-en", "page", "chip"]

# per style: the fields shown, in order, each with its template
_TEMPLATES: dict[Style, dict[str, str]] = {
    "answer-nl": {
        "mean": "gemiddeld belang {mean_nl} op een schaal van 1 tot 5",
        "weight": "score binnen het kernelement {weight}",
        "top3_rank": "nr. {top3_rank} in de top 3 van {kernelement}",
        "top10_rank": "nr. {top10_rank} van de tien belangrijkste uitgangspunten",
    },
    "answer-en": {
        "mean": "mean importance {mean:.1f} on a 1-5 scale",
        "weight": "weight within its core element {weight}",
        "top3_rank": "no. {top3_rank} in the top 3 of {kernelement}",
        "top10_rank": "no. {top10_rank} of the ten most important principles",
    },
    "meta-nl": {
        "mean": "gemiddeld belang {mean_nl} van 5",
        "top3_rank": "nr. {top3_rank} in de top 3 van het kernelement",
        "top10_rank": "nr. {top10_rank} van de tien belangrijkste",
    },
    "meta-en": {
        "mean": "mean importance {mean:.1f} of 5",
        "top3_rank": "no. {top3_rank} in the top 3 of its core element",
        "top10_rank": "no. {top10_rank} of the ten most important",
    },
    "page": {
        "mean": "gemiddeld {mean_nl} (schaal 1-5)",
        "top3_rank": "top-3 van het kernelement: #{top3_rank}",
        "top10_rank": "top-10 overall: #{top10_rank}",
        "weight": "gewicht {weight}",
    },
    "chip": {
        "mean": "gemiddeld {mean_nl} van 5",
        "top3_rank": "top-3 #{top3_rank}",
        "top10_rank": "top-10 #{top10_rank}",
    },
}


def delphi_parts(d: DelphiScores | None, style: Style, kernelement: str = "") -> list[str]:
    """The scores that are known, each as a phrase of `style`."""
    if d is None:
        return []
    values = {
        "mean": d.mean,
        "weight": d.weight,
        "top3_rank": d.top3_rank,
        "top10_rank": d.top10_rank,
    }
    mean_nl = f"{d.mean:.1f}".replace(".", ",") if d.mean is not None else ""
    return [
        template.format(**values, mean_nl=mean_nl, kernelement=kernelement)
        for name, template in _TEMPLATES[style].items()
        if values[name] is not None
    ]
