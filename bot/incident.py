"""The incident summary and the "why?" explanation, both built only from pack content and slots.

The summary is what a member of staff pastes into their Trust's incident system. It is built
from the scenario and the yes/no facts, never from what the user typed, so it carries no patient
names or numbers: the user adds identifiers in the incident system itself, which is where they
belong.
"""

from __future__ import annotations

from datetime import date

from bot.answers import excerpt
from bot.follow_ups import scoped_clause
from bot.guidance import Guidance, scenario_titles
from bot.policy.packs import Pack
from bot.render import escalation_chain, fact_phrase, policy_source_line, quote_line, step_line, trust_label


def incident_summary(guidance: Guidance, today: date | None = None) -> str:
    pack = guidance.pack
    today = today or date.today()
    system = pack.document.incident_system
    heading = "**Incident summary**"
    if system:
        heading += (
            f" (for {trust_label(pack)}'s incident reporting; its policy names "
            f"{system.name}, {system.clause})"
        )
    lines = [heading]
    what = scenario_titles()[guidance.scenario]["title"]
    facts = [
        fact_phrase(fact, guidance.facts[fact])
        for fact in guidance.playbook.questions
        if guidance.facts.get(fact) is not None and fact not in guidance.assumed
    ]
    lines.append("What happened: " + "; ".join([what, *facts]) + ".")
    if guidance.assumed:
        lines.append(
            "Not known at the time (safer case assumed): "
            + "; ".join(fact_phrase(f, guidance.facts[f]) for f in guidance.assumed)
            + "."
        )
    lines.append("Steps advised:")
    lines.extend(f"{n}. {step_line(step)}" for n, step in enumerate(guidance.steps, start=1))
    if guidance.escalation:
        lines.append("Escalation: " + escalation_chain(guidance))
    cited = ", ".join(pack.clause(n).title for n in guidance.cited_numbers if pack.has_clause(n))
    lines.append(f"Policy: {policy_source_line(pack)}.")
    lines.append(f"Clauses cited: {cited if cited else 'none (the policy does not cover this)'}.")
    lines.append(
        f"Advice from the social media policy assistant on {today.strftime('%d %B %Y')}. "
        "No names or identifiers are included: add them only in the incident system."
    )
    return "\n\n".join(lines)


#: Longer than this (characters), "why?" quotes the playbook's verbatim extract, not the clause.
WHOLE_CLAUSE_UP_TO = 700


def why_text(pack: Pack, scenario: str, question: str = "") -> str:
    """The reason the policy gives, then the main clause (in full when it is short), in its own words.

    "Why is that? there's no names on them" asks about one point: the clause of this situation
    that point is in is quoted, rather than the situation's main clause.
    """
    playbook = pack.playbook(scenario)
    if playbook is None:
        return "I don't have that Trust's guidance for this yet."
    short = trust_label(pack)
    lines = []
    if playbook.why:
        lines.append(f"**Why:** {playbook.why.strip()}")
    if not playbook.covered:
        lines.append(
            f"{short}'s policy does not cover this, so the steps are the most careful course, "
            "each labelled with where it comes from."
        )
    asked = scoped_clause(pack, playbook, question) if question else None
    if asked is not None:
        text, cut = excerpt(asked.text, question)
        lines.append(f"In {short}'s policy's own words:")
        lines.append(quote_line(asked, text))
        if cut:
            lines.append(f'Say "show clause {asked.number}" for the whole clause.')
        return "\n\n".join(lines)
    main = next((q for q in playbook.quotes if pack.has_clause(q.clause)), None)
    if main:
        clause = pack.clause(main.clause)
        if len(clause.text) <= WHOLE_CLAUSE_UP_TO:
            lines.append(f"The clause in full, from {short}'s policy:")
            lines.append(quote_line(clause, None))
        else:  # a page-long clause buries the reason: the words that give it, and how to see all
            lines.append(f"In {short}'s policy's own words:")
            lines.append(quote_line(clause, main.text))
            lines.append(f'Say "show clause {clause.number}" for the whole clause.')
    return "\n\n".join(lines) or f"{short}'s policy gives no reason for this."
