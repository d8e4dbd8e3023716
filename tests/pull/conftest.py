"""Fixtures of the pull tests: a real PostgreSQL server, started from Debian's binaries into a
temporary folder on a free port. Locally it skips, saying why, when the binaries are missing;
under CI it fails instead (.ci/run installs `postgresql`)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PUMPSITE_PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    password: str

    def url(self, password: str = "${PG_PASSWORD}") -> str:
        return f"postgresql://{self.user}:{password}@127.0.0.1:{self.port}/postgres"

    def run(self, sql: str) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={self.user} password={self.password}"
        with psycopg.connect(dsn + " dbname=postgres", autocommit=True) as connection:
            connection.execute(sql.encode())


def _binaries() -> Path | None:
    for folder in [PG_BIN, *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    binaries = _binaries()
    if binaries is None:
        reason = (
            "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: "
            "apt-get install postgresql to run the PostgreSQL tests"
        )
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI never skips them)")
        pytest.skip(reason)
    # initdb refuses to run as root: then the server runs as Debian's postgres user.
    as_user = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="pumpsite-test-pg-"))
    if as_user:
        shutil.chown(folder, "postgres")
    data, port, password = folder / "data", _free_port(), "s3cret-@/pw"
    secret = folder / "password"
    secret.write_text(password + "\n")
    if as_user:
        shutil.chown(secret, "postgres")
    run = lambda *command: subprocess.run([*as_user, *command], check=True, capture_output=True)  # noqa: E731
    run(str(binaries / "initdb"), "-D", str(data), "-U", "pumpsite", "-A", "scram-sha-256",
        f"--pwfile={secret}", "--no-sync")  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
        "-w", "start")  # fmt: skip
    server = Postgres(port, "pumpsite", password)
    try:
        for _ in range(50):
            try:
                server.run("select 1")
                break
            except Exception:
                time.sleep(0.1)
        yield server
    finally:
        run(str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)
