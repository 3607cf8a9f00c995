"""Requests whose headers or body aren't text they claim to be are the client's error (400), never ours (500).

aiohttp keeps undecodable header bytes as lone surrogates and raises `UnicodeDecodeError` when a
handler (ours, Slack Bolt's, the Agents SDK's) reads a body that isn't UTF-8; left alone, either
ends as a 500 with a traceback in the log. This middleware answers 400 with one log line instead.
"""
from __future__ import annotations

import json
import logging

from aiohttp import web

log = logging.getLogger(__name__)


@web.middleware
async def undecodable_input(request: web.Request, handler) -> web.StreamResponse:
    """400 for a request whose header or body can't be decoded (or a JSON body that isn't JSON)."""
    try:
        return await handler(request)
    except (UnicodeError, json.JSONDecodeError) as exc:
        log.warning("refused %s %s from %s: undecodable request (%s)", request.method, request.path, request.remote, type(exc).__name__)
        return web.json_response({"error": "The request's headers or body could not be decoded (expected UTF-8 JSON or form data)."}, status=400)
