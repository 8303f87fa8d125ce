"""The words a review's pages, documents, emails and exports use, by regime: a Serious Case Review is an
LSCB's, decided and signed by its chair; a local child safeguarding practice review is a safeguarding
partnership's, decided and signed by its three statutory partners. Templates read `review.words.X` (or
`board.words.X`); nothing else spells these words out for one regime only.

Each word comes in the case it is used in: `body` ("board") mid-sentence, `Body` ("Board") to start one."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from django.utils.safestring import SafeString

from .states import State


@dataclass(frozen=True)
class Words:
    regime: str  # "scr" / "cspr"
    body: str  # board / partnership
    Body: str
    body_name: str  # Local Safeguarding Children Board / safeguarding partnership
    accountable: str  # who decides and signs: chair / partners
    Accountable: str
    accountable_possessive: str  # chair's / partners'
    review: str  # the kind of review, mid-sentence
    Review: str
    short: str  # SCR / LCSPR
    response: str  # board's response / partners' response
    Response: str
    response_page: str  # the response pages' caption and breadcrumb: Response / Partners' response
    discussion: str  # the response's meetings page: Board discussion / Partnership discussion
    pack: str  # the meeting's papers as one PDF: board pack / partnership pack
    Pack: str
    plan: str  # business plan / partnership priorities
    Plan: str
    plan_priority: str  # one priority of the plan: business plan priority / partnership priority
    signers: str  # who signs, in a sentence: "the chair" / "each of the three statutory partners"
    # Stage names that differ from the shared ones (`State` labels).
    stage_names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Our own words, never a person's: safe in HTML as they are, so "board's" reaches a page as written
        # rather than as "board&#x27;s".
        for f in fields(self):
            value = getattr(self, f.name)
            if type(value) is str:
                # The constants below only (no person's text reaches a Words): nosec for that reason.
                object.__setattr__(self, f.name, SafeString(value))  # nosec B703

    def stage(self, state: str) -> str:
        return self.stage_names.get(state) or State(state).label

    def __getitem__(self, name: str) -> str:  # {{ words.body }} and words["body"] alike
        return getattr(self, name)


SCR = Words(
    regime="scr",
    body="board",
    Body="Board",
    body_name="Local Safeguarding Children Board",
    accountable="chair",
    Accountable="Chair",
    accountable_possessive="chair's",
    review="Serious Case Review",
    Review="Serious Case Review",
    short="SCR",
    response="board's response",
    Response="Board's response",
    response_page="Response",
    discussion="Board discussion",
    pack="board pack",
    Pack="Board pack",
    plan="business plan",
    Plan="Business plan",
    plan_priority="business plan priority",
    signers="the chair",
    stage_names={"response": "Board response"},
)

LCSPR = Words(
    regime="cspr",
    body="partnership",
    Body="Partnership",
    body_name="safeguarding partnership",
    accountable="partners",
    Accountable="Partners",
    accountable_possessive="partners'",
    review="local child safeguarding practice review",
    Review="Local child safeguarding practice review",
    short="LCSPR",
    response="partners' response",
    Response="Partners' response",
    response_page="Partners' response",
    discussion="Partnership discussion",
    pack="partnership pack",
    Pack="Partnership pack",
    plan="partnership priorities",
    Plan="Partnership priorities",
    plan_priority="partnership priority",
    signers="each of the three statutory partners",
    stage_names={
        "referral": "Serious incident notification",
        "decision": "Partners' decision",
        "response": "Partners' response",
        "not_initiated": "No local review",
        "national_review": "Taken on by the national Panel",
    },
)

_BY_REGIME = {SCR.regime: SCR, LCSPR.regime: LCSPR}
_BY_BODY = {"lscb": SCR, "partnership": LCSPR}


def words_for_regime(regime: str) -> Words:
    return _BY_REGIME.get(regime, SCR)


def words_for_body(kind: str) -> Words:
    """A body's own pages (not a review's): an LSCB speaks of its board and chair, a partnership of itself
    and its partners."""
    return _BY_BODY.get(kind, SCR)
