"""Card previews for the README: Adaptive Cards rendered by the `adaptivecards` npm package (the
renderer Microsoft publishes for HTML clients) and Slack Block Kit drawn as plain HTML, each
photographed in headless Chromium.

`python -m tests.docs.previews` writes the PNGs under docs/advisers/; the tests render the same
cards into a temporary folder and check what Chromium shows.
"""
from __future__ import annotations

import asyncio
import html
import json
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
NPM_PREFIX = ROOT / "tests" / "docs" / "npm"  # `make browser` installs adaptivecards here
ADAPTIVECARDS_JS = NPM_PREFIX / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
DOCS = ROOT / "docs" / "advisers"

_TEAMS_CSS = """
body{margin:0;padding:16px;background:#f5f5f5;font-family:"Segoe UI","DejaVu Sans",sans-serif;font-size:14px}
#card{max-width:560px;background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2);padding:0}
.ac-pushButton{background:#fff;border:1px solid #c8c6c4;border-radius:4px;padding:6px 12px;margin:4px;font:inherit;color:#242424}
.ac-pushButton.style-positive{background:#5b5fc7;color:#fff;border-color:#5b5fc7}
.ac-input{font:inherit;padding:4px;border:1px solid #c8c6c4;border-radius:4px;width:100%;box-sizing:border-box}
"""


def adaptive_card_page(card: dict[str, Any]) -> str:
    """A page that renders `card` with the adaptivecards library once loaded (id="done" when finished)."""
    script = ADAPTIVECARDS_JS.read_text(encoding="utf-8")
    return (
        "<!doctype html><html><head><meta charset='utf-8'><style>" + _TEAMS_CSS + "</style>"
        f"<script>{script}</script></head><body><div id='card'></div><script>"
        "const card = new AdaptiveCards.AdaptiveCard();"
        "card.hostConfig = new AdaptiveCards.HostConfig({fontFamily: 'Segoe UI, DejaVu Sans, sans-serif'});"
        f"card.parse({json.dumps(card, ensure_ascii=False)});"
        "const el = card.render(); document.getElementById('card').appendChild(el);"
        "const done = document.createElement('div'); done.id = 'done'; document.body.appendChild(done);"
        "</script></body></html>"
    )


def _mrkdwn(text: str) -> str:
    """Enough of Slack's mrkdwn for a preview: *bold*, _italic_, > quotes, `code`, line breaks."""
    import re

    lines = []
    for line in text.split("\n"):
        quoted = line.startswith(">")
        line = html.escape(html.unescape(line.lstrip("> ").rstrip()) if quoted else html.unescape(line))
        line = re.sub(r"\*([^*]+)\*", r"<b>\1</b>", line)
        line = re.sub(r"(?<!\w)_([^_]+)_(?!\w)", r"<i>\1</i>", line)
        line = re.sub(r"`([^`]+)`", r"<code>\1</code>", line)
        line = re.sub(r":([a-z_+0-9-]+):", "•", line)
        lines.append(f"<blockquote>{line}</blockquote>" if quoted else line)
    return "<br>".join(lines)


def slack_blocks_page(blocks: list[dict[str, Any]]) -> str:
    """Block Kit drawn as Slack draws it, roughly: sections, context, buttons, dividers."""
    parts = []
    for block in blocks:
        kind = block.get("type")
        if kind == "section":
            parts.append(f"<div class='section'>{_mrkdwn(block['text']['text'])}</div>")
        elif kind == "context":
            parts.append("<div class='context'>" + " ".join(_mrkdwn(e.get("text", "")) for e in block["elements"]) + "</div>")
        elif kind == "divider":
            parts.append("<hr>")
        elif kind == "actions":
            buttons = "".join(
                f"<button class='{html.escape(e.get('style', ''))}'>{html.escape(e['text']['text'])}</button>" for e in block["elements"]
            )
            parts.append(f"<div class='actions'>{buttons}</div>")
    css = (
        "body{margin:0;padding:16px;background:#fff;font-family:Lato,'DejaVu Sans',sans-serif;font-size:15px;color:#1d1c1d}"
        "#msg{max-width:620px;border-left:4px solid #e8e8e8;padding-left:12px}.section{margin:6px 0}"
        ".context{font-size:12px;color:#616061;margin:4px 0}blockquote{margin:0;border-left:4px solid #ddd;padding-left:8px}"
        "button{font:inherit;font-weight:700;font-size:14px;border:1px solid #bbb;background:#fff;border-radius:4px;padding:4px 12px;margin:4px 6px 0 0}"
        "button.primary{background:#007a5a;color:#fff;border-color:#007a5a}code{background:#f6f6f6;padding:0 3px}"
    )
    return f"<!doctype html><html><head><meta charset='utf-8'><style>{css}</style></head><body><div id='msg'>{''.join(parts)}</div><div id='done'></div></body></html>"


async def photograph(page: str, shot: Path, work: Path, height: int = 900) -> str:
    """Load `page` in headless Chromium: write a PNG to `shot` and return the rendered DOM."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / f"{shot.stem}.html"
    source.write_text(page, encoding="utf-8")
    common = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars",
    ]
    dom = ""
    for extra in ([f"--screenshot={shot}", f"--window-size=680,{height}"], ["--dump-dom"]):
        profile = work / f"profile-{shot.stem}-{len(extra)}"
        process = await asyncio.create_subprocess_exec(
            *common, f"--user-data-dir={profile}", *extra, source.as_uri(),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        if "--dump-dom" in extra:
            dom = out.decode("utf-8", "replace")
    return dom


def example_cards() -> dict[str, tuple[str, Any]]:
    """The cards of one case, as the tests' data makes them: name → ("teams" | "slack", card or blocks)."""
    from datetime import datetime, timedelta, timezone

    from bot.admin.cases import Case
    from bot.slack.advisers import case_blocks, human_reply_blocks
    from bot.teams.advisers import ask_form_card, case_card, human_reply_card

    now = datetime(2026, 11, 30, 9, 15, tzinfo=timezone.utc)
    case = Case(
        id="3f2a9c1e-5b7d-4e21-9a0f-6c8d2e1b4a77", created_at=now, municipality="ostre-toten", platform="teams", state="open",
        language="nb", question="Kan jeg dele bilder fra julebordet på Facebook?", asker_note="Det er bilder av kolleger, ikke brukere.",
        asker_name="Kari Nordmann", asker_role="employee", reply_to={}, question_id=None, answer_kind="passages",
        verdict="Jeg fant ingen regel som svarer direkte på dette – les utdragene under.",
        rule_text=None, rule_source=None, topic="Sosiale medier", case_message=None, claimed_by=None, claimed_by_name=None,
        claimed_at=None, replied_by=None, replied_by_name=None, reply=None, replied_at=None, helpful=None, closed_at=None,
        reminded_at=None, note_id=None,
    )
    claimed = case.__class__(**{**case.__dict__, "state": "claimed", "claimed_by": "x", "claimed_by_name": "Rita Rådgiver", "claimed_at": now})
    answered = claimed.__class__(**{
        **claimed.__dict__, "state": "answered", "replied_by": "x", "replied_by_name": "Rita Rådgiver", "replied_at": now + timedelta(hours=2),
        "reply": "Ja, når alle på bildet har sagt ja. Del aldri bilder der brukere eller pasienter kan kjennes igjen.",
    })
    return {
        "teams-ask-form": ("teams", ask_form_card(case.question, "nb", "Østre Toten kommune", None)),
        "teams-case-card": ("teams", case_card(case)),
        "teams-human-reply": ("teams", human_reply_card(answered)),
        "slack-case-message": ("slack", case_blocks(claimed)[0]),
        "slack-human-reply": ("slack", human_reply_blocks(answered)[0]),
    }


async def render_all(target: Path, work: Path) -> dict[str, str]:
    """Every example card as target/NAME.png; returns each card's rendered DOM."""
    target.mkdir(parents=True, exist_ok=True)
    doms = {}
    for name, (kind, card) in example_cards().items():
        page = adaptive_card_page(card) if kind == "teams" else slack_blocks_page(card)
        doms[name] = await photograph(page, target / f"{name}.png", work, height=720 if kind == "teams" else 520)
    return doms


if __name__ == "__main__":  # pragma: no cover - `python -m tests.docs.previews`
    if not ADAPTIVECARDS_JS.exists():
        sys.exit(f"{ADAPTIVECARDS_JS} missing: run `make browser` (npm install adaptivecards)")
    asyncio.run(render_all(DOCS, ROOT / "build" / "previews"))
    print(f"previews written to {DOCS}")
