"""The time range PostgreSQL compares in the no-overlap constraints of 1-1 and group sessions."""

from django.contrib.postgres.fields import DateTimeRangeField
from django.db.models import Func


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()
