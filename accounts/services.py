from django.contrib.auth.models import Group
from django.db import transaction

from .models import Role, User
from .roles import SUCCESS_MANAGERS_GROUP


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give a user a role and exactly the admin access that role carries."""
    user.role = role
    user.is_staff = role == Role.MANAGER or user.is_superuser
    user.save(update_fields=["role", "is_staff"])
    group, _ = Group.objects.get_or_create(name=SUCCESS_MANAGERS_GROUP)
    if role == Role.MANAGER:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    return user


def user_create(*, email: str, password: str | None, full_name: str, role: str = Role.STUDENT,
                timezone: str = "UTC", email_verified: bool = False) -> User:
    """Create a user who can log in (for admin-made mentors, seeds and tests)."""
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        user = User.objects.create_user(email=email, password=password, full_name=full_name, timezone=timezone)
        user_set_role(user=user, role=role)
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


def calendar_token_regenerate(*, user: User) -> str:
    """A new secret feed URL; the old one stops working at once."""
    import secrets

    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token


def calendar_token_revoke(*, user: User) -> None:
    user.calendar_token = None
    user.save(update_fields=["calendar_token"])


def user_email_set_by_superuser(*, user: User, actor: User, old_email: str, request=None) -> None:
    """A superuser changed someone's login email in the admin (already saved on
    `user`): allauth's addresses follow, the new one unverified so the person
    proves they own it at their next login, the old address is told, and the
    change is on the user's History."""
    from allauth.account.models import EmailAddress

    from .audit import audit_record

    with transaction.atomic():
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
        audit_record(actor=actor, obj=user, message=(
            f"Login email changed from {old_email} to {user.email} by superuser {actor.email}; "
            "the new address must be verified at the next login."
        ))
        if old_email and request is not None:
            from allauth.account.adapter import get_adapter

            get_adapter(request).send_notification_mail(
                "account/email/email_changed", user, context={"from_email": old_email, "to_email": user.email},
                email=old_email,
            )
