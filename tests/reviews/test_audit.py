"""The audit trail: every change made through the admin is kept with who made it, bulk actions leave one
record per row, opening a review is logged, and the history pages say who changed what from what to what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from reviews.models import Agency, Board, Membership, Review, ReviewAccess, Role
from reviews.selectors import review_history_sources
from scr_portal.accounts.models import User
from tests.conftest import World
from tests.factories import (
    AgencyFactory,
    AppointmentFactory,
    BoardFactory,
    MembershipFactory,
    ReviewFactory,
    UserFactory,
)
from tests.reviews.forms import form_data


@pytest.fixture
def admin_user(world: World, staff_user) -> User:
    """An administrator who is also North's business manager, so North's reviews are theirs to manage."""
    staff_user.full_name = "Alex Admin"
    staff_user.save()
    MembershipFactory(user=staff_user, board=world.north, role=Role.BUSINESS_MANAGER)
    return staff_user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _admin_url(model: type[models.Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _form_errors(response) -> str:
    if response.context is None or "adminform" not in response.context:
        return f"status {response.status_code}"
    errors = [response.context["adminform"].form.errors]
    errors += [f.formset.errors for f in response.context.get("inline_admin_formsets", [])]
    errors += [f.formset.non_form_errors() for f in response.context.get("inline_admin_formsets", [])]
    return repr(errors)


def _post_admin_form(client, model, view: str, *args, **fields):
    """Posts the admin's add or change form as rendered, with `fields` changed, and expects success."""
    url = _admin_url(model, view, *args)
    page = client.get(url)
    assert page.status_code == 200, f"{url}: {page.status_code}"
    data = form_data(page.content.decode(), f"{model._meta.model_name}_form", **fields)
    data["_save"] = "Save"
    response = client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    return response


def _rows(model, pk):
    return model.history.filter(id=pk).order_by("history_date", "history_id")


@dataclass(frozen=True)
class AdminCase:
    model: type[models.Model]
    lookup: str  # the field that finds the object added through the admin
    add: Callable[[World], dict]  # the add form's fields
    existing: Callable[[World], models.Model]
    change: Callable[[World], dict]  # fields to change on `existing`
    disposable: Callable[[World], models.Model]  # something deletable (nothing protects it)


def _new_agency_of_north(world: World) -> Agency:
    return AgencyFactory(name="North Health Trust", kind=Agency.Kind.HEALTH, boards=[world.north])


CASES = {
    "board": AdminCase(
        model=Board,
        lookup="name",
        add=lambda w: {"name": "West Safeguarding Children Board", "local_authority_area": "West"},
        existing=lambda w: w.east,
        change=lambda w: {"local_authority_area": "East Riding"},
        disposable=lambda w: BoardFactory(name="Dormant Safeguarding Children Board"),
    ),
    "agency": AdminCase(
        model=Agency,
        lookup="name",
        add=lambda w: {"name": "West Police", "kind": Agency.Kind.POLICE, "boards": [str(w.north.pk)]},
        existing=_new_agency_of_north,
        change=lambda w: {"kind": Agency.Kind.EDUCATION},
        disposable=lambda w: AgencyFactory(name="Defunct Agency"),
    ),
    "membership": AdminCase(
        model=Membership,
        lookup="user__email",
        add=lambda w: {
            "user": str(UserFactory(email="newchair@north.example").pk),
            "board": str(w.north.pk),
            "role": Role.CHAIR,
        },
        existing=lambda w: Membership.objects.get(user=w.north_manager, board=w.north),
        change=lambda w: {"role": Role.CHAIR},
        disposable=lambda w: Membership.objects.get(user=w.north_reviewer, board=w.north),
    ),
    "review": AdminCase(
        model=Review,
        lookup="reference",
        add=lambda w: {"reference": "NSCB-2", "lead_board": str(w.north.pk)},
        existing=lambda w: w.north_review,
        change=lambda w: {"reference": "NSCB-1A"},
        disposable=lambda w: ReviewFactory(lead_board=w.north, reference="NSCB-OPENED-IN-ERROR"),
    ),
}
LOOKUP_VALUE = {
    "board": "West Safeguarding Children Board",
    "agency": "West Police",
    "membership": "newchair@north.example",
    "review": "NSCB-2",
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_admin_add_leaves_a_created_history_row_by_the_user(admin_client, admin_user, world, case):
    c = CASES[case]
    _post_admin_form(admin_client, c.model, "add", **c.add(world))
    obj = c.model.objects.get(**{c.lookup: LOOKUP_VALUE[case]})
    rows = list(_rows(c.model, obj.pk))
    # An agency's boards are saved after the agency itself: simple-history records them as a second row.
    assert rows[0].history_type == "+"
    assert {r.history_user for r in rows} == {admin_user}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_admin_change_leaves_a_changed_history_row_by_the_user(admin_client, admin_user, world, case):
    c = CASES[case]
    obj = c.existing(world)
    changes = c.change(world)
    _post_admin_form(admin_client, c.model, "change", obj.pk, **changes)
    latest = _rows(c.model, obj.pk).last()
    assert (latest.history_type, latest.history_user) == ("~", admin_user)
    for name, value in changes.items():
        assert str(getattr(latest, name)) == value


@pytest.mark.parametrize("case", CASES, ids=str)
def test_admin_delete_leaves_a_deleted_history_row_by_the_user(admin_client, admin_user, world, case):
    c = CASES[case]
    obj = c.disposable(world)
    response = admin_client.post(_admin_url(c.model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not c.model.objects.filter(pk=obj.pk).exists()
    latest = _rows(c.model, obj.pk).last()
    assert (latest.history_type, latest.history_user) == ("-", admin_user)


# Bulk actions on memberships ------------------------------------------------------------------------------


def _north_memberships(world: World) -> list[Membership]:
    return [
        Membership.objects.get(user=u, board=world.north) for u in (world.north_member, world.north_chair)
    ]


def test_deactivate_action_leaves_a_history_row_per_membership_by_the_user(admin_client, admin_user, world):
    memberships = _north_memberships(world)
    admin_client.post(
        _admin_url(Membership, "changelist"),
        {"action": "deactivate", "_selected_action": [m.pk for m in memberships]},
    )
    for m in memberships:
        latest = _rows(Membership, m.pk).last()
        assert (latest.history_type, latest.history_user, latest.is_active) == ("~", admin_user, False)


def test_deactivate_action_leaves_an_admin_log_entry_per_membership(admin_client, admin_user, world):
    memberships = _north_memberships(world)
    admin_client.post(
        _admin_url(Membership, "changelist"),
        {"action": "deactivate", "_selected_action": [m.pk for m in memberships]},
    )
    content_type = ContentType.objects.get_for_model(Membership)
    for m in memberships:
        entries = LogEntry.objects.filter(content_type=content_type, object_id=str(m.pk))
        assert [(e.user, e.action_flag) for e in entries] == [(admin_user, CHANGE)]


def test_deactivate_action_leaves_already_ended_roles_untouched(admin_client, admin_user, world):
    ended, active = _north_memberships(world)
    ended.is_active = False
    ended.save()
    rows_before = _rows(Membership, ended.pk).count()
    admin_client.post(
        _admin_url(Membership, "changelist"),
        {"action": "deactivate", "_selected_action": [ended.pk, active.pk]},
    )
    assert _rows(Membership, ended.pk).count() == rows_before
    assert not LogEntry.objects.filter(object_id=str(ended.pk)).exists()


def test_delete_selected_memberships_leaves_a_deleted_history_row_each_by_the_user(
    admin_client, admin_user, world
):
    memberships = _north_memberships(world)
    response = admin_client.post(
        _admin_url(Membership, "changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in memberships], "post": "yes"},
    )
    assert response.status_code == 302
    for m in memberships:
        assert not Membership.objects.filter(pk=m.pk).exists()
        latest = _rows(Membership, m.pk).last()
        assert (latest.history_type, latest.history_user) == ("-", admin_user)


# The access log --------------------------------------------------------------------------------------------


def test_opening_a_review_leaves_exactly_one_access_row(client, world):
    client.force_login(world.north_member)
    url = reverse("review_detail", args=[world.north_review.pk])
    assert client.get(url).status_code == 200
    assert [(a.user, a.review, a.path) for a in ReviewAccess.objects.all()] == [
        (world.north_member, world.north_review, url)
    ]


def test_review_history_page_shows_who_opened_the_review(client, world):
    world.south_member.full_name = "Riley Marsh"
    world.south_member.save()
    client.force_login(world.south_member)
    client.get(reverse("review_detail", args=[world.cross_border_review.pk]))
    client.force_login(world.north_manager)
    response = client.get(reverse("review_history", args=[world.cross_border_review.pk]))
    assert [a.who for a in response.context["accesses"]] == ["Riley Marsh"]
    content = response.content.decode()
    assert "Who opened this review" in content
    assert "Riley Marsh" in content


# History pages -----------------------------------------------------------------------------------------------


def test_board_history_shows_a_membership_agency_change_with_who_and_old_and_new(
    admin_client, admin_user, client, world
):
    membership = Membership.objects.get(user=world.north_member, board=world.north)
    old = membership.agency.name
    new = _new_agency_of_north(world)
    _post_admin_form(admin_client, Membership, "change", membership.pk, agency=str(new.pk))

    client.force_login(world.north_manager)
    response = client.get(reverse("board_history", args=[world.north.pk]))
    assert response.status_code == 200
    newest = response.context["page"].object_list[0]
    assert (newest.action, newest.who) == ("Changed", "Alex Admin")
    assert [(c.field, c.old, c.new) for c in newest.changes] == [("Agency", old, new.name)]
    content = response.content.decode()
    assert "<strong>Changed</strong>" in content
    assert "Alex Admin" in content
    assert escape(f"Agency: {old} → {new.name}") in content


def test_review_history_shows_a_reference_change_with_who_and_old_and_new(
    admin_client, admin_user, client, world
):
    _post_admin_form(admin_client, Review, "change", world.north_review.pk, reference="NSCB-1A")
    client.force_login(world.north_manager)
    response = client.get(reverse("review_history", args=[world.north_review.pk]))
    newest = response.context["page"].object_list[0]
    assert (newest.action, newest.who, newest.subject) == ("Changed", "Alex Admin", "Review NSCB-1A")
    assert [(c.field, c.old, c.new) for c in newest.changes] == [("Reference", "NSCB-1", "NSCB-1A")]
    assert "Reference: NSCB-1 → NSCB-1A" in response.content.decode()


def test_board_history_does_not_list_another_boards_memberships(client, world):
    client.force_login(world.north_manager)
    response = client.get(reverse("board_history", args=[world.north.pk]))
    subjects = " ".join(e.subject for e in response.context["page"].object_list)
    assert str(world.south_manager) not in subjects
    assert str(world.east_manager) not in subjects
    assert str(world.north_member) in subjects


def _history_queries(client, url: str) -> list[str]:
    client.get(url)  # warm up: caches filled once per process (content types, templates) do not count
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"][:160] for q in ctx.captured_queries]


def _add_north_memberships(world: World, how_many: int) -> None:
    """Memberships of North, each created, moved to an agency of its own and ended: three rows apiece."""
    for _ in range(how_many):
        membership = MembershipFactory(user=UserFactory(), board=world.north, role=Role.BOARD_MEMBER)
        membership.agency = AgencyFactory(boards=[world.north])
        membership.save()
        membership.is_active = False
        membership.save()


def _change_north_review(world: World, how_many: int) -> None:
    """Renames North's review and appoints someone to it, `how_many` times."""
    review = world.north_review
    for _ in range(how_many):
        review.reference = f"NSCB-{review.history.count()}"
        review.save()
        AppointmentFactory(review=review, reviewer=UserFactory())


@pytest.mark.parametrize("page", ["1", "2"])
def test_board_history_runs_a_fixed_number_of_queries(client, world, page):
    client.force_login(world.north_manager)
    url = reverse("board_history", args=[world.north.pk]) + f"?page={page}"
    _add_north_memberships(world, 20)
    few = _history_queries(client, url)
    _add_north_memberships(world, 60)
    many = _history_queries(client, url)
    assert len(few) == len(many), "\n".join(["few:", *few, "", "many:", *many])


def test_review_history_runs_a_fixed_number_of_queries(client, world):
    client.force_login(world.north_manager)
    url = reverse("review_history", args=[world.north_review.pk])
    _change_north_review(world, 2)
    few = _history_queries(client, url)
    _change_north_review(world, 60)
    many = _history_queries(client, url)
    assert len(few) == len(many), "\n".join(["few:", *few, "", "many:", *many])


def test_history_pages_go_back_in_time_fifty_entries_a_page(client, world):
    review = world.north_review
    for n in range(60):
        review.reference = f"NSCB-1-{n}"
        review.save()
    client.force_login(world.north_manager)
    url = reverse("review_history", args=[review.pk])
    first, second = client.get(url).context["page"], client.get(url + "?page=2").context["page"]
    assert len(first.object_list) == 50
    assert first.paginator.count == len(first.object_list) + len(second.object_list)
    assert [c.new for c in first.object_list[0].changes if c.field == "Reference"] == ["NSCB-1-59"]
    shown = [*first.object_list, *second.object_list]
    assert [e.when for e in shown] == sorted((e.when for e in shown), reverse=True)
    oldest = second.object_list[-1]
    assert (oldest.action, oldest.subject) == ("Created", "Review NSCB-1")


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("", 1), ("two", 1), ("1", 1), ("2", 2), ("3", 2), ("99999999999999999999", 2), ("0", 2)],
)
def test_a_history_page_number_that_is_no_page_shows_the_first_or_last_page(client, world, asked, shown):
    """As Django's Paginator.get_page: not a number, the first page; past the end or before the start, the
    last. The page and the count of every entry are read together; a number that is no page reads more."""
    review = world.north_review
    for n in range(60):
        review.reference = f"NSCB-1-{n}"
        review.save()
    client.force_login(world.north_manager)
    response = client.get(reverse("review_history", args=[review.pk]), {"page": asked})
    total = sum(rows.count() for rows, _ in review_history_sources(review))
    assert 50 < total <= 100
    page = response.context["page"]
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (shown, 2, total)
    assert len(page.object_list) == (50 if shown == 1 else total - 50)
    assert f"Page {shown} of 2" in response.content.decode()


# People's history --------------------------------------------------------------------------------------------


def test_user_history_rows_exclude_the_password_and_last_sign_in(world):
    fields = {f.name for f in User.history.model._meta.get_fields()}
    assert "password" not in fields
    assert "last_login" not in fields
    assert {"email", "full_name", "is_active", "is_staff"} <= fields


def test_changing_a_password_keeps_no_hash_in_history(world):
    person = world.north_member
    person.set_password("a-new-long-password")
    person.save()
    hashed = User.objects.get(pk=person.pk).password
    for row in person.history.all():
        assert hashed not in {str(v) for v in row.__dict__.values()}
