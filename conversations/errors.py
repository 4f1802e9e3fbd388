"""Domain errors of conversations; `message` is what the person on the page reads."""


class ConversationError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ThreadBlocked(ConversationError):
    pass


class RateLimited(ConversationError):
    pass
