"""The analysis (Quality Marker 13): the lead reviewer's lines of enquiry and key practice episodes, each
episode citing entries of the merged chronology; who reads and writes it; the chronology showing what is
cited; the analysis page in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conduct.inquiry import services
from conduct.models import EnquiryLine, PracticeEpisode
from reviews.models import Review, TimelineEntry
from tests.conduct.helpers import entry, request_to
from tests.conduct.inquiry_helpers import episode, line
from tests.factories import AgencyFactory
from tests.querycount import cold_and_warm, listing

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _sent(info):
    """Two agencies' sent chronologies: police (submitted) and health (accepted); one of each in 2025."""
    mine = request_to(info.review, info.author, info.agency, status="submitted")
    theirs = request_to(info.review, info.health_author, info.health, status="accepted")
    return (
        entry(mine, date(2025, 2, 1), event="Police called to the flat"),
        entry(theirs, date(2025, 2, 3), event="GP sees Child A with a bruise"),
        entry(theirs, date(2023, 5, 1), event="Birth visit, long before"),
    )


# Services -----------------------------------------------------------------------------------------------


def test_the_reviewer_records_a_line_and_an_episode_citing_two_agencies(info, world):
    police, gp, _ = _sent(info)
    made = services.enquiry_line_save(
        review=info.review, user=world.north_reviewer, question=" How was risk shared? ", why="Two agencies."
    )
    assert made.question == "How was risk shared?" and made.created_by == world.north_reviewer
    found = services.episode_save(
        review=info.review,
        user=world.north_reviewer,
        title="February 2025",
        starts_on=date(2025, 2, 1),
        ends_on=date(2025, 2, 28),
        summary="Both agencies saw signs.",
        analysis="Neither knew what the other knew.",
        line_ids=[made.pk],
    )
    services.episode_evidence_set(
        review=info.review, user=world.north_reviewer, episode=found, entry_ids=[police.pk, gp.pk]
    )
    assert set(found.entries.all()) == {police, gp} and list(found.lines.all()) == [made]
    titles = list(TimelineEntry.objects.filter(review=info.review).values_list("title", flat=True))
    assert "Line of enquiry added" in titles
    assert "Evidence for February 2025: 2 chronology entries from 2 agencies" in titles
    assert PracticeEpisode.history.filter(id=found.pk).exists()


def test_an_episode_cannot_cite_unsent_entries_or_another_review_s_lines(info, world):
    draft = entry(request_to(info.review, info.author, info.agency, status="asked"), event="Draft")
    found = episode(info.review)
    with pytest.raises(services.AnalysisRefused) as refused:
        services.episode_evidence_set(
            review=info.review, user=world.north_reviewer, episode=found, entry_ids=[draft.pk]
        )
    assert refused.value.field == "entries" and not found.entries.exists()
    elsewhere = line(world.cross_border_review)
    with pytest.raises(services.AnalysisRefused) as refused:
        services.episode_save(
            review=info.review,
            user=world.north_reviewer,
            title="T",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 1, 2),
            summary="S",
            analysis="A",
            line_ids=[elsewhere.pk],
        )
    assert refused.value.field == "lines"


def test_an_episode_cannot_end_before_it_starts(info, world):
    with pytest.raises(services.AnalysisRefused) as refused:
        services.episode_save(
            review=info.review,
            user=world.north_reviewer,
            title="T",
            starts_on=date(2025, 2, 1),
            ends_on=date(2025, 1, 1),
            summary="S",
            analysis="A",
        )
    assert refused.value.field == "ends_on" and not PracticeEpisode.objects.exists()


def test_the_analysis_changes_only_while_the_review_is_in_progress(info, world):
    made = line(info.review)
    Review.objects.filter(pk=info.review.pk).update(state="report_received")
    info.review.refresh_from_db()
    with pytest.raises(services.AnalysisRefused, match="in progress"):
        services.enquiry_line_save(
            review=info.review, user=world.north_reviewer, question="Q", why="W", line=made
        )
    with pytest.raises(services.AnalysisRefused, match="in progress"):
        services.enquiry_line_delete(review=info.review, user=world.north_reviewer, line=made)
    assert EnquiryLine.objects.get().question == made.question


def test_removing_a_line_leaves_the_episode_and_its_evidence(info, world):
    police, gp, _ = _sent(info)
    made = line(info.review)
    found = episode(info.review, entries=[police, gp], lines=[made])
    services.enquiry_line_delete(review=info.review, user=world.north_reviewer, line=made)
    assert not found.lines.exists() and found.entries.count() == 2


# Pages --------------------------------------------------------------------------------------------------


def test_the_reviewer_adds_an_episode_then_chooses_its_evidence_from_the_period(client, info, world):
    police, gp, _before = _sent(info)
    made = line(info.review, "How was risk shared?")
    client.force_login(world.north_reviewer)
    response = client.post(
        reverse("practice_episode_add", args=[info.review.pk]),
        {
            "title": "February 2025",
            **_date("starts_on", date(2025, 2, 1)),
            **_date("ends_on", date(2025, 2, 28)),
            "summary": "Both agencies saw signs.",
            "analysis": "Neither knew what the other knew.",
            "lines": [made.pk],
        },
    )
    found = PracticeEpisode.objects.get()
    evidence = reverse("practice_episode_evidence", args=[info.review.pk, found.pk])
    assert response.status_code == 302 and response["Location"] == evidence
    page = client.get(evidence).content.decode()
    assert "Police called to the flat" in page and "GP sees Child A" in page
    assert "Birth visit" not in page  # outside the episode's period
    assert client.post(evidence, {"entries": [police.pk, gp.pk]}).status_code == 302
    analysis = client.get(reverse("analysis", args=[info.review.pk])).content.decode()
    assert "February 2025" in analysis and "2 chronology entries from" in analysis
    assert "Taken up by 1 episode" in analysis
    chronology = client.get(reverse("chronology", args=[info.review.pk])).content.decode()
    assert chronology.count(f"#episode-{found.pk}") == 2


def test_bad_input_is_refused_beside_its_field(client, info, world):
    client.force_login(world.north_manager)
    response = client.post(
        reverse("practice_episode_add", args=[info.review.pk]),
        {
            "title": "T",
            **_date("starts_on", date(2025, 3, 1)),
            **_date("ends_on", date(2025, 2, 1)),
            "summary": "S",
            "analysis": "A",
        },
    )
    assert response.status_code == 200 and "must be on or after its start" in response.content.decode()
    response = client.post(reverse("enquiry_line_add", args=[info.review.pk]), {"question": "Q", "why": ""})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    found = episode(info.review)
    response = client.post(
        reverse("practice_episode_evidence", args=[info.review.pk, found.pk]), {"entries": ["99999999"]}
    )
    assert response.status_code == 200 and not found.entries.exists()
    assert not EnquiryLine.objects.exists() and PracticeEpisode.objects.count() == 1


def test_the_chair_reads_the_analysis_but_cannot_change_it_and_an_author_sees_none_of_it(client, info, world):
    line(info.review, "How was risk shared?")
    client.force_login(world.north_chair)
    page = client.get(reverse("analysis", args=[info.review.pk])).content.decode()
    assert "How was risk shared?" in page and "Add a line of enquiry" not in page
    assert client.get(reverse("enquiry_line_add", args=[info.review.pk])).status_code == 403
    client.force_login(info.author)
    for name in ("analysis", "enquiry_line_add", "practice_episode_add", "analysis_self_check"):
        assert client.get(reverse(name, args=[info.review.pk])).status_code in (403, 404), name


def test_a_practice_review_s_analysis_uses_the_partnership_s_words(client, partnership):
    from tests.conduct.helpers import in_progress

    review = in_progress(partnership.review)
    client.force_login(partnership.manager)
    page = client.get(reverse("analysis", args=[review.pk])).content.decode()
    assert "partnership&#x27;s self-check" in page or "partnership's self-check" in page
    assert "board" not in page.split("<main")[1].lower().split("</main>")[0].replace("dashboard", "")


def _many(info, world, episodes: int, agencies: int) -> None:
    """`episodes` episodes, each citing one entry from each of `agencies` agencies, and as many lines."""
    for n in range(agencies):
        agency = AgencyFactory(name=f"Agency {n:02d}", boards=[world.north])
        from tests.conduct.helpers import author_for

        author = author_for(agency, world.north, email=f"analysis{n}-{episodes}@agency.example")
        request_to(info.review, author, agency, status="accepted")
    requests = list(info.review.information_requests.all())
    for i in range(episodes):
        cited = [entry(r, date(2024, 1, 1 + i % 28), event=f"Event {i}") for r in requests]
        episode(info.review, f"Episode {i}", entries=cited, lines=[line(info.review, f"Question {i}")])


def test_the_analysis_page_runs_the_same_queries_at_two_sizes(client, info, world):
    url = reverse("analysis", args=[info.review.pk])
    _many(info, world, 2, 2)
    small, warm, _ = cold_and_warm(client, world.north_reviewer, url)
    assert len(warm) == len(small), listing(("cold", small), ("warm", warm))
    _many(info, world, 20, 5)
    assert PracticeEpisode.objects.count() == 22
    large, _, response = cold_and_warm(client, world.north_reviewer, url)
    assert len(large) == len(small), listing(("small", small), ("large", large))
    assert "Episode 19" in response.content.decode()
