"""Asking a communications adviser in Slack: the modal, the case in the advisers' channel, the reply.

Flow (`bot.admin.cases` keeps the state, so repeats and other replicas change nothing):

1. "Spør en rådgiver" under an answer opens a modal (views.open) with the question pre-filled, an
   optional note, and who will see it.
2. Submitting it opens a case and posts it in the municipality's advisers' channel
   (`VEILEDER_ADVISERS`) with "Ta saken" and "Svar".
3. Only configured advisers may claim (the message then shows who has it) and reply (a modal, with
   "legg til i kunnskapsbasen"); the reply goes to the asker's thread or DM, marked as a person's
   answer with the adviser's name, with a "that helped" button.

Block Kit is built here too (pure functions at the bottom); the advisers' side is in bokmål, the
asker's side in the asker's language.
"""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Coroutine, Protocol

from slack_sdk.errors import SlackApiError

from bot.admin.cases import Case, CaseStore
from bot.answering.answer import Answer
from bot.answering.language import detect_language
from bot.settings import AdvisersConfig
from bot.slack.blocks import ACTION_ASK_ADVISER, MAX_BUTTON_VALUE, escape, shorten
from bot.texts import phrase
from knowledge.roles import role_from_title, role_name


class SlackHost(Protocol):
    """What the adviser flow uses of the Slack front end (`bot.slack.app.SlackFrontEnd`)."""

    services: Any  # bot.services.BotServices
    client: Any  # slack_sdk AsyncWebClient
    bolt: Any  # slack_bolt AsyncApp

    def _municipality(self, team_id: str | None) -> str | None: ...

    async def _profile_title(self, user_id: str | None) -> str | None: ...

    def _spawn(self, work: Coroutine[Any, Any, None], what: str, *, answer: bool = False) -> None: ...

    def _apology(self, language: str, what: str) -> str: ...

log = logging.getLogger(__name__)

PLATFORM = "slack"
ACTION_ASK = ACTION_ASK_ADVISER
ACTION_CLAIM = "case_claim"
ACTION_REPLY = "case_reply"
ACTION_ADD_NOTE = "case_add_note"
ACTION_HELPFUL = "case_helpful"
VIEW_ASK = "ask_adviser_modal"
VIEW_REPLY = "case_reply_modal"
ADVISER_LANGUAGE = "nb"  # the advisers' channel speaks the municipality's bokmål
QUESTION_CHARS = 2000
NOTE_CHARS = 1000
REPLY_CHARS = 2900


class SlackAdvisers:
    """The adviser flow's listeners on the front end's bolt app."""

    def __init__(self, front: SlackHost) -> None:
        self.front = front
        self.services = front.services
        self.client = front.client
        assert self.services.cases is not None
        self.cases: CaseStore = self.services.cases

    def register(self) -> None:
        bolt = self.front.bolt
        bolt.action(ACTION_ASK)(self._on_ask)
        bolt.view(VIEW_ASK)(self._on_ask_submitted)
        bolt.action(ACTION_CLAIM)(self._on_claim)
        bolt.action(ACTION_REPLY)(self._on_reply)
        bolt.view(VIEW_REPLY)(self._on_reply_submitted)
        bolt.action(ACTION_ADD_NOTE)(self._on_add_note)
        bolt.action(ACTION_HELPFUL)(self._on_helpful)

    # -- the asker --------------------------------------------------------------------------

    async def _on_ask(self, ack: Any, action: dict, body: dict, context: Any) -> None:
        """Open the modal at once (a trigger id lives three seconds)."""
        await ack()
        data = json_object(action.get("value") or "")
        language = str(data.get("language") or "nb")
        municipality = self.front._municipality(context.team_id)
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
        user = context.user_id or ""
        if container.get("is_ephemeral") or not container.get("message_ts"):
            reply_to = {"channel": user}  # a private answer: the reply comes in the DM with the app
        else:
            reply_to = {"channel": channel, "thread_ts": container.get("thread_ts") or container.get("message_ts")}
        config = self.services.settings.advisers_for(municipality)
        if config is None or not config.slack_channel:
            await self._tell(body, user, phrase("ask_unavailable", language))
            return
        name = (await self.services.ready_engine()).municipality_name(municipality) if municipality else ""
        metadata = {"q": data.get("question_id"), "o": data.get("question", ""), "to": reply_to, "l": language}
        view = ask_modal(str(data.get("question") or ""), language, name, json.dumps(metadata, ensure_ascii=False))
        await self.client.views_open(trigger_id=body["trigger_id"], view=view)

    async def _on_ask_submitted(self, ack: Any, body: dict, view: dict, context: Any) -> None:
        values = _input_values(view)
        question = (values.get("question") or "").strip()
        if not question:
            await ack(response_action="errors", errors={"question": phrase("empty", "nb")[:150]})
            return
        await ack()
        metadata = json_object(view.get("private_metadata") or "")
        self.front._spawn(self._open_case(metadata, question, values.get("note"), context.user_id, context.team_id), "ask adviser")

    async def _open_case(self, metadata: dict, question: str, note: str | None, user_id: str | None, team_id: str | None) -> None:
        reply_to = metadata.get("to") or {"channel": user_id}
        language = str(metadata.get("l") or detect_language(question))
        try:
            municipality = self.front._municipality(team_id)
            config = self.services.settings.advisers_for(municipality)
            if config is None or not config.slack_channel:
                await self._post_to_asker(reply_to, phrase("ask_unavailable", language))
                return
            title = await self.front._profile_title(user_id)
            original = str(metadata.get("o") or question)
            answer: Answer = await self.services.ask(original, municipality=municipality, profile_role=role_from_title(title))
            name = await self._name(user_id)
            case = await asyncio.to_thread(
                self.cases.open_case, answer, platform=PLATFORM, asker_id=user_id, asker_name=name,
                reply_to={**reply_to, "user": user_id}, question_id=metadata.get("q"), asker_note=note, question=question,
            )
            blocks, text = case_blocks(case)
            posted = await self.client.chat_postMessage(channel=config.slack_channel, text=text, blocks=blocks)
            await asyncio.to_thread(self.cases.set_case_message, case.id, {"channel": posted["channel"], "ts": posted["ts"]})
            await self._post_to_asker(reply_to, phrase("ask_sent", language), ephemeral_to=user_id)
        except Exception:
            await self._post_to_asker(reply_to, self.front._apology(language, "opening an adviser case"), ephemeral_to=user_id)

    async def _on_helpful(self, ack: Any, action: dict, body: dict, context: Any) -> None:
        await ack()
        self.front._spawn(self._helpful(action.get("value") or "", body, context.user_id), "adviser reply helpful")

    async def _helpful(self, case_id: str, body: dict, user_id: str | None) -> None:
        outcome = await asyncio.to_thread(self.cases.mark_helpful, case_id, user_id)
        case = outcome.case
        if outcome.changed and case is not None:
            await self._update_case_message(case)
            await self._tell(body, user_id or "", phrase("human_thanks", case.language))

    # -- the advisers -----------------------------------------------------------------------

    def _is_adviser(self, case: Case, user_id: str | None) -> bool:
        config: AdvisersConfig | None = self.services.settings.advisers_for(case.municipality)
        return bool(user_id) and config is not None and user_id in config.users

    async def _adviser_case(self, case_id: str, body: dict, user_id: str | None) -> Case | None:
        """The case, when it exists and `user_id` is one of its municipality's advisers; a
        non-adviser is told so (ephemerally) and gets None."""
        case = await asyncio.to_thread(self.cases.get, case_id)
        if case is not None and not self._is_adviser(case, user_id):
            await self._tell(body, user_id or "", phrase("case_not_adviser", ADVISER_LANGUAGE))
            return None
        return case

    async def _on_claim(self, ack: Any, action: dict, body: dict, context: Any) -> None:
        await ack()
        self.front._spawn(self._claim(action.get("value") or "", body, context.user_id), "claim case")

    async def _claim(self, case_id: str, body: dict, user_id: str | None) -> None:
        case = await self._adviser_case(case_id, body, user_id)
        if case is None:
            return
        outcome = await asyncio.to_thread(self.cases.claim, case_id, user_id or "", await self._name(user_id))
        if outcome.changed and outcome.case is not None:
            await self._update_case_message(outcome.case)
        elif outcome.reason == "taken" and outcome.case is not None:
            await self._tell(body, user_id or "", phrase("case_taken", ADVISER_LANGUAGE, name=outcome.case.claimed_by_name))

    async def _on_reply(self, ack: Any, action: dict, body: dict, context: Any) -> None:
        await ack()
        case = await self._adviser_case(action.get("value") or "", body, context.user_id)
        if case is None:
            return
        if case.reply is not None:
            await self._tell(body, context.user_id or "", phrase("case_already_answered", ADVISER_LANGUAGE))
            return
        if case.claimed_by and case.claimed_by != context.user_id:
            await self._tell(body, context.user_id or "", phrase("case_taken", ADVISER_LANGUAGE, name=case.claimed_by_name))
            return
        await self.client.views_open(trigger_id=body["trigger_id"], view=reply_modal(case))

    async def _on_reply_submitted(self, ack: Any, body: dict, view: dict, context: Any) -> None:
        values = _input_values(view)
        text = (values.get("reply") or "").strip()
        if not text:
            await ack(response_action="errors", errors={"reply": phrase("case_reply_label", ADVISER_LANGUAGE)})
            return
        await ack()
        add_note = "add" in (values.get("knowledge") or [])
        self.front._spawn(self._reply(view.get("private_metadata") or "", text, add_note, context.user_id), "adviser reply")

    async def _reply(self, case_id: str, text: str, add_note: bool, user_id: str | None) -> None:
        case = await asyncio.to_thread(self.cases.get, case_id)
        if case is None or not self._is_adviser(case, user_id):
            return
        outcome = await asyncio.to_thread(self.cases.reply, case_id, user_id or "", await self._name(user_id), text)
        if not outcome.changed or outcome.case is None:
            return  # a double submit, or someone else's case: the first reply stands
        case = outcome.case
        if add_note:
            case = (await asyncio.to_thread(self.cases.add_note, case.id, user_id or "", case.replied_by_name or "")).case or case
        blocks, fallback = human_reply_blocks(case)
        await self._post_to_asker(case.reply_to, fallback, blocks=blocks)
        await self._update_case_message(case)

    async def _on_add_note(self, ack: Any, action: dict, body: dict, context: Any) -> None:
        await ack()
        self.front._spawn(self._add_note(action.get("value") or "", body, context.user_id), "add adviser note")

    async def _add_note(self, case_id: str, body: dict, user_id: str | None) -> None:
        case = await self._adviser_case(case_id, body, user_id)
        if case is None:
            return
        outcome = await asyncio.to_thread(self.cases.add_note, case_id, user_id or "", await self._name(user_id))
        if outcome.changed and outcome.case is not None:
            await self._update_case_message(outcome.case)

    # -- cases from elsewhere ------------------------------------------------------------------

    async def post_pending(self) -> int:
        """Post cases opened without a chat front end (`veileder chat`) to their Slack advisers' channel."""
        posted = 0
        for case in await asyncio.to_thread(self.cases.unposted):
            config = self.services.settings.advisers_for(case.municipality)
            if config is None or not config.slack_channel:
                continue
            if not await asyncio.to_thread(self.cases.take_for_posting, case.id, PLATFORM):
                continue
            blocks, text = case_blocks(case)
            response = await self.client.chat_postMessage(channel=config.slack_channel, text=text, blocks=blocks)
            await asyncio.to_thread(self.cases.set_case_message, case.id, {"channel": response["channel"], "ts": response["ts"]})
            posted += 1
        return posted

    # -- reminders ----------------------------------------------------------------------------

    async def remind_overdue(self) -> int:
        """Post a reminder under every case still without a reply after ADVISER_REMINDER_HOURS; returns how many."""
        hours = self.services.settings.adviser_reminder_hours
        due = await asyncio.to_thread(self.cases.overdue, hours)
        sent = 0
        for case in due:
            where = case.case_message
            if not where or "ts" not in where:  # not a Slack case message
                continue
            text = phrase("case_reminder", ADVISER_LANGUAGE, hours=f"{(_age_hours(case)):.0f}")
            try:
                await self.client.chat_postMessage(channel=where["channel"], thread_ts=where["ts"], text=f":alarm_clock: {text}")
            except SlackApiError as exc:
                log.warning("could not remind about case %s: %s", case.reference, exc.response.get("error"))
                continue
            await asyncio.to_thread(self.cases.mark_reminded, case.id)
            sent += 1
        return sent

    # -- helpers ------------------------------------------------------------------------------

    async def _name(self, user_id: str | None) -> str:
        """A person's display name from their Slack profile (users.info); their id when it can't be read."""
        if not user_id:
            return ""
        try:
            response = await self.client.users_info(user=user_id)
        except SlackApiError:
            return user_id
        user = response.get("user") or {}
        return (user.get("profile") or {}).get("real_name") or user.get("real_name") or user.get("name") or user_id

    async def _update_case_message(self, case: Case) -> None:
        where = case.case_message
        if not where:
            return
        blocks, text = case_blocks(case)
        try:
            await self.client.chat_update(channel=where["channel"], ts=where["ts"], text=text, blocks=blocks)
        except SlackApiError as exc:
            log.warning("could not update case %s: %s", case.reference, exc.response.get("error"))

    async def _post_to_asker(self, reply_to: dict, text: str, *, blocks: list[dict] | None = None, ephemeral_to: str | None = None) -> None:
        channel, thread_ts = reply_to.get("channel"), reply_to.get("thread_ts")
        if not channel:
            return
        if ephemeral_to and not channel.startswith(("U", "W")):
            await self.client.chat_postEphemeral(channel=channel, user=ephemeral_to, thread_ts=thread_ts, text=text)
        else:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text, blocks=blocks)

    async def _tell(self, body: dict, user_id: str, text: str) -> None:
        """A private note to whoever clicked, in the conversation the click came from."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not channel or not user_id:
            return
        thread_ts = (body.get("container") or {}).get("thread_ts")
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user_id, text=text, thread_ts=thread_ts)
        except SlackApiError as exc:
            log.info("could not tell a user privately: %s", exc.response.get("error"))


# -- Block Kit (pure) ---------------------------------------------------------------------------


def ask_value(answer: Answer, question_id: str | None) -> str:
    """The "ask an adviser" button's value: the question (shortened to fit) and where it was logged."""
    data = {"question_id": question_id, "language": answer.language, "question": answer.question}
    value = json.dumps(data, ensure_ascii=False)
    while len(value) > MAX_BUTTON_VALUE:
        data["question"] = data["question"][: len(data["question"]) - (len(value) - MAX_BUTTON_VALUE) - 1]
        value = json.dumps(data, ensure_ascii=False)
    return value


def _plain(text: str, size: int = 150) -> dict:
    return {"type": "plain_text", "text": shorten(text, size) or " ", "emoji": True}


def _section(mrkdwn: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn[:3000]}}


def _context(mrkdwn: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:3000]}]}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": _plain(label, 75), "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def ask_modal(question: str, language: str, municipality_name: str, private_metadata: str) -> dict:
    """The modal: the question (pre-filled, editable), an optional note, and who will see it."""
    return {
        "type": "modal",
        "callback_id": VIEW_ASK,
        "title": _plain(phrase("ask_adviser", language), 24),
        "submit": _plain(phrase("ask_submit", language), 24),
        "close": _plain(phrase("cancel", language), 24),
        "private_metadata": private_metadata[:3000],
        "blocks": [
            {
                "type": "input",
                "block_id": "question",
                "label": _plain(phrase("ask_question_label", language)),
                "element": {
                    "type": "plain_text_input", "action_id": "question", "multiline": True,
                    "initial_value": question[:QUESTION_CHARS], "max_length": QUESTION_CHARS,
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": _plain(phrase("ask_note_label", language)),
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": NOTE_CHARS},
            },
            _context(escape(phrase("ask_who_sees", language, municipality=municipality_name or phrase("the_municipality", language)))),
        ],
    }


def case_blocks(case: Case) -> tuple[list[dict], str]:
    """The case message in the advisers' channel, as its state is now: the question, who asks, the
    bot's answer and rule, who has it, the reply, and the actions that still make sense."""
    lang = ADVISER_LANGUAGE
    role = role_name(case.asker_role, lang) if case.asker_role else phrase("case_role_unknown", lang)
    who = phrase("case_from", lang, name=escape(case.asker_name or "?"), role=escape(role))
    blocks: list[dict] = [
        _section(f":raising_hand: *{phrase('case_title', lang)}* · `{case.reference}`\n{who}"),
        _section("> " + escape(shorten(case.question, 2500)).replace("\n", "\n> ")),
    ]
    if case.asker_note:
        blocks.append(_section(f"*{phrase('case_asker_note', lang)}*: {escape(shorten(case.asker_note, 2500))}"))
    bot_answer = f"*{phrase('case_bot_answer', lang)}*: {escape(shorten(case.verdict or '', 1000))}"
    if case.rule_text:
        bot_answer += f"\n«{escape(shorten(case.rule_text, 1200))}»\n_{escape(shorten(case.rule_source or '', 400))}_"
    blocks.append(_section(bot_answer))
    if case.reply is not None:
        status = phrase("case_answered_by", lang, name=escape(case.replied_by_name or ""))
        blocks.append(_section(f":white_check_mark: *{status}*\n" + escape(shorten(case.reply, 2500))))
        if case.helpful:
            blocks.append(_context(f":+1: {phrase('case_helpful', lang)}"))
        if case.note_id:
            blocks.append(_context(f":books: {phrase('case_note_added', lang)}"))
        else:
            blocks.append({"type": "actions", "elements": [_button(phrase("case_add_to_kb", lang), ACTION_ADD_NOTE, case.id)]})
    else:
        if case.claimed_by_name:
            blocks.append(_context(f":bust_in_silhouette: {phrase('case_claimed_by', lang, name=escape(case.claimed_by_name))}"))
        else:
            blocks.append(_context(f":large_yellow_circle: {phrase('case_open', lang)}"))
        actions = [] if case.claimed_by else [_button(phrase("case_claim", lang), ACTION_CLAIM, case.id, "primary")]
        actions.append(_button(phrase("case_reply", lang), ACTION_REPLY, case.id))
        blocks.append({"type": "actions", "elements": actions})
    text = f"{phrase('case_title', lang)}: {shorten(case.question, 300)}"
    return blocks, text


def reply_modal(case: Case) -> dict:
    lang = ADVISER_LANGUAGE
    return {
        "type": "modal",
        "callback_id": VIEW_REPLY,
        "title": _plain(phrase("case_reply_title", lang), 24),
        "submit": _plain(phrase("ask_submit", lang), 24),
        "close": _plain(phrase("cancel", lang), 24),
        "private_metadata": case.id,
        "blocks": [
            _section("> " + escape(shorten(case.question, 2500)).replace("\n", "\n> ")),
            {
                "type": "input",
                "block_id": "reply",
                "label": _plain(phrase("case_reply_label", lang)),
                "element": {"type": "plain_text_input", "action_id": "reply", "multiline": True, "max_length": REPLY_CHARS},
            },
            {
                "type": "input",
                "block_id": "knowledge",
                "optional": True,
                "label": _plain(phrase("case_add_to_kb", lang)),
                "element": {
                    "type": "checkboxes",
                    "action_id": "knowledge",
                    "options": [
                        {
                            "text": _plain(phrase("case_add_to_kb", lang)),
                            "description": _plain(phrase("case_add_to_kb_hint", lang)),
                            "value": "add",
                        }
                    ],
                },
            },
        ],
    }


def human_reply_blocks(case: Case) -> tuple[list[dict], str]:
    """The adviser's reply in the asker's thread: marked as a person's answer, with their name."""
    lang = case.language
    head = phrase("human_answer", lang, name=escape(case.replied_by_name or ""))
    blocks = [
        _section(f":bust_in_silhouette: *{head}*"),
        _section(escape(shorten(case.reply or "", 2900))),
        _context(escape(phrase("human_answer_hint", lang, question=shorten(case.question, 200)))),
        {"type": "actions", "elements": [_button(phrase("human_helpful", lang), ACTION_HELPFUL, case.id)]},
    ]
    return blocks, f"{phrase('human_answer', lang, name=case.replied_by_name or '')}: {shorten(case.reply or '', 2000)}"


def _input_values(view: dict) -> dict[str, Any]:
    """A submitted view's inputs by block id: text for text inputs, selected values for checkboxes."""
    found: dict[str, Any] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in actions.values():
            if element.get("type") == "checkboxes":
                found[block_id] = [o.get("value") for o in element.get("selected_options") or []]
            else:
                found[block_id] = element.get("value")
    return found


def json_object(value: str) -> dict:
    """A button value or view metadata read as a JSON object; {} for anything else (never raises)."""
    try:
        data = json.loads(value)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _age_hours(case: Case) -> float:
    from datetime import datetime, timezone

    return (datetime.now(timezone.utc) - case.created_at).total_seconds() / 3600
