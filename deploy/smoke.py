"""Smoke test of a deployment on this machine: start the parts that are installed, ask one
question through each app worker, leave feedback, stop everything.

The parts, each on a free 127.0.0.1 port with its data in a temp folder
(`deploy.services`): Redis (shared rate limit) and PostgreSQL (feedback) from their
Debian packages, a Chroma server (the index, built into it from the vector cache), and
the app with N uvicorn workers. A part whose program is missing is left out with a
message saying what to install, and the app runs without it (in-process rate limit,
SQLite feedback, embedded Chroma); `--require` makes a missing part an error.

    python -m deploy.smoke                        # everything that is installed, 2 workers
    python -m deploy.smoke --workers 4 --no-chroma
    python -m deploy.smoke --require redis postgres chroma

Exit code 0 when every worker answered and the feedback was stored where configured.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from deploy.services import (
    ROOT,
    Missing,
    Service,
    app_env,
    start_app,
    start_chroma,
    start_postgres,
    start_redis,
)

QUESTION = "Hoe houd ik deelnemers betrokken?"
PARTS = ("redis", "postgres", "chroma")


def say(message: str) -> None:
    print(message, flush=True)


def _start_part(name: str, folder: Path, required: bool) -> Service | None:
    starters = {"redis": start_redis, "postgres": start_postgres, "chroma": start_chroma}
    try:
        t0 = time.monotonic()
        service = starters[name](folder / name)
    except Missing as exc:
        if required:
            raise
        say(f"  {name:<9} overgeslagen / skipped: {exc}")
        return None
    say(f"  {name:<9} {service.url}  ({time.monotonic() - t0:.1f} s)")
    return service


def _build_index(env: dict[str, str]) -> None:
    """`index ensure` into the Chroma server (passage vectors come from the cache)."""
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "assistant", "index", "ensure"],
        cwd=ROOT,
        env=app_env(env),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    say(f"  index     built into the Chroma server ({time.monotonic() - t0:.1f} s)")


def ask_each_worker(url: str, workers: int, timeout: float = 120) -> dict[int, dict[str, object]]:
    """One question per worker. A keep-alive connection stays with the worker that
    accepted it, so /readyz on a new connection says which worker the question goes to."""
    answered: dict[int, dict[str, object]] = {}
    deadline = time.monotonic() + timeout
    while len(answered) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only workers {sorted(answered)} answered")
        with httpx.Client(base_url=url, timeout=60) as http:
            worker = int(http.get("/readyz").raise_for_status().json()["worker"])
            if worker in answered:
                continue
            t0 = time.perf_counter()
            resp = http.post("/api/ask", json={"question": f"{QUESTION} ({worker})"})
            ms = round((time.perf_counter() - t0) * 1000)
            resp.raise_for_status()
            body = resp.json()
            if not body.get("answer") or not body.get("citations") or body.get("refused"):
                raise RuntimeError(f"worker {worker} gave no cited answer: {body}")
            first_line = str(body["answer"]).splitlines()[0]
            answered[worker] = {"ms": ms, "answer": first_line}
            say(f"  worker {worker}: {ms} ms — {first_line[:90]}")
    return answered


def check_feedback(url: str, postgres: Service | None) -> None:
    resp = httpx.post(
        f"{url}/api/feedback",
        json={"question": QUESTION, "answer": "smoke", "rating": "up", "comment": "smoke"},
        timeout=30,
    )
    resp.raise_for_status()
    if postgres is None:
        say("  feedback  stored in SQLite")
        return
    import psycopg

    with psycopg.connect(postgres.url) as con:
        row = con.execute("SELECT count(*) FROM feedback WHERE comment = 'smoke'").fetchone()
    if not row or row[0] != 1:
        raise RuntimeError(f"feedback not in PostgreSQL: {row}")
    say("  feedback  stored in PostgreSQL")


def check_rate_limit_counts(redis: Service | None) -> None:
    if redis is None:
        return
    import redis as redis_client

    keys = list(redis_client.Redis.from_url(redis.url).scan_iter("liso*"))
    if not keys:
        raise RuntimeError("no rate-limit counters in Redis")
    say(f"  redis     {len(keys)} rate-limit counter(s) shared by the workers")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--no-chroma", action="store_true", help="embedded Chroma in index/store")
    ap.add_argument("--require", nargs="*", choices=PARTS, default=[], help="fail when missing")
    ap.add_argument("--keep", action="store_true", help="keep the temp folder (logs, data)")
    args = ap.parse_args(argv)

    folder = Path(tempfile.mkdtemp(prefix="liso-smoke-"))
    t_start = time.monotonic()
    say(f"smoke test in {folder}")
    with ExitStack() as stack:
        parts: dict[str, Service | None] = {}
        for name in PARTS:
            if name == "chroma" and args.no_chroma:
                parts[name] = None
                continue
            parts[name] = service = _start_part(name, folder, name in args.require)
            if service is not None:
                stack.callback(service.stop)
        env = {
            "ASSISTANT_FEEDBACK_DB": str(folder / "feedback.sqlite3"),
            "ASSISTANT_RATE_LIMIT_PER_MINUTE": "120",
            "ASSISTANT_ADMIN_API_KEY": "smoke",
        }
        if parts["redis"]:
            env["ASSISTANT_REDIS_URL"] = parts["redis"].url
        if parts["postgres"]:
            env["ASSISTANT_DATABASE_URL"] = parts["postgres"].url
        if parts["chroma"]:
            env["ASSISTANT_CHROMA_URL"] = parts["chroma"].url
            env["ASSISTANT_INDEX_DIR"] = str(folder / "index")
            _build_index(env)
        t0 = time.monotonic()
        app = start_app(folder / "app", env, workers=args.workers)
        stack.callback(app.stop)
        say(f"  app       {app.url}, {args.workers} workers ready ({time.monotonic() - t0:.1f} s)")
        ask_each_worker(app.url, args.workers)
        check_feedback(app.url, parts["postgres"])
        check_rate_limit_counts(parts["redis"])
    say(f"smoke test passed in {time.monotonic() - t_start:.1f} s")
    if args.keep:
        say(f"logs and data kept in {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
