"""Find a PostgreSQL server for the tests, or start a throwaway one, or say why not.

1. ``GOVTIER_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``) is tried.
2. Unreachable and ``CI=true``: fail loudly (:class:`PostgresUnavailableError`) — CI never skips.
3. Unreachable on a user's machine: if ``initdb`` and ``pg_ctl`` are on PATH, a throwaway server
   is started on 127.0.0.1 (a free port, a temporary directory, no fsync) for the session and
   stopped afterwards. As root, the server runs as the ``postgres`` system user (initdb refuses
   root).
4. Otherwise the tests are skipped with a message saying why and how to enable them.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

ENV_URL = "GOVTIER_TEST_POSTGRES_URL"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
HOW_TO = (
    f"To run them, set {ENV_URL} to a server where you may create schemas "
    f"(e.g. {DEFAULT_URL}), or install the PostgreSQL server binaries (initdb, pg_ctl) so the "
    "tests start a throwaway server themselves."
)


class PostgresUnavailableError(RuntimeError):
    """CI=true and no PostgreSQL server: the tests must not be skipped."""


def safe_url(url: str) -> str:
    """The URL without its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "<malformed URL>"
    user = parts.get("user", "")
    host, port, db = parts.get("host", "localhost"), parts.get("port", 5432), parts.get("dbname")
    return f"postgresql://{user}{'@' if user else ''}{host}:{port}/{db or ''}"


def probe(url: str, timeout: int = 3) -> Exception | None:
    """``None`` when a connection to ``url`` works, else the error."""
    try:
        with psycopg.connect(url, connect_timeout=timeout) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return exc
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ThrowawayServer:
    """A PostgreSQL server in a temporary directory, on 127.0.0.1."""

    directory: Path
    port: int
    pg_ctl: str
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls, initdb: str, pg_ctl: str) -> ThrowawayServer:
        """Initialise and start a server; raise RuntimeError saying why when it cannot."""
        user = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                msg = "initdb refuses to run as root and there is no 'postgres' user to run it as"
                raise RuntimeError(msg) from None
            user = "postgres"
        directory = Path(tempfile.mkdtemp(prefix="govtier-pg-"))
        if user is not None:
            shutil.chown(directory, user=user)
        server = cls(directory=directory, port=free_port(), pg_ctl=pg_ctl, user=user)
        try:
            server._run(
                initdb, "-D", str(directory / "data"), "-U", "postgres", "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            options = f"-h 127.0.0.1 -p {server.port} -k {directory} -F -c fsync=off"
            server._run(
                pg_ctl, "-D", str(directory / "data"), "-l", str(directory / "log"),
                "-o", options, "-w", "-t", "60", "start",
            )  # fmt: skip
        except Exception:
            server.stop()
            raise
        return server

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            args, capture_output=True, text=True, user=self.user, timeout=120, check=False
        )
        if result.returncode != 0:
            msg = f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()}"
            raise RuntimeError(msg)

    def stop(self) -> None:
        """Stop the server (immediately) and remove its directory."""
        if (self.directory / "data" / "postmaster.pid").exists():
            with contextlib.suppress(Exception):
                self._run(
                    self.pg_ctl, "-D", str(self.directory / "data"), "-m", "immediate", "stop"
                )
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class Resolution:
    """A server URL to use, or why the PostgreSQL tests are skipped."""

    url: str | None = None
    skip_reason: str | None = None
    server: ThrowawayServer | None = None

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def resolve(env: Mapping[str, str] | None = None, *, path: str | None = None) -> Resolution:
    """Find a server as the module docstring says (``path`` is where to look for binaries)."""
    env = os.environ if env is None else env
    url = env.get(ENV_URL) or DEFAULT_URL
    error = probe(url)
    if error is None:
        return Resolution(url=url)
    why = f"no PostgreSQL server answers at {safe_url(url)} ({type(error).__name__}: {error})"
    if env.get("CI", "").lower() == "true":
        msg = f"CI=true, so the PostgreSQL tests must run, but {why}. {HOW_TO}"
        raise PostgresUnavailableError(msg)
    initdb, pg_ctl = shutil.which("initdb", path=path), shutil.which("pg_ctl", path=path)
    if initdb is None or pg_ctl is None:
        reason = (
            f"PostgreSQL tests skipped: {why}, and initdb/pg_ctl are not on PATH to start a "
            f"throwaway server. {HOW_TO}"
        )
        return Resolution(skip_reason=reason)
    try:
        server = ThrowawayServer.start(initdb, pg_ctl)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        reason = f"PostgreSQL tests skipped: {why}, and a throwaway server failed: {exc}. {HOW_TO}"
        return Resolution(skip_reason=reason)
    return Resolution(url=server.url, server=server)


_SESSION: Resolution | None = None


def session_resolution() -> Resolution:
    """The resolution for this test process, made once; a throwaway server stops at exit."""
    global _SESSION
    if _SESSION is None:
        _SESSION = resolve()
        atexit.register(_SESSION.close)
    return _SESSION
