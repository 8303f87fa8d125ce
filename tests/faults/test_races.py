"""Races: two people doing the same thing to the same record at the same moment. Exactly one wins, the
other is told in plain words and keeps what they typed, and nothing of either is lost or half-written.

The races are real concurrent transactions on PostgreSQL: each person is a thread with its own database
connection, released together by a barrier. In every round, the transaction that takes the row lock first
is held open (inside its own write) until PostgreSQL shows the other one waiting for that lock, so the two
truly overlap rather than running one after the other by luck; each race runs many rounds. Without
PostgreSQL these tests are skipped, and under REQUIRE_SERVICES=1 (CI's second run) they fail instead.

The pages' side (a stale form posted after someone else's change) is also checked one request after the
other, which needs no PostgreSQL and runs in both of CI's runs."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.models import Factor, FactorAssessment, Scope, ToRSection, ToRVersion
from commissioning.tor import services as tor
from responses.actions import services as actions
from responses.document import assemble
from responses.document import services as document
from responses.models import Action, ActionUpdate, Evidence, ResponseVersion, digest_of
from reviews.models import Membership, Notification, Review, Role, State, TimelineEntry
from scr_portal.uploads import sniff
from tests.factories import UserFactory
from tests.responses.helpers import PDF_BYTES, action, at_stage, finding

ROUNDS = 15  # per race between two service calls
FEWER_ROUNDS = 4  # per race through the pages (each round renders them), and for notes that never conflict
Status = Action.Status
TODAY = timezone.localdate
STATUS_CONFLICT = (
    "Someone else changed this action's status to {status} after you opened this page. Nothing was saved: "
    "check the action as it is now, then try again."
)
DRAFT_CONFLICT = (
    "Someone else saved this draft after you opened it. Your text is below and was not saved: compare it "
    "with the draft as it is now, then save again."
)
SECTION_CONFLICT = (
    "Someone else saved this version after you opened it, so your text was not saved. Compare their text "
    "with yours below, then save again."
)

concurrent = pytest.mark.django_db(transaction=True)


# Running a race --------------------------------------------------------------------------------------


@pytest.fixture
def postgresql() -> None:
    """Real concurrent transactions need PostgreSQL (SQLite's test database locks whole tables instead of
    waiting for a row): skipped without it, and a failure when CI requires the real services."""
    if connection.vendor == "postgresql":
        return
    message = "needs PostgreSQL for real concurrent transactions: DATABASE_URL not configured"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _another_transaction_waits_for_a_lock(timeout: float) -> bool:
    """Whether, within `timeout` seconds, PostgreSQL shows another connection to this database waiting
    for a lock (the one this connection holds)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # pg_stat_activity is cached per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.005)
    return False


class Overlap:
    """Wraps a call that a writer makes while holding its row locks. Armed before each round, the first
    writer to make the call waits there until the other writer is seen waiting for the lock; `overlapped`
    counts the rounds where that happened."""

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self.overlapped = 0
        self._armed = False
        self._guard = threading.Lock()

    def arm(self) -> None:
        self._armed = True

    def wrap(self, original: Callable) -> Callable:
        def held(*args, **kwargs):
            with self._guard:
                first, self._armed = self._armed, False
            if first and _another_transaction_waits_for_a_lock(self.timeout):
                with self._guard:
                    self.overlapped += 1
            return original(*args, **kwargs)

        return held


@dataclass
class Outcome:
    who: str
    result: object = None
    refusal: Exception | None = None
    error: str = ""


def race(calls: dict[str, Callable], *, refused: type[Exception] | tuple = ()) -> dict[str, Outcome]:
    """Runs each call in its own thread (so on its own database connection), all released at once.
    A `refused` exception is the expected way to lose; anything else raised is recorded as an error."""
    barrier = threading.Barrier(len(calls))
    outcomes = {who: Outcome(who) for who in calls}

    def run(who: str, call: Callable) -> None:
        outcome = outcomes[who]
        try:
            barrier.wait(timeout=30)
            outcome.result = call()
        except refused as refusal:
            outcome.refusal = refusal
        except Exception as error:  # reported by the test as a failure, with its type
            outcome.error = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item, daemon=True) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a writer was still blocked after 60 seconds"
    return outcomes


def one_winner(outcomes: dict[str, Outcome]) -> tuple[Outcome, Outcome]:
    """The winner and the loser of a two-person race: one went through, the other was refused, and
    nothing else (no IntegrityError, no deadlock, no server error) happened to either."""
    assert [o.error for o in outcomes.values() if o.error] == []
    winners = [o for o in outcomes.values() if o.refusal is None]
    losers = [o for o in outcomes.values() if o.refusal is not None]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    return winners[0], losers[0]


def report(name: str, wins: Counter, overlap: Overlap, told: set[str]) -> None:
    """One line per race for the issue note (shown with `pytest -s` or `-rP`)."""
    print(
        f"\n{name}: {sum(wins.values())} rounds; won by {dict(wins)}; loser seen waiting for the winner's lock in "
        f"{overlap.overlapped}; loser told: {' | '.join(sorted(told))}"
    )


def _timeline(review: Review, **lookup) -> list[TimelineEntry]:
    return list(TimelineEntry.objects.filter(review=review, **lookup).order_by("pk"))


def _date(prefix: str, d) -> dict:
    return {f"{prefix}_0": d.day, f"{prefix}_1": d.month, f"{prefix}_2": d.year}


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def _upload(name: str) -> actions.Upload:
    file = _pdf(name)
    return actions.Upload(file, sniff(file))


# The fixtures: a response under way, terms of reference being drafted -------------------------------


def _second(world, role: str):
    """A second person holding `role` on North, the lead board (made once): only the lead board's business
    managers draft and its chairs approve and sign a cross-border review, so two of them race."""
    user = UserFactory(email=f"{role}-2@north.example", two_factor_waived=True)
    Membership.objects.get_or_create(user=user, board=world.north, role=role)
    return user


def _second_chair(world):
    return _second(world, Role.CHAIR)


def _second_manager(world):
    return _second(world, Role.BUSINESS_MANAGER)


@pytest.fixture
def response_review(world) -> Review:
    """The cross-border review at the response stage: North's two business managers may both change the
    written response, and its two chairs may sign it (South takes part, but North runs the review)."""
    review = at_stage(world.cross_border_review, State.RESPONSE)
    finding(review, title="Information was not shared")
    return review


@pytest.fixture
def tor_review(world) -> Review:
    """North's review being commissioned, with a rationale its chairs can approve."""
    Review.objects.filter(pk=world.north_review.pk).update(state="commissioning")
    review = Review.objects.get(pk=world.north_review.pk)
    scope, _ = Scope.objects.get_or_create(review=review)
    scope.rationale = "Proportionate to the gravity of the case and the boards' capacity."
    scope.save()
    for kind in ("case", "context"):
        factor = Factor.objects.filter(kind=kind, review__isnull=True).first()
        scope.rationale_factors.add(
            FactorAssessment.objects.create(
                review=review,
                factor=factor,
                assessment=f"About {factor.title}",
                weight="significant",
                updated_by=world.north_manager,
            )
        )
    return review


# Two saves of one draft ------------------------------------------------------------------------------


@concurrent
def test_two_saves_of_one_response_draft_keep_exactly_one(postgresql, world, response_review):
    review = response_review
    people = {"North's manager": world.north_manager, "North's other manager": _second_manager(world)}
    draft = document.response_version_create(review=review, user=world.north_manager)
    overlap, wins, told = Overlap(), Counter(), set()

    with mock.patch.object(document, "timeline_add", overlap.wrap(document.timeline_add)):
        for n in range(ROUNDS):
            seen = ResponseVersion.objects.get(pk=draft.pk).revision
            texts = {
                who: {
                    "introduction": f"{who}'s introduction, round {n}.",
                    "monitoring": f"{who}.",
                    "closing": "",
                }
                for who in people
            }
            before = len(_timeline(review))
            overlap.arm()
            outcomes = race(
                {
                    who: partial(
                        document.response_version_save,
                        version=draft,
                        user=user,
                        **texts[who],
                        seen_revision=seen,
                    )
                    for who, user in people.items()
                },
                refused=document.EditConflict,
            )

            winner, loser = one_winner(outcomes)
            assert str(loser.refusal) == DRAFT_CONFLICT
            saved = ResponseVersion.objects.get(pk=draft.pk)
            assert saved.revision == seen + 1  # one save, not two
            assert (saved.introduction, saved.monitoring) == (
                texts[winner.who]["introduction"],
                texts[winner.who]["monitoring"],
            )
            assert saved.content == assemble.assemble(review, saved)  # the document matches its own text
            assert texts[loser.who]["introduction"] not in saved.content
            after = _timeline(review)
            assert len(after) == before + 1
            assert after[-1].title == f"Board's response: draft version {saved.number} changed"
            assert after[-1].actor == people[winner.who]
            wins[winner.who] += 1
            told.add(str(loser.refusal))

    assert overlap.overlapped == ROUNDS
    report("Two saves of one response draft", wins, overlap, told)


@concurrent
def test_two_saves_of_one_terms_of_reference_draft_keep_exactly_one(postgresql, world, tor_review):
    """Both save the same section, or (every other round) two sections from the same revision: a version
    is one text, so either way the second save is refused rather than applied over a text not seen."""
    people = {"North's manager": world.north_manager, "North's other manager": _second_manager(world)}
    version = tor.tor_draft_create(review=tor_review, user=world.north_manager)
    sections = {s.key: s for s in version.sections.all()}
    overlap, wins, told = Overlap(), Counter(), set()

    with mock.patch.object(ToRSection, "save", overlap.wrap(ToRSection.save)):
        for n in range(ROUNDS):
            keys = {
                "North's manager": "breadth",
                "North's other manager": "breadth" if n % 2 == 0 else "period",
            }
            seen = ToRVersion.objects.get(pk=version.pk).revision
            before = {key: ToRSection.objects.get(pk=sections[key].pk).body for key in set(keys.values())}
            texts = {who: f"{who}'s words, round {n}." for who in people}
            overlap.arm()
            outcomes = race(
                {
                    who: partial(
                        tor.tor_section_save,
                        section=sections[keys[who]],
                        user=user,
                        body=texts[who],
                        seen_revision=seen,
                    )
                    for who, user in people.items()
                },
                refused=tor.EditConflict,
            )

            winner, loser = one_winner(outcomes)
            assert str(loser.refusal) == SECTION_CONFLICT
            assert ToRVersion.objects.get(pk=version.pk).revision == seen + 1
            now = {key: ToRSection.objects.get(pk=sections[key].pk).body for key in before}
            assert now[keys[winner.who]] == texts[winner.who]
            if keys[loser.who] != keys[winner.who]:
                assert now[keys[loser.who]] == before[keys[loser.who]]  # untouched
            # The loser is shown the text as it is now, to merge with their own.
            assert loser.refusal.saved_body == now[keys[loser.who]]
            assert loser.refusal.revision == seen + 1
            assert not ToRSection.objects.filter(version=version, body=texts[loser.who]).exists()
            wins[winner.who] += 1
            told.add(str(loser.refusal))

    assert overlap.overlapped == ROUNDS
    report("Two saves of one terms of reference draft", wins, overlap, told)


# Two sign-offs ---------------------------------------------------------------------------------------


@concurrent
def test_two_chairs_signing_one_draft_leave_one_signature(postgresql, world, response_review):
    review = response_review
    chairs = {"North's chair": world.north_chair, "North's other chair": _second_chair(world)}
    overlap, wins, told = Overlap(), Counter(), set()

    with mock.patch.object(document, "timeline_add", overlap.wrap(document.timeline_add)):
        for _ in range(ROUNDS):
            draft = document.response_version_create(review=review, user=world.north_manager)
            shown = draft.content_digest()
            overlap.arm()
            outcomes = race(
                {
                    who: partial(document.response_version_sign, version=draft, user=chair, seen_digest=shown)
                    for who, chair in chairs.items()
                },
                refused=document.AlreadySigned,
            )

            winner, loser = one_winner(outcomes)
            signed = ResponseVersion.objects.select_related("signed_by").get(pk=draft.pk)
            assert signed.signed_by == chairs[winner.who]
            assert signed.digest == digest_of(signed.content.encode("utf-8")) and signed.verifies()
            assert str(loser.refusal) == (
                f"Version {signed.number} was already signed by {signed.signed_by.get_full_name()} on "
                f"{timezone.localtime(signed.signed_at):%-d %B %Y at %H:%M}. Your signature was not added: "
                "nothing more is needed."
            )
            entries = _timeline(
                review, title=f"Board's response: version {signed.number} signed off by the chair"
            )
            assert [e.actor for e in entries] == [chairs[winner.who]]
            told_once = Notification.objects.filter(key=f"response-signed:{review.pk}:{signed.number}")
            recipients = list(told_once.values_list("recipient", flat=True))
            assert recipients and len(recipients) == len(set(recipients))  # everyone told once, not twice
            assert chairs[winner.who].pk not in recipients
            wins[winner.who] += 1
            if not told:  # one example: the others differ only in the version, the chair and the time
                told.add(str(loser.refusal))

    assert overlap.overlapped == ROUNDS
    report("Two chairs signing one draft of the response", wins, overlap, told)


@concurrent
def test_two_chairs_approving_one_terms_of_reference_leave_one_approval(postgresql, world, tor_review):
    chairs = {"North's chair": world.north_chair, "North's other chair": _second_chair(world)}
    overlap, wins, told = Overlap(), Counter(), set()

    with mock.patch.object(tor, "timeline_add", overlap.wrap(tor.timeline_add)):
        for n in range(ROUNDS):
            version = tor.tor_draft_create(
                review=tor_review, user=world.north_manager, source="copy" if n else "data"
            )
            tor.tor_send_for_comment(
                version=version, user=world.north_manager, closes_on=TODAY() + timedelta(days=14)
            )
            tor.tor_close_comments_early(version=version, user=world.north_chair, reason="The board has met.")
            overlap.arm()
            outcomes = race(
                {who: partial(tor.tor_approve, version=version, user=chair) for who, chair in chairs.items()},
                refused=tor.ToRRefused,
            )

            winner, loser = one_winner(outcomes)
            approved = ToRVersion.objects.get(review=tor_review, status=ToRVersion.Status.APPROVED)
            assert (approved.pk, approved.approved_by) == (version.pk, chairs[winner.who])
            assert str(loser.refusal).startswith(
                f"Version {version.number} was already approved by {chairs[winner.who].get_full_name()} on "
            )
            assert str(loser.refusal).endswith("Your approval was not added: nothing more is needed.")
            entries = _timeline(tor_review, title=f"Terms of reference version {version.number} approved")
            assert [e.actor for e in entries] == [chairs[winner.who]]
            wins[winner.who] += 1
            if not told:  # one example: the others differ only in the version, the chair and the time
                told.add(str(loser.refusal))

    assert overlap.overlapped == ROUNDS
    report("Two chairs approving one version of the terms of reference", wins, overlap, told)


# Two status changes of one action --------------------------------------------------------------------


@concurrent
def test_two_people_changing_one_actions_status_leave_one_change(
    postgresql, world, response_review, settings, tmp_path
):
    """The owner marks the action completed while the business manager marks it completed too (even
    rounds) or defers it (odd rounds), each attaching a file; both opened it when it was in progress."""
    settings.MEDIA_ROOT = tmp_path
    review = response_review
    people = {"the owner": world.north_member, "the business manager": world.north_manager}
    overlap, wins, told = Overlap(), Counter(), set()

    with mock.patch.object(actions, "timeline_add", overlap.wrap(actions.timeline_add)):
        for n in range(ROUNDS):
            a = action(review, world.north_member, status=Status.IN_PROGRESS)
            a.review = review
            moves = {
                "the owner": {"status_to": Status.COMPLETED},
                "the business manager": (
                    {"status_to": Status.COMPLETED}
                    if n % 2 == 0
                    else {
                        "status_to": Status.DEFERRED,
                        "deferred_reason": f"Waiting for the audit, round {n}.",
                        "deferred_until": TODAY() + timedelta(days=30 + n),
                    }
                ),
            }
            timeline_before = len(_timeline(review))
            overlap.arm()
            outcomes = race(
                {
                    who: partial(
                        actions.action_progress_record,
                        action=a,
                        user=user,
                        on=TODAY(),
                        text=f"{who} moved it on, round {n}.",
                        files=[_upload(f"{who} round {n}.pdf")],
                        seen_status=Status.IN_PROGRESS,
                        **moves[who],
                    )
                    for who, user in people.items()
                },
                refused=actions.StatusConflict,
            )

            winner, loser = one_winner(outcomes)
            won = moves[winner.who]
            a.refresh_from_db()
            assert a.status == won["status_to"]
            assert (a.deferred_reason, a.deferred_until) == (
                won.get("deferred_reason", ""),
                won.get("deferred_until"),
            )
            assert (a.completed_on is not None) == (a.status == Status.COMPLETED)
            assert str(loser.refusal) == STATUS_CONFLICT.format(status=Status(a.status).label)
            update = ActionUpdate.objects.get(action=a)  # exactly one update: the winner's
            assert (update.author, update.status_from, update.status_to, update.text) == (
                people[winner.who],
                Status.IN_PROGRESS,
                won["status_to"],
                f"{winner.who} moved it on, round {n}.",
            )
            assert list(Evidence.objects.filter(update__action=a).values_list("name", flat=True)) == [
                f"{winner.who} round {n}.pdf"
            ]
            entries = _timeline(review)[timeline_before:]
            assert [(e.title, e.actor) for e in entries] == [
                (
                    f"Action {a.number}: in progress → {Status(a.status).label.lower()}",
                    people[winner.who],
                )
            ]
            keys = set(
                Notification.objects.filter(key__startswith=f"action:{a.pk}:update:").values_list(
                    "key", flat=True
                )
            )
            assert keys == {f"action:{a.pk}:update:{update.pk}"}
            wins[winner.who] += 1
            told.add(str(loser.refusal))

    # Only the winners' files are stored: nothing of a refused update is left behind.
    assert len(list(tmp_path.rglob("*.pdf"))) == ROUNDS == Evidence.objects.count()
    assert overlap.overlapped == ROUNDS
    report("Two status changes of one action", wins, overlap, told)


@concurrent
def test_a_progress_note_and_a_status_change_at_once_both_stand(postgresql, world, response_review):
    """A progress note without a status change adds to the record: it is never refused because the
    status moved meanwhile, and neither write is lost."""
    review = response_review
    overlap = Overlap()
    with mock.patch.object(actions, "timeline_add", overlap.wrap(actions.timeline_add)):
        for n in range(FEWER_ROUNDS):
            a = action(review, world.north_member, status=Status.IN_PROGRESS)
            a.review = review
            overlap.arm()
            outcomes = race(
                {
                    "note": partial(
                        actions.action_progress_record,
                        action=a,
                        user=world.north_member,
                        on=TODAY(),
                        text=f"A note, round {n}.",
                        seen_status=Status.IN_PROGRESS,
                    ),
                    "move": partial(
                        actions.action_progress_record,
                        action=a,
                        user=world.north_manager,
                        on=TODAY(),
                        text=f"Completed, round {n}.",
                        status_to=Status.COMPLETED,
                        seen_status=Status.IN_PROGRESS,
                    ),
                },
                refused=actions.ActionRefused,
            )

            assert [(o.error, o.refusal) for o in outcomes.values()] == [("", None), ("", None)]
            a.refresh_from_db()
            assert a.status == Status.COMPLETED
            assert sorted(ActionUpdate.objects.filter(action=a).values_list("text", flat=True)) == [
                f"A note, round {n}.",
                f"Completed, round {n}.",
            ]
    assert overlap.overlapped == FEWER_ROUNDS


# The same races through the pages, at once -----------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _escaped(text: str) -> str:
    return text.replace("'", "&#x27;")


def _page_race(posts: dict[str, tuple[Client, str, dict]]) -> tuple[Outcome, Outcome]:
    """Two people post their forms at once: one is redirected (saved), the other is shown the page again;
    no server error for either."""
    outcomes = race({who: partial(c.post, url, data) for who, (c, url, data) in posts.items()})
    assert [o.error for o in outcomes.values() if o.error] == []
    codes = sorted(o.result.status_code for o in outcomes.values())
    assert codes == [200, 302], codes
    winner = next(o for o in outcomes.values() if o.result.status_code == 302)
    loser = next(o for o in outcomes.values() if o.result.status_code == 200)
    return winner, loser


@concurrent
def test_two_people_posting_the_status_form_at_once_one_is_told_and_keeps_their_words(
    postgresql, world, response_review
):
    review = response_review
    people = {"owner": world.north_member, "manager": world.north_manager}
    overlap = Overlap()
    with mock.patch.object(actions, "timeline_add", overlap.wrap(actions.timeline_add)):
        for n in range(FEWER_ROUNDS):
            a = action(review, world.north_member, status=Status.IN_PROGRESS)
            url = reverse("action_status", args=[review.pk, a.number])
            clients = {who: _client(user) for who, user in people.items()}
            seen = {who: c.get(url).context["form"]["seen_status"].value() for who, c in clients.items()}
            assert set(seen.values()) == {Status.IN_PROGRESS}
            data = {
                "owner": {
                    "status": Status.COMPLETED,
                    "text": f"The owner's note {n}.",
                    "seen_status": seen["owner"],
                },
                "manager": {
                    "status": Status.DEFERRED,
                    "deferred_reason": f"The manager's reason {n}.",
                    **_date("deferred_until", TODAY() + timedelta(days=40)),
                    "text": f"The manager's note {n}.",
                    "seen_status": seen["manager"],
                },
            }
            overlap.arm()
            winner, loser = _page_race({who: (c, url, data[who]) for who, c in clients.items()})

            a.refresh_from_db()
            assert a.status == data[winner.who]["status"]
            page = loser.result.content.decode()
            assert _escaped(STATUS_CONFLICT.format(status=Status(a.status).label)) in page
            assert _escaped(data[loser.who]["text"]) in page  # their words, kept
            assert loser.result.context["form"]["seen_status"].value() == a.status  # now seen as it is
            assert ActionUpdate.objects.filter(action=a).count() == 1
    assert overlap.overlapped == FEWER_ROUNDS


@concurrent
def test_two_managers_posting_the_draft_at_once_one_is_told_and_keeps_their_words(
    postgresql, world, response_review
):
    review = response_review
    people = {"north": world.north_manager, "south": _second_manager(world)}
    draft = document.response_version_create(review=review, user=world.north_manager)
    url = reverse("response_version_edit", args=[review.pk, draft.number])
    overlap = Overlap()
    with mock.patch.object(document, "timeline_add", overlap.wrap(document.timeline_add)):
        for n in range(FEWER_ROUNDS):
            clients = {who: _client(user) for who, user in people.items()}
            seen = {who: c.get(url).context["form"]["revision"].value() for who, c in clients.items()}
            data = {
                who: {
                    "introduction": f"The {who} manager's words {n}.",
                    "monitoring": "",
                    "closing": "",
                    "revision": seen[who],
                }
                for who in people
            }
            overlap.arm()
            winner, loser = _page_race({who: (c, url, data[who]) for who, c in clients.items()})

            saved = ResponseVersion.objects.get(pk=draft.pk)
            assert saved.introduction == data[winner.who]["introduction"]
            page = loser.result.content.decode()
            assert _escaped(DRAFT_CONFLICT) in page
            assert _escaped(data[loser.who]["introduction"]) in page  # in the box, still theirs
            assert loser.result.context["form"]["revision"].value() == saved.revision
    assert overlap.overlapped == FEWER_ROUNDS


@concurrent
def test_two_chairs_posting_the_sign_off_at_once_one_is_told_who_signed(postgresql, world, response_review):
    review = response_review
    chairs = {"north": world.north_chair, "south": _second_chair(world)}
    overlap = Overlap()
    with mock.patch.object(document, "timeline_add", overlap.wrap(document.timeline_add)):
        for _ in range(FEWER_ROUNDS):
            draft = document.response_version_create(review=review, user=world.north_manager)
            url = reverse("response_version_sign", args=[review.pk, draft.number])
            clients = {who: _client(chair) for who, chair in chairs.items()}
            digests = {who: c.get(url).context["form"]["digest"].value() for who, c in clients.items()}
            overlap.arm()
            outcomes = race(
                {
                    who: partial(c.post, url, {"confirm": "on", "digest": digests[who]})
                    for who, c in clients.items()
                }
            )

            assert [o.error for o in outcomes.values() if o.error] == []
            assert [o.result.status_code for o in outcomes.values()] == [302, 302]  # both back to the version
            signed = ResponseVersion.objects.select_related("signed_by").get(pk=draft.pk)
            winner = next(who for who, chair in chairs.items() if chair == signed.signed_by)
            loser = next(who for who in chairs if who != winner)
            told = clients[loser].get(outcomes[loser].result.url).content.decode()
            assert f"was already signed by {signed.signed_by.get_full_name()}" in told
            assert "Your signature was not added: nothing more is needed." in told
            shown = clients[winner].get(outcomes[winner].result.url).content.decode()
            assert f"You signed off version {draft.number}" in shown
    assert overlap.overlapped == FEWER_ROUNDS


# A stale form posted after someone else's change (one request after the other) ----------------------


@pytest.mark.django_db
def test_a_stale_status_form_is_refused_with_the_new_status_and_keeps_the_note(world, response_review):
    a = action(response_review, world.north_member, status=Status.IN_PROGRESS)
    url = reverse("action_status", args=[response_review.pk, a.number])
    owner, manager = _client(world.north_member), _client(world.north_manager)
    seen = {c: c.get(url).context["form"]["seen_status"].value() for c in (owner, manager)}
    assert owner.post(url, {"status": Status.COMPLETED, "seen_status": seen[owner]}).status_code == 302

    stale = manager.post(
        url,
        {
            "status": Status.DEFERRED,
            "deferred_reason": "Waiting for the audit.",
            **_date("deferred_until", TODAY() + timedelta(days=30)),
            "text": "The manager's note.",
            "seen_status": seen[manager],
        },
    )

    assert stale.status_code == 200
    page = stale.content.decode()
    assert _escaped(STATUS_CONFLICT.format(status="Completed")) in page
    assert _escaped("The manager's note.") in page and "Waiting for the audit." in page
    form = stale.context["form"]
    assert form["seen_status"].value() == Status.COMPLETED
    assert [v for v, _ in form.fields["status"].choices] == [Status.IMPACT_EVIDENCED]  # moves from now
    a.refresh_from_db()
    assert (a.status, a.deferred_reason) == (Status.COMPLETED, "")
    assert ActionUpdate.objects.filter(action=a).count() == 1


@pytest.mark.django_db
def test_a_stale_progress_form_with_a_status_change_keeps_the_progress_written(world, response_review):
    a = action(response_review, world.north_member, status=Status.IN_PROGRESS)
    progress = reverse("action_progress", args=[response_review.pk, a.number])
    owner, manager = _client(world.north_member), _client(world.north_manager)
    seen = owner.get(progress).context["form"]["seen_status"].value()
    manager.post(
        reverse("action_status", args=[response_review.pk, a.number]),
        {
            "status": Status.DEFERRED,
            "deferred_reason": "Paused by the board.",
            **_date("deferred_until", TODAY() + timedelta(days=20)),
            "seen_status": Status.IN_PROGRESS,
        },
    )
    on = TODAY() - timedelta(days=1)

    stale = owner.post(
        progress,
        {
            **_date("on", on),
            "text": "Training delivered to 40 staff.",
            "status": Status.COMPLETED,
            "seen_status": seen,
            "evidence": [_pdf("register.pdf")],
        },
    )

    assert stale.status_code == 200
    page = stale.content.decode()
    assert _escaped(STATUS_CONFLICT.format(status="Deferred")) in page
    assert "Your evidence files were not attached: choose them again." in page
    assert "Training delivered to 40 staff." in page
    form = stale.context["form"]
    assert form["on"].value() == on
    assert form["seen_status"].value() == Status.DEFERRED
    a.refresh_from_db()
    assert a.status == Status.DEFERRED
    assert not ActionUpdate.objects.filter(action=a, author=world.north_member).exists()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_stale_status_form_on_an_action_now_finished_keeps_the_note_and_offers_no_move(
    world, response_review
):
    a = action(response_review, world.north_member, status=Status.COMPLETED, completed_on=TODAY())
    update = ActionUpdate.objects.create(
        action=a, author=world.north_member, on=TODAY(), text="Audit report."
    )
    evidence = Evidence(update=update, name="Audit.pdf", size=len(PDF_BYTES))
    evidence.file.save("audit.pdf", ContentFile(PDF_BYTES), save=True)
    url = reverse("action_status", args=[response_review.pk, a.number])
    owner, manager = _client(world.north_member), _client(world.north_manager)
    seen = manager.get(url).context["form"]["seen_status"].value()
    assert owner.post(url, {"status": Status.IMPACT_EVIDENCED, "seen_status": seen}).status_code == 302

    stale = manager.post(
        url, {"status": Status.IMPACT_EVIDENCED, "text": "Impact seen in the audit.", "seen_status": seen}
    )

    assert stale.status_code == 200
    page = stale.content.decode()
    assert _escaped(STATUS_CONFLICT.format(status="Impact evidenced")) in page
    assert "Impact seen in the audit." in page
    assert "cannot change any more" in page and 'name="status"' not in page
    assert ActionUpdate.objects.filter(action=a, status_to=Status.IMPACT_EVIDENCED).count() == 1


@pytest.mark.django_db
def test_a_stale_draft_of_the_response_is_refused_and_keeps_the_text(world, response_review):
    draft = document.response_version_create(review=response_review, user=world.north_manager)
    url = reverse("response_version_edit", args=[response_review.pk, draft.number])
    north, south = _client(world.north_manager), _client(_second_manager(world))
    seen = {c: c.get(url).context["form"]["revision"].value() for c in (north, south)}
    north.post(
        url, {"introduction": "North's words.", "monitoring": "", "closing": "", "revision": seen[north]}
    )

    stale = south.post(
        url, {"introduction": "South's words.", "monitoring": "", "closing": "", "revision": seen[south]}
    )

    assert stale.status_code == 200
    page = stale.content.decode()
    assert _escaped(DRAFT_CONFLICT) in page
    assert _escaped("South's words.") in page  # theirs, in the box
    assert _escaped("North's words.") in page  # the draft as it is now
    assert ResponseVersion.objects.get(pk=draft.pk).introduction == "North's words."


@pytest.mark.django_db
def test_a_stale_section_of_the_terms_of_reference_is_refused_and_keeps_the_text(world, tor_review):
    version = tor.tor_draft_create(review=tor_review, user=world.north_manager)
    url = reverse("tor_section_edit", args=[tor_review.pk, version.number, "breadth"])
    north, south = _client(world.north_manager), _client(_second_manager(world))
    seen = {c: c.get(url).context["form"]["revision"].value() for c in (north, south)}
    assert north.post(url, {"body": "North's words.", "revision": seen[north]}).status_code == 302

    stale = south.post(url, {"body": "South's words.", "revision": seen[south]})

    assert stale.status_code == 200
    page = stale.content.decode()
    assert _escaped(SECTION_CONFLICT) in page
    assert _escaped("South's words.") in page and _escaped("North's words.") in page
    assert version.sections.get(key="breadth").body == "North's words."


@pytest.mark.django_db
def test_a_second_chair_signing_later_is_told_who_signed(world, response_review):
    draft = document.response_version_create(review=response_review, user=world.north_manager)
    url = reverse("response_version_sign", args=[response_review.pk, draft.number])
    north, south = _client(world.north_chair), _client(_second_chair(world))
    digests = {c: c.get(url).context["form"]["digest"].value() for c in (north, south)}
    assert north.post(url, {"confirm": "on", "digest": digests[north]}).status_code == 302

    late = south.post(url, {"confirm": "on", "digest": digests[south]}, follow=True)

    assert f"was already signed by {world.north_chair.get_full_name()}" in late.content.decode()
    assert ResponseVersion.objects.get(pk=draft.pk).signed_by == world.north_chair


@pytest.mark.django_db
def test_a_chair_signing_a_draft_changed_since_is_shown_the_new_text_to_sign(world, response_review):
    draft = document.response_version_create(review=response_review, user=world.north_manager)
    url = reverse("response_version_sign", args=[response_review.pk, draft.number])
    chair = _client(world.north_chair)
    shown = chair.get(url).context["form"]["digest"].value()
    document.response_version_save(
        version=draft,
        user=world.north_manager,
        introduction="Added after the chair opened the page.",
        monitoring="",
        closing="",
        seen_revision=draft.revision,
    )

    refused = chair.post(url, {"confirm": "on", "digest": shown})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "The draft changed after you opened it, so it was not signed." in page
    assert "Added after the chair opened the page." in page  # the text as it is now
    now = ResponseVersion.objects.get(pk=draft.pk)
    assert not now.is_signed
    assert refused.context["form"]["digest"].value() == now.content_digest() != shown
    # Having read it, the chair signs the text as it is now.
    assert chair.post(url, {"confirm": "on", "digest": now.content_digest()}).status_code == 302
    assert ResponseVersion.objects.get(pk=draft.pk).signed_by == world.north_chair


@pytest.mark.django_db
def test_a_status_change_without_the_status_seen_is_still_never_applied_twice(world, response_review):
    """A form from before the check existed (or a made-up value) carries no status seen: a change to the
    status the action already has can then only come from a page opened before someone else made it."""
    a = action(response_review, world.north_member, status=Status.COMPLETED, completed_on=TODAY())
    a.review = response_review

    with pytest.raises(actions.StatusConflict, match="changed this action's status to Completed"):
        actions.action_progress_record(
            action=a, user=world.north_manager, on=TODAY(), text="Done.", status_to=Status.COMPLETED
        )

    client = _client(world.north_manager)
    url = reverse("action_status", args=[response_review.pk, a.number])
    made_up = client.post(url, {"status": Status.IMPACT_EVIDENCED, "seen_status": "<b>x</b>" * 1000})
    assert made_up.status_code == 200  # taken as not said: the moves offered are those from "completed"
    assert "Attach the evidence of impact" in made_up.content.decode()
    assert not ActionUpdate.objects.filter(action=a).exists()
