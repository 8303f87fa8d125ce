"""The names check before a report is accepted: the family's real names must not appear in it. The text
of a draft is read from the file (pypdf for a PDF, the document's XML for a Word file); `names_found`
looks for each name as whole words, case-insensitively, and for a full name also its surname alone."""

from __future__ import annotations

import re
import zipfile

from defusedxml import ElementTree
from pypdf import PdfReader

from reviews.models import Review

from ..people.selectors import family_names

WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# The parts of a Word document that hold text a reader sees: the body, headers, footers and notes.
WORD_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")


def _pattern(name: str) -> re.Pattern[str]:
    """`name` as whole words: its words in order, separated by any run of spaces (a line break in
    extracted text), never part of a longer word."""
    words = [re.escape(w) for w in name.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def names_found(text: str, names: list[str]) -> list[str]:
    """The names (and surnames of full names) that occur in `text` as whole words, ignoring case, in the
    order given, each once. A full name ("Jane Smith") is looked for whole and by its surname ("Smith");
    a single word is looked for as itself. Blank names are ignored."""
    found: list[str] = []
    for raw in names:
        name = " ".join(raw.split())
        if not name:
            continue
        candidates = [name]
        parts = name.split(" ")
        if len(parts) > 1:
            candidates.append(parts[-1])
        for candidate in candidates:
            if candidate.casefold() in (f.casefold() for f in found):
                continue
            if _pattern(candidate).search(text):
                found.append(candidate)
    return found


def names_to_check(review: Review) -> list[tuple[str, str]]:
    """(real name, pseudonym) of each family member the family record holds for the review: the report
    writes of them by their pseudonyms, never their real names."""
    return [(real, pseudonym) for real, pseudonym in family_names(review) if real.strip()]


def named_members(text: str, family: list[tuple[str, str]]) -> list[str]:
    """The pseudonyms of the family members whose real names (or surnames) occur in `text`, each once, in
    the family record's order. What the check tells the person accepting the report: they may not see the
    family record, so it names who is named by pseudonym, never by the real name it found."""
    return [pseudonym for real, pseudonym in family if names_found(text, [real])]


def docx_text(file) -> str:
    """The visible text of a Word document: every paragraph of its body, headers, footers and notes."""
    paragraphs: list[str] = []
    with zipfile.ZipFile(file) as archive:
        for part in archive.namelist():
            if not WORD_PARTS.fullmatch(part):
                continue
            # defusedxml refuses any entity declaration (an expansion bomb) and never fetches anything.
            root = ElementTree.fromstring(archive.read(part))
            for paragraph in root.iter(f"{WORD_NS}p"):
                paragraphs.append("".join(t.text or "" for t in paragraph.iter(f"{WORD_NS}t")))
    return "\n".join(paragraphs)


def pdf_text(file) -> str:
    reader = PdfReader(file, strict=False)
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def draft_text(draft) -> str:
    """The text of a stored draft; raises ValueError when it cannot be read."""
    try:
        with draft.file.open("rb") as handle:
            if draft.file_name.lower().endswith(".docx"):
                return docx_text(handle)
            return pdf_text(handle)
    except Exception as error:  # any failure to read is an unreadable draft
        raise ValueError("The draft's text could not be read.") from error
