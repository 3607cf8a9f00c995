"""The asker's role from Microsoft Graph: the real msgraph-sdk client against a local stand-in for
`/v1.0/users/{id}?$select=jobTitle,department`, with a local token credential."""
from __future__ import annotations

import logging

import pytest
from azure.identity.aio import ClientSecretCredential

from bot.graph.client import DEFAULT_GRAPH_URL, graph_base_url, graph_client
from bot.graph.profile import GraphProfiles
from tests.conftest import hashing_settings
from tests.standins.teams_standin import FakeGraph, LocalCredential, free_port_url

KARI = "a1b2c3d4-0000-4000-8000-00000000ka01"
KOMM = "a1b2c3d4-0000-4000-8000-00000000c0mm"
SYKEPLEIER = "a1b2c3d4-0000-4000-8000-0000005ykep1"


@pytest.fixture
async def graph():
    fake = FakeGraph(
        users={
            KARI: {"jobTitle": "Enhetsleder hjemmetjenesten", "department": "Helse og omsorg"},
            KOMM: {"jobTitle": "", "department": "Kommunikasjonsavdelingen"},
            SYKEPLEIER: {"jobTitle": "Sykepleier", "department": "Kommunikasjonsavdelingen"},
        }
    )
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def credential():
    return LocalCredential()


@pytest.fixture
async def profiles(graph, credential):
    lookup = GraphProfiles(graph_client(credential, graph.url))
    yield lookup
    await lookup.close()


async def test_an_enhetsleder_title_is_the_unit_leader_role(profiles, graph, credential):
    assert await profiles.role(KARI) == "unit_leader"

    (request,) = graph.requests
    assert request.path == f"/v1.0/users/{KARI}"
    assert request.query["$select"] == "jobTitle,department"
    assert request.headers["Authorization"] == "Bearer graph-test-token"
    assert credential.scopes == [("http://127.0.0.1/.default",)]


async def test_without_a_job_title_the_department_tells_the_role(profiles):
    assert await profiles.role(KOMM) == "comms"


async def test_a_job_title_outside_the_lexicon_is_an_employee_whatever_the_department(profiles):
    assert await profiles.role(SYKEPLEIER) == "employee"


async def test_roles_are_cached(profiles, graph):
    assert [await profiles.role(KARI) for _ in range(3)] == ["unit_leader"] * 3
    assert len(graph.requests) == 1


async def test_the_cache_expires(graph):
    lookup = GraphProfiles(graph_client(LocalCredential(), graph.url), ttl=0)
    try:
        await lookup.role(KARI)
        await lookup.role(KARI)
    finally:
        await lookup.close()
    assert len(graph.requests) == 2


async def test_an_unknown_user_has_no_role_and_is_not_asked_for_again_at_once(profiles, graph, caplog):
    with caplog.at_level(logging.WARNING, logger="bot.graph.profile"):
        assert await profiles.role("not-in-entra") is None
        assert await profiles.role("not-in-entra") is None
    assert len(graph.requests) == 1
    assert "no role from Microsoft Graph for not-in-entra" in caplog.text


async def test_a_slow_graph_is_given_up_on(graph):
    graph.delay = 1.0
    lookup = GraphProfiles(graph_client(LocalCredential(), graph.url), timeout=0.2)
    try:
        assert await lookup.role(KARI) is None
    finally:
        await lookup.close()


async def test_graph_down_means_no_role(caplog):
    lookup = GraphProfiles(graph_client(LocalCredential(), free_port_url()), timeout=2.0)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.graph.profile"):
            assert await lookup.role(KARI) is None
    finally:
        await lookup.close()
    assert "no role from Microsoft Graph" in caplog.text


async def test_no_user_id_or_no_graph_configuration_means_no_role(tmp_path, profiles, graph):
    assert await profiles.role(None) is None
    unconfigured = GraphProfiles.from_settings(hashing_settings(tmp_path))
    assert not unconfigured.enabled
    assert await unconfigured.role(KARI) is None
    assert graph.requests == []


async def test_the_graph_settings_make_a_client_secret_credential_for_the_configured_base_url(tmp_path):
    settings = hashing_settings(
        tmp_path,
        graph_tenant_id="5f1c0b2e-0000-4000-8000-0000000a5e00",
        graph_client_id="00000000-0000-4000-8000-0000000b0771",
        graph_client_secret="not-a-real-secret",
        graph_api_url="http://127.0.0.1:9/",
    )
    lookup = GraphProfiles.from_settings(settings)
    try:
        assert lookup.enabled
        assert isinstance(lookup._connection._credential, ClientSecretCredential)  # made here, closed with it
        assert lookup.client.request_adapter.base_url == "http://127.0.0.1:9/v1.0"
    finally:
        await lookup.close()


def test_the_graph_base_url_may_be_given_with_or_without_the_api_version():
    assert graph_base_url(None) == DEFAULT_GRAPH_URL == "https://graph.microsoft.com/v1.0"
    assert graph_base_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/v1.0"
    assert graph_base_url("http://127.0.0.1:8080/v1.0/") == "http://127.0.0.1:8080/v1.0"
    assert graph_base_url("https://graph.microsoft.us/beta") == "https://graph.microsoft.us/beta"
