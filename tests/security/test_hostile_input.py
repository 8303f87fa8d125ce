"""Hostile input: every form of the project, and every page that reads its query string, is sent random,
huge, unicode and control-character values, other boards' ids, lists where one value is expected, and
missing and unexpected fields.

For every submission: never a server error; markup sent in is never echoed as markup; a refusal explains
itself (the page says "There is a problem" and shows each field's message, or a redirect carries a warning
message to the next page); a form never accepts the id of an object it does not offer. The forms are
found by importing the project (tests/security/forms.py), so a new form fails
`test_every_project_form_is_in_the_registry` until it is registered, and is then tested like the others.

HOSTILE_EXAMPLES sets how many random submissions each form gets (default 20, derandomized so CI runs
are repeatable); to search harder, run with HOSTILE_EXAMPLES=200 HOSTILE_RANDOM=1 (a new search each run).
"""

from __future__ import annotations

import functools
import os
from urllib.parse import urlencode

import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.forms import BASES, FORMS, project_form_classes, targets
from tests.security.harness import Verdict, prepare, rolled_back, server_error, submit, unescaped_markup
from tests.security.hostile import NUMBERS, classic_submissions, hostile_text, submission

EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "20"))
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("HOSTILE_RANDOM"),
    database=None,  # nothing written into the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@functools.cache
def _classes() -> dict[str, type]:
    return project_form_classes()


def test_every_project_form_is_in_the_registry():
    found = _classes()
    missing = sorted(set(found) - set(FORMS) - set(BASES))
    stale = sorted((set(FORMS) | set(BASES)) - set(found))
    assert not missing, f"forms missing from the hostile-input registry (tests/security/forms.py): {missing}"
    assert not stale, f"the hostile-input registry names forms that no longer exist: {stale}"
    unused = [b for b in BASES if not any(issubclass(found[f], found[b]) for f in FORMS)]
    assert not unused, f"base forms with no registered subclass: {unused}"
    assert all(FORMS.values()), "every registered form needs at least one way to reach it"


def _summary(pairs: list[tuple]) -> str:
    return ", ".join(f"{k}={str(v)[:40]!r}{'…' if len(str(v)) > 40 else ''}" for k, v in pairs[:30])


def _check(verdict: Verdict, where: str, pairs: list[tuple]) -> None:
    assert not verdict.problems, (
        f"{where} answered {verdict.status}: {verdict.problems} — sent {_summary(pairs)}"
    )


def _param(form_path: str, target):
    return pytest.param(form_path, target, id=f"{form_path.rsplit('.', 1)[-1]}-{target.label}")


@pytest.mark.parametrize(("form_path", "target"), [_param(f, t) for f, t in targets()])
def test_hostile_values_never_break_a_form(foreign_world, form_path, target):
    prepared = prepare(form_path, _classes()[form_path], target, foreign_world)
    where = f"{form_path} at {prepared.url}"
    for name, pairs in classic_submissions(prepared.specs).items():
        _check(submit(prepared, pairs), f"{where} ({name})", pairs)

    @HYPOTHESIS
    @given(submission(prepared.specs))
    def random_submissions(pairs):
        _check(submit(prepared, pairs), where, pairs)

    random_submissions()


# Pages that read their query string themselves (page numbers, a meeting to go back to, ...). ----------


def _tor_versions(w) -> dict:
    from tests.test_authorization import _tor

    _tor(w)
    return {"pk": w.north_review.pk}


def _route_kwargs(name: str):
    def kwargs(w) -> dict:
        from tests.test_authorization import ROUTES

        return ROUTES[name].kwargs(w)

    return kwargs


QUERY_PAGES = {
    # URL name: (who opens it, the query-string keys it reads, its arguments)
    "review_list": ("north_manager", ("page", "q", "state", "board", "regime", "overdue", "sort"), None),
    "notification_list": ("north_manager", ("page",), None),
    "review_detail": ("north_manager", ("timeline",), None),
    "board_history": ("north_manager", ("page",), None),
    "review_history": ("south_manager", ("page",), None),
    "tor_diff": ("north_member", ("from", "to"), _tor_versions),
    "finding_position": ("north_manager", ("meeting",), None),
    "activity_create": ("north_manager", ("audience",), None),
    "registry_list": (
        "north_chair",
        ("page", "skill", "available_on_0", "available_on_1", "available_on_2"),
        None,
    ),
    "appointment_manage": ("north_manager", ("page", "skill"), None),
    "action_plan": (
        "north_member",
        ("page", "owner", "owner_agency", "status", "rag", "priority", "mine"),
        None,
    ),
    "board_action_plan": ("north_member", ("page", "review", "overdue", "owner"), None),
    "learning_framework": ("north_member", ("page", "theme", "source", "status"), None),
    "login": (None, ("next",), None),
    "two_factor_setup": ("north_member", ("next",), None),
}


def _open_query_page(world, name: str):
    from django.test import Client

    person, keys, kwargs = QUERY_PAGES[name]
    client = Client(raise_request_exception=False)
    if person:
        client.force_login(getattr(world, person))
    url = reverse(name, kwargs=(kwargs or _route_kwargs(name))(world))
    return client, url, keys


def _query_verdict(response) -> list[str]:
    if getattr(response, "exc_info", None) or response.status_code >= 500:
        return [server_error(response)]
    if response.status_code == 302:
        location = response["Location"]
        local = location.startswith("/") and not location.startswith(("//", "/\\"))
        return [] if local else [f"redirected off the site to {location!r}"]
    if response.status_code != 200:
        return [f"unexpected status {response.status_code}"]
    return [f"unescaped markup: {m!r}" for m in unescaped_markup(response.content.decode("utf-8", "replace"))]


QUERY_VALUES = st.one_of(
    hostile_text(), st.sampled_from(NUMBERS), st.sampled_from(("//evil.example/", "/\\evil.example"))
)


@pytest.mark.parametrize("name", sorted(QUERY_PAGES))
def test_hostile_query_strings_never_break_a_page(foreign_world, name):
    client, url, keys = _open_query_page(foreign_world, name)

    def check(pairs):
        with rolled_back():
            response = client.get(f"{url}?{urlencode(pairs)}")
            problems = _query_verdict(response)
        assert not problems, f"{url} answered {response.status_code}: {problems} — sent {_summary(pairs)}"

    for value in ("\x00", "²", "9" * 5000, "-1", "1e10", "x" * 100_001, "<script>hostile()</script>"):
        check([(key, value) for key in keys])

    @HYPOTHESIS
    @given(st.lists(st.tuples(st.sampled_from(keys), QUERY_VALUES), min_size=1, max_size=6))
    def random_queries(pairs):
        check(pairs)

    random_queries()


def test_hostile_document_requests_are_refused_plainly(foreign_world):
    """The documents page posts a kind (and a terms-of-reference version) without a form class."""
    from django.test import Client

    from tests.test_authorization import _tor

    _tor(foreign_world)
    client = Client(raise_request_exception=False)
    client.force_login(foreign_world.north_manager)
    url = reverse("document_make", kwargs={"pk": foreign_world.north_review.pk})

    @HYPOTHESIS
    @given(
        st.one_of(hostile_text(), st.just("terms_of_reference")),
        st.one_of(hostile_text(), st.sampled_from(NUMBERS)),
    )
    def random_requests(kind, number):
        with rolled_back():
            response = client.post(url, {"kind": kind, "number": number})
            problems = _query_verdict(response)
            if response.status_code == 302 and response["Location"].endswith("/documents/"):
                notes = get_messages(response.wsgi_request)
                if not any(m.level == constants.ERROR for m in notes):
                    problems.append("sent back to the documents page without saying why")
        assert not problems, f"{url}: {problems} — kind={kind[:40]!r} number={number[:40]!r}"

    random_requests()


# Regressions for the bugs this suite found, pinned at the building blocks that now prevent them. -----


def test_a_date_with_an_enormous_year_is_refused_as_not_a_real_date():
    from scr_portal.forms import PortalForm, date_field

    class Form(PortalForm):
        on = date_field("Date of the meeting")

    form = Form({"on_0": "1", "on_1": "1", "on_2": "9223372036854775808"})  # OverflowError, not ValueError
    assert form.errors["on"] == ["Enter the date of the meeting as a real date"]


@pytest.mark.parametrize("required", [True, False])
def test_a_date_part_of_only_spaces_is_refused_as_incomplete(required):
    from scr_portal.forms import PortalForm, date_field

    class Form(PortalForm):
        on = date_field("Closing date", required=required)

    assert Form({"on_0": "31", "on_1": "3", "on_2": " "}).errors["on"] == [
        "Enter the closing date as a day, month and year"
    ]
    blank = Form({"on_0": " ", "on_1": " ", "on_2": " "})
    assert blank.errors.get("on") == (["Enter the closing date"] if required else None)


@pytest.mark.django_db
def test_a_list_of_ids_too_large_for_the_database_is_refused_not_queried(standard_themes):
    from django.http import QueryDict

    from responses.findings.forms import FindingForm

    form = FindingForm(QueryDict("themes=9223372036854775808&themes=-1"))
    assert "is not one of the available choices" in form.errors["themes"][0]


def test_a_changed_hidden_field_is_explained_at_the_top_of_the_form():
    from scr_portal.forms import HIDDEN_FIELD_PROBLEM, PortalForm

    class Form(PortalForm):
        text = forms.CharField()
        revision = forms.IntegerField(widget=forms.HiddenInput)

    form = Form({"text": "x", "revision": "not a number"})
    assert not form.is_valid()
    assert form.errors == {"__all__": [HIDDEN_FIELD_PROBLEM]}


QUERY_IDS = [
    ("12", 12),
    ("0", 0),
    ("9223372036854775807", 2**63 - 1),
    ("9223372036854775808", None),
    ("²", None),
    ("١٢", None),
    ("-1", None),
    (" 7", None),
    ("7\n", None),
    ("", None),
    (None, None),
    ("9" * 5000, None),
]


@pytest.mark.parametrize(("value", "expected"), QUERY_IDS)
def test_ids_read_from_a_query_string_are_plain_digits_a_database_can_hold(value, expected):
    from scr_portal.forms import id_from_query

    assert id_from_query(value) == expected
