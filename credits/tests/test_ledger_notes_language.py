"""The ledger's notes are the record, in English; the history words the services' own notes for each reader
and leaves a person's own words as written."""

import pytest
from django.utils import translation

from credits.models import EntryKind, LedgerEntry


def entry(kind, note):
    return LedgerEntry(kind=kind, amount=-1, balance_after=0, note=note)


@pytest.mark.parametrize(("kind", "note", "english", "spanish"), [
    (EntryKind.CONSUME, "1-1 Coding with Ada Lovelace", "Booked — 1-1 Coding with Ada Lovelace",
     "1-1 Coding con Ada Lovelace"),
    (EntryKind.FORFEIT, "cancelled 5 h before start", "Forfeited — cancelled 5 h before start", "5 h"),
])
def test_service_notes_read_in_the_readers_language(kind, note, english, spanish):
    assert entry(kind, note).description == english
    with translation.override("es"):
        worded = entry(kind, note).description
    assert spanish in worded and "with" not in worded and "before start" not in worded, worded


def test_a_managers_own_words_stay_as_written():
    note = "Extra session agreed with the family"
    with translation.override("es"):
        assert entry(EntryKind.ADJUST, note).description.endswith(note)
