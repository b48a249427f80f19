"""OCR repair of the Delphi report (`corpus.parse.ocr`), on snippets and on the real files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from corpus.parse import ocr, ocr_lexicon

DELPHI = "000_e5573c8f58eccf91.txt"
CLEAN = [
    "001_69f608219fdae590.txt",
    "002_f749457133107596.txt",
    "003_01728c710ef14b60.txt",
    "004_2b7a768cec65c9ea.txt",
]


# --- token repairs ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("Binnen het socioal domein", "Binnen het sociaal domein"),
        ("Voor deze vraogstukken zijn", "Voor deze vraagstukken zijn"),
        ("het complexe vraogstuk", "het complexe vraagstuk"),
        ("stimuleert een codrdinator het leren", "stimuleert een coördinator het leren"),
        ("De ontwikkelaars van L1SO zien", "De ontwikkelaars van LISO zien"),
        ("in het L1ISO-framework", "in het LISO-framework"),
        ("LISC is door TNO ontwikkeld", "LISO is door TNO ontwikkeld"),
        ("doelen worden gesteld {E}.", "doelen worden gesteld (E)."),
        ("consortiumpartners (E}.", "consortiumpartners (E)."),
        ("te evalueren {E).", "te evalueren (E)."),
        ("leren (£} . Zet", "leren (E) . Zet"),
        ("(EX, waardigheid en trots, 2022)", "(E, waardigheid en trots, 2022)"),
        ("{(Polanyi, 2002; Lam, 2000).", "(Polanyi, 2002; Lam, 2000)."),
        ("{toekomstige) professionals", "(toekomstige) professionals"),
        (
            "wordt een bijdrage geleverd aon de opleiding",
            "wordt een bijdrage geleverd aan de opleiding",
        ),
        ("voorgelegd oan de experts", "voorgelegd aan de experts"),
        ("bijdraagt gan het ontwikkelen", "bijdraagt aan het ontwikkelen"),
        ("Ock ditmaal is", "Ook ditmaal is"),
        ("aansluiten bif de strategie", "aansluiten bij de strategie"),
        ("In een teernetwerk wordt geleerd", "In een leernetwerk wordt geleerd"),
        ("de randvoorwaarden op orde zifn", "de randvoorwaarden op orde zijn"),
        ("'met gestoten beurzer'", "'met gesloten beurzen'"),
        ("implementatie is waarschijntisker", "implementatie is waarschijnlijker"),
        ("Cntwikkelfases", "Ontwikkelfases"),
        ("Crganisatie", "Organisatie"),
        ("Tabkel 2 Uitgangspunten", "Tabel 2 Uitgangspunten"),
        ("de top 3 per kernalerment", "de top 3 per kernelement"),
        ("In dit docurment geven wij", "In dit document geven wij"),
        ("werkzame elermenten", "werkzame elementen"),
        ("de financiéle gevolgen", "de financiële gevolgen"),
        ("creatieve ideeén", "creatieve ideeën"),
        ("Eris een begrippenkader", "Er is een begrippenkader"),
        ("Erzijn nieuwe uitgangspunten", "Er zijn nieuwe uitgangspunten"),
        ("[n afbeelding 1", "In afbeelding 1"),
        ("Deelelement | eiderschap en ondersteuning", "Deelelement Leiderschap en ondersteuning"),
        ("een Delphi-studie woarbi] data", "een Delphi-studie waarbij data"),
    ],
)
def test_repairs(raw: str, fixed: str) -> None:
    assert ocr.repair_text(raw) == fixed


def test_coordinator_is_spelled_as_in_the_clean_documents() -> None:
    counts = ocr.clean_counts()
    assert counts["coördinator"] > 0 and counts["codrdinator"] == 0
    assert ocr.repair_token("Codrdinator") == "Coördinator"


@pytest.mark.parametrize(
    "text",
    [
        "(Pannebakker & Wildeman, 2021)",
        "(Dunn-Butterfoss, 2007, Pannebakker e.a., 2020)",
        "(Wenger, 2000; Wenger 2011)",
        "professor Chris Kuiper (Hogeschool Leiden, iHub en UVA)",
        "(Naar: Nooteboom et al, 2020)",
        "(Chuenjitwongsa, 2017)",
        "(Stellaard, 2023; E)",
        "(Tosey, 2021; Senninger, 2000)",
        "(Bell & Kozlowski, 2010, E)",
        "Succesfactoren (Zakocs & Edwards, 2006)",
        "Noortje Wiezer, TNO",
        "Marcel van Druenen, SAM",
        "(E, 20)",
        "(37, 38)",
        "(E, D’Amour, 2008)",
        "een kerngroep van 10-15 personen",
        "doelen van het LNW op strategisch niveau",
        "tussen de BOPOG/stakeholders",
        "het doorlopen van de PDCA-cyclus (Plan-Do-Check-Act)",
        "Aanpassingen aan het HR-beleid en KPI's",
        "zie https://www.divosa.nl/onderwerpen/community-practice-gewogen-maatwerk",
        "Tevreden en toegewijde leden zullen vollediger deelnemen",
        "waarbij er meebewogen kan worden met de context",
        "de bijeenkomsten zijn inspirerend en enthousiasmerend",
        "3^{de} orde leren",
    ],
)
def test_valid_text_is_left_alone(text: str) -> None:
    assert ocr.repair_text(text) == text


# --- noise lines and de-hyphenation ------------------------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "29",
        "13",
        " 2.3.1",
        "https://www.werkplaatssamen.nl/",
        "https://www.leernetwerkeninhetsociaaldomein.nl/framework/synergie/",
        "Een delphi-studie ter aanvulling van de witgangspunten en werkzame elementen mbt het",
        "LISO-framewark",
        "e",
        "o",
        "O",
        "«",
        "»",
        "+",
        "=",
        "*",
        "Pl",
    ],
)
def test_noise_lines(line: str) -> None:
    assert ocr.is_noise_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "(E).",
        "{16}",
        "Leden",
        "Leernetwerk",
        "Het LISO-framework",
        "www.werkplaatssamen.nl).",
        "e Inronde één ontvingen experts een digitale vragenlijst waarin zij werden",
    ],
)
def test_content_lines_are_not_noise(line: str) -> None:
    assert not ocr.is_noise_line(line)


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["gevraagd om aan te geven welke uitgangspunten en werk-", "zame elementen"],
         "gevraagd om aan te geven welke uitgangspunten en werkzame elementen"),
        (["een organisatie-", "overstijgend leernetwerk"], "een organisatie-overstijgend leernetwerk"),
        (["de nieuw gefor-", "muleerde uitgangspunten"], "de nieuw geformuleerde uitgangspunten"),
        (["gewijzigde ele-", "menten"], "gewijzigde elementen"),
        (["in het organisatie-overstij-", "gende leernetwerk"], "in het organisatie-overstijgende leernetwerk"),
        (["regio’s Midden-Holland, Hoaglanden en Holland-", "Rijnland."],
         "regio’s Midden-Holland, Hoaglanden en Holland-Rijnland."),
        (["bijscholingsmodules, e-", "magazines"], "bijscholingsmodules, e-magazines"),
        (["de aanpassingen per kern-", " en deelelement weer"], "de aanpassingen per kern- en deelelement weer"),
        (["(Dossiernummer; 70-74700-", "98-310)"], "(Dossiernummer; 70-74700-98-310)"),
        (["de kracht van het L1SO-", "framework"], "de kracht van het L1SO-framework"),
        (["e Inronde één ontvingen experts", "o Inronde twee werd  nogmaals"],
         "Inronde één ontvingen experts Inronde twee werd nogmaals"),
    ],
)  # fmt: skip
def test_join_lines(lines: list[str], joined: str) -> None:
    assert ocr.join_lines(lines) == joined


def test_repair_joins_then_repairs() -> None:
    lines = ["e Inronde één ontvingen experts een digitale vragenlijst om per kernelement aon", "te geven welke uitgangspunten en werk-", "zame elementen nog ontbraken {E}."]  # fmt: skip
    assert ocr.repair(lines) == (
        "In ronde één ontvingen experts een digitale vragenlijst om per kernelement aan "
        "te geven welke uitgangspunten en werkzame elementen nog ontbraken (E)."
    )


# --- lexicon and metrics ---------------------------------------------------------------------
def test_lexicon_holds_dutch_and_the_domain_vocabulary() -> None:
    lex = ocr.lexicon()
    assert len(lex) > 250_000
    assert all(w == w.lower() for w in list(lex)[:1000])
    for word in ("aandacht", "sociaal", "leernetwerk", "uitgangspunten", "kernelement", "kennistransfer"):  # fmt: skip
        assert word in lex
    for garbage in ("socioal", "vraogstuk", "codrdinator", "leermetwerk"):
        assert garbage not in lex


def test_compounds_count_as_known() -> None:
    for word in ("consortiumpartners", "praktijkexperts", "moederorganisaties", "werkveldgebieden"):
        assert word not in ocr.lexicon() and ocr.is_known(word)
    for garbage in ("vraogstuk", "leermetwerk", "samenwerkingsomaeving"):
        assert not ocr.is_known(garbage)


def test_oov_rate() -> None:
    assert ocr.oov_rate("het socioal domein") == pytest.approx(1 / 3)
    assert ocr.oov_rate("LNW BOPOG KPI leernetwerk") == 0.0  # ALL-CAPS are not counted
    assert ocr.oov_rate("zie www.waardigheidentrots.nl/netwerken") == 0.0
    assert ocr.oov_rate("") == 0.0
    assert ocr.oov_rate("praktijkexperts", compounds=True) == 0.0
    assert ocr.oov_rate("praktijkexperts") == 1.0


def test_confusions_are_learned_from_the_report() -> None:
    learned = ocr.learn_confusions((ocr.SOURCES_DIR / DELPHI).read_text(encoding="utf-8"))
    assert learned[("o", "a")] > 20  # "vraogstuk", "woarde", "elkoar" ...
    assert ("d", "ö") in learned  # "codrdinator"


# --- the real files --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def delphi_report() -> dict[str, object]:
    return ocr.ocr_report((ocr.SOURCES_DIR / DELPHI).read_text(encoding="utf-8"), top=10_000)


@pytest.mark.slow
def test_oov_on_the_delphi_report(delphi_report: dict[str, object]) -> None:
    before, after = delphi_report["oov_before"], delphi_report["oov_after"]
    assert isinstance(before, float) and isinstance(after, float)
    assert delphi_report["tokens"] > 12_000
    assert before > 0.035  # the raw OCR really is noisy ...
    assert after < 0.02  # ... and the repair brings it under 2 % (not in the lexicon)
    assert delphi_report["oov_after_compounds"] < 0.006
    examples = dict(delphi_report["examples"])
    for change in ("socioal→sociaal", "aon→aan", "codrdinator→coördinator", "L1SO→LISO"):
        assert change in examples


@pytest.mark.slow
def test_names_survive_the_delphi_report(delphi_report: dict[str, object]) -> None:
    changed = {c.split("→")[0] for c, _ in delphi_report["examples"]}
    for name in ("Pannebakker", "Butterfoss", "Wenger", "Kuiper", "Nooteboom", "Wildeman", "Stellaard", "Chuenjitwongsa", "Wiezer", "Trayner", "Nikolova"):  # fmt: skip
        assert name not in changed


def _leave_one_out(monkeypatch: pytest.MonkeyPatch, excluded: str) -> None:
    """Use all clean documents but `excluded` as reference text."""
    real = ocr_lexicon._source_texts
    clean_paths = sorted(
        p for p in ocr.SOURCES_DIR.glob("*.txt") if p.name not in ocr.OCR_SOURCES | {excluded}
    )

    def texts(ocr: bool) -> list[str]:  # the signature of `ocr_lexicon._source_texts`
        return real(True) if ocr else [p.read_text(encoding="utf-8") for p in clean_paths]

    monkeypatch.setattr(ocr_lexicon, "_source_texts", texts)
    ocr.clear_caches()


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    ocr.clear_caches()
    yield
    ocr.clear_caches()


@pytest.mark.slow
@pytest.mark.parametrize("name", CLEAN)
def test_clean_documents_are_essentially_unchanged(
    name: str, monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    """Regression guard: repairing a clean document changes (almost) nothing, even when
    that document's own vocabulary is left out of the lexicon."""
    _leave_one_out(monkeypatch, name)
    text = (ocr.SOURCES_DIR / name).read_text(encoding="utf-8")
    assert name not in ocr.OCR_SOURCES and "socioal" not in text
    changes = list(ocr._changes(text, ocr.repair_text(text)))
    assert len(changes) / len(ocr.word_tokens(text)) < 0.002, changes
