"""Logging, configured once per `veileder` command at the level that command needs.

`serve` logs at INFO (requests refused, sync summaries, dropped Slack retries); every other
command at WARNING, so its own output stays readable. `VEILEDER_LOG_FORMAT=json` writes one JSON
object per line (`time`, `level`, `logger`, `message`, and `exc_info` with a traceback) for an
operator's log stack; the default is one text line per record.
"""
from __future__ import annotations

import logging
import sys

COMMAND_LEVELS = {"serve": logging.INFO}
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# bm25s logs every index build at DEBUG/INFO; the Agents SDK logs every reply it sends to Teams at
# INFO (several lines per answer), and its user-token client warns twice per turn when anonymous.
QUIET_LOGGERS = ("bm25s", "microsoft_agents")


def level_for(command: str | None) -> int:
    return COMMAND_LEVELS.get(command or "", logging.WARNING)


def configure_logging(level: int, log_format: str = "text") -> None:
    """Replace the root logger's handlers with one on stderr, at `level`, as text or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler.setFormatter(JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
        ))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
