"""Domain errors of scheduling; `message` is what the person on the page reads."""


class SchedulingError(Exception):
    def __init__(self, message: str):
        # A lazy translation (a module-level text) becomes a str in the language active where it was raised.
        message = str(message)
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
