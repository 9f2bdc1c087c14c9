"""Policy packs (``policies/<trust>.yml``) as plain Python objects.

Why this module exists: every answer the assistant gives comes from a pack, so loading is the
one place that decides what a pack means. It is deliberately forgiving about *shape* (a pack
whose playbooks are not written yet still loads, a clause number YAML read as a float is turned
back into text) and leaves judging *content* to ``bot.policy.checker``, which reports every
problem at once instead of stopping at the first.

Nothing is read at import time: ``load_pack``/``load_all_packs``/``load_questions`` read on
first use, cache per policies directory, and take ``policies_dir`` so tests can point them at
a copy.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

#: Pack ids, in the order SCENARIOS.md lists the Trusts.
TRUST_IDS: tuple[str, ...] = ("lpt", "tewv", "lchs", "cumbria", "secamb")

#: Guided scenarios: ask what changes the answer (at most two questions), then advise.
CORE_SCENARIOS: tuple[str, ...] = (
    "recorded_by_patient",
    "contact_from_patient",
    "media_contact",
    "abuse_image",
    "online_abuse",
)
#: Answered directly, asking at most one question.
FURTHER_SCENARIOS: tuple[str, ...] = (
    "colleague_post",
    "posting_work_content",
    "official_account",
    "crisis_online",
    "accidental_disclosure",
    "personal_use_at_work",
    "clinical_messaging",
    "personal_opinions",
    "filming_on_premises",
)
#: Answered at once: 999 / security before anything else, no questions.
URGENT_SCENARIO = "urgent_danger"
SCENARIO_IDS: tuple[str, ...] = (*CORE_SCENARIOS, *FURTHER_SCENARIOS, URGENT_SCENARIO)

#: How many questions each kind of scenario may ask before the steps arrive.
MAX_QUESTIONS: dict[str, int] = {
    **{s: 2 for s in CORE_SCENARIOS},
    **{s: 1 for s in FURTHER_SCENARIOS},
    URGENT_SCENARIO: 0,
}

#: A review falling due within this many months is reported as ``due_soon``.
DUE_SOON_MONTHS = 6

REVIEW_STATUSES: tuple[str, ...] = ("overdue", "due_soon", "current", "no_date")

DEFAULT_POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class Clause:
    number: str
    heading: str | None
    text: str

    @property
    def title(self) -> str:
        """How to name the clause to a user: "8.4 Recording in a Hospital Setting"."""
        return f"{self.number} {self.heading}" if self.heading else self.number


@dataclass(frozen=True)
class Trust:
    id: str
    name: str
    short_name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None
    clause: str | None = None


@dataclass(frozen=True)
class IncidentSystem:
    name: str
    clause: str


@dataclass(frozen=True)
class Document:
    title: str | None
    reference: str | None
    version: str | None
    ratified: str | None
    review_due: str | None
    expires: str | None
    source: str
    owner: str | None
    contacts: tuple[Contact, ...] = ()
    incident_system: IncidentSystem | None = None


@dataclass(frozen=True)
class BorrowedFrom:
    trust: str
    clause: str


@dataclass(frozen=True)
class Step:
    """One thing to do (``do``) or one person to tell (``contact``, in ``escalation``)."""

    do: str
    cites: tuple[str, ...] = ()
    when: dict[str, Any] = field(default_factory=dict)
    borrowed_from: BorrowedFrom | None = None
    general: bool = False


@dataclass(frozen=True)
class Quote:
    clause: str
    text: str


@dataclass(frozen=True)
class FollowUp:
    """The answer to a question staff ask after the steps ("can I block them?"), for one topic.

    ``topic`` is an id from ``policies/follow_ups.yml``. It is cited exactly like a step
    (``cites``, or ``borrowed_from`` / ``general``), so ``bot.render.step_line`` can label it;
    ``do`` is the answer under the name steps use. ``silent`` means this Trust's policy says
    nothing on the topic: the answer says so, and anything it offers is borrowed or general.
    """

    topic: str
    answer: str
    cites: tuple[str, ...] = ()
    borrowed_from: BorrowedFrom | None = None
    general: bool = False
    silent: bool = False
    quotes: tuple[Quote, ...] = ()
    when: dict[str, Any] = field(default_factory=dict)

    @property
    def do(self) -> str:
        return self.answer


@dataclass(frozen=True)
class FollowUpTopic:
    """One topic of the fixed follow-up vocabulary (``policies/follow_ups.yml``)."""

    id: str
    label: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Playbook:
    scenario: str
    covered: bool
    summary: str
    questions: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    escalation: tuple[Step, ...] = ()
    dont: tuple[Step, ...] = ()
    quotes: tuple[Quote, ...] = ()
    nearest: tuple[str, ...] = ()
    why: str | None = None
    follow_ups: tuple[FollowUp, ...] = ()

    def follow_up(self, topic: str) -> FollowUp | None:
        """This playbook's answer for a follow-up topic, or None when it has none."""
        return next((f for f in self.follow_ups if f.topic == topic), None)


@dataclass(frozen=True)
class ClauseOverride:
    number: str
    field: str
    reason: str


@dataclass(frozen=True)
class Pack:
    trust: Trust
    document: Document
    clauses: tuple[Clause, ...]
    clause_overrides: tuple[ClauseOverride, ...]
    playbooks: dict[str, Playbook]
    path: Path
    #: The YAML as read, for the checker (it reports shape problems the dataclasses smooth over).
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    #: Platform id -> where the policy points staff to that platform's own reporting route.
    platform_reporting: dict[str, Quote] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.trust.id

    @property
    def source_path(self) -> Path:
        return self.path.parent / "sources" / self.document.source

    def clause(self, number: str) -> Clause:
        """The clause the body numbers ``number``; "3." finds "3" (Cumbria/SECAmb print "3.")."""
        found = self._clause_index().get(normalise_number(number))
        if found is None:
            raise KeyError(f"{self.id}: no clause {number!r} in {self.document.source}")
        return found

    def has_clause(self, number: str) -> bool:
        return normalise_number(number) in self._clause_index()

    def clause_numbers(self) -> list[str]:
        return [c.number for c in self.clauses]

    def playbook(self, scenario: str) -> Playbook | None:
        return self.playbooks.get(scenario)

    def review_status(self, today: date | None = None) -> str:
        """``overdue``, ``due_soon`` (within 6 months), ``current`` or ``no_date``."""
        return review_status(self.document.review_due, today or date.today())

    def _clause_index(self) -> dict[str, Clause]:
        index = self.__dict__.get("_index")
        if index is None:
            index = {normalise_number(c.number): c for c in self.clauses}
            object.__setattr__(self, "_index", index)
        return index


# --------------------------------------------------------------------------- review dates

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)? ([A-Za-z]+),? (\d{4})$")
_MONTH_YEAR = re.compile(r"^([A-Za-z]+),? (\d{4})$")
_NUMERIC = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_review_date(printed: str | None) -> date | None:
    """The date a review falls due, from the words the document prints.

    "20 March 2027" is that day. A month alone ("February 2027", "March 2023") means by the end
    of that month, so a review printed as "February 2027" is not overdue until March 2027.
    "dd/mm/yyyy" is read the British way. Anything else is ``None`` (``no_date``), never a guess.
    """
    if not printed:
        return None
    text = " ".join(str(printed).split())
    if m := _DAY_MONTH_YEAR.match(text):
        month = _MONTHS.get(m.group(2).lower())
        return date(int(m.group(3)), month, int(m.group(1))) if month else None
    if m := _MONTH_YEAR.match(text):
        month = _MONTHS.get(m.group(1).lower())
        if not month:
            return None
        year = int(m.group(2))
        return date(year, month, calendar.monthrange(year, month)[1])
    if m := _NUMERIC.match(text):
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return None


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_status(review_due: str | None, today: date) -> str:
    """Status of a printed review date relative to ``today`` (see ``REVIEW_STATUSES``)."""
    due = parse_review_date(review_due)
    if due is None:
        return "no_date"
    if today > due:
        return "overdue"
    if due <= add_months(today, DUE_SOON_MONTHS):
        return "due_soon"
    return "current"


# --------------------------------------------------------------------------- loading


def normalise_number(number: Any) -> str:
    """Clause number as text; a trailing full stop ("3.") is punctuation, not numbering."""
    text = " ".join(str(number).split())
    return text[:-1] if text.endswith(".") and text[:-1] else text


def resolve_policies_dir(policies_dir: Path | str | None = None) -> Path:
    return Path(policies_dir).resolve() if policies_dir else DEFAULT_POLICIES_DIR


def pack_path(trust_id: str, policies_dir: Path | str | None = None) -> Path:
    return resolve_policies_dir(policies_dir) / f"{trust_id}.yml"


def load_pack(trust_id: str, policies_dir: Path | str | None = None) -> Pack:
    """The pack for ``trust_id``, read once per policies directory."""
    return _load_pack_cached(trust_id, resolve_policies_dir(policies_dir))


def load_all_packs(policies_dir: Path | str | None = None) -> dict[str, Pack]:
    """Every pack in ``TRUST_IDS`` whose file exists, keyed by pack id."""
    directory = resolve_policies_dir(policies_dir)
    return {
        trust_id: _load_pack_cached(trust_id, directory)
        for trust_id in TRUST_IDS
        if (directory / f"{trust_id}.yml").exists()
    }


def load_questions(policies_dir: Path | str | None = None) -> dict[str, dict[str, Any]]:
    """``facts`` from ``questions.yml``: fact name -> {ask, options, safer, why}."""
    return _load_questions_cached(resolve_policies_dir(policies_dir))


def load_follow_up_topics(policies_dir: Path | str | None = None) -> dict[str, FollowUpTopic]:
    """The fixed follow-up topics (``policies/follow_ups.yml``), keyed by id, in file order."""
    return _load_topics_cached(resolve_policies_dir(policies_dir))


def load_follow_ups(
    trust_id: str, scenario: str, policies_dir: Path | str | None = None
) -> tuple[FollowUp, ...]:
    """A playbook's follow-up answers as typed objects (empty when it has none)."""
    playbook = load_pack(trust_id, policies_dir).playbook(scenario)
    return playbook.follow_ups if playbook is not None else ()


def clear_caches() -> None:
    """Forget loaded packs (tests that edit pack files call this)."""
    _load_pack_cached.cache_clear()
    _load_questions_cached.cache_clear()
    _load_topics_cached.cache_clear()


@cache
def _load_topics_cached(directory: Path) -> dict[str, FollowUpTopic]:
    path = directory / "follow_ups.yml"
    data = read_yaml(path) if path.exists() else {}
    return {
        str(t.get("id")): FollowUpTopic(
            id=str(t.get("id")),
            label=str(t.get("label") or ""),
            examples=tuple(str(e) for e in _list(t.get("examples"))),
        )
        for t in map(_mapping, _list(_mapping(data).get("topics")))
        if t.get("id")
    }


@cache
def _load_questions_cached(directory: Path) -> dict[str, dict[str, Any]]:
    data = read_yaml(directory / "questions.yml") or {}
    return dict(data.get("facts") or {})


@cache
def _load_pack_cached(trust_id: str, directory: Path) -> Pack:
    path = directory / f"{trust_id}.yml"
    raw = read_yaml(path) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a pack must be a mapping with trust, document, clauses")
    return pack_from_dict(raw, path)


#: libyaml's safe loader when PyYAML was built with it (10x faster on the clause texts).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    """Parse one YAML file with a safe loader (no arbitrary Python objects)."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


def pack_from_dict(raw: dict[str, Any], path: Path) -> Pack:
    """Build a ``Pack``; missing ``playbooks`` (not written yet) gives an empty mapping."""
    trust_raw = _mapping(raw.get("trust"))
    doc_raw = _mapping(raw.get("document"))
    trust = Trust(
        id=str(trust_raw.get("id") or path.stem),
        name=str(trust_raw.get("name") or ""),
        short_name=str(trust_raw.get("short_name") or trust_raw.get("id") or path.stem),
        aliases=tuple(str(a) for a in _list(trust_raw.get("aliases"))),
    )
    incident = _mapping(doc_raw.get("incident_system"))
    document = Document(
        title=_text(doc_raw.get("title")),
        reference=_text(doc_raw.get("reference")),
        version=_text(doc_raw.get("version")),
        ratified=_text(doc_raw.get("ratified")),
        review_due=_text(doc_raw.get("review_due")),
        expires=_text(doc_raw.get("expires")),
        source=str(doc_raw.get("source") or ""),
        owner=_text(doc_raw.get("owner")),
        contacts=tuple(
            Contact(
                name=str(c.get("name") or ""),
                email=_text(c.get("email")),
                phone=_text(c.get("phone")),
                clause=normalise_number(c["clause"]) if c.get("clause") is not None else None,
            )
            for c in map(_mapping, _list(doc_raw.get("contacts")))
        ),
        incident_system=(
            IncidentSystem(
                name=str(incident.get("name") or ""),
                clause=normalise_number(incident.get("clause") or ""),
            )
            if incident
            else None
        ),
    )
    clauses = tuple(
        Clause(
            number=normalise_number(c.get("number")),
            heading=_text(c.get("heading")),
            text=str(c.get("text") or ""),
        )
        for c in map(_mapping, _list(raw.get("clauses")))
    )
    overrides = tuple(
        ClauseOverride(
            number=normalise_number(o.get("number")),
            field=str(o.get("field") or ""),
            reason=str(o.get("reason") or ""),
        )
        for o in map(_mapping, _list(raw.get("clause_overrides")))
    )
    playbooks = {
        str(scenario): playbook_from_dict(str(scenario), _mapping(body))
        for scenario, body in _mapping(raw.get("playbooks")).items()
    }
    platform_reporting = {
        str(platform): Quote(clause=normalise_number(q.get("clause")), text=str(q.get("text") or ""))
        for platform, q in _mapping(raw.get("platform_reporting")).items()
        if isinstance(q, dict)
    }
    return Pack(trust, document, clauses, overrides, playbooks, path, raw, platform_reporting)


def playbook_from_dict(scenario: str, raw: dict[str, Any]) -> Playbook:
    return Playbook(
        scenario=scenario,
        covered=bool(raw.get("covered", False)),
        summary=str(raw.get("summary") or ""),
        questions=tuple(str(q) for q in _list(raw.get("questions"))),
        steps=tuple(_step(s, "do") for s in _list(raw.get("steps"))),
        escalation=tuple(_step(s, "contact") for s in _list(raw.get("escalation"))),
        dont=tuple(_step(s, "do") for s in _list(raw.get("dont"))),
        quotes=tuple(
            Quote(clause=normalise_number(q.get("clause") or ""), text=str(q.get("text") or ""))
            for q in map(_mapping, _list(raw.get("quotes")))
        ),
        nearest=tuple(normalise_number(n) for n in _list(raw.get("nearest"))),
        why=_text(raw.get("why")),
        follow_ups=tuple(_follow_up(f) for f in map(_mapping, _list(raw.get("follow_ups")))),
    )


def _quote(raw: Any) -> Quote:
    item = _mapping(raw)
    return Quote(clause=normalise_number(item.get("clause") or ""), text=str(item.get("text") or ""))


def _follow_up(item: dict[str, Any]) -> FollowUp:
    step = _step(item, "answer")
    return FollowUp(
        topic=str(item.get("topic") or ""),
        answer=step.do,
        cites=step.cites,
        borrowed_from=step.borrowed_from,
        general=step.general,
        silent=bool(item.get("silent", False)),
        quotes=tuple(_quote(q) for q in _list(item.get("quotes"))),
        when=step.when,
    )


def _step(raw: Any, text_key: str) -> Step:
    item = _mapping(raw) if not isinstance(raw, str) else {text_key: raw}
    borrowed = _mapping(item.get("borrowed_from"))
    return Step(
        do=str(item.get(text_key) or item.get("do") or ""),
        cites=tuple(normalise_number(c) for c in _list(item.get("cites"))),
        when=dict(_mapping(item.get("when"))),
        borrowed_from=(
            BorrowedFrom(
                trust=str(borrowed.get("trust") or ""),
                clause=normalise_number(borrowed.get("clause") or ""),
            )
            if borrowed
            else None
        ),
        general=bool(item.get("general", False)),
    )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
