"""Replies that are not a scenario's steps: free questions, clauses, help, Trusts, "did you mean"."""

from __future__ import annotations

import json
import re

from bot.guidance import core_scenarios, scenario_titles
from bot.policy.packs import SCENARIO_IDS, TRUST_IDS, Clause, Pack, load_pack
from bot.render import (
    Message,
    display_text,
    policy_source_line,
    render_clause,
    topic_buttons,
    trust_label,
)

EXCERPT_WORDS = 60
SECOND_RESULT_SHARE = 0.6  # show a second clause only if it scores this close to the best
_APPENDIX = re.compile(r"\bappendix\s+([0-9]+|[a-z])\b", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,2}){0,2})(?![\d])")


def clause_numbers_in(text: str) -> list[str]:
    """Clause numbers a user typed: "8.4", "section 6", "appendix 6", "Appendix A"."""
    found = [f"Appendix {m.group(1).upper()}" for m in _APPENDIX.finditer(text)]
    without_appendix = _APPENDIX.sub(" ", text)
    found += [m.group(1) for m in _NUMBER.finditer(without_appendix)]
    return found


def find_clause(pack: Pack, number: str) -> Clause | None:
    """The clause for what the user typed; "6" also finds LPT's "6.0"."""
    for candidate in (number, f"{number}.0"):
        if pack.has_clause(candidate):
            return pack.clause(candidate)
    return None


def clause_reply(pack: Pack, text: str) -> Message:
    numbers = clause_numbers_in(text)
    if not numbers:
        return {
            "text": f"Which clause of {trust_label(pack)}'s policy? For example \"show clause "
            f'{pack.clauses[min(5, len(pack.clauses) - 1)].number}".'
        }
    clause = find_clause(pack, numbers[0])
    if clause is None:
        # Never repeat the number: what was typed may be a date of birth or part of an NHS
        # number ("show clause 12.03.1950" once stored "no clause 12.03", review S3).
        return {
            "text": f"{trust_label(pack)}'s policy has no clause with that number. Its numbered "
            f"sections run from {pack.clauses[0].number} to {pack.clauses[-1].number}."
        }
    return render_clause(pack, clause)


_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")
_WORD = re.compile(r"[a-z0-9]+")


def _stems(text: str) -> set[str]:
    """Crude stems, enough to match "filmed" with "filming" inside one clause."""
    stems = set()
    for word in _WORD.findall(text.lower()):
        for suffix in ("ing", "ed", "es", "s"):
            if len(word) > len(suffix) + 2 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
        if len(word) > 2:
            stems.add(word)
    return stems


def excerpt(text: str, query: str = "", words: int = EXCERPT_WORDS) -> tuple[str, bool]:
    """The sentences of a clause that best match the question, still verbatim, at most ~60 words.

    Returns the passage and whether it is only part of the clause. A long clause is cut at
    sentence boundaries around the sentence that shares most words with the question, so
    "can I use TikTok for work?" quotes the TikTok sentence, not the clause's opening.
    """
    text = " ".join(display_text(text).split())  # the words without the source's markup
    if len(text.split()) <= words:
        return text, False
    sentences = _SENTENCE_END.split(text)
    wanted = _stems(query)
    best = max(range(len(sentences)), key=lambda i: (len(_stems(sentences[i]) & wanted), -i))
    start = end = best
    while end + 1 < len(sentences) and len(" ".join(sentences[start : end + 2]).split()) <= words:
        end += 1
    passage = " ".join(sentences[start : end + 1])
    if len(passage.split()) > words:
        passage = " ".join(passage.split()[:words])
    return passage, True


def clause_matches(pack: Pack, question: str) -> list:
    """(clause, score) for the one or two clauses that match a question, best first."""
    from bot.policy.store import search_clauses  # built on first use, not at import

    results = [(clause, score) for clause, score in search_clauses(pack.id, question, limit=2) if score > 0]
    if len(results) == 2 and results[1][1] < SECOND_RESULT_SHARE * results[0][1]:
        results = results[:1]  # a weak second match is noise, not help
    return results


def answer_question(pack: Pack, question: str, results: list | None = None) -> Message:
    """The one or two clauses of this Trust's policy that best answer a free question.

    ``results``: the caller's ``clause_matches`` for this question, so it is searched once.
    """
    results = clause_matches(pack, question) if results is None else results
    short = trust_label(pack)
    if not results:
        return {"text": f"I couldn't find anything in {short}'s policy about that. {who_to_ask(pack)}"}
    lines = [f"Here's what {short}'s policy says:"]
    for clause, _score in results:
        text, cut = excerpt(clause.text, question)
        more = f' (part of it: say "show clause {clause.number}" for all of it)' if cut else ""
        lines.append(f"> **{clause.title}**: “{text}”{more}")
    lines.append(f"Source: {policy_source_line(pack)}.")
    return {"text": "\n\n".join(lines)}


def who_to_ask(pack: Pack) -> str:
    """Who to ask when the policy is silent: the contacts the document itself prints."""
    contacts = [c for c in pack.document.contacts if c.email or c.phone]
    if contacts:
        contact = contacts[0]
        how = contact.email or contact.phone
        return f"Ask your line manager, or {contact.name} ({how})."
    return "Ask your line manager or your communications team."


def help_message(pack: Pack) -> Message:
    core = core_scenarios()
    further = [s for s in SCENARIO_IDS if s not in core and s != "urgent_danger"]
    buttons = topic_buttons(core + further)
    buttons += [
        {"title": "New starter tour", "payload": "/start_induction"},
        {"title": "Quiz me", "payload": "/start_quiz"},
    ]
    return {
        "text": (
            f"I tell you what {trust_label(pack)}'s social media policy says to do, step by step, "
            "with the clause to point to. Tell me what's happened in your own words, ask a "
            "question about the policy, or pick a topic. If anyone is in danger right now, "
            "call 999 and security first."
        ),
        "buttons": buttons,
        "prompt": "Pick a topic, or just tell me what's happened:",
    }


def trust_choice() -> Message:
    buttons = []
    for trust_id in TRUST_IDS:
        pack = load_pack(trust_id)
        payload = "/choose_trust" + json.dumps({"trust": trust_id}, separators=(",", ":"))
        buttons.append({"title": pack.trust.name, "payload": payload})
    buttons.append({"title": "Another Trust", "payload": '/choose_trust{"trust":"other"}'})
    return {"text": "Which Trust do you work for?", "buttons": buttons}


def other_trust(deployment_pack: Pack) -> Message:
    """For someone whose Trust has no pack here: say so, and whose policy answers stand in."""
    known = ", ".join(trust_label(load_pack(t)) for t in TRUST_IDS)
    return {
        "text": f"I only have the policies of {known}. I'll answer from "
        f"{trust_label(deployment_pack)}'s policy as general guidance: check your own Trust's "
        "social media policy, or ask your manager, before you act on it. You can change this any "
        'time: say "change my Trust".'
    }


def did_you_mean(ranked_intents: list[str | None]) -> Message:
    likely = [i for i in ranked_intents if i in SCENARIO_IDS][:2]
    titles = scenario_titles()
    buttons = [{"title": titles[s]["title"], "payload": f"/{s}"} for s in likely]
    buttons.append({"title": "Something else", "payload": "/help"})
    return {"text": "I'm not sure I understood. Did you mean one of these?", "buttons": buttons}
