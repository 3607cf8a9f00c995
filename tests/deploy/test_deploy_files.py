"""What an IT team starts from (deploy/): the Containerfile, the Compose file and the Kubernetes
Deployment name only settings, paths, commands and endpoints that exist in the code."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from bot.settings import Settings
from tests.conftest import hashing_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CONTAINERFILE = DEPLOY / "Containerfile"
COMPOSE = DEPLOY / "compose.yaml"
KUBERNETES = DEPLOY / "kubernetes" / "deployment.yaml"
ENV_NAME = re.compile(r"\b((?:VEILEDER|SLACK|GRAPH)_[A-Z0-9_]*[A-Z0-9]|CONNECTIONS__[A-Z0-9_]*[A-Z0-9])\b")


def setting_names() -> set[str]:
    """Every environment variable the settings object reads."""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        names.add(f"VEILEDER_{name.upper()}")
        alias = field.validation_alias
        names.update(getattr(alias, "choices", [alias] if isinstance(alias, str) else []))
    return names


def containerfile_env() -> dict[str, str]:
    text = CONTAINERFILE.read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            for pair in shlex.split(line[4:]):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def deployment() -> dict:
    return next(d for d in yaml.safe_load_all(KUBERNETES.read_text()) if d["kind"] == "Deployment")


def test_every_setting_named_in_deploy_exists_in_the_settings():
    known = setting_names()
    for path in (CONTAINERFILE, COMPOSE, KUBERNETES):
        for name in set(ENV_NAME.findall(path.read_text())):
            if name.startswith("CONNECTIONS__"):  # the Agents SDK's own configuration (bot/teams/app.py)
                assert name.startswith("CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"), (path.name, name)
                continue
            assert name in known, f"{path.name} names {name}, which no setting reads"


def test_the_containerfile_copies_what_exists_and_runs_the_real_command():
    lines = CONTAINERFILE.read_text().splitlines()
    copied = [line.split()[1:-1] for line in lines if line.startswith("COPY ")]
    for sources in copied:
        for source in sources:
            assert (ROOT / source).exists(), source
    cmd = next(line for line in lines if line.startswith("CMD "))
    assert cmd == 'CMD ["veileder", "serve"]'
    assert 'veileder = "bot.cli.app:main"' in (ROOT / "pyproject.toml").read_text()
    env = containerfile_env()
    assert set(env) & setting_names() == {k for k in env if k.startswith("VEILEDER_")}
    assert Settings(_env_file=None, port=int(env["VEILEDER_PORT"])).port == 3978 == Settings.model_fields["port"].default
    assert f"EXPOSE {env['VEILEDER_PORT']}" in lines


def test_compose_runs_postgresql_and_two_replicas_sharing_the_index_volume():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    replicas = [s for name, s in services.items() if name.startswith("veileder-")]
    assert len(replicas) == 2 and services["db"]["image"].endswith("postgres:15")
    for replica in replicas:
        env = replica["environment"]
        assert env["VEILEDER_DATABASE_URL"].startswith("postgresql+psycopg://") and "@db/" in env["VEILEDER_DATABASE_URL"]
        assert f"index:{env['VEILEDER_INDEX_DIR']}" in replica["volumes"]
        assert any(v.endswith(f":{env['VEILEDER_DATA_DIR']}") for v in replica["volumes"])
        assert replica["build"]["dockerfile"] == "deploy/Containerfile" and (COMPOSE.parent / replica["build"]["context"] / replica["build"]["dockerfile"]).exists()
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
        assert replica["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_kubernetes_deployment_probes_endpoints_the_server_has(tmp_path):
    from bot.admin.crisis import CrisisStore
    from bot.admin.question_log import QuestionLog
    from bot.serve import create_web_app
    from bot.services import BotServices
    from bot.store.setup import open_store

    settings = hashing_settings(tmp_path)
    database = open_store(settings)
    app = create_web_app(BotServices(settings, None, QuestionLog.open(settings, database), CrisisStore(database)))
    paths = {route.resource.canonical for route in app.router.routes() if route.method == "GET"}

    spec = deployment()["spec"]
    assert spec["replicas"] >= 2
    (container,) = spec["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    port = next(p["containerPort"] for p in container["ports"] if p["name"] == "http")
    assert int(env["VEILEDER_PORT"]) == port
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["path"] in paths, probe
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["index"] == env["VEILEDER_INDEX_DIR"] and mounts["data"] == env["VEILEDER_DATA_DIR"]
    claim = next(d for d in yaml.safe_load_all(KUBERNETES.read_text()) if d["kind"] == "PersistentVolumeClaim")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert container["command"] == ["veileder", "serve"]
