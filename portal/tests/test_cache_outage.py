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
