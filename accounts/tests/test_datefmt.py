"""accounts.datefmt writes what django.utils.dateformat writes, in every language, zone and format."""

import random
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, translation

from accounts import datefmt

FORMATS = ["D j M, H:i", "H:i", "D j M Y, H:i", "l j F Y, H:i", "D j b Y, H:i", "j M", "D j M", "l j M", "Y-m-d",
           r"j \d\e F \d\e Y", "N j, Y P", "c", "U", "D j M Y, H:i e O T", "y n G", "\\H\\i H:i"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_format_reads_as_djangos(language):
    rnd = random.Random(17)
    with translation.override(language):
        catalogue = [translation.gettext(f) for f in ("D j M, H:i", "D j M Y, H:i", "l j F Y, H:i", "j M")]
        for fmt in FORMATS + catalogue:
            for _ in range(200):
                value = datetime(1990, 1, 1, tzinfo=dt_timezone.utc) + timedelta(minutes=rnd.randrange(60 * 24 * 366 * 60))
                value = value.astimezone(ZoneInfo(rnd.choice(["UTC", "America/New_York", "Asia/Kolkata", "Europe/Madrid"])))
                assert datefmt.format(value, fmt) == dateformat.format(value, fmt), (fmt, value)
                assert datefmt.format(value, fmt, datefmt.day_and_month_names()) == dateformat.format(value, fmt)


def test_names_follow_the_active_language():
    value = datetime(2026, 11, 30, 14, 5, tzinfo=dt_timezone.utc)
    with translation.override("en"):
        assert datefmt.format(value, "D j M, H:i") == "Mon 30 Nov, 14:05"
    with translation.override("es"):
        assert datefmt.format(value, "D j M, H:i") == dateformat.format(value, "D j M, H:i")
        assert datefmt.format(value, "D j M, H:i") != "Mon 30 Nov, 14:05"


def test_a_date_formats_as_djangos():
    assert datefmt.format(date(2026, 3, 1), "D j M Y") == dateformat.format(date(2026, 3, 1), "D j M Y")
