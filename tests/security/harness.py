"""Sending a submission to a form's page as a browser would, and judging the answer.

Each submission runs inside a savepoint rolled back afterwards, so one accepted submission (a review
withdrawn, a file stored) does not change what the next one meets. The forms a request builds are watched
(`forms_made`), so the verdict can compare what the form decided with what the page said.
"""

from __future__ import annotations

import contextlib
import traceback
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.messages import constants, get_messages
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.security.forms import Target, kwargs_for
from tests.security.hostile import MARKUP, FieldSpec, FilePart, field_specs

BOUNDARY = "HostileInputBoundary7MA4YWxkTrZu0gW"
CSRF_KEY = "csrfmiddlewaretoken"  # a browser always sends it, so a POST is never empty


@contextlib.contextmanager
def forms_made():
    """Every form instance built while the block runs, in the order they were built."""
    made: list[forms.BaseForm] = []
    original = forms.BaseForm.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        made.append(self)

    forms.BaseForm.__init__ = spy
    try:
        yield made
    finally:
        forms.BaseForm.__init__ = original


class _RolledBack(Exception):
    pass


@contextlib.contextmanager
def rolled_back():
    """Runs the block in a savepoint that is always rolled back."""
    try:
        with transaction.atomic():
            yield
            raise _RolledBack
    except _RolledBack:
        pass


def _header_value(text: str) -> str:
    """As browsers escape a field or file name inside a multipart header."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart(pairs: list[tuple[str, object]]) -> bytes:
    """The pairs as a multipart/form-data body, file names sent exactly as given (the test client would
    reduce them to their last path segment, hiding what a hostile browser can send)."""
    chunks = []
    for key, value in pairs:
        chunks.append(f"--{BOUNDARY}\r\n".encode())
        if isinstance(value, FilePart):
            chunks.append(
                f'Content-Disposition: form-data; name="{_header_value(key)}"; '
                f'filename="{_header_value(value.filename)}"\r\n'
                f"Content-Type: {value.content_type}\r\n\r\n".encode()
            )
            chunks.append(value.content)
        else:
            chunks.append(f'Content-Disposition: form-data; name="{_header_value(key)}"\r\n\r\n'.encode())
            chunks.append(str(value).encode("utf-8"))
        chunks.append(b"\r\n")
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


@dataclass
class Prepared:
    """A registered form, its page opened once by the person who uses it."""

    form_path: str
    form_class: type
    target: Target
    client: Client
    url: str
    page_url: str
    specs: list[FieldSpec] = field(default_factory=list)


def person_for(target: Target, world):
    if target.person == "staff":
        from tests.factories import UserFactory

        return UserFactory(
            email="admin@hostile.example", is_staff=True, is_superuser=True, two_factor_waived=True
        )
    return getattr(world, target.person) if target.person else None


def prepare(form_path: str, form_class: type, target: Target, world) -> Prepared:
    """Puts the world in the target's state, signs the person in, opens the page and finds the form on it."""
    client = Client(raise_request_exception=False)
    kwargs = kwargs_for(target, world)
    person = person_for(target, world)
    if person is not None:
        client.force_login(person)
    url = reverse(target.url, kwargs=kwargs)
    page_url = reverse(target.page, kwargs={"pk": kwargs["pk"]}) if target.page else url
    with forms_made() as made:
        response = client.get(page_url)
    assert response.status_code == 200, f"{form_path}: {page_url} answered {response.status_code}"
    shown = [f for f in made if type(f) is form_class] or [f for f in made if isinstance(f, form_class)]
    assert shown, (
        f"{form_path}: {page_url} did not build the form (it built {[type(f).__name__ for f in made]})"
    )
    prepared = Prepared(form_path, form_class, target, client, url, page_url)
    prepared.specs = field_specs(shown[-1])
    return prepared


@dataclass
class Verdict:
    status: int
    problems: list[str]


def _send(prepared: Prepared, pairs: list[tuple]):
    client = prepared.client
    if prepared.target.method == "get":
        text_pairs = [(k, v) for k, v in pairs if not isinstance(v, FilePart)]
        query = urlencode(text_pairs)
        return client.get(f"{prepared.url}?{query}" if query else prepared.url)
    body = multipart([(CSRF_KEY, "x"), *pairs])
    return client.post(prepared.url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def _too_big(pairs: list[tuple]) -> bool:
    """Whether Django refuses the request body before any view runs (over its size or field-count limit)."""
    text = sum(len(str(v).encode()) + len(k) for k, v in pairs if not isinstance(v, FilePart))
    return (
        text > settings.DATA_UPLOAD_MAX_MEMORY_SIZE or len(pairs) + 1 > settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    )


def server_error(response) -> str:
    """The error behind a 500, with the deepest line of the project's own code it passed through."""
    error = getattr(response, "exc_info", None)
    if not error:
        return f"{response.status_code} with no exception"
    frames = [f for f in traceback.extract_tb(error[2]) if "/.venv/" not in f.filename]
    where = (
        f" at {frames[-1].filename.removeprefix(str(settings.BASE_DIR))}:{frames[-1].lineno}"
        if frames
        else ""
    )
    return f"{response.status_code} {error[0].__name__}{where}: {str(error[1])[:300]}"


def unescaped_markup(html: str) -> list[str]:
    """Markup from our hostile values that reached the page as markup (not escaped as text)."""
    return [m for m in MARKUP if m in html and not m.startswith("'")] + (
        ["onmouseover='hostile()'"] if "onmouseover='hostile()'" in html else []
    )


def _effective(pairs: list[tuple], spec: FieldSpec) -> list[str]:
    """The values the form reads for a field: the last one for a single field, all of them for a multiple."""
    values = [v for k, v in pairs if k == spec.keys[0] and isinstance(v, str)]
    return values if spec.kind == "multi" else values[-1:]


def submit(prepared: Prepared, pairs: list[tuple]) -> Verdict:
    """Sends the pairs and judges the answer; nothing it changes outlives the call."""
    with rolled_back():
        with forms_made() as made:
            response = _send(prepared, pairs)
        return judge(prepared, pairs, response, made)


def judge(prepared: Prepared, pairs: list[tuple], response, made: list) -> Verdict:
    problems: list[str] = []
    status = response.status_code
    error = getattr(response, "exc_info", None)
    if error or status >= 500:
        return Verdict(status, [server_error(response)])
    if status == 400 and _too_big(pairs):
        return Verdict(status, [])  # Django refuses an oversized body itself, before any form sees it
    if status not in (200, 302):
        return Verdict(status, [f"unexpected status {status}"])
    html = response.content.decode("utf-8", "replace") if status == 200 else ""
    problems += [f"unescaped markup on the page: {m!r}" for m in unescaped_markup(html)]
    bound = [f for f in made if type(f) is prepared.form_class and f.is_bound] or [
        f for f in made if isinstance(f, prepared.form_class) and f.is_bound
    ]  # the admin builds its own subclass of the form it is given
    if not bound:
        if prepared.target.method == "post" or pairs:
            problems.append("the form was never given the submitted data")
        return Verdict(status, problems)
    form = bound[-1]
    notes = list(get_messages(response.wsgi_request))
    warnings = [str(m) for m in notes if m.level >= constants.WARNING]
    if form.errors:
        problems += _explained(prepared, form, status, html, warnings)
    for spec in prepared.specs:
        sent_foreign = set(_effective(pairs, spec)) & set(spec.foreign)
        if sent_foreign and spec.name not in form.errors:
            problems.append(
                f"{spec.name} accepted the id of an object it does not offer: {sorted(sent_foreign)}"
            )
    return Verdict(status, problems)


def _explained(prepared: Prepared, form, status: int, html: str, warnings: list[str]) -> list[str]:
    """Problems with how a refusal was explained: the page must say there is a problem and show every
    message; a redirect must carry a warning or error message to the next page."""
    if status == 302:
        return [] if warnings else [f"refused with errors {dict(form.errors)!r:.300} but redirected silently"]
    problems = []
    if prepared.target.method == "get":
        if any(escape(w) in html for w in warnings):
            return []  # a filter page says which filters it left out
    elif prepared.target.error_marker not in html:
        problems.append(f"no error summary ({prepared.target.error_marker!r}) on the page")
    for name, messages in form.errors.items():
        for message in messages:
            if not str(message).strip():
                problems.append(f"{name}: an empty error message")
            elif escape(message) not in html:
                problems.append(f"{name}: the error {message[:200]!r} is not shown")
    return problems
