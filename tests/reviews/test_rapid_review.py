"""A practice review's rapid review page: agencies asked for summaries of their involvement, the summaries
recorded, reminders of those awaited, and who sees and does what (the West partnership fixture)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import notifications, services
from reviews.models import AgencySummary, Membership, Notification, Review, State, StatutoryPartner
from scr_portal.workdays import add_working_days
from tests.conftest import Partnership
from tests.reviews.test_workflow import date_input

POLICE, ICB, LA = (
    StatutoryPartner.POLICE,
    StatutoryPartner.INTEGRATED_CARE_BOARD,
    StatutoryPartner.LOCAL_AUTHORITY,
)


def today() -> date:
    return timezone.localdate()


def at_rapid_review(p: Partnership, notified: date | None = None) -> Review:
    """West's practice review with its serious incident notified (`notified`, today by default)."""
    notified = notified or today()
    Review.objects.filter(pk=p.review.pk).update(
        state=State.RAPID_REVIEW,
        incident_date=notified - timedelta(days=4),
        notification_date=notified - timedelta(days=2),
        incident_notified_on=notified,
        incident_notified_by="Jo Bloggs, Head of Service",
    )
    p.child.panel_reference = "CSPRP-2026-0042"
    p.child.save()
    p.review.refresh_from_db()
    return p.review


def ask(p: Partnership, *keys, due_on: date | None = None) -> list[AgencySummary]:
    """Asks the agencies named by `keys`; their summaries in the same order."""
    asked = services.agency_summaries_request(
        review=p.review,
        user=p.manager,
        agencies=[p.agencies[k] for k in keys],
        due_on=due_on or add_working_days(today(), 5),
    )
    by_agency = {s.agency_id: s for s in asked}
    return [by_agency[p.agencies[k].pk] for k in keys]


def rapid_url(p: Partnership, name: str = "rapid_review", **kwargs) -> str:
    return reverse(name, kwargs={"pk": p.review.pk, **kwargs})


# Asking agencies ------------------------------------------------------------------------------------------


def test_manager_asks_several_agencies_at_once(client, partnership):
    p = partnership
    at_rapid_review(p)
    client.force_login(p.manager)
    due = add_working_days(today(), 4)
    response = client.post(
        rapid_url(p, "agency_summaries_request"),
        {"agencies": [p.agencies[POLICE].pk, p.agencies[ICB].pk], **date_input("due_on", due)},
    )
    assert response.status_code == 302
    asked = AgencySummary.objects.filter(review=p.review)
    assert {s.agency for s in asked} == {p.agencies[POLICE], p.agencies[ICB]}
    assert {s.due_on for s in asked} == {due}
    assert all(s.requested_by == p.manager and s.requested_on == today() for s in asked)
    assert p.review.timeline.filter(title__startswith="Agencies asked for summaries").exists()


def test_the_due_date_is_five_working_days_away_unless_asked_otherwise(client, partnership):
    p = partnership
    at_rapid_review(p)
    client.force_login(p.manager)
    response = client.get(rapid_url(p, "agency_summaries_request"))
    form = response.context["form"]
    assert form.fields["due_on"].initial == add_working_days(today(), 5)
    # Only the agencies not yet asked are offered
    ask(p, POLICE)
    form = client.get(rapid_url(p, "agency_summaries_request")).context["form"]
    assert p.agencies[POLICE] not in form.fields["agencies"].queryset
    assert p.agencies[ICB] in form.fields["agencies"].queryset


def test_the_default_due_date_is_never_after_the_rapid_review_is_due(client, partnership):
    p = partnership
    notified = add_working_days(today(), -13)  # the rapid review is due in 2 working days
    at_rapid_review(p, notified=notified)
    client.force_login(p.manager)
    form = client.get(rapid_url(p, "agency_summaries_request")).context["form"]
    assert form.fields["due_on"].initial == add_working_days(notified, 15)


@pytest.mark.parametrize(
    ("due", "message"),
    [
        (lambda: today() - timedelta(days=1), "cannot be in the past"),
        (lambda: add_working_days(today(), 16), "at the latest: the rapid review is due with the Panel then"),
    ],
    ids=["past", "after the rapid review"],
)
def test_a_due_date_in_the_past_or_after_the_rapid_review_is_refused(client, partnership, due, message):
    p = partnership
    at_rapid_review(p)
    client.force_login(p.manager)
    response = client.post(
        rapid_url(p, "agency_summaries_request"),
        {"agencies": [p.agencies[POLICE].pk], **date_input("due_on", due())},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["due_on"])
    assert not AgencySummary.objects.exists()
    assert not Notification.objects.filter(key__startswith="summary:").exists()


def test_asking_tells_the_agencys_people_on_the_partnership_only(partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, POLICE)
    told = set(
        Notification.objects.filter(key=f"summary:{summary.pk}:asked").values_list("recipient", flat=True)
    )
    assert told == {p.leads[POLICE].pk, p.delegates[POLICE].pk}
    assert p.coast_delegate.pk not in told  # Coast's police delegate: another partnership
    note = Notification.objects.filter(key=f"summary:{summary.pk}:asked").first()
    assert note.kind == Notification.Kind.ACTION_NEEDED
    assert note.path == rapid_url(p)


def test_nobody_asks_before_the_notification_or_after_the_rapid_review_is_sent(client, partnership):
    p = partnership
    client.force_login(p.manager)
    assert client.get(rapid_url(p, "agency_summaries_request")).status_code == 403  # still at notification
    at_rapid_review(p)
    Review.objects.filter(pk=p.review.pk).update(state=State.WITH_PANEL)
    assert client.get(rapid_url(p, "agency_summaries_request")).status_code == 403


@pytest.mark.parametrize("person", ["scrutineer", "member", "chair"])
def test_only_the_manager_asks_agencies(client, partnership, person):
    p = partnership
    at_rapid_review(p)
    client.force_login(getattr(p, person))
    response = client.post(
        rapid_url(p, "agency_summaries_request"),
        {"agencies": [p.agencies[POLICE].pk], **date_input("due_on", add_working_days(today(), 3))},
    )
    assert response.status_code == 403
    assert not AgencySummary.objects.exists()


# Recording summaries ----------------------------------------------------------------------------------


def _record(
    client, p: Partnership, summary: AgencySummary, text: str = "Known to us since 2024.", received=None
):
    return client.post(
        rapid_url(p, "agency_summary_record", summary_pk=summary.pk),
        {"summary_text": text, **date_input("received_on", received or today())},
    )


def test_manager_records_a_summary_sent_to_them(client, partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, ICB)
    client.force_login(p.manager)
    assert _record(client, p, summary, "Health visitor saw Child W twice.").status_code == 302
    summary.refresh_from_db()
    assert summary.summary == "Health visitor saw Child W twice."
    assert summary.received_on == today()
    # The request to the agency's people is done
    assert not Notification.objects.filter(
        key=f"summary:{summary.pk}:asked", resolved_at__isnull=True
    ).exists()


def test_the_agencys_own_partner_records_its_summary_and_the_manager_is_told(client, partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, POLICE)
    client.force_login(p.delegates[POLICE])
    assert _record(client, p, summary).status_code == 302
    summary.refresh_from_db()
    assert summary.is_received
    assert Notification.objects.filter(recipient=p.manager, key=f"summary:{summary.pk}:received").exists()


def test_the_agencys_member_records_its_summary(client, partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, "schools")
    client.force_login(p.member)
    assert _record(client, p, summary).status_code == 302


@pytest.mark.parametrize("person", ["member", "scrutineer", "chair", "reviewer"])
def test_nobody_else_records_an_agencys_summary(client, partnership, person):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, POLICE)
    client.force_login(getattr(p, person))
    assert _record(client, p, summary).status_code in (403, 404)
    summary.refresh_from_db()
    assert not summary.is_received


def test_another_partners_delegate_cannot_record_the_police_summary(client, partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, POLICE)
    client.force_login(p.delegates[ICB])
    assert _record(client, p, summary).status_code == 403


def test_a_summary_cannot_be_received_in_the_future_or_before_it_was_asked(client, partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, POLICE)
    client.force_login(p.manager)
    response = _record(client, p, summary, received=today() + timedelta(days=1))
    assert "cannot be in the future" in " ".join(response.context["form"].errors["received_on"])
    response = _record(client, p, summary, received=today() - timedelta(days=1))
    assert "before it was asked for" in " ".join(response.context["form"].errors["received_on"])
    summary.refresh_from_db()
    assert not summary.is_received


def test_a_recorded_summary_can_be_changed_and_its_history_keeps_the_old_text(client, partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, POLICE)
    client.force_login(p.manager)
    _record(client, p, summary, "First version.")
    _record(client, p, summary, "Corrected version.")
    summary.refresh_from_db()
    assert summary.summary == "Corrected version."
    assert "First version." in summary.history.values_list("summary", flat=True)
    assert p.review.timeline.filter(title=f"Summary from {p.agencies[POLICE].name} changed").exists()


def test_summaries_cannot_change_once_the_rapid_review_is_sent(client, partnership):
    p = partnership
    at_rapid_review(p)
    [summary] = ask(p, POLICE)
    client.force_login(p.manager)
    _record(client, p, summary, "Sent version.")
    Review.objects.filter(pk=p.review.pk).update(state=State.WITH_PANEL)
    assert _record(client, p, summary, "Too late.").status_code == 403
    summary.refresh_from_db()
    assert summary.summary == "Sent version."


# Sending the rapid review -------------------------------------------------------------------------------


def test_the_rapid_review_cannot_be_sent_until_every_summary_is_in(client, partnership):
    p = partnership
    at_rapid_review(p)
    client.force_login(p.manager)
    step = reverse("review_step", args=[p.review.pk, "send_rapid_review"])
    assert "Ask at least one agency" in " ".join(client.get(step).context["blockers"])
    police, icb = ask(p, POLICE, ICB)
    _record(client, p, police)
    blockers = " ".join(client.get(step).context["blockers"])
    assert p.agencies[ICB].name in blockers and p.agencies[POLICE].name not in blockers
    _record(client, p, icb)
    assert client.get(step).context["blockers"] == []


# Reminders -------------------------------------------------------------------------------------------


def test_reminders_go_to_the_agencys_people_once_when_due_soon_and_once_when_overdue(partnership):
    p = partnership
    at_rapid_review(p)
    police, icb = ask(p, POLICE, ICB, due_on=add_working_days(today(), 2))
    services.agency_summary_record(summary=icb, user=p.manager, summary_text="In.", received_on=today())

    told = notifications.send_summary_reminders()
    assert told == 2  # the police's lead and delegate; the ICB's summary is in
    reminded = Notification.objects.filter(key__startswith=f"summary:{police.pk}:reminder:")
    assert set(reminded.values_list("recipient", flat=True)) == {p.leads[POLICE].pk, p.delegates[POLICE].pk}
    assert not Notification.objects.filter(key__startswith=f"summary:{icb.pk}:reminder:").exists()
    police.refresh_from_db()
    assert police.reminded_on == today()
    assert notifications.send_summary_reminders() == 0  # the same day again: nobody twice

    overdue = add_working_days(police.due_on, 1)
    assert notifications.send_summary_reminders(today=overdue) == 2
    assert reminded.filter(kind=Notification.Kind.DEADLINE_PASSED).count() == 2
    assert notifications.send_summary_reminders(today=overdue + timedelta(days=1)) == 0


def test_no_reminder_while_the_date_is_far_off_or_after_the_rapid_review_is_sent(partnership):
    p = partnership
    at_rapid_review(p)
    ask(p, POLICE, due_on=add_working_days(today(), 5))
    assert notifications.send_summary_reminders() == 0
    Review.objects.filter(pk=p.review.pk).update(state=State.WITH_PANEL)
    assert notifications.send_summary_reminders(today=add_working_days(today(), 6)) == 0


# The page, for each person ------------------------------------------------------------------------------


def test_the_page_shows_the_notification_clock_and_summaries(client, partnership):
    p = partnership
    at_rapid_review(p)
    police, icb = ask(p, POLICE, ICB)
    services.agency_summary_record(
        summary=police, user=p.manager, summary_text="Called to the home <twice>.", received_on=today()
    )
    AgencySummary.objects.filter(pk=icb.pk).update(
        due_on=today() - timedelta(days=1), requested_on=today() - timedelta(days=3)
    )
    client.force_login(p.manager)
    html = client.get(rapid_url(p)).content.decode()
    assert "Jo Bloggs, Head of Service" in html
    assert "CSPRP-2026-0042" in html
    assert "Complete the rapid review and send it to the Panel" in html
    assert "Called to the home &lt;twice&gt;." in html  # escaped
    assert "Overdue" in html and "Received" in html
    assert f"{today().day} {today():%B %Y}" in html
    assert "Ask agencies for their summaries" in html
    assert "Send the rapid review to the Panel" in html
    for word in ("Serious Case Review", "board", "chair"):
        assert word not in html.split("<main", 1)[1].split("</main>")[0], word


NOBODY_THERE = "Nobody from this agency is on the partnership."


def test_asking_an_agency_nobody_represents_warns_that_only_the_manager_can_record_it(client, partnership):
    p = partnership
    at_rapid_review(p)
    schools = p.agencies["schools"]
    Membership.objects.filter(board=p.west, agency=schools).update(is_active=False)  # the member has left
    client.force_login(p.manager)
    response = client.post(
        rapid_url(p, "agency_summaries_request"),
        {
            "agencies": [schools.pk, p.agencies[POLICE].pk],
            **date_input("due_on", add_working_days(today(), 4)),
        },
        follow=True,
    )
    said = " ".join(str(m) for m in response.context["messages"])
    assert "Asked 2 agencies for a summary. Their people on the partnership are told" in said
    assert (
        f"Nobody from {schools.name} is on the partnership: only the business manager can record its summary."
        in said
    )
    # Asked all the same, and the page's table says so beside the agency, not beside the police.
    assert AgencySummary.objects.filter(review=p.review, agency=schools).exists()
    html = response.content.decode()
    assert html.count(NOBODY_THERE) == 1
    row = html.split(f">{schools.name}</a>", 1)[1].split("</tr>", 1)[0]
    assert NOBODY_THERE in row and "Only the business manager can record its summary." in row


def test_no_warning_once_someone_represents_the_agency_or_its_summary_is_in(client, partnership):
    p = partnership
    at_rapid_review(p)
    _, schools = ask(p, POLICE, "schools")
    client.force_login(p.manager)
    assert NOBODY_THERE not in client.get(rapid_url(p)).content.decode()  # the schools' member is there
    Membership.objects.filter(board=p.west, agency=p.agencies["schools"]).update(is_active=False)
    assert NOBODY_THERE in client.get(rapid_url(p)).content.decode()
    services.agency_summary_record(
        summary=schools, user=p.manager, summary_text="Known.", received_on=today()
    )
    assert NOBODY_THERE not in client.get(rapid_url(p)).content.decode()


def test_the_agencys_partner_is_offered_to_record_its_summary(client, partnership):
    p = partnership
    at_rapid_review(p)
    [police] = ask(p, POLICE)
    client.force_login(p.leads[POLICE])
    html = client.get(rapid_url(p)).content.decode()
    assert reverse("agency_summary_record", args=[p.review.pk, police.pk]) in html
    assert "Ask agencies for their summaries" not in html


def test_the_scrutineer_reads_the_page_but_is_offered_nothing_to_change(client, partnership):
    p = partnership
    at_rapid_review(p)
    [police] = ask(p, POLICE)
    client.force_login(p.scrutineer)
    response = client.get(rapid_url(p))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing is asked of you here" in html
    assert reverse("agency_summary_record", args=[p.review.pk, police.pk]) not in html
    assert reverse("agency_summaries_request", args=[p.review.pk]) not in html


def test_the_page_shows_the_rapid_review_and_the_panels_reply_once_recorded(client, partnership):
    p = partnership
    at_rapid_review(p)
    Review.objects.filter(pk=p.review.pk).update(
        state=State.DECISION,
        rapid_review_meeting_on=today(),
        immediate_safety_actions="Siblings placed with grandparents.",
        learning_identified="Information sharing at weekends.",
        recommendation="local_review",
        sent_to_panel_on=today(),
        panel_reply="agrees",
        panel_replied_on=today(),
    )
    client.force_login(p.scrutineer)
    html = client.get(rapid_url(p)).content.decode()
    for text in (
        "Siblings placed with grandparents.",
        "Information sharing at weekends.",
        "A local child safeguarding practice review",
        "The Panel agrees with the recommendation",
    ):
        assert text in html


def test_the_review_page_links_to_the_rapid_review_once_notified(client, partnership):
    p = partnership
    client.force_login(p.manager)
    assert rapid_url(p) not in client.get(reverse("review_detail", args=[p.review.pk])).content.decode()
    assert client.get(rapid_url(p)).status_code == 403  # nothing to show before the notification
    at_rapid_review(p)
    assert rapid_url(p) in client.get(reverse("review_detail", args=[p.review.pk])).content.decode()


@pytest.mark.parametrize("person", ["coast_manager", "coast_delegate"])
def test_another_partnerships_people_get_404_everywhere(client, partnership, person):
    p = partnership
    at_rapid_review(p)
    [police] = ask(p, POLICE)
    client.force_login(getattr(p, person))
    for url in (
        rapid_url(p),
        rapid_url(p, "agency_summaries_request"),
        rapid_url(p, "agency_summary_record", summary_pk=police.pk),
    ):
        assert client.get(url).status_code == 404, url
    assert _record(client, p, police).status_code == 404


def test_the_review_page_sends_each_person_to_their_part_of_the_rapid_review(client, partnership):
    p = partnership
    at_rapid_review(p)
    review_url = reverse("review_detail", args=[p.review.pk])
    client.force_login(p.manager)
    own = client.get(review_url).context["own_step"]
    assert (own.text, own.url) == ("Ask agencies for summaries of their involvement.", rapid_url(p))
    ask(p, POLICE)
    client.force_login(p.leads[POLICE])
    own = client.get(review_url).context["own_step"]
    assert own.text == f"Record the summary from {p.agencies[POLICE].name} for the rapid review."
    assert own.url == rapid_url(p)
    client.force_login(p.leads[ICB])
    assert client.get(review_url).context["own_step"].text != own.text
