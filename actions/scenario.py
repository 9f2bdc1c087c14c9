"""Actions around a scenario: start it, answer it, explain it, summarise it, stop it."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    entity_values,
    guidance_from,
    latest_intent,
    latest_text,
    reset_facts,
    say_danger_first,
    scenario_of,
    send,
    trust_of,
)
from bot.danger import DANGER_RELATED
from bot.facts import (
    facts_from_text,
    mentions_immediate_danger,
    situation_words,
    sounds_upset,
    wants_steps_only,
)
from bot.guidance import guidance_for
from bot.incident import incident_summary, why_text
from bot.policy.packs import SCENARIO_IDS, load_pack
from bot.render import render_guidance

MIN_SITUATION_WORDS = 4  # "a visitor is filming" is a situation; "please" is not


def scenario_in_ranking(tracker: Tracker) -> str | None:
    """The likeliest scenario the model saw in the message, if it saw one at all."""
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        if ranked.get("name") in SCENARIO_IDS and ranked.get("confidence", 0) >= 0.05:
            return ranked["name"]
    return None


class ActionStartScenario(Action):
    """A new situation: forget the last one's answers, acknowledge, and say what comes next."""

    def name(self) -> str:
        return "action_start_scenario"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        scenario = latest_intent(tracker)
        if scenario not in SCENARIO_IDS:
            return []
        text = latest_text(tracker)
        trust = trust_of(tracker)
        steps_only = bool(tracker.get_slot("steps_only")) or wants_steps_only(text)
        events: list[EventType] = [
            *reset_facts(),
            SlotSet("requested_slot", None),
            SlotSet("scenario", scenario),
            SlotSet("trust", trust),
            SlotSet("steps_only", steps_only or None),
            SlotSet("platform", (entity_values(tracker, "platform") or [None])[0]),
        ]
        if mentions_immediate_danger(text):
            say_danger_first(dispatcher)
            events.append(SlotSet("immediate_danger", True))
        if sounds_upset(text):
            dispatcher.utter_message(text="I'm sorry this is happening. I'll keep this quick.")
        return events


class ActionGiveGuidance(Action):
    """The answer: the Trust's steps in order, who to tell, and the clauses, quoted."""

    def name(self) -> str:
        return "action_give_guidance"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        scenario = scenario_of(tracker)
        if scenario is None:
            dispatcher.utter_message(response="utter_ask_what_happened")
            return []
        guidance = guidance_from(tracker, scenario)
        send(dispatcher, render_guidance(guidance))
        return [
            SlotSet("guidance_given", True),
            SlotSet("steps_only", None),
            *[SlotSet(fact, value) for fact, value in guidance.facts.items()],
            SlotSet("assumed", guidance.assumed),
        ]


class ActionUrgentDanger(Action):
    """Immediate danger: 999 and security first, before anything else, then the Trust's steps."""

    def name(self) -> str:
        return "action_urgent_danger"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        scenario = danger_related_scenario(tracker) or "urgent_danger"
        facts = {"immediate_danger": True} if scenario != "urgent_danger" else {}
        guidance = guidance_for(trust_of(tracker), scenario, facts, platform=tracker.get_slot("platform"))
        send(dispatcher, render_guidance(guidance))
        return [
            ActiveLoop(None),
            *reset_facts(),
            SlotSet("requested_slot", None),
            SlotSet("scenario", scenario),
            *[SlotSet(fact, value) for fact, value in guidance.facts.items()],
            SlotSet("assumed", guidance.assumed),
            SlotSet("guidance_given", True),
        ]


def danger_related_scenario(tracker: Tracker) -> str | None:
    """The classifier's own top situation, behind the danger override, if it is danger-related."""
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        name = ranked.get("name")
        if name in ("urgent_danger", "nlu_fallback"):
            continue
        if name in DANGER_RELATED and ranked.get("confidence", 0) >= 0.1:
            return name
        return None
    return None


class ActionJustTheSteps(Action):
    """ "Just tell me what to do": the steps now, with the safer answer to anything unknown.

    A ward manager often says it in the same breath as the situation ("just tell me what to do,
    a relative is filming in bay 3"). The model then reads the hurry, not the situation, so the
    likeliest scenario in its ranking is taken when the message describes something.
    """

    def name(self) -> str:
        return "action_just_the_steps"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        described = scenario_in_ranking(tracker) if situation_words(text) >= MIN_SITUATION_WORDS else None
        events: list[EventType] = []
        if described:
            events = [*reset_facts(), SlotSet("scenario", described), SlotSet("trust", trust_of(tracker))]
            facts = facts_from_text(text)
            events += [SlotSet(fact, value) for fact, value in facts.items()]
            tracker.slots.update({"scenario": described, "assumed": None, **facts})
            if mentions_immediate_danger(text):
                say_danger_first(dispatcher)
        scenario = described or scenario_of(tracker)
        if scenario is None:
            dispatcher.utter_message(
                text="Tell me in one line what's happened and I'll give you the steps straight "
                "away, with no questions."
            )
            return [SlotSet("steps_only", True)]
        guidance = guidance_from(tracker, scenario)
        send(dispatcher, render_guidance(guidance))
        return [*events, SlotSet("guidance_given", True), SlotSet("assumed", guidance.assumed)]


class ActionExplainWhy(Action):
    """ "Why?": the reason the Trust's policy gives, with the full text of the main clause."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        scenario = scenario_of(tracker)
        if scenario is None:
            dispatcher.utter_message(
                text="Tell me what's happened first, and I'll explain why the policy says what it does."
            )
            return []
        dispatcher.utter_message(text=why_text(load_pack(trust_of(tracker)), scenario))
        return []


class ActionIncidentSummary(Action):
    """A summary to paste into the Trust's incident system, built from slots, not free text."""

    def name(self) -> str:
        return "action_incident_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        scenario = scenario_of(tracker)
        if scenario is None or not tracker.get_slot("guidance_given"):
            dispatcher.utter_message(
                text="I can write a summary once I've given you the steps for a situation. "
                "Tell me what's happened."
            )
            return []
        dispatcher.utter_message(text=incident_summary(guidance_from(tracker, scenario)))
        return []


class ActionStop(Action):
    """ "Stop" / "cancel": leave whatever question is open and offer help."""

    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            *reset_facts(),
            SlotSet("scenario", None),
        ]
