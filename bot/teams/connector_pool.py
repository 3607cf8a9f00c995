"""Connector clients that keep their connections open between turns.

The Agents SDK makes a new connector client for every turn, each with an aiohttp session of its
own, and closes it when the turn ends: every answer (a proactive turn: typing, then the card)
opened a new connection to the Bot Framework connector — in production a new TLS handshake with
`smba.trafficmanager.net` per answer, on the same loop that posts the other answers. Here the
clients a loop makes share one connection pool (an `aiohttp.TCPConnector` per event loop: the
receiving loop and the answer loop each have their own, as a connector belongs to one loop), so
consecutive answers reuse a connection. Tokens stay per client: each client's session carries the
`Authorization` header the SDK chose for its turn. Like the SDK's own clients, a pool sets no cap
on connections at once.
"""
from __future__ import annotations

import asyncio
import logging
import threading

import aiohttp
from microsoft_agents.hosting.core import RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 30.0  # an idle connection to the connector is closed after this long
CLOSE_SECONDS = 5.0  # closing another loop's pool waits at most this long


class PooledConnectorClients(RestChannelServiceClientFactory):
    """The SDK's REST client factory (same tokens, same client class), with one connection pool
    per event loop under every `TeamsConnectorClient` it makes. Once `close`d, clients get a
    connection pool of their own again (closed with them, as the SDK's are)."""

    def __init__(self, connection_manager, **options) -> None:
        super().__init__(connection_manager, **options)
        self._pools: dict[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = {}
        self._lock = threading.Lock()  # the receiving loop and the answer loop run on different threads
        self._closed = False

    def _pool(self) -> aiohttp.TCPConnector | None:
        """This loop's shared pool; None once closed."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._closed:
                return None
            pool = self._pools.get(loop)
            if pool is None or pool.closed:
                for gone in [known for known in self._pools if known.is_closed()]:
                    del self._pools[gone]
                pool = self._pools[loop] = aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEPALIVE_SECONDS)
            return pool

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        """The SDK's client for `service_url`, its session on this loop's shared pool. Other client
        kinds (Copilot Studio's connector) are returned as the SDK makes them."""
        made = await super().create_connector_client(context, claims_identity, service_url, audience, scopes, use_anonymous)
        pool = self._pool()
        if type(made) is not TeamsConnectorClient or pool is None:
            return made
        authorization = made.client.headers.get("Authorization")
        await made.close()  # its own session: never used, no connection opened
        session = aiohttp.ClientSession(
            base_url=service_url if service_url.endswith("/") else service_url + "/",
            connector=pool,
            connector_owner=False,  # the turn closes its client; the pool stays for the next turn
            headers={"Authorization": authorization} if authorization else None,
        )
        return TeamsConnectorClient(endpoint=service_url, token="", session=session)

    async def close(self) -> None:
        """Close every loop's pool, each on its own loop (call it once the turns have ended: on the
        web app's cleanup, after its requests have been handled). Later clients get pools of their own."""
        with self._lock:
            self._closed = True
            pools, self._pools = list(self._pools.items()), {}
        here = asyncio.get_running_loop()
        for loop, pool in pools:
            if loop is here:
                await pool.close()
            elif loop.is_running():
                try:
                    closing = asyncio.run_coroutine_threadsafe(_close(pool), loop)
                    await asyncio.wait_for(asyncio.wrap_future(closing), CLOSE_SECONDS)
                except Exception:  # noqa: BLE001 - the process is stopping anyway
                    log.debug("could not close a pool of connections to the connector", exc_info=True)
            # a loop that has stopped took its connections with it


async def _close(pool: aiohttp.TCPConnector) -> None:
    await pool.close()
