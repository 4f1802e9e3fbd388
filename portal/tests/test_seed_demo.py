import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_logins_that_work(client, capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out

    login_lines = [line for line in second.splitlines() if " / " in line]
    assert len(login_lines) == 9
    assert login_lines[-9:] == [line for line in first.splitlines() if " / " in line][-9:]
    assert User.objects.filter(role=Role.MANAGER).count() == 1
    assert User.objects.filter(role=Role.MENTOR).count() == 3
    assert User.objects.filter(role=Role.STUDENT).count() == 5
    zones = set(User.objects.values_list("timezone", flat=True))
    assert {"America/New_York", "Europe/London", "Asia/Kolkata"} <= zones

    for line in login_lines:
        role, rest = line.split(": ", 1)
        email, password = rest.split(" / ")
        assert password == settings.DEMO_PASSWORD
        client.logout()
        response = client.post("/accounts/login/", {"login": email, "password": password})
        assert response.status_code == 302, f"{role} {email} could not log in"
