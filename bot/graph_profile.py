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
from typing import Union
from urllib.parse import urlparse

import httpx

from azure.core.credentials import TokenCredential
from azure.core.credentials_async import AsyncTokenCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph_core import GraphClientFactory
from msgraph.generated.users.item.user_item_request_builder import UserItemRequestBuilder

from bot.settings import Settings
from knowledge.roles import role_from_title

log = logging.getLogger(__name__)

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
Credential = Union[TokenCredential, AsyncTokenCredential]


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
        self._credential = credential  # closed with `close()` when we created it
        self._http = http  # likewise
        self._cache: dict[str, tuple[float, str | None]] = {}

    @classmethod
    def from_settings(cls, settings: Settings, credential: Credential | None = None, **options: float) -> "GraphProfiles":
        """A client for the configured app registration, or a disabled lookup when Graph isn't configured.

        `credential` replaces the client-secret credential (managed identity, tests).
        """
        owned = None
        if credential is None:
            if not (settings.graph_tenant_id and settings.graph_client_id and settings.graph_client_secret):
                log.info("Microsoft Graph is not configured (GRAPH_TENANT_ID / GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET): no roles from profiles")
                return cls(None, **options)
            from azure.identity.aio import ClientSecretCredential

            credential = owned = ClientSecretCredential(
                settings.graph_tenant_id, settings.graph_client_id, settings.graph_client_secret
            )
        http = GraphClientFactory.create_with_default_middleware()
        return cls(graph_client(credential, settings.graph_api_url, http), credential=owned, http=http, **options)

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
        if self._http is not None:
            await self._http.aclose()
        if self._credential is not None and hasattr(self._credential, "close"):
            result = self._credential.close()
            if asyncio.iscoroutine(result):
                await result


def graph_client(credential: Credential, api_url: str | None = None, http: httpx.AsyncClient | None = None) -> GraphServiceClient:
    """A Graph client with the token scope and allowed host taken from the base URL (default Microsoft's)."""
    base_url = graph_base_url(api_url)
    host = urlparse(base_url).hostname or "graph.microsoft.com"
    auth = AzureIdentityAuthenticationProvider(credential, allowed_hosts=[host])
    adapter = GraphRequestAdapter(auth, client=http or GraphClientFactory.create_with_default_middleware())
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)


def graph_base_url(api_url: str | None) -> str:
    """GRAPH_API_URL may be given with or without the API version ('…/v1.0')."""
    if not api_url:
        return DEFAULT_GRAPH_URL
    url = api_url.rstrip("/")
    return url if url.rsplit("/", 1)[-1] in ("v1.0", "beta") else f"{url}/v1.0"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"[:300]
