"""Facts read from what staff type, so the assistant does not ask what it has already been told.

"My ex-patient added me on Facebook" already says the contact is from a former patient;
"he's still filming" already says the recording is going on. These rules read such facts from
free text (typos and slang included) so a form only asks what is still unknown. They are plain
regular expressions on purpose: a ward manager's message must give the same facts every time,
and every rule is covered by a test.

Negative phrasings are checked before positive ones ("hasn't posted it" is not "posted").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

Facts = dict[str, Any]

# fact -> [(value, pattern)], first match wins, so negations come first.
_RULES: dict[str, list[tuple[Any, str]]] = {
    "setting": [
        (
            "consultation",
            r"\b(consult\w*|(his|her|their|own|the) (appointment|appt|session)|appointment|appt|"
            r"clinic room|home visit|gp surgery|assessment|therapy session|session with|my clinic|"
            r"in clinic|outpatients?|at (his|her|their) (home|house|flat))\b",
        ),
        (
            "ward",
            r"\b(ward|bay|side ?room|corridor|reception|a ?& ?e|a and e|waiting (room|area)|"
            r"car ?park|canteen|unit|on site|premises|department|dept|hospital|nurses'? station|"
            r"day room|lounge|entrance|doing obs|obs round|(the |my )?obs|drug round|med(ication)? round|"
            r"handover|visiting( time| hours)?|visitor|by the bed|bedside|bed \d+|the bed|lift|"
            r"cubicle|resus|majors|minors|triage)\b",
        ),
    ],
    "still_recording": [
        (
            False,
            r"\b(stopped|has stopped|put (the|their|his|her) phone away|not filming any ?more|"
            r"(filmed|recorded|videoed|photographed) me (yesterday|earlier|last)|yesterday|"
            r"last (week|night|shift|month)|earlier today|the other day|(he'?s|she'?s|they'?re|they have|"
            r"he has|she has) (gone|left)|gone (home|now)|left (now|the ward)|not any ?more|no longer)\b",
        ),
        (
            True,
            r"\b(still|right now|as we speak|at the moment|currently|keeps? (on )?(filming|recording)|"
            r"is (filming|recording|videoing)|are (filming|recording|videoing)|"
            r"(filming|recording|videoing) (me )?now|won'?t stop (filming|recording)|live ?stream\w*)\b",
        ),
    ],
    "posted_online": [
        (
            False,
            r"\b(not (been )?posted|hasn'?t (been )?posted|haven'?t (seen it )?posted|"
            r"didn'?t post|not (put it )?online|not uploaded)\b",
        ),
        (
            True,
            r"\b(posted|uploaded|put (it |me )?(up |on ?line|online)|on (tik ?tok|facebook|fb|"
            r"insta\w*|youtube|twitter|x|snap\w*|reddit|whats ?app)|shared (it )?(online|on)|"
            r"went viral|going viral|live ?stream\w*|tiktok|all over)\b",
        ),
    ],
    "threatening": [
        # The question is "threaten you or single you out": "not threatening, but he named me"
        # singles you out, so naming or targeting is read before "not threatening".
        (
            True,
            r"\b(target\w*|named me|my name|singl\w* me out|calling me|called me|abus\w*|harass\w*|"
            r"slag\w*|trolling|doxx?\w*|home address|where i live)\b",
        ),
        (False, r"\b(not threatening|no threats?|wasn'?t threatening)\b"),
        (True, r"\b(threat\w*|kill|hurt|stab|beat|get me|coming for)\b"),
    ],
    "patient_status": [
        (
            "former",
            r"\b(former|ex[- ]?(patient|pt|service user|su|client)|discharged|used to "
            r"(look after|care for|treat|nurse|see)|old patient|previous patient|"
            r"was (my|our|a) (patient|pt|service user)|was on (my|our) (ward|caseload))\b",
        ),
        (
            "current",
            r"\b(current (patient|pt|service user)|on (my|our) (ward|caseload)|"
            r"(my|our) (patient|pt|service user) now|currently (in|under|on))\b",
        ),
    ],
    "about_care": [
        (
            False,
            r"\b(friend request|follow request|added me|followed me|follow(ing)? me|"
            r"personal|asked me out|fancies|date|drink|flirt\w*)\b",
        ),
        (
            True,
            r"\b(about (his|her|their|my|the) (care|treatment|meds|medication|appointment|"
            r"discharge|results|diagnosis)|asking about (care|treatment|meds|medication|"
            r"appointment|results)|clinical)\b",
        ),
    ],
    "repeated": [
        (False, r"\b(just once|only once|one[- ]off|first time)\b"),
        (
            True,
            r"\b(keeps?|again|repeated\w*|every (day|night|shift)|all the time|loads of|"
            r"several|multiple|won'?t stop|obsess\w*|constantly|over and over|"
            r"(\d+|two|three|four|five|ten) (times|messages|requests))\b",
        ),
    ],
    "wants_to_film": [
        (
            False,
            r"\b(no camera|not (to )?film\w*|just (asking|wanted) (questions|a quote|comment))\b",
        ),
        (
            True,
            r"\b(film\w*|camera\w*|record\w*|crew|footage|photograph\w*|video\w*|"
            r"come in|on site|outside (the )?(ward|hospital|building|entrance))\b",
        ),
    ],
    "child_involved": [
        (False, r"\b(an adult|adults?|grown|revenge porn|not a child|no child(ren)?)\b"),
        (
            True,
            r"\b(child\w*|kids?|minor|under ?age\w*|under 1[68]|teen\w*|boy|girl|baby|babies|"
            r"toddler|year old|yr old|school|pupil|little (one|lad|girl|boy)|cp|csa|iioc)\b",
        ),
    ],
    "threat_of_violence": [
        (False, r"\b(no threats?( of violence)?|not violent|not threatening|not a threat)\b"),
        (
            True,
            r"\b(kill|stab|hurt|beat (me|you)? ?up|batter|attack|violen\w*|death threats?|"
            r"threat(en)?(ed|ing)? to|going to get (me|you)|find (me|out where)|"
            r"where i live|home address|unsafe|scared|frightened|weapon|knife|a threat|threatening|"
            r"threatened|(be |is |are )?waiting for (me|you|her|him))\b",
        ),
    ],
    "abuser": [
        (
            "colleague",
            r"\b(colleague|co-?worker|staff member|another nurse|workmate|"
            r"my manager|a manager|someone (i|we) work with)\b",
        ),
        (
            "patient",
            r"\b(patient|pt|service user|su|relative|family|son|daughter|husband|wife|"
            r"carer|client)\b",
        ),
        (
            "stranger",
            r"\b(stranger|anonymous|anon|random|fake account|don'?t know who|"
            r"no idea who|troll\w*|member of the public|someone i don'?t know)\b",
        ),
    ],
    "immediate_danger": [
        (False, r"\b(no one|nobody|no-one) (is )?(in )?(danger|hurt)\b"),
        (
            True,
            r"\b(knife|weapon|gun|about to (jump|kill|hurt|harm)|on the roof|on a bridge|"
            r"overdos\w* (now|right now|just)|just (took|taken) an overdose|"
            r"going to kill (him|her|them)sel\w*|kicking off|fire|bleeding|unconscious|"
            r"attacking|being attacked|hostage|immediate danger|in danger)\b",
        ),
    ],
    "detained_patient": [  # "not detained" first; then any mention of detention wins
        (False, r"\b(informal patient|not detained|isn'?t detained)\b"),
        (True, r"\b(detained|section(ed)?|mha|mental health act|s2|s3|section [23])\b"),
    ],
    "patients_in_it": [
        (False, r"\b(no patients?|without patients|just (the )?(team|staff|us)|staff only)\b"),
        (True, r"\b(patients?|pts?|service users?|su|residents?|clients?)\b"),
    ],
    "clinical_photo": [
        (
            False,
            r"\b(rota|shift swaps?|night out|social|banter|team chat|group chat for the team)\b",
        ),
        (
            True,
            r"\b(wound|pressure (sore|ulcer|damage|area)|rash|clinical|patient (info|"
            r"details|photos?|pictures?|pics?)|photos? of (a |the )?(patient|pt|wound)|"
            r"nhs numbers?|obs|x-?ray|ecg|handover)\b",
        ),
    ],
}
_COMPILED = {
    fact: [(value, re.compile(pattern, re.IGNORECASE)) for value, pattern in rules]
    for fact, rules in _RULES.items()
}

_STEPS_ONLY = re.compile(
    r"\b(just (tell|give) me (what to do|the steps)|just the steps|steps only|no time|"
    r"skip (the )?questions|quick(ly)?,? what do i do|in a hurry|mid[- ]incident|asap|urgent(ly)?)\b",
    re.IGNORECASE,
)
_UPSET = re.compile(
    r"\b(scared|terrified|shaking|shaken|upset|crying|in tears|distressed|panic\w*|anxious|"
    r"frightened|awful|horrible|mortified|freaking out|so stressed|can'?t cope|humiliated|"
    r"violated|sick to my stomach)\b",
    re.IGNORECASE,
)


def known_facts() -> list[str]:
    """Every fact these rules can read."""
    return list(_RULES)


def facts_from_text(text: str, only: Iterable[str] | None = None) -> Facts:
    """The facts a message states outright; facts it does not state are absent, not guessed."""
    wanted = list(only) if only is not None else list(_COMPILED)
    found: Facts = {}
    for fact in wanted:
        for value, pattern in _COMPILED.get(fact, []):
            if pattern.search(text or ""):
                found[fact] = value
                break
    return found


def wants_steps_only(text: str) -> bool:
    """A ward manager mid-incident: "just tell me what to do" means no questions."""
    return bool(_STEPS_ONLY.search(text or ""))


def situation_words(text: str) -> int:
    """How many words the message has besides "just tell me what to do": is a situation described?"""
    return len(_STEPS_ONLY.sub(" ", text or "").split())


def sounds_upset(text: str) -> bool:
    """Someone shaken gets one line of acknowledgement before the steps, not a lecture."""
    return bool(_UPSET.search(text or ""))


def mentions_immediate_danger(text: str) -> bool:
    """Danger stated in any message puts 999 / security first, whatever the scenario."""
    from bot.danger import is_immediate_danger

    return is_immediate_danger(text) or (
        facts_from_text(text, only=["immediate_danger"]).get("immediate_danger") is True
    )


_YES = re.compile(
    r"^\s*(y|ye|yes|yeah|yea|yep|yup|yh|ya|aye|defo|definitely|correct|that'?s right|"
    r"it is|he is|she is|they are|they have|he has|she has|it has|i think so|bang on)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(n|no|nope|nah|naw|not really|no way|it isn'?t|he isn'?t|she isn'?t|they aren'?t|"
    r"they haven'?t|hasn'?t|isn'?t|don'?t think so|not that i know)\b",
    re.IGNORECASE,
)


def yes_or_no(text: str) -> bool | None:
    """A short yes or no, however it is typed ("yep", "nah", "he is"), else None.

    Answers to a yes/no question are often misread as other intents when they are this short;
    reading them directly keeps the form moving.
    """
    if _NO.search(text or ""):
        return False
    if _YES.search(text or ""):
        return True
    return None


# --- answers to a question, and facts implied rather than stated ------------------------------

_DONT_KNOW = re.compile(
    r"\b(not sure|unsure|dunno|don'?t know|dont know|no idea|can'?t (say|tell)|not certain|"
    r"hard to (say|tell)|maybe|possibly|might (be|have)|could be|no clue|idk|not a clue)\b",
    re.IGNORECASE,
)
_YES_ANYWHERE = re.compile(
    r"\b(i think so|think so|i believe so|yes|yeah|yep|yup|it has|it is|they did|he did|she did|"
    r"definitely|for sure|absolutely|course (it|he|she|they) (is|has|did))\b",
    re.IGNORECASE,
)
_NO_ANYWHERE = re.compile(
    r"\b(no|nope|nah|not that i (know|can see|'ve seen|have seen)|don'?t think so|i doubt it|"
    r"hasn'?t|haven'?t|isn'?t|wasn'?t|didn'?t|not yet|never)\b",
    re.IGNORECASE,
)
# "a visitor", "his brother", "the husband": not a patient detained under the Mental Health Act.
_NOT_A_PATIENT = re.compile(
    r"\b(visitors?|relatives?|family|brother|sister|husband|wife|partner|son|daughter|mum|mother|"
    r"dad|father|friend|mate|girlfriend|boyfriend|grandma|grandad|nan|member of the public|"
    r"stranger|carer|parent)\b",
    re.IGNORECASE,
)
_WHO_TO_FACTS: dict[str, dict[str, Any]] = {
    "former_patient": {"patient_status": "former", "abuser": "patient"},
    "patient": {"abuser": "patient"},
    "relative": {"abuser": "patient", "detained_patient": False, "filmer": "public"},
    "visitor": {"abuser": "stranger", "detained_patient": False, "filmer": "public"},
    "colleague": {"abuser": "colleague"},
    "member_of_public": {"abuser": "stranger", "detained_patient": False, "filmer": "public"},
}


def implied_facts(text: str, who: str | None = None) -> Facts:
    """Facts a message implies without stating them: "a visitor is filming" -> not detained.

    Stated facts (``facts_from_text``) win over these; they only fill what is otherwise unknown.
    """
    implied: Facts = dict(_WHO_TO_FACTS.get(who or "", {}))
    detention = facts_from_text(text, only=["detained_patient"]).get("detained_patient")
    if detention is None and _NOT_A_PATIENT.search(text or ""):
        implied["detained_patient"] = False
        implied["filmer"] = "public"
    return implied


def answer_for(
    fact: str, text: str, intent: str | None = None, button_value: Any = None, who: str | None = None
) -> Any:
    """What a reply to the question about ``fact`` answers: a value, "dont_know", or None.

    Read in this order: a button; "not sure" in any words; the fact stated in the message
    ("it was his own appointment", "he's gone now"); a yes or no in any form ("I think so, it
    was on the ward", "nah not yet"); who someone is. None means the message is not an answer,
    so the caller can treat it as what it is (a question, a new situation, "just tell me").
    """
    if button_value is not None:
        return button_value
    text = text or ""
    stated = facts_from_text(text, only=[fact]).get(fact)
    if stated is not None:
        return stated
    implied = implied_facts(text, who).get(fact)
    if intent == "dont_know" or (_DONT_KNOW.search(text) and yes_or_no(text) is None):
        return "dont_know"
    from bot.policy.packs import load_questions

    values = [option["value"] for option in load_questions()[fact]["options"]]
    if True in values and False in values:
        short = yes_or_no(text)
        if short is not None:
            return short
        if intent in ("affirm", "deny"):
            return intent == "affirm"
        if len(text.split()) <= 12:
            if _NO_ANYWHERE.search(text):
                return False
            if _YES_ANYWHERE.search(text):
                return True
        else:
            short = _short_clause_answer(text)
            if short is not None:
                return short
    return implied


def _short_clause_answer(text: str) -> bool | None:
    """A long reply that answers in one short clause ("stranger I think. its a threat yeah. he's
    done it before"): the yes or no of its short clauses, when they agree."""
    said = set()
    for clause in re.split(r"[.,;:!?]+|\s+-\s+|\bbut\b", text):
        if not clause.strip() or len(clause.split()) > 8:
            continue
        if _NO_ANYWHERE.search(clause):
            said.add(False)
        elif _YES_ANYWHERE.search(clause):
            said.add(True)
    return said.pop() if len(said) == 1 else None


#: A message that opens by referring back to someone or something already said ("she's on shift
#: with me now", "still going on, he's filmed two more", "her own phone") continues the situation
#: in hand, whatever other situation a classifier trained on first messages reads in it.
#: "It's..." and "that..." open first messages too ("it's all kicking off in bay 3"), so they are
#: not taken as referring back.
_CONTINUES = re.compile(
    r"^\W*(he|hes|he'?s|she|shes|she'?s|they|theyre|they'?re|his|her|their|them|still|both|neither|"
    r"yes|yeah|yep|current|former|personal|my own|own)\b",
    re.IGNORECASE,
)


def continues_a_conversation(text: str) -> bool:
    """True when the message opens by referring back to something already said."""
    return bool(_CONTINUES.search(text or ""))


#: "Just tell me" said in words. Looser than ``wants_steps_only`` (it also takes "steps" and "what
#: do I do"): it only decides whether a message the model read as ``just_the_steps`` after the
#: steps really asks for them again, where "can't I just reply?" does not.
_ASKS_FOR_STEPS = re.compile(
    r"\b(steps?|what (do|should) i do|tell me what to do|just tell me)\b", re.IGNORECASE
)


def asks_for_steps(text: str) -> bool:
    return bool(_ASKS_FOR_STEPS.search(text or ""))
