"""A one-page PDF standing in for a final report or a piece of evidence, for the demo and scale data: a real,
valid PDF (cross-reference table at the offsets it names, so `qpdf --check` finds nothing wrong and the
portal's upload check accepts it), saying what it is in one line of text."""

from __future__ import annotations


def _escaped(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def small_pdf(line: str = "Stand-in document for the demonstration: it holds no real report.") -> bytes:
    """A valid one-page A4 PDF showing `line` (Latin-1 text) in Helvetica."""
    content = b"BT /F1 12 Tf 72 770 Td (" + _escaped(line) + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


DEMO_PDF = small_pdf("Stand-in final report for the demonstration: it holds no real review.")
EVIDENCE_PDF = small_pdf("Stand-in evidence for the demonstration: an audit of missed appointments.")
