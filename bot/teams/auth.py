"""Teams request authentication that forged tokens can't stall: the signing keys and refusals.

The Agents SDK checks each Bot Framework token against Microsoft's published signing keys. Out of
the box it fetches them with no bound on how long that takes and, for every token whose key id
(`kid`) it hasn't seen, fetches them again under one lock that every request waits on, so a burst
of forged tokens, with outbound traffic slow or blocked, holds real requests up for minutes.

`SigningKeys` takes the SDK's place for that one job (`install`):
- a key set is fetched with a bounded timeout (`fetch_timeout_s`) and kept (`key_set_ttl_s`);
- a token whose key is in the cached set is checked at once, never waiting on a fetch;
- an unknown key id makes at most one refresh per `refresh_interval_s`, and is then remembered as
  unknown for `unknown_key_ttl_s`: the same forged kid never causes a fetch again;
- after a failed fetch the next attempt waits `retry_after_failure_s`.

`RefusalLimiter` counts refused requests per client address and answers 429 once a client has
been refused `max_refusals` times within `window_s` seconds, before any token work is done.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

import aiohttp
import jwt

log = logging.getLogger(__name__)

FETCH_TIMEOUT_S = 5.0  # Microsoft's key endpoints answer in well under a second
KEY_SET_TTL_S = 24 * 3600.0  # Microsoft rotates signing keys with weeks of overlap
REFRESH_INTERVAL_S = 300.0  # at most one refresh for unknown key ids per 5 minutes and key-set address
UNKNOWN_KEY_TTL_S = 3600.0
RETRY_AFTER_FAILURE_S = 30.0


class SigningKeyError(jwt.PyJWKClientError):
    """No signing key for this token (unknown key id, or the key set could not be fetched)."""


@dataclass
class _KeySet:
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float | None = None  # monotonic seconds of the last successful fetch
    attempted_at: float | None = None
    failed: bool = False
    unknown: dict[str, float] = field(default_factory=dict)  # kid → remembered until (monotonic)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class SigningKeys:
    """Signing keys by key-set address, fetched with a bounded timeout and cached (see module doc).

    `jwks_url` replaces every key-set address the SDK asks for (a proxy, a sovereign cloud, tests);
    durations in seconds default to the module's constants; `clock` is `time.monotonic` unless a
    test moves time itself.
    """

    def __init__(
        self,
        *,
        jwks_url: str | None = None,
        fetch_timeout_s: float | None = None,
        key_set_ttl_s: float | None = None,
        refresh_interval_s: float | None = None,
        unknown_key_ttl_s: float | None = None,
        retry_after_failure_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jwks_url = jwks_url
        self.fetch_timeout_s = FETCH_TIMEOUT_S if fetch_timeout_s is None else fetch_timeout_s
        self.key_set_ttl_s = KEY_SET_TTL_S if key_set_ttl_s is None else key_set_ttl_s
        self.refresh_interval_s = REFRESH_INTERVAL_S if refresh_interval_s is None else refresh_interval_s
        self.unknown_key_ttl_s = UNKNOWN_KEY_TTL_S if unknown_key_ttl_s is None else unknown_key_ttl_s
        self.retry_after_failure_s = RETRY_AFTER_FAILURE_S if retry_after_failure_s is None else retry_after_failure_s
        self.clock = clock
        self._sets: dict[str, _KeySet] = {}
        self.fetches = 0  # key-set fetches started (for the log and tests)

    def install(self) -> None:
        """Make the SDK's token validator (every instance: it keeps its key client per class) use these keys."""
        from microsoft_agents.hosting.core import JwtTokenValidator

        JwtTokenValidator._jwk_client_manager = self

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> jwt.PyJWK:
        """The key for the token header's `kid`; SigningKeyError when there is none (the SDK answers 401)."""
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise SigningKeyError("token without a key id")
        url = self.jwks_url or jwks_uri
        keys = self._sets.setdefault(url, _KeySet())
        now = self.clock()
        if kid in keys.keys and not self._stale(keys, now):
            return keys.keys[kid]
        if keys.unknown.get(kid, 0.0) > now:
            raise SigningKeyError("unknown key id (remembered)")
        if self._may_fetch(keys, now):
            async with keys.lock:  # one fetch per key set; others wait at most one bounded fetch
                if self._may_fetch(keys, self.clock()):
                    await self._fetch(url, keys)
        key = keys.keys.get(kid)
        if key is not None and not self._stale(keys, self.clock()):
            return key
        if not keys.failed:
            keys.unknown[kid] = self.clock() + self.unknown_key_ttl_s
            self._forget_expired(keys)
        raise SigningKeyError("no signing key for this token's key id")

    def _stale(self, keys: _KeySet, now: float) -> bool:
        return keys.fetched_at is None or now - keys.fetched_at > self.key_set_ttl_s

    def _may_fetch(self, keys: _KeySet, now: float) -> bool:
        if keys.attempted_at is None:
            return True
        since = now - keys.attempted_at
        if keys.failed:
            return since >= self.retry_after_failure_s
        return self._stale(keys, now) or since >= self.refresh_interval_s

    async def _fetch(self, url: str, keys: _KeySet) -> None:
        keys.attempted_at = self.clock()
        self.fetches += 1
        try:
            timeout = aiohttp.ClientTimeout(total=self.fetch_timeout_s)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(url) as response:
                    response.raise_for_status()
                    data = await response.json(content_type=None)
            found = {key.key_id: key for key in jwt.PyJWKSet.from_dict(data).keys if key.key_id}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, jwt.PyJWTError) as exc:
            keys.failed = True
            log.warning("could not fetch Teams signing keys from %s within %.0f s: %s", url, self.fetch_timeout_s, type(exc).__name__)
            return
        keys.keys, keys.fetched_at, keys.failed = found, self.clock(), False
        keys.unknown = {kid: until for kid, until in keys.unknown.items() if kid not in found}
        log.info("fetched %d Teams signing keys from %s", len(found), url)

    def _forget_expired(self, keys: _KeySet) -> None:
        if len(keys.unknown) > 10_000:  # a flood of random key ids must not grow memory without end
            now = self.clock()
            keys.unknown = {kid: until for kid, until in keys.unknown.items() if until > now}
            while len(keys.unknown) > 10_000:
                keys.unknown.pop(next(iter(keys.unknown)))


class RefusalLimiter:
    """Refused requests per client address in a sliding window; `blocked` once there were too many.

    30 refusals a minute is far above what a misconfigured real client produces (Teams retries a
    few times) and far below what a token-guessing loop needs.
    """

    def __init__(self, max_refusals: int = 30, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_refusals = max_refusals
        self.window_s = window_s
        self.clock = clock
        self._refusals: dict[str, deque[float]] = {}

    def blocked(self, address: str | None) -> float:
        """Seconds until `address` may try again (0 when it may now)."""
        times = self._recent(address or "?")
        if len(times) < self.max_refusals:
            return 0.0
        return max(0.0, times[0] + self.window_s - self.clock())

    def refused(self, address: str | None) -> None:
        self._recent(address or "?").append(self.clock())
        if len(self._refusals) > 10_000:
            for key in [k for k, v in self._refusals.items() if not v][:5_000]:
                del self._refusals[key]

    def _recent(self, address: str) -> deque[float]:
        times = self._refusals.setdefault(address, deque())
        cutoff = self.clock() - self.window_s
        while times and times[0] <= cutoff:
            times.popleft()
        return times
