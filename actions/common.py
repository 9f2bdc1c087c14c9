"""Reading a Rasa tracker into the plain values bot/ works with, and sending bot/ messages.

Actions stay thin: they translate the tracker into a call to ``bot`` and the result into
messages, nothing more.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.guidance import Guidance, guidance_for, resolve_trust, safety_lines
from bot.policy.packs import SCENARIO_IDS, load_questions

FACT_SLOTS = tuple(load_questions())
BOOKKEEPING_SLOTS = ("assumed", "steps_only", "unclear_answers", "guidance_given")


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def entity_values(tracker: Tracker, entity: str) -> list[Any]:
    return [e.get("value") for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def trust_of(tracker: Tracker) -> str:
    """The user's Trust: what they said (slot), else their Teams tenant's, else the deployment's."""
    metadata = tracker.latest_message.get("metadata") or {}
    mentioned = entity_values(tracker, "trust")
    return resolve_trust(
        mentioned[0] if mentioned else None, tracker.get_slot("trust"), metadata.get("trust")
    )


def facts_of(tracker: Tracker) -> dict[str, Any]:
    return {fact: tracker.get_slot(fact) for fact in FACT_SLOTS if tracker.get_slot(fact) is not None}


def scenario_of(tracker: Tracker) -> str | None:
    scenario = tracker.get_slot("scenario")
    return scenario if scenario in SCENARIO_IDS else None


def guidance_from(tracker: Tracker, scenario: str) -> Guidance:
    """The guidance for this conversation's Trust, facts, assumptions and platform."""
    return guidance_for(
        trust_of(tracker),
        scenario,
        facts_of(tracker),
        tracker.get_slot("assumed"),
        platform=tracker.get_slot("platform"),
    )


#: Longer than this, a message's buttons go in a short message of their own: a terminal shows
#: a message with buttons as a one-line menu prompt (cutting the text), and Teams puts a card's
#: buttons after all its text anyway.
LONG_MESSAGE = 200


def send(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        text, buttons = message.get("text"), message.get("buttons") or []
        if buttons and text and len(text) > LONG_MESSAGE:
            dispatcher.utter_message(text=text)
            text = message.get("prompt") or "What next?"
        dispatcher.utter_message(text=text, buttons=buttons)


def say_danger_first(dispatcher: CollectingDispatcher) -> None:
    """999 and security, before anything else, whenever a message mentions immediate danger."""
    dispatcher.utter_message(text=f"**{safety_lines()['immediate_danger']}**")


def reset_facts() -> list[SlotSet]:
    """Forget the previous situation's answers, so a new situation is asked afresh."""
    return [SlotSet(slot, None) for slot in (*FACT_SLOTS, *BOOKKEEPING_SLOTS)]
