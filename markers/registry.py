"""Every quality marker the portal self-checks, by number. A new marker is a module like `commissioning.py`
(its questions, their evidence, its `MARKER`) and one line here."""

from __future__ import annotations

from . import commissioning, improvement, report
from .checks import Marker

MARKERS: dict[int, Marker] = {
    marker.number: marker
    for marker in (
        commissioning.MARKER,  # QM 6: the form and focus of the review
        report.MARKER,  # QM 14: the report
        improvement.MARKER,  # QM 15: the board's response
    )
}
