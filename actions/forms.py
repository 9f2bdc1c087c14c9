"""One validation action per scenario form, and one "ask" action per question.

Which questions a form asks depends on the user's Trust: ``required_slots`` returns the facts
that Trust's playbook branches on, so a Trust whose policy does not care whether the person is
still filming is never asked. Facts already stated in the first message are read by
``bot.facts`` and not asked again.

Unhappy paths handled here, so every form behaves the same way:
- "not sure" takes the safer answer (and the reply says so);
- "why?" explains why the question matters, then asks it again;
- "just tell me what to do" stops asking: every unknown takes the safer answer;
- naming a Trust mid-form switches the pack and re-plans the questions;
- two answers in a row that say nothing take the safer answer and move on.
A different scenario, "stop" or immediate danger are *rejected* here, so the rules for those
(data/rules/conversation.yml, data/rules/scenarios.yml) take over.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    FACT_SLOTS,
    entity_values,
    latest_intent,
    latest_text,
    say_danger_first,
    send,
    trust_of,
)
from bot.facts import (
    facts_from_text,
    implied_facts,
    mentions_immediate_danger,
    wants_steps_only,
    yes_or_no,
)
from bot.guidance import safer_value
from bot.policy.packs import (
    CORE_SCENARIOS,
    FURTHER_SCENARIOS,
    SCENARIO_IDS,
    load_pack,
    load_questions,
)
from bot.render import render_question, trust_label

# What the spaCy "who" entity says about the facts that ask who someone is.
_WHO_TO_FACTS: dict[str, dict[str, Any]] = {
    "former_patient": {"patient_status": "former", "abuser": "patient"},
    "patient": {"abuser": "patient"},
    "relative": {"abuser": "patient"},
    "visitor": {"abuser": "stranger"},
    "colleague": {"abuser": "colleague"},
    "member_of_public": {"abuser": "stranger"},
}
_NEVER_AN_ANSWER = {"stop", "urgent_danger", *SCENARIO_IDS}
MAX_UNCLEAR_ANSWERS = 2


def _option_values(fact: str) -> list[Any]:
    return [option["value"] for option in load_questions()[fact]["options"]]


def answer_from_message(fact: str, tracker: Tracker, loose: bool = True) -> Any:
    """The value the latest message gives ``fact``, or None if it gives none.

    ``loose`` also reads a bare yes/no ("yep", "nah"); it is off when the message looks like a
    new situation, so "yes, and a journalist rang too" switches scenario rather than answering.
    """
    for value in entity_values(tracker, fact):  # a button payload: /inform{"fact": value}
        if value in _option_values(fact):
            return value
    intent = latest_intent(tracker)
    if loose and True in _option_values(fact):
        if intent in ("affirm", "deny"):
            return intent == "affirm"
        short_answer = yes_or_no(latest_text(tracker))
        if short_answer is not None:
            return short_answer
    for who in entity_values(tracker, "who"):
        if fact in _WHO_TO_FACTS.get(who, {}):
            return _WHO_TO_FACTS[who][fact]
    stated = facts_from_text(latest_text(tracker), only=[fact]).get(fact)
    return stated if stated is not None else implied_facts(latest_text(tracker)).get(fact)


class ScenarioFormValidation(FormValidationAction):
    """Shared behaviour of every ``validate_<scenario>_form``."""

    scenario: str = ""

    def name(self) -> str:
        return f"validate_{self.scenario}_form"

    def questions(self, tracker: Tracker) -> list[str]:
        playbook = load_pack(trust_of(tracker)).playbook(self.scenario)
        return list(playbook.questions) if playbook else []

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return self.questions(tracker)

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        questions = self.questions(tracker)
        known = {fact: tracker.get_slot(fact) for fact in FACT_SLOTS}
        assumed = list(tracker.get_slot("assumed") or [])
        requested = tracker.get_slot("requested_slot")
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        found: dict[str, Any] = {}

        if intent == "urgent_danger":
            return []  # always the rules' business: 999 and security first
        if requested is not None and mentions_immediate_danger(text):
            say_danger_first(dispatcher)
            found["immediate_danger"] = True
        if requested in questions:
            elsewhere = intent in _NEVER_AN_ANSWER and intent != self.scenario
            answer = answer_from_message(requested, tracker, loose=not elsewhere)
            if answer is None and elsewhere:
                return []  # not an answer: let the rules switch scenario, stop or escalate
            if answer is None and intent == "dont_know":
                answer = safer_value(requested)
                assumed.append(requested)
            if answer is None and intent == "ask_why":
                dispatcher.utter_message(text=self.why(requested, tracker))
                return [SlotSet("unclear_answers", tracker.get_slot("unclear_answers"))]
            if answer is not None:
                found[requested] = answer

        # Anything else the message states (first message, or an answer that says more).
        implied = implied_facts(text, (entity_values(tracker, "who") or [None])[0])
        stated = {
            **{k: v for k, v in implied.items() if k in questions},
            **facts_from_text(text, only=questions),
        }
        for who in entity_values(tracker, "who"):
            stated.update({k: v for k, v in _WHO_TO_FACTS.get(who, {}).items() if k in questions})
        for fact, value in stated.items():
            if known.get(fact) is None and fact not in found:
                found[fact] = value

        events: list[EventType] = []
        steps_only = tracker.get_slot("steps_only") or intent == "just_the_steps" or wants_steps_only(text)
        unclear = 0
        if requested in questions and requested not in found and not steps_only:
            unclear = int(tracker.get_slot("unclear_answers") or 0) + 1
            if unclear >= MAX_UNCLEAR_ANSWERS:
                found[requested] = safer_value(requested)
                assumed.append(requested)
                dispatcher.utter_message(text="I'll assume the safer answer to that and carry on.")
                unclear = 0
        if intent == "choose_trust" and entity_values(tracker, "trust"):
            pack = load_pack(trust_of(tracker))
            dispatcher.utter_message(text=f"OK, I'll answer from {trust_label(pack)}'s policy.")
            events.append(SlotSet("trust", pack.id))

        filled = {**known, **found}
        if steps_only:
            for fact in questions:
                if filled.get(fact) is None:
                    found[fact] = filled[fact] = safer_value(fact)
                    assumed.append(fact)
            events.append(SlotSet("steps_only", True))

        events.extend(SlotSet(fact, value) for fact, value in found.items())
        events.append(SlotSet("assumed", sorted(set(assumed))))
        events.append(SlotSet("unclear_answers", unclear))
        next_question = next((q for q in questions if filled.get(q) is None), None)
        events.append(SlotSet("requested_slot", next_question))
        return events

    def why(self, fact: str, tracker: Tracker) -> str:
        """Why this question: the reason it changes the answer, from questions.yml."""
        pack = load_pack(trust_of(tracker))
        reason = load_questions()[fact]["why"]
        return f"{reason} {trust_label(pack)}'s policy gives different steps depending on the answer."


def _make_validation_action(scenario: str) -> type[ScenarioFormValidation]:
    return type(
        f"Validate{''.join(p.title() for p in scenario.split('_'))}Form",
        (ScenarioFormValidation,),
        {"scenario": scenario, "__doc__": f"Validates the {scenario} form."},
    )


class AskQuestion(Action):
    """Shared behaviour of every ``action_ask_<fact>``: the question and its buttons."""

    fact: str = ""

    def name(self) -> str:
        return f"action_ask_{self.fact}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # A second try after an answer that could not be read: the question rephrased, with an example.
        send(dispatcher, [render_question(self.fact, rephrase=bool(tracker.get_slot("unclear_answers")))])
        return []


def _make_ask_action(fact: str) -> type[AskQuestion]:
    return type(f"Ask{''.join(p.title() for p in fact.split('_'))}", (AskQuestion,), {"fact": fact})


# rasa_sdk registers every Action subclass it finds in the package, so creating them is enough.
VALIDATION_ACTIONS = [_make_validation_action(s) for s in (*CORE_SCENARIOS, *FURTHER_SCENARIOS)]
ASK_ACTIONS = [_make_ask_action(f) for f in load_questions()]
