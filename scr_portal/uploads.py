"""Checks for uploaded documents: the type is judged by the file's content, not its name, and its size is
limited; a PDF must also be readable (parsed, not only its first bytes). Files are stored under generated
names (see each model's upload_to), never the uploaded name."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
UNREADABLE_PDF = "The file is not a readable PDF. Save it again as a PDF and upload it."


@dataclass(frozen=True)
class Kind:
    name: str
    extension: str


PDF = Kind("PDF", ".pdf")
DOCX = Kind("Word", ".docx")
DOC = Kind("Word 97-2003", ".doc")
XLSX = Kind("Excel", ".xlsx")
PNG = Kind("PNG image", ".png")
JPEG = Kind("JPEG image", ".jpg")

_OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


def sniff(upload: UploadedFile) -> Kind | None:
    """The document kind the bytes show, or None when they are none we accept."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_OLE_SIGNATURE):
        return DOC
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return None


def readable_pdf(upload: UploadedFile) -> bool:
    """Whether the bytes parse as a PDF: a cross-reference table (or stream) and trailer that can be read,
    a document catalogue and a page tree of at least one page whose pages are page objects. Damaged files
    (cut short, no cross-reference, a "%PDF-" header on anything else) are not. Only the file's structure
    is read, never its content streams, so a large or hostile file costs little. pypdf repairs what viewers
    repair (wrong offsets), so a file that opens elsewhere is not refused; an encrypted file whose
    structure reads is accepted (its pages cannot be read without its password)."""
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            return True
        pages = reader.pages
        return len(pages) > 0 and all(page.get("/Type") == "/Page" for page in pages)
    except (DependencyError, FileNotDecryptedError):  # encrypted, with a cipher or password not at hand
        return True
    except Exception:  # noqa: BLE001 - any failure to parse is a damaged file, whatever pypdf raises
        return False
    finally:
        upload.seek(0)


def check_upload(
    upload: UploadedFile, *, allowed: tuple[Kind, ...], max_bytes: int = MAX_DOCUMENT_BYTES
) -> Kind:
    """Raises a ValidationError that says what is wrong and what is accepted; returns the kind found.

    An accepted upload is renamed to its plain label (see safe_display_name), so whatever stores it takes
    the extension its content shows, never the one it was sent with ("report.html" holding a PDF)."""
    names = " or ".join(k.name for k in allowed)
    if upload.size == 0:
        raise forms.ValidationError("The selected file is empty")
    if upload.size > max_bytes:
        raise forms.ValidationError(f"The selected file must be smaller than {filesizeformat(max_bytes)}")
    kind = sniff(upload)
    if kind not in allowed:
        raise forms.ValidationError(f"The selected file must be a {names} document")
    if kind == PDF and not readable_pdf(upload):
        raise forms.ValidationError(UNREADABLE_PDF, code="unreadable_pdf")
    upload.name = safe_display_name(upload.name, kind)
    return kind


def safe_display_name(name: str, kind: Kind) -> str:
    """The uploaded file's name reduced to a plain, short label (no folders, no control characters, never
    only an extension), ending in the kind's extension. Applying it twice changes nothing."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    stem = base[: -len(kind.extension)] if base.lower().endswith(kind.extension) else base.rsplit(".", 1)[0]
    stem = stem[:150].strip(" .") or "document"
    return f"{stem}{kind.extension}"


def named_upload(upload: UploadedFile, *, allowed: tuple[Kind, ...]) -> UploadedFile:
    """The upload, checked (see check_upload), carrying the plain name to show and store as data."""
    kind = check_upload(upload, allowed=allowed)
    upload.display_name = safe_display_name(upload.name, kind)
    return upload
