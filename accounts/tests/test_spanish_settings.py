"""Settings > Profile in each person's language; changing the language answers in the new one."""

import pytest
from django.urls import reverse
from django.utils import translation

from .factories import StudentFactory

pytestmark = pytest.mark.django_db
URL = reverse("accounts:settings-profile")


@pytest.fixture(autouse=True)
def _english_afterwards():
    # A request by a Spanish speaker leaves Spanish active in this thread (the language middleware
    # doesn't deactivate it): don't let it leak into the tests that run next.
    yield
    translation.deactivate()


def post(client, user, **changes):
    data = {"full_name": user.full_name, "timezone": user.timezone, "language": user.language, **changes}
    return client.post(URL, data, follow=True)


def test_the_language_field_names_each_language_in_itself(client):
    user = StudentFactory(language="es")
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert "Idioma" in html and "Perfil y zona horaria" in html
    assert '<option value="en" lang="en">English</option>' in html
    assert '<option value="es" lang="es" selected>Español</option>' in html


def test_switching_to_spanish_says_saved_in_spanish(client):
    user = StudentFactory(language="en")
    client.force_login(user)
    html = post(client, user, language="es").content.decode()
    user.refresh_from_db()
    assert user.language == "es"
    assert "Guardado." in html and '<html lang="es">' in html
    assert "Saved." not in html


def test_switching_back_to_english_says_saved_in_english(client):
    user = StudentFactory(language="es", timezone="Europe/Madrid")
    client.force_login(user)
    html = post(client, user, language="en", timezone="America/Bogota").content.decode()
    assert "Saved. Times are now shown in America/Bogota." in html
    assert "Guardado" not in html


def test_a_bad_time_zone_is_refused_in_spanish(client):
    user = StudentFactory(language="es")
    client.force_login(user)
    html = post(client, user, timezone="Mars/Olympus").content.decode()
    assert "«Mars/Olympus» no es una zona horaria que conozcamos" in html
