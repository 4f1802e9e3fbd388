import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import PASSWORD, MentorFactory, StudentFactory

pytestmark = pytest.mark.django_db


def _confirmation_link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_verify_then_login_lands_on_the_student_overview(client, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    # allauth's emails go through the outbox, delivered after commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {
                "email": "New.Student@Example.com",
                "full_name": "New Student",
                "timezone": "Asia/Kolkata",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.student@example.com")
    assert (user.full_name, user.timezone, user.role, user.is_staff) == ("New Student", "Asia/Kolkata", "student", False)

    # Unverified: logging in only re-sends the verification email.
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    link = _confirmation_link(mailoutbox[0])
    assert client.get(link).status_code == 200  # a confirm page; GET changes nothing
    assert not EmailAddress.objects.get(user=user).verified
    client.post(link)
    assert EmailAddress.objects.get(user=user).verified

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:overview")
    assert b"Hello, New" in response.content
    assert b"Asia/Kolkata" in response.content


def test_a_mentor_lands_on_the_agenda(client):
    mentor = MentorFactory()
    response = client.post(reverse("account_login"), {"login": mentor.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:agenda")
    assert mentor.full_name in response.content.decode()


def test_a_success_manager_lands_on_the_admin(client, manager):
    response = client.post(reverse("account_login"), {"login": manager.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")


def test_wrong_password_shows_an_error_on_the_page(client, student):
    response = client.post(reverse("account_login"), {"login": student.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_hit_the_rate_limit(client, student):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": student.email, "password": "wrong-password"})
    response = client.post(reverse("account_login"), {"login": student.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signup_refuses_a_zone_that_is_not_iana(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "x@example.com", "full_name": "X", "timezone": "Mars/Olympus_Mons",
         "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "“Mars/Olympus_Mons” is not a time zone we know" in response.content.decode()
    assert not User.objects.filter(email="x@example.com").exists()


def test_settings_change_the_zone_and_refuse_a_bad_one(client, student):
    client.force_login(student)
    response = client.post(reverse("accounts:settings-profile"), {"full_name": "Sam", "timezone": "EST5EDT-ish"})
    assert "is not a time zone we know" in response.content.decode()
    student.refresh_from_db()
    assert student.timezone == "America/New_York"

    response = client.post(
        reverse("accounts:settings-profile"), {"full_name": "Sam", "timezone": "Europe/London"}, follow=True
    )
    student.refresh_from_db()
    assert student.timezone == "Europe/London"
    assert "same wall-clock times" in response.content.decode()


def test_signup_page_preselects_the_browser_zone_with_our_own_script(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'data-browser-timezone="1"' in html
    assert "/static/js/timezone.js" in html
    assert "cdn" not in html.lower()


def test_pages_send_a_content_security_policy(client):
    response = client.get(reverse("account_login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.MENTOR])
def test_students_and_mentors_never_reach_the_admin(client, role):
    user = StudentFactory(role=role)
    client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url, follow=True)
        assert response.status_code == 403
        assert "You don't have access to this page." in response.content.decode()


def test_a_success_manager_reaches_the_admin_and_sees_users(client, manager, student):
    client.force_login(manager)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 200
    assert student.email in response.content.decode()


def test_the_admin_login_goes_through_the_rate_limited_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_roles_pages_refuse_other_roles(client, student, mentor):
    client.force_login(student)
    assert client.get(reverse("portal:agenda")).status_code == 403
    client.force_login(mentor)
    assert client.get(reverse("portal:overview")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
