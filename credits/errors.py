"""Domain errors whose `.message` can be shown to the student as it is."""

from django.utils.translation import gettext_lazy as _


class CreditsError(Exception):
    default_message = _("Something is wrong with your credits. Please contact your success manager.")

    def __init__(self, message: str | None = None):
        # Worded at raise time, in the language active then (the request's).
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NoActivePlan(CreditsError):
    default_message = _("You don't have a plan yet — your success manager will set one up for you.")


class EnrolmentPaused(CreditsError):
    default_message = _(
        "Your plan is paused, so you can't book sessions right now. Ask your success manager to resume it."
    )


class NoCreditsLeft(CreditsError):
    default_message = _("You have no sessions left.")


class UpcomingLimitReached(CreditsError):
    default_message = _("You already have as many upcoming sessions as your plan allows.")


class InvalidCreditChange(CreditsError):
    """A success manager's grant, top-up or adjustment that cannot be made."""


class RequestAlreadySent(CreditsError):
    default_message = _("We already have your request; your success manager will be in touch.")
