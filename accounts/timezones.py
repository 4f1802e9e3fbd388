"""IANA time zone names: the only way a user's zone is stored."""

import zoneinfo
from functools import lru_cache
from importlib import resources

from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError
from django.utils import translation


@lru_cache(maxsize=1)
def all_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _tzdata_table(name: str) -> list[list[str]]:
    text = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def timezone_choices() -> list[tuple[str, str]]:
    """UTC, then the current IANA zone of every country and region, each labelled with the
    countries that use it ("Europe/London · Britain (UK)"), so a search by city or country finds it.
    The countries are named in the reader's language ("Europe/London · Reino Unido").

    From the IANA table `zone.tab` (shipped by the pinned `tzdata` package), which lists only
    current names: no legacy aliases ("US/Eastern", "Asia/Calcutta", "Europe/Kiev", "Etc/GMT+5").
    Any valid IANA name is still accepted when typed or already stored.
    """
    return _timezone_choices(translation.get_language() or "en")


def _country_names(language: str) -> dict[str, str]:
    """ISO country code -> name: tzdata's own English names, or CLDR's (through Babel) in another language."""
    countries = {row[0]: row[1] for row in _tzdata_table("iso3166.tab") if len(row) > 1}
    if not language.startswith("en"):
        try:
            territories = Locale.parse(translation.to_locale(language)).territories
        except (UnknownLocaleError, ValueError):
            territories = {}
        countries.update({code: territories[code] for code in countries if code in territories})
    return countries


@lru_cache(maxsize=4)
def _timezone_choices(language: str) -> list[tuple[str, str]]:
    countries = _country_names(language)
    zones: dict[str, list[str]] = {}
    for row in _tzdata_table("zone.tab"):
        if len(row) >= 3 and row[2] in all_timezones():
            zones.setdefault(row[2], []).append(countries.get(row[0], row[0]))
    return [("UTC", "UTC")] + [
        (name, f"{name.replace('_', ' ')} · {', '.join(sorted(set(where)))}") for name, where in sorted(zones.items())
    ]


def validate_timezone(value: str) -> None:
    if value not in all_timezones():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Choose one from the list, "
            "such as Europe/London or America/New_York.",
            code="invalid_timezone",
            params={"value": value},
        )
