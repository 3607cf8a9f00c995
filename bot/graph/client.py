"""Microsoft Graph connections: the app's credential from the settings, a client for the configured
base URL (`GRAPH_API_URL`, default Microsoft's), and closing what we opened.

Used by the Teams front end (the asker's role) and by the SharePoint sync.
"""
from __future__ import annotations

import asyncio
import os
from typing import Union
from urllib.parse import urlparse

import httpx
from azure.core.credentials import TokenCredential
from azure.core.credentials_async import AsyncTokenCredential
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph_core import GraphClientFactory

from bot.settings import Settings

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"
Credential = Union[TokenCredential, AsyncTokenCredential]


def graph_base_url(api_url: str | None) -> str:
    """GRAPH_API_URL may be given with or without the API version ('…/v1.0')."""
    if not api_url:
        return DEFAULT_GRAPH_URL
    url = api_url.rstrip("/")
    return url if url.rsplit("/", 1)[-1] in ("v1.0", "beta") else f"{url}/v1.0"


def graph_client(credential: Credential, api_url: str | None = None, http: httpx.AsyncClient | None = None) -> GraphServiceClient:
    """A Graph client with the token scope and allowed host taken from the base URL (default Microsoft's)."""
    base_url = graph_base_url(api_url)
    host = urlparse(base_url).hostname or "graph.microsoft.com"
    auth = AzureIdentityAuthenticationProvider(credential, allowed_hosts=[host])
    adapter = GraphRequestAdapter(auth, client=http or GraphClientFactory.create_with_default_middleware())
    adapter.base_url = base_url
    return GraphServiceClient(request_adapter=adapter)


def app_credential(settings: Settings, managed_identity: bool = False) -> Credential | None:
    """The app registration's client secret (`GRAPH_*`), else — where allowed and the host provides
    one (App Service, Container Apps, Functions) — the managed identity; None when neither is set."""
    if settings.graph_tenant_id and settings.graph_client_id and settings.graph_client_secret:
        from azure.identity.aio import ClientSecretCredential

        return ClientSecretCredential(settings.graph_tenant_id, settings.graph_client_id, settings.graph_client_secret)
    if managed_identity and (os.environ.get("IDENTITY_ENDPOINT") or os.environ.get("MSI_ENDPOINT")):
        from azure.identity.aio import ManagedIdentityCredential

        return ManagedIdentityCredential(client_id=settings.graph_client_id) if settings.graph_client_id else ManagedIdentityCredential()
    return None


class GraphConnection:
    """A Graph client and what it was opened with; `close()` closes the HTTP pool, and the
    credential when this connection created it."""

    def __init__(self, client: GraphServiceClient, http: httpx.AsyncClient | None = None, owned_credential: Credential | None = None) -> None:
        self.client = client
        self._http = http
        self._credential = owned_credential

    @classmethod
    def open(cls, settings: Settings, credential: Credential, owned: bool) -> "GraphConnection":
        http = GraphClientFactory.create_with_default_middleware()
        return cls(graph_client(credential, settings.graph_api_url, http), http, credential if owned else None)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self._credential is not None and hasattr(self._credential, "close"):
            result = self._credential.close()
            if asyncio.iscoroutine(result):
                await result
