"""What every PDF the portal makes must be: sound by qpdf's check, and PDF/UA-1 as far as a test can read
it (XMP metadata naming PDF/UA part 1, tagged, language, title shown, every table header cell scoped,
every link labelled by its words)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.generic import IndirectObject

PDFUA_NS = "http://www.aiim.org/pdfua/ns/id/"
# A link named by the id of its target (what WeasyPrint writes by itself) rather than its words.
ANCHOR_ID = re.compile(r"^(section|finding|learning|qm)-[\w-]+$|^(agenda|summary|findings|actions|approval)$")


def qpdf_check(pdf: bytes) -> str:
    """qpdf's own check of the file's structure; fails the test with qpdf's words when it finds a fault."""
    qpdf = shutil.which("qpdf")
    assert qpdf, "qpdf is not installed (make setup-test installs it)"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run([qpdf, "--check", handle.name], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout, result.stdout
    return result.stdout


def pdfua_part(reader: PdfReader) -> str | None:
    """The PDF/UA part the document's XMP metadata claims (pdfuaid:part), or None."""
    metadata = reader.trailer["/Root"].get("/Metadata")
    if metadata is None:
        return None
    xml = metadata.get_object().get_data()
    root = ElementTree.fromstring(xml)
    for description in root.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description"):
        part = description.get(f"{{{PDFUA_NS}}}part")
        if part is None:
            element = description.find(f"{{{PDFUA_NS}}}part")
            part = element.text if element is not None else None
        if part is not None:
            return part.strip()
    return None


def structure_elements(reader: PdfReader) -> list:
    """Every structure element of the tag tree, depth first."""
    found, seen = [], set()
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if not hasattr(node, "get"):
            continue
        if node.get("/Type") == "/StructElem":
            found.append(node)
        kids = node.get("/K")
        if kids is None:
            continue
        kids = kids.get_object() if isinstance(kids, IndirectObject) else kids
        stack.extend(reversed(kids) if isinstance(kids, list) else [kids])
    return found


def header_scopes(reader: PdfReader) -> list[str | None]:
    """The /Scope of every TH structure element, in order (None where it has none)."""
    scopes = []
    for element in structure_elements(reader):
        if element.get("/S") == "/TH":
            attributes = element.get("/A")
            attributes = attributes.get_object() if attributes is not None else {}
            scopes.append(attributes.get("/Scope"))
    return scopes


def link_labels(reader: PdfReader, page: int | None = None) -> list[str]:
    """The labels (/Contents) of the link annotations of one page, or of every page."""
    pages = reader.pages if page is None else [reader.pages[page]]
    labels = []
    for each in pages:
        for annotation in each.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                labels.append(str(annotation.get("/Contents", "")))
    return labels


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text as pdftotext (Poppler) extracts it: what copying or a reader's text view gives."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        out = subprocess.run(
            [shutil.which("pdftotext") or "pdftotext", handle.name, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return out.split("\f")[:-1]


def assert_pdf_ua(pdf: bytes) -> PdfReader:
    """Sound by qpdf and PDF/UA-1 as far as read here; returns the reader for further checks."""
    qpdf_check(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert pdfua_part(reader) == "1", "no PDF/UA identifier in the XMP metadata"
    assert root["/MarkInfo"]["/Marked"] in (True, "true"), "not marked as tagged"
    assert str(root.get("/Lang", "")).startswith("en"), "no document language"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true"), "the title is not shown"
    assert reader.metadata.title, "no title"
    scopes = header_scopes(reader)
    assert None not in scopes, f"{scopes.count(None)} table header cells have no scope"
    labels = link_labels(reader)
    assert all(label and not ANCHOR_ID.match(label) for label in labels), labels
    return reader
