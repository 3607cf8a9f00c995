"""What an answer shows, decided once for every front end."""
from __future__ import annotations

from bot.answering.answer import Answer


def contact_line(answer: Answer) -> str | None:
    """The way to a human, in one line: unit · e-mail · phone · web · chat channels (what is configured)."""
    contact = answer.contact
    if not contact:
        return None
    parts = [p for p in (contact.unit, contact.email, contact.phone, contact.web) if p]
    if contact.teams_channel:
        parts.append(f"Teams: {contact.teams_channel}")
    if contact.slack_channel:
        parts.append(f"Slack: {contact.slack_channel}")
    return " · ".join(parts) if parts else None
