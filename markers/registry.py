"""Every quality marker the portal self-checks, by number. A new marker is a module like `commissioning.py`
(its questions, their evidence, its `MARKER`) and one line here."""

from __future__ import annotations

from . import (
    analysis,
    commissioning,
    governance,
    improvement,
    information,
    management,
    parallel,
    people,
    report,
)
from .checks import Marker

MARKERS: dict[int, Marker] = {
    marker.number: marker
    for marker in (
        people.INFORMING,  # QM 4: informing the family
        commissioning.MARKER,  # QM 6: the form and focus of the review
        governance.MARKER,  # QM 7: governance of the review
        management.MARKER,  # QM 8: management of the review
        parallel.MARKER,  # QM 9: parallel processes
        information.MARKER,  # QM 10: assembling the information
        people.PRACTITIONERS,  # QM 11: practitioners' involvement
        people.INVOLVEMENT,  # QM 12: the family's involvement
        analysis.MARKER,  # QM 13: the analysis
        report.MARKER,  # QM 14: the report
        improvement.MARKER,  # QM 15: the board's response
    )
}
