"""De-duplication claims: the first replica to claim a key answers; every other claim of it (a
retry, a re-sent activity, the same request after a restart) is told it is taken.

A claim is one statement — INSERT … ON CONFLICT DO UPDATE … WHERE the old claim has expired — so
two replicas claiming the same key at once can't both win, on PostgreSQL and SQLite alike. Claims
expire after `CLAIM_SECONDS` (a day: Slack retries for an hour, Teams for minutes).

Claims asked for at the same time are made together (`bot.store.group_commit`): under a burst of
200 requests, each acknowledged only once its claim is made, a burst takes a few statements.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select

from bot.store.database import Database, holder_id
from bot.store.group_commit import GroupCommit
from bot.store.schema import claims

CLAIM_SECONDS = 24 * 3600
KEY_CHARS = 400
BATCH_KEYS = 1000  # keys per statement at most (4 parameters each: far below SQLite's and PostgreSQL's limits)


def _insert_for(database: Database):
    if database.is_postgresql:
        from sqlalchemy.dialects.postgresql import insert
    elif database.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - PostgreSQL and SQLite are what we support
        raise NotImplementedError(f"claims need PostgreSQL or SQLite, not {database.engine.dialect.name}")
    return insert


class Claims:
    """Claim keys such as `slack:event:Ev123` or `teams:activity:<conversation>:<activity id>`."""

    def __init__(self, database: Database, seconds: int = CLAIM_SECONDS) -> None:
        self.database = database
        self.seconds = seconds
        self._insert = _insert_for(database)
        self._holder = holder_id()
        self._together: GroupCommit[dict[str, float | None], set[str]] = GroupCommit(
            database, self._claim_together, limit=BATCH_KEYS, size=len
        )

    def claim(self, key: str, seconds: float | None = None) -> bool:
        """True if this caller is the first to claim `key` (within its day, or `seconds`); blocking, one statement."""
        return key[:KEY_CHARS] in self.claim_all({key: seconds})

    def claim_all(self, keys: dict[str, float | None]) -> set[str]:
        """Claim several keys (key → seconds, None for a day) in one statement, e.g. a request's
        signature and its event id with one round trip; returns the keys (cut to KEY_CHARS) this
        caller was first to claim. Blocking."""
        if not keys:
            return set()
        now = datetime.now(timezone.utc)
        rows = {
            key[:KEY_CHARS]: {
                "key": key[:KEY_CHARS], "claimed_at": now, "holder": self._holder,
                "expires_at": now + timedelta(seconds=self.seconds if seconds is None else seconds),
            }
            for key, seconds in keys.items()
        }
        statement = self._insert(claims).values(list(rows.values()))
        statement = statement.on_conflict_do_update(
            index_elements=[claims.c.key],
            set_={"claimed_at": statement.excluded.claimed_at, "expires_at": statement.excluded.expires_at, "holder": statement.excluded.holder},
            where=claims.c.expires_at < now,
        ).returning(claims.c.key)  # a row back only for each key this statement inserted or renewed
        with self.database.begin() as conn:
            return {row[0] for row in conn.execute(statement)}

    async def claim_async(self, key: str, seconds: float | None = None) -> bool:
        return key[:KEY_CHARS] in await self.claim_all_async({key: seconds})

    async def claim_all_async(self, keys: dict[str, float | None]) -> set[str]:
        """`claim_all` off the event loop, together with the claims other callers (on any event
        loop) ask for meanwhile: one statement for all of them (`GroupCommit`). A key two callers
        ask for in the same statement goes to the one that asked first. Raises what the statement raised."""
        if not keys:
            return set()
        return await self._together.submit(keys)

    def _claim_together(self, asked: list[dict[str, float | None]]) -> list[set[str]]:
        """One statement for several callers' claims; the keys each caller won, in the callers' order."""
        wanted: dict[str, float | None] = {}
        for keys in asked:
            for key, seconds in keys.items():
                wanted.setdefault(key, seconds)
        won = self.claim_all(wanted)
        results = []
        for keys in asked:
            mine = {key[:KEY_CHARS] for key in keys} & won
            won -= mine  # the first caller asking for a key gets it; a later one finds it taken
            results.append(mine)
        return results

    def held(self, key: str) -> bool:
        """True if `key` is claimed and the claim has not expired."""
        query = select(claims.c.key).where(claims.c.key == key[:KEY_CHARS], claims.c.expires_at >= datetime.now(timezone.utc))
        with self.database.engine.connect() as conn:
            return conn.execute(query).first() is not None

    async def held_async(self, key: str) -> bool:
        return await self.database.run(lambda: self.held(key))

    def forget_expired(self) -> int:
        """Delete expired claims (they would be re-claimable anyway); returns how many."""
        with self.database.begin() as conn:
            return conn.execute(delete(claims).where(claims.c.expires_at < datetime.now(timezone.utc))).rowcount or 0


CLEANUP_SECONDS = 3600


def claims_cleanup_ctx(claims: Claims, every_seconds: float = CLEANUP_SECONDS):
    """An aiohttp cleanup context for `veileder serve`: expired claims are deleted every hour."""
    import asyncio
    import logging

    from bot.background import while_serving

    log = logging.getLogger(__name__)

    async def every_hour() -> None:
        while True:
            try:
                removed = await claims.database.run(claims.forget_expired)
                if removed:
                    log.info("forgot %d expired de-duplication claims", removed)
            except Exception:  # noqa: BLE001 - the next hour tries again
                log.exception("could not delete expired claims")
            await asyncio.sleep(every_seconds)

    return while_serving(every_hour, "veileder-claims-cleanup")
