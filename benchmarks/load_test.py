"""Load test of POST /api/ask: requests/s and latency at 1, 8 and 32 concurrent clients.

Starts its own uvicorn on a free 127.0.0.1 port (rate limit off, one worker unless
--workers) unless --url is given, sends N requests per level with a rotating set of
real questions from eval/questions/dev.yaml, and writes benchmarks/results/load.json plus
a markdown table. Bounded: every level stops after N requests (and at --max-seconds).

    .venv/bin/python -m benchmarks.load_test     # warm and cold cache, 1/8/32 clients, 64 each
    .venv/bin/python -m benchmarks.load_test --url http://127.0.0.1:7860 --n 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "load.json"


def questions(n: int = 30) -> list[str]:
    """Up to n real, single-turn, in-scope questions, spread over the question set."""
    data = yaml.safe_load((ROOT / "eval" / "questions" / "dev.yaml").read_text(encoding="utf-8"))
    qs = [
        q["question"]
        for q in data["questions"]
        if not q.get("refuse") and not q.get("history") and q.get("question")
    ]
    step = max(1, len(qs) // n)
    return qs[::step][:n]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
        "ASSISTANT_WARM_UP_ON_START": "1",  # every worker loads its model at start
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "PYTHONPATH": str(ROOT),
    }
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "app.api:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=60).status_code == 200:
                time.sleep(3.0 * (workers - 1))  # the other workers' warm-up threads
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("uvicorn did not become healthy within 120 s")


async def run_level(
    client: httpx.AsyncClient,
    qs: list[str],
    concurrency: int,
    n: int,
    max_seconds: float,
    unique: bool = False,
) -> dict[str, Any]:
    """n requests from `concurrency` clients; `unique` makes every question text new
    (a request number appended), so the app's query-vector cache never hits."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(n))
    t_end = time.perf_counter() + max_seconds

    async def worker() -> None:
        for i in counter:
            if time.perf_counter() > t_end:
                return
            t0 = time.perf_counter()
            try:
                q = qs[i % len(qs)]
                if unique:
                    q = f"{q} (vraag {concurrency}-{i})"
                resp = await client.post("/api/ask", json={"question": q})
                ok = resp.status_code == 200 and bool(resp.json().get("answer"))
                key = "" if ok else str(resp.status_code)
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            if key:
                errors[key] = errors.get(key, 0) + 1
            else:
                latencies.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    lat = sorted(latencies)

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p / 100 * len(lat)))], 1) if lat else 0.0

    return {
        "cache": "cold" if unique else "warm",
        "clients": concurrency,
        "requests": len(lat) + sum(errors.values()),
        "ok": len(lat),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "seconds": round(wall, 2),
        "rps": round(len(lat) / wall, 2) if wall else 0.0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(lat), 1) if lat else 0.0,
    }


async def main_async(args: argparse.Namespace, url: str) -> list[dict[str, Any]]:
    qs = questions(30)
    limits = httpx.Limits(max_connections=max(args.levels) + 4)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        # warm-up: every question once (embedder, caches of the Chroma segment)
        for q in qs[: args.warmup]:
            await client.post("/api/ask", json={"question": q})
        budget = args.max_seconds / (len(args.levels) * len(args.cache))
        return [
            await run_level(client, qs, c, args.n, budget, unique=mode == "cold")
            for mode in args.cache
            for c in args.levels
        ]


def table(rows: list[dict[str, Any]]) -> str:
    out = [
        "| query cache | clients | requests | errors | answers/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    out += [
        f"| {r['cache']} | {r['clients']} | {r['requests']} | {r['errors']} | {r['rps']} | {r['p50_ms']} "
        f"| {r['p95_ms']} | {r['p99_ms']} |"
        for r in rows
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", default="", help="a running server; default: start one")
    ap.add_argument("--levels", type=int, nargs="+", default=[1, 8, 32])
    ap.add_argument("--n", type=int, default=64, help="requests per level")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn workers (own server)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--max-seconds", type=float, default=120.0, help="budget for all levels")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--cache",
        nargs="+",
        choices=["warm", "cold"],
        default=["warm", "cold"],
        help="warm: the 30 questions repeat (query vectors cached); cold: every text new",
    )
    args = ap.parse_args(argv)

    proc = None
    url = args.url
    if not url:
        proc, url = start_server(args.workers)
    try:
        rows = asyncio.run(main_async(args, url))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    result = {
        "endpoint": "POST /api/ask",
        "server": "own uvicorn" if not args.url else args.url,
        "workers": args.workers if not args.url else None,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "levels": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(rows))
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
