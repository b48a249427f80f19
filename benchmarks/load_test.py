"""Load test of POST /api/ask: answers/s and latency at several numbers of clients.

Starts the app as `make run` does (`python -m assistant serve`, --workers N, rate limit
off) on a free 127.0.0.1 port over a copy of the index, unless --url is given; notes the
time from start until every worker is ready (/readyz) and the latency of the first
answer after that; then sends N requests per level with real questions from
eval/questions/dev.yaml, and writes benchmarks/results/load.json (or --out) plus a
markdown table. Bounded: every level stops after N requests (and at --max-seconds).
With --reindex it then keeps clients asking while the admin endpoint rebuilds the index,
and reports every status code and when each worker served the new index.

    python -m benchmarks.load_test                                  # 1/8/32 clients, warm and cold
    python -m benchmarks.load_test --levels 8 32 --cache cold --n 300 --workers 2 --reindex
    python -m benchmarks.load_test --url http://127.0.0.1:7860 --n 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
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


ADMIN_KEY = "load-test"


def start_server(workers: int, folder: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, Any]]:
    """`python -m assistant serve` over a copy of the index in `folder`; returns once every
    worker said ready, with the start-up times."""
    from assistant.config import get_settings
    from deploy.services import app_env, free_port, ready_workers

    shutil.copytree(get_settings().index_dir, folder / "index")
    port = free_port()
    env = app_env(
        {
            "ASSISTANT_INDEX_DIR": str(folder / "index"),
            "ASSISTANT_RATE_LIMIT_PER_MINUTE": "0",
            "ASSISTANT_ADMIN_API_KEY": ADMIN_KEY,
            "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
        }
    )
    cmd = [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--workers", str(workers)]
    log = (folder / "app.log").open("wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        ready_workers(url, workers, timeout=300, proc=proc)
        ready = time.perf_counter()
        t1 = time.perf_counter()
        resp = httpx.post(f"{url}/api/ask", json={"question": "Wat doet een trekker? (start)"})
        resp.raise_for_status()
        done = time.perf_counter()
    except BaseException:
        proc.kill()
        raise
    start = {
        "start_to_ready_s": round(ready - t0, 2),
        "first_answer_after_ready_ms": round((done - t1) * 1000, 1),
        "start_to_first_answer_s": round(done - t0, 2),
    }
    return proc, url, start


def worker_rss(proc: subprocess.Popen[bytes], workers: int) -> dict[str, dict[str, float]]:
    """Resident memory of each serving process (the server itself with one worker)."""
    from deploy.services import rss_mb

    pids = [proc.pid]
    if workers > 1:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        pids = [
            int(p)
            for p in children
            if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes().decode()
        ]
    return {str(pid): rss_mb(pid) for pid in pids}


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


async def reindex_under_load(
    url: str, qs: list[str], concurrency: int, workers: int, settle: float = 5.0
) -> dict[str, Any]:
    """Clients keep asking new questions while the admin endpoint rebuilds the index;
    returns every status code seen, the build time and how long after the build each
    worker first answered /healthz from the new collection."""
    statuses: dict[str, int] = {}
    seen: dict[int, float] = {}  # worker -> first time on the new collection
    stop = asyncio.Event()
    key = {"x-api-key": ADMIN_KEY}
    new: list[str] = []

    def note(code: str) -> None:
        statuses[code] = statuses.get(code, 0) + 1

    async def traffic(n: int) -> None:
        # a new connection per request, so that the kernel spreads them over the workers
        i = 0
        while not stop.is_set():
            i += 1
            async with httpx.AsyncClient(base_url=url, timeout=120) as client:
                try:
                    q = f"{qs[(n + i) % len(qs)]} (herindex {n}-{i})"
                    note(str((await client.post("/api/ask", json={"question": q})).status_code))
                    health = await client.get("/healthz")
                    note(str(health.status_code))
                    body = health.json() if health.status_code == 200 else {}
                    if new and body.get("index", {}).get("collection") == new[0]:
                        seen.setdefault(int(body["worker"]), time.perf_counter())
                except httpx.HTTPError as exc:
                    note(type(exc).__name__)

    async with httpx.AsyncClient(base_url=url, timeout=120) as admin:
        old = (await admin.get("/readyz")).json()["collection"]
        tasks = [asyncio.create_task(traffic(n)) for n in range(concurrency)]
        await asyncio.sleep(2)
        t0 = time.perf_counter()
        started = await admin.post("/api/admin/reindex", headers=key)
        while (status := (await admin.get("/api/admin/reindex", headers=key)).json())[
            "state"
        ] == "running" and time.perf_counter() < t0 + 600:
            await asyncio.sleep(0.5)
        done = time.perf_counter()
        if status.get("collection"):
            new.append(status["collection"])
        while len(seen) < workers and time.perf_counter() < done + 60:
            await asyncio.sleep(0.2)
        await asyncio.sleep(settle)
        stop.set()
        await asyncio.gather(*tasks)
    return {
        "clients": concurrency,
        "reindex_accepted": started.status_code,
        "state": status["state"],
        "old_collection": old,
        "new_collection": new[0] if new else None,
        "build_seconds": round(done - t0, 1),
        "workers_on_new_after_s": {str(w): round(t - done, 2) for w, t in seen.items()},
        "statuses": statuses,
        "server_errors": sum(n for code, n in statuses.items() if not code.startswith(("2", "4"))),
    }


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
    ap.add_argument(
        "--reindex", action="store_true", help="then reindex under load (own server only)"
    )
    ap.add_argument("--reindex-clients", type=int, default=8)
    args = ap.parse_args(argv)

    proc = None
    url = args.url
    start: dict[str, Any] = {}
    memory: dict[str, dict[str, float]] = {}
    reindex: dict[str, Any] | None = None
    folder = Path(tempfile.mkdtemp(prefix="liso-load-"))
    load_before = os.getloadavg()
    try:
        if not url:
            proc, url, start = start_server(args.workers, folder)
            print(json.dumps(start), flush=True)
        rows = asyncio.run(main_async(args, url))
        if proc is not None:
            memory = worker_rss(proc, args.workers)
            if args.reindex:
                reindex = asyncio.run(
                    reindex_under_load(url, questions(30), args.reindex_clients, args.workers)
                )
                print(json.dumps(reindex), flush=True)
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
    result = {
        "endpoint": "POST /api/ask",
        "server": "own `python -m assistant serve`" if not args.url else args.url,
        "workers": args.workers if not args.url else None,
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "start": start,
        "levels": rows,
        "rss_mb_after_levels": memory,
        "reindex_under_load": reindex,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(rows))
    failed = any(r["errors"] for r in rows) or bool(reindex and reindex["server_errors"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
