import uuid

from django import forms
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduling.forms import FlashRequestForm

from .models import MESSAGE_MAX_LENGTH


def _too_long(limit: int) -> str:
    # Django's max_length message fills in %(show_value)s; the limit is grouped the language's way ("4,000").
    return _("Messages can be up to %(limit)s characters; yours has %(show_value)s. "
             "Shorten it or send it in two parts.").replace("%(limit)s", number_format(limit, force_grouping=True))


# Worded when shown, in the reader's language.
too_long = lazy(_too_long, str)
RELOAD = gettext_lazy("Reload the page and send again.")


class PlainHiddenInput(forms.HiddenInput):
    """A hidden input written out in Python: the same markup as Django's input.html and attrs.html, without two
    template renders per field (every view of a thread renders the composer's two hidden fields)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{conditional_escape(str(widget["value"]))}"'
        attrs = "".join(f" {conditional_escape(k)}" if v is True else
                        f' {conditional_escape(k)}="{conditional_escape(str(v))}"'
                        for k, v in widget["attrs"].items() if v is not False)
        return mark_safe(f'<input type="{widget["type"]}" name="{conditional_escape(widget["name"])}"{shown}{attrs}>')


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Your message"), max_length=MESSAGE_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Plain text; links become clickable."),
        error_messages={"required": gettext_lazy("Write something before sending."),
                        "max_length": too_long(MESSAGE_MAX_LENGTH)},
    )
    # A fresh key per rendered form: the same submit twice sends one message.
    submit_key = forms.UUIDField(widget=PlainHiddenInput, initial=uuid.uuid4,
                                 error_messages={"required": RELOAD, "invalid": RELOAD})
    session = forms.IntegerField(widget=PlainHiddenInput, required=False)


class BlockForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why? (optional; your success manager reads it)"), required=False,
                             max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MessageAndRequestForm(FlashRequestForm):
    """The flash request's fields with the first message of the conversation."""

    submit_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4,
                                 error_messages={"required": RELOAD, "invalid": RELOAD})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields["message"]
        body.required, body.label = True, _("Your message")
        body.help_text = _("Introduce yourself and say what you'd like to get out of the meeting. "
                           "Links become clickable.")
        body.widget.attrs["rows"] = 5
        body.error_messages.update({"required": _("Write a message to go with the request."),
                                    "max_length": too_long(1000)})
