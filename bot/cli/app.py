"""The `veileder` command line: ask, index, chat, and the admin commands.

Every command reads its defaults from the settings (environment or `.env`, prefix `VEILEDER_`);
bad input ends in one friendly line on stderr and exit code 2, never a traceback.
"""
from __future__ import annotations

import contextlib
import getpass
import json
import os
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from bot.cli.building import build, load_embedder_for
from bot.cli.common import app, command_settings, err, fail, out
from bot.settings import Settings
from bot.texts import DEFAULT_LANGUAGE, phrase
from knowledge.errors import VeilederError

def _loading_message(settings: Settings) -> str:
    """What the spinner says while the model loads; the first run converts the bundled model."""
    from index.embedder import DEFAULT_MODEL

    models = settings.data_dir / "models"
    if settings.model == DEFAULT_MODEL and not (models.is_dir() and any(models.iterdir())):
        return "Converting the bundled embedding model (once, about a minute)…"
    return "Loading the embedding model…"


def _engine(settings: Settings, quiet: bool = False, database=None):
    """The answer engine for a command. A missing index is built once, with a line that says so and
    a progress bar (a newcomer's first `veileder ask` just works); a corrupt one is an error that
    says how to rebuild it (see README, "Bad input")."""
    from bot.answering.engine import AnswerEngine
    from bot.admin.crisis import CrisisStore
    from bot.store.setup import open_store

    def build_first(engine: AnswerEngine) -> None:
        if not quiet:
            err.print(f"No index in {engine.index_dir} yet: building the index (once)…", highlight=False, soft_wrap=True)
        report, _ = build(settings, quiet=quiet, embedder=engine.embedder)
        if not quiet:
            err.print(f"Index built in {report.seconds:.0f} s: {report.documents} documents, {report.passages} passages, {report.rules} rules.", highlight=False)

    crisis = CrisisStore(database if database is not None else open_store(settings))
    with err.status(_loading_message(settings)) if not quiet else contextlib.nullcontext():
        embedder = load_embedder_for(settings)
    return AnswerEngine(settings, embedder=embedder, crisis=crisis, on_missing_index=build_first)


@app.command()
def ask(
    question: Optional[str] = typer.Argument(None, help="The question, e.g. 'Kan jeg uttale meg til pressen?'"),
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m", help="Municipality key: baerum, asker, ostre-toten, modum …"),
    role: Optional[str] = typer.Option(None, "--role", "-r", help="Your role: employee, leader, unit_leader, department_head, chief_executive, mayor, elected, union_rep, comms"),
    index: Optional[Path] = typer.Option(None, "--index", help="Index folder (default: VEILEDER_INDEX_DIR)"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (one per line with --batch)"),
    batch: Optional[Path] = typer.Option(None, "--batch", help="A JSONL file of questions (id, question, municipality, role)"),
) -> None:
    """Ask a question and get the matching rule, the verdict for your role and the passages found."""
    from bot.cli.render import render_answer

    settings = command_settings(index=index)
    if batch is None and question is None:
        fail("give a question, e.g. veileder ask \"Kan jeg uttale meg til pressen?\", or --batch FILE")
    try:
        engine = _engine(settings, quiet=as_json)
        if batch is not None:
            _ask_batch(engine, batch)
            return
        answer = engine.ask(question or "", municipality=municipality, role=role)
        _record(_open_log(settings), answer)
    except VeilederError as exc:
        fail(str(exc))
        return
    if as_json:
        sys.stdout.write(json_line(answer.to_dict()))
    else:
        render_answer(out, answer)


def _ask_batch(engine, path: Path) -> None:
    """One JSON line out per line in, in order; a line that can't be answered gets its error, the rest go on."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines(): U+2028 may sit inside a JSON string
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"can't read {path}: {getattr(exc, 'strerror', None) or exc}")
        return
    engine.warm_up()  # load model, index, language detector and word maps before timing
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        started = time.perf_counter()
        item: dict = {}
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question", ""), str):
                raise ValueError("expected an object with a text 'question'")
            answer = engine.ask(item.get("question") or "", municipality=item.get("municipality"), role=item.get("role"))
            result = answer.to_dict()
        except VeilederError as exc:
            result = {"question": item.get("question"), "answered": False, "error": str(exc), "rule": None, "passages": []}
        except ValueError as exc:  # not JSON, or not a question object
            result = {"question": None, "answered": False, "error": f"{path}:{number}: {exc}", "rule": None, "passages": []}
        except Exception as exc:  # noqa: BLE001 - one line's failure never costs the lines after it
            logging.getLogger(__name__).exception("%s:%d could not be answered", path, number)
            result = {"question": item.get("question"), "answered": False, "rule": None, "passages": [],
                      "error": f"{path}:{number}: could not be answered ({type(exc).__name__})"}
        result = {"id": item.get("id") if isinstance(item, dict) else None, **result}
        result["timing_ms"] = round((time.perf_counter() - started) * 1000, 2)
        sys.stdout.write(json_line(result))
        sys.stdout.flush()


def json_line(value) -> str:
    """One JSON line that every reader splits the same way: U+2028/U+2029 escaped (Python's
    `splitlines()` breaks on them) and lone surrogates written as `\\udXXX` escapes, not as invalid UTF-8."""
    text = json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n"


def _open_log(settings: Settings):
    """The question log for this command, or None (with a warning) when it can't be opened."""
    from bot.admin.question_log import QuestionLog

    try:
        return QuestionLog.open(settings)
    except Exception as exc:  # noqa: BLE001 - the log must never cost the asker the answer
        logging.getLogger(__name__).warning("question log not available, questions are not stored: %s", exc)
        return None


def _record(question_log, answer) -> None:
    """Questions asked on the command line are part of what staff ask, like those in Slack and Teams."""
    if question_log is None:
        return
    try:
        question_log.record_question("cli", getpass.getuser(), answer)
    except Exception as exc:  # noqa: BLE001 - the log must never cost the asker the answer
        logging.getLogger(__name__).warning("question not stored: %s", exc)


@app.command("index")
def index_command(
    documents: Optional[Path] = typer.Option(None, "--documents", help="Documents folder (default: VEILEDER_DOCUMENTS_DIR or the bundled documents)"),
    index: Optional[Path] = typer.Option(None, "--index", help="Index folder (default: VEILEDER_INDEX_DIR)"),
) -> None:
    """Build or update the index; unchanged documents are not embedded again."""
    from bot.cli.render import render_build_report

    settings = command_settings(index=index, documents=documents)
    try:
        report, _ = build(settings)
    except VeilederError as exc:
        fail(str(exc))
        return
    render_build_report(out, report, settings.resolved_index_dir())


@app.command()
def sync(
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m", help="Only this municipality's sources (default: all)"),
) -> None:
    """Pull changed documents from SharePoint / OneDrive and update the index; the index in use is replaced only when all went well."""
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.admin.sync.runner import run_sync

    settings = command_settings()
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True,
    ) as progress:
        task = progress.add_task("Syncing", total=None)
        try:
            summary = run_sync(
                settings, municipality, lambda what, done, total: progress.update(task, description=escape(what), completed=done, total=total)
            )
        except VeilederError as exc:
            fail(str(exc))
            return
    out.print(escape(summary.text()), highlight=False, soft_wrap=True)
    if not summary.ok:
        fail(summary.error or "sync failed")


@app.command()
def chat(
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m"),
    role: Optional[str] = typer.Option(None, "--role", "-r"),
    index: Optional[Path] = typer.Option(None, "--index"),
) -> None:
    """An interactive session in the terminal: type questions, get answers; an empty line or Ctrl-D ends it."""
    from bot.admin.cases import CaseStore
    from bot.cli.advisers import ChatAdvisers
    from bot.cli.render import render_answer

    settings = command_settings(index=index)
    try:
        engine = _engine(settings)
        engine.validate(municipality, role)
    except VeilederError as exc:
        fail(str(exc))
        return
    # The language detector and word maps (~2 s) load while the asker types the first question.
    warming = threading.Thread(target=_warm_up_quietly, args=(engine,), name="veileder-warm-up", daemon=True)
    warming.start()
    question_log = _open_log(settings)  # once for the session
    advisers = ChatAdvisers(settings, CaseStore(question_log) if question_log is not None else None)
    out.print("[bold]Veileder[/] – " + escape(phrase("chat_greeting", DEFAULT_LANGUAGE)))
    while True:
        advisers.show_replies(out)
        try:
            question = out.input("[bold cyan]? [/]")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if not question.strip():
            return
        if advisers.wants(question):
            advisers.ask(out, question)
            continue
        warming.join()  # never two threads loading the same detector
        try:
            answer = engine.ask(question, municipality=municipality, role=role)
        except VeilederError as exc:
            err.print(str(exc), style="yellow", markup=False, highlight=False)
            continue
        _record(question_log, answer)
        render_answer(out, answer)
        advisers.offer(out, answer)


def _warm_up_quietly(engine) -> None:
    """`engine.warm_up()` for a background thread: a failure here shows at the first question instead,
    where `engine.ask` meets it again and says what is wrong."""
    try:
        engine.warm_up()
    except Exception:  # noqa: BLE001 - reported by the question that needs it
        logging.getLogger(__name__).debug("warm-up failed; the first question will say why", exc_info=True)


@app.command()
def serve(
    host: Optional[str] = typer.Option(None, "--host", help="Address to listen on (default: VEILEDER_HOST, 127.0.0.1)"),
    port: Optional[int] = typer.Option(None, "--port", help="Port (default: VEILEDER_PORT, 3978)"),
    index: Optional[Path] = typer.Option(None, "--index"),
) -> None:
    """Run the bot: Slack (/slack/events or Socket Mode), Teams (/api/messages), /healthz, /readyz and /admin."""
    from bot.serve import serve as serve_forever
    from bot.store.setup import open_store

    settings = command_settings(index=index)
    try:
        database = open_store(settings)  # the schema migrations run on start
    except VeilederError as exc:
        fail(str(exc))
        return
    # The server listens at once and loads the model in the background: until then /readyz is 503
    # (a load balancer sends no traffic) and questions that arrive anyway wait for the model.
    # The model leaves a core to the event loops (Settings.serving_threads); reindexing while serving uses the same.
    serving = settings.model_copy(update={"threads": settings.serving_threads()})
    serve_forever(settings, database, lambda db: _engine(serving, quiet=True, database=db), host or settings.host, port or settings.port)


@app.command("report")
def report_command(
    municipality: Optional[str] = typer.Option(None, "--municipality", "-m", help="Only this municipality (default: all)"),
    since: Optional[str] = typer.Option(None, "--since", help="Only questions asked on or after this date, e.g. 2026-01-31 (default: all kept)"),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object"),
    top: int = typer.Option(10, "--top", min=1, help="Rows per list"),
) -> None:
    """What staff ask: most asked topics, questions the documents did not answer, answers marked not helpful."""
    from datetime import date

    from rich.markup import escape
    from sqlalchemy.exc import SQLAlchemyError

    from bot.admin.report import ReportError, build_report, municipalities_asking, render_report
    from bot.admin.question_log import QuestionLog

    try:
        since_date = date.fromisoformat(since) if since else None
    except ValueError:
        fail(f"--since {since!r} is not a date; use YYYY-MM-DD, e.g. --since 2026-01-31")
        return
    settings = command_settings()
    try:
        question_log = QuestionLog.open(settings)
        report = build_report(question_log, municipality, since_date, top=top)
        if municipality and not report.totals.questions and municipality not in (known := municipalities_asking(question_log)):
            note = f"No questions from '{municipality}' in the log; municipalities with questions: {', '.join(known) or 'none yet'}"
            err.print(escape(note), style="yellow", highlight=False, soft_wrap=True)
    except (ReportError, SQLAlchemyError, OSError, ImportError) as exc:
        fail(str(exc).splitlines()[0])
        return
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False) + "\n")
    else:
        render_report(out, report)


import bot.cli.roles  # noqa: E402,F401  registers `roles` and `crisis` on `app`
import bot.cli.db  # noqa: E402,F401  registers `db upgrade` and `db status` on `app`
import bot.cli.advisers  # noqa: E402,F401  registers `notes` on `app`


@app.callback()
def _logging(ctx: typer.Context) -> None:
    """Veileder: answers staff's questions about the municipality's communication rules, from its own strategy documents."""
    from bot.cli.logs import configure_logging, level_for

    try:
        log_format = Settings().log_format
    except Exception:  # noqa: BLE001 - the command itself reports bad settings in its own words
        log_format = "text"
    configure_logging(level_for(ctx.invoked_subcommand), log_format)


def main() -> None:  # pragma: no cover - console entry
    code = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if isinstance(exc.code, str):
            sys.stderr.write(exc.code + "\n")
    # Everything is written and committed by now; tearing down torch's thousands of modules would add
    # ~1.5 s to every command, so the process ends here.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
