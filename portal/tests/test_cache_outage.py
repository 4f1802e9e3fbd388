import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.tests.factories import PASSWORD

# Nothing listens on port 1: every cache call is refused, as when Redis dies.
DEAD_REDIS = {
    "default": {
        "BACKEND": "config.cache.FailOpenRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS)
def test_logging_in_still_works_while_redis_is_down(client, student):
    assert client.get(reverse("account_login")).status_code == 200
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS)
def test_failed_logins_are_still_limited_while_redis_is_down(client, student):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": student.email, "password": "wrong-password"})
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_one_persons_failed_logins_behind_a_shared_address_do_not_lock_out_the_others(client, student):
    from accounts.tests.factories import StudentFactory

    colleague = StudentFactory()
    for _ in range(6):  # one person at the office keeps getting their password wrong
        client.post(reverse("account_login"), {"login": student.email, "password": "wrong-password"},
                    REMOTE_ADDR="203.0.113.7")
    locked = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD},
                         REMOTE_ADDR="203.0.113.7")
    assert "Too many failed login attempts" in locked.content.decode()  # their own account waits 5 minutes
    client.post(reverse("account_login"), {"login": colleague.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    assert client.session["_auth_user_id"] == str(colleague.pk)  # the colleague at the same address gets in
