"""Commands for the app: `serve`, `feedback export` and `feedback migrate` (registered
in `assistant.cli`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="De app: API, chat en widget.", no_args_is_help=True)
feedback_app = typer.Typer(help="Feedback op antwoorden.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="default: settings.host")] = None,
    port: Annotated[int | None, typer.Option(help="default: settings.port")] = None,
    workers: Annotated[int | None, typer.Option(help="default: settings.workers")] = None,
) -> None:
    """Start the API, the chat (/chat) and the widget on one port, with
    ASSISTANT_WORKERS worker processes (each warms up before it reports ready)."""
    import os

    from app.readiness import limit_malloc_arenas
    from assistant.config import get_settings

    s = get_settings()
    # before any thread starts (here and, through the environment, in each worker)
    limit_malloc_arenas(s.malloc_arenas)
    if s.malloc_arenas > 0:
        os.environ.setdefault("MALLOC_ARENA_MAX", str(s.malloc_arenas))
    import uvicorn

    host, port, workers = host or s.host, port or s.port, workers or s.workers
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    typer.echo(f"Chat:          {base}/chat/")
    typer.echo(f"API-docs:      {base}/docs")
    typer.echo(f"Widget-demo:   {base}/static/demo.html")
    typer.echo(f"OpenAI-API:    {base}/v1")
    typer.echo(f"Gereed:        {base}/readyz ({workers} worker(s))")
    # every worker builds its own app from the same environment
    uvicorn.run(
        "app.api:create_app", factory=True, host=host, port=port, workers=workers, log_level="info"
    )


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write")] = Path(
        "feedback.jsonl"
    ),
) -> None:
    """Write all stored feedback as JSON lines."""
    from app.feedback import export_jsonl, open_feedback_store
    from assistant.config import get_settings

    s = get_settings()
    n = export_jsonl(open_feedback_store(s.database_url, s.feedback_db), out)
    typer.echo(f"{n} feedback-regels → {out}")


@feedback_app.command("migrate")
def feedback_migrate() -> None:
    """Create or update the feedback table (SQLite, or PostgreSQL with
    ASSISTANT_DATABASE_URL); the app does this at start too."""
    from app.feedback import open_feedback_store
    from assistant.config import get_settings

    s = get_settings()
    store = open_feedback_store(s.database_url, s.feedback_db)
    applied = store.migrate()
    done = ", ".join(map(str, applied)) if applied else "none (up to date)"
    typer.echo(f"{store.where}: migrations applied: {done}")
