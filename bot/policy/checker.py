"""Check every policy pack against the rules in ``policies/SCHEMA.md``.

Why: staff act on what the assistant cites during an incident, so a wrong clause number, an
altered quote or an invented phone number is worse than saying nothing. ``check_packs`` is
what ``python -m bot check-packs`` and ``make test`` run; it returns every problem at once, as
a sentence that names the pack, the place and the fix, e.g.::

    lpt: playbook recorded_by_patient step 2 cites 8.9, which is not a clause of LPT's
    policy: cite one of 8.4, 8.5 or fix the number

Rules (SCHEMA.md, plus the traps found while writing the packs):

* clauses: unique numbers; text and heading verbatim in the source (whitespace, bullet
  markers and page furniture ignored, ``importer.match_key``); re-running the importer on
  the source gives the committed clauses exactly, except where ``clause_overrides`` lists
  ``{number, field, reason}``. ``field`` is ``heading`` or ``text`` (committed value differs),
  ``omitted`` (the importer finds the clause, the pack leaves it out) or ``added`` (the pack
  has a clause the importer does not find). An override with nothing to override is stale.
* document: ``source`` exists; printed values appear in the source; every contact and the
  incident system sit in an existing clause that prints them; ``review_due`` is readable.
* playbooks: one per scenario id (``packs.SCENARIO_IDS``); every ``cites``/``nearest``/quote
  clause exists in this pack and every ``borrowed_from`` clause in the lending pack; quotes
  are verbatim in the clause they cite and at most 40 words; questions and ``when`` facts
  exist in ``questions.yml`` with one of the fact's option values; question limits (core
  scenarios 2, others 1, urgent_danger 0); a silent playbook (``covered: false``) has only
  borrowed or general steps; clause numbers are quoted strings (YAML reads 4.10 as 4.1).
* wording: a step that tells someone they face exclusion or a police report (words a policy
  says of the public) carries a ``when`` whose answer says the person is not a patient (an
  option marked ``not_patient: true`` in questions.yml); a playbook uses every fact it asks in
  some ``when``; a ``covered: true`` playbook has at most half its steps borrowed or general,
  and a ``covered: false`` one says in its summary that the policy does not cover it; "must"
  in a step needs "must" in a cited clause, "must not" needs "must not" or "not permitted".
* contacts: an email, phone number or the incident system of this Trust appears only in an
  item that cites a clause printing it (not on a borrowed or general route).
* follow_ups: each topic is in ``follow_ups.yml`` and once per playbook; its answer is checked
  like a step (cites, borrowed, general, quotes, modal verbs, contact details); ``silent: true``
  answers say the policy does not say and cite nothing of this Trust's.
* contact details: no phone number, email address or named system (``NAMED_SYSTEMS``, the
  one list) anywhere in a pack outside its clauses unless the pack's own source prints it;
  a borrowed step may also use what the lending Trust's source prints. "999" and "101" count
  as phone numbers: only LPT prints 101, and no Trust prints 999 (999 lives in safety.yml).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.policy import importer
from bot.policy.packs import (
    MAX_QUESTIONS,
    SCENARIO_IDS,
    TRUST_IDS,
    Pack,
    normalise_number,
    pack_from_dict,
    parse_review_date,
    read_yaml,
    resolve_policies_dir,
)

MAX_QUOTE_WORDS = 40

#: Words a policy says of the public (LPT 8.4: "they will be reported to the police ... subject
#: to immediate exclusion from Trust premises"). Said to an in-patient or a detained patient they
#: are untrue and escalate; a step using them must be conditioned on the person not being a patient.
PUBLIC_ONLY_WORDING = re.compile(
    r"\bexclu(?:sion|ded?)\b[^.]*\b(?:premises|site|trust|hospital|ward)\b|"
    r"\b(?:will|would|could|may) be reported to the police\b|"
    r"\breport(?:ed)? (?:them|him|her|the person) to the police\b[^.]*\brefus",
    re.IGNORECASE,
)
#: Modal verbs in a step, strongest first, and what a cited clause must say to support them.
MUST_NOT = re.compile(r"\b(?:must not|mustn'?t|must never)\b", re.IGNORECASE)
MUST = re.compile(r"\bmust\b", re.IGNORECASE)
SUPPORTS_MUST_NOT = re.compile(
    r"\b(?:must not|mustn'?t|must never|not permitted|are not allowed|is not allowed)\b",
    re.IGNORECASE,
)
SUPPORTS_MUST = re.compile(r"\bmust\b", re.IGNORECASE)
#: A silent playbook's summary says so, so the heading and the summary agree.
SAYS_NOT_COVERED = re.compile(
    r"\b(?:does not|doesn'?t|do not) (?:cover|say|describe|give|set out|address|mention)|"
    r"\bsilent\b|\bgives no\b|\bnot covered\b",
    re.IGNORECASE,
)
#: A ``silent: true`` follow-up says plainly that the policy says nothing on it.
SAYS_SILENT = re.compile(
    r"\b(?:does not|doesn'?t) (?:say|cover|mention|address|give)|\bsays nothing\b|\bsilent\b",
    re.IGNORECASE,
)

#: Incident, learning and clinical systems a playbook must not name unless the Trust's own
#: policy does. Matched case-insensitively. "Safeguard" is only matched as a system name
#: ("Ulysses Safeguard", "on Safeguard", "Safeguard form") because "safeguard" is an
#: ordinary verb that playbooks rightly use.
NAMED_SYSTEMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("Datix", r"\bdatix\b"),
        ("InPhase", r"\bin-?phase\b"),
        ("eIRF", r"\beirf\b"),
        ("IR1", r"\bir1\b"),
        ("SystemOne/SystmOne", r"\bsyste?m\s?one\b"),
        ("Ulysses", r"\bulysses\b"),
        (
            "Safeguard",
            r"\b(?:(?:on|via|onto|into|using|through|in)\s+safeguard|"
            r"safeguard\s+(?:system|incident|report|form|software|portal))\b",
        ),
        ("Metacompliance", r"\bmeta\s?compliance\b"),
        ("ULearn", r"\bu-?learn\b"),
        ("DCIQ", r"\bdciq\b"),
        ("Radar", r"\bradar\s+(?:system|incident|report|form)\b"),
        ("RL Datix", r"\brldatix\b"),
    )
)

#: UK phone numbers (10-11 digits from 0 or +44) and the short numbers staff are told to
#: ring. Short numbers are words on their own, not parts of clause numbers ("10.1").
PHONE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?<![\w.+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|0)\d(?:[\s-]?\d){8,9}(?![\w])"),
    re.compile(r"(?<![\w.])(?:999|112|111|101|116[\s-]?\d{3}|85258)(?![\w]|\.\d)"),
)
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


@dataclass
class _Source:
    """A Trust's source, in the forms the checks compare against."""

    key: str  # importer.match_key of the source without furniture (verbatim checks)
    lower: str  # the whole source as printed, furniture included, whitespace collapsed, lower case
    phones: set[str]  # digits of every phone number it prints


def check_packs(policies_dir: Path | str | None = None) -> list[str]:
    """Every problem with every pack in ``policies_dir`` (default: the repo's policies/)."""
    directory = resolve_policies_dir(policies_dir)
    errors: list[str] = []
    packs: dict[str, Pack] = {}
    for trust_id in TRUST_IDS:
        path = directory / f"{trust_id}.yml"
        if not path.exists():
            errors.append(f"{trust_id}: no pack at {path}: write policies/{trust_id}.yml")
            continue
        try:
            raw = read_yaml(path)
        except yaml.YAMLError as exc:
            errors.append(f"{trust_id}: {path.name} is not valid YAML: {exc}")
            continue
        if not isinstance(raw, dict):
            errors.append(f"{trust_id}: {path.name} must be a mapping (trust, document, ...)")
            continue
        packs[trust_id] = pack_from_dict(raw, path)
    try:
        facts = (read_yaml(directory / "questions.yml") or {}).get("facts") or {}
    except (OSError, yaml.YAMLError) as exc:
        errors.append(f"questions.yml cannot be read: {exc}")
        facts = {}
    topics: set[str] = set()
    topics_path = directory / "follow_ups.yml"
    if topics_path.exists():
        try:
            raw_topics = (read_yaml(topics_path) or {}).get("topics") or []
            topics = {str(t.get("id")) for t in raw_topics if isinstance(t, dict) and t.get("id")}
        except (OSError, yaml.YAMLError, AttributeError) as exc:
            errors.append(f"follow_ups.yml cannot be read: {exc}")
    sources: dict[str, _Source] = {}
    for trust_id, pack in packs.items():
        source = _read_source(pack, errors)
        if source is not None:
            sources[trust_id] = source
    for pack in packs.values():
        errors.extend(_PackChecker(pack, packs, sources, facts, topics).run())
    return errors


def is_missing_playbook_error(error: str) -> bool:
    """True for the errors a pack gives before its playbooks are written."""
    return ": no playbook for " in error


# --------------------------------------------------------------------------- sources


def _read_source(pack: Pack, errors: list[str]) -> _Source | None:
    if not pack.document.source:
        errors.append(f"{pack.id}: document.source is empty: name the file in policies/sources/")
        return None
    if not pack.source_path.exists():
        errors.append(
            f"{pack.id}: document.source {pack.document.source} is not in policies/sources/: "
            "fix the file name"
        )
        return None
    style = importer.STYLES.get(pack.id)
    if style is None:
        errors.append(f"{pack.id}: the importer has no style for this Trust: add one")
        return None
    text = pack.source_path.read_text(encoding="utf-8")
    printed = " ".join(text.split())
    return _Source(
        key=importer.source_match_key(text, style),
        lower=printed.lower(),
        phones={_digits(m) for m in _find_phones(printed)},
    )


def _find_phones(text: str) -> Iterator[str]:
    for pattern in PHONE_PATTERNS:
        for m in pattern.finditer(text):
            yield m.group(0)


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    return "0" + digits[2:].lstrip("0") if digits.startswith("44") and len(digits) > 10 else digits


# --------------------------------------------------------------------------- one pack


class _PackChecker:
    def __init__(
        self,
        pack: Pack,
        packs: dict[str, Pack],
        sources: dict[str, _Source],
        facts: dict[str, Any],
        topics: set[str] | None = None,
    ) -> None:
        self.topics = topics or set()
        self.pack = pack
        self.packs = packs
        self.sources = sources
        self.source = sources.get(pack.id)
        self.facts = facts
        self.errors: list[str] = []
        self.label = pack.trust.short_name or pack.id.upper()

    def run(self) -> list[str]:
        self._check_trust()
        self._check_clauses()
        self._check_importer()
        self._check_document()
        self._check_playbooks()
        self._check_platform_reporting()
        self._check_contact_details()
        return self.errors

    def error(self, message: str) -> None:
        self.errors.append(f"{self.pack.id}: {message}")

    # ----------------------------------------------------------------- trust and clauses

    def _check_trust(self) -> None:
        raw_trust = self.pack.raw.get("trust")
        if not isinstance(raw_trust, dict) or not raw_trust.get("name"):
            self.error("trust needs id, name, short_name and aliases (see SCHEMA.md)")
        if self.pack.trust.id != self.pack.path.stem:
            self.error(
                f"trust.id is {self.pack.trust.id!r} but the file is {self.pack.path.name}: make them match"
            )

    def _check_clauses(self) -> None:
        seen: set[str] = set()
        for index, raw in enumerate(_as_list(self.pack.raw.get("clauses")), start=1):
            number = raw.get("number") if isinstance(raw, dict) else None
            if not isinstance(number, str):
                self.error(
                    f"clause {index} has number {number!r}: write it as a quoted string as the "
                    'body prints it, e.g. "4.10"'
                )
        for clause in self.pack.clauses:
            if clause.number in seen:
                self.error(f"clause {clause.number} appears twice: keep one")
            seen.add(clause.number)
            if self.source is None:
                continue
            if clause.text and importer.match_key(clause.text) not in self.source.key:
                self.error(
                    f"clause {clause.number} text is not verbatim in {self.pack.document.source}"
                    f"{_first_difference(clause.text, self.source.key)}: restore the source's "
                    f"words (python -m bot import-policy policies/sources/"
                    f"{self.pack.document.source} --trust {self.pack.id} --out "
                    f"policies/{self.pack.id}.yml)"
                )
            if clause.heading and importer.match_key(clause.heading) not in self.source.key:
                self.error(
                    f"clause {clause.number} heading {clause.heading!r} is not in "
                    f"{self.pack.document.source}: use the heading the body prints"
                )

    def _check_importer(self) -> None:
        if self.source is None:
            return
        style = importer.STYLES[self.pack.id]
        text = self.pack.source_path.read_text(encoding="utf-8")
        try:
            imported = {c.number: c.as_dict() for c in importer.import_clauses(text, style)}
        except importer.PolicyImportError as exc:
            self.error(f"the importer cannot read {self.pack.document.source}: {exc}")
            return
        committed = {c.number: c for c in self.pack.clauses}
        overrides = {(o.number, o.field): o for o in self.pack.clause_overrides}
        used: set[tuple[str, str]] = set()
        fix = (
            f"re-import (python -m bot import-policy policies/sources/{self.pack.document.source}"
            f" --trust {self.pack.id} --out policies/{self.pack.id}.yml) or add a "
            "clause_overrides entry with a reason"
        )

        def differs(number: str, field: str, what: str) -> None:
            if (number, field) in overrides:
                used.add((number, field))
            else:
                self.error(f"clause {number} {what}: {fix}")

        for number, fresh in imported.items():
            clause = committed.get(number)
            if clause is None:
                differs(number, "omitted", "is in the source but not in the pack")
                continue
            if clause.heading != fresh["heading"]:
                differs(
                    number,
                    "heading",
                    f"heading {clause.heading!r} differs from the importer's {fresh['heading']!r}",
                )
            if clause.text != fresh["text"]:
                differs(number, "text", "text differs from the importer's output")
        for number in committed:
            if number not in imported:
                differs(number, "added", "is in the pack but the importer finds no such clause")
        common = [n for n in committed if n in imported]
        if common != [n for n in imported if n in committed]:
            self.error(f"clauses are not in document order: {fix}")
        for (number, field), override in overrides.items():
            if field not in ("heading", "text", "omitted", "added"):
                self.error(
                    f"clause_overrides {number} has field {field!r}: use heading, text, omitted or added"
                )
            elif (number, field) not in used:
                self.error(
                    f"clause_overrides {number} {field} is stale: the committed clause matches "
                    "the importer now; remove the override"
                )
            if not override.reason.strip():
                self.error(f"clause_overrides {number} {field} has no reason: say why")

    # ----------------------------------------------------------------- document

    def _check_document(self) -> None:
        document = self.pack.document
        raw_doc = self.pack.raw.get("document")
        if not isinstance(raw_doc, dict):
            self.error("document is missing: add title, reference, version, ... (SCHEMA.md)")
            return
        for key in ("title", "reference", "version", "ratified", "review_due", "expires"):
            if key not in raw_doc:
                self.error(f"document.{key} is missing: write the printed value or null")
        for key in ("title", "reference", "version", "ratified", "review_due", "expires", "owner"):
            value = raw_doc.get(key)
            if value is None or self.source is None:
                continue
            if not _printed(str(value), self.source.lower):
                self.error(
                    f"document.{key} {value!r} is not printed in {document.source}: copy it as "
                    "printed, or null"
                )
        if document.review_due and parse_review_date(document.review_due) is None:
            self.error(
                f"document.review_due {document.review_due!r} is not a date the assistant can "
                "read: write it as printed, e.g. 'February 2027' or '20 March 2027'"
            )
        for index, contact in enumerate(document.contacts, start=1):
            where = f"document.contacts {index} ({contact.name})"
            if not contact.clause:
                self.error(f"{where} has no clause: say where the document prints it")
                continue
            clause = self._clause_or_error(contact.clause, where)
            if clause is None:
                continue
            for detail in (contact.email, contact.phone):
                if detail and not _prints(clause.text, detail):
                    self.error(
                        f"{where}: clause {clause.number} does not print {detail}: "
                        "give the clause that prints it, or remove the detail"
                    )
        system = document.incident_system
        if system is not None:
            where = f"document.incident_system {system.name}"
            clause = self._clause_or_error(system.clause, where)
            if clause is not None and system.name.lower() not in clause.text.lower():
                self.error(
                    f"{where}: clause {clause.number} does not name {system.name}: cite the clause that does"
                )

    # ----------------------------------------------------------------- playbooks

    def _check_platform_reporting(self) -> None:
        """Each platform's reporting route must be words the policy itself prints, in that clause."""
        routes = self.pack.raw.get("platform_reporting") or {}
        if not isinstance(routes, dict):
            self.error("platform_reporting must map platform ids to {clause, text}")
            return
        for platform, quote in routes.items():
            self._check_quote(f"platform_reporting.{platform}", quote)

    def _check_playbooks(self) -> None:
        raw_playbooks = self.pack.raw.get("playbooks")
        raw_playbooks = raw_playbooks if isinstance(raw_playbooks, dict) else {}
        for scenario in SCENARIO_IDS:
            if scenario not in raw_playbooks:
                self.error(
                    f"no playbook for {scenario}: add playbooks.{scenario} (covered: false, "
                    "with nearest and borrowed or general steps, where the policy is silent)"
                )
        for scenario, raw in raw_playbooks.items():
            if scenario not in SCENARIO_IDS:
                close = difflib.get_close_matches(str(scenario), SCENARIO_IDS, n=1)
                hint = f"did you mean {close[0]}?" if close else "use a scenario id"
                self.error(f"playbook {scenario} is not a scenario in SCENARIOS.md: {hint}")
                continue
            if not isinstance(raw, dict):
                self.error(f"playbook {scenario} must be a mapping (covered, summary, steps...)")
                continue
            self._check_playbook(str(scenario), raw)

    def _check_playbook(self, scenario: str, raw: dict[str, Any]) -> None:
        where = f"playbook {scenario}"
        playbook = self.pack.playbooks[scenario]
        covered = raw.get("covered")
        nearest = {normalise_number(n) for n in _as_list(raw.get("nearest"))}
        if not isinstance(covered, bool):
            self.error(f"{where} needs covered: true or covered: false")
        if not playbook.summary.strip():
            self.error(f"{where} has no summary: say in a sentence what the policy says")
        self._check_questions(scenario, raw)
        for section, text_key in (("steps", "do"), ("escalation", "contact"), ("dont", "do")):
            for index, item in enumerate(_as_list(raw.get(section)), start=1):
                label = f"{where} {_singular(section)} {index}"
                if not isinstance(item, dict) or not str(item.get(text_key) or "").strip():
                    self.error(f"{label} needs a {text_key}: say what to do")
                    continue
                self._check_step(label, item, covered is False and section == "steps", nearest)
        for index, number in enumerate(_as_list(raw.get("nearest")), start=1):
            self._check_number_type(f"{where} nearest {index}", number)
            self._clause_or_error(normalise_number(number), f"{where} nearest", verb="lists")
        if covered is True and raw.get("nearest"):
            self.error(f"{where} is covered: cite the clauses in its steps instead of nearest")
        if covered is True and not raw.get("steps"):
            self.error(f"{where} is covered but has no steps: add the steps the policy gives")
        for index, quote in enumerate(_as_list(raw.get("quotes")), start=1):
            self._check_quote(f"{where} quote {index}", quote)
        self._check_follow_ups(scenario, raw)
        self._check_wording(scenario, raw)
        self._check_borrowed_share(scenario, raw)
        self._check_asked_facts_used(scenario, raw)

    # ----------------------------------------------------------------- wording rules

    def _items(self, raw: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str]]:
        """(label, item, text) for every step, escalation, don't and follow-up of a playbook."""
        for section, text_key in (
            ("steps", "do"),
            ("escalation", "contact"),
            ("dont", "do"),
            ("follow_ups", "answer"),
        ):
            for index, item in enumerate(_as_list(raw.get(section)), start=1):
                if isinstance(item, dict):
                    yield f"{_singular(section)} {index}", item, str(item.get(text_key) or "")

    def _check_wording(self, scenario: str, raw: dict[str, Any]) -> None:
        where = f"playbook {scenario}"
        for label, item, text in self._items(raw):
            if PUBLIC_ONLY_WORDING.search(text) and not self._conditioned_on_not_patient(item):
                names = [f for f, spec in self.facts.items() if _not_patient_values(spec)]
                hint = (
                    f"when: {{{names[0]}: {_not_patient_values(self.facts[names[0]])[0]}}}"
                    if names
                    else ("a when on a fact whose answer is marked not_patient: true in questions.yml")
                )
                self.error(
                    f"{where} {label} warns of exclusion or a police report, which the policy says "
                    f"of the public, not patients (an in-patient or detained patient cannot be "
                    f"excluded): add {hint}, or give the patient route instead"
                )
            self._check_modal(f"{where} {label}", item, text)
            self._check_contact_route(f"{where} {label}", item, text)

    def _conditioned_on_not_patient(self, item: dict[str, Any]) -> bool:
        when = item.get("when")
        if not isinstance(when, dict):
            return False
        for fact, wanted in when.items():
            allowed = _not_patient_values(self.facts.get(fact) or {})
            values = wanted if isinstance(wanted, list) else [wanted]
            if allowed and values and all(v in allowed for v in values):
                return True
        return False

    def _cited_texts(self, item: dict[str, Any]) -> list[str]:
        """The text of every clause the item rests on: its own cites, or the lender's clause."""
        texts = [
            self.pack.clause(normalise_number(n)).text
            for n in _as_list(item.get("cites"))
            if self.pack.has_clause(normalise_number(n))
        ]
        borrowed = item.get("borrowed_from")
        if isinstance(borrowed, dict):
            lender = self.packs.get(str(borrowed.get("trust")))
            number = normalise_number(borrowed.get("clause") or "")
            if lender is not None and lender.has_clause(number):
                texts.append(lender.clause(number).text)
        return texts

    def _check_modal(self, label: str, item: dict[str, Any], text: str) -> None:
        texts = self._cited_texts(item)
        if not texts:
            return  # general: true claims nothing for any policy
        clauses = ", ".join(_as_list(item.get("cites"))) or "the borrowed clause"
        if MUST_NOT.search(text):
            if not any(SUPPORTS_MUST_NOT.search(t) for t in texts):
                self.error(
                    f"{label} says 'must not' but {clauses} says neither 'must not' nor 'not "
                    "permitted': use the clause's own verb (should not, do not, avoid) or cite "
                    "the clause that says must not"
                )
        elif MUST.search(text) and not any(SUPPORTS_MUST.search(t) for t in texts):
            self.error(
                f"{label} says 'must' but {clauses} never says 'must': use the clause's own "
                "verb (should, may) or cite the clause that says must"
            )

    def _check_contact_route(self, label: str, item: dict[str, Any], text: str) -> None:
        """This Trust's contact details only on routes its policy prints them for."""
        own_texts = [
            self.pack.clause(normalise_number(n)).text
            for n in _as_list(item.get("cites"))
            if self.pack.has_clause(normalise_number(n))
        ]
        details: list[tuple[str, str]] = []
        for contact in self.pack.document.contacts:
            for detail in (contact.email, contact.phone):
                if detail:
                    details.append((contact.name, detail))
        for name, detail in details:
            found = (
                detail.lower() in text.lower()
                if "@" in detail
                else any(_digits(detail) == _digits(p) for p in _find_phones(text))
            )
            if found and not any(_prints(t, detail) for t in own_texts):
                where = next(
                    (c.clause for c in self.pack.document.contacts if detail in (c.email, c.phone)), "?"
                )
                self.error(
                    f"{label} gives {name} ({detail}) on a route {self.label}'s policy does not "
                    f"print it for (it is printed in {where}): remove it, or cite the clause that "
                    "gives it for this purpose"
                )

    def _check_borrowed_share(self, scenario: str, raw: dict[str, Any]) -> None:
        where = f"playbook {scenario}"
        steps = [s for s in _as_list(raw.get("steps")) if isinstance(s, dict)]
        lent = [s for s in steps if s.get("borrowed_from") is not None or s.get("general") is True]
        if raw.get("covered") is True and steps and len(lent) * 2 > len(steps):
            self.error(
                f"{where} is covered: true but {len(lent)} of its {len(steps)} steps are borrowed "
                f"or general: make it covered: false with nearest, so the answer is headed "
                f"'{self.label}'s policy does not cover this'"
            )
        summary = str(raw.get("summary") or "")
        if raw.get("covered") is False and summary and not SAYS_NOT_COVERED.search(summary):
            self.error(
                f"{where} is covered: false but its summary does not say so: begin it with "
                f"'{self.label}'s policy does not cover ...' so it matches the heading"
            )

    def _check_asked_facts_used(self, scenario: str, raw: dict[str, Any]) -> None:
        used = {
            str(fact)
            for _label, item, _text in self._items(raw)
            if isinstance(item.get("when"), dict)
            for fact in item["when"]
        }
        for fact in _as_list(raw.get("questions")):
            if str(fact) not in used:
                self.error(
                    f"playbook {scenario} asks {fact!r} but no step, escalation, don't or "
                    f"follow-up has a when on it: the answer must change something, or stop asking"
                )

    # ----------------------------------------------------------------- follow-ups

    def _check_follow_ups(self, scenario: str, raw: dict[str, Any]) -> None:
        where = f"playbook {scenario}"
        seen: set[str] = set()
        for index, item in enumerate(_as_list(raw.get("follow_ups")), start=1):
            label = f"{where} follow_up {index}"
            if not isinstance(item, dict) or not str(item.get("answer") or "").strip():
                self.error(f"{label} needs a topic and an answer")
                continue
            topic = str(item.get("topic") or "")
            if topic not in self.topics:
                close = difflib.get_close_matches(topic, sorted(self.topics), n=1)
                hint = f"did you mean {close[0]}?" if close else "add it to policies/follow_ups.yml"
                self.error(f"{label} has topic {topic!r}, which is not in follow_ups.yml: {hint}")
            elif topic in seen:
                self.error(f"{label} answers {topic} twice: keep one answer per topic")
            seen.add(topic)
            silent = item.get("silent")
            if silent is not None and not isinstance(silent, bool):
                self.error(f"{label} silent must be true or false")
            if silent is True:
                if item.get("cites"):
                    self.error(
                        f"{label} is silent: true but cites this Trust's clauses: either the policy "
                        "speaks to it (silent: false) or the answer is borrowed or general"
                    )
                if not SAYS_SILENT.search(str(item["answer"])):
                    self.error(
                        f"{label} is silent: true: say plainly that {self.label}'s policy does "
                        "not say, then label anything borrowed or general"
                    )
            label_for_step = f"{label} ({topic})"
            self._check_step(label_for_step, {**item, "do": item["answer"]}, silent is True)
            for q_index, quote in enumerate(_as_list(item.get("quotes")), start=1):
                self._check_quote(f"{label} quote {q_index}", quote)

    def _check_questions(self, scenario: str, raw: dict[str, Any]) -> None:
        where = f"playbook {scenario}"
        questions = _as_list(raw.get("questions"))
        limit = MAX_QUESTIONS[scenario]
        if len(questions) > limit:
            self.error(
                f"{where} asks {len(questions)} questions; {scenario} may ask at most {limit}: "
                "keep the ones the policy's steps branch on"
            )
        if len(set(map(str, questions))) != len(questions):
            self.error(f"{where} asks the same question twice: list each fact once")
        for fact in questions:
            if fact not in self.facts:
                self.error(
                    f"{where} asks {fact!r}, which is not a fact in questions.yml: use one of "
                    f"{', '.join(self.facts)} or add it there"
                )

    def _check_step(
        self, label: str, item: dict[str, Any], silent: bool, nearest: set[str] | None = None
    ) -> None:
        cites = _as_list(item.get("cites"))
        for number in cites:
            self._check_number_type(f"{label} cites", number)
            self._clause_or_error(normalise_number(number), label)
        borrowed = item.get("borrowed_from")
        general = item.get("general") is True
        if borrowed is not None:
            self._check_borrowed(label, borrowed)
        own_nearest = bool(cites) and all(normalise_number(n) in (nearest or set()) for n in cites)
        if silent and borrowed is None and not general and not own_nearest:
            self.error(
                f"{label} is in a playbook with covered: false, so it must be borrowed "
                "(borrowed_from: {trust, clause}), marked general: true, or cite only the "
                "playbook's nearest clauses"
            )
        if not silent and not cites and borrowed is None and not general and "do" in item:
            self.error(f"{label} cites no clause: cite the clause it comes from, or mark it general: true")
        when = item.get("when")
        if when is None:
            return
        if not isinstance(when, dict):
            self.error(f"{label} when must be a mapping of fact: value")
            return
        for fact, value in when.items():
            spec = self.facts.get(fact)
            if spec is None:
                self.error(
                    f"{label} when names {fact!r}, which is not a fact in questions.yml: use "
                    f"one of {', '.join(self.facts)}"
                )
                continue
            options = [o.get("value") for o in spec.get("options") or [] if isinstance(o, dict)]
            for wanted in value if isinstance(value, list) else [value]:
                if not any(type(wanted) is type(o) and wanted == o for o in options):
                    self.error(
                        f"{label} when {fact}: {wanted!r} is not an answer to {fact}: use one "
                        f"of {', '.join(yaml.safe_dump(o).split(chr(10))[0] for o in options)}"
                    )

    def _check_borrowed(self, label: str, borrowed: Any) -> None:
        if not isinstance(borrowed, dict) or not borrowed.get("trust") or "clause" not in borrowed:
            self.error(f"{label} borrowed_from needs trust and clause")
            return
        lender_id = str(borrowed["trust"])
        self._check_number_type(f"{label} borrowed_from clause", borrowed["clause"])
        number = normalise_number(borrowed["clause"])
        if lender_id == self.pack.id:
            self.error(f"{label} borrows from its own Trust: cite {number} instead")
            return
        lender = self.packs.get(lender_id)
        if lender is None:
            self.error(
                f"{label} borrows from {lender_id!r}, which is not a pack: use one of "
                f"{', '.join(t for t in self.packs if t != self.pack.id)}"
            )
            return
        if not lender.has_clause(number):
            self.error(
                f"{label} borrows {lender_id} {number}, which is not a clause of "
                f"{lender.trust.short_name}'s policy: {_suggest(number, lender)}"
            )

    def _check_quote(self, label: str, quote: Any) -> None:
        if not isinstance(quote, dict) or not quote.get("text") or "clause" not in quote:
            self.error(f"{label} needs clause and text")
            return
        self._check_number_type(f"{label} clause", quote["clause"])
        text = str(quote["text"])
        words = len(text.split())
        if words > MAX_QUOTE_WORDS:
            self.error(f"{label} is {words} words: keep quotes to {MAX_QUOTE_WORDS} or fewer")
        clause = self._clause_or_error(normalise_number(quote["clause"]), label, verb="quotes")
        if clause is None:
            return
        key = importer.match_key(text)
        if key in importer.match_key(clause.text):
            return
        holders = [c.number for c in self.pack.clauses if key in importer.match_key(c.text)]
        if holders:
            self.error(
                f"{label} is not in clause {clause.number} but in {', '.join(holders)}: "
                "cite the clause it comes from"
            )
        else:
            self.error(
                f"{label} is not verbatim in clause {clause.number}"
                f"{_first_difference(text, importer.match_key(clause.text))}: copy the words "
                "exactly as printed (spelling and punctuation included)"
            )

    # ----------------------------------------------------------------- contact details

    def _check_contact_details(self) -> None:
        if self.source is None:
            return
        own = [self.source]
        raw_doc = self.pack.raw.get("document")
        if isinstance(raw_doc, dict):
            for path, text in _strings({k: v for k, v in raw_doc.items() if k != "source"}, "document"):
                self._check_text_details(path, text, own, None)
        raw_playbooks = self.pack.raw.get("playbooks")
        if not isinstance(raw_playbooks, dict):
            return
        for scenario, raw in raw_playbooks.items():
            if not isinstance(raw, dict):
                continue
            for key, value in raw.items():
                if key in ("steps", "escalation", "dont", "follow_ups"):
                    for index, item in enumerate(_as_list(value), start=1):
                        label = f"playbook {scenario} {_singular(key)} {index}"
                        allowed = list(own)
                        lender = _lender(item)
                        if lender and lender in self.sources:
                            allowed.append(self.sources[lender])
                        for _path, text in _strings(item, label):
                            self._check_text_details(label, text, allowed, lender)
                else:
                    for path, text in _strings(value, f"playbook {scenario} {key}"):
                        self._check_text_details(path, text, own, None)

    def _check_text_details(self, label: str, text: str, allowed: list[_Source], lender: str | None) -> None:
        printed_by = f"{self.label}'s policy" + (f" or {lender}'s" if lender else "")
        for phone in _find_phones(text):
            if not any(_digits(phone) in s.phones for s in allowed):
                self.error(
                    f"{label} gives the phone number {phone}, which {printed_by} does not print: "
                    "remove it or name the role to contact instead"
                )
        for m in EMAIL_PATTERN.finditer(text):
            if not any(m.group(0).lower() in s.lower for s in allowed):
                self.error(
                    f"{label} gives the email {m.group(0)}, which {printed_by} does not print: "
                    "remove it or use an address the policy prints"
                )
        for name, pattern in NAMED_SYSTEMS:
            for m in pattern.finditer(text):
                spelled = " ".join(m.group(0).split()).lower()
                if any(spelled in s.lower for s in allowed):
                    continue
                own_route = self.pack.document.incident_system
                hint = (
                    f"use {own_route.name} ({own_route.clause}), which it prints"
                    if own_route and _printed(own_route.name, self.source.lower)
                    else "say 'your Trust's incident reporting process' instead"
                )
                self.error(
                    f"{label} names {name} ({m.group(0)!r}), which {printed_by} does not print: {hint}"
                )

    # ----------------------------------------------------------------- helpers

    def _clause_or_error(self, number: str, where: str, verb: str = "cites"):
        if self.pack.has_clause(number):
            return self.pack.clause(number)
        self.error(
            f"{where} {verb} {number}, which is not a clause of {self.label}'s policy: "
            f"{_suggest(number, self.pack)}"
        )
        return None

    def _check_number_type(self, where: str, number: Any) -> None:
        if not isinstance(number, str):
            self.error(f'{where} {number!r} is not quoted: write "{number}" (YAML reads 4.10 as 4.1)')


def _suggest(number: str, pack: Pack) -> str:
    """The two clauses nearest a wrong number (its siblings first), in document order."""
    numbers = pack.clause_numbers()
    parent, _, last = number.rpartition(".") if "." in number else number.rpartition(" ")
    siblings = [
        n
        for n in numbers
        if n != number
        and (n.rpartition(".") if "." in n else n.rpartition(" "))[0] == parent
        and (n.rpartition(".") if "." in n else n.rpartition(" "))[2].isdigit()
    ]
    if parent and last.isdigit() and siblings:

        def distance(n: str) -> int:
            tail = (n.rpartition(".") if "." in n else n.rpartition(" "))[2]
            return abs(int(tail) - int(last))

        close = sorted(siblings, key=distance)[:2]
    else:
        close = difflib.get_close_matches(number, numbers, n=2, cutoff=0.5)
    if not close:
        return "check the number against the source"
    close.sort(key=numbers.index)
    return f"cite {'one of ' if len(close) > 1 else ''}{', '.join(close)} or fix the number"


def _printed(value: str, printed_lower: str) -> bool:
    """Whether ``value`` is printed as a whole (not "soon" inside "sooner")."""
    words = re.escape(" ".join(value.split()).lower())
    return re.search(rf"(?<!\w){words}(?!\w)", printed_lower) is not None


def _prints(text: str, detail: str) -> bool:
    if "@" in detail:
        return detail.lower() in text.lower()
    return any(_digits(detail) == _digits(p) for p in _find_phones(text))


def _first_difference(text: str, source_key: str) -> str:
    """Where a passage stops matching: the first words of it that the source does not have."""
    words = importer.match_key(text).split(" ")
    low, high = 0, len(words)
    while low < high:
        mid = (low + high + 1) // 2
        if " ".join(words[:mid]) in source_key:
            low = mid
        else:
            high = mid - 1
    if low >= len(words):
        return ""
    snippet = " ".join(words[max(0, low - 3) : low + 3])
    return f" (it departs from the source at {snippet!r})"


def _lender(item: Any) -> str | None:
    if isinstance(item, dict) and isinstance(item.get("borrowed_from"), dict):
        trust = item["borrowed_from"].get("trust")
        return str(trust) if trust else None
    return None


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{path} {key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value, start=1):
            yield from _strings(inner, f"{path} {index}")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _singular(section: str) -> str:
    return {"steps": "step", "escalation": "escalation", "dont": "dont", "follow_ups": "follow_up"}.get(
        section, section
    )


def _not_patient_values(spec: dict[str, Any]) -> list[Any]:
    """The answers to a fact that say the person is not a patient (``not_patient: true``)."""
    return [
        o.get("value")
        for o in spec.get("options") or []
        if isinstance(o, dict) and o.get("not_patient") is True
    ]
