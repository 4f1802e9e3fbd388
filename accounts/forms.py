from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import User
from .timezones import timezone_choices, validate_timezone


class TimeZoneField(forms.ChoiceField):
    """A select of IANA zones whose error names the bad value plainly."""

    def __init__(self, **kwargs):
        kwargs.setdefault("choices", timezone_choices)
        kwargs.setdefault("initial", "UTC")
        kwargs.setdefault("label", _("Time zone"))
        # static/js/timezone.js adds a search box and puts the browser's own zone first.
        kwargs.setdefault("widget", forms.Select(attrs={"data-timezone-picker": "1"}))
        super().__init__(**kwargs)

    def keep(self, value: str) -> None:
        """Offer a stored zone that the list leaves out (an old alias), so saving keeps it."""
        if value and value not in dict(self.choices):
            self.choices = [(value, value), *self.choices]

    def validate(self, value):
        # Accept any real IANA name (also aliases not listed), refuse the rest
        # with our own message instead of Django's generic "valid choice".
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        validate_timezone(value)


class LanguageSelect(forms.Select):
    """Each language named in itself (settings.LANGUAGES: English, Español) and marked with its
    `lang`, so a screen reader reads "Español" in Spanish on an English page."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["lang"] = value
        return option


class SignupForm(forms.Form):
    """Extra fields allauth puts on its signup page (ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(max_length=150, label=_("Full name"))
    timezone = TimeZoneField(
        help_text=_("We preselect your browser's zone. Every time on the site is shown in it."),
        widget=forms.Select(attrs={"data-timezone-picker": "1", "data-browser-timezone": "1"}),
    )

    language = forms.ChoiceField(
        choices=settings.LANGUAGES, label=_("Language"), required=False, widget=LanguageSelect,
        help_text=_("Pages and emails are in this language. We preselect your browser's."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # LocaleMiddleware has activated the browser's Accept-Language (or the switcher's choice).
        self.fields["language"].initial = translation.get_supported_language_variant(translation.get_language())

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.timezone = self.cleaned_data["timezone"]
        # Not sent (an old form, a script): the language the page was shown in.
        user.language = self.cleaned_data["language"] or translation.get_supported_language_variant(
            translation.get_language())
        user.save(update_fields=["full_name", "timezone", "language"])


class ProfileSettingsForm(forms.ModelForm):
    timezone = TimeZoneField(help_text=_("Every time on the site is shown in this zone."))

    class Meta:
        model = User
        fields = ["full_name", "timezone", "language"]
        # Here rather than as verbose names on the model, which would need a migration for no change.
        labels = {"full_name": _("Full name"), "language": _("Language")}
        widgets = {"language": LanguageSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].keep(self.instance.timezone)
        self.fields["language"].required = False

    def clean_language(self):
        # Left out of the post (an older form): keep the language the person has.
        return self.cleaned_data.get("language") or self.instance.language


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["remind_last_chance", "remind_starting_soon", "remind_attendance", "email_new_messages"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.role != "mentor":
            del self.fields["remind_attendance"]
