"""Actions on their own, with rasa_sdk trackers and a CollectingDispatcher: no model, no server."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import ActionSetTrust
from actions.forms import VALIDATION_ACTIONS
from actions.scenario import ActionGiveGuidance, ActionUrgentDanger

VALIDATE = {cls.scenario: cls() for cls in VALIDATION_ACTIONS}


def tracker_for(
    text: str = "",
    intent: str = "recorded_by_patient",
    slots: dict | None = None,
    entities: list | None = None,
    metadata: dict | None = None,
) -> Tracker:
    return Tracker(
        sender_id="nurse",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def test_abuse_image_guidance_says_phone_101_and_never_asks_for_the_image():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(slots={"scenario": "abuse_image", "trust": "lpt"})
    await ActionGiveGuidance().run(dispatcher, tracker, domain={})
    text = said(dispatcher)
    assert "101" in text and "Appendix 6" in text
    assert "send it to me" not in text.lower() and "forward, copy, screenshot" in text


async def test_urgent_danger_says_999_before_anything_else():
    dispatcher = CollectingDispatcher()
    await ActionUrgentDanger().run(dispatcher, tracker_for(slots={"trust": "cumbria"}), domain={})
    assert said(dispatcher).startswith("**If anyone is in immediate danger, call 999")


async def test_teams_tenant_trust_is_used_when_the_user_has_not_named_one():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(slots={"scenario": "media_contact"}, metadata={"trust": "tewv"})
    await ActionGiveGuidance().run(dispatcher, tracker, domain={})
    assert "TEWV's policy" in said(dispatcher) and "4.5.1" in said(dispatcher)


async def test_naming_a_trust_sets_it_and_warns_when_its_policy_is_overdue():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(intent="choose_trust", entities=[{"entity": "trust", "value": "cumbria"}])
    events = await ActionSetTrust().run(dispatcher, tracker, domain={})
    assert SlotSet("trust", "cumbria") in events
    assert "overdue" in said(dispatcher)


async def test_facts_in_the_first_message_are_not_asked_again():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("a relative filmed me on the ward and put it on tiktok", slots={"trust": "lpt"})
    events = await VALIDATE["recorded_by_patient"].run(dispatcher, tracker, domain={})
    assert SlotSet("setting", "ward") in events
    assert SlotSet("posted_online", True) in events
    assert SlotSet("requested_slot", None) in events  # nothing left to ask: straight to the steps


async def test_not_sure_takes_the_safer_answer_and_remembers_it_was_assumed():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("no idea", intent="dont_know", slots={"trust": "lpt", "requested_slot": "setting"})
    events = await VALIDATE["recorded_by_patient"].run(dispatcher, tracker, domain={})
    assert SlotSet("setting", "ward") in events
    assert SlotSet("assumed", ["setting"]) in events


async def test_why_explains_the_question_and_fills_nothing():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("why?", intent="ask_why", slots={"trust": "tewv", "requested_slot": "threatening"})
    events = await VALIDATE["recorded_by_patient"].run(dispatcher, tracker, domain={})
    assert "TEWV's policy gives different steps" in said(dispatcher)
    assert not [e for e in events if e["name"] == "threatening"]


@pytest.mark.parametrize("intent", ["media_contact", "stop", "urgent_danger"])
async def test_a_different_scenario_stop_or_danger_is_left_to_the_rules(intent):
    tracker = tracker_for(
        "actually", intent=intent, slots={"trust": "lpt", "requested_slot": "posted_online"}
    )
    assert await VALIDATE["recorded_by_patient"].run(CollectingDispatcher(), tracker, domain={}) == []


async def test_a_trust_whose_policy_does_not_branch_is_not_asked():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for("a journalist rang me", intent="media_contact", slots={"trust": "tewv"})
    events = await VALIDATE["media_contact"].run(dispatcher, tracker, domain={})
    assert SlotSet("requested_slot", None) in events


async def test_did_you_mean_offers_the_top_two_scenarios_and_something_else():
    from actions.conversation import ActionDidYouMean

    dispatcher = CollectingDispatcher()
    tracker = tracker_for("photo", intent="nlu_fallback")
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback"},
        {"name": "greet"},
        {"name": "posting_work_content"},
        {"name": "recorded_by_patient"},
        {"name": "media_contact"},
    ]
    await ActionDidYouMean().run(dispatcher, tracker, domain={})
    buttons = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert buttons == ["/posting_work_content", "/recorded_by_patient", "/help"]


async def test_danger_mentioned_while_answering_puts_999_first():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(
        "yes and now he's pulled a knife", slots={"trust": "lpt", "requested_slot": "posted_online"}
    )
    events = await VALIDATE["recorded_by_patient"].run(dispatcher, tracker, domain={})
    assert dispatcher.messages[0]["text"].startswith("**If anyone is in immediate danger, call 999")
    assert SlotSet("immediate_danger", True) in events


async def test_an_answer_read_as_stop_still_answers_the_question():
    tracker = tracker_for(
        "she's stopped now", intent="stop", slots={"trust": "lpt", "requested_slot": "still_recording"}
    )
    form = VALIDATE["recorded_by_patient"]
    form_questions = form.questions
    form.questions = lambda tracker: ["still_recording"]  # a Trust that asks it
    try:
        events = await form.run(CollectingDispatcher(), tracker, domain={})
    finally:
        form.questions = form_questions
    assert SlotSet("still_recording", False) in events
