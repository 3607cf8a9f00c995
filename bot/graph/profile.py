"""The asker's role from their Microsoft Entra profile, read through Microsoft Graph.

Teams tells us who asked (`from.aadObjectId`), not what they do; their `jobTitle` (or, when it is
empty, their `department`) mapped through the role lexicon lets the engine pick the rule for them.
A role is a help, never a requirement: when Graph isn't configured, is slow or fails, the answer
comes without one.
"""
from __future__ import annotations

import asyncio
import logging
import time

import httpx

from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph import GraphServiceClient
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder

from bot.graph.client import Credential, GraphConnection, app_credential
from bot.settings import Settings
from knowledge.roles import role_from_title

log = logging.getLogger(__name__)



class GraphProfiles:
    """Roles by Entra object id, cached; `role()` returns None rather than failing."""

    def __init__(
        self,
        client: GraphServiceClient | None,
        *,
        ttl: float = 3600.0,
        failure_ttl: float = 60.0,
        timeout: float = 5.0,
        credential: Credential | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.failure_ttl = failure_ttl  # a failing Graph is asked again soon, not on every question
        self.timeout = timeout
        self._connection = GraphConnection(client, http, credential) if client is not None else None
        self._cache: dict[str, tuple[float, str | None]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, credential: Credential | None = None, **options: float) -> "GraphProfiles":
        """A client for the configured app registration, or a disabled lookup when Graph isn't configured.

        `credential` replaces the client-secret credential (managed identity, tests).
        """
        owned = credential is None
        if credential is None:
            credential = app_credential(settings)
            if credential is None:
                log.info("Microsoft Graph is not configured (GRAPH_TENANT_ID / GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET): no roles from profiles")
                return cls(None, **options)
        connection = GraphConnection.open(settings, credential, owned)
        profiles = cls(connection.client, **options)
        profiles._connection = connection
        return profiles

    @property
    def enabled(self) -> bool:
        return self.client is not None

    async def role(self, aad_object_id: str | None) -> str | None:
        """The role for this Entra user, or None (not configured, unknown user, Graph failing)."""
        if self.client is None or not aad_object_id:
            return None
        cached = self._cache.get(aad_object_id)
        now = time.monotonic()
        if cached and cached[0] > now:
            return cached[1]
        try:
            title, department = await asyncio.wait_for(self._profile(aad_object_id), self.timeout)
        except Exception as exc:  # noqa: BLE001 - any Graph failure means "no role", never a failed answer
            log.warning("no role from Microsoft Graph for %s: %s", aad_object_id, _describe(exc))
            self._cache[aad_object_id] = (now + self.failure_ttl, None)
            return None
        role = role_from_title(title) if title and title.strip() else role_from_title(department)
        self._cache[aad_object_id] = (now + self.ttl, role)
        log.debug("role %s for %s (jobTitle %r, department %r)", role, aad_object_id, title, department)
        return role

    async def _profile(self, aad_object_id: str) -> tuple[str | None, str | None]:
        assert self.client is not None
        query = UserItemRequestBuilder.UserItemRequestBuilderGetQueryParameters(select=["jobTitle", "department"])
        user = await self.client.users.by_user_id(aad_object_id).get(
            request_configuration=RequestConfiguration(query_parameters=query)
        )
        if user is None:
            return None, None
        return user.job_title, user.department

    async def close(self) -> None:
        """Close the HTTP connections, and the credential when we made it."""
        if self._connection is not None:
            await self._connection.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"[:300]
