from .selectors import unread_total


def inbox(request):
    """The unread count in the navigation (one indexed query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in ("student", "mentor"):
        return {}
    return {"inbox_unread": unread_total(user)}
