"""The practitioner's chat: a Gradio app mounted in the FastAPI app at `/chat`.

Callbacks only call the core and format its results; every visible text is Dutch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from app.feedback import Feedback, FeedbackStore
from app.pages import KIND_LABELS
from assistant.delphi import delphi_parts
from assistant.errors import InputError
from assistant.service import Assistant
from assistant.types import Answer, Citation, Turn
from corpus.record import KERNELEMENTEN, PHASES, Filters

EXAMPLES: list[str] = [
    "Hoe houd ik deelnemers betrokken?",
    "Wat zijn de ontwikkelfasen van een leernetwerk?",
    "Welke rol speelt de coördinator van een leernetwerk?",
    "Hoe maak je het leren in een leernetwerk zichtbaar?",
    "Wat belemmert kennisdeling tussen onderwijs en praktijk?",
]

PHASE_LABELS: dict[str, str] = {
    "formeren": "Formeren",
    "onderhoud": "Onderhoud",
    "institutionaliseren": "Institutionaliseren",
}

NO_SOURCES = "_Nog geen bronnen. Stel een vraag om de geciteerde principes hier te zien._"

Messages = list[dict[str, Any]]


# --- formatting -------------------------------------------------------------------


def _md(text: str) -> str:
    """Neutralise Markdown/HTML control characters in corpus text."""
    for ch in "\\`*_[]<>#|":
        text = text.replace(ch, "\\" + ch)
    return text


def _content_text(content: Any) -> str:
    """Gradio 6 hands message content over as a list of parts; keep the text."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", ""))
    if isinstance(content, list | tuple):
        return "".join(_content_text(c) for c in content)
    return ""


def _short(text: str, limit: int = 220) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def delphi_text(c: Citation) -> str:
    parts = delphi_parts(c.delphi, "chip")
    return "Delphi-belang: " + ", ".join(parts) if parts else ""


def sources_markdown(answer: Answer) -> str:
    """The sources panel: one entry per cited principle."""
    if not answer.citations:
        return "_Dit antwoord heeft geen bronnen._"
    blocks = []
    for c in answer.citations:
        meta = [f"**{_md(c.kernelement)}**", _md(KIND_LABELS.get(c.kind, c.kind))]
        if delphi := delphi_text(c):
            meta.append(delphi)
        if c.expert_added:
            meta.append("toegevoegd door experts")
        lines = [
            f"**[{c.n}]** [{_md(_short(c.text))}](/principles/{c.id})",
            " · ".join(meta),
        ]
        if c.principle and c.principle != c.text:
            lines.append(f"Uitgangspunt: _{_md(c.principle)}_")
        lines.append(f"Bron: {_md(c.source)}")
        blocks.append("  \n".join(lines))
    return "\n\n---\n\n".join(blocks)


def to_history(messages: Messages) -> list[Turn]:
    return [
        Turn(role=m["role"], content=_content_text(m.get("content")))
        for m in messages
        if m.get("role") in ("user", "assistant") and _content_text(m.get("content")).strip()
    ]


def to_filters(kernelementen: list[str] | None, phases: list[str] | None) -> Filters | None:
    return Filters.of(kernelementen, None, phases)


# --- callbacks: they call the core and format its results -------------------------------

Answers = dict[int, dict[str, Any]]


class _Chat:
    """The chat's callbacks over one assistant factory and one feedback store."""

    def __init__(self, assistant_factory: Callable[[], Assistant], store: FeedbackStore) -> None:
        self.assistant_factory = assistant_factory
        self.store = store

    def respond(
        self,
        message: str,
        chat: Messages,
        kernelementen: list[str],
        phases: list[str],
        answers: Answers,
    ) -> Iterator[tuple[Messages, Any, Answers, str]]:
        chat = list(chat or [])
        history = to_history(chat)
        chat += [
            {"role": "user", "content": message},
            {"role": "assistant", "content": "…"},
        ]
        text = ""
        try:
            events = self.assistant_factory().ask_stream(
                message, history=history, filters=to_filters(kernelementen, phases)
            )
            for ev in events:
                if ev.type == "token":
                    text += ev.text
                    chat[-1] = {"role": "assistant", "content": text}
                    yield chat, gr.skip(), answers, ""
                elif ev.answer is not None:
                    chat[-1] = {"role": "assistant", "content": ev.answer.answer}
                    shown = {"question": message, **ev.answer.model_dump(mode="json")}
                    answers = {**(answers or {}), len(chat) - 1: shown}
                    yield chat, sources_markdown(ev.answer), answers, ""
        except InputError as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {exc.nl}"}
            yield chat, gr.skip(), answers, message

    def store_feedback(self, answers: Answers, index: int, rating: str, comment: str) -> str:
        ans = (answers or {}).get(index)
        if ans is None:
            return "_Er is nog geen antwoord om te beoordelen._"
        self.store.add(
            Feedback(
                question=ans["question"],
                answer=ans["answer"],
                citations=[c["id"] for c in ans["citations"]],
                rating=rating,
                comment=comment or "",
                channel="chat",
            )
        )
        return "✅ Bedankt voor je feedback!"

    def on_like(self, data: gr.LikeData, answers: Answers, comment: str) -> tuple[Any, Any]:
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        if data.liked is None or data.liked == "":
            return gr.skip(), gr.skip()
        rating = "down" if data.liked is False else "up"
        return self.store_feedback(answers, int(index), rating, comment), ""

    def on_comment(self, answers: Answers, rating: str, comment: str) -> tuple[str, str]:
        last = max((answers or {}).keys(), default=-1)
        up_down = "down" if rating.startswith("👎") else "up"
        return self.store_feedback(answers, last, up_down, comment), ""

    @staticmethod
    def new_chat() -> tuple[Messages, str, Answers, str, str]:
        return [], NO_SOURCES, {}, "", ""


# --- the Blocks app -------------------------------------------------------------------


def _conversation() -> dict[str, Any]:
    """The left column: the conversation, the question box, examples and feedback."""
    c: dict[str, Any] = {}
    c["chatbot"] = gr.Chatbot(
        label="Gesprek",
        height=520,
        placeholder="Stel hieronder je vraag, of kies een voorbeeldvraag.",
        feedback_options=("Like", "Dislike"),
        buttons=["copy"],
    )
    with gr.Row():
        c["question"] = gr.Textbox(
            label="Je vraag",
            placeholder="Bijvoorbeeld: Hoe houd ik deelnemers betrokken?",
            scale=5,
            autofocus=True,
        )
        c["send"] = gr.Button("Vraag stellen", variant="primary", scale=1)
    gr.Examples(EXAMPLES, inputs=c["question"], label="Voorbeeldvragen")
    with gr.Accordion("Feedback op het laatste antwoord", open=False):
        c["rating"] = gr.Radio(["👍 Nuttig", "👎 Niet nuttig"], value="👍 Nuttig", label="Oordeel")
        c["comment"] = gr.Textbox(
            label="Opmerking (optioneel)", placeholder="Wat was goed, wat ontbrak?", lines=2
        )
        c["send_feedback"] = gr.Button("Feedback versturen")
    c["feedback_status"] = gr.Markdown("")
    c["clear"] = gr.Button("Nieuw gesprek", variant="secondary")
    return c


def _side_panel() -> dict[str, Any]:
    """The right column: the filters and the sources of the last answer."""
    c: dict[str, Any] = {}
    c["kern"] = gr.Dropdown(
        list(KERNELEMENTEN),
        multiselect=True,
        label="Filter op kernelement",
        info="Leeg = alle kernelementen",
    )
    c["phase"] = gr.Dropdown(
        [(PHASE_LABELS.get(p, p), p) for p in PHASES],
        multiselect=True,
        label="Filter op fase",
        info="Leeg = alle fasen",
    )
    gr.Markdown("### Bronnen")
    c["sources"] = gr.Markdown(NO_SOURCES)
    return c


def _wire(c: dict[str, Any], answers: Any, chat: _Chat) -> None:
    ask_inputs = [c["question"], c["chatbot"], c["kern"], c["phase"], answers]
    ask_outputs = [c["chatbot"], c["sources"], answers, c["question"]]
    c["send"].click(chat.respond, ask_inputs, ask_outputs, api_name="ask")
    c["question"].submit(chat.respond, ask_inputs, ask_outputs, api_visibility="private")
    status = [c["feedback_status"], c["comment"]]
    c["chatbot"].like(chat.on_like, [answers, c["comment"]], status)
    c["send_feedback"].click(chat.on_comment, [answers, c["rating"], c["comment"]], status)
    reset = [c["chatbot"], c["sources"], answers, c["question"], c["feedback_status"]]
    c["clear"].click(chat.new_chat, None, reset)
    c["chatbot"].clear(chat.new_chat, None, reset)


def build_ui(assistant_factory: Callable[[], Assistant], store: FeedbackStore) -> gr.Blocks:
    """The chat as a `gr.Blocks`; mount it with `gr.mount_gradio_app`."""
    with gr.Blocks(title="LISO-assistent") as blocks:
        answers = gr.State({})
        gr.Markdown(
            "## LISO-assistent\n"
            "Stel een vraag over leernetwerken. Elk antwoord komt uit het LISO-framework, "
            "de Delphi-studie, de scoping review of het handboek, met genummerde bronnen."
        )
        with gr.Row():
            with gr.Column(scale=3):
                components = _conversation()
            with gr.Column(scale=2):
                components |= _side_panel()
        _wire(components, answers, _Chat(assistant_factory, store))
    return blocks
