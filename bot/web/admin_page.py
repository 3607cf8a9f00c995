"""The admin page at `/admin`: is the index sound, did the sync run, what do staff ask, is crisis mode on.

One server-rendered HTML page (no scripts, no external assets, everything escaped) and the same
facts as JSON at `/admin/status.json`, both behind `settings.admin_token`. The token is accepted as
`Authorization: Bearer …`, or once as `?token=…`, which is swapped for an HttpOnly, SameSite=Strict
cookie and a redirect so the token doesn't stay in the address bar or the history. The cookie holds
an HMAC of the token, not the token: changing the token logs everyone out. Without a configured
token the page doesn't exist (404).
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from html import escape
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.admin.sync.runner import SyncStateUnreadable, public_state
from bot.admin.report import Report, ReportError, build_report, hours_text, municipalities_asking, short
from bot.texts import DEFAULT_LANGUAGE, phrase

if TYPE_CHECKING:
    from bot.services import BotServices
    from index.store import StoredIndex

ADMIN_PATH = "/admin"
STATUS_PATH = "/admin/status.json"
COOKIE = "veileder_admin"
COOKIE_MAX_AGE = 12 * 60 * 60
REPORT_DAYS = 30

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the one-time ?token= must not leak in a Referer
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def mount_admin(app: web.Application, services: BotServices) -> None:
    """Add `GET /admin` and `GET /admin/status.json` (both answer 404 while no admin token is configured)."""

    async def admin_page(request: web.Request) -> web.StreamResponse:
        status = await _status(request, services)
        if isinstance(status, web.StreamResponse):
            return status
        return _page(200, _t("page_title"), render_status(status))

    async def status_json(request: web.Request) -> web.StreamResponse:
        status = await _status(request, services)
        if isinstance(status, web.StreamResponse):
            return status
        return web.json_response(status.to_dict(), headers=_HEADERS, dumps=lambda d: json.dumps(d, ensure_ascii=False))

    app.router.add_get(ADMIN_PATH, admin_page)
    app.router.add_get(STATUS_PATH, status_json)


# -- who may see it ------------------------------------------------------------------------------


def _cookie_value(token: str) -> str:
    return hmac.new(token.encode(), b"veileder admin page", hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    # aiohttp keeps a header's undecodable bytes as lone surrogates; they simply don't match.
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


def is_authorized(request: web.Request, token: str) -> bool:
    """A bearer token or the cookie set after a `?token=` login."""
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() == "bearer" and given.strip() and _same(given.strip(), token):
        return True
    cookie = request.cookies.get(COOKIE)
    return bool(cookie) and _same(cookie, _cookie_value(token))


def _gate(request: web.Request, token: str | None) -> web.StreamResponse | None:
    """The response that stops the request (disabled, login redirect, 401), or None to go on."""
    if not token:
        return _page(404, _t("disabled_title"), f"<p>{_t('disabled_body', variable='<code>VEILEDER_ADMIN_TOKEN</code>')}</p>")
    given = request.query.get("token")
    if given is not None and request.path == ADMIN_PATH:
        if not _same(given, token):
            return _unauthorized()
        rest = {k: v for k, v in request.query.items() if k != "token"}
        response = web.Response(status=303, headers={**_HEADERS, "Location": str(request.rel_url.with_query(rest))})
        response.set_cookie(
            COOKIE, _cookie_value(token), path=ADMIN_PATH, max_age=COOKIE_MAX_AGE,
            httponly=True, samesite="Strict", secure=request.secure,
        )
        return response
    if not is_authorized(request, token):
        return _unauthorized()
    return None


def _unauthorized() -> web.Response:
    response = _page(
        401,
        _t("unauthorized_title"),
        f"<p>{_t('unauthorized_body', url='<code>/admin?token=…</code>', header='<code>Authorization: Bearer …</code>')}</p>",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="veileder-admin"'
    return response


# -- what it shows -------------------------------------------------------------------------------


@dataclass
class AdminStatus:
    """Everything on the page; `to_dict()` is /admin/status.json."""

    generated_at: datetime
    municipality: str | None
    since: date
    municipalities: dict[str, str]  # key → name, for the filter
    index: dict[str, Any] | None = None
    index_error: str | None = None
    sync: dict[str, Any] | None = None  # None: no sync configured
    sync_error: str | None = None
    report: Report | None = None
    report_error: str | None = None
    crisis: dict[str, dict] = field(default_factory=dict)
    sync_runs: list[dict[str, Any]] = field(default_factory=list)  # newest first, every replica's

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(),
            "index": self.index if self.index is not None else {"error": self.index_error},
            "sync": {"error": self.sync_error} if self.sync_error else self.sync,
            "report": self.report.to_dict() if self.report else {"error": self.report_error},
            "crisis": self.crisis,
            "sync_runs": [
                {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in run.items() if k != "summary"} for run in self.sync_runs
            ],
        }


def index_status(stored: StoredIndex) -> dict[str, Any]:
    """The serving index, summed up per municipality."""
    manifest = stored.manifest
    names = {key: m.name for key, m in stored.municipalities.items()}
    per: dict[str, dict[str, Any]] = {}
    documents = []
    for doc_id, doc in sorted(stored.documents.items()):
        key = doc.municipality or "?"
        row = per.setdefault(key, {"key": key, "name": names.get(key, key), "documents": 0, "superseded": 0, "passages": 0, "rules": 0})
        row["documents"] += 1
        row["superseded"] += 1 if doc.superseded_by else 0
        row["passages"] += doc.passages
        row["rules"] += doc.rules
        documents.append({
            "id": doc_id, "municipality": doc.municipality, "title": doc.title, "period": doc.period,
            "superseded_by": doc.superseded_by, "passages": doc.passages, "rules": doc.rules,
        })
    counts = manifest.get("counts") or {}
    return {
        "generation": stored.generation,
        "model": manifest.get("model"),
        "built_at": manifest.get("built_at"),
        "documents": counts.get("documents", len(documents)),
        "passages": counts.get("passages"),
        "rules": counts.get("rules"),
        "municipalities": sorted(per.values(), key=lambda r: r["name"]),
        "document_list": documents,
        "skipped": manifest.get("skipped") or [],
    }


def read_sync_state(services: BotServices) -> tuple[dict[str, Any] | None, str | None]:
    """The sync's public state from the shared state store: (state, None), (None, None) when no sync
    has run, or (None, why unreadable)."""
    try:
        return public_state(services.settings, services.database), None
    except SyncStateUnreadable as exc:
        return None, str(exc)


RECENT_RUNS = 10


def collect_status(services: BotServices, municipality: str | None, since: date) -> AdminStatus:
    """Read everything the page shows (blocking: index, files and database)."""
    status = AdminStatus(datetime.now(timezone.utc), municipality, since, {})
    try:
        if services.engine is None:
            raise RuntimeError(services.startup_error or "the model is still loading")
        stored = services.engine.retriever().stored
        status.index = index_status(stored)
        status.municipalities.update((row["key"], row["name"]) for row in status.index["municipalities"])
    except Exception as exc:  # the page must show what is wrong, whatever it is
        status.index_error = str(exc) or type(exc).__name__
    status.sync, status.sync_error = read_sync_state(services)
    if not status.sync_error:
        from bot.admin.sync.state import SyncStateStore

        status.sync_runs = SyncStateStore(services.database).runs(RECENT_RUNS)
    try:
        status.report = build_report(services.log, municipality, since)
        for key in municipalities_asking(services.log):
            status.municipalities.setdefault(key, key)
    except ReportError as exc:
        status.report_error = str(exc)
    status.crisis = services.crisis.status()
    return status


# -- the handlers --------------------------------------------------------------------------------


def _query(request: web.Request) -> tuple[str | None, date] | web.Response:
    municipality = request.query.get("municipality") or None
    raw = request.query.get("since")
    if not raw:
        return municipality, datetime.now(timezone.utc).date() - timedelta(days=REPORT_DAYS)
    try:
        return municipality, date.fromisoformat(raw)
    except ValueError:
        return _page(400, _t("bad_date_title"), f"<p>{_t('bad_date_body', value=escape(raw))}</p><p><a href=\"{ADMIN_PATH}\">{_t('back')}</a></p>")


async def _status(request: web.Request, services: BotServices) -> AdminStatus | web.StreamResponse:
    """What the page shows, or the response that stops the request (disabled, login, 401, bad date)."""
    stop = _gate(request, services.settings.admin_token)
    if stop is not None:
        return stop
    query = _query(request)
    if isinstance(query, web.Response):
        return query
    return await asyncio.get_running_loop().run_in_executor(None, collect_status, services, *query)


# -- HTML ----------------------------------------------------------------------------------------

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d2733;background:#f4f6f8;line-height:1.45}
header{background:#12395b;color:#fff;padding:1rem 2rem}header h1{margin:0;font-size:1.5rem}header p{margin:.2rem 0 0;opacity:.85}
nav{padding:.5rem 2rem;background:#fff;border-bottom:1px solid #d6dde4}nav a{margin-right:1.2rem;color:#12395b}
main{padding:1rem 2rem 3rem;max-width:80rem}
section{background:#fff;border:1px solid #d6dde4;border-radius:6px;padding:1rem 1.4rem;margin:1rem 0}
h2{margin:.2rem 0 .8rem;font-size:1.25rem;color:#12395b}h3{font-size:1.02rem;margin:1.2rem 0 .4rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0 .6rem;font-size:.93rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #e3e8ed;vertical-align:top}th{background:#eef2f6}
td.n,th.n{text-align:right;white-space:nowrap;width:1%}
.facts{display:flex;flex-wrap:wrap;gap:.6rem;margin:0 0 .8rem;padding:0}
.facts div{background:#eef2f6;border-radius:4px;padding:.4rem .8rem;min-width:7rem}.facts dt{font-size:.8rem;color:#4a5a6a}.facts dd{margin:0;font-weight:600}
.ok{color:#1f6f3a;font-weight:600}.bad{color:#a32020;font-weight:600}.muted{color:#5d6b78}
.alert{background:#fdecea;border:1px solid #e8b4ae;border-radius:4px;padding:.5rem .8rem}
form{margin:0 0 1rem}label{margin-right:1rem}select,input,button{font:inherit;padding:.2rem .4rem}
code{background:#eef2f6;padding:0 .2rem;border-radius:3px}summary{cursor:pointer;color:#12395b}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _t(key: str, **values: object) -> str:
    """The admin page's text for `key` (bot.texts, `admin_` keys), in bokmål: the page has one language."""
    return phrase(f"admin_{key}", DEFAULT_LANGUAGE, **values)


def _ts(*keys: str) -> list[str]:
    """Table headers, one text per key."""
    return [_t(key) for key in keys]


def _page(status: int, title: str, body: str) -> web.Response:
    html = (
        f'<!doctype html><html lang="nb"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{_e(title)}</h1></header><main>{body}</main></body></html>"
    )
    return web.Response(status=status, text=html, content_type="text/html", charset="utf-8", headers=_HEADERS)


@dataclass(frozen=True)
class _Styled:
    """A table cell with a CSS class (ok / bad)."""

    value: Any
    css: str


def _td(cell: Any, numeric: bool) -> str:
    css = ["n"] if numeric else []
    if isinstance(cell, _Styled):
        css.append(cell.css)
        cell = cell.value
    attribute = f' class="{" ".join(css)}"' if css else ""
    return f"<td{attribute}>{_e(cell)}</td>"


def _table(headers: list[str], rows: list[list[Any]], numeric: frozenset[int] | set[int] = frozenset(), empty: str | None = None) -> str:
    if not rows:
        empty = _t("none") if empty is None else empty
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f'<th{" class=n" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(_td(cell, i in numeric) for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _facts(items: list[tuple[str, Any]]) -> str:
    return '<dl class="facts">' + "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in items) + "</dl>"


def _when(value: datetime | str | None) -> str:
    """A moment as "2026-11-22 04:28 UTC"; a text that isn't an ISO time is shown as it is."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_status(status: AdminStatus) -> str:
    """The page body: index, sync, report, crisis mode."""
    nav = "<nav>" + "".join(
        f'<a href="#{anchor}">{_t(key)}</a>'
        for anchor, key in (("indeks", "nav_index"), ("synk", "nav_sync"), ("rapport", "nav_report"), ("saker", "nav_cases"), ("krise", "nav_crisis"))
    ) + "</nav>"
    return (
        f'<p class="muted">{_t("updated", when=_e(_when(status.generated_at)))}</p>{nav}'
        + _index_section(status)
        + _sync_section(status)
        + _report_section(status)
        + _crisis_section(status)
    )


def _index_section(status: AdminStatus) -> str:
    if status.index is None:
        return f'<section id="indeks"><h2>{_t("nav_index")}</h2><p class="alert">{_t("index_unreadable", error=_e(status.index_error))}</p></section>'
    index = status.index
    facts = _facts(
        [
            (_t("documents"), index["documents"]),
            (_t("passages"), index["passages"]),
            (_t("rules"), index["rules"]),
            (_t("model"), index["model"]),
            (_t("built"), _when(index["built_at"])),
            (_t("generation"), index["generation"]),
        ]
    )
    per = _table(
        _ts("municipality", "documents", "superseded", "passages", "rules"),
        [[m["name"], m["documents"], m["superseded"], m["passages"], m["rules"]] for m in index["municipalities"]],
        numeric={1, 2, 3, 4},
    )
    docs = _table(
        _ts("municipality", "title", "period", "superseded_by", "passages", "rules"),
        [[d["municipality"], d["title"], d["period"], d["superseded_by"] or "", d["passages"], d["rules"]] for d in index["document_list"]],
        numeric={4, 5},
    )
    skipped = ""
    if index["skipped"]:
        skipped = f"<h3>{_t('skipped_files')}</h3>" + _table(_ts("file", "reason"), [[s.get("path"), s.get("reason")] for s in index["skipped"]])
    return f'<section id="indeks"><h2>{_t("nav_index")}</h2>{facts}{per}<details><summary>{_t("all_documents")}</summary>{docs}</details>{skipped}</section>'


def _runs_table(status: AdminStatus) -> str:
    """The latest syncs and reindexes, on any replica: which one ran it, and what came of it."""
    if not status.sync_runs:
        return ""
    rows = []
    for run in status.sync_runs:
        if run.get("finished_at") is None:
            state = _Styled(_t("running"), "muted")
        else:
            state = _Styled(_t("ok"), "ok") if run.get("ok") else _Styled(_t("failed"), "bad")
        rows.append([_when(run.get("started_at")), run.get("holder") or "", state, run.get("generation") or "", run.get("error") or ""])
    return f"<h3>{_t('latest_runs')}</h3>" + _table(_ts("started", "replica", "status", "index_generation", "error"), rows)


def _sync_section(status: AdminStatus) -> str:
    title = f"<h2>{_t('nav_sync')}</h2>"
    if status.sync_error:
        return f'<section id="synk">{title}<p class="alert">{_e(status.sync_error)}</p></section>'
    if not status.sync:
        return f'<section id="synk">{title}<p class="muted">{_t("no_sync")}</p>{_runs_table(status)}</section>'
    rows, details = [], []
    for source, run in sorted(status.sync.items()):
        run = run if isinstance(run, dict) else {}
        summary = run.get("summary") if isinstance(run.get("summary"), dict) else {}
        skipped = summary.get("skipped") if isinstance(summary.get("skipped"), list) else []
        ok = run.get("ok")
        state = _Styled(_t("ok"), "ok") if ok else (_Styled(_t("failed"), "bad") if ok is False else "?")
        municipality = run.get("municipality")
        rows.append([source, status.municipalities.get(municipality, municipality or ""), _when(run.get("last_run")), state,
                     summary.get("added", 0), summary.get("changed", 0), summary.get("removed", 0), len(skipped)])
        if run.get("error"):
            details.append(f'<p class="alert"><strong>{_e(source)}:</strong> {_e(run.get("error"))}</p>')
        if skipped:
            items = [[s.get("path"), s.get("reason")] if isinstance(s, dict) else [s, ""] for s in skipped]
            details.append(f"<h3>{_t('skipped_in', source=_e(source))}</h3>" + _table(_ts("file", "reason"), items))
    table = _table(_ts("source", "municipality", "last_run", "status", "added", "changed", "removed", "skipped"), rows, numeric={4, 5, 6, 7})
    return f'<section id="synk">{title}{table}{"".join(details)}{_runs_table(status)}</section>'


def _report_section(status: AdminStatus) -> str:
    options = f'<option value="">{_t("all_municipalities")}</option>' + "".join(
        f'<option value="{_e(key)}"{" selected" if key == status.municipality else ""}>{_e(name)}</option>'
        for key, name in sorted(status.municipalities.items(), key=lambda kv: kv[1])
    )
    form = (
        f'<form method="get" action="{ADMIN_PATH}#rapport"><label>{_t("municipality")} <select name="municipality">{options}</select></label>'
        f'<label>{_t("from_date")} <input type="date" name="since" value="{_e(status.since.isoformat())}"></label>'
        f"<button type=\"submit\">{_t('show')}</button></form>"
    )
    head = f'<section id="rapport"><h2>{_t("nav_report")}</h2>{form}'
    if status.report is None:
        return f'{head}<p class="alert">{_e(status.report_error)}</p></section>'
    r = status.report
    t = r.totals
    facts = _facts(
        [(_t("questions"), t.questions), (_t("answered"), t.answered), (_t("refused"), t.refused), (_t("helpful"), t.helpful), (_t("not_helpful"), t.not_helpful)]
    )
    parts = [
        head,
        facts,
        f"<h3>{_t('top_rules')}</h3>",
        _table(_ts("count", "section", "rule"), [[x.count, x.section, short(x.rule_text, 220)] for x in r.rules], {0}, _t("none_yet")),
        f"<h3>{_t('top_sections')}</h3>",
        _table(_ts("count", "municipality", "section"), [[x.count, status.municipalities.get(x.municipality or "", x.municipality), x.section] for x in r.sections], {0}, _t("none_yet")),
        f"<h3>{_t('top_questions')}</h3>",
        _table(_ts("count", "question"), [[x.count, x.question] for x in r.questions], {0}, _t("none_yet")),
        f"<h3>{_t('unanswered')}</h3>",
        _table(_ts("last_asked", "count", "question"), [[_when(x.last_asked), x.count, x.question] for x in r.unanswered], {1}, _t("none")),
        f"<h3>{_t('marked_not_helpful')}</h3>",
        _table(_ts("count", "question", "rule_given"), [[x.count, x.question, short(x.rule_text, 220) or _t("no_rule")] for x in r.not_helpful], {0}, _t("none")),
        "</section>",
        _cases_section(status),
    ]
    return "".join(parts)


def _cases_section(status: AdminStatus) -> str:
    """Questions that reached the communications advisers: open and answered cases, with times."""
    assert status.report is not None
    c = status.report.cases
    facts = _facts([(_t("open_cases"), len(c.open)), (_t("answered"), len(c.answered)), (_t("median_reply"), hours_text(c.median_hours_to_reply))])
    place = lambda key: status.municipalities.get(key or "", key or "")  # noqa: E731
    return "".join([
        f'<section id="saker"><h2>{_t("cases_title")}</h2>',
        facts,
        f"<h3>{_t('open_cases')}</h3>",
        _table(
            _ts("opened", "ref", "municipality", "question", "status"),
            [[_when(x.created_at), x.reference, place(x.municipality), x.question,
              _Styled(_t("claimed_by", name=x.claimed_by_name), "ok") if x.claimed_by_name else _Styled(_t("unclaimed"), "bad")] for x in c.open],
            empty=_t("no_open_cases"),
        ),
        f"<h3>{_t('answered_cases')}</h3>",
        _table(
            _ts("answered", "time_to_reply", "municipality", "question", "answered_by", "helpful"),
            [[_when(x.replied_at), hours_text(x.hours_to_reply()), place(x.municipality), x.question, x.replied_by_name, _t("yes") if x.helpful else ""] for x in c.answered],
            {1},
            _t("none_yet"),
        ),
        f"<h3>{_t('case_topics')}</h3>",
        _table(_ts("count", "topic_section"), [[n, topic] for topic, n in c.topics], {0}, _t("none_yet")),
        "</section>",
    ])


def _crisis_section(status: AdminStatus) -> str:
    keys = sorted(set(status.municipalities) | set(status.crisis), key=lambda k: status.municipalities.get(k, k))
    rows = []
    for key in keys:
        state = status.crisis.get(key) or {}
        on = bool(state.get("on"))
        rows.append(
            [
                status.municipalities.get(key, key),
                _Styled(_t("crisis_mode"), "bad") if on else _Styled(_t("normal"), "ok"),
                _when(state.get("since") if on else state.get("off_since")),
                state.get("by") if on else state.get("off_by", ""),
                state.get("message", "") if on else "",
                state.get("spokesperson", "") if on else "",
            ]
        )
    table = _table(_ts("municipality", "status", "since", "by", "message", "spokesperson"), rows, empty=_t("no_municipalities"))
    return f'<section id="krise"><h2>{_t("nav_crisis")}</h2>{table}</section>'
