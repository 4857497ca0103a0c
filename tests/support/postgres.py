"""A throwaway PostgreSQL server for the tests, started from the distribution's binaries.

Real components, really started: the tests run against a real server on
loopback, never a mock. ``.ci/run`` (scripts/setup.sh) installs the binaries.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found: run scripts/setup.sh (apt-get install postgresql)"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    root: Path
    port: int
    bindir: Path
    run_as: list[str]

    @property
    def url(self) -> str:
        return f"postgresql://trustbot@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.run_as, *args], capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        data = self.root / "data"
        result = self._run(str(self.bindir / "initdb"), "-D", str(data), "-U", "trustbot",
                           "--auth=trust", "-E", "UTF8", "--no-sync")
        if result.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {result.stderr.strip()[-500:]}")
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        result = self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options,
                           "-l", str(self.root / "server.log"), "-w", "start")
        if result.returncode != 0:
            raise PostgresUnavailable(f"pg_ctl start failed: {result.stderr.strip()[-500:]}")

    def create_database(self, name: str) -> str:
        result = self._run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                           "-U", "trustbot", name)
        if result.returncode != 0:
            raise PostgresUnavailable(f"createdb failed: {result.stderr.strip()}")
        return f"postgresql://trustbot@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop")


def start_server(root: Path) -> PostgresServer:
    """Start a server in ``root``; as root, run it as the ``postgres`` user (initdb refuses root)."""
    bindir = _bindir()
    run_as: list[str] = []
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' user") from None
        os.chown(root, owner.pw_uid, owner.pw_gid)
        os.chmod(root, 0o700)
        run_as = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(root, free_port(), bindir, run_as)
    server.start()
    return server
