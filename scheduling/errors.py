"""Domain errors of scheduling; `message` is what the person on the page reads."""


class SchedulingError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SlotUnavailable(SchedulingError):
    """The time is not (or no longer) bookable; carries the nearest free starts."""

    def __init__(self, message: str, nearest: list | None = None):
        super().__init__(message)
        self.nearest = nearest or []


class SlotTaken(SlotUnavailable):
    pass


class BookingNotAllowed(SchedulingError):
    pass


class IllegalTransition(SchedulingError):
    pass


class NotYourSession(SchedulingError):
    pass


class TooLate(SchedulingError):
    pass
