"""Readable HTML pages: one per principle (the targets of citation links)."""

from __future__ import annotations

from html import escape

from assistant.delphi import delphi_parts
from corpus.record import Record

KIND_LABELS: dict[str, str] = {
    "uitgangspunt": "uitgangspunt",
    "werkzaam_element": "werkzaam element",
    "toelichting": "toelichting",
    "bevorderend": "bevorderende factor",
    "belemmerend": "belemmerende factor",
    "tip": "tip",
    "fase": "ontwikkelfase",
    "definitie": "definitie",
    "methode": "methode",
    "resultaat": "resultaat",
}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:46rem;margin:2rem auto;
padding:0 1rem;line-height:1.55;color:#1f2933}
h1{font-size:1.35rem;line-height:1.35}
blockquote{margin:1rem 0;padding:.6rem 1rem;border-left:4px solid #0b6e4f;background:#f3f7f5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}
dt{font-weight:600}dd{margin:0}
a{color:#0b6e4f}.muted{color:#616e7c;font-size:.9rem}
"""


def delphi_label(record: Record) -> str:
    """Dutch summary of the Delphi importance, or '' when the record has no scores."""
    return "; ".join(delphi_parts(record.delphi, "page"))


def principle_page(record: Record, principle: Record | None = None) -> str:
    """A complete, HTML-escaped page for one record."""
    e = escape
    rows: list[tuple[str, str]] = [
        ("Kernelement", e(record.kernelement)),
        ("Deelelement", e(record.deelelement) or "—"),
        ("Soort", e(KIND_LABELS.get(record.kind, record.kind))),
    ]
    if record.phase:
        rows.append(("Fase", e(record.phase)))
    rows.append(("Delphi-belang", e(delphi_label(record)) or "—"))
    if record.expert_added:
        rows.append(("Toegevoegd", "door experts in de Delphi-studie"))
    rows.append(("Bron", e(record.source.label())))
    rows.append(("Editie", e(record.edition)))
    if record.references:
        rows.append(("Referenties", "<br>".join(e(r) for r in record.references)))
    if principle is not None and principle.id != record.id:
        rows.append(
            (
                "Uitgangspunt",
                f'<a href="/principles/{e(principle.id)}">{e(principle.text)}</a>',
            )
        )
    elif record.principle and record.principle != record.text:
        rows.append(("Uitgangspunt", e(record.principle)))
    if record.also_in:
        links = ", ".join(f'<a href="/principles/{e(i)}">{e(i)}</a>' for i in record.also_in)
        rows.append(("Ook in", links))
    lead = f"<p><em>{e(record.lead)}</em></p>" if record.lead else ""
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    title = e(record.text if len(record.text) < 90 else record.text[:87] + "…")
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title} — LISO-framework</title><style>{_CSS}</style></head><body>"
        f'<p class="muted">LISO-framework · {e(KIND_LABELS.get(record.kind, record.kind))}</p>'
        f"<h1>{e(record.kernelement)}{' — ' + e(record.deelelement) if record.deelelement else ''}"
        f"</h1>{lead}<blockquote>{e(record.text)}</blockquote><dl>{dl}</dl>"
        f'<p class="muted">Id: <code>{e(record.id)}</code> · <a href="/chat/">Naar de chat</a></p>'
        "</body></html>"
    )


def not_found_page(record_id: str) -> str:
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Niet gevonden</title>'
        f"<style>{_CSS}</style></head><body><h1>Niet gevonden</h1>"
        f"<p>Er is geen principe met id <code>{escape(record_id)}</code>.</p>"
        '<p><a href="/chat/">Naar de chat</a></p></body></html>'
    )
