"""What the pages that write share: a form's POST half (validate, write through a service, say so, go on), a
one-button action, and a form shown again after an edit conflict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def submitted(
    request: HttpRequest,
    form,
    write: Callable[..., Any],
    *,
    success: str | Callable[[Any], str],
    to: str | Callable[[Any], str],
    refused: type[Exception] | tuple[type[Exception], ...] = (),
    data: Callable[[], dict] | None = None,
) -> HttpResponse | None:
    """On a valid POST, `write(**form.cleaned_data)`; when it goes through, flash `success` and redirect to
    `to` (either may be a function of what `write` returned). A `refused` error goes on the form, on the
    field it names (`error.field`) when the form has that field. Answers None when the form is to be shown
    (a GET, an invalid form, a refusal), so a view ends `return submitted(...) or <the form page>`. `data`
    gives the arguments instead, for a form whose fields are not the service's parameters one for one."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = write(**(data() if data else form.cleaned_data))
    except refused as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, str(error))
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(to(result) if callable(to) else to)


def attempt(
    request: HttpRequest, write: Callable[[], Any], *, success: str | Callable[[], str], refused
) -> None:
    """A one-button action: runs `write()`, then flashes `success` when it went through (a callable is asked
    then, for a message that depends on what the write did), or the refusal's message when it raised one
    of `refused`. The view redirects either way."""
    try:
        write()
    except refused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success() if callable(success) else success)


def reshown(request: HttpRequest, form_class, error: Exception, *, seen: str, value, **kwargs):
    """After an edit conflict: the form again with what the person typed, now carrying in its hidden `seen`
    field the `value` they have now been shown, and the conflict's message."""
    data = request.POST.copy()
    data[seen] = value
    form = form_class(data, **kwargs)
    form.is_valid()
    form.add_error(None, str(error))
    return form


# htmx stops polling an element when the answer has this status (its "stop polling" code).
STOP_POLLING = 286


def polled_status(response: HttpResponse, *, pending: bool) -> HttpResponse:
    """A job's status panel, polled by its page while the job is on its way: once it is no longer pending,
    the answer tells htmx to stop asking."""
    if not pending:
        response.status_code = STOP_POLLING
    return response
