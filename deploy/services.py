"""The parts of a deployment as local processes, each on a free 127.0.0.1 port with its
data in a folder of its own: the app (uvicorn, N workers), a Chroma server, Redis and
PostgreSQL from their Debian packages. The smoke test (`deploy/smoke.py`) and the
integration tests start them with these functions; `compose.yaml` runs the same parts
in containers.

Every starter raises `Missing` (with what to install) when the program is not on this
machine, so a caller can skip with a clear message.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


class Missing(RuntimeError):
    """A program a part needs is not installed here."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """A running part: its process, its address, and how it is stopped."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str
    folder: Path
    # the server's own process id when `proc` is a wrapper (runuser): first line of this
    pid_file: Path | None = None
    stop_signal: int = signal.SIGTERM
    remove_folder: bool = False  # the folder was made for it: removed by stop()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def pid(self) -> int:
        if self.pid_file is not None:
            with contextlib.suppress(OSError, ValueError):
                return int(self.pid_file.read_text().split()[0])
        return self.proc.pid

    def _signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid(), sig)

    def stop(self, timeout: float = 30) -> None:
        if self.proc.poll() is None:
            self._signal(self.stop_signal)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self.remove_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def kill(self) -> None:
        """kill -9 of the server itself, as a crash would."""
        if self.proc.poll() is None:
            self._signal(signal.SIGKILL)
            self.proc.wait(timeout=30)


def _wait(
    check: Callable[[], bool], proc: subprocess.Popen[bytes], what: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def _log(folder: Path, name: str) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    return os.open(folder / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)


# --- Redis ------------------------------------------------------------------------------


def start_redis(folder: Path) -> Service:
    """redis-server without persistence (rate-limit counters only)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise Missing("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    cmd += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
    proc = subprocess.Popen(cmd, stdout=_log(folder, "redis"), stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"

    def ping() -> bool:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    _wait(ping, proc, "redis-server", 30)
    return Service("redis", proc, url, folder)


# --- PostgreSQL -------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The folder of initdb/pg_ctl/postgres (Debian puts them under /usr/lib/postgresql)."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(versions[0]).parent if versions else None


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user."""
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser")
    if runuser is None:
        raise Missing("running as root without runuser: cannot start PostgreSQL")
    return [runuser, "-u", "postgres", "--", *cmd]


def _postgres_can_enter(folder: Path) -> bool:
    return all(p.stat().st_mode & 0o001 for p in [*folder.parents][:-1] if p.exists())


def start_postgres(folder: Path, port: int | None = None) -> Service:
    """A new cluster in `folder` (or the one already there), on 127.0.0.1, trust auth,
    with fsync on (the durability tests rely on it). Database `liso`, user `postgres`.

    As root the server runs as the `postgres` user; when that user cannot reach
    `folder` (pytest's temp folders are private), the cluster goes to a new folder
    under the system's temp folder instead, removed by `stop()`."""
    bindir = postgres_bin()
    if bindir is None:
        raise Missing("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    own_folder = False
    if os.geteuid() == 0 and not _postgres_can_enter(folder):
        folder, own_folder = Path(tempfile.mkdtemp(prefix="liso-postgres-")), True
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    if not (data / "PG_VERSION").exists():
        init = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"]
        subprocess.run(
            _as_postgres_user([*init, "-E", "UTF8", "--no-locale"]),
            check=True,
            capture_output=True,
        )
    port = port or free_port()
    cmd = [str(bindir / "postgres"), "-D", str(data), "-p", str(port)]
    cmd += ["-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}"]
    cmd += ["-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "max_connections=200"]
    base = f"postgresql://postgres@127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # after a kill -9 the old backends need a moment to go
        proc = subprocess.Popen(
            _as_postgres_user(cmd), stdout=_log(folder, "postgres"), stderr=subprocess.STDOUT
        )
        time.sleep(0.3)
        if proc.poll() is None or time.monotonic() > deadline:
            break

    def accepts() -> bool:
        import psycopg

        with psycopg.connect(f"{base}/postgres", connect_timeout=2, autocommit=True) as con:
            if not con.execute("SELECT 1 FROM pg_database WHERE datname = 'liso'").fetchone():
                con.execute("CREATE DATABASE liso")
        return True

    _wait(accepts, proc, "postgres", 60)
    # SIGINT: PostgreSQL's fast shutdown (rolls back open transactions, then stops)
    pid_file = data / "postmaster.pid"
    service = Service("postgres", proc, f"{base}/liso", folder, pid_file, signal.SIGINT)
    service.remove_folder = own_folder
    return service


# --- Chroma -----------------------------------------------------------------------------


def chroma_cli() -> str | None:
    """The chroma CLI of the project's venv, else the one on PATH."""
    for candidate in (ROOT / ".venv" / "bin" / "chroma", Path(sys.executable).parent / "chroma"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("chroma")


def start_chroma(folder: Path) -> Service:
    cli = chroma_cli()
    if cli is None:
        raise Missing("the chroma CLI is not installed (pip install chromadb)")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [cli, "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=_log(folder, "chroma"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait(
        lambda: httpx.get(f"{url}/api/v2/heartbeat", timeout=2).status_code == 200,
        proc,
        "chroma",
        60,
    )
    return Service("chroma", proc, url, folder)


# --- the app ----------------------------------------------------------------------------


def app_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an app process: offline, quiet, this checkout first on the path."""
    return {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "OMP_WAIT_POLICY": "passive",
        "TOKENIZERS_PARALLELISM": "false",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "PYTHONPATH": str(ROOT),
        **(extra or {}),
    }


def start_app(
    folder: Path,
    env: Mapping[str, str] | None = None,
    *,
    workers: int = 1,
    wait_ready: bool = True,
    timeout: float = 300,
) -> Service:
    """`uvicorn app.api:create_app` with `workers` processes on one port; with
    `wait_ready`, returns once every worker has answered /readyz."""
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "app.api:create_app", "--factory"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    cmd += ["--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=app_env(env), stdout=_log(folder, "app"), stderr=subprocess.STDOUT
    )
    service = Service("app", proc, f"http://127.0.0.1:{port}", folder)
    if wait_ready:
        try:
            ready_workers(service.url, workers, timeout=timeout, proc=proc)
        except BaseException:
            service.stop()
            raise
    return service


def ready_workers(
    url: str, workers: int, *, timeout: float = 300, proc: subprocess.Popen[bytes] | None = None
) -> dict[int, dict[str, object]]:
    """Ask /readyz on fresh connections until `workers` different processes said ready;
    returns their answers by process id."""
    seen: dict[int, dict[str, object]] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < workers:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(seen)} of {workers} workers ready after {timeout:.0f} s")
        with contextlib.suppress(httpx.HTTPError):
            resp = httpx.get(f"{url}/readyz", timeout=30)
            if resp.status_code == 200:
                body = resp.json()
                seen[int(body["worker"])] = body
                continue
        time.sleep(0.2)
    return seen


def worker_pids(service: Service) -> list[int]:
    """The worker processes of a uvicorn started with --workers > 1 (else itself)."""
    children = Path(f"/proc/{service.proc.pid}/task/{service.proc.pid}/children")
    with contextlib.suppress(OSError):
        pids = [int(p) for p in children.read_text().split()]
        # the multiprocessing helper (resource tracker) is a child too: keep uvicorn's
        return [p for p in pids if "uvicorn" in _cmdline(p) or "multiprocessing" in _cmdline(p)]
    return [service.proc.pid]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    """Resident memory of a process (this one by default): total, peak, anonymous and
    file-backed (MB)."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out
