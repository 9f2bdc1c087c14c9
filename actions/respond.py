"""The one action: every user message is answered by ``bot.interview.respond``.

This file only translates. The tracker becomes a ``State`` (what the conversation knows, from
slots that hold nothing but our own vocabularies) and a ``Turn`` (the message as the NLU read
it); the ``Reply`` becomes messages and the slot changes. What to ask, what to assume and when
to answer is decided in bot/interview.py, tested without Rasa. One action per message means one
action-server round trip per message.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import FACT_SLOTS, latest_intent, latest_text, send
from bot.guidance import resolve_trust
from bot.interview import State, Turn, respond
from bot.policy.packs import SCENARIO_IDS

#: State fields kept in slots of the same name (facts are one slot each).
STATE_SLOTS = ("scenario", "asking", "assumed", "steps_only", "guidance_given", "platform", "quiz", "offered")


def state_from(tracker: Tracker) -> State:
    """What the conversation knows, read from its slots."""
    scenario = tracker.get_slot("scenario")
    asking = tracker.get_slot("asking")
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    return State(
        # The Trust before this message: a Trust named in it is the interview's to take up.
        trust=resolve_trust(None, tracker.get_slot("trust"), metadata.get("trust")),
        scenario=scenario if scenario in SCENARIO_IDS else None,
        facts={f: tracker.get_slot(f) for f in FACT_SLOTS if tracker.get_slot(f) is not None},
        assumed=tuple(tracker.get_slot("assumed") or ()),
        asking=asking if asking in FACT_SLOTS else None,
        unclear=int(tracker.get_slot("unclear_answers") or 0),
        guidance_given=bool(tracker.get_slot("guidance_given")),
        steps_only=bool(tracker.get_slot("steps_only")),
        platform=tracker.get_slot("platform"),
        quiz=tracker.get_slot("quiz"),
        offered=tuple(s for s in tracker.get_slot("offered") or () if s in SCENARIO_IDS),
    )


def turn_from(tracker: Tracker) -> Turn:
    """The latest message as the NLU read it: intent, ranking and entities by name."""
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    entities: dict[str, tuple[Any, ...]] = {}
    for entity in message.get("entities") or []:
        name = entity.get("entity")
        if name:
            entities[name] = (*entities.get(name, ()), entity.get("value"))
    ranking = tuple(
        (r.get("name"), float(r.get("confidence") or 0.0))
        for r in message.get("intent_ranking") or []
        if r.get("name")
    )
    return Turn(
        intent=latest_intent(tracker),
        text=latest_text(tracker),
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        entities=entities,
    )


def events_for(before: State, after: State) -> list[EventType]:
    """Slot changes only: what the new state knows that the old one did not, or forgot."""
    events: list[EventType] = []
    if after.trust != before.trust:
        events.append(SlotSet("trust", after.trust))
    for name in STATE_SLOTS:
        old, new = getattr(before, name), getattr(after, name)
        if name in ("assumed", "offered"):
            old, new = list(old), list(new)
        if old != new:
            events.append(SlotSet(name, new))
    if after.unclear != before.unclear:
        events.append(SlotSet("unclear_answers", after.unclear))
    for fact in FACT_SLOTS:
        if before.facts.get(fact) != after.facts.get(fact):
            events.append(SlotSet(fact, after.facts.get(fact)))
    return events


class ActionRespond(Action):
    def name(self) -> str:
        return "action_respond"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        before = state_from(tracker)
        reply = respond(before, turn_from(tracker))
        send(dispatcher, reply.messages)
        return events_for(before, reply.state)
