"""The availability grid page: save, refuse malformed payloads, only ever one's own grid."""

import pytest
from django.urls import reverse

from mentorship import weekgrid
from mentorship.models import AvailabilityGrid

from .factories import give_grid, make_mentor

pytestmark = pytest.mark.django_db
URL = reverse("mentorship:availability")


def test_the_page_works_without_javascript_one_checkbox_per_hour(client, student):
    client.force_login(student)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('name="cell"') == 168
    assert 'value="0"' in html and 'value="167"' in html
    assert "the more availability you have" in html.lower()
    assert "same wall-clock times" in html
    assert "Tuesday 09:00–10:00" in html  # screen-reader label of each cell


def test_saving_cells_replaces_the_grid(client, student):
    client.force_login(student)
    give_grid(student, {0: range(0, 24)})
    response = client.post(URL, {"cell": ["9", "10", "33"]})
    assert response.status_code == 302
    cells = AvailabilityGrid.objects.get(user=student).cells
    assert weekgrid.selected_indices(cells) == [9, 10, 33]
    page = client.get(URL).content.decode()
    assert "Saved: 3 hours a week." in page
    assert page.count(" checked>") == 3


def test_saving_nothing_clears_the_grid(client, student):
    client.force_login(student)
    give_grid(student, {0: range(9, 12)})
    assert client.post(URL, {}).status_code == 302
    assert AvailabilityGrid.objects.get(user=student).cells == weekgrid.EMPTY


@pytest.mark.parametrize("payload", [["168"], ["-1"], ["nine"], ["3", "1e3"], [""], ["12; DROP TABLE"]])
def test_a_malformed_payload_gets_a_clear_error_and_changes_nothing(client, student, payload):
    client.force_login(student)
    before = give_grid(student, {2: range(9, 12)})
    response = client.post(URL, {"cell": payload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html and "not an hour of the week" in html
    assert AvailabilityGrid.objects.get(user=student).cells == before


def test_too_many_cells_are_refused(client, student):
    client.force_login(student)
    response = client.post(URL, {"cell": [str(i % 168) for i in range(200)]})
    assert response.status_code == 400
    assert not AvailabilityGrid.objects.filter(user=student).exists()


def test_a_user_only_ever_edits_their_own_grid(client, student, stranger):
    # There is no way to name another user's grid: the page is always the signed-in user's.
    mine = give_grid(student, {0: range(9, 10)})
    client.force_login(stranger)
    client.post(URL, {"cell": ["100"], "user": str(student.pk), "user_id": str(student.pk)})
    assert AvailabilityGrid.objects.get(user=student).cells == mine
    assert weekgrid.selected_indices(AvailabilityGrid.objects.get(user=stranger).cells) == [100]


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_changes(client, student):
    response = client.post(URL, {"cell": ["1"]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AvailabilityGrid.objects.exists()


def test_other_methods_are_refused(client, student):
    client.force_login(student)
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_mentors_edit_their_bookable_hours_on_the_same_page(client):
    mentor = make_mentor()
    client.force_login(mentor)
    assert "Your bookable hours" in client.get(URL).content.decode()
    assert client.post(URL, {"cell": ["12"]}).status_code == 302
    assert weekgrid.selected_indices(AvailabilityGrid.objects.get(user=mentor).cells) == [12]


def test_the_database_refuses_a_grid_that_is_not_168_binary_cells(student):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    for bad in ["1" * 167, "2" * 168, "x" + "0" * 167]:
        with pytest.raises(IntegrityError), transaction.atomic():
            AvailabilityGrid.objects.create(user=student, cells=bad, updated_at=timezone.now())


def test_changing_zone_keeps_wall_clock_hours(client, student):
    client.force_login(student)
    cells = give_grid(student, {0: range(9, 12)})
    client.post(reverse("accounts:settings-profile"), {"full_name": student.full_name, "timezone": "Asia/Tokyo"})
    student.refresh_from_db()
    assert student.timezone == "Asia/Tokyo"
    assert AvailabilityGrid.objects.get(user=student).cells == cells
