import uuid

from django import forms

from scheduling.forms import FlashRequestForm

from .models import MESSAGE_MAX_LENGTH

TOO_LONG = ("Messages can be up to {limit:,} characters; yours has %(show_value)s. "
            "Shorten it or send it in two parts.")


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message", max_length=MESSAGE_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Plain text; links become clickable.",
        error_messages={"required": "Write something before sending.",
                        "max_length": TOO_LONG.format(limit=MESSAGE_MAX_LENGTH)},
    )
    # A fresh key per rendered form: the same submit twice sends one message.
    submit_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4,
                                 error_messages={"required": "Reload the page and send again.",
                                                 "invalid": "Reload the page and send again."})
    session = forms.IntegerField(widget=forms.HiddenInput, required=False)


class BlockForm(forms.Form):
    reason = forms.CharField(label="Why? (optional; your success manager reads it)", required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MessageAndRequestForm(FlashRequestForm):
    """The flash request's fields with the first message of the conversation."""

    submit_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4,
                                 error_messages={"required": "Reload the page and send again.",
                                                 "invalid": "Reload the page and send again."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        body = self.fields["message"]
        body.required, body.label = True, "Your message"
        body.help_text = "Introduce yourself and say what you'd like to get out of the meeting. Links become clickable."
        body.widget.attrs["rows"] = 5
        body.error_messages.update({"required": "Write a message to go with the request.",
                                    "max_length": TOO_LONG.format(limit=1000)})
