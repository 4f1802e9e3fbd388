"""IANA time zone names: the only way a user's zone is stored."""

import zoneinfo
from functools import lru_cache

from django.core.exceptions import ValidationError


@lru_cache(maxsize=1)
def all_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    # Legacy aliases ("US/Eastern", "Etc/GMT+5") confuse people; offer the
    # canonical Area/City names, but still accept any valid IANA name.
    names = sorted(n for n in all_timezones() if "/" in n and not n.startswith(("Etc/", "US/", "SystemV/")))
    return [("UTC", "UTC")] + [(n, n.replace("_", " ")) for n in names]


def validate_timezone(value: str) -> None:
    if value not in all_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Choose one from the list, "
            "such as Europe/London or America/New_York.",
            code="invalid_timezone",
            params={"value": value},
        )
