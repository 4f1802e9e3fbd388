"""The composer's hidden fields are written in Python (PlainHiddenInput) with Django's own markup."""

import uuid

from django import forms

from conversations.forms import MessageForm, PlainHiddenInput


def test_plain_hidden_input_writes_what_djangos_hidden_input_writes():
    for value in (None, "", 0, 12, uuid.uuid4(), 'a"b<c>&'):
        for attrs in (None, {"id": "id_x"}, {"id": "id_x", "data-a": True, "data-b": False, "class": 'q"'}):
            assert PlainHiddenInput().render("n", value, attrs) == forms.HiddenInput().render("n", value, attrs)


def test_the_message_forms_hidden_fields_render_as_before():
    class Before(MessageForm):
        submit_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
        session = forms.IntegerField(widget=forms.HiddenInput, required=False)

    key = uuid.uuid4()
    for data, initial in ((None, {"submit_key": key, "session": 5}), (None, {"submit_key": key}),
                          ({"body": "x", "submit_key": "not a key", "session": "7"}, {})):
        now, before = MessageForm(data, initial=initial), Before(data, initial=initial)
        for name in ("submit_key", "session"):
            assert str(now[name]) == str(before[name])
