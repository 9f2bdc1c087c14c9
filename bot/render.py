"""Turn guidance into what the user reads: plain text with light Markdown, plus buttons.

Every channel (terminal, REST, Teams) gets the same content from here; channels only change how
buttons are drawn. Replies are built only from packs, questions and slots, never from the words
the user typed, so a patient's name or NHS number can never be echoed back.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bot.guidance import Guidance, scenario_titles
from bot.policy.packs import Clause, Pack, Step, load_pack, load_questions

Message = dict[str, Any]  # text, buttons, and "prompt": the short line buttons go under
PLATFORM_NAMES = {"x": "X (Twitter)", "linkedin": "LinkedIn", "tiktok": "TikTok", "youtube": "YouTube"}

REVIEW_NOTES = {
    "overdue": (
        "⚠️ {short}'s policy was due for review {due} and is overdue. Check with your line "
        "manager that it is still the version in force."
    ),
    "no_date": (
        "⚠️ {short}'s policy prints no version, approval or review date, so I can't tell whether "
        "it is current. Check with your line manager."
    ),
    "due_soon": "Note: {short}'s policy is due for review {due}.",
    "current": "",
}


# --------------------------------------------------------------------------- verbatim text for display

#: ``<https://...>`` autolinks the source prints around addresses: keep the address.
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>", re.IGNORECASE)
_CHECKBOX = re.compile(r"<input\b[^<>]*>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|tr|ul|ol|table|h[1-6])\s*>", re.IGNORECASE)
_BLOCK_START = re.compile(r"<(?:p|div|ul|ol|h[1-6])\b[^<>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li\b[^<>]*>", re.IGNORECASE)
_CELL = re.compile(r"</t[dh]\s*>\s*<t[dh]\b[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
#: A tag the excerpting cut in half: "<ul style=" at the end, "none\">" at the start.
_CUT_TAG = re.compile(r"<[A-Za-z/][^<>]*$|^[^<>]*?\"\s*/?>")
_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_BULLET = re.compile(r"\s*[•▪●◦]\s*")


_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__", re.DOTALL)
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])", re.DOTALL)


def display_text(clause_text: str, keep_markdown: bool = False) -> str:
    """Verbatim policy text as a person should read it: no HTML, lists as lists.

    The packs keep each clause byte-for-byte as the source prints it (the checker verifies it),
    and some sources carry markup from their conversion: ``<p>``, ``<ul style=...>`` with "•"
    items, ``<input type="checkbox"/>``, ``<i>``, ``<https://...>`` and tables. Every place that
    shows clause text or a quote (replies, Teams cards, the terminal) goes through this one
    function, so the words are the policy's and the markup is nobody's. Text without markup
    comes back unchanged, so applying it twice is harmless.

    Source emphasis (``*...*``, ``**...**``) is dropped too, except with ``keep_markdown``: the
    Teams card builder passes whole replies, whose own bold the card renders.
    """
    if not clause_text:
        return clause_text or ""
    text = _AUTOLINK.sub(r"\1", clause_text)
    text = _CHECKBOX.sub(lambda m: "[x]" if "checked" in m.group(0).lower() else "[ ]", text)
    text = _CELL.sub(" · ", text)
    text = _LIST_ITEM.sub("\n- ", text)
    text = _LINE_BREAK.sub("\n", text)
    text = _BLOCK_START.sub("\n", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text) if "&" in text and ";" in text else text
    if not keep_markdown:
        text = _STRONG.sub(lambda m: m.group(1) or m.group(2), text)
        text = _EMPHASIS.sub(r"\1", text)
    lines: list[str] = []
    for line in text.split("\n"):
        line = _CUT_TAG.sub("", line) if "<" in line or '">' in line else line
        if "•" in line or "▪" in line or "●" in line:
            items = [i for i in _BULLET.split(line)]
            head, rest = items[0].strip(), [i.strip() for i in items[1:] if i.strip()]
            if head:
                lines.append(head)
            lines.extend(f"- {item}" for item in rest)
            continue
        if line.count("|") >= 2 and line.strip().startswith("|"):
            if _PIPE_RULE.match(line):
                continue
            line = " · ".join(c.strip() for c in line.strip().strip("|").split("|"))
        lines.append(line.strip() if keep_markdown is False else line.rstrip())
    text = "\n".join(lines)
    text = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)
    return text.strip()


def trust_label(pack: Pack) -> str:
    return pack.trust.short_name or pack.trust.name


def policy_source_line(pack: Pack) -> str:
    """ "LPT Social Media and Communications Policy, version 2, ratified 16 July 2024"."""
    doc = pack.document
    parts = [f"{trust_label(pack)} {doc.title or 'social media policy'}"]
    if doc.reference:
        parts.append(doc.reference)
    if doc.version:
        parts.append(f"version {doc.version}")
    if doc.ratified:
        parts.append(f"ratified {doc.ratified}")
    return ", ".join(parts)


def review_note(pack: Pack, status: str) -> str:
    due = pack.document.review_due or ""
    due = f"on {due}" if due[:1].isdigit() else f"in {due}"
    return REVIEW_NOTES[status].format(short=trust_label(pack), due=due)


def cite(numbers: tuple[str, ...] | list[str]) -> str:
    return f" ({', '.join(numbers)})" if numbers else ""


def step_line(step: Step) -> str:
    """One step with where it comes from: this Trust's clause, another Trust's, or general."""
    if step.borrowed_from:
        lender = step.borrowed_from
        name = load_pack(lender.trust).trust.short_name
        return f"{step.do} _(from {name}'s policy, {lender.clause}: not your Trust's)_"
    if step.general:
        return f"{step.do} _(general guidance, not from a policy)_"
    return f"{step.do}{cite(step.cites)}"


def escalation_chain(guidance: Any) -> str:
    """Who to tell, in order, each labelled as a step is: "A (8.5) → B (8.4)"."""
    return " → ".join(step_line(s) for s in guidance.escalation)


def who_to_tell(guidance: Any) -> str:
    """The "who to tell" line, headed the same everywhere; each contact carries its own source."""
    return f"**Who to tell, in order:** {escalation_chain(guidance)}"


def fact_phrase(fact: str, value: Any) -> str:
    """How an answer reads back: "Still recording: Yes, still recording"."""
    question = load_questions()[fact]
    answer = next((o["title"] for o in question["options"] if o["value"] == value), str(value))
    return f"{question.get('label', fact)}: {answer}"


def quote_line(clause: Clause, quote: str | None) -> str:
    text = display_text(quote if quote else clause.text)
    return f"> **{clause.title}**: “{text}”"


def render_guidance(guidance: Guidance, upset: bool = False) -> list[Message]:
    """The full answer: safety first, then steps, who to tell, don'ts, the clauses, the source."""
    pack = guidance.pack
    short = trust_label(pack)
    title = scenario_titles()[guidance.scenario]["title"]
    lines: list[str] = []
    if upset:
        lines.append("I'm sorry this is happening. Here is what to do.")
    for line in guidance.safety:
        lines.append(f"**{line}**")
    if guidance.covered:
        lines.append(f"**{title}: what {short}'s policy says to do**")
    else:
        nearest = ", ".join(c.title for c in guidance.nearest)
        lines.append(f"**{title}: {short}'s policy does not cover this.**")
        if nearest:
            lines.append(f"The nearest it comes is {nearest}.")
        lines.append("The steps below are the safest course; each says where it comes from.")
    if guidance.playbook.summary:
        lines.append(guidance.playbook.summary.strip())
    for number, step in enumerate(guidance.steps, start=1):
        lines.append(f"{number}. {step_line(step)}")
    if guidance.escalation:
        lines.append(who_to_tell(guidance))
    if guidance.platform_route:
        platform, route = guidance.platform_route
        lines.append(
            f"**Reporting it to {PLATFORM_NAMES.get(platform, platform.title())}:** {short}'s "
            f"policy points you to “{route.text}” ({route.clause})."
        )
    for step in guidance.dont:
        lines.append(f"**Don't:** {step_line(step)}")
    if guidance.citations:
        lines.append(f"**What {short}'s policy says:**")
        lines.extend(quote_line(c.clause, c.quote) for c in guidance.citations)
    if guidance.assumed:
        assumed = "; ".join(fact_phrase(f, guidance.facts[f]) for f in guidance.assumed)
        lines.append(f"I didn't know everything, so I've assumed the safer case: {assumed}.")
    lines.append(f"Source: {policy_source_line(pack)}.")
    note = review_note(pack, guidance.review_status)
    if note:
        lines.append(note)
    buttons = [
        {"title": "Why?", "payload": "/ask_why"},
        {"title": "Incident summary", "payload": "/incident_summary"},
        {"title": "Something else", "payload": "/help"},
    ]
    return [{"text": "\n\n".join(lines), "buttons": buttons, "prompt": "Anything else?"}]


def render_question(fact: str, rephrase: bool = False) -> Message:
    """A question with its answers as buttons (payloads set the slot directly).

    ``rephrase``: the second try, worded differently with an example answer.
    """
    question = load_questions()[fact]
    buttons = [
        {"title": option["title"], "payload": _payload(fact, option["value"])}
        for option in question["options"]
    ]
    buttons.append({"title": "Not sure", "payload": "/dont_know"})
    return {"text": question["rephrase" if rephrase else "ask"], "buttons": buttons}


def _payload(fact: str, value: Any) -> str:
    import json

    return "/inform" + json.dumps({fact: value}, separators=(",", ":"))


def render_clause(pack: Pack, clause: Clause) -> Message:
    return {
        "text": f"**{short_title(pack)} {clause.title}**\n\n“{display_text(clause.text)}”\n\n"
        f"Source: {policy_source_line(pack)}."
    }


def short_title(pack: Pack) -> str:
    return f"{trust_label(pack)}'s policy,"


def topic_buttons(scenarios: list[str]) -> list[dict[str, str]]:
    titles = scenario_titles()
    return [{"title": titles[s]["button"], "payload": f"/{s}"} for s in scenarios]
