"""The practitioner's chat: a Gradio app mounted in the FastAPI app at `/chat`.

Callbacks only call the core and format its results; every visible text is Dutch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from app import cards
from app.feedback import Feedback, FeedbackStore
from app.routes.widget import STATIC_DIR
from assistant.errors import InputError
from assistant.service import Assistant
from assistant.types import Answer, AnswerBlock, Citation, Turn
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

NO_SOURCES = cards.NO_SOURCES

# Colours with at least 4.5:1 on their background (WCAG AA): Gradio's orange primary
# (#f97316 under white text) and its grey hints (#bbbbc2) fail.
THEME = gr.themes.Default(primary_hue="emerald").set(
    button_primary_background_fill="#0b6e4f",
    button_primary_background_fill_hover="#095c42",
    button_primary_background_fill_dark="#0b6e4f",
    button_primary_background_fill_hover_dark="#095c42",
    button_primary_text_color="#ffffff",
    button_primary_text_color_dark="#ffffff",
    button_primary_border_color="#0b6e4f",
    button_primary_border_color_dark="#0b6e4f",
    input_placeholder_color="#52606d",
    input_placeholder_color_dark="#b3bcc5",
    body_text_color_subdued="#52606d",
    body_text_color_subdued_dark="#b3bcc5",
    block_info_text_color="#52606d",
    block_info_text_color_dark="#b3bcc5",
    color_accent_soft="#d1f0e3",
)

CSS = (
    cards.CSS
    + """
#liso-chat .placeholder, #liso-chat .placeholder-content { color: #52606d; }
.liso-intro p { margin-top: 0; }
.liso-count { margin: 0; font-size: .9rem; color: #52606d; }
.liso-count.liso-bad { color: #a61b1b; font-weight: 600; }
"""
)


Messages = list[dict[str, Any]]
WARNING = "⚠️"


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


def to_history(messages: Messages) -> list[Turn]:
    """The conversation as the assistant's history: answers without their chips; a failed
    turn (its warning and the question it answers) left out."""
    turns: list[Turn] = []
    for m in messages:
        text = cards.without_chips(_content_text(m.get("content")))
        if m.get("role") not in ("user", "assistant") or not text.strip():
            continue
        if text.startswith(WARNING):
            if turns and turns[-1].role == "user":
                turns.pop()
            continue
        turns.append(Turn(role=m["role"], content=text))
    return turns


def answer_markdown(answer: Answer) -> str:
    """The answer as the conversation shows it: its markdown with citation chips."""
    text = cards.with_chips(answer.answer, answer.citations)
    if answer.notice:
        text += f"\n\n_{_md(answer.notice)}_"
    return text


def _first(index: Any) -> Any:
    return index[0] if isinstance(index, list | tuple) else index


def _user_turn(chat: Messages, index: int) -> int:
    """The user's turn at or before `index`."""
    index = min(max(index, 0), len(chat) - 1)
    while index > 0 and chat[index].get("role") != "user":
        index -= 1
    return index


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
        """The answer as it is composed: the markdown in the conversation, the principle
        cards beside it as each block comes; the question stays in its box when it
        fails, so it can be sent again or changed."""
        chat = list(chat or [])
        history = to_history(chat)
        chat += [
            {"role": "user", "content": message},
            {"role": "assistant", "content": "…"},
        ]
        text = ""
        blocks: list[AnswerBlock] = []
        cited: dict[int, Citation] = {}
        box: Any = ""  # the question box is emptied once; what is typed meanwhile stays
        try:
            events = self.assistant_factory().ask_stream(
                message, history=history, filters=to_filters(kernelementen, phases)
            )
            for ev in events:
                cited |= {c.n: c for c in ev.citations}
                if ev.type == "token":
                    text += ev.text
                    chat[-1] = {"role": "assistant", "content": text}
                    yield chat, gr.skip(), answers, box
                    box = gr.skip()
                elif ev.type == "block" and ev.block is not None:
                    blocks.append(ev.block)
                    yield chat, cards.cards_html(blocks, list(cited.values())), answers, box
                    box = gr.skip()
                elif ev.answer is not None:
                    a = ev.answer
                    chat[-1] = {"role": "assistant", "content": answer_markdown(a)}
                    shown = {"question": message, **a.model_dump(mode="json")}
                    answers = {**(answers or {}), len(chat) - 1: shown}
                    yield chat, cards.cards_html(a.blocks, a.citations), answers, box
        except InputError as exc:
            chat[-1] = {"role": "assistant", "content": f"{WARNING} {exc.nl}"}
            yield chat, gr.skip(), answers, message

    def retry(
        self,
        data: gr.RetryData,
        chat: Messages,
        kernelementen: list[str],
        phases: list[str],
        answers: Answers,
    ) -> Iterator[tuple[Messages, Any, Answers, str]]:
        """Ask the question of the turn at `data.index` again."""
        index = _user_turn(chat, int(_first(data.index)))
        question = _content_text(chat[index]["content"])
        yield from self.respond(question, chat[:index], kernelementen, phases, answers)

    def edit(
        self,
        data: gr.EditData,
        chat: Messages,
        kernelementen: list[str],
        phases: list[str],
        answers: Answers,
    ) -> Iterator[tuple[Messages, Any, Answers, str]]:
        """The user changed an earlier question: the conversation goes on from there."""
        index = _user_turn(chat, int(_first(data.index)))
        question = _content_text(data.value)
        yield from self.respond(question, chat[:index], kernelementen, phases, answers)

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
        index = _first(data.index)
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
    """The conversation and the question box (the left column on a wide screen)."""
    c: dict[str, Any] = {}
    c["chatbot"] = gr.Chatbot(
        label="Gesprek",
        show_label=False,
        elem_id="liso-chat",
        height=560,
        autoscroll=False,  # a new answer is shown from its start (static/chat.js)
        placeholder="Stel hieronder je vraag, of kies een voorbeeldvraag.",
        feedback_options=("Like", "Dislike"),
        buttons=["copy"],
        editable="user",
    )
    with gr.Row():
        c["question"] = gr.Textbox(
            label="Je vraag",
            elem_id="liso-question",
            placeholder="Bijvoorbeeld: Hoe houd ik deelnemers betrokken?",
            info="Enter verstuurt je vraag; maximaal 2.000 tekens.",
            scale=5,
            autofocus=True,
        )
        c["send"] = gr.Button("Vraag stellen", variant="primary", scale=1)
    gr.HTML('<p id="liso-count" class="liso-count" aria-live="polite"></p>', padding=False)
    return c


def _sources() -> dict[str, Any]:
    """The principle cards of the last answer: beside it on a wide screen, under it on a
    phone."""
    gr.Markdown("## Bronnen bij het antwoord")
    return {"sources": gr.HTML(NO_SOURCES, elem_id="liso-sources", padding=False)}


def _more(question: Any) -> dict[str, Any]:
    """Below: examples, feedback, a new conversation, filters."""
    c: dict[str, Any] = {}
    with gr.Row():
        with gr.Column(scale=3, min_width=300):
            gr.Examples(EXAMPLES, inputs=question, label="Voorbeeldvragen")
            with gr.Accordion("Feedback op het laatste antwoord", open=False):
                c["rating"] = gr.Radio(
                    ["👍 Nuttig", "👎 Niet nuttig"], value="👍 Nuttig", label="Oordeel"
                )
                c["comment"] = gr.Textbox(
                    label="Opmerking (optioneel)", placeholder="Wat was goed, wat ontbrak?", lines=2
                )
                c["send_feedback"] = gr.Button("Feedback versturen")
            c["feedback_status"] = gr.Markdown("")
            c["clear"] = gr.Button("Nieuw gesprek", variant="secondary")
        with gr.Column(scale=2, min_width=300):
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
    return c


def _wire(c: dict[str, Any], answers: Any, chat: _Chat) -> None:
    ask_inputs = [c["question"], c["chatbot"], c["kern"], c["phase"], answers]
    ask_outputs = [c["chatbot"], c["sources"], answers, c["question"]]
    c["send"].click(chat.respond, ask_inputs, ask_outputs, api_name="ask")
    c["question"].submit(chat.respond, ask_inputs, ask_outputs, api_visibility="private")
    turn_inputs = [c["chatbot"], c["kern"], c["phase"], answers]
    c["chatbot"].retry(chat.retry, turn_inputs, ask_outputs, api_visibility="private")
    c["chatbot"].edit(chat.edit, turn_inputs, ask_outputs, api_visibility="private")
    status = [c["feedback_status"], c["comment"]]
    c["chatbot"].like(chat.on_like, [answers, c["comment"]], status)
    c["send_feedback"].click(chat.on_comment, [answers, c["rating"], c["comment"]], status)
    reset = [c["chatbot"], c["sources"], answers, c["question"], c["feedback_status"]]
    c["clear"].click(chat.new_chat, None, reset)
    c["chatbot"].clear(chat.new_chat, None, reset)


def build_ui(assistant_factory: Callable[[], Assistant], store: FeedbackStore) -> gr.Blocks:
    """The chat as a `gr.Blocks`; mount it with `gr.mount_gradio_app(...,
    **mount_options())`."""
    with gr.Blocks(title="LISO-assistent") as blocks:
        answers = gr.State({})
        gr.Markdown(
            "# LISO-assistent\n"
            "Stel een vraag over leernetwerken. Elk antwoord komt uit het LISO-framework, "
            "de Delphi-studie, de scoping review of het handboek, met genummerde bronnen; "
            "[bekijk het hele framework](/framework).",
            elem_classes="liso-intro",
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                components = _conversation()
            with gr.Column(scale=2, min_width=300):
                components |= _sources()
        components |= _more(components["question"])
        _wire(components, answers, _Chat(assistant_factory, store))
    return blocks


def mount_options() -> dict[str, Any]:
    """The chat's theme, styles and head script, for `gr.mount_gradio_app`."""
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    return {"theme": THEME, "css": CSS, "head": f"<script>{script}</script>"}
