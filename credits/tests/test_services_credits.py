import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from accounts.tests.factories import StudentFactory
from credits import services
from credits.errors import EnrolmentPaused, InvalidCreditChange, NoActivePlan, NoCreditsLeft
from credits.models import CreditAccount, EntryKind, ForfeitReason, LedgerEntry
from credits.selectors import booking_allowance, credits_summary
from credits.tests.factories import MonthlyPlanFactory, PackPlanFactory

pytestmark = pytest.mark.django_db


def balance(student) -> int:
    return CreditAccount.objects.get(student=student).balance


def kinds(student) -> list[str]:
    return list(LedgerEntry.objects.filter(account__student=student).order_by("id").values_list("kind", flat=True))


def test_monthly_plan_grants_this_month_and_resets_on_the_first_in_the_students_zone(student, monthly_plan, enrol, now):
    enrolment = enrol(student, monthly_plan)
    assert balance(student) == 4
    grant = LedgerEntry.objects.get(account__student=student, kind=EntryKind.GRANT)
    assert grant.period == dt.date(2026, 11, 1) and grant.balance_after == 4
    # Sam lives in New York: 00:00 on 1 Dec there is 05:00 UTC.
    assert enrolment.next_reset_at == dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    summary = credits_summary(student, now=now)
    assert summary.headline == "4 of 4 sessions left this month"
    assert summary.detail == "Resets on 1 Dec — unused sessions expire then."


def test_consume_spends_one_credit_and_says_when_credits_reset_when_none_are_left(student, enrol, now):
    enrol(student, MonthlyPlanFactory(sessions=1))
    entry = services.credits_consume(student=student, session_id=101, actor=student, now=now)
    assert (entry.kind, entry.amount, entry.balance_after, entry.session_id) == (EntryKind.CONSUME, -1, 0, 101)
    with pytest.raises(NoCreditsLeft) as exc:
        services.credits_consume(student=student, session_id=102, actor=student, now=now)
    assert exc.value.message == "No sessions left this month — your credits reset on 1 Dec."
    assert balance(student) == 0
    allowance = booking_allowance(student, now=now)
    assert not allowance.can_book and allowance.reason == exc.value.message and allowance.balance == 0


def test_reset_date_in_messages_is_the_students_local_date(enrol, now):
    # Auckland's 1 Dec 00:00 is 30 Nov 11:00 UTC; the student still reads "1 Dec".
    kiwi = StudentFactory(timezone="Pacific/Auckland")
    enrolment = enrol(kiwi, MonthlyPlanFactory(sessions=0))
    assert enrolment.next_reset_at == dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
    assert credits_summary(kiwi, now=now).state == "empty_plan"


def test_consuming_twice_for_one_session_charges_once(student, monthly_plan, enrol, now):
    enrol(student, monthly_plan)
    first = services.credits_consume(student=student, session_id=7, actor=student, now=now)
    again = services.credits_consume(student=student, session_id=7, actor=student, now=now)
    assert again.pk == first.pk and balance(student) == 3


def test_pack_plan_never_resets_and_top_ups_add_to_it(student, pack_plan, enrol, manager, now):
    enrolment = enrol(student, pack_plan)
    assert enrolment.next_reset_at is None and balance(student) == 10
    services.credits_consume(student=student, session_id=1, actor=student, now=now)
    services.credits_admin_change(student=student, kind=EntryKind.TOPUP, amount=5, reason="bought 5 more",
                                  actor=manager, now=now)
    assert balance(student) == 14
    assert credits_summary(student, now=now).headline == "14 sessions left in your pack"


def test_empty_pack_explains_how_to_get_more(student, enrol, now):
    enrol(student, PackPlanFactory(sessions=1))
    services.credits_consume(student=student, session_id=1, actor=student, now=now)
    with pytest.raises(NoCreditsLeft) as exc:
        services.credits_consume(student=student, session_id=2, actor=student, now=now)
    assert "No sessions left in your pack" in exc.value.message
    assert credits_summary(student, now=now).headline == "0 sessions left in your pack"


def test_unlimited_plan_records_usage_without_a_balance(student, unlimited_plan, enrol, now):
    enrol(student, unlimited_plan)
    for session_id in range(1, 6):
        entry = services.credits_consume(student=student, session_id=session_id, actor=student, now=now)
        assert entry.amount == 0 and entry.kind == EntryKind.CONSUME
    assert balance(student) == 0
    allowance = booking_allowance(student, now=now)
    assert allowance.can_book and allowance.unlimited and allowance.balance is None and allowance.max_upcoming == 3
    assert credits_summary(student, now=now).headline == "Unlimited"
    assert services.credits_refund(student=student, session_id=1, actor=None, reason="mentor cancelled", now=now).amount == 0


def test_zero_session_plan_is_valid_and_explains_itself(student, enrol, now):
    enrol(student, MonthlyPlanFactory(name="Events only", sessions=0))
    summary = credits_summary(student, now=now)
    assert summary.state == "empty_plan" and "doesn't include one-to-one sessions" in summary.detail
    with pytest.raises(NoCreditsLeft) as exc:
        services.credits_consume(student=student, session_id=1, actor=student, now=now)
    assert "Events only" in exc.value.message


def test_without_a_plan_nothing_can_be_booked(student, now):
    with pytest.raises(NoActivePlan):
        services.credits_consume(student=student, session_id=1, actor=student, now=now)
    assert credits_summary(student, now=now).state == "none"
    assert booking_allowance(student, now=now).can_book is False


def test_paused_enrolment_blocks_booking_and_resume_catches_up_a_missed_reset(student, monthly_plan, enrol, manager, now):
    enrolment = enrol(student, monthly_plan)
    services.enrolment_pause(enrolment=enrolment, actor=manager, now=now)
    with pytest.raises(EnrolmentPaused):
        services.credits_consume(student=student, session_id=1, actor=student, now=now)
    assert not booking_allowance(student, now=now).can_book

    december = dt.datetime(2026, 12, 10, 12, 0, tzinfo=dt.UTC)
    assert services.credits_reset_due(now=december).grants == 0  # no grant while paused
    services.enrolment_resume(enrolment=enrolment, actor=manager, now=december)
    enrolment.refresh_from_db()
    assert kinds(student) == ["grant", "expire", "grant"]
    assert LedgerEntry.objects.filter(kind=EntryKind.GRANT).latest("id").period == dt.date(2026, 12, 1)
    assert enrolment.next_reset_at == dt.datetime(2027, 1, 1, 5, 0, tzinfo=dt.UTC)
    assert balance(student) == 4


def test_refund_gives_the_credit_back_once(student, monthly_plan, enrol, now):
    enrol(student, monthly_plan)
    services.credits_consume(student=student, session_id=5, actor=student, now=now)
    refund = services.credits_refund(student=student, session_id=5, actor=student, reason="cancelled 2 days ahead",
                                     now=now)
    assert (refund.amount, refund.balance_after) == (1, 4)
    assert services.credits_refund(student=student, session_id=5, actor=student, reason="again", now=now) is None
    assert services.credits_refund(student=student, session_id=999, actor=student, reason="never booked", now=now) is None
    assert balance(student) == 4 and kinds(student).count("refund") == 1


def test_forfeit_is_recorded_once_and_reads_clearly(student, monthly_plan, enrol, now):
    enrol(student, monthly_plan)
    services.credits_consume(student=student, session_id=9, actor=student, now=now)
    entry = services.credits_record_forfeit(student=student, session_id=9, actor=student, now=now,
                                            reason=ForfeitReason.LATE_CANCELLATION, note="cancelled 3 h before start")
    again = services.credits_record_forfeit(student=student, session_id=9, actor=student, now=now,
                                            reason=ForfeitReason.LATE_CANCELLATION, note="x")
    assert again.pk == entry.pk and entry.amount == 0
    assert entry.reason == ForfeitReason.LATE_CANCELLATION
    assert entry.description == "Forfeited — cancelled 3 h before start"
    no_show = services.credits_record_forfeit(student=student, session_id=10, actor=student, now=now,
                                              reason=ForfeitReason.STUDENT_NO_SHOW)
    assert no_show.description == "Forfeited — the student did not attend"
    assert balance(student) == 3


def test_the_wording_of_a_forfeit_comes_from_its_reason_not_from_its_note(student, monthly_plan, enrol, now):
    enrol(student, monthly_plan)
    # A note that happens to start with "forfeit" is read as a note, nothing more.
    entry = services.credits_record_forfeit(student=student, session_id=11, actor=student, now=now,
                                            reason=ForfeitReason.STUDENT_NO_SHOW, note="forfeit agreed on the phone")
    assert entry.description == "Forfeited — forfeit agreed on the phone"
    with pytest.raises(ValueError):
        services.credits_record_forfeit(student=student, session_id=12, actor=student, now=now, reason="whatever")


def test_unique_keys_are_the_last_line_even_without_the_services(student, monthly_plan, enrol, now):
    enrolment = enrol(student, monthly_plan)
    account = CreditAccount.objects.get(student=student)
    LedgerEntry.objects.create(account=account, kind=EntryKind.CONSUME, amount=-1, balance_after=3, session_id=1,
                               created_at=now)
    for kind, extra in [(EntryKind.CONSUME, {"session_id": 1}),
                        (EntryKind.GRANT, {"enrolment": enrolment, "period": dt.date(2026, 11, 1)})]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry.objects.create(account=account, kind=kind, amount=0, balance_after=3, created_at=now, **extra)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(pk=account.pk).update(balance=-1)


def test_adjustments_need_a_reason_and_cannot_go_below_zero(student, monthly_plan, enrol, manager, now):
    enrol(student, monthly_plan)
    with pytest.raises(InvalidCreditChange, match="Give a reason"):
        services.credits_admin_change(student=student, kind=EntryKind.ADJUST, amount=-1, reason="  ", actor=manager,
                                      now=now)
    with pytest.raises(InvalidCreditChange, match="below zero"):
        services.credits_admin_change(student=student, kind=EntryKind.ADJUST, amount=-5, reason="oops",
                                      actor=manager, now=now)
    with pytest.raises(InvalidCreditChange, match="positive number"):
        services.credits_admin_change(student=student, kind=EntryKind.TOPUP, amount=-2, reason="oops",
                                      actor=manager, now=now)
    entry = services.credits_admin_change(student=student, kind=EntryKind.ADJUST, amount=-4, reason="duplicate grant",
                                          actor=manager, now=now)
    assert (entry.balance_after, entry.actor, entry.note) == (0, manager, "duplicate grant")
    assert kinds(student) == ["grant", "adjust"]


def test_changing_plan_ends_the_old_enrolment_and_starts_a_new_one(student, pack_plan, monthly_plan, enrol, manager, now):
    old = enrol(student, pack_plan)
    new = services.enrolment_change_plan(enrolment=old, plan=monthly_plan, actor=manager, now=now)
    old.refresh_from_db()
    assert old.status == "ended" and new.status == "active" and new.plan == monthly_plan
    # The pack's 10 expire; the month starts with exactly the monthly allowance.
    assert kinds(student) == ["grant", "expire", "grant"] and balance(student) == 4


def test_a_paused_plan_says_so_on_the_card(student, monthly_plan, enrol, manager, now):
    services.enrolment_pause(enrolment=enrol(student, monthly_plan), actor=manager, now=now)
    summary = credits_summary(student, now=now)
    assert (summary.state, summary.headline, summary.can_book) == ("paused", "Your plan is paused", False)
    assert "4 sessions kept" in summary.detail


def test_ending_an_enrolment_leaves_the_student_without_a_plan(student, pack_plan, enrol, manager, now):
    services.enrolment_end(enrolment=enrol(student, pack_plan), actor=manager, now=now)
    with pytest.raises(NoActivePlan):
        services.credits_consume(student=student, session_id=1, actor=student, now=now)
    # A new plan can start afterwards: only current enrolments are unique per student.
    enrol(student, MonthlyPlanFactory())
