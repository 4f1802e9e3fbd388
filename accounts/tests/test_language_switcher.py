"""The footer's language switcher: a visitor's choice is a cookie, a signed-in person's is saved on the
account; a GET changes nothing, and a language we don't offer is ignored, never a 500."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import StudentFactory

pytestmark = pytest.mark.django_db
URL = reverse("accounts:set-language")


def test_a_visitor_switches_to_spanish_by_cookie_and_goes_back_to_the_page(client):
    response = client.post(URL, {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert '<html lang="es">' in client.get("/accounts/login/").content.decode()


def test_a_signed_in_student_saves_the_choice_on_the_account(client):
    student = StudentFactory()
    client.force_login(student)
    client.post(URL, {"language": "es", "next": "/overview/"})
    student.refresh_from_db()
    assert student.language == "es"
    # The account wins over the browser: an English Accept-Language doesn't change the page.
    page = client.get(reverse("accounts:settings-profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in page.content.decode()


def test_a_get_is_refused_and_changes_nothing(client):
    student = StudentFactory()
    client.force_login(student)
    assert client.get(URL, {"language": "es"}).status_code == 405
    student.refresh_from_db()
    assert student.language == "en"


def test_a_language_we_dont_offer_is_ignored(client):
    student = StudentFactory()
    client.force_login(student)
    response = client.post(URL, {"language": "xx", "next": "https://evil.example.com/"})
    assert response.status_code == 302 and "evil.example.com" not in response["Location"]
    student.refresh_from_db()
    assert student.language == "en"
