"""Given a Trust, a scenario and the facts gathered: the steps, who to tell, and the clauses.

This is the assistant's core decision, kept free of Rasa so it can be tested directly for every
Trust and every combination of answers. Everything it returns comes from the Trust's pack
(``policies/<trust>.yml``) or, for safety lines no Trust prints (999), from
``policies/safety.yml``, labelled as such.

Unknown facts are never guessed from nothing: a fact the user did not give, or was not sure of,
takes the *safer* value from ``policies/questions.yml``, and the reply says which were assumed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.policy.packs import (
    DEFAULT_POLICIES_DIR,
    TRUST_IDS,
    Clause,
    Pack,
    Playbook,
    Quote,
    Step,
    load_pack,
    load_questions,
)

DEFAULT_TRUST = "lpt"
#: Scenarios where someone may be at risk now: the reply opens with 999 / security unless the
#: user has said nobody is in immediate danger.
DANGER_FIRST_SCENARIOS = ("urgent_danger", "crisis_online", "filming_on_premises")


def deployment_trust() -> str:
    """The Trust this deployment serves (``BOT_TRUST``), used until the user names another."""
    trust = (os.environ.get("BOT_TRUST") or DEFAULT_TRUST).strip().lower()
    return trust if trust in TRUST_IDS else DEFAULT_TRUST


def resolve_trust(*candidates: Any) -> str:
    """The first candidate that is a known Trust id, else the deployment's Trust."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.lower() in TRUST_IDS:
            return candidate.lower()
    return deployment_trust()


@cache
def _read(name: str, policies_dir: Path = DEFAULT_POLICIES_DIR) -> Any:
    return yaml.safe_load((policies_dir / name).read_text(encoding="utf-8"))


def safety_lines() -> dict[str, Any]:
    """The assistant's own safety lines (policies/safety.yml)."""
    return _read("safety.yml")


def scenario_titles() -> dict[str, dict[str, str]]:
    """Scenario id -> {title, button}, from policies/scenarios.yml."""
    return _read("scenarios.yml")["scenarios"]


def core_scenarios() -> list[str]:
    return list(_read("scenarios.yml")["core"])


def safer_value(fact: str) -> Any:
    """What to assume for a fact the user could not answer."""
    return load_questions()[fact]["safer"]


def questions_to_ask(pack: Pack, scenario: str, facts: dict[str, Any]) -> list[str]:
    """The facts this Trust's policy branches on for the scenario, that are still unknown."""
    playbook = pack.playbook(scenario)
    if playbook is None:
        return []
    return [fact for fact in playbook.questions if facts.get(fact) is None]


@dataclass
class Citation:
    clause: Clause
    quote: str | None = None


@dataclass
class Guidance:
    """What to tell the user, in order, with the evidence for each part."""

    pack: Pack
    scenario: str
    playbook: Playbook
    facts: dict[str, Any]
    assumed: list[str]
    steps: list[Step]
    escalation: list[Step]
    dont: list[Step]
    citations: list[Citation]
    nearest: list[Clause]
    immediate_danger: bool
    review_status: str
    safety: list[str] = field(default_factory=list)
    #: The platform's own reporting route, where this Trust's policy points to one.
    platform_route: tuple[str, Quote] | None = None

    @property
    def covered(self) -> bool:
        return self.playbook.covered

    @property
    def cited_numbers(self) -> list[str]:
        """Every clause number the answer relies on, in first-cited order, without repeats."""
        seen: list[str] = []
        for step in [*self.steps, *self.escalation, *self.dont]:
            for number in step.cites:
                if number not in seen:
                    seen.append(number)
        for citation in self.citations:
            if citation.clause.number not in seen:
                seen.append(citation.clause.number)
        return seen


def _matches(when: dict[str, Any], facts: dict[str, Any]) -> bool:
    """A step applies when every fact it names has (one of) the listed value(s)."""
    for fact, wanted in when.items():
        value = facts.get(fact)
        if value is None:
            value = safer_value(fact)
        options = wanted if isinstance(wanted, list) else [wanted]
        if value not in options:
            return False
    return True


def _applicable(steps: tuple[Step, ...], facts: dict[str, Any]) -> list[Step]:
    return [step for step in steps if _matches(step.when or {}, facts)]


def applies(item: Any, facts: dict[str, Any]) -> bool:
    """A step, don't or follow-up with a ``when`` holds only for the facts it names."""
    return _matches(getattr(item, "when", None) or {}, facts)


def _quote_citations(pack: Pack, quotes: tuple[Quote, ...]) -> list[Citation]:
    return [Citation(pack.clause(q.clause), q.text) for q in quotes if pack.has_clause(q.clause)]


def guidance_for(
    trust_id: str,
    scenario: str,
    facts: dict[str, Any] | None = None,
    assumed: list[str] | None = None,
    today: date | None = None,
    platform: str | None = None,
) -> Guidance:
    """The ordered answer for this Trust, scenario and facts (unknown facts taken as the safer)."""
    pack = load_pack(trust_id)
    playbook = pack.playbook(scenario)
    if playbook is None:
        raise KeyError(f"{pack.id} has no playbook for {scenario}")
    facts = dict(facts or {})
    assumed = list(assumed or [])
    for fact in playbook.questions:
        if facts.get(fact) is None:
            facts[fact] = safer_value(fact)
            if fact not in assumed:
                assumed.append(fact)
    danger = facts.get("immediate_danger") is True or (
        scenario in DANGER_FIRST_SCENARIOS and facts.get("immediate_danger") is not False
    )
    safety = safety_lines()
    lines: list[str] = []
    if danger:
        lines.append(safety["immediate_danger"])
    if scenario == "abuse_image":
        lines.extend(safety["abuse_image"])
    return Guidance(
        pack=pack,
        scenario=scenario,
        playbook=playbook,
        facts=facts,
        assumed=assumed,
        steps=_applicable(playbook.steps, facts),
        escalation=_applicable(playbook.escalation, facts),
        dont=_applicable(playbook.dont, facts),
        citations=_quote_citations(pack, playbook.quotes),
        nearest=[pack.clause(n) for n in playbook.nearest if pack.has_clause(n)],
        immediate_danger=danger,
        review_status=pack.review_status(today),
        safety=lines,
        platform_route=_platform_route(pack, scenario, platform),
    )


#: Scenarios where a post or message may need reporting to the platform itself.
REPORTABLE_SCENARIOS = ("online_abuse", "recorded_by_patient", "colleague_post", "crisis_online")


def _platform_route(pack: Pack, scenario: str, platform: str | None) -> tuple[str, Quote] | None:
    route = pack.platform_reporting.get(platform or "")
    if route is None or scenario not in REPORTABLE_SCENARIOS or not pack.has_clause(route.clause):
        return None
    return platform, route
