"""The pages a practitioner sees, in a real Chromium against the real app: axe-core on
/chat, the demo page with the widget answered, a principle page and /framework, at
desktop and phone size, with screenshots kept in var/screenshots/; /chat's no dead ends."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.app.conftest import DESKTOP, PHONE, Server, report, start_server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ANSWER = 90_000
SIZES = {"1280x800": DESKTOP, "390x844": PHONE}
QUESTION = "Hoe houd ik deelnemers betrokken?"
BOT = "#liso-chat .bot-row"


def _axe(page, name: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """axe-core's violations on the page by impact; reported, and none may be serious
    or critical."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    counts = Counter({"minor": 0, "moderate": 0, "serious": 0, "critical": 0})
    for v in violations:
        counts[v["impact"]] += len(v["nodes"])
    rules = sorted({f"{v['id']} ({v['impact']})" for v in violations})
    report(f"axe {name}", {**counts, "rules": rules})
    bad = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{name}: {bad}"
    return dict(counts)


@pytest.fixture(params=list(SIZES))
def sized(request, browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(
        locale="nl-NL", viewport=SIZES[request.param], reduced_motion="reduce"
    )
    yield request.param, ctx.new_page()
    ctx.close()


def _chat_ask(page, question: str, n: int) -> None:  # type: ignore[no-untyped-def]
    """Send `question` in /chat and wait for the `n`-th answer to be complete (its
    citation chips come with the whole answer)."""
    page.fill("#liso-question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([sel, n]) => { const rows = document.querySelectorAll(sel);"
        " return rows.length === n && !!rows[n - 1].querySelector('a.liso-chip'); }",
        arg=[BOT, n],
        timeout=ANSWER,
    )


def test_chat_answered(sized, server: Server, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    size, page = sized
    page.goto(f"{server.base}/chat/")
    page.wait_for_selector("#liso-question textarea")
    assert page.inner_text("h1") == "LISO-assistent"
    _chat_ask(page, QUESTION, 1)
    assert page.input_value("#liso-question textarea") == ""
    page.wait_for_selector("#liso-sources .liso-card a.liso-chip")
    chip = page.query_selector("#liso-sources a.liso-chip")
    assert chip.get_attribute("aria-label").startswith("Bron 1: ")
    assert "#" in chip.get_attribute("href")
    assert page.query_selector(f"{BOT} a.liso-chip .liso-sr")  # named in the answer too
    cards = page.inner_text("#liso-sources")
    assert "Delphi-belang" in cards and "4.6" not in cards
    # the new answer is shown from its start: the question is in view
    top = page.eval_on_selector("#liso-chat .user-row", "e => e.getBoundingClientRect().top")
    assert 0 <= top < SIZES[size]["height"]
    if size == "390x844":  # on a phone the cards come directly under the question box
        below = page.evaluate(
            "() => document.querySelector('#liso-sources').getBoundingClientRect().top"
            " - document.querySelector('#liso-question').getBoundingClientRect().bottom"
        )
        assert 0 < below < 250
    _axe(page, f"/chat answered {size}")
    page.screenshot(path=str(screenshots / f"chat-answered-{size}.png"))


def test_demo_page_with_widget_answered(sized, server: Server, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    size, page = sized
    page.goto(f"{server.base}/static/demo.html")
    _axe(page, f"demo page {size}")
    page.click(".liso-w-bubble")
    page.fill(".liso-w-input", QUESTION)
    page.keyboard.press("Enter")
    page.wait_for_selector(".liso-w-bot:not(.liso-w-pending) .liso-w-sources li", timeout=ANSWER)
    _axe(page, f"demo page, widget open and answered {size}")
    page.screenshot(path=str(screenshots / f"widget-answered-{size}.png"))


def test_widget_in_the_dark_colour_scheme(browser, server: Server, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    """prefers-color-scheme: dark, with a question over the limit in the box."""
    ctx = browser.new_context(locale="nl-NL", viewport=PHONE, color_scheme="dark")
    page = ctx.new_page()
    try:
        page.goto(f"{server.base}/static/demo.html")
        page.click(".liso-w-bubble")
        page.fill(".liso-w-input", QUESTION)
        page.keyboard.press("Enter")
        page.wait_for_selector(
            ".liso-w-bot:not(.liso-w-pending) .liso-w-sources li", timeout=ANSWER
        )
        page.fill(".liso-w-input", "x" * 2100)
        background = page.eval_on_selector(
            ".liso-w-log", "e => getComputedStyle(e).backgroundColor"
        )
        assert background == "rgb(20, 24, 28)"
        _axe(page, "demo page, widget answered, dark 390x844")
        page.screenshot(path=str(screenshots / "widget-dark-390x844.png"))
    finally:
        ctx.close()


def test_principle_page_with_marked_sentence(sized, server: Server, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    size, page = sized
    answer = page.request.post(f"{server.base}/api/ask", data={"question": QUESTION}).json()
    cited = next(c for c in answer["citations"] if c["kind"] == "werkzaam_element")
    page.goto(f"{server.base}/principles/{cited['principle_id']}#{cited['id']}")
    marked = page.wait_for_selector(".marked")
    assert marked.get_attribute("id") == cited["id"]
    assert page.query_selector("h1")
    _axe(page, f"principle page {size}")
    page.screenshot(path=str(screenshots / f"principle-{size}.png"))


def test_framework_map(sized, server: Server, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    size, page = sized
    page.goto(f"{server.base}/framework")
    assert len(page.query_selector_all(".core")) == 8
    _axe(page, f"/framework {size}")
    page.screenshot(path=str(screenshots / f"framework-{size}.png"))


def test_chat_has_no_dead_ends(browser, server: Server) -> None:  # type: ignore[no-untyped-def]
    """A question over the limit is explained and stays in the box; a 2,000-character
    question and then a short one get two answers."""
    ctx = browser.new_context(locale="nl-NL", viewport=DESKTOP)
    page = ctx.new_page()
    try:
        page.goto(f"{server.base}/chat/")
        page.wait_for_selector("#liso-question textarea")
        page.fill("#liso-question textarea", "x" * 2100)
        page.dispatch_event("#liso-question textarea", "input")
        assert "2.100 van 2.000 tekens" in page.inner_text("#liso-count")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "sel => [...document.querySelectorAll(sel)].some(r => r.textContent.includes('⚠️'))",
            arg=BOT,
            timeout=ANSWER,
        )
        warning = page.inner_text(BOT)
        assert "lang" in warning and "2000" in warning.replace(".", "")
        assert len(page.input_value("#liso-question textarea")) == 2100
        page.click("button:has-text('Nieuw gesprek')")
        page.wait_for_function("sel => !document.querySelector(sel)", arg=BOT)
        scenario = (
            "In ons leernetwerk van scholen en zorginstellingen komen de deelnemers steeds "
            "minder naar de bijeenkomsten en zeggen ze weinig. "
        )
        long_question = ("Hoe houd ik deelnemers betrokken? " + scenario * 40)[:1999] + "?"
        _chat_ask(page, long_question, 1)
        _chat_ask(page, "Wat zijn de ontwikkelfasen van een leernetwerk?", 2)
        answers = page.query_selector_all(BOT)
        assert all("⚠️" not in a.inner_text() for a in answers)
        assert answers[1].query_selector("a.liso-chip")
    finally:
        ctx.close()


def test_chat_when_the_server_goes_away(browser, server: Server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Gradio's own message is shown in Dutch and the typed question stays."""
    running = start_server(tmp_path / "feedback.sqlite3")  # a server of its own to stop
    ctx = browser.new_context(locale="nl-NL", viewport=DESKTOP)
    page = ctx.new_page()
    try:
        page.goto(f"{running.server.base}/chat/")
        page.wait_for_selector("#liso-question textarea")
        running.stop()
        page.fill("#liso-question textarea", QUESTION)
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => document.body.innerText.includes('De verbinding met de server is verbroken')",
            timeout=30_000,
        )
        assert "Connection to the server was lost" not in page.inner_text("body")
        assert page.input_value("#liso-question textarea") == QUESTION
    finally:
        ctx.close()
        running.stop()
