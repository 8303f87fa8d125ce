"""A practice review's clocks (reviews/clocks.py): the serious incident notification within 5 working days
of the local authority becoming aware, the rapid review within 15 working days of the notification, counted
over England-and-Wales bank holidays, for any date, and most of all around Christmas, New Year and Easter.

The expected dates are counted here independently, a day at a time over the calendar's own list of bank
holidays; and that list is checked for the holidays that matter most, with their substitute days. A
Serious Case Review's clocks are checked unchanged beside them.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reviews.clocks import current_deadline, review_clocks
from reviews.models import Board, BodyKind, Decision, Regime, Review, State
from scr_portal import workdays

ONE_DAY = timedelta(days=1)
HOLIDAYS = workdays._holidays()  # the calendar's own list of England-and-Wales bank holidays
FIRST_YEAR, LAST_YEAR = workdays._covered_years()
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
# The last date whose clocks (up to 15 working days and a few weeks' lateness) stay inside the calendar.
LAST_START = date(LAST_YEAR, 11, 30)


def easter_sunday(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher): independent of any library."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def first_weekdays_from(start: date, n: int) -> list[date]:
    days, d = [], start
    while len(days) < n:
        if d.weekday() < 5:
            days.append(d)
        d += ONE_DAY
    return days


def working_days_after(start: date, n: int) -> date:
    """The n-th day after `start` that is Monday to Friday and not on the calendar's list: counted a day
    at a time."""
    d, counted = start, 0
    while counted < n:
        d += ONE_DAY
        if d.weekday() < 5 and d not in HOLIDAYS:
            counted += 1
    return d


def next_working_day(d: date) -> date:
    return working_days_after(d, 1)


def _near_the_holidays() -> list[date]:
    days = set()
    for year in YEARS:
        for anchor in (date(year, 12, 25), date(year, 1, 1), easter_sunday(year)):
            days.update(anchor + timedelta(days=k) for k in range(-12, 8))
    return sorted(d for d in days if date(FIRST_YEAR, 1, 1) <= d <= LAST_START)


NEAR_THE_HOLIDAYS = _near_the_holidays()
START_DATES = st.one_of(
    st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=LAST_START), st.sampled_from(NEAR_THE_HOLIDAYS)
)


def partnership() -> Board:
    return Board(name="West", kind=BodyKind.PARTNERSHIP)  # the Working Together defaults: 5 and 15


def practice_review(**dates) -> Review:
    return Review(lead_board=partnership(), regime=Regime.PRACTICE_REVIEW, **dates)


def clock_named(review: Review, key: str, today: date):
    return next(c for c in review_clocks(review, today) if c.key == key)


# The calendar itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_the_calendar_has_christmas_boxing_day_and_new_year_with_their_substitute_days(year):
    christmas, boxing_day = first_weekdays_from(date(year, 12, 25), 2)
    assert {christmas, boxing_day} <= HOLIDAYS
    (new_year,) = first_weekdays_from(date(year, 1, 1), 1)
    if year > FIRST_YEAR or new_year in HOLIDAYS:  # the list may start after 1 January of its first year
        assert new_year in HOLIDAYS
    for d in (date(year, 12, 25), date(year, 12, 26), date(year, 1, 1)):
        assert not workdays.is_working_day(d)


@pytest.mark.parametrize("year", YEARS)
def test_the_calendar_has_good_friday_and_easter_monday(year):
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert {easter - timedelta(days=2), easter + ONE_DAY} <= HOLIDAYS


def test_easter_falls_where_the_examples_say():
    assert easter_sunday(2026) == date(2026, 4, 5)
    assert easter_sunday(2027) == date(2027, 3, 28)
    assert easter_sunday(2025) == date(2025, 4, 20)


def test_substitute_days_when_christmas_and_new_year_fall_at_a_weekend():
    # 2026: Christmas on a Friday, Boxing Day on Saturday -> Monday 28 December.
    assert date(2026, 12, 28) in HOLIDAYS
    # 2027: Christmas on Saturday, Boxing Day on Sunday -> Monday 27 and Tuesday 28 December.
    assert {date(2027, 12, 27), date(2027, 12, 28)} <= HOLIDAYS
    # 2028: New Year's Day on a Saturday -> Monday 3 January.
    assert date(2028, 1, 3) in HOLIDAYS
    # 2022: Christmas on a Sunday -> Boxing Day Monday 26, Christmas Tuesday 27 December.
    assert {date(2022, 12, 26), date(2022, 12, 27)} <= HOLIDAYS


# The clocks, for any date ----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(aware=START_DATES)
@example(aware=date(2026, 12, 21))
@example(aware=date(2027, 12, 24))
@example(aware=date(2027, 3, 24))
def test_the_notification_is_due_5_working_days_after_the_local_authority_became_aware(aware):
    review = practice_review(notification_date=aware)

    notification = clock_named(review, "incident_notification", aware)

    assert notification.due == working_days_after(aware, 5)
    assert workdays.is_working_day(notification.due)
    assert workdays.working_days_between(aware, notification.due) == 5
    assert notification.rule == "within 5 working days of the local authority becoming aware"
    assert [c.key for c in review_clocks(review, aware)] == ["incident_notification"]


@settings(max_examples=300, deadline=None)
@given(notified=START_DATES)
@example(notified=date(2027, 4, 1))
@example(notified=date(2027, 3, 25))
@example(notified=date(2026, 12, 14))
def test_the_rapid_review_is_due_15_working_days_after_the_notification(notified):
    review = practice_review(notification_date=notified - timedelta(days=2), incident_notified_on=notified)

    rapid = clock_named(review, "rapid_review", notified)

    assert rapid.due == working_days_after(notified, 15)
    assert workdays.is_working_day(rapid.due)
    assert rapid.rule == "within 15 working days of the notification"
    assert clock_named(review, "incident_notification", notified).clock.status in ("met", "missed")


@settings(max_examples=300, deadline=None)
@given(aware=START_DATES)
def test_the_notification_clock_reads_right_around_its_due_date(aware):
    due = working_days_after(aware, 5)

    def status(today: date, notified: date | None = None):
        review = practice_review(notification_date=aware, incident_notified_on=notified)
        return clock_named(review, "incident_notification", today).clock

    assert (status(due).status, status(due).label) == ("amber", "Due today")
    day_before = working_days_after(aware, 4)
    assert (status(day_before).status, status(day_before).days) == ("amber", 1)
    assert status(aware).status == "amber"  # 5 working days left: within the warning
    assert status(due + ONE_DAY).status == "red"
    assert status(next_working_day(due)).days == 1
    assert status(next_working_day(due)).label == "Overdue by 1 working day"
    # Done: met on or before the due date, missed after it, whatever `today` is.
    assert status(due + timedelta(days=30), notified=due).status == "met"
    assert status(due + timedelta(days=30), notified=aware).status == "met"
    late = status(due + timedelta(days=30), notified=due + ONE_DAY)
    assert (late.status, late.days) == ("missed", 1)
    two_late = status(due + timedelta(days=30), notified=working_days_after(due, 2))
    assert (two_late.status, two_late.days, two_late.label) == ("missed", 2, "Met 2 working days late")


@settings(max_examples=200, deadline=None)
@given(notified=START_DATES)
def test_the_rapid_review_clock_reads_right_around_its_due_date(notified):
    due = working_days_after(notified, 15)

    def status(today: date, sent: date | None = None):
        review = practice_review(
            notification_date=notified, incident_notified_on=notified, sent_to_panel_on=sent
        )
        return clock_named(review, "rapid_review", today).clock

    assert status(notified).status == "green"
    assert status(working_days_after(notified, 10)).status == "amber"  # 5 working days left
    assert status(working_days_after(notified, 9)).status == "green"  # 6 left
    assert status(due).label == "Due today"
    assert status(due + ONE_DAY).status == "red"
    assert status(due + timedelta(days=40), sent=due).status == "met"
    assert status(due + timedelta(days=40), sent=next_working_day(due)).status == "missed"


# Worked examples ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aware", "due"),
    [
        # Monday 21 December 2026: 22, 23, 24, then Christmas (Friday) and Boxing Day's substitute
        # (Monday 28) skipped: 29, 30.
        (date(2026, 12, 21), date(2026, 12, 30)),
        # Friday 24 December 2027: Monday 27 and Tuesday 28 (substitutes for Christmas and Boxing Day),
        # then 29, 30, 31, Monday 3 January 2028 (New Year's substitute) skipped, 4, 5.
        (date(2027, 12, 24), date(2028, 1, 5)),
        # Wednesday 24 March 2027 (Easter Sunday 28 March): 25, Good Friday 26 and Easter Monday 29 skipped,
        # 30, 31 March, 1, 2 April.
        (date(2027, 3, 24), date(2027, 4, 2)),
        # A Saturday: Monday is the first working day counted.
        (date(2026, 12, 5), date(2026, 12, 11)),
    ],
)
def test_notification_due_dates_worked_out(aware, due):
    assert clock_named(practice_review(notification_date=aware), "incident_notification", aware).due == due


@pytest.mark.parametrize(
    ("notified", "due"),
    [
        # Thursday 1 April 2027, after Easter (28 March): 2 April, then three full weeks less a day.
        (date(2027, 4, 1), date(2027, 4, 22)),
        # Thursday 25 March 2027, before Easter: Good Friday and Easter Monday skipped.
        (date(2027, 3, 25), date(2027, 4, 19)),
        # Monday 14 December 2026: Christmas, Boxing Day's substitute and New Year's Day skipped.
        (date(2026, 12, 14), date(2027, 1, 7)),
    ],
)
def test_rapid_review_due_dates_worked_out(notified, due):
    review = practice_review(notification_date=notified, incident_notified_on=notified)
    assert clock_named(review, "rapid_review", notified).due == due


def test_a_practice_reviews_clocks_along_its_life():
    review = practice_review(
        notification_date=date(2026, 3, 2),
        incident_notified_on=date(2026, 3, 5),
        sent_to_panel_on=date(2026, 3, 20),
        decision=Decision.INITIATE,
        decision_date=date(2026, 4, 30),
        report_received_on=date(2026, 10, 15),
    )
    clocks = {c.key: c for c in review_clocks(review, date(2026, 11, 1))}

    assert list(clocks) == [
        "incident_notification",
        "rapid_review",
        "completion_target",
        "partners_publication",
    ]
    assert clocks["incident_notification"].due == date(2026, 3, 9)
    assert clocks["incident_notification"].clock.status == "met"
    assert clocks["rapid_review"].due == date(2026, 3, 26)
    assert clocks["rapid_review"].clock.status == "met"
    assert clocks["completion_target"].due == date(2026, 10, 30)
    assert clocks["completion_target"].name == "Complete the review (a target, not law)"
    assert clocks["completion_target"].rule == "within 6 months of the partners' decision"
    assert clocks["completion_target"].clock.status == "met"
    assert clocks["partners_publication"].due == date(2027, 1, 15)
    assert clocks["partners_publication"].clock.status == "green"


def test_a_practice_review_has_no_serious_case_review_clocks():
    review = practice_review(
        notification_date=date(2026, 3, 2),
        decision=Decision.NO_REVIEW,
        decision_date=date(2026, 4, 1),
    )
    keys = {c.key for c in review_clocks(review, date(2026, 4, 2))}
    assert keys == {"incident_notification"}


def test_the_current_deadline_of_a_practice_review_at_its_rapid_review():
    review = practice_review(
        state=State.RAPID_REVIEW,
        notification_date=date(2026, 12, 18),
        incident_notified_on=date(2026, 12, 21),
    )
    current = current_deadline(review, date(2026, 12, 22))
    assert (current.key, current.due) == ("rapid_review", date(2027, 1, 14))


def test_a_partnerships_own_targets_move_its_clocks():
    review = practice_review(notification_date=date(2026, 12, 21), incident_notified_on=date(2026, 12, 21))
    review.lead_board.notification_working_days = 3
    review.lead_board.rapid_review_working_days = 10
    clocks = {c.key: c for c in review_clocks(review, date(2026, 12, 21))}
    assert clocks["incident_notification"].due == date(2026, 12, 24)
    assert (
        clocks["incident_notification"].rule == "within 3 working days of the local authority becoming aware"
    )
    assert clocks["rapid_review"].due == working_days_after(date(2026, 12, 21), 10) == date(2027, 1, 7)


# A Serious Case Review's clocks, unchanged -----------------------------------------------------------


def serious_case_review(**dates) -> Review:
    return Review(lead_board=Board(name="North"), regime=Regime.SERIOUS_CASE_REVIEW, **dates)


def test_a_serious_case_reviews_clocks_are_unchanged():
    review = serious_case_review(
        notification_date=date(2025, 3, 3),
        national_panel_notified_on=date(2025, 3, 5),
        inspectorate_notified_on=date(2025, 3, 11),
        decision=Decision.INITIATE,
        decision_date=date(2025, 3, 31),
        report_received_on=date(2025, 9, 15),
    )
    clocks = {c.key: c for c in review_clocks(review, date(2025, 10, 1))}

    assert list(clocks) == ["notification", "decision", "completion", "publication"]
    assert clocks["notification"].due == date(2025, 3, 10)
    assert clocks["notification"].rule == "within 5 working days of learning of the incident"
    assert (clocks["notification"].clock.status, clocks["notification"].clock.days) == ("missed", 1)
    assert clocks["decision"].due == date(2025, 4, 3)
    assert clocks["decision"].clock.status == "met"
    assert clocks["completion"].due == date(2025, 9, 30)
    assert clocks["publication"].due == date(2025, 12, 15)


@given(learned=START_DATES)
@settings(max_examples=100, deadline=None)
def test_a_serious_case_reviews_notification_is_still_5_working_days(learned):
    review = serious_case_review(notification_date=learned)
    clocks = {c.key: c for c in review_clocks(review, learned)}
    assert set(clocks) == {"notification", "decision"}
    assert clocks["notification"].due == working_days_after(learned, 5)
    assert clocks["decision"].due == workdays.add_months(learned, 1)


@pytest.mark.parametrize(
    ("told", "status"),
    [(None, "amber"), (date(2025, 4, 14), "met"), (date(2025, 4, 15), "missed")],
)
def test_a_serious_case_reviews_decision_not_to_initiate_is_told_within_14_days(told, status):
    review = serious_case_review(
        notification_date=date(2025, 3, 3),
        decision=Decision.OTHER_REVIEW,
        decision_date=date(2025, 3, 31),
        national_panel_notified_on=told,
    )
    clocks = {c.key: c for c in review_clocks(review, date(2025, 4, 14))}

    notice = clocks["not_initiated_notice"]
    assert notice.due == date(2025, 4, 14)  # 14 calendar days, not working days
    assert notice.rule == "within 14 days of the decision"
    assert notice.clock.status == status
    assert "completion" not in clocks
