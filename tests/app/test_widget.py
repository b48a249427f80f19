"""The embeddable widget in a real (headless) Chromium against the real app."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import ROOT
from tests.app.conftest import Server

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: Server):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(locale="nl-NL", viewport={"width": 1100, "height": 800})
    pg = ctx.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
    pg.goto(f"{server.base}/static/demo.html")
    yield pg
    ctx.close()


def _ask(page, question: str) -> None:  # type: ignore[no-untyped-def]
    page.click(".liso-w-bubble")
    page.wait_for_selector(".liso-w-panel:not([hidden])")
    page.fill(".liso-w-input", question)
    page.click(".liso-w-send")


def test_widget_answers_with_citation_links(page) -> None:  # type: ignore[no-untyped-def]
    _ask(page, "Hoe houd ik deelnemers betrokken?")
    link = page.wait_for_selector(
        ".liso-w-bot:not(.liso-w-pending) .liso-w-sources a[href*='/principles/']", timeout=90_000
    )
    assert link.get_attribute("href").split("/principles/", 1)[1]
    answer = page.inner_text(".liso-w-bot:last-child .liso-w-text")
    assert "[1]" in answer
    ref = page.query_selector(".liso-w-bot:last-child .liso-w-ref")
    assert ref is not None and "/principles/" in (ref.get_attribute("href") or "")
    page.eval_on_selector(".liso-w-bot:last-child", "e => e.scrollIntoView()")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))
    target = page.request.get(link.get_attribute("href"))
    assert target.status == 200 and "Kernelement" in target.text()


def test_widget_never_runs_user_text_as_html(page) -> None:  # type: ignore[no-untyped-def]
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    _ask(page, evil)
    page.wait_for_selector(".liso-w-bot:not(.liso-w-pending):not(:first-child)", timeout=90_000)
    page.wait_for_timeout(500)
    assert page.dialogs == []  # type: ignore[attr-defined]
    assert page.inner_text(".liso-w-user") == evil
    assert page.query_selector(".liso-w script, .liso-w img") is None
