"""Where a serving process's memory goes, and how much one worker holds under load.

Two measurements, written to benchmarks/results/memory.json:

- `stages` (in this process): resident memory (RSS, split into anonymous and
  file-backed) after each step of a start: the app's imports, the tokenizer, the model,
  the index, the warm-up, 200 new questions one by one and 200 from 32 threads.
- `server` (a real uvicorn worker): RSS after it is ready, after answering new
  questions from 8 and then 32 clients, and its peak (VmHWM).

    python -m benchmarks.memory                 # both
    python -m benchmarks.memory --only server --out benchmarks/results/memory_st.json \
        --env ASSISTANT_EMBEDDER=sentence-transformers ASSISTANT_INDEX_DIR=index/store-st
    python -m benchmarks.memory --only server --root /path/to/other/checkout
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from deploy.services import rss_mb as rss

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "memory.json"


def questions(n: int, tag: str) -> list[str]:
    from benchmarks.load_test import questions as real

    qs = real(30)
    return [f"{qs[i % len(qs)]} ({tag} {i})" for i in range(n)]


# --- in this process --------------------------------------------------------------------


def stages() -> list[dict[str, Any]]:
    """RSS after each step; every step is what the app does at start, made explicit."""
    rows: list[dict[str, Any]] = []

    def note(step: str) -> None:
        rows.append({"step": step, **rss()})
        print(f"{step:<44} {rows[-1]}", flush=True)

    note("python")
    import torch  # noqa: F401

    note("+ torch")
    import app.api  # noqa: F401  (FastAPI, Gradio, Chroma's client, the assistant)

    note("+ the app's other imports")
    from assistant.factory import get_assistant

    assistant = get_assistant()
    embedder = assistant.embedder
    inner = getattr(getattr(embedder, "inner", None), "inner", None)
    if inner is not None and hasattr(inner, "load"):
        inner.load()
        note("+ embedder (tokenizer, weights, adapter)")
    _ = assistant.index
    note("+ index (records, BM25, keys, Chroma)")
    assistant.warm_up()
    note("+ first answer")
    for q in questions(200, "stages"):
        assistant.ask(q)
    note("+ 200 new questions, one at a time")
    with ThreadPoolExecutor(32) as pool:
        list(pool.map(assistant.ask, questions(200, "threads")))
    note("+ 200 new questions from 32 threads")
    loaded = [
        m for m in ("transformers", "sentence_transformers", "peft", "sklearn") if m in sys.modules
    ]
    print(f"libraries loaded by the embedder: {loaded or 'none of transformers and its kin'}")
    return rows


# --- a real worker ----------------------------------------------------------------------


def serve(root: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    from deploy.services import free_port

    port = free_port()
    # as `make run` starts it (one worker: the server process is the worker)
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)]
    full_env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "HF_HUB_OFFLINE": "1",
        "OMP_WAIT_POLICY": "passive",
        "TOKENIZERS_PARALLELISM": "false",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
        "ASSISTANT_WARM_UP_ON_START": "1",
        **env,
    }
    log = Path(tempfile.gettempdir()) / f"liso-memory-{port}.log"
    with log.open("wb") as out:  # the child keeps its own handle
        proc = subprocess.Popen(cmd, cwd=root, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            ready = httpx.get(f"{url}/readyz", timeout=30)
            if ready.status_code == 200:
                return proc, url
            if ready.status_code == 404 and httpx.get(f"{url}/healthz").status_code == 200:
                return proc, url  # a checkout without /readyz: warm below
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the server did not start")


def server(root: Path, n: int, env: dict[str, str]) -> dict[str, Any]:
    proc, url = serve(root, env)
    out: dict[str, Any] = {"root": str(root), "env": env}
    try:
        with httpx.Client(base_url=url, timeout=120) as http:
            for q in questions(5, "warm"):  # the same warm-up for every checkout
                http.post("/api/ask", json={"question": q}).raise_for_status()
            time.sleep(1)
            out["ready"] = rss(proc.pid)
            for clients in (8, 32):
                with ThreadPoolExecutor(clients) as pool:
                    codes = list(
                        pool.map(
                            lambda q: http.post("/api/ask", json={"question": q}).status_code,
                            questions(n, f"c{clients}"),
                        )
                    )
                assert set(codes) == {200}, codes
                out[f"after_{n}_at_{clients}_clients"] = rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(json.dumps(out, indent=2), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", choices=["stages", "server"])
    ap.add_argument("--root", type=Path, default=ROOT, help="checkout the server runs from")
    ap.add_argument("--n", type=int, default=300, help="new questions per client level")
    ap.add_argument("--env", nargs="*", default=[], help="extra KEY=VALUE for the server")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    env = dict(e.split("=", 1) for e in args.env)
    result: dict[str, Any] = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if args.only in (None, "server"):
        result["server"] = server(args.root.resolve(), args.n, env)
    if args.only in (None, "stages"):
        result["stages"] = stages()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
