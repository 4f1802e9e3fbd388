"""Forms that crispy renders once per language (the blank 'get more sessions' form, the mentor's notes form)
give exactly what `|crispy` gives, whatever the notes hold."""

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.utils import translation

from credits.forms import CreditRequestForm
from credits.templatetags.credits_tags import request_form
from scheduling.forms import NotesForm
from scheduling.templatetags.scheduling_tags import notes_form


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("notes", ["", None, "Plain notes.", 'Tags <b>&amp; "quotes" \'too\'</b>\nsecond line\n',
                                   "session-notes-value", "  spaced  "])
def test_the_notes_form_is_what_crispy_renders(language, notes):
    with translation.override(language):
        for _ in range(2):  # the first call renders and keeps it, the second reuses it
            assert str(notes_form(NotesForm(initial={"notes": notes}))) == str(as_crispy_form(NotesForm(initial={"notes": notes})))


def test_a_bound_notes_form_renders_with_its_errors():
    form = NotesForm(data={"notes": "x" * 10_001})
    assert not form.is_valid()
    assert str(notes_form(form)) == str(as_crispy_form(form))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_blank_request_form_is_what_crispy_renders(language):
    with translation.override(language):
        for _ in range(2):
            assert str(request_form(CreditRequestForm())) == str(as_crispy_form(CreditRequestForm()))
        bound = CreditRequestForm(data={"message": "y" * 1001})
        assert not bound.is_valid()
        assert str(request_form(bound)) == str(as_crispy_form(bound))


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("max_weeks", [1, 4])
def test_the_booking_form_is_what_crispy_renders(language, max_weeks):
    import uuid

    from scheduling.forms import BookingForm
    from scheduling.templatetags.scheduling_tags import booking_form

    start, key = "2027-03-15T14:00:00+00:00", str(uuid.uuid4())
    forms = [
        lambda: BookingForm(max_weeks=max_weeks, initial={"start": start, "booking_key": uuid.UUID(key), "weeks": 1}),
        lambda: BookingForm({"start": start, "booking_key": key, "weeks": str(max_weeks)}, max_weeks=max_weeks),
        lambda: BookingForm({"start": 'x"<y>', "booking_key": key, "weeks": "1"}, max_weeks=max_weeks),  # invalid
        lambda: BookingForm({"start": start, "booking_key": key, "weeks": "99"}, max_weeks=max_weeks),  # invalid
    ]
    with translation.override(language):
        for make in forms:
            for _ in range(2):  # the first call renders and keeps it, the second reuses it
                form = make()
                form.is_valid()
                assert str(booking_form(form)) == str(as_crispy_form(make()) if not form.is_bound else
                                                      as_crispy_form(_validated(make())))


def _validated(form):
    form.is_valid()
    return form
