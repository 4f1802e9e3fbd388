"""Production settings, checked in fresh processes with their own environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "mentorship.example.com",
    "SITE_URL": "https://mentorship.example.com",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/mentorship",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
}


def _manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check(collected_static):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(collected_static)}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("secret", [None, "short", "django-insecure-local-development-only-key-do-not-deploy"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Production mode (DEBUG=false) needs a real SECRET_KEY" in result.stderr


def test_the_suite_stops_with_a_message_when_postgresql_is_unreachable(tmp_path):
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/mentorship"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--rootdir={ROOT}", "-c",
         str(ROOT / "pytest.ini"), str(tmp_path / "test_nothing.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "PostgreSQL is unreachable" in result.stdout + result.stderr
    assert "1 passed" not in result.stdout


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """STATIC_ROOT after the deployment step `collectstatic --noinput`."""
    root = tmp_path_factory.mktemp("static")
    result = _manage("collectstatic", "--noinput", env={**PRODUCTION_ENV, "STATIC_ROOT": str(root)})
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_production_without_collected_static_files_refuses_to_start(tmp_path):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "empty")}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "config.E001" in result.stderr and "collectstatic --noinput" in result.stderr
    # gunicorn runs no checks; the WSGI module refuses to load instead.
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")}
    wsgi = subprocess.run([sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)
    assert wsgi.returncode != 0 and "static files have not been collected" in wsgi.stderr


def test_production_after_collectstatic_serves_pages_with_hashed_static_files(collected_static):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(collected_static)}
    assert _manage("check", env=env).returncode == 0
    script = (
        "from django.test import Client; "
        "r = Client(HTTP_HOST='mentorship.example.com').get('/accounts/login/', secure=True); "
        "print(r.status_code); print(r.content.decode())"
    )
    result = _manage("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    status, html = result.stdout.split("\n", 1)
    assert status == "200"
    assert re.search(r"/static/css/site\.[0-9a-f]{12}\.css", html)
