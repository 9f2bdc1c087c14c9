"""The conversation, decided in one place: what is known, what to ask, what to assume, when to answer.

Every user message is one call: ``respond(state, turn)`` returns what to say and the new state.
It is plain Python over the packs, tested without Rasa (tests/unit/test_interview.py); the Rasa
side only turns a tracker into a ``State`` and a ``Turn`` and the reply back into events
(``actions/respond.py``).

Rules it keeps, because people mid-incident type sentences, not button presses:
- every reply answers or asks one clear question, never pointing at the buttons instead;
- an answer that can't be read gets one rephrased question with an example, then the steps for
  the safer case, saying what was assumed;
- a question, a new situation, "just tell me" or "stop" in the middle of a question is handled
  as what it is, not as a failed answer;
- after the steps the conversation keeps its situation: follow-up questions are answered from
  that Trust's policy for that situation, until the user describes a different one;
- danger comes first at any turn (the 999 line itself is a Rasa response, sent before this runs,
  so it survives a failed action server; see data/rules/conversation.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from bot import answers, induction
from bot.danger import DANGER_RELATED, MODEL_ALONE_SURE, is_immediate_danger
from bot.facts import (
    answer_for,
    asks_for_steps,
    continues_a_conversation,
    facts_from_text,
    implied_facts,
    situation_words,
    sounds_upset,
    wants_steps_only,
)
from bot.follow_ups import answer_in_context, follow_up_reply, follow_up_topic, is_question, matching_steps
from bot.guidance import guidance_for, resolve_trust, safer_value, scenario_titles
from bot.incident import incident_summary, why_text
from bot.policy.packs import SCENARIO_IDS, load_pack, load_questions
from bot.render import Message, policy_source_line, render_guidance, review_note, step_line, trust_label

#: A scenario intent this confident, in a message that describes something, is a new situation
#: even in the middle of a question or after the steps.
NEW_SITUATION_CONFIDENCE = 0.6
SURE_OF_NEW_SITUATION = 0.85
#: A message with fewer words than this ("yes", "on the ward") is an answer, not a situation.
MIN_SITUATION_WORDS = 5
#: The likeliest scenario in the ranking is used for "just tell me, <situation>" above this.
RANKING_CONFIDENCE = 0.1

CONVERSATION_REPLIES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thanks": "utter_welcome",
    "out_of_scope": "utter_out_of_scope",
}


@dataclass(frozen=True)
class Turn:
    """One user message as the NLU read it. ``entities``: name -> values (from text or a button)."""

    intent: str | None
    text: str = ""
    confidence: float = 1.0
    ranking: tuple[tuple[str, float], ...] = ()
    entities: dict[str, tuple[Any, ...]] = field(default_factory=dict)

    def entity(self, name: str) -> Any:
        values = self.entities.get(name) or ()
        return values[0] if values else None


@dataclass(frozen=True)
class State:
    """What the conversation knows. Every field is a value of our own vocabularies."""

    trust: str
    scenario: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    assumed: tuple[str, ...] = ()
    asking: str | None = None
    unclear: int = 0
    guidance_given: bool = False
    steps_only: bool = False
    platform: str | None = None
    quiz: dict[str, int] | None = None
    #: The situations "did you mean" offered, likeliest first, until the next message settles it.
    offered: tuple[str, ...] = ()


@dataclass
class Reply:
    messages: list[Message]
    state: State


def respond(state: State, turn: Turn) -> Reply:
    """The assistant's reply to one message, and what it now knows."""
    trust = resolve_trust(turn.entity("trust"), state.trust)
    if trust != state.trust:
        state = replace(state, trust=trust)
    said_danger = is_immediate_danger(turn.text)  # the rules, once per message
    if turn.intent == "urgent_danger" and not said_danger and _only_the_model_fears(state, turn):
        turn = _next_reading(turn, "urgent_danger")
    asked = (turn.text or "").startswith("/") or asks_for_steps(turn.text)
    if turn.intent == "just_the_steps" and state.guidance_given and not asked:
        turn = _next_reading(turn, "just_the_steps")  # "can't I just answer it?" is a question
    intent = turn.intent
    if intent == "urgent_danger" or said_danger:
        return _danger(state, turn)
    if intent == "stop" and _really_stop(state, turn):
        return Reply([{"response": "utter_stopped"}], _fresh(state))
    if state.asking and state.scenario:
        return _answering(state, turn)
    if state.offered:
        reply = _after_did_you_mean(replace(state, offered=()), turn, state.offered)
        if reply is not None:
            return reply
        state = replace(state, offered=())
    if intent in SCENARIO_IDS and not _follow_up_rather_than_new(state, turn):
        # A question about a new situation, mid-conversation, gets its answer now (safer case,
        # said so), not another round of questions: the person is already in the middle of it.
        asked = state.guidance_given and is_question(turn.text)
        reply = _start(state, turn, intent, steps_only=asked)
        return _and_what_they_asked(reply, turn) if asked else reply
    if intent == "just_the_steps":
        return _just_the_steps(state, turn)
    if state.scenario and state.guidance_given:
        reply = _follow_up(state, turn)
        if reply is not None:
            return reply
    return _conversation(state, turn)


def _only_the_model_fears(state: State, turn: Turn) -> bool:
    """Danger read by the NLU model alone (the rules saw none), unsure, in a message that goes on
    with a situation.

    "The family said it's fine, the patient is a bit confused today" after the posting steps is
    more about posting, though a model trained on first messages leaned to danger. The 999 line
    has already gone first (a Rasa response, whatever this decides); what must not happen is the
    conversation losing its situation to a danger it never had.
    """
    going_on = state.scenario not in (None, "urgent_danger") and (state.guidance_given or state.asking)
    return (
        bool(going_on)
        and turn.confidence < MODEL_ALONE_SURE
        and not _how_they_feel(turn.text)
    )


def _next_reading(turn: Turn, not_this: str) -> Turn:
    """The message as the model's next likeliest reading, never danger (the rules decide that)."""
    others = tuple((name, c) for name, c in turn.ranking if name not in (not_this, "urgent_danger"))
    intent, confidence = others[0] if others else ("inform", 0.0)
    return replace(turn, intent=intent, confidence=confidence, ranking=others)


# --- a new situation -------------------------------------------------------------------------


def _start(state: State, turn: Turn, scenario: str, steps_only: bool = False) -> Reply:
    """A new situation: forget the last one's answers, read what this message already says."""
    state = replace(
        _fresh(state),
        scenario=scenario,
        steps_only=steps_only or wants_steps_only(turn.text) or state.steps_only,
        platform=turn.entity("platform") or state.platform,
    )
    facts = _facts_in(turn, scenario)
    state = replace(state, facts=facts)
    messages: list[Message] = []
    if sounds_upset(turn.text):
        messages.append({"text": "I'm sorry this is happening. I'll keep this quick."})
    return _next(state, messages)


def _facts_in(turn: Turn, scenario: str | None = None) -> dict[str, Any]:
    """Facts the message states, implies, or gives by button."""
    facts = {**implied_facts(turn.text, turn.entity("who")), **facts_from_text(turn.text)}
    for fact in load_questions():
        value = turn.entity(fact)
        if value is not None and value in _option_values(fact):
            facts[fact] = value
    return {k: v for k, v in facts.items() if k in load_questions()}


def _questions(state: State) -> list[str]:
    playbook = load_pack(state.trust).playbook(state.scenario or "")
    return list(playbook.questions) if playbook else []


def _next(state: State, messages: list[Message]) -> Reply:
    """Ask the next unknown fact this Trust's policy branches on, or answer."""
    unknown = [q for q in _questions(state) if state.facts.get(q) is None]
    if unknown and not state.steps_only:
        fact = unknown[0]
        messages.append({"response": f"utter_ask_{fact}"})
        return Reply(messages, replace(state, asking=fact, unclear=0))
    return _answer(state, messages)


def _answer(state: State, messages: list[Message], safety_said: bool = False) -> Reply:
    """The steps, with every still-unknown fact taken as the safer case (and said so)."""
    guidance = guidance_for(
        state.trust, state.scenario, dict(state.facts), list(state.assumed), platform=state.platform
    )
    rendered = render_guidance(guidance)
    if safety_said:
        rendered = _without_danger_line(rendered)
    messages.extend(rendered)
    state = replace(
        state,
        facts=dict(guidance.facts),
        assumed=tuple(guidance.assumed),
        asking=None,
        unclear=0,
        guidance_given=True,
        steps_only=False,
    )
    return Reply(messages, state)


def _assume_rest(state: State) -> State:
    facts = dict(state.facts)
    assumed = list(state.assumed)
    for fact in _questions(state):
        if facts.get(fact) is None:
            facts[fact] = safer_value(fact)
            assumed.append(fact)
    return replace(state, facts=facts, assumed=tuple(dict.fromkeys(assumed)))


# --- in the middle of a question ----------------------------------------------------------------


def _answering(state: State, turn: Turn) -> Reply:
    fact = state.asking
    intent = turn.intent
    answer = answer_for(fact, turn.text, intent, turn.entity(fact), turn.entity("who"))
    said = {**_facts_in(turn, state.scenario)}
    if answer is None and fact in said:
        answer = said[fact]
    new_situation = _is_new_situation(state, turn)
    if answer is None and new_situation:
        return _start(state, turn, intent)
    facts = dict(state.facts)
    assumed = list(state.assumed)
    for name, value in said.items():
        if facts.get(name) is None and name != fact:
            facts[name] = value
    if answer == "dont_know":
        facts[fact] = safer_value(fact)
        assumed.append(fact)
    elif answer is not None:
        facts[fact] = answer
    state = replace(state, facts=facts, assumed=tuple(dict.fromkeys(assumed)))
    if answer is not None:
        return _next(replace(state, asking=None), [])
    # Not an answer. What else might it be?
    if intent == "ask_why":
        reason = load_questions()[fact]["why"]
        short = trust_label(load_pack(state.trust))
        return Reply(
            [
                {"text": f"{reason} {short}'s policy gives different steps depending on the answer."},
                {"response": f"utter_ask_{fact}"},
            ],
            state,
        )
    steps_now = intent == "just_the_steps" or wants_steps_only(turn.text)
    topic = follow_up_topic(turn.text, loose=is_question(turn.text))
    if steps_now or topic or is_question(turn.text) or intent in ("policy_question", "help"):
        # "should I tell someone?" is the question the steps answer: give them, safer case.
        reply = _answer(_assume_rest(state), [])
        if topic:
            reply.messages.extend(_topic_answer(reply.state, topic, turn.text))
        return reply
    if state.unclear == 0:
        return Reply([{"response": f"utter_rephrase_{fact}"}], replace(state, unclear=1))
    # Second miss: stop asking, give the safer-case steps and say what was assumed.
    facts[fact] = safer_value(fact)
    assumed.append(fact)
    state = replace(state, facts=facts, assumed=tuple(dict.fromkeys(assumed)), asking=None)
    return _next(state, [])


_STOP_WORDS = re.compile(
    r"\b(stop|cancel|forget (it|that|about it)|never ?mind|quit|exit|leave it|start (again|over)|reset)\b",
    re.IGNORECASE,
)


#: "Ask him to stop", "can I make them stop?": stopping someone else, not the conversation.
_STOP_SOMEONE = re.compile(
    r"\b(him|her|them|they|he|she|it|people|someone)\b.{0,20}\bstop|\bstop (him|her|them|it|this|that)\b",
    re.IGNORECASE,
)


def _really_stop(state: State, turn: Turn) -> bool:
    """Mid-conversation, "stop" must be said in words, and about the conversation: a guess of
    "stop" for an unreadable reply, "ask him to stop" or "I've deleted it" is not a reason to
    drop the situation."""
    if _answers_the_question(state, turn):
        return False
    if not state.scenario:
        return True
    text = turn.text or ""
    return bool(_STOP_WORDS.search(text)) and not is_question(text) and not _STOP_SOMEONE.search(text)


def _answers_the_question(state: State, turn: Turn) -> bool:
    """ "She's stopped now" read as "stop" is still an answer to "is she still recording?"."""
    if not (state.asking and state.scenario):
        return False
    fact = state.asking
    return answer_for(fact, turn.text, None, turn.entity(fact), turn.entity("who")) not in (None, "dont_know")


def _is_new_situation(state: State, turn: Turn) -> bool:
    """A confident, different scenario in a message long enough to describe something."""
    return (
        turn.intent in SCENARIO_IDS
        and turn.intent != state.scenario
        and turn.confidence >= NEW_SITUATION_CONFIDENCE
        and situation_words(turn.text) >= MIN_SITUATION_WORDS
    )


def _follow_up_rather_than_new(state: State, turn: Turn) -> bool:
    """After the steps, "can I block him?" is about this situation, whatever the model leaned to."""
    if not (state.scenario and state.guidance_given) or state.scenario == "urgent_danger":
        return False
    if _how_they_feel(turn.text) or turn.intent == state.scenario:
        return True
    if not is_question(turn.text) and not follow_up_topic(turn.text):
        # More about this situation ("it's on her personal account, the patient didn't know"),
        # unless it plainly tells another one: the model sure of it, and not referring back.
        return not (
            _is_new_situation(state, turn)
            and turn.confidence >= SURE_OF_NEW_SITUATION
            and not continues_a_conversation(turn.text)
        )
    # A question that names a different situation in full is a new situation; one that also
    # asks a usual follow-up ("..., do I have to accept?") needs the model to be surer of it.
    if follow_up_topic(turn.text):
        return not (turn.confidence >= SURE_OF_NEW_SITUATION and _tells_something(turn.text))
    return not (
        turn.confidence >= NEW_SITUATION_CONFIDENCE and situation_words(turn.text) >= 2 * MIN_SITUATION_WORDS
    )


def _tells_something(text: str) -> bool:
    """Besides the question, a statement long enough to describe a situation: "a patient added
    me on facebook, do I have to accept?" does; "will I get in trouble for having it?" doesn't."""
    parts = re.split(r"[.!?;]+|,\s*(?:but|and|so)?\s*", text or "")
    return any(
        len(part.split()) >= MIN_SITUATION_WORDS and not is_question(part) for part in parts if part.strip()
    )


# --- after the steps --------------------------------------------------------------------------


def _follow_up(state: State, turn: Turn) -> Reply | None:
    """A question about the same situation, answered from that Trust's policy for it."""
    pack = load_pack(state.trust)
    if (turn.intent == "ask_why" and _WHY.search(turn.text or "")) or _ASKS_WHY.match(turn.text or ""):
        return Reply([{"text": why_text(pack, state.scenario, turn.text)}], state)
    if turn.intent == "show_clause" or (turn.intent == "incident_summary" and _asked_for(_SUMMARY, turn)):
        return None
    if turn.intent in ("start_quiz", "start_induction") and _asked_for(_TOUR, turn):
        return None
    if turn.intent == "choose_trust" and not is_question(turn.text):
        return None  # "I work for TEWV"; "can we call it SECAmb Crawley Official?" is a question
    topic = follow_up_topic(turn.text, loose=is_question(turn.text))
    if topic or _how_they_feel(turn.text):
        # "I feel awful, is there anyone I can talk to?": sorry first, then the answer; a feeling
        # said alone gets who to talk to at work, from this Trust's policy.
        sorry = {"text": "I'm sorry, that sounds hard. You don't have to deal with it on your own."}
        answer = _topic_answer(state, topic or "support", turn.text)
        return Reply([sorry, *answer] if _FEELING.search(turn.text or "") else answer, state)
    new_facts = {k: v for k, v in _facts_in(turn, state.scenario).items() if k in _questions(state)}
    changed = {k: v for k, v in new_facts.items() if state.facts.get(k) != v}
    if changed and turn.intent in (state.scenario, "inform", "affirm", "deny", None):
        facts = {**state.facts, **changed}
        assumed = tuple(a for a in state.assumed if a not in changed)
        return _answer(replace(state, facts=facts, assumed=assumed), [])
    if is_question(turn.text) or turn.intent == "policy_question":
        return Reply([answer_in_context(pack, state.scenario, turn.text, _guidance(state))], state)
    if turn.intent in (*SCENARIO_IDS, "affirm", "deny", "inform", "dont_know", "nlu_fallback"):
        return Reply([_more_detail(state, turn)], state)
    return None


def _more_detail(state: State, turn: Turn) -> Message:
    """More detail after the steps that changes no answer: the steps it bears on, or say so.

    "It's on her personal account, the patient didn't know" is the same situation told further,
    not a new one and not a question: starting again or answering it as a question would lose
    the person mid-incident.
    """
    steps = matching_steps(_guidance(state), turn.text)
    if steps:
        lines = ["Thanks. With that, these steps matter most:"]
        lines += [f"- {step_line(s)}" for s in steps]
        lines.append('Ask me anything about them (for example "do I have to tell my manager?" or "why?").')
        return {"text": "\n".join(lines)}
    return {
        "text": "Thanks. That doesn't change the steps above. Ask me anything about them (for example "
        '"do I have to tell my manager?" or "why?"), or tell me about something else.'
    }


#: After the steps, "why?" and "quiz me" are said in words; a question the model leaned to
#: "why" or to the tour ("should I go to the police?") is a question about the situation.
_WHY = re.compile(r"\b(why|how come|reason|what for|explain|wh?y)\b|^\W*y\W*$", re.IGNORECASE)
#: "Why not? she's not my patient any more": asked as why, whatever the model read it as.
_ASKS_WHY = re.compile(r"\W*(why|how come)\b", re.IGNORECASE)
_SUMMARY = re.compile(
    r"\b(summary|summarise|summarize|write ?(it|that|this|everything)? ?up|writeup|sum (it|this|that) up|"
    r"incident (report|form)|for (the|my) (form|record|report|manager))\b",
    re.IGNORECASE,
)
_TOUR = re.compile(r"\b(quiz|test me|tour|induction|new starter|things to know|start|begin)\b", re.IGNORECASE)


def _asked_for(words: re.Pattern[str], turn: Turn) -> bool:
    """Pressed as a button ("/incident_summary") or said in words."""
    text = (turn.text or "").strip()
    return text.startswith("/") or bool(words.search(text))


#: How they feel, said after the steps: "i feel rubbish after all this", "im pretty shaken".
_FEELING = re.compile(
    r"\b(i|im|i'm|i am)( feel| feeling| felt)?( really| so| pretty| a bit| quite)? "
    r"(awful|rubbish|terrible|shaken|shook|upset|anxious|scared|sick|horrible|crap|shit|low|"
    r"embarrassed|humiliated|devastated|gutted|overwhelmed|worried)\b",
    re.IGNORECASE,
)


def _how_they_feel(text: str) -> bool:
    return bool(_FEELING.search(text or "")) and situation_words(text) <= 2 * MIN_SITUATION_WORDS


def _guidance(state: State) -> Any:
    return guidance_for(
        state.trust, state.scenario, dict(state.facts), list(state.assumed), platform=state.platform
    )


def _topic_answer(state: State, topic: str, question: str = "") -> list[Message]:
    return [follow_up_reply(load_pack(state.trust), _guidance(state), topic, question)]


# --- danger, "just the steps", and everything else ---------------------------------------------


def _danger(state: State, turn: Turn) -> Reply:
    """999 / security first, then the steps that matter now.

    For the ``urgent_danger`` intent the 999 line was already sent by a Rasa response (so it
    survives a failed action server) and is not repeated; otherwise the steps open with it.
    """
    scenario = _likeliest_scenario(turn, among=DANGER_RELATED)
    if scenario is None and state.scenario in DANGER_RELATED:
        scenario = state.scenario
    if scenario is None:
        scenario = "urgent_danger"
    state = replace(
        _fresh(state) if scenario != state.scenario else state,
        scenario=scenario,
        facts={
            **(state.facts if scenario == state.scenario else {}),
            **_facts_in(turn, scenario),
            "immediate_danger": True,
        },
    )
    return _answer(_assume_rest(state), [], safety_said=turn.intent == "urgent_danger")


def _just_the_steps(state: State, turn: Turn) -> Reply:
    """ "Just tell me what to do": the steps now, however little is known."""
    described = None
    if situation_words(turn.text) >= 4:
        described = _likeliest_scenario(turn)
    if described:
        return _start(state, turn, described, steps_only=True)
    if state.scenario:
        return _answer(_assume_rest(state), [])
    return Reply(
        [
            {
                "text": "Tell me in one line what's happened and I'll give you the steps straight away, "
                "with no questions."
            }
        ],
        replace(state, steps_only=True),
    )


def _likeliest_scenario(turn: Turn, among: tuple[str, ...] | None = None) -> str | None:
    for name, confidence in turn.ranking:
        if name in SCENARIO_IDS and name != "urgent_danger" and confidence >= RANKING_CONFIDENCE:
            if among is None or name in among:
                return name
            return None
    return None


def _conversation(state: State, turn: Turn) -> Reply:
    """Greetings, help, Trust, clauses, free questions, the tour and the quiz."""
    intent = turn.intent
    pack = load_pack(state.trust)
    if intent in CONVERSATION_REPLIES:
        messages: list[Message] = [{"response": CONVERSATION_REPLIES[intent]}]
        if intent == "greet":
            messages.append(
                {
                    "text": f"I'm answering from {trust_label(pack)}'s policy. If you work for another "
                    'Trust, say so, for example "I work for TEWV".'
                }
            )
        return Reply(messages, state)
    if intent == "help":
        return Reply([answers.help_message(pack)], state)
    if intent == "choose_trust":
        if not turn.entity("trust"):
            return Reply([answers.trust_choice()], state)
        if turn.entity("trust") == "other":  # "Another Trust": no pack of theirs here
            return Reply([answers.other_trust(pack)], state)
        lines = [f"OK, I'll answer from {policy_source_line(pack)}."]
        note = review_note(pack, pack.review_status())
        if note:
            lines.append(note)
        return Reply([{"text": " ".join(lines)}], state)
    if intent == "show_clause":
        return Reply([answers.clause_reply(pack, turn.text)], state)
    if intent == "incident_summary":
        if not (state.scenario and state.guidance_given):
            return Reply(
                [
                    {
                        "text": "I can write a summary once I've given you the steps for a situation. "
                        "Tell me what's happened."
                    }
                ],
                state,
            )
        guidance = guidance_for(state.trust, state.scenario, dict(state.facts), list(state.assumed))
        return Reply([{"text": incident_summary(guidance)}], state)
    if intent == "ask_why":
        if state.scenario:
            return Reply([{"text": why_text(pack, state.scenario)}], state)
        return Reply(
            [{"text": "Tell me what's happened first, and I'll explain why the policy says what it does."}],
            state,
        )
    if intent == "start_induction":
        step = turn.entity("tour_step")
        stop = int(step) if str(step or "").isdecimal() else 1
        return Reply([induction.tour_stop(pack, stop)], state)
    if intent == "start_quiz":
        return _quiz(state, turn)
    if intent == "policy_question":
        return Reply([answers.answer_question(pack, turn.text)], state)
    if intent == "nlu_fallback":
        likeliest = _likeliest_scenario(turn)
        if likeliest and (wants_steps_only(turn.text) or state.steps_only):
            # "Just tell me what to do, a visitor is filming in bay 3", read two ways: a ward
            # manager mid-incident gets the likeliest one's steps now, told which, not a menu.
            return _taken_as(state, turn, likeliest)
        ranked = [name for name, _ in turn.ranking]
        options = answers.did_you_mean(ranked)
        state = replace(state, offered=tuple(n for n in ranked if n in SCENARIO_IDS)[:2])
        found = answers.clause_matches(pack, turn.text) if is_question(turn.text) else []
        if found:
            # A question the model can't place still gets the policy's answer, then the choice.
            return Reply(
                [
                    answers.answer_question(pack, turn.text, found),
                    {"text": "If you meant a situation, is it one of these?", "buttons": options["buttons"]},
                ],
                state,
            )
        return Reply([options], state)
    if intent in ("affirm", "dont_know", "inform"):
        return Reply([{"response": "utter_ask_what_happened"}], state)
    if intent == "deny":
        return Reply([{"response": "utter_anything_else"}], state)
    return Reply([{"response": "utter_ask_what_happened"}], state)


#: After "did you mean", these are still conversation, not a reply to the choice.
_NOT_A_CHOICE = frozenset(
    {
        "greet",
        "goodbye",
        "thanks",
        "help",
        "stop",
        "choose_trust",
        "show_clause",
        "start_quiz",
        "start_induction",
        "incident_summary",
        "out_of_scope",
    }
)


def _after_did_you_mean(state: State, turn: Turn, offered: tuple[str, ...]) -> Reply | None:
    """The message after "did you mean": a choice, a no, or more words. Never a second menu.

    "Yes" takes the likeliest; "neither" asks what happened; anything else (more detail, a
    question, another unsure reading) is read as the likeliest of the offered situations, and
    answered now with the safer case for what is unknown, saying what was taken.
    """
    if turn.intent in SCENARIO_IDS and turn.confidence >= NEW_SITUATION_CONFIDENCE:
        return None  # a clear situation: the caller starts it
    if turn.intent in _NOT_A_CHOICE:
        return None
    if turn.intent == "deny" and not is_question(turn.text):
        return Reply([{"response": "utter_ask_what_happened"}], state)
    scores = dict(turn.ranking)
    if turn.intent == "affirm":
        chosen = offered[0]
    else:
        chosen = max(offered, key=lambda s: scores.get(s, 0.0) + (0.01 if s == offered[0] else 0.0))
    return _taken_as(state, turn, chosen)


def _taken_as(state: State, turn: Turn, chosen: str) -> Reply:
    """The steps for the situation it was taken as, now, saying which (and any question asked)."""
    title = scenario_titles()[chosen]["title"]
    taken = {"text": f"I've taken this as: **{title}**. If it's something else, tell me in a few words."}
    reply = _start(state, turn, chosen, steps_only=True)
    reply.messages.insert(0, taken)
    return _and_what_they_asked(reply, turn) if is_question(turn.text) else reply


def _and_what_they_asked(reply: Reply, turn: Turn) -> Reply:
    """Steps given in answer to a question: the follow-up it asked is answered after them."""
    topic = follow_up_topic(turn.text)
    if topic and reply.state.guidance_given:
        reply.messages.extend(_topic_answer(reply.state, topic, turn.text))
    return reply


def _quiz(state: State, turn: Turn) -> Reply:
    pack = load_pack(state.trust)
    quiz = state.quiz or {}
    chosen = turn.entity("quiz_answer")
    if chosen is None or "number" not in quiz:
        return Reply([induction.ask(pack, 0)], replace(state, quiz={"number": 0, "score": 0}))
    number, score = int(quiz["number"]), int(quiz["score"])
    right, explanation = induction.mark(pack, number, str(chosen))
    score += int(right)
    messages: list[Message] = [{"text": explanation}]
    if number + 1 < len(induction.quiz_questions(pack)):
        messages.append(induction.ask(pack, number + 1))
        return Reply(messages, replace(state, quiz={"number": number + 1, "score": score}))
    messages.append(induction.final_score(pack, score))
    return Reply(messages, replace(state, quiz=None))


# --- helpers ----------------------------------------------------------------------------------


def _fresh(state: State) -> State:
    """Forget the situation and its answers; keep the Trust."""
    return State(trust=state.trust, platform=state.platform)


def _option_values(fact: str) -> list[Any]:
    return [option["value"] for option in load_questions()[fact]["options"]]


def _without_danger_line(messages: list[Message]) -> list[Message]:
    """The 999 line was already sent by the Rasa response: don't say it twice."""
    from bot.guidance import safety_lines

    line = f"**{safety_lines()['immediate_danger']}**"
    cleaned = []
    for message in messages:
        text = message.get("text")
        if text and line in text:
            message = {**message, "text": text.replace(line + "\n\n", "").replace(line, "")}
        cleaned.append(message)
    return cleaned
