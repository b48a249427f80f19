"""Readable HTML pages: a principle in all its editions (where citations lead, with the
cited sentence marked), a record that belongs to no principle, and the framework as a
map (`/framework`). Everything from the corpus is HTML-escaped; what a page shows is
worked out in `app.framework`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from app.framework import (
    DELPHI_MAX,
    CoreElement,
    PrincipleView,
    decimal_nl,
    edition_name,
    principle_url,
    principle_view,
)
from assistant.delphi import delphi_parts
from corpus.record import Record
from index.store import OpenIndex

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
    "bouwsteen": "bouwsteen",
}

PHASE_LABELS: dict[str, str] = {
    "formeren": "Formeren",
    "onderhoud": "Onderhoud",
    "institutionaliseren": "Institutionaliseren",
}

# colours with a contrast of at least 4.5:1 on their background (WCAG AA)
_CSS = """
:root{--ink:#1f2933;--muted:#52606d;--line:#d9e2ec;--accent:#0b6e4f;--soft:#f3f7f5;
--mark:#fff1b8;--mark-line:#8a6d00}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;line-height:1.55;
color:var(--ink);background:#fff}
a{color:var(--accent)}a:focus-visible{outline:3px solid #b25e00;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;padding:.7rem 1rem;
border-bottom:1px solid var(--line)}
header.top .home{font-weight:700;color:var(--ink);text-decoration:none}
header.top nav a{margin-right:1rem}
main{max-width:50rem;margin:0 auto;padding:1rem 1rem 3rem}
main.wide{max-width:76rem}
h1{font-size:1.45rem;line-height:1.35;margin:.4rem 0 .6rem}
h2{font-size:1.15rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:1.2rem 0 .3rem}
.crumbs,.muted{color:var(--muted);font-size:.92rem}
.badge{display:inline-block;font-size:.8rem;font-weight:600;padding:.05rem .45rem;
border-radius:1rem;border:1px solid var(--accent);color:var(--accent);margin-right:.3rem}
.badge.e{background:var(--accent);color:#fff}
ul.items{padding-left:1.2rem}ul.items li{margin:.35rem 0}
.edition{font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{font-weight:600}
dd{margin:0}
.score{display:flex;align-items:center;gap:.6rem;margin:.4rem 0}
.bar{display:inline-block;width:8rem;height:.6rem;background:var(--line);border-radius:.3rem;
overflow:hidden;flex:none}
.bar>span{display:block;height:100%;background:var(--accent)}
:target,.marked{background:var(--mark);outline:2px solid var(--mark-line);
border-radius:.2rem;scroll-margin-top:5rem}
.map{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:1rem}
.core{border:1px solid var(--line);border-radius:.6rem;padding:.2rem 1rem 1rem}
.core h2{margin-top:.8rem}.core ol{list-style:none;padding:0;margin:0}
.core li{display:grid;grid-template-columns:1fr auto;gap:.2rem .8rem;padding:.45rem 0;
border-top:1px solid var(--line)}
.core .mean{display:flex;align-items:center;gap:.4rem;font-variant-numeric:tabular-nums;
font-size:.9rem;color:var(--muted)}
.core .bar{width:4.5rem}
.legend{background:var(--soft);padding:.6rem 1rem;border-radius:.5rem}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"""

# the cited sentence: marked and scrolled into view (a fragment does that by itself; a
# page opened for one record marks that record)
_SCRIPT = """
(function(){var id=decodeURIComponent(location.hash.slice(1))||document.body.dataset.marked;
var el=id&&document.getElementById(id);if(!el)return;el.classList.add('marked');
el.setAttribute('tabindex','-1');el.scrollIntoView({block:'center'});
el.focus({preventScroll:true});})();
"""


def _e(text: str | None) -> str:
    return escape(text or "")


def page(title: str, body: str, *, wide: bool = False, marked: str = "") -> str:
    """A whole page around `body` (already HTML)."""
    data = f' data-marked="{_e(marked)}"' if marked else ""
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{_e(title)} — LISO-framework</title><link rel="icon" href="/favicon.svg" '
        f'type="image/svg+xml"><style>{_CSS}</style></head><body{data}>'
        '<a class="skip" href="#main">Naar de inhoud</a>'
        '<header class="top"><a class="home" href="/chat/">LISO-assistent</a>'
        '<nav aria-label="Hoofdmenu"><a href="/framework">Het framework</a>'
        '<a href="/chat/">Stel een vraag</a></nav></header>'
        f'<main id="main"{" class=wide" if wide else ""}>{body}</main>'
        f"<script>{_SCRIPT}</script></body></html>"
    )


def delphi_label(record: Record) -> str:
    """Dutch summary of the Delphi importance, or '' when the record has no scores."""
    return "; ".join(delphi_parts(record.delphi, "page"))


def mean_bar(mean: float | None, wide: bool = True) -> str:
    """The Delphi mean as a small bar with its figure ('' without one)."""
    if mean is None:
        return ""
    width = round(100 * (mean - 1) / (DELPHI_MAX - 1))  # the scale runs from 1 to 5
    label = f"gemiddeld belang {decimal_nl(mean)} van 5" if wide else decimal_nl(mean)
    return (
        f'<span class="bar" aria-hidden="true"><span style="width:{width}%"></span></span>'
        f"<span>{label}</span>"
    )


def _items(records: Iterable[Record], badge: bool = True) -> str:
    out = []
    for r in records:
        e = ' <span class="badge e" title="toegevoegd door praktijkexperts">(E)</span>'
        out.append(
            f'<li id="{_e(r.id)}">{_e(r.display())}{e if badge and r.expert_added else ""}</li>'
        )
    return f'<ul class="items">{"".join(out)}</ul>'


def _section(title: str, body: str) -> str:
    return f"<section><h2>{_e(title)}</h2>{body}</section>" if body else ""


def _figures(view: PrincipleView) -> str:
    d = view.scored.delphi if view.scored else None
    if d is None:
        return ""
    kern = view.principle.kernelement
    rows = []
    if d.weight is not None:
        rows.append(("Gewicht binnen het kernelement", str(d.weight)))
    if d.top3_rank is not None:
        rows.append((f"Top 3 van {kern}", f"nr. {d.top3_rank}"))
    if d.top10_rank is not None:
        rows.append(("Tien belangrijkste uitgangspunten", f"nr. {d.top10_rank}"))
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows)
    score = f'<p class="score">{mean_bar(d.mean)}</p>' if d.mean is not None else ""
    return _section("Delphi-studie 2023", f"{score}<dl>{dl}</dl>" if dl else score)


def _wordings(view: PrincipleView) -> str:
    out = []
    for w in view.wordings:
        if w.id == view.principle.id:
            text = f'<span class="edition">{_e(edition_name(w))}</span> (deze pagina)'
            out.append(f"<li>{text}</li>")
            continue
        link = f'<a href="{principle_url(w.id)}">{_e(edition_name(w))}</a>'
        out.append(f'<li id="{_e(w.id)}">{link}: {_e(w.text)}</li>')
    return _section("In de edities", f'<ul class="items">{"".join(out)}</ul>') if out else ""


def _facts(view: PrincipleView) -> str:
    p = view.principle
    source = _e(p.source.label())
    if p.references:
        source += "<br>Referenties: " + ", ".join(_e(r) for r in p.references)
    rows = [
        ("Kernelement", f'<a href="/framework#{_anchor(p.kernelement)}">{_e(p.kernelement)}</a>'),
        ("Deelelement", _e(p.deelelement) or "—"),
        ("Soort", _e(KIND_LABELS.get(p.kind, p.kind))),
        ("Fasen", ", ".join(_e(PHASE_LABELS.get(x, x)) for x in view.phases) or "alle fasen"),
        ("Delphi-belang", _e(delphi_label(view.scored)) if view.scored else "—"),
        ("Bron", source),
    ]
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    return _section("Gegevens", f"<dl>{dl}</dl>")


def _anchor(name: str) -> str:
    return "ke-" + "-".join(name.lower().split())


def principle_page(record: Record, index: OpenIndex, tips: Sequence[Record] = ()) -> str:
    """The page of a principle in all its editions; for a record that belongs to a
    principle, that principle's page with the record marked; else the record alone."""
    head = record if record.kind == "uitgangspunt" else index.by_id.get(record.principle_id)
    if head is None or head.kind != "uitgangspunt":
        return record_page(record, index)
    view = principle_view(head, index.records, index.key_of, tips)
    badges = []
    if view.expert_added:
        badges.append('<span class="badge e">(E) toegevoegd door praktijkexperts</span>')
    badges += [
        f'<span class="badge">Fase: {_e(PHASE_LABELS.get(x, x))}</span>' for x in view.phases
    ]
    crumbs = f'<a href="/framework#{_anchor(head.kernelement)}">{_e(head.kernelement)}</a>'
    if head.deelelement:
        crumbs += f" › {_e(head.deelelement)}"
    works = "".join(f"<h3>{_e(name)}</h3>{_items(items)}" for name, items in view.works)
    factors = ""
    if view.promoting:
        factors += f"<h3>Wat helpt</h3>{_items(view.promoting)}"
    if view.hindering:
        factors += f"<h3>Wat in de weg kan zitten</h3>{_items(view.hindering)}"
    tips_html = ""
    if view.tips:
        tips_html = _items(view.tips) + (
            '<p class="muted">Het handboek koppelt zijn tips niet aan uitgangspunten; de '
            "assistent zette deze tip bij het uitgangspunt dat zijn zoekfunctie voor de tip "
            "als eerste vindt.</p>"
        )
    body = (
        f'<p class="crumbs">Uitgangspunt · {crumbs}</p>'
        f'<h1 id="{_e(head.id)}">{_e(head.text)}</h1>'
        + (f"<p>{''.join(badges)}</p>" if badges else "")
        + _figures(view)
        + _wordings(view)
        + _section("Werkzame elementen", works)
        + _section("Toelichting", _items(view.explanations))
        + _section("Ontwikkelfasen", _items(view.stages) if view.stages else "")
        + _section("Uit de scoping review (2021)", factors)
        + _section("Tips uit het LISO Handboek", tips_html)
        + _section("Ook bij dit uitgangspunt", _items(view.other) if view.other else "")
        + _facts(view)
    )
    marked = record.id if record.id != head.id else ""
    return page(head.text[:80], body, marked=marked)


def record_page(record: Record, index: OpenIndex) -> str:
    """A record that belongs to no principle (a definition, tip, phase, study result)."""
    rows = [
        ("Kernelement", _e(record.kernelement)),
        ("Deelelement", _e(record.deelelement) or "—"),
        ("Soort", _e(KIND_LABELS.get(record.kind, record.kind))),
        ("Delphi-belang", _e(delphi_label(record)) or "—"),
        ("Bron", _e(record.source.label())),
    ]
    also = [index.by_id[i] for i in record.also_in if i in index.by_id]
    if also:
        links = ", ".join(
            f'<a href="{principle_url(a.id)}">{_e(edition_name(a))}</a>' for a in also
        )
        rows.append(("Ook in", links))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows)
    kind = _e(KIND_LABELS.get(record.kind, record.kind))
    body = (
        f'<p class="crumbs">{kind} · {_e(edition_name(record))}</p>'
        f'<h1 id="{_e(record.id)}">{_e(record.display())}</h1><dl>{dl}</dl>'
    )
    return page(record.text[:80], body)


def framework_page(elements: Sequence[CoreElement]) -> str:
    """The eight core elements and their principles as a map, each principle with its
    Delphi mean as a bar."""
    toc = " · ".join(f'<a href="#{_anchor(c.name)}">{_e(c.name)}</a>' for c in elements)
    cards = []
    for c in elements:
        rows = []
        for p in c.principles:
            mean = p.delphi.mean if p.delphi else None
            e = ' <span class="badge e">(E)</span>' if p.expert_added else ""
            figure = (
                f'<span class="mean">{mean_bar(mean, wide=False)}'
                f'<span class="sr"> van 5</span></span>'
                if mean is not None
                else '<span class="mean">—</span>'
            )
            rows.append(
                f'<li><span><a href="{principle_url(p.id)}">{_e(p.text)}</a>{e}</span>{figure}</li>'
            )
        earlier = ""
        if c.earlier:
            links = "".join(
                f'<li><a href="{principle_url(p.id)}">{_e(p.text)}</a> '
                f'<span class="muted">({_e(edition_name(p))})</span></li>'
                for p in c.earlier
            )
            earlier = (
                f"<details><summary>Uit 2021, zonder nieuwe formulering ({len(c.earlier)})"
                f'</summary><ul class="items">{links}</ul></details>'
            )
        n = len(c.principles)
        cards.append(
            f'<section class="core" id="{_anchor(c.name)}" aria-labelledby="h-{_anchor(c.name)}">'
            f'<h2 id="h-{_anchor(c.name)}">{_e(c.name)}</h2>'
            f'<p class="muted">{n} uitgangspunt{"en" if n != 1 else ""} (Delphi 2023)</p>'
            f"<ol>{''.join(rows)}</ol>{earlier}</section>"
        )
    body = (
        "<h1>Het LISO-framework in kaart</h1>"
        '<p class="legend">De acht kernelementen met hun uitgangspunten, het belangrijkste '
        "eerst. De balk is het gemiddelde belang dat de experts in de Delphi-studie 2023 "
        "gaven (schaal 1 tot 5); (E) betekent toegevoegd door praktijkexperts. Klik op een "
        "uitgangspunt voor de werkzame elementen, de factoren en de bronnen.</p>"
        f'<nav aria-label="Kernelementen"><p>{toc}</p></nav><div class="map">{"".join(cards)}</div>'
    )
    return page("Het LISO-framework in kaart", body, wide=True)


def not_found_page(record_id: str) -> str:
    body = (
        "<h1>Niet gevonden</h1>"
        f"<p>Er is geen principe met id <code>{escape(record_id)}</code>.</p>"
        '<p>Bekijk <a href="/framework">het hele framework</a> of '
        '<a href="/chat/">stel een vraag</a>.</p>'
    )
    return page("Niet gevonden", body)
