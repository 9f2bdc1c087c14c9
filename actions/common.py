"""Reading a Rasa tracker into the plain values bot/ works with, and sending bot/ messages.

Actions stay thin: they translate the tracker into a call to ``bot`` and the result into
messages, nothing more.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.policy.packs import load_questions

FACT_SLOTS = tuple(load_questions())


def latest_intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def latest_text(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


#: Longer than this, a message's buttons go in a short message of their own: a terminal shows
#: a message with buttons as a one-line menu prompt (cutting the text), and Teams puts a card's
#: buttons after all its text anyway.
LONG_MESSAGE = 200


def send(dispatcher: CollectingDispatcher, messages: list[dict[str, Any]]) -> None:
    """bot/ messages out: ``{"response": name}`` is a domain response, anything else text and buttons."""
    for message in messages:
        if message.get("response"):
            dispatcher.utter_message(response=message["response"])
            continue
        text, buttons = message.get("text"), message.get("buttons") or []
        if buttons and text and len(text) > LONG_MESSAGE:
            dispatcher.utter_message(text=text)
            text = message.get("prompt") or "What next?"
        dispatcher.utter_message(text=text, buttons=buttons)
