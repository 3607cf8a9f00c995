"""Asking a communications adviser in Teams: Adaptive Card actions and proactive messages.

The same flow as Slack's (`bot.slack.advisers`), with `bot.admin.cases` keeping the state:

1. "Spør en rådgiver" (Action.Submit on the answer card) answers with a form card: the question
   pre-filled (Input.Text), an optional note, who will see it, and "Send".
2. "Send" opens a case and posts its card proactively to the municipality's advisers' channel or
   group chat (`VEILEDER_ADVISERS` → `teams`), with "Ta saken" and a reply form (Action.ShowCard).
3. Only configured advisers (Entra object ids) may claim and reply; the case card is updated in
   place to show who has it; the reply reaches the asker's conversation proactively, marked as a
   person's answer with the adviser's name, with "Det hjalp".
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable

from microsoft_agents.activity import Activity, ActivityTypes, ConversationReference
from microsoft_agents.hosting.core import CardFactory, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity

from bot.admin.cases import Case, CaseStore
from bot.answering.answer import Answer
from bot.services import BotServices
from bot.settings import AdvisersConfig
from bot.teams.cards import CARD_SCHEMA, CARD_VERSION
from bot.texts import phrase
from knowledge.roles import role_name

log = logging.getLogger(__name__)

PLATFORM = "teams"
ASK = "veileder_ask_adviser"
ASK_SEND = "veileder_ask_adviser_send"
CLAIM = "veileder_case_claim"
REPLY = "veileder_case_reply"
ADD_NOTE = "veileder_case_add_note"
HELPFUL = "veileder_case_helpful"
ACTIONS = (ASK, ASK_SEND, CLAIM, REPLY, ADD_NOTE, HELPFUL)
ADVISER_LANGUAGE = "nb"
QUESTION_CHARS = 2000
NOTE_CHARS = 1000
REPLY_CHARS = 4000

AskFn = Callable[[Activity, str], Awaitable[Answer]]  # the front end's way to answer the clicker's question again


class TeamsAdvisers:
    """Handles the adviser actions of cards, and sends cards proactively through the adapter."""

    def __init__(self, services: BotServices, adapter: Any, app_id: str | None) -> None:
        """`adapter` is the Agents SDK CloudAdapter; `app_id` the bot's client id (None: the local,
        anonymous development setting, where proactive messages go without a token)."""
        self.services = services
        assert services.cases is not None
        self.cases: CaseStore = services.cases
        self.adapter = adapter
        self.app_id = app_id

    # -- dispatch --------------------------------------------------------------------------

    async def on_action(
        self, context: TurnContext, activity: Activity, ask: AskFn, name: str | None, municipality: str | None
    ) -> None:
        """One Action.Submit of ours: `activity` is the click (its `value` the action's data and
        inputs), `context` the turn to answer in (a proactive one after the acknowledgement); `ask`
        answers a question again (the form carries only the question), `name` is the clicker's
        display name, `municipality` the one of their tenant."""
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action")
        if action == ASK:
            await self._ask_form(context, value, municipality)
        elif action == ASK_SEND:
            await self._open_case(context, activity, value, ask, name, municipality)
        elif action == HELPFUL:
            await self._helpful(context, activity, value)
        else:
            await self._adviser_action(context, activity, value, name)

    # -- the asker -------------------------------------------------------------------------

    async def _ask_form(self, context: TurnContext, value: dict[str, Any], municipality: str | None) -> None:
        language = str(value.get("language") or "nb")
        config = self.services.settings.advisers_for(municipality)
        if config is None or config.teams is None:
            await context.send_activity(phrase("ask_unavailable", language))
            return
        name = (await self.services.ready_engine()).municipality_name(municipality) if municipality else ""
        card = ask_form_card(str(value.get("question") or ""), language, name, value.get("question_id"))
        await context.send_activity(_card_activity(card, phrase("ask_adviser", language)))

    async def _open_case(
        self, context: TurnContext, activity: Activity, value: dict[str, Any], ask: AskFn, name: str | None, municipality: str | None
    ) -> None:
        language = str(value.get("language") or "nb")
        question = str(value.get("question") or "").strip()
        if not question:
            await context.send_activity(phrase("empty", language))
            return
        config = self.services.settings.advisers_for(municipality)
        if config is None or config.teams is None:
            await context.send_activity(phrase("ask_unavailable", language))
            return
        answer = await ask(activity, str(value.get("original") or question))
        reference = activity.get_conversation_reference().model_dump(mode="json", by_alias=True, exclude_none=True)
        case = await asyncio.to_thread(
            self.cases.open_case, answer, platform=PLATFORM, asker_id=_user(activity), asker_name=name,
            reply_to=reference, question_id=value.get("question_id"), asker_note=str(value.get("note") or "")[:NOTE_CHARS],
            question=question[:QUESTION_CHARS],
        )
        bot = activity.recipient.model_dump(mode="json", by_alias=True, exclude_none=True) if activity.recipient else {"id": self.app_id or "bot"}
        target = {
            "conversation_id": config.teams.conversation_id, "service_url": config.teams.service_url,
            "tenant_id": config.teams.tenant_id, "bot": bot,
        }
        sent_id = await self.send_proactive(_reference_to(target), _card_activity(case_card(case), phrase("case_title", ADVISER_LANGUAGE)))
        await asyncio.to_thread(self.cases.set_case_message, case.id, {**target, "activity_id": sent_id})
        await context.send_activity(phrase("ask_sent", language))

    async def _helpful(self, context: TurnContext, activity: Activity, value: dict[str, Any]) -> None:
        outcome = await asyncio.to_thread(self.cases.mark_helpful, str(value.get("case_id") or ""), _user(activity))
        if outcome.changed and outcome.case is not None:
            await self._update_case_card(outcome.case)
            await context.send_activity(phrase("human_thanks", outcome.case.language))

    # -- the advisers ----------------------------------------------------------------------

    def _is_adviser(self, case: Case, activity: Activity) -> bool:
        config: AdvisersConfig | None = self.services.settings.advisers_for(case.municipality)
        sender = activity.from_property
        ids = {sender.aad_object_id, sender.id} if sender else set()
        return config is not None and bool(ids & set(config.users))

    async def _adviser_action(self, context: TurnContext, activity: Activity, value: dict[str, Any], name: str | None) -> None:
        case = await asyncio.to_thread(self.cases.get, str(value.get("case_id") or ""))
        if case is None:
            return
        if not self._is_adviser(case, activity):
            await context.send_activity(phrase("case_not_adviser", ADVISER_LANGUAGE))
            return
        adviser = _user(activity) or ""
        adviser_name = name or adviser
        action = value.get("action")
        if action == CLAIM:
            outcome = await asyncio.to_thread(self.cases.claim, case.id, adviser, adviser_name)
            if outcome.reason == "taken" and outcome.case is not None:
                await context.send_activity(phrase("case_taken", ADVISER_LANGUAGE, name=outcome.case.claimed_by_name))
        elif action == REPLY:
            text = str(value.get("reply") or "").strip()[:REPLY_CHARS]
            if not text:
                await context.send_activity(phrase("case_reply_label", ADVISER_LANGUAGE))
                return
            outcome = await asyncio.to_thread(self.cases.reply, case.id, adviser, adviser_name, text)
            if outcome.changed and outcome.case is not None:
                answered = outcome.case
                if str(value.get("add_to_kb") or "").lower() == "true":
                    answered = (await asyncio.to_thread(self.cases.add_note, case.id, adviser, adviser_name)).case or answered
                if answered.platform == PLATFORM:  # other askers (veileder chat) read it from the case
                    await self.send_proactive(
                        ConversationReference.model_validate(answered.reply_to),
                        _card_activity(human_reply_card(answered), phrase("human_answer", answered.language, name=answered.replied_by_name)),
                    )
                outcome = type(outcome)(True, answered)
            elif outcome.reason == "taken" and outcome.case is not None:
                await context.send_activity(phrase("case_taken", ADVISER_LANGUAGE, name=outcome.case.claimed_by_name))
        elif action == ADD_NOTE:
            outcome = await asyncio.to_thread(self.cases.add_note, case.id, adviser, adviser_name)
        else:
            return
        if outcome.changed and outcome.case is not None:
            await self._update_case_card(outcome.case)

    # -- cases from elsewhere ---------------------------------------------------------------

    async def post_pending(self) -> int:
        """Post cases opened without a chat front end (`veileder chat`) to the Teams advisers'
        conversation of municipalities that have no Slack advisers' channel."""
        posted = 0
        for case in await asyncio.to_thread(self.cases.unposted):
            config = self.services.settings.advisers_for(case.municipality)
            if config is None or config.teams is None or config.slack_channel:
                continue
            if not await asyncio.to_thread(self.cases.take_for_posting, case.id, PLATFORM):
                continue
            target = {
                "conversation_id": config.teams.conversation_id, "service_url": config.teams.service_url,
                "tenant_id": config.teams.tenant_id, "bot": {"id": self.app_id or "bot"},
            }
            sent_id = await self.send_proactive(_reference_to(target), _card_activity(case_card(case), phrase("case_title", ADVISER_LANGUAGE)))
            await asyncio.to_thread(self.cases.set_case_message, case.id, {**target, "activity_id": sent_id})
            posted += 1
        return posted

    # -- reminders -------------------------------------------------------------------------

    async def remind_overdue(self) -> int:
        """A reminder under every Teams case still without a reply after ADVISER_REMINDER_HOURS."""
        due = await asyncio.to_thread(self.cases.overdue, self.services.settings.adviser_reminder_hours)
        sent = 0
        for case in due:
            where = case.case_message
            if not where or "conversation_id" not in where:  # not a Teams case card
                continue
            hours = (datetime.now(timezone.utc) - case.created_at).total_seconds() / 3600
            reminder = Activity(type=ActivityTypes.message, text=f"⏰ {phrase('case_reminder', ADVISER_LANGUAGE, hours=f'{hours:.0f}')}")
            thread = dict(where)
            if where["conversation_id"].endswith("@thread.tacv2") and where.get("activity_id"):  # a channel: reply in the case's thread
                thread["conversation_id"] = f"{where['conversation_id']};messageid={where['activity_id']}"
            try:
                await self.send_proactive(_reference_to(thread), reminder)
            except Exception:  # noqa: BLE001 - the next round tries again
                log.exception("could not remind about case %s", case.reference)
                continue
            await asyncio.to_thread(self.cases.mark_reminded, case.id)
            sent += 1
        return sent

    # -- sending ---------------------------------------------------------------------------

    async def send_proactive(self, reference: ConversationReference, activity: Activity) -> str | None:
        """Send `activity` into the conversation of `reference` outside any turn; returns its id."""
        sent: list[str | None] = []

        async def send(turn: TurnContext) -> None:
            response = await turn.send_activity(activity)
            sent.append(response.id if response else None)

        continuation = reference.get_continuation_activity()
        if self.app_id:
            await self.adapter.continue_conversation(self.app_id, continuation, send)
        else:  # local development (ANONYMOUS_ALLOWED): no token to get
            await self.adapter.continue_conversation_with_claims(ClaimsIdentity({}, "anonymous"), continuation, send)
        return sent[0] if sent else None

    async def _update_case_card(self, case: Case) -> None:
        where = case.case_message
        if not where or not where.get("activity_id"):
            return
        updated = _card_activity(case_card(case), phrase("case_title", ADVISER_LANGUAGE))
        updated.id = where["activity_id"]

        async def update(turn: TurnContext) -> None:
            await turn.update_activity(updated)

        continuation = _reference_to(where).get_continuation_activity()
        try:
            if self.app_id:
                await self.adapter.continue_conversation(self.app_id, continuation, update)
            else:
                await self.adapter.continue_conversation_with_claims(ClaimsIdentity({}, "anonymous"), continuation, update)
        except Exception:  # noqa: BLE001 - the state is stored; only the card is stale
            log.exception("could not update the card of case %s", case.reference)


def _user(activity: Activity) -> str | None:
    sender = activity.from_property
    return (sender.aad_object_id or sender.id) if sender else None


def _reference_to(target: dict[str, Any]) -> ConversationReference:
    """A conversation reference for the advisers' conversation (`target` as stored with the case:
    conversation_id, service_url, tenant_id, and the bot's own account)."""
    data: dict[str, Any] = {
        "channelId": "msteams",
        "serviceUrl": target["service_url"],
        "conversation": {"id": target["conversation_id"], **({"tenantId": target["tenant_id"]} if target.get("tenant_id") else {})},
        "bot": target.get("bot") or {"id": "bot"},
    }
    return ConversationReference.model_validate(data)


def _card_activity(card: dict[str, Any], summary: str) -> Activity:
    return Activity(type=ActivityTypes.message, attachments=[CardFactory.adaptive_card(card)], summary=summary[:200])


# -- Adaptive Cards (pure) -------------------------------------------------------------------


def _text(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": CARD_SCHEMA, "version": CARD_VERSION, "msteams": {"width": "Full"}, "body": body}
    if actions:
        card["actions"] = actions
    return card


def ask_action(answer: Answer, question_id: str | None) -> dict[str, Any]:
    """The answer card's "ask an adviser" button."""
    data = {"action": ASK, "question_id": question_id, "question": answer.question[:QUESTION_CHARS], "language": answer.language}
    return {"type": "Action.Submit", "title": phrase("ask_adviser", answer.language), "data": data}


def ask_form_card(question: str, language: str, municipality_name: str, question_id: str | None) -> dict[str, Any]:
    """The form: the question pre-filled, an optional note, who will see it."""
    body = [
        _text(phrase("ask_adviser", language), weight="Bolder", size="Medium"),
        {"type": "Input.Text", "id": "question", "label": phrase("ask_question_label", language), "isMultiline": True,
         "value": question[:QUESTION_CHARS], "maxLength": QUESTION_CHARS, "isRequired": True},
        {"type": "Input.Text", "id": "note", "label": phrase("ask_note_label", language), "isMultiline": True, "maxLength": NOTE_CHARS},
        _text(phrase("ask_who_sees", language, municipality=municipality_name or phrase("the_municipality", language)), size="Small", isSubtle=True),
    ]
    data = {"action": ASK_SEND, "question_id": question_id, "original": question[:QUESTION_CHARS], "language": language}
    return _card(body, [{"type": "Action.Submit", "title": phrase("ask_submit", language), "data": data, "style": "positive"}])


def case_card(case: Case) -> dict[str, Any]:
    """The case in the advisers' conversation, as its state is now."""
    lang = ADVISER_LANGUAGE
    role = role_name(case.asker_role, lang) if case.asker_role else phrase("case_role_unknown", lang)
    body: list[dict[str, Any]] = [
        _text(f"🙋 {phrase('case_title', lang)} · {case.reference}", weight="Bolder", size="Medium"),
        _text(phrase("case_from", lang, name=case.asker_name or "?", role=role), isSubtle=True, spacing="None"),
        {"type": "Container", "style": "emphasis", "items": [_text(case.question)]},
    ]
    if case.asker_note:
        body.append(_text(f"{phrase('case_asker_note', lang)}: {case.asker_note}", size="Small"))
    bot_answer = [_text(phrase("case_bot_answer", lang), weight="Bolder", size="Small"), _text(case.verdict or "", size="Small")]
    if case.rule_text:
        bot_answer.append(_text(f"«{case.rule_text}»", size="Small"))
        bot_answer.append(_text(case.rule_source or "", size="Small", isSubtle=True))
    body.append({"type": "Container", "items": bot_answer, "spacing": "Medium"})
    actions: list[dict[str, Any]] = []
    if case.reply is not None:
        body.append(_text(f"✅ {phrase('case_answered_by', lang, name=case.replied_by_name or '')}", weight="Bolder", color="Good", spacing="Medium"))
        body.append(_text(case.reply))
        if case.helpful:
            body.append(_text(f"👍 {phrase('case_helpful', lang)}", size="Small"))
        if case.note_id:
            body.append(_text(f"📚 {phrase('case_note_added', lang)}", size="Small", isSubtle=True))
        else:
            actions.append({"type": "Action.Submit", "title": phrase("case_add_to_kb", lang), "data": {"action": ADD_NOTE, "case_id": case.id}})
    else:
        status = phrase("case_claimed_by", lang, name=case.claimed_by_name) if case.claimed_by_name else phrase("case_open", lang)
        body.append(_text(status, color="Accent" if case.claimed_by_name else "Warning", spacing="Medium"))
        if not case.claimed_by:
            actions.append({"type": "Action.Submit", "title": phrase("case_claim", lang), "data": {"action": CLAIM, "case_id": case.id}, "style": "positive"})
        form = _card(
            [
                {"type": "Input.Text", "id": "reply", "label": phrase("case_reply_label", lang), "isMultiline": True, "maxLength": REPLY_CHARS, "isRequired": True},
                {"type": "Input.Toggle", "id": "add_to_kb", "title": phrase("case_add_to_kb", lang), "value": "false", "valueOn": "true", "valueOff": "false"},
                _text(phrase("case_add_to_kb_hint", lang), size="Small", isSubtle=True),
            ],
            [{"type": "Action.Submit", "title": phrase("ask_submit", lang), "data": {"action": REPLY, "case_id": case.id}}],
        )
        form.pop("$schema")
        form.pop("msteams")
        actions.append({"type": "Action.ShowCard", "title": phrase("case_reply", lang), "card": form})
    return _card(body, actions)


def human_reply_card(case: Case) -> dict[str, Any]:
    """The adviser's reply in the asker's conversation: a person's answer, with their name."""
    lang = case.language
    body = [
        _text(f"👤 {phrase('human_answer', lang, name=case.replied_by_name or '')}", weight="Bolder"),
        _text(case.reply or ""),
        _text(phrase("human_answer_hint", lang, question=case.question[:200]), size="Small", isSubtle=True),
    ]
    return _card(body, [{"type": "Action.Submit", "title": phrase("human_helpful", lang), "data": {"action": HELPFUL, "case_id": case.id}}])
