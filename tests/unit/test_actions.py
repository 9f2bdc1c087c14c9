"""The one action on its own, with rasa_sdk trackers and a CollectingDispatcher: no model, no server.

What to ask and when to answer is tested in test_interview.py; here, that the tracker is read
and written back faithfully: the right Trust, the facts as slots, responses by name.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionRespond

DANGER_LINE = "**If anyone is in immediate danger, call 999"


def tracker_for(
    text: str = "",
    intent: str = "recorded_by_patient",
    slots: dict | None = None,
    entities: list | None = None,
    metadata: dict | None = None,
    ranking: list | None = None,
    confidence: float = 1.0,
) -> Tracker:
    return Tracker(
        sender_id="nurse",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(tracker: Tracker) -> tuple[str, list[str], list]:
    dispatcher = CollectingDispatcher()
    events = await ActionRespond().run(dispatcher, tracker, domain={})
    text = "\n".join(m.get("text") or "" for m in dispatcher.messages)
    responses = [m["response"] for m in dispatcher.messages if m.get("response")]
    return text, responses, events


async def test_abuse_image_guidance_says_phone_101_and_never_asks_for_the_image():
    text, _, _ = await run(
        tracker_for("a patient showed me an indecent picture of a child", "abuse_image", {"trust": "lpt"})
    )
    assert "101" in text and "Appendix 6" in text
    assert "send it to me" not in text.lower() and "forward, copy, screenshot" in text


async def test_danger_intent_steps_follow_the_999_response_without_repeating_it():
    text, _, events = await run(
        tracker_for("a visitor has a knife on the ward", "urgent_danger", {"trust": "cumbria"})
    )
    assert DANGER_LINE not in text  # utter_immediate_danger already said it, before this action
    assert "Source:" in text and SlotSet("immediate_danger", True) in events


async def test_danger_in_an_answer_read_as_something_else_puts_999_first():
    text, _, events = await run(
        tracker_for(
            "yes and now he's pulled a knife",
            "affirm",
            {"trust": "lpt", "scenario": "recorded_by_patient", "asking": "posted_online"},
        )
    )
    assert text.startswith(DANGER_LINE)
    assert SlotSet("immediate_danger", True) in events


async def test_teams_tenant_trust_is_used_when_the_user_has_not_named_one():
    text, _, _ = await run(tracker_for("a journalist rang me", "media_contact", metadata={"trust": "tewv"}))
    assert "TEWV's policy" in text and "4.5.1" in text


async def test_naming_a_trust_sets_it_and_warns_when_its_policy_is_overdue():
    tracker = tracker_for(
        "I work for cumbria", "choose_trust", entities=[{"entity": "trust", "value": "cumbria"}]
    )
    text, _, events = await run(tracker)
    assert SlotSet("trust", "cumbria") in events
    assert "overdue" in text


async def test_facts_in_the_first_message_are_slots_and_are_not_asked_again():
    text, responses, events = await run(
        tracker_for("a relative filmed me on the ward and put it on tiktok", slots={"trust": "lpt"})
    )
    assert SlotSet("setting", "ward") in events and SlotSet("posted_online", True) in events
    assert not [r for r in responses if r.startswith("utter_ask_")]  # nothing left to ask
    assert "Source:" in text and SlotSet("guidance_given", True) in events


async def test_a_question_is_asked_by_its_domain_response_and_remembered():
    _, responses, events = await run(tracker_for("a patient's son filmed me", slots={"trust": "lpt"}))
    assert responses == ["utter_ask_setting"]
    assert SlotSet("asking", "setting") in events and SlotSet("scenario", "recorded_by_patient") in events


async def test_not_sure_takes_the_safer_answer_and_remembers_it_was_assumed():
    _, _, events = await run(
        tracker_for(
            "no idea", "dont_know", {"trust": "lpt", "scenario": "recorded_by_patient", "asking": "setting"}
        )
    )
    assert SlotSet("setting", "ward") in events
    assert any(e["name"] == "assumed" and "setting" in e["value"] for e in events)


async def test_why_explains_the_question_and_fills_nothing():
    text, responses, events = await run(
        tracker_for(
            "why?", "ask_why", {"trust": "tewv", "scenario": "recorded_by_patient", "asking": "setting"}
        )
    )
    assert "TEWV's policy gives different steps" in text and responses == ["utter_ask_setting"]
    assert not [e for e in events if e["name"] == "setting"]


async def test_a_new_situation_mid_question_starts_that_situation():
    tracker = tracker_for(
        "sorry, different thing, a reporter from the local paper has just rung asking about it",
        "media_contact",
        {"trust": "lpt", "scenario": "recorded_by_patient", "asking": "posted_online"},
        confidence=0.9,
    )
    _, _, events = await run(tracker)
    assert SlotSet("scenario", "media_contact") in events


async def test_a_trust_whose_policy_does_not_branch_is_not_asked():
    text, responses, _ = await run(tracker_for("a journalist rang me", "media_contact", {"trust": "tewv"}))
    assert not [r for r in responses if r.startswith("utter_ask_")] and "Source:" in text


async def test_did_you_mean_offers_the_top_two_scenarios_and_something_else():
    dispatcher = CollectingDispatcher()
    tracker = tracker_for(
        "photo",
        "nlu_fallback",
        ranking=[
            {"name": "nlu_fallback", "confidence": 0.3},
            {"name": "greet", "confidence": 0.2},
            {"name": "posting_work_content", "confidence": 0.2},
            {"name": "recorded_by_patient", "confidence": 0.1},
            {"name": "media_contact", "confidence": 0.1},
        ],
    )
    await ActionRespond().run(dispatcher, tracker, domain={})
    buttons = [b["payload"] for b in dispatcher.messages[0]["buttons"]]
    assert buttons == ["/posting_work_content", "/recorded_by_patient", "/help"]


async def test_an_answer_read_as_stop_still_answers_the_question():
    tracker = tracker_for(
        "she's stopped now",
        "stop",
        {"trust": "lpt", "scenario": "recorded_by_patient", "asking": "still_recording"},
    )
    _, responses, events = await run(tracker)
    assert SlotSet("still_recording", False) in events and "utter_stopped" not in responses
