"""What the printed terms of reference and board pack say, and how they print: the context builders, the
print templates and stylesheet, rendered to HTML and to a PDF with WeasyPrint as the pipeline does."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from commissioning.models import SelfCheckAnswer, ToRVersion
from commissioning.tor.services import tor_draft_create, tor_send_for_comment
from demo.commissioning import approve_terms
from demo.responses import sign_off
from documents import render
from documents.content import board_pack_context, text_blocks, tor_context
from documents.fetcher import StaticOnlyFetcher
from responses.models import Action, EngagementActivity, LearningItem, Meeting
from reviews.models import Review, State
from tests.conftest import World
from tests.responses.helpers import action, at_stage, finding, plan_priority, theme

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src="file:///etc/passwd">'
CSS = "<style>body { background: url(http://127.0.0.1:9/x) }</style>"


class Printed:
    """A document rendered as the pipeline renders it: the HTML, and the text of each page of the PDF."""

    def __init__(self, kind: str, context: dict) -> None:
        self.html = render_to_string(
            f"documents/print/{kind}.html",
            {
                **context,
                "generated_on": date(2026, 3, 3),
                "document_title": f"{context['review'].reference}: test document",
                "version_label": "Test version label",
            },
        )
        self.fetcher = StaticOnlyFetcher()
        with mock.patch.object(render, "StaticOnlyFetcher", return_value=self.fetcher):
            self.pdf = render.pdf_from_html(self.html).pdf
        self.reader = PdfReader(io.BytesIO(self.pdf))
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.text = "\n".join(self.pages)
        self.flat = re.sub(r"\s+", " ", self.text)  # lines wrap wherever the layout puts them

    def contents(self) -> dict[str, int]:
        """The contents page's entries: title → page number (read from the dotted leaders)."""
        entries = {}
        for line in self.pages[1].splitlines():
            match = re.match(r"^(?:\d+ )?(.+?) ?(?:\. ?){3,}(\d+)$", line.strip())
            if match:
                entries[match[1].strip()] = int(match[2])
        return entries

    def outline(self) -> list[str]:
        titles = []

        def walk(items):
            for item in items:
                if isinstance(item, list):
                    walk(item)
                else:
                    titles.append(item.title)

        walk(self.reader.outline)
        return titles


def _tor(version: ToRVersion) -> Printed:
    return Printed("tor", tor_context(version))


def printed_name(name: str, text: str) -> bool:
    """Whether a made-up name is in the PDF's text: a name may wrap anywhere in a cell, even at a hyphen
    ("Howard-" / "Parsons"), so white space is ignored on both sides."""
    return re.sub(r"\s+", "", name) in re.sub(r"\s+", "", text)


def _pack(review: Review) -> Printed:
    return Printed("board_pack", board_pack_context(review))


def _draft_tor(world: World, review: Review | None = None) -> ToRVersion:
    review = review or world.north_review
    Review.objects.filter(pk=review.pk).update(state=State.COMMISSIONING)
    return tor_draft_create(review=review, user=world.north_manager)


def _response(world: World, *, findings: int = 2, actions: int = 2) -> Review:
    """The north review at the response stage: findings with positions, actions across priorities linked
    to the business plan, a meeting, engagement activities and learning the board already holds."""
    review = at_stage(world.north_review, State.RESPONSE)
    meeting = Meeting.objects.create(
        review=review,
        kind=Meeting.Kind.EXTRAORDINARY,
        held_on=date(2026, 2, 10),
        minutes_given=120,
        chaired_by="The chair",
        created_by=world.north_manager,
    )
    made = []
    for n in range(1, findings + 1):
        f = finding(review, n, title=f"Finding title {n}", themes=("Neglect",))
        f.position, f.position_reason, f.position_meeting = "accepted", f"Reason for position {n}.", meeting
        f.save()
        made.append(f)
    priority = plan_priority(world.north, 1)
    for n in range(1, actions + 1):
        action(
            review,
            world.north_member,
            findings=[made[n % len(made)]],
            number=n,
            description=f"Action description {n}",
            priority=1 + n % 3,
            plan_priority=priority,
            due_on=date(2026, 6, 1) + timedelta(days=n),
        )
    for n, audience in enumerate(EngagementActivity.Audience.values[:2], 1):
        EngagementActivity.objects.create(
            review=review,
            audience=audience,
            description=f"Engagement activity {n}",
            method=EngagementActivity.Method.BRIEFING,
            planned_on=date(2026, 4, n),
        )
    item = LearningItem.objects.create(
        board=world.north,
        title="Audit of neglect cases",
        source=LearningItem.Source.AUDIT,
        summary="Chronologies were rarely used.",
        learned_on=date(2025, 11, 1),
        created_by=world.north_manager,
    )
    item.themes.set([theme("Neglect")])
    return review


# Terms of reference ---------------------------------------------------------------------------------


def test_the_terms_of_reference_print_every_section_in_order_with_contents_and_page_numbers(world):
    version = _draft_tor(world)
    printed = _tor(version)

    titles = list(version.sections.order_by("order").values_list("title", flat=True))
    body = re.sub(r"\s+", " ", "\n".join(printed.pages[2:]))
    positions = [body.index(f"{n} {title}") for n, title in enumerate(titles, 1)]
    assert positions == sorted(positions)
    contents = printed.contents()
    assert list(contents) == [*titles, "Approval"]
    for title, page in contents.items():
        assert title in printed.pages[page - 1], f"{title} is not on page {page}"
    assert printed.outline()[0] == "Contents"
    assert [t.split(" ", 1)[1].strip() for t in printed.outline()[1:]] == [*titles, "Approval"]


def test_every_page_carries_the_marking_top_and_bottom_and_its_number(world):
    printed = _tor(_draft_tor(world))

    count = len(printed.pages)
    assert count >= 3
    for number, page in enumerate(printed.pages, 1):
        assert page.count("OFFICIAL-SENSITIVE") >= 2, f"page {number} lacks the marking top and bottom"
        assert f"Page {number} of {count}" in page
    assert "Page 1 of" in printed.pages[0]


def test_the_board_version_and_date_are_on_the_cover_and_every_page_after_it(world):
    printed = _tor(_draft_tor(world))

    assert "Test version label" in printed.pages[0]
    assert "3 March 2026" in printed.pages[0]
    for page in printed.pages[1:]:
        assert "North Safeguarding Children Board" in page
        assert "Test version label" in page
        assert "Generated 3 March 2026" in page
        assert "NSCB-1" in page


def test_a_version_not_approved_is_marked_draft_on_every_page(world):
    version = _draft_tor(world)
    tor_send_for_comment(
        version=version, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=7)
    )
    printed = _tor(version)

    assert tor_context(version)["is_draft"]
    assert all("DRAFT" in page for page in printed.pages)
    assert "document--draft" in printed.html
    assert "Draft out for comment until" in printed.pages[0]
    assert "has not been approved by the chair" in printed.flat


def test_an_approved_version_is_not_marked_draft_and_says_who_approved_it(world):
    approve_terms(world.north_review, world.north_manager, world.north_chair)
    version = world.north_review.tor_versions.get(status="approved")
    printed = _tor(version)

    assert "DRAFT" not in printed.text
    assert "document--draft" not in printed.html
    name = world.north_chair.get_full_name()
    assert f"Approved by {name}" in printed.pages[0]
    assert name in printed.pages[-1]


def test_a_superseded_version_says_so_rather_than_draft(world):
    approve_terms(world.north_review, world.north_manager, world.north_chair)
    first = world.north_review.tor_versions.get(status="approved")
    second = tor_draft_create(review=world.north_review, user=world.north_manager)
    tor_send_for_comment(
        version=second, user=world.north_manager, closes_on=timezone.localdate() + timedelta(days=7)
    )
    from commissioning.tor.services import tor_approve, tor_close_comments_early

    tor_close_comments_early(version=second, user=world.north_chair, reason="The board has met.")
    tor_approve(version=second, user=world.north_chair)
    printed = _tor(first)

    assert all("SUPERSEDED" in page for page in printed.pages)
    assert "DRAFT" not in printed.text


def test_a_cross_border_version_names_the_boards_taking_part(world):
    printed = _tor(_draft_tor(world, world.cross_border_review))

    assert "South Safeguarding Children Board" in printed.pages[0]


# Board pack -----------------------------------------------------------------------------------------


def test_the_board_pack_has_its_cover_contents_agenda_and_every_part(world):
    printed = _pack(_response(world))

    assert "Board pack" in printed.pages[0]
    assert "NSCB-1" in printed.pages[0]
    assert "North Safeguarding Children Board" in printed.pages[0]
    contents = printed.contents()
    parts = [
        "Agenda",
        "The review in brief",
        "The findings and the board's position",
        "Proposed actions, in order of priority",
        "Related learning and business plan priorities",
        "Engagement plan",
        "Quality marker self-checks",
        "The chair's sign-off of the board's response",
    ]
    for part in parts:
        assert part in contents, part
        assert part in printed.pages[contents[part] - 1], f"{part} is not on page {contents[part]}"
    assert contents["Finding 1: Finding title 1"] == contents["The findings and the board's position"]
    pages = [contents[p] for p in parts]
    assert pages == sorted(pages)
    assert set(printed.outline()) >= {"Agenda", "Contents"}


def test_the_review_in_brief_names_the_children_by_pseudonym_and_the_key_dates(world):
    review = _response(world)
    Review.objects.filter(pk=review.pk).update(incident_date=date(2025, 5, 4), decision_date=date(2025, 6, 2))
    printed = _pack(review)

    assert "Child A" in printed.text
    assert "4 May 2025" in printed.text
    assert "2 June 2025" in printed.text
    assert printed_name(world.north_reviewer.get_full_name(), printed.text)
    assert "Extraordinary meeting" in printed.flat


def test_findings_carry_the_board_s_position_the_reason_and_related_learning(world):
    printed = _pack(_response(world))

    assert "Finding title 1" in printed.text
    assert "The board's position: Accepted" in printed.flat
    assert "Reason for position 2." in printed.flat
    assert "Audit of neglect cases" in printed.text
    assert "Business plan, priority 1: Priority 1" in printed.flat


def test_actions_are_grouped_by_priority_high_first_with_owner_due_date_and_plan_link(world):
    review = _response(world, actions=3)
    printed = _pack(review)

    text = printed.text
    assert text.index("High priority") < text.index("Medium priority") < text.index("Low priority")
    groups = board_pack_context(review)["action_groups"]
    assert [g.priority for g in groups] == [Action.Priority.HIGH, Action.Priority.MEDIUM, Action.Priority.LOW]
    owner = Action.objects.filter(review=review).first()
    assert printed_name(owner.owner_agency.name, text)
    assert printed_name(world.north_member.get_full_name(), text)
    assert "2 Jun 2026" in text
    assert "Agreed" in text


def test_the_engagement_plan_is_set_out_by_audience(world):
    printed = _pack(_response(world))

    text = printed.text
    assert text.index("Frontline practitioners") < text.index("Managers and supervisors")
    assert "Engagement activity 2" in text


def test_both_quality_marker_self_checks_show_evidence_and_the_board_s_view(world):
    review = _response(world)
    SelfCheckAnswer.objects.create(
        review=review,
        marker=15,
        question=1,
        status="met",
        comment="Board comment.",
        updated_by=world.north_manager,
    )
    printed = _pack(review)

    assert "Quality marker 6: Commissioning: form and focus" in printed.flat
    assert "Quality marker 15: Improvement action" in printed.flat
    assert "1 meeting recorded" in printed.flat
    assert "Board comment." in printed.text
    assert "Not yet assessed" in printed.text


def test_the_family_markers_print_their_evidence_but_not_the_comments_kept_with_the_family_record(world):
    review = _response(world)
    for marker in (4, 12):
        SelfCheckAnswer.objects.create(
            review=review,
            marker=marker,
            question=1,
            status="partly",
            comment=f"Mother asked not to be named (QM {marker}).",
            updated_by=world.north_manager,
        )
    printed = _pack(review)

    assert "Quality marker 4:" in printed.flat and "Quality marker 12:" in printed.flat
    assert "Partly met" in printed.text
    assert "Mother asked not to be named" not in printed.text


def test_a_signed_response_prints_the_chair_the_time_and_the_digest(world):
    review = _response(world)
    signed = sign_off(review, world.north_manager, world.north_chair)
    printed = _pack(review)

    last = printed.pages[-1]
    assert signed.digest in last
    assert printed_name(world.north_chair.get_full_name(), last)
    assert timezone.localtime(signed.signed_at).strftime("%-d %B %Y") in last
    assert "Not yet signed off" not in printed.text


def test_an_unsigned_response_says_it_is_not_yet_signed_off(world):
    printed = _pack(_response(world))

    assert "Not yet signed off" in printed.pages[-1]
    assert "SHA-256" not in printed.text


def test_a_review_with_nothing_recorded_yet_still_prints(world):
    review = at_stage(world.north_review, State.REPORT_RECEIVED)
    printed = _pack(review)

    assert "No findings are recorded yet." in printed.flat
    assert "No actions are proposed yet." in printed.flat
    assert "No engagement activities are planned yet." in printed.flat
    assert "Not yet signed off" in printed.text


# Safety ---------------------------------------------------------------------------------------------


def test_what_people_type_is_printed_as_text_never_as_markup(world):
    review = _response(world)
    Review.objects.filter(pk=review.pk).update(case_summary=f"Summary {SCRIPT} {IMAGE} {CSS}")
    f = review.findings.get(number=1)
    f.title, f.text = f"Title {SCRIPT}", f"Text {IMAGE}"
    f.save()
    Action.objects.filter(review=review, number=1).update(description=f"Do {SCRIPT}")
    printed = _pack(review)

    assert SCRIPT not in printed.html
    assert IMAGE not in printed.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in printed.html
    assert SCRIPT in printed.flat
    assert IMAGE in printed.flat
    assert (
        CSS not in printed.html
        and "&lt;style&gt;body { background: url(http://127.0.0.1:9/x) }" in printed.html
    )
    assert printed.fetcher.refused == []  # nothing was even attempted: the text stayed text
    assert printed.fetcher.served == ["documents/print.css"]


def test_a_terms_of_reference_section_is_printed_as_text_never_as_markup(world):
    version = _draft_tor(world)
    section = version.sections.get(key="other")
    section.body = f"Intro {SCRIPT}\n- {IMAGE}\n1. numbered {SCRIPT}"
    section.save()
    printed = _tor(version)

    assert SCRIPT not in printed.html and IMAGE not in printed.html
    assert SCRIPT in printed.flat
    assert IMAGE.split(" ")[1] in printed.flat
    assert printed.fetcher.refused == []


def test_the_stylesheet_is_linked_from_static_files_only(world):
    printed = _tor(_draft_tor(world))

    assert re.findall(r'(?:href|src)="([^"#]+)"', printed.html) == ["/static/documents/print.css"]
    assert '<html lang="en-GB">' in printed.html
    assert "<title>NSCB-1: test document</title>" in printed.html


# Data version ---------------------------------------------------------------------------------------


def test_the_html_depends_on_the_data_not_on_the_day_it_is_made(world):
    review = _response(world)
    sign_off(review, world.north_manager, world.north_chair)
    version = _draft_tor(world, world.south_review)
    today = _pack(review).html, _tor(version).html
    later = timezone.now() + timedelta(days=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert (_pack(review).html, _tor(version).html) == today


def _queries(build) -> int:
    with CaptureQueriesContext(connection) as captured:
        context = build()
        render_to_string(
            f"documents/print/{context['kind']}.html",
            {**context, "generated_on": date(2026, 3, 3), "document_title": "t", "version_label": "v"},
        )
    return len(captured)


def test_the_board_pack_is_built_in_the_same_number_of_queries_for_2_or_20_findings_and_actions(world):
    review = _response(world, findings=2, actions=2)
    sign_off(review, world.north_manager, world.north_chair)
    few = _queries(lambda: board_pack_context(review))

    for n in range(3, 21):
        f = finding(review, n, themes=("Neglect", "Domestic abuse"))
        action(review, world.north_member, findings=[f], number=n, priority=1 + n % 3)
    assert review.findings.count() == 20 and review.actions.count() == 20
    assert _queries(lambda: board_pack_context(review)) == few


def test_the_terms_of_reference_are_built_in_the_same_number_of_queries_for_any_cross_border_set(world):
    few = _queries(lambda: tor_context(_draft_tor(world)))
    assert _queries(lambda: tor_context(_draft_tor(world, world.cross_border_review))) == few


# Free text ------------------------------------------------------------------------------------------


def test_free_text_becomes_paragraphs_and_lists():
    blocks = text_blocks("First line\nsecond line\n\nLead in:\n- one\n- two\n\n1. a\n2. b")

    assert [(b.kind, b.lines) for b in blocks] == [
        ("p", ["First line\nsecond line"]),
        ("p", ["Lead in:"]),
        ("ul", ["one", "two"]),
        ("ol", ["a", "b"]),
    ]
    assert text_blocks("   ") == []
