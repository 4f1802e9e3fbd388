from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(*roles):
    """Signed-in users of the given roles only; anyone else gets 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied("This page is not for your role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
