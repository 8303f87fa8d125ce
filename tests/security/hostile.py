"""Hostile values, and hypothesis strategies that draw a whole submission for a form from its fields.

A submission is a list of (key, value) pairs as a browser sends them: a value is a string, or a FilePart
for a file input. Each field gets, at random, something plausible (so the form is sometimes valid and the
saving code runs too), something hostile, several values where one is expected, or nothing at all; a few
unexpected keys are added. Everything is valid UTF-8: surrogates cannot travel in an HTTP request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django import forms
from django.utils import timezone
from hypothesis import strategies as st

from demo.pdf import DEMO_PDF

# Marked so that a page echoing one of them unescaped is found (see harness.unescaped_markup).
MARKUP = (
    "<script>hostile()</script>",
    '"><img src=x onerror=hostile()>',
    "' onmouseover='hostile()' x='",
    "</textarea><svg onload=hostile()>",
)
CONTROL = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r") + "\x7f"
HUGE = 100_001

HOSTILE_TEXT = (
    "",
    " ",
    " \t\r\n ",
    "\x00",
    "a\x00b",
    "\x00" * 3,
    CONTROL,
    "\u200f\u202eevil\u202c\u200e",  # right-to-left marks and an override
    "\ufeff\u200b\u2028\u2029",  # byte-order mark, zero-width space, line and paragraph separators
    "👩‍👩‍👧‍👦🏳️‍🌈🔥",
    "e\u0301\u0301\u0301\u0301\u0327\u0327",  # stacked combining marks
    "Z̸̡̛̲͎a̶̼̓l̷͚̐g̵͔̈́o̸͍̊",
    "ﷺ𒐫𒈙꧅",  # very wide glyphs
    *MARKUP,
    "' OR '1'='1' --",
    "1; DROP TABLE reviews_review; --",
    "%s %d %n {0} {{ settings.SECRET_KEY }} {% debug %}",
    "../../../../etc/passwd",
    "\\\\server\\share\\x",
    "javascript:alert(1)",
    '=HYPERLINK("http://x")',  # spreadsheet formula
    "-1",
    "0",
    "-0",
    "1.5",
    "1,000",
    " 42 ",
    "0x10",
    "+7",
    "1e309",
    "NaN",
    "inf",
    "9223372036854775808",
    "2147483648",
    "99999999999999999999999999999999",
    "²",
    "١٢",  # Arabic-Indic digits: isdigit() is true, int() accepts them
    "𝟗",  # a mathematical digit
    "31/02/2026",
    "2026-02-31",
    "99999-01-01",
    "0000-00-00",
    "true",
    "null",
    "[]",
    "{}",
)
DATE_PARTS = (
    "31",
    "2",
    "2026",
    "0",
    "00",
    "-1",
    "13",
    "32",
    "99999",
    "10000",
    "1e3",
    "2.5",
    "²",
    "٣",
    " 7 ",
    "",
)
NUMBERS = ("-1", "0", "1000001", "1441", "100", "2147483648", "9223372036854775808", "1.0", "9" * 5000)


def _huge() -> st.SearchStrategy[str]:
    return st.builds(
        lambda unit, n: unit * (n // len(unit)),
        st.sampled_from(("x", "😀", "\x00", "<b>", "é\u0301", "9", "a\n")),
        st.integers(HUGE, HUGE + 20_000),
    )


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(st.characters(codec="utf-8"), max_size=40),
        st.text(st.sampled_from(CONTROL + "\u200f\u202e\u0301\ufeff👩\u200d<>&'\""), min_size=1, max_size=20),
        _huge(),
    )


@dataclass(frozen=True)
class FilePart:
    """A file input's value: the name the browser sends, the bytes, and the type it claims."""

    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


PDF_BYTES = DEMO_PDF  # a small, valid PDF: uploads of PDFs are parsed
NOT_A_DOCUMENT = (
    b"<html><script>hostile()</script></html>",
    b"MZ\x90\x00\x03" + b"\x00" * 60,  # a Windows program
    b"PK\x03\x04not really a zip",
    b"\x00",
)
FILE_NAMES = (
    "report.pdf",
    "../../etc/passwd.pdf",
    "..\\..\\x.pdf",
    "/etc/passwd",
    "C:\\Windows\\win.ini",
    "a\x00.pdf",
    "x" * 300 + ".pdf",
    "Prüfbericht – 東京 👩‍👧.pdf",
    "<script>hostile()</script>.pdf",
    "report\u202efdp.exe",
    "..",
    "",
    "name\r\nX-Injected: 1.pdf",
)


@dataclass
class FieldSpec:
    """What a submission needs to know of one form field."""

    name: str
    keys: list[str]  # the keys a browser sends for it (a date input sends three)
    kind: str  # text, email, int, bool, choice, multi, date, file, files
    choices: list[str] = field(default_factory=list)  # values offered (choice and multi)
    foreign: list[str] = field(default_factory=list)  # ids of objects of the same kind NOT offered
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None


def _choice_values(choices) -> list[str]:
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # an option group
            values += [str(v) for v, _ in label]
        elif value not in ("", None):
            values.append(str(getattr(value, "value", value)))
    return values


def field_spec(form: forms.BaseForm, name: str) -> FieldSpec:
    f = form.fields[name]
    html_name = form.add_prefix(name)
    widget = f.widget
    if isinstance(widget, forms.MultiWidget):
        keys = [html_name + suffix for suffix in widget.widgets_names]
        return FieldSpec(name, keys, "date" if len(keys) == 3 else "text")
    spec = FieldSpec(name, [html_name], "text")
    if isinstance(f, forms.FileField):
        spec.kind = "files" if getattr(widget, "allow_multiple_selected", False) else "file"
    elif isinstance(f, forms.BooleanField):
        spec.kind = "bool"
    elif isinstance(f, forms.ModelChoiceField):
        spec.kind = "multi" if isinstance(f, forms.ModelMultipleChoiceField) else "choice"
        offered = list(f.queryset.values_list("pk", flat=True)[:50])
        spec.choices = [str(pk) for pk in offered]
        model = f.queryset.model
        spec.foreign = [
            str(pk)
            for pk in model._default_manager.exclude(pk__in=f.queryset.values("pk")).values_list(
                "pk", flat=True
            )[:5]
        ]
    elif isinstance(f, forms.ChoiceField):
        spec.kind = "multi" if isinstance(f, forms.MultipleChoiceField) else "choice"
        spec.choices = _choice_values(f.choices)
    elif isinstance(f, forms.IntegerField):
        spec.kind = "int"
        spec.min_value, spec.max_value = f.min_value, f.max_value
    elif isinstance(f, forms.EmailField):
        spec.kind = "email"
    if isinstance(f, forms.CharField):
        spec.max_length = f.max_length
    return spec


def field_specs(form: forms.BaseForm) -> list[FieldSpec]:
    return [field_spec(form, name) for name in form.fields]


# Plausible values: what a careful person would enter, in any script. -----------------------------------

WORDS = st.text(
    st.characters(codec="utf-8", categories=("L", "M", "N", "P", "Zs", "So")), min_size=1, max_size=60
).filter(lambda s: s.strip())


def _dates() -> st.SearchStrategy:
    today = timezone.localdate()
    return st.sampled_from([today + timedelta(days=d) for d in (-400, -30, -1, 0, 1, 14, 60, 400)])


def plausible(spec: FieldSpec) -> st.SearchStrategy[list]:
    """Values for the spec's keys (one list per key) that the form could accept."""
    if spec.kind == "date":
        return _dates().map(lambda d: [[str(d.day)], [str(d.month)], [str(d.year)]])
    if spec.kind in ("file", "files"):
        return st.sampled_from(FILE_NAMES[:10]).map(lambda n: [[FilePart(n, PDF_BYTES, "application/pdf")]])
    if spec.kind == "bool":
        return st.just([["on"]])
    if spec.kind == "choice" and spec.choices:
        return st.sampled_from(spec.choices).map(lambda v: [[v]])
    if spec.kind == "multi" and spec.choices:
        return st.lists(st.sampled_from(spec.choices), min_size=1, max_size=3, unique=True).map(lambda v: [v])
    if spec.kind == "int":
        low = spec.min_value if spec.min_value is not None else -5
        high = spec.max_value if spec.max_value is not None else 500
        return st.integers(low, high).map(lambda n: [[str(n)]])
    if spec.kind == "email":
        return st.sampled_from(["someone@example.org", "Zoë.O'Brien@example.org"]).map(lambda v: [[v]])
    limit = min(spec.max_length or 200, 200)
    return WORDS.map(lambda s: [[s[:limit]]])


def hostile(spec: FieldSpec) -> st.SearchStrategy[list]:
    """Values for the spec's keys that no careful person would send."""
    scalar = hostile_text()
    if spec.kind == "date":
        part = st.one_of(st.sampled_from(DATE_PARTS), scalar)
        return st.tuples(part, part, part).map(lambda parts: [[p] for p in parts])
    if spec.kind in ("file", "files"):
        return st.builds(
            lambda name, content: [[FilePart(name, content)]],
            st.sampled_from(FILE_NAMES),
            st.sampled_from(NOT_A_DOCUMENT),
        )
    options = [scalar, st.sampled_from(NUMBERS)]
    if spec.foreign:
        options.append(st.sampled_from(spec.foreign))
    one = st.one_of(*options)
    return st.one_of(
        one.map(lambda v: [[v] for _ in spec.keys]), st.lists(one, min_size=2, max_size=3).map(lambda v: [v])
    )


MISSING = object()
# Keys a form never asks for, some of them tempting: a mass-assignment attempt must change nothing.
EXTRA_KEYS = (
    "id",
    "pk",
    "review",
    "lead_board",
    "state",
    "is_staff",
    "is_superuser",
    "signed_by",
    "owner_id",
)


def submission(specs: list[FieldSpec]) -> st.SearchStrategy[list[tuple]]:
    """A whole submission: (key, value) pairs."""

    def one_field(spec: FieldSpec) -> st.SearchStrategy:
        return st.one_of(plausible(spec), plausible(spec), hostile(spec), hostile(spec), st.just(MISSING))

    def assemble(drawn, extras) -> list[tuple]:
        pairs = []
        for spec, values in zip(specs, drawn, strict=True):
            if values is MISSING:
                continue
            for key, key_values in zip(spec.keys, values, strict=False):
                pairs += [(key, v) for v in key_values]
        return pairs + extras

    extras = st.lists(st.tuples(st.sampled_from(EXTRA_KEYS), hostile_text()), max_size=2)
    return st.builds(assemble, st.tuples(*(one_field(s) for s in specs)), extras)


def classic_submissions(specs: list[FieldSpec]) -> dict[str, list[tuple]]:
    """Fixed submissions every form gets, whatever hypothesis draws: the classic ways to cause a 500."""

    def every(value) -> list[tuple]:
        return [(key, value) for spec in specs if spec.kind not in ("file", "files") for key in spec.keys]

    def foreign() -> list[tuple]:
        pairs = []
        for spec in specs:
            values = spec.foreign[:1] or (["999999"] if spec.kind in ("choice", "multi") else [])
            pairs += [(spec.keys[0], v) for v in values]
        return pairs

    return {
        "nul": every("\x00"),
        "nul-inside": every("ok\x00ok"),
        "huge": every("x" * HUGE),
        "markup-and-rtl": every(MARKUP[0] + "\u202e" + MARKUP[1]),
        "lists": [pair for spec in specs for key in spec.keys for pair in ((key, "1"), (key, "2"))],
        "empty": every(""),
        "spaces": every(" "),
        "date-with-a-part-of-spaces": [
            (key, value)
            for spec in specs
            if spec.kind == "date"
            for key, value in zip(spec.keys, ("1", "1", " "), strict=True)
        ],
        "numbers-out-of-range": every("9223372036854775808"),
        "unicode-digits": every("²"),
        "foreign-ids": foreign(),
    }
