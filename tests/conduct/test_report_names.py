"""The names check: whole words, any case, a full name and its surname; text read from Word and PDF."""

from __future__ import annotations

import io
import zipfile

import pytest
from defusedxml import EntitiesForbidden

from conduct.report.names import docx_text, named_members, names_found, pdf_text
from tests.conduct.report_helpers import docx_bytes


def test_a_full_name_is_found_whole_and_by_its_surname():
    assert names_found("Jane Smith was seen.", ["Jane Smith"]) == ["Jane Smith", "Smith"]
    assert names_found("Ms Smith was seen.", ["Jane Smith"]) == ["Smith"]


def test_case_is_ignored():
    assert names_found("JANE SMITH and jane smith", ["Jane Smith"]) == ["Jane Smith", "Smith"]


def test_only_whole_words_count():
    text = "The Smithsons and Blacksmith met Janet at Smithfield."
    assert names_found(text, ["Jane Smith"]) == []


def test_a_first_name_alone_is_not_looked_for_from_a_full_name():
    assert names_found("Jane was seen.", ["Jane Smith"]) == []


def test_a_single_name_is_looked_for_as_itself():
    assert names_found("Bobby attended school.", ["Bobby"]) == ["Bobby"]
    assert names_found("Bobbylee attended school.", ["Bobby"]) == []


def test_a_name_broken_across_lines_or_spaces_is_found():
    assert names_found("seen by Jane\nSmith on Monday", ["Jane Smith"]) == ["Jane Smith", "Smith"]
    assert names_found("Jane   Smith", ["  Jane  Smith "]) == ["Jane Smith", "Smith"]


def test_punctuation_around_a_name_does_not_hide_it():
    assert names_found("(Smith), 'Smith's' home; Smith.", ["Jane Smith"]) == ["Smith"]


def test_names_with_hyphens_and_apostrophes_match_literally():
    assert names_found("Mr O'Neil-Hart visited.", ["Sean O'Neil-Hart"]) == ["O'Neil-Hart"]
    assert names_found("Mr ONeil visited.", ["Sean O'Neil"]) == []


def test_regex_characters_in_a_name_are_taken_literally():
    assert names_found("A.B was there", ["A.B"]) == ["A.B"]
    assert names_found("AxB was there", ["A.B"]) == []


def test_each_name_is_reported_once_in_the_order_given_and_blanks_ignored():
    text = "Smith, Brown, Smith and Tom Brown."
    assert names_found(text, ["", "Tom Brown", "Ann Smith", "Sue Smith", "   "]) == [
        "Tom Brown",
        "Brown",
        "Smith",
    ]


def test_no_names_or_no_text_find_nothing():
    assert names_found("Jane Smith", []) == []
    assert names_found("", ["Jane Smith"]) == []


def test_the_text_of_a_word_document_includes_its_headers():
    text = docx_text(io.BytesIO(docx_bytes("First paragraph.", "Second.", header="Jane Smith")))
    assert "First paragraph." in text and "Second." in text and "Jane Smith" in text


def test_the_text_of_a_pdf_is_read():
    weasyprint = pytest.importorskip("weasyprint")
    data = weasyprint.HTML(string="<p>Seen by Jane Smith at home.</p>").write_pdf()
    assert names_found(pdf_text(io.BytesIO(data)), ["Jane Smith"]) == ["Jane Smith", "Smith"]


def test_named_members_are_told_by_pseudonym_once_each_in_the_records_order():
    family = [("Jane Smith", "Mother"), ("Paul Smith", "Father"), ("Tom Okoro", "Brother")]
    assert named_members("Ms Smith and Tom Okoro", family) == ["Mother", "Father", "Brother"]
    assert named_members("Mother and Father were seen.", family) == []
    assert named_members("TOM OKORO", family) == ["Brother"]


def test_a_word_document_declaring_entities_is_refused_unread():
    """An entity-expansion bomb (or any entity, which could also name an external file) is refused by the
    parser before it expands; the draft is then unreadable, never a hung worker or a file read."""
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        "<w:p><w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", bomb)
    buffer.seek(0)
    with pytest.raises(EntitiesForbidden):
        docx_text(buffer)
