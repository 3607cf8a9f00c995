"""A throwaway PostgreSQL server on 127.0.0.1 for the question log's tests, started and stopped by
the tests themselves (Debian's `postgresql`, which `make test` installs as root when missing; without it
those tests are skipped and counted by reason at the end of the run)."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Iterator


def _binary(name: str) -> str | None:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` user then."""
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def start_postgres() -> Iterator[str]:
    """Yields a base URL (`postgresql+psycopg://veileder@127.0.0.1:PORT`), stops the server after."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not (initdb and pg_ctl):
        raise RuntimeError("PostgreSQL is not installed (initdb / pg_ctl not found)")
    root = Path(tempfile.mkdtemp(prefix="veileder-pg-"))
    data, sockets = root / "data", root / "sockets"
    data.mkdir()
    sockets.mkdir()
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        shutil.chown(data, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    try:
        subprocess.run(_as_server_user([initdb, "-D", str(data), "-A", "trust", "-U", "veileder", "--no-sync"]),
                       check=True, capture_output=True)
        options = f"-h 127.0.0.1 -p {port} -k {sockets} -F"
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-o", options, "-w", "-t", "30", "-l", str(sockets / "log"), "start"]),
                       check=True, capture_output=True)
        yield f"postgresql+psycopg://veileder@127.0.0.1:{port}"
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def new_database(base_url: str) -> str:
    """A fresh, empty database on the server; returns its URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    host_port = base_url.rsplit("@", 1)[1]
    host, port = host_port.split(":")
    with psycopg.connect(host=host, port=int(port), user="veileder", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base_url}/{name}"
