"""Corpus fidelity (issue 14): every list item a record that stands alone, every (E) flag,
every section of the sources, the same text linked across editions. The hand-checked
table is tests/corpus/delphi_hand_checked.yaml; `python -m assistant corpus audit` prints
the same comparison."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from assistant.config import ROOT
from corpus.audit import audit_principles, audit_review, fragments, load_table
from corpus.coverage import FLOOR, coverage
from corpus.id_changes import load as load_id_changes
from corpus.record import merge_lead

D23 = "d23-"
SYN_SAMENWERKING = "d23-syn-deelnemers-zijn-meer-tevreden-over-deelname-aan"
LNW_GEFACILITEERD = "d23-lnw-deelnemers-dienen-voldoende-gefaciliteerd-worden-deel-nemen"
BORGEN = "d23-of-zorg-ervoor-randvoorwaarden-orde-zijn-voor-borgen"
INSTITUTIONALISEREN = "d23-of-zorg-ervoor-randvoorwaarden-orde-zijn-voor-institutionaliseren"


@pytest.fixture(scope="module")
def items(records):
    """Delphi working elements per principle id, in source order."""
    out = defaultdict(list)
    for r in records:
        if r.edition == "delphi-2023" and r.kind == "werkzaam_element":
            out[r.principle_id].append(r)
    return {k: sorted(v, key=lambda r: r.source.line_start) for k, v in out.items()}


def texts(recs):
    return [r.text for r in recs]


# --- the hand-checked table ------------------------------------------------------------------


def test_every_delphi_principle_matches_the_hand_checked_table(build_report):
    table, _ = load_table()
    assert len(table) == 49
    rows = audit_principles(build_report, table)
    assert len(rows) == 49
    bad = {r.id: r.problems for r in rows if not r.ok}
    assert bad == {}


def test_review_factors_per_theme_match_the_source(build_report):
    _, review = load_table()
    rows = audit_review(build_report, review)
    assert {t.theme: t.problems for t in rows if t.problems} == {}
    promoting = sum(t.counts["bevorderend"] for t in rows)
    hindering = sum(t.counts["belemmerend"] for t in rows)
    assert (promoting, hindering) == (92, 55)


# --- lists: one item, one record -------------------------------------------------------------


def test_synergie_goede_samenwerking_intro_and_eleven_items(by_id, items):
    its = items[SYN_SAMENWERKING]
    assert len(its) == 11
    intro = by_id[f"{SYN_SAMENWERKING}-tl01"]
    assert intro.kind == "toelichting" and intro.text.startswith("We staan stil bij")
    assert all(
        r.lead in ("Randvoorwaarden voor samenwerking zijn:", "Samenwerken als gelijken:")
        for r in its
    )
    assert {r.role for r in its} == {"randvoorwaarde"}


def test_samenwerkend_leren_list_items(items):
    its = items["d23-lzm-samenwerkend-leren-heeft-positief-effect-leerprestaties"]
    assert len(its) == 16
    listed = [
        r for r in its if r.lead.startswith("Een organisatie-overstijgend leernetwerk kan lerend")
    ]
    assert len(listed) == 9 and all(r.expert_added for r in listed)  # the lead's (E, …)
    assert "Een procesbegeleider begeleid het leerproces." in texts(its)


def test_organisatie_richt_in_leads_are_not_items(items):
    its = items["d23-org-richt-leernetwerk-zo-voordelen-deelname-opwegen-tegen"]
    assert len(its) == 12
    assert not any("wanneer:" in r.text or r.text.startswith("Doelen van het") for r in its)
    assert its[4].display() == (
        "Doelen van het leernetwerk worden eerder behaald wanneer (praktische) ondersteuning "
        "vanuit de partnerorganisatie wordt geboden."
    )
    assert texts(its)[8:] == [
        "Er moet ruimte zijn voor inbreng van alle perspectieven gebaseerd op het gedachtengoed van Elwyn.",
        "Drieslag leren (triple loop learning) moet mogelijk zijn gebaseerd op het gedachtengoed van Agyris.",
        "Impliciete kennis moet expliciet gemaakt kunnen worden gebaseerd op het gedachtengoed van Polanyi.",
        "Zoek de learning zone op gebaseerd op het gedachtengoed van Senninge.",
    ]


def test_kennistransfer_toepassing_items(items):
    its = items[
        "d23-kt-ontwikkel-plan-voor-toepassing-kennisproducten-innovaties-moederorganisaties"
    ]
    assert len(its) == 14
    assert "Afstemming met andere werkprocessen." in texts(its)
    assert "Verwerken van de vernieuwing in werkprocessen." in texts(its)
    hr = next(r for r in its if r.text.startswith("Aanpassingen aan het HR-beleid"))
    assert hr.lead == "Lange termijn oriëntatie:" and "betrokkenheid" not in hr.text


def test_leernetwerk_trekkers_and_rollen(items):
    trekkers = items["d23-lnw-trekkers-hebben-cruciale-rol-slagen-leernetwerk"]
    assert len(trekkers) == 9
    assert [r.role for r in trekkers].count("succesfactor") == 3
    assert not any(r.text.startswith("Kenmerken") for r in trekkers)
    rollen = items["d23-lnw-leernetwerk-bestaat-uit-verschillende-rollen-gefinancierd-met"]
    assert len(rollen) == 8
    first_factor = next(r for r in rollen if r.role == "succesfactor")
    assert first_factor.text.endswith(
        "De doelgroep kan meedenken/bijdragen vanuit de eigen ervaringen."
    )
    assert first_factor.expert_added


def test_community_context_risicos(items):
    its = items["d23-cc-binnen-organisatie-overstijgend-leernetwerk-moet-ruimte-geboden"]
    assert len(its) == 5
    assert its[0].lead.startswith("Deze ruimte is, zoals onderstaande opsomming laat zien")
    assert [r.expert_added for r in its] == [False, True, False, True, False]
    assert its[2].text.endswith("zullen ze minder vaak risico's nemen.")


def test_borgen_has_its_list_and_institutionaliseren_none(by_id, items):
    assert by_id[BORGEN].delphi.top10_rank == 10
    its = items[BORGEN]
    assert len(its) == 7 and all(r.expert_added for r in its)
    assert its[-1].text.startswith("Denk vanaf de start") and its[-1].lead == ""
    assert "Eindigen van het leernetwerk" in its[-1].source.section
    assert INSTITUTIONALISEREN not in items
    assert by_id[BORGEN].phase == "institutionaliseren"


def test_the_ten_principles_without_working_elements(records, items):
    d23 = {r.id for r in records if r.edition == "delphi-2023" and r.kind == "uitgangspunt"}
    assert d23 - set(items) == {
        "d23-cc-groter-samenwerkingsverband-met-meerdere-leernetwerken-stimuleert-coordinator",
        "d23-lnw-leden-leernetwerk-zijn-gemotiveerd-complex-maatschappelijk-vraagstuk",
        "d23-syn-tevredenheid-over-leernetwerk-hangt-af-positie-je",
        "d23-opb-leernetwerk-levert-gezondheids-sociale-opbrengsten",
        "d23-kt-maak-analyse-financiele-gevolgen-voor-inzet-innovaties",
        "d23-kt-betekenis-resultaten-kunnen-verschillen-voor-deelnemers-organisatie",
        "d23-lzm-leernetwerk-wordt-impliciete-kennis-expertise-leden-geexpliciteerd",
        "d23-of-leren-vormt-rode-draad-door-alle-fases",
        "d23-of-ontstaan-netwerken-wanneer-initiator-of-bijeen-geroepen",
        INSTITUTIONALISEREN,
    }


def test_coordinator_statement_beyond_bijlage_3_is_kept(by_id):
    extra = by_id[
        "d23-cc-groter-samenwerkingsverband-met-meerdere-leernetwerken-stimuleert-coordinator-tl01"
    ]
    assert extra.text.startswith("Deze coördinator heeft een bijzondere positie.")


# --- (E) -------------------------------------------------------------------------------------


def test_expert_flags_on_principles(by_id, records):
    for pid in (SYN_SAMENWERKING, LNW_GEFACILITEERD):
        assert by_id[pid].expert_added, pid
        assert "(E)" not in by_id[pid].text
    d23 = [r for r in records if r.edition == "delphi-2023" and r.kind == "uitgangspunt"]
    assert sum(r.expert_added for r in d23) == 13


def test_expert_flag_inherited_from_the_lead(items):
    assert all(r.expert_added for r in items[LNW_GEFACILITEERD])
    besluit = items["d23-org-zet-gezamenlijke-besluitvorming-samenwerking-goed-laten-verlopen"]
    assert [r.expert_added for r in besluit] == [False] * 3 + [True] * 4
    assert not any("(E" in r.text for r in items[LNW_GEFACILITEERD])


def test_no_expert_marker_left_in_any_text(records):
    kinds = ("uitgangspunt", "werkzaam_element", "toelichting", "bevorderend", "belemmerend")
    assert [r.id for r in records if re.search(r"\(E[),;]", r.text) and r.kind in kinds] == []


# --- fragments, labels, references -------------------------------------------------------------


def test_no_fragment_records(records):
    assert [(r.id, why) for r, why in fragments(records)] == []


def test_labels_are_roles_not_text(records, by_id):
    labels = ("Onderbouwing", "Succesfactoren", "Kenmerken", "Randvoorwaarden")
    assert not [r.id for r in records if r.lead.rstrip(": ") in labels]
    assert not [
        r.id
        for r in records
        if r.text.split()[0].rstrip(":") in labels and r.kind == "werkzaam_element"
    ]
    comm = [
        r
        for r in records
        if r.principle_id == "d23-org-ontwikkel-strategisch-communicatieplan-voor-leernetwerk"
        and r.role == "succesfactor"
    ]
    assert len(comm) == 10 and comm[0].text == "Duidelijke doel en missie."
    assert comm[0].lead == "Succesfactoren in de communicatie"
    assert "Mosaica, 2005" in comm[0].references


def test_reference_numbers_move_to_references(items, by_id):
    leiders = items["d23-org-gedeeld-leiderschap-verbetert-functioneren-leernetwerk"]
    styles = {r.text: r for r in leiders}
    stim = styles["stimuleren anderen om te leren."]
    assert (
        stim.references == ("12",)
        and stim.lead == "Zij volgen vaak de volgende leiderschapsstijlen:"
    )
    assert (
        stim.display()
        == "Zij volgen vaak de volgende leiderschapsstijlen: stimuleren anderen om te leren."
    )
    initiator = items["d23-lnw-initiator-leernetwerk-motor-achter-oprichting-leernetwerk-basis"]
    hij = next(r for r in initiator if r.text.startswith("Hij of zij"))
    assert "ondersteunen en is verbonden" in hij.text and "26" in hij.references


def test_review_fragments_are_whole_factors(by_id):
    assert by_id["sr21-t07-bev01"].text == (
        "Als er een communicatieplan wordt opgesteld, incl. gedegen analyse hoe elke "
        "doelgroep van het organisatie-overstijgende LNW bereikt wordt."
    )
    assert by_id["sr21-t04-bev01"].text == "Als het aantal leden beperkt is."
    t12 = by_id["sr21-t12-bev01"]
    assert t12.lead == "Als het LNW functioneert als" and t12.display() == (
        "Als het LNW functioneert als een bron voor inspirerende ideeën en motivatie voor verandering."
    )
    assert by_id["sr21-t01-bev01"].display() == (
        "Een LNW is ingebed in een goed functionerend samenwerkingsverband."
    )
    zij = by_id["sr21-t19-bev04"]
    assert zij.display().endswith(
        "Zij geven aan waar de vernieuwing nog doorontwikkeld kan worden."
    )
    assert [by_id[f"sr21-t18-bev{n:02d}"].text for n in (5, 9, 10)] == [
        "De vernieuwing wordt verwerkt in de werkprocessen.",
        "Het HR-beleid wordt zodanig aangepast zodat professionals met de juiste competenties instromen en huidig personeel wordt bijgeschoold.",
        "De organisatie is een lerende organisatie.",
    ]


def test_review_theme_links(by_id, records):
    theme = {r.theme: r.principle_id for r in records if r.edition == "review-2021" and r.theme}
    assert theme[9] == "d23-org-conflicten-zijn-inherent-kenmerk-zijn-leernetwerken-ze"
    assert theme[8] == "d23-syn-tevreden-toegewijde-leden-zullen-vollediger-deelnemen-aan"


def test_website_and_framework_broken_sentence_is_one_record(by_id):
    web = "web-of-leernetwerken-ontwikkelen-zich-specifieke-fasen-recyclen-door"
    assert by_id[f"{web}-we02"].text.startswith("Een integrale review toonde aan dat teams")
    assert f"{web}-we03" not in by_id
    assert by_id[f"{web}-we01"].references == ("48",)


def test_framework_numbered_lists_and_fleuren(records, by_id):
    fw = [r for r in records if r.edition == "framework-2021"]
    mosaica = [r for r in fw if r.lead.startswith("Mosaica (2005)")]
    assert len(mosaica) == 8 and mosaica[0].text == "Duidelijke doel en missie."
    assert (
        mosaica[0]
        .display()
        .startswith(
            "Mosaica (2005) laat zien dat een goede organizational boodschap voldoet aan duidelijke doel"
        )
    )
    assert len([r for r in fw if r.lead == "Deze gestructureerde wijze kent drie onderdelen:"]) == 3
    assert (
        len([r for r in fw if r.lead.startswith("Dit leerrendement vindt plaats in zes cycli")])
        == 6
    )
    assert len([r for r in fw if r.lead.startswith("Opbrengsten van een coalitie zijn")]) == 7
    assert any(
        r.text.startswith("De implementatie van de BP kent verschillende fases")
        and "Fleuren, 2014" in r.references
        for r in fw
    )


# --- sections that had no record ---------------------------------------------------------------


def test_review_narrative_has_records(by_id):
    d = by_id["sr21-def-leernetwerk"]
    assert d.kind == "definitie" and "meestal 10-15 personen" in d.text
    assert (
        by_id["sr21-methode-01"].kind == "methode"
        and "21 artikelen" in by_id["sr21-methode-01"].text
    )
    limits = [by_id[f"sr21-conclusie-{n:02d}"] for n in (2, 3, 4)]
    assert all(r.lead.startswith("Bij het interpreteren van de resultaten") for r in limits)


def test_delphi_legend_table1_and_bijlage2_intro(by_id):
    legend = by_id["d23-methode-bijlage3-legenda"]
    assert "tussen 33 en 35" in legend.text and "1 = zeer onbelangrijk" in legend.text
    table1 = by_id["d23-resultaten-tabel1"]
    assert "onderzoek 67% en 74%" in table1.text and "N ronde 1 = 46" in table1.text
    assert "referentie (E)" in by_id["d23-methode-bijlage2-01"].text


def test_handbook_building_blocks(records):
    blocks = [r for r in records if r.kind == "bouwsteen"]
    assert len(blocks) == 5 and all(r.id.startswith("hb25-fundament-bouwsteen-") for r in blocks)
    assert blocks[0].text.startswith(
        "Het eerste kernelement is een ondersteunende kennisinfrastructuur"
    )
    assert "vervolgt Pannebakker" not in blocks[1].text


def test_coverage_floor(build_report, sources_dir):
    report = coverage(build_report.records, build_report.spans, sources_dir)
    assert len(report) == 5
    for c in report:
        assert c.accounted >= FLOOR, (c.file, c.accounted, c.uncovered)
    assert all(reason for c in report for _, _, reason in c.skipped)


# --- links -----------------------------------------------------------------------------------


def test_identical_texts_are_linked(records):
    by_text = defaultdict(list)
    for r in records:
        by_text[r.text].append(r)
    for group in (g for g in by_text.values() if len(g) > 1):
        for r in group:
            assert {x.id for x in group} - {r.id} <= set(r.also_in), r.id


def test_working_elements_linked_across_editions(by_id):
    d23 = by_id[f"{BORGEN}-we01"]
    assert "web-of-randvoorwaarden-voor-institutionaliseren-we02" in d23.also_in
    fw = by_id["fw21-p21-we05"]  # "Elkaar kennen: …", also in the Delphi report
    assert any(a.startswith("d23-lzm-schep-condities") for a in fw.also_in)


# --- display ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lead", "text", "shown"),
    [
        (
            "Ledenbetrokkenheid wordt groter wanneer:",
            "Er netwerkverantwoordelijkheid wordt gevoeld door de deelnemers.",
            "Ledenbetrokkenheid wordt groter wanneer er netwerkverantwoordelijkheid wordt gevoeld door de deelnemers.",
        ),
        (
            "De kwaliteit van dit samenwerkingsverband is afhankelijk van de mate waarin:",
            "er gezamenlijk subsidie wordt verkregen.",
            "De kwaliteit van dit samenwerkingsverband is afhankelijk van de mate waarin er gezamenlijk subsidie wordt verkregen.",
        ),
        (  # a main clause does not follow "waarin" without reordering: it stands alone
            "De kwaliteit van dit samenwerkingsverband is afhankelijk van de mate waarin:",
            "Leernetwerken zijn ingebed in de regionale context.",
            "Leernetwerken zijn ingebed in de regionale context.",
        ),
        (
            "Werkprocessen:",
            "Afstemming met andere werkprocessen.",
            "Werkprocessen: afstemming met andere werkprocessen.",
        ),
        (
            "Waar dienen deze doelstellingen aan te voldoen?",
            "De doelen dienen voldoende ambitieus en haalbaar te zijn.",
            "De doelen dienen voldoende ambitieus en haalbaar te zijn.",
        ),
        ("", "Zet opinieleiders in.", "Zet opinieleiders in."),
    ],
)
def test_display_merges_lead_and_item(lead, text, shown):
    assert merge_lead(lead, text) == shown


# --- ids -------------------------------------------------------------------------------------


def test_id_changes_point_at_existing_records(by_id):
    table = load_id_changes(ROOT / "corpus" / "id_changes.yaml")
    assert table
    for old, new in table.items():
        assert all(n in by_id for n in new), old
    import yaml

    data = yaml.safe_load((ROOT / "corpus" / "id_changes.yaml").read_text(encoding="utf-8"))
    assert not [i for i in data["gone"] if i in by_id]
    assert all(i in by_id for i in data["reused"])


def test_only_positional_ids_changed():
    """Principle ids and the other named ids stay; only the numbered items shift."""
    table = load_id_changes(ROOT / "corpus" / "id_changes.yaml")
    named = [old for old in table if not re.search(r"-(we|tl|fase|bev|bel)\d\d$", old)]
    assert named == []


def test_ocr_oov_share_does_not_rise(sources_dir):
    from corpus.parse.delphi import FILE
    from corpus.parse.ocr import ocr_report

    figures = ocr_report((sources_dir / FILE).read_text(encoding="utf-8"))
    assert figures["oov_after"] <= 0.0119


def test_id_changes_cover_every_id_the_evaluation_uses(by_id):
    """The evaluation gold (eval/questions, read only) still names records of the old build;
    every id it uses exists or is remapped by corpus/id_changes.yaml to existing ids."""
    import yaml

    table = load_id_changes(ROOT / "corpus" / "id_changes.yaml")
    unresolved = []
    for path in sorted((ROOT / "eval" / "questions").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        rows = data.get("questions", data) if isinstance(data, dict) else data
        for q in rows:
            for key in ("gold", "principles", "also_relevant"):
                for rid in q.get(key) or []:
                    if rid not in by_id and not table.get(rid):
                        unresolved.append((path.name, q["id"], rid))
    assert unresolved == []
