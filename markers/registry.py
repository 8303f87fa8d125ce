"""Every quality marker the portal self-checks, by number. A new marker is a module like `commissioning.py`
(its questions, their evidence, its `MARKER`) and one line here."""

from __future__ import annotations

from . import analysis, commissioning, improvement, information
from .checks import Marker

MARKERS: dict[int, Marker] = {
    marker.number: marker
    for marker in (
        commissioning.MARKER,  # QM 6: the form and focus of the review
        information.MARKER,  # QM 10: assembling the information
        analysis.MARKER,  # QM 13: the analysis
        improvement.MARKER,  # QM 15: the board's response
    )
}
