"""The framework pages and the widget's files over the fixture corpus (no model)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.framework import citation_url, framework_map, principle_view
from assistant.service import Assistant
from assistant.types import Citation
from tests.fakes import BY_ID, P1, P1_TEXT, P2

WE = f"{P1}-we01"


@pytest.fixture(scope="module")
def client(memory_index, memory_assistant: Assistant) -> TestClient:  # type: ignore[no-untyped-def]
    settings, _ = memory_index
    return TestClient(create_app(lambda: memory_assistant, settings, with_ui=False))


def test_a_principle_page_gathers_every_edition(memory_assistant: Assistant) -> None:
    index = memory_assistant.index
    view = principle_view(BY_ID[P1], index.records, index.key_of)
    assert [w.id for w in view.wordings] == [P1, "fw21-p18"]  # the current wording first
    assert view.scored is not None and view.scored.id == P1
    assert view.works and all(r.kind == "werkzaam_element" for _, rs in view.works for r in rs)
    assert [r.id for r in view.hindering] == ["sr21-t08-bel01"]
    assert WE in view.ids() and "sr21-t08-bel01" in view.ids()
    # the 2021 wording has the same page, with the same anchors
    assert principle_view(BY_ID["fw21-p18"], index.records, index.key_of).ids() == view.ids()


def test_principle_page_marks_the_cited_sentence(client: TestClient) -> None:
    page = client.get(f"/principles/{P1}")
    assert page.status_code == 200 and "<h1" in page.text and P1_TEXT in page.text
    assert f'id="{WE}"' in page.text and 'id="sr21-t08-bel01"' in page.text
    assert "Framework 2021 · uitgangspunt 18" in page.text  # other editions by name
    assert "gemiddeld belang" in page.text and 'class="bar"' in page.text
    # a record's own address shows its principle's page with that record marked
    own = client.get(f"/principles/{WE}")
    assert own.status_code == 200 and f'data-marked="{WE}"' in own.text and P1_TEXT in own.text
    # a record without a principle has a page of its own; "Ook in" names, never ids
    definition = client.get("/principles/d23-def-trekker")
    assert definition.status_code == 200 and "<h1" in definition.text


def test_citations_lead_to_the_sentence_on_its_principle_page() -> None:
    r = BY_ID[WE]
    c = Citation(
        n=1,
        id=r.id,
        text=r.text,
        principle=r.principle,
        kernelement=r.kernelement,
        kind=r.kind,
        source="",
        principle_id=r.principle_id,
    )
    assert citation_url(c) == f"/principles/{P1}#{WE}"
    alone = c.model_copy(update={"id": "d23-def-trekker", "principle_id": ""})
    assert citation_url(alone) == "/principles/d23-def-trekker#d23-def-trekker"


def test_the_framework_map(client: TestClient, memory_assistant: Assistant) -> None:
    index = memory_assistant.index
    elements = framework_map(index.records, index.key_of)
    assert len(elements) == 8
    synergy = next(c for c in elements if c.name == "Synergie")
    assert [p.id for p in synergy.principles] == [P1]
    page = client.get("/framework")
    assert page.status_code == 200 and page.text.count('class="core"') == 8
    assert f'href="/principles/{P1}"' in page.text and f'href="/principles/{P2}"' in page.text


def test_widget_files_are_compressed_and_cacheable(client: TestClient) -> None:
    plain = client.get("/widget.js", headers={"accept-encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.headers["cache-control"].startswith("public") and plain.headers["etag"]
    packed = client.get("/widget.js", headers={"accept-encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.text == plain.text
    assert packed.headers["etag"] != plain.headers["etag"]
    again = client.get(
        "/widget.js", headers={"accept-encoding": "gzip", "if-none-match": packed.headers["etag"]}
    )
    assert again.status_code == 304 and not again.content
    # the widget's whole weight, uncompressed
    assert sum(len(client.get(f"/{n}").content) for n in ("widget.js", "widget.css")) < 30 * 1024
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
