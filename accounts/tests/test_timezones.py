"""The time-zone list: current IANA names a person can search, old ones still honoured."""

import pytest
from django.urls import reverse

from accounts.forms import ProfileSettingsForm
from accounts.timezones import timezone_choices

pytestmark = pytest.mark.django_db


def test_the_list_has_current_names_with_their_countries_and_no_legacy_aliases():
    choices = dict(timezone_choices())
    assert choices["Asia/Kolkata"] == "Asia/Kolkata · India"
    assert choices["Europe/Kyiv"] == "Europe/Kyiv · Ukraine"
    assert "United States" in choices["America/New_York"]
    for legacy in ["Asia/Calcutta", "Europe/Kiev", "US/Eastern", "Etc/GMT+5", "GB", "America/Buenos_Aires"]:
        assert legacy not in choices
    assert list(choices)[0] == "UTC"


def test_someone_whose_stored_zone_is_an_old_alias_keeps_it_when_saving(client, student):
    student.timezone = "Asia/Calcutta"
    student.save(update_fields=["timezone"])
    form = ProfileSettingsForm(instance=student)
    assert form.fields["timezone"].choices[0] == ("Asia/Calcutta", "Asia/Calcutta")
    client.force_login(student)
    page = client.get(reverse("accounts:settings-profile")).content.decode()
    assert '<option value="Asia/Calcutta" selected>' in page
    assert 'data-timezone-picker' in page


def test_countries_are_named_in_the_readers_language():
    from django.utils import translation

    assert dict(timezone_choices())["Europe/Madrid"] == "Europe/Madrid · Spain"
    with translation.override("es"):
        assert dict(timezone_choices())["Europe/Madrid"] == "Europe/Madrid · España"
        assert dict(timezone_choices())["America/New_York"] == "America/New York · Estados Unidos"
