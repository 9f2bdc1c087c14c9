"""Which follow-up question staff are asking once they have the steps.

After the steps, people ask the same dozen things: should I reply, can I block them, do I have
to tell my manager, will I get in trouble, can I take their phone. Each is a *topic* with a fixed
id (``policies/follow_ups.yml``); every playbook answers the topics that matter for its
situation in that Trust's words (``follow_ups`` in ``policies/<trust>.yml``).

Recognising the topic is a small, fixed set of phrasings, so it is plain regular expressions
rather than another classifier: the same question must give the same topic every time, and a
follow-up must never be mistaken for a new situation because the NLU model leaned that way.
"""

from __future__ import annotations

import re
from typing import Any

#: topic id -> pattern. Order matters: the first topic that matches wins, so the narrower
#: topics ("take their phone") come before the broad ones ("what do I do").
_TOPICS: list[tuple[str, str]] = [
    (
        "take_phone",
        r"\b(take|grab|confiscate|seize|have|get) (their|his|her|the) (phone|device|mobile|camera)|"
        r"make (him|her|them) (delete|hand over|give)|force (him|her|them)|"
        r"(can|should) i (stop|physically stop|keep) (him|her|them)|hold (him|her|them)|"
        r"stop (him|her|them) (from )?(leaving|going)|lock the door",
    ),
    (
        "police",
        r"\b(police|999|101|cops|report (it|him|her|them) to the police|crime|illegal|an offence|"
        r"criminal|against the law)\b",
    ),
    (
        "contact_details",
        # asked for, not told: "they've posted my phone number" is not a request for one
        r"\b(what('?s| is| are)|have you got|got|give me|is there|send me|where do i find) "
        r"(the |their |an? )?"
        r"(\w+ )?(e-?mail( address)?|phone number|number|contact details)\b|"
        r"\b(their|the|comms'?|communications'?|team'?s?) (e-?mail( address)?|phone number|contact details)\b"
        r"(?! (was|were|is|are|has|have|got) (been )?(posted|shared|leaked|put))|"
        r"\bnumber for (them|the|comms|communications)\b|"
        r"\bhow (do|can) i (contact|reach|get hold of) (them|the|comms|communications)\b",
    ),
    (
        # "do I tell someone or just ignore it?", "do I have to tell my manager or report it somewhere?":
        # telling someone is the question, before "ignore" or "report it".
        "tell_manager",
        r"\b(do|should|must) i (have to |need to |got to )?(tell|inform|report (it|this) to) "
        r"(someone|anyone|somebody|(my|the|a|our) (\w+ )?(manager|boss|nic|nurse in charge|sister|matron|"
        r"charge nurse|senior|supervisor|team leader|safeguarding|security|comms|communications|trust))\b"
        r"|\b(do|should|must|can) i (have to |need to )?report (it|this)\b"
        r"(?! (to|on) (facebook|fb|tiktok|insta\w*|twitter|x|the app|the platform|the site|snap\w*))|"
        r"\b(my|the) (manager|line manager|boss|supervisor|nic)\b.{0,20}"
        r"\b(need|have|got) to (know|be told)\b",
    ),
    (
        "block_or_report",
        r"\b(block\w*|unfriend|unfollow|mute|report (it|them|him|her|the (post|account|video|page)) "
        r"(to|on)|report (the post|the video|the account|the page|the comment|the tweet|the clip)\b"
        r"(?! to (my|the) (manager|police))|"
        r"take (it|the post|the video|them) down|get (it|the post|the video) (taken )?(down|removed)|"
        r"(it|the|that|this|his|her|their) (post|video|tweet|clip|photo|pic|picture|comment|story|reel|"
        r"page|account|footage)s? (taken )?(down|removed|deleted)|"
        r"remov\w* (it|the post|the video))",
    ),
    (
        "delete_it",
        r"\b(delete|deleted|deleting|wipe|wiped|erase|erased|get rid of|"
        r"keep (the|a) (copy|screenshot|evidence)|screenshot|"
        r"save (it|the messages|the post)|evidence)\b",
    ),
    (
        "reply_or_comment",
        r"\b(reply|replying|respond|responding|comment|commenting|answer (him|her|them|it|back)|"
        r"message (him|her|them) back|write back|accept\w* (it|the request|the friend request)|"
        r"defend myself|say something (on|under) (it|the post)|ignor\w*|leave it|say nothing|engage)\b",
    ),
    (
        "keep_secret",
        r"\b(secret|keep (it|this) (quiet|between us|to myself|from)|not tell anyone|"
        r"confiden\w*|promised? not to tell|asked me not to (tell|say))\b",
    ),
    (
        "must_accept",
        r"\b(do i have to (accept|put up|let|allow|carry on|continue|agree)|"
        r"(are|is) (they|he|she) allowed|can (they|he|she) (do that|film|record|post|legally)|"
        r"have i got to (accept|put up)|must i (accept|put up|let)|within (their|his|her) rights|"
        r"is that (allowed|legal|ok)|can i (refuse|say no|decline)|"
        r"(is|are|was) (he|she|they|it|that|this) (even )?(allowed|legal|lawful)|"
        r"(tell|ask|get|make) (him|her|them) to stop|stop (him|her|them) (from )?(recording|filming|posting)|"
        r"let (him|her|them) (film|record|post))\b",
    ),
    (
        "safeguarding",
        r"\b(safeguard\w*|child (protection|at risk)|vulnerable adult|adult at risk|referral)\b",
    ),
    (
        "in_trouble",
        r"\b(in trouble|get into trouble|disciplin\w*|sacked|fired|lose my (job|pin|registration)|"
        r"nmc|hcpc|gmc|(my|her|his|their) registration|(her|his|their) (job|pin)|lose (her|his|their) \w+|"
        r"struck off|my fault|did i do (something )?wrong|fined|get a fine|"
        r"am i (going to be )?(blamed|liable)|on my record|a warning|formal action|investigat\w*|"
        r"(get|got|be|am i) caught|what happens (to me|to (him|her|them)|if i))\b",
    ),
    (
        "what_to_say",
        r"\b(what (do|should|can|would) i (\w+ )?say|"
        r"what (do|should) i (\w+ )?tell (him|her|them|the (patient|relative|family))|"
        r"how do i (word|phrase|explain|tell (him|her|them))|what words|script)\b",
    ),
    (
        "record_it",
        r"\b(write (it|this|anything|that) (down|up)|make a note|note (it|this|that) (down|in|on)|"
        r"(in|on|into) (his|her|their|the|my) (notes|records?|epr)|record (it|this|that) (in|on)|"
        r"document (it|this|that)|(patient|health|clinical) records?)\b",
    ),
    (
        "disclaimer",
        r"\b(disclaimer|views? (are )?(my )?own|my own views|(say|mention|put|name) (where|who|which trust) "
        r"(i|im) (work|placed)|(in|on|from) my (bio|profile|username|handle)|my (bio|username|handle))\b",
    ),
    (
        "support",
        r"\b(any support|wellbeing|well-being|someone to talk to|"
        r"(anyone|someone|somebody|anybody)( at work)? (i can|to) (talk|speak) to|is there (any )?support|"
        r"counsell\w*|occupational health|"
        r"employee assistance|who can i talk to|where can i get (help|support)|look after staff)\b",
    ),
    (
        "tell_manager",
        r"\b(tell (someone|anyone|management)|tell (the |my |our )?(manager|line manager|boss|nic|"
        r"nurse in charge|sister|matron|charge nurse|ward manager|senior|supervisor|team leader|"
        r"safeguarding|security)|"
        r"who (do|should|can) i (\w+ ){0,3}(tell|report (it|this) to|inform|contact|speak to|talk to|"
        r"escalate|ask)\b|"
        r"(do|should) i (report|escalate|inform|let (someone|my manager) know)|"
        r"(my|the) (manager|line manager|boss|supervisor|nic) (know|need to know)|"
        r"incident (form|report)|\bform\b|fill (it |one )?(in|out)|report (it|this)\b|"
        r"raise (it|this|a concern)|"
        r"who (do|should) i go to|\bwho\b.{0,25}\b(tell|inform|let know|notify|contact|report to)\b|"
        r"(need|have|got) to (tell|inform|let|notify) (anyone|someone|comms|communications|the comms|"
        r"my manager|the trust|the ward|them)|\btell (comms|the comms|communications)\b|"
        r"who (can|could) (help|advise|support)|who (can|could|should) i (ask|speak to)|"
        r"escalat\w*)",
    ),
]
_COMPILED = [(topic, re.compile(pattern, re.IGNORECASE)) for topic, pattern in _TOPICS]

_QUESTION_START = re.compile(
    r"^\s*(so |and |but |ok,? |okay,? |right,? |also,? |then )?"
    r"(can|could|should|shall|do|does|did|must|will|would|is|are|am|have|has|what|who|how|"
    r"when|where|why|which|any|need i|do i need)\b",
    re.IGNORECASE,
)


def follow_up_topic(text: str, loose: bool = False) -> str | None:
    """The follow-up topic a message asks about, or None.

    ``loose``: for a message already known to be a question about the situation in hand, also
    try the catalogue's own example questions (policies/follow_ups.yml) by shared words, so
    "am I ok to ignore his messages" finds the topic its neighbours are worded in.
    """
    # "999 have got it. am I in trouble?": the question asked is the last sentence's.
    # "999 or 101? we are the ambulance, do I just ring it": failing that, the whole message's.
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", (text or "").strip()) if x]
    tries = [sentences[-1], text] if len(sentences) > 1 and is_question(sentences[-1]) else [text]
    for part in tries:
        for topic, pattern in _COMPILED:
            if pattern.search(part or ""):
                return topic
    return _nearest_topic(text) if loose else None


_STOPWORDS = frozenset(
    "a an the i me my we us our you your he him his she her they them their it its this that is are "
    "am was were be been do does did to of in on at for and or so if just about should can could "
    "would will shall must have has had what who how when where why which any there here now ok "
    "okay then also with from by as not no yes".split()
)
#: A topic is taken only when a question shares at least this many content words with one of
#: its examples, and they make up at least this share of that example's content words.
_MIN_SHARED, _MIN_SHARE = 2, 0.6


def _content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", (text or "").lower())
    return {re.sub(r"(ing|ed|s)$", "", w) or w for w in words if w not in _STOPWORDS and len(w) > 2}


def _nearest_topic(text: str) -> str | None:
    from bot.policy.packs import load_follow_up_topics

    asked = _content_words(text)
    best, best_share = None, 0.0
    for topic in load_follow_up_topics().values():
        for example in (topic.label, *topic.examples):
            words = _content_words(example)
            shared = len(asked & words)
            share = shared / len(words) if words else 0.0
            if shared >= _MIN_SHARED and share >= _MIN_SHARE and share > best_share:
                best, best_share = topic.id, share
    return best


#: A question asked inside a longer sentence: "and if he does post it what do I do then".
_ASKED_INSIDE = re.compile(
    r"\b(what (do|should|can|would) (i|we)|who (do|should) (i|we)|how (do|should|can) (i|we)|"
    r"(should|can|could|must|do) (i|we) (still |just |even )?(tell|report|reply|call|ring|do|say|ask|"
    r"delete|block|accept|post|let|keep|go|use|put|send|get))\b",
    re.IGNORECASE,
)


def is_question(text: str) -> bool:
    """Shaped like a question ("should I tell someone?", "can they do that"), not a new story."""
    text = (text or "").strip()
    if not text:
        return False
    if text.endswith("?"):
        return True
    last_sentence = re.split(r"(?<=[.!])\s+|,\s+(?=(?:should|can|do|will|must|what|who|how)\b)", text)[-1]
    return bool(_QUESTION_START.search(last_sentence) or _ASKED_INSIDE.search(last_sentence))


def topics() -> list[str]:
    return [topic for topic, _ in _TOPICS]


# --- answering a follow-up ---------------------------------------------------------------------

#: Words in a step that show it answers a topic, for a playbook with no follow-up written for it.
_STEP_WORDS = {
    "tell_manager": r"\b(tell|inform|report|alert|contact|escalat\w*|discuss)\b",
    "police": r"\b(police|101|999|criminal|offence)\b",
    "take_phone": r"\b(device|phone|hand over|detain|hold)\b",
    "block_or_report": r"\b(report|block|platform|remove|taken down|take down)\b",
    "delete_it": r"\b(delete|evidence|screenshot|keep|copy)\b",
    "reply_or_comment": r"\b(respond|reply|comment|engage|accept)\b",
}


def _follow_ups_of(playbook: Any) -> list[Any]:
    return list(getattr(playbook, "follow_ups", None) or ())


def follow_up_reply(pack: Any, guidance: Any, topic: str, question: str = "") -> dict[str, Any]:
    """The answer to a follow-up about this situation, from this Trust's policy.

    First the playbook's own written answer for the topic (cited, quoted, checked by
    ``make check-packs``); failing that, the steps of the answer already given that deal with it;
    then the clause of this situation the question is about, quoted; failing all, a plain
    statement that the policy does not say, and who to ask.
    """
    from bot.answers import who_to_ask
    from bot.render import escalation_chain, quote_line, step_line, trust_label, who_to_tell

    short = trust_label(pack)
    from bot.guidance import applies

    written = next(
        (f for f in _follow_ups_of(guidance.playbook) if f.topic == topic and applies(f, guidance.facts)),
        None,
    )
    if written is not None:
        lines = []
        if topic == "police":  # "999 or 101?": whatever the policy says, danger now is 999 first
            from bot.guidance import safety_lines

            lines.append(f"**{safety_lines()['immediate_danger']}** _({safety_lines()['general_label']})_")
        said = step_line(written)
        if written.silent and not re.search(r"\b(does not|doesn't) (say|cover)\b", said):
            lines.append(f"{short}'s policy doesn't say.")
        lines.append(said)
        for quote in written.quotes:
            if pack.has_clause(quote.clause):
                lines.append(quote_line(pack.clause(quote.clause), quote.text))
        if written.silent and topic not in ("tell_manager", "support"):
            lines.extend(_who_next(guidance))
        return {"text": "\n\n".join(lines)}
    if topic == "contact_details":
        return {"text": _contacts(pack, guidance, short)}
    if topic == "support":
        # No support named for this situation: who this Trust says to tell is who to talk to.
        told = follow_up_reply(pack, guidance, "tell_manager")
        return {"text": f"{short}'s policy names no support service for this. " + told["text"]}
    if topic == "tell_manager" and guidance.escalation:
        return {"text": who_to_tell(guidance)}
    if topic == "take_phone":
        from bot.guidance import safety_lines

        lines = [f"**{safety_lines()['no_force']}**"]
        lines += [f"**Don't:** {step_line(s)}" for s in guidance.dont]
        lines.extend(_who_next(guidance))
        return {"text": "\n\n".join(lines)}
    if topic == "police":
        from bot.guidance import safety_lines

        steps = [s for s in guidance.steps if re.search(_STEP_WORDS["police"], s.do, re.IGNORECASE)]
        lines = [f"**{safety_lines()['immediate_danger']}** _({safety_lines()['general_label']})_"]
        if steps:
            lines.append(f"From the steps above ({short}'s policy):")
            lines += [f"- {step_line(s)}" for s in steps[:3]]
        else:
            lines.append(f"Otherwise, {short}'s policy doesn't say to involve the police for this situation.")
            lines.extend(_who_next(guidance))
        return {"text": "\n\n".join(lines)}
    pattern = _STEP_WORDS.get(topic)
    if pattern:
        steps = [s for s in guidance.steps if re.search(pattern, s.do, re.IGNORECASE)]
        if steps:
            lines = [f"From the steps above ({short}'s policy):"]
            lines += [f"- {step_line(s)}" for s in steps[:4]]
            return {"text": "\n".join(lines)}
    clause = scoped_clause(pack, guidance.playbook, question) if question else None
    if clause is not None:
        return {"text": quoted_clause(pack, clause, question)}
    silent = f"{short}'s policy doesn't say anything about that for this situation."
    if guidance.escalation:
        # Silent on the point, not on the situation: who it says to take this to is the next step.
        chain = escalation_chain(guidance)
        return {"text": f"{silent} Take it to whoever it names for this situation, in order: {chain}"}
    return {"text": f"{silent} {who_to_ask(pack)}"}


def _contacts(pack: Any, guidance: Any, short: str) -> str:
    """The contact details this Trust's document prints, each with its clause; never any other."""
    printed = [c for c in pack.document.contacts if c.email or c.phone]
    own = _cited_numbers(guidance.playbook) if guidance.playbook is not None else set()
    # The ones this situation's own steps rely on; else every one but the police (LPT's 101 is
    # for abuse images, not a number to hand a journalist).
    here = [c for c in printed if c.clause in own]
    elsewhere = [c for c in printed if "police" not in c.name.lower()]
    if not (here or elsewhere):
        lines = [f"{short}'s policy prints no email or phone number."]
        lines.extend(_who_next(guidance))
        return "\n\n".join(lines)
    if here:
        printed, lines = here, [f"The contact details {short}'s policy prints for this:"]
    else:
        printed = elsewhere
        lines = [f"{short}'s policy prints no contact details for this situation. Elsewhere it prints:"]
    for contact in printed:
        how = " / ".join(x for x in (contact.email, contact.phone) if x)
        where = f" ({contact.clause})" if contact.clause else ""
        lines.append(f"- {contact.name}: {how}{where}")
    return "\n".join(lines)


def _who_next(guidance: Any) -> list[str]:
    """After an answer the Trust's policy doesn't give itself, who it says to take this to."""
    from bot.render import who_to_tell

    return [who_to_tell(guidance)] if guidance.escalation else []


def answer_in_context(pack: Any, scenario: str | None, question: str, guidance: Any = None) -> dict[str, Any]:
    """A free question after the steps, answered from this Trust's policy for the situation.

    In order: the steps already given that it is about; this situation's clauses; the whole
    policy. A clause is quoted only when it shares the question's words, never because one
    common word matched: a wrong quote reads as the policy's answer. Failing all three, what the
    policy says for this situation and who it names, with a plain "it doesn't say exactly that".
    """
    from bot.answers import answer_question, clause_matches
    from bot.render import step_line, trust_label

    short = trust_label(pack)
    playbook = pack.playbook(scenario) if scenario else None
    if guidance is not None:
        matching = matching_steps(guidance, question)
        if matching:
            lines = [f"From the steps for this situation ({short}'s policy):"]
            lines += [f"- {step_line(s)}" for s in matching]
            return {"text": "\n".join(lines)}
    clause = scoped_clause(pack, playbook, question) if playbook is not None else None
    if clause is not None:
        return {"text": quoted_clause(pack, clause, question)}
    results = [(c, score) for c, score in clause_matches(pack, question) if _about(c.text, question)]
    if results or playbook is None or guidance is None:
        return answer_question(pack, question, results)
    said = _WHERE_STEPS_COME_FROM.sub("", playbook.summary).strip()  # no steps follow here
    lines = [f"{short}'s policy doesn't answer that exactly. For this situation it says: {said}"]
    lines.extend(_who_next(guidance))
    return {"text": "\n\n".join(lines)}


#: A summary's last sentence saying where the steps below come from, which only fits above them.
_WHERE_STEPS_COME_FROM = re.compile(r"\s*The (other )?steps below[^.]*\.|\s*The other steps[^.]*\.")


def scoped_clause(pack: Any, playbook: Any, question: str) -> Any:
    """The clause of this situation's own (cited, quoted or nearest) that the question is about."""
    from bot.policy.store import search_clauses

    own = _cited_numbers(playbook)
    for clause, score in search_clauses(pack.id, question, limit=12):
        if score > 0 and clause.number in own and _about(clause.text, question):
            return clause
    return None


def quoted_clause(pack: Any, clause: Any, question: str) -> str:
    """The part of a clause that bears on the question, quoted, with where it comes from."""
    from bot.answers import excerpt
    from bot.render import policy_source_line, trust_label

    text, cut = excerpt(clause.text, question)
    more = f' (part of it: say "show clause {clause.number}" for all of it)' if cut else ""
    return (
        f"On this situation, {trust_label(pack)}'s policy says:\n\n> **{clause.title}**: “{text}”{more}"
        f"\n\nSource: {policy_source_line(pack)}."
    )


def _about(clause_text: str, question: str) -> bool:
    """A clause answers a question only if it shares the question's words (two, or its only one)."""
    asked = _words(question)
    return bool(asked) and len(asked & _words(clause_text)) >= min(_MIN_STEP_WORDS, len(asked))


#: Words staff use for what a step says in other words ("write it down" is "note it").
_SAME_AS = {
    "write": "note",
    "document": "note",
    "stop": "restrict",
    "refuse": "restrict",
    "film": "record",
    "video": "record",
    "photo": "image",
    "picture": "image",
    "pic": "image",
    "manager": "manager",
    "boss": "manager",
    "comm": "communication",
    "press": "media",
    "journalist": "media",
    "reporter": "media",
    "delete": "delete",
    "remove": "delete",
}
#: A step answers a question when they share this many content words (after _SAME_AS).
_MIN_STEP_WORDS = 2


#: Words too common in questions and steps to show what either is about.
_PLAIN = frozenset(
    "need ne anything anyth down really actually thing get got know want like still even one make take "
    "tell said say put way happen happened someone anyone people something right think anywhere "
    "anybody everyone afterward afterwards after then ok okay".split()
)


def _words(text: str) -> set[str]:
    return {_SAME_AS.get(w, w) for w in _content_words(text) if w not in _PLAIN}


def matching_steps(guidance: Any, question: str) -> list[Any]:
    """The steps (and don'ts) of the answer already given that the question is about, best first."""
    asked = _words(question)
    if not asked:
        return []
    needed = min(_MIN_STEP_WORDS, len(asked))  # "do I write it down anywhere?" has one word to go on
    scored = []
    for step in (*guidance.steps, *guidance.dont):
        shared = len(asked & _words(step.do))
        if shared >= needed:
            scored.append((shared, step))
    scored.sort(key=lambda pair: -pair[0])
    return [step for _, step in scored[:2]]


def _cited_numbers(playbook: Any) -> set[str]:
    numbers: set[str] = set()
    for step in (*playbook.steps, *playbook.escalation, *playbook.dont, *_follow_ups_of(playbook)):
        numbers.update(getattr(step, "cites", ()) or ())
    numbers.update(q.clause for q in playbook.quotes)
    numbers.update(playbook.nearest)
    return numbers
