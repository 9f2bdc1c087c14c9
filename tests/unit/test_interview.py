"""The interview as plain Python (bot/interview.py), without Rasa: what it asks, reads and answers.

These drive ``respond`` with the NLU's reading of each message spelled out, so they test the
decisions alone: no fact asked twice, free-text answers read, no stall, follow-ups in context.
"""

from __future__ import annotations

import pytest

from bot.interview import State, Turn, respond
from bot.policy.packs import TRUST_IDS


def turn(intent, text, confidence=0.9, **entities):
    return Turn(intent, text, confidence, ((intent, confidence),), {k: (v,) for k, v in entities.items()})


def words(reply) -> str:
    return " ".join(m.get("text") or m.get("response") or "" for m in reply.messages)


def test_doing_obs_says_where_so_only_posted_online_is_asked():
    reply = respond(
        State("lpt"),
        turn(
            "recorded_by_patient",
            "the lad in bed 6's brother had his phone pointed at me the whole time I was doing obs",
        ),
    )
    assert words(reply) == "utter_ask_posted_online"
    assert reply.state.facts["setting"] == "ward"


def test_i_think_so_answers_and_the_steps_follow():
    state = respond(
        State("lpt"), turn("recorded_by_patient", "a patient's husband filmed me on the ward")
    ).state
    reply = respond(state, turn("affirm", "I think so, it was on the ward"))
    assert "what LPT's policy says to do" in words(reply)
    assert reply.state.facts["posted_online"] is True and reply.state.guidance_given


def test_should_i_tell_someone_mid_question_gets_the_steps_not_a_repeat():
    state = respond(
        State("lpt"), turn("recorded_by_patient", "a patient's husband filmed me on the ward")
    ).state
    reply = respond(state, turn("policy_question", "he's gone now, should I tell someone?"))
    text = words(reply)
    assert "Who to tell" in text and "8.5" in text
    assert "use the buttons" not in text and "didn't catch" not in text.lower()


def test_a_visitor_is_not_asked_whether_they_are_detained():
    reply = respond(
        State("tewv"), turn("filming_on_premises", "a visitor is filming the nurses in bay 2 and laughing")
    )
    assert "utter_ask_detained_patient" not in words(reply)


def test_an_unreadable_answer_gets_one_rephrase_then_the_safer_steps():
    state = respond(
        State("lpt"), turn("recorded_by_patient", "a patient's husband filmed me on the ward")
    ).state
    first = respond(state, turn("nlu_fallback", "purple", 0.2))
    assert words(first) == "utter_rephrase_posted_online"
    second = respond(first.state, turn("nlu_fallback", "banana", 0.2))
    assert "assumed the safer case" in words(second)


def test_can_i_take_his_phone_after_the_steps_is_answered_in_context():
    state = respond(
        State("lpt"), turn("recorded_by_patient", "a visitor filmed me on the ward, it's on facebook")
    ).state
    assert state.guidance_given
    reply = respond(state, turn("filming_on_premises", "can I take his phone?", 0.7))
    assert "8.5" in words(reply) and "phone" in words(reply).lower()
    assert reply.state.scenario == "recorded_by_patient"


@pytest.mark.parametrize("trust", TRUST_IDS)
def test_danger_mid_question_gives_steps_without_repeating_the_999_response(trust):
    state = respond(State(trust), turn("online_abuse", "someone keeps posting my home address online")).state
    reply = respond(state, turn("urgent_danger", "he's outside my house right now with a knife"))
    assert "call 999 now" not in words(reply)  # already sent by the utter_immediate_danger rule
    assert reply.state.guidance_given and reply.state.facts.get("immediate_danger") is True


def test_just_tell_me_with_a_situation_answers_in_one_turn():
    reply = respond(
        State("lpt"),
        Turn(
            "just_the_steps",
            "just tell me what to do, a visitor is filming in bay 3",
            0.8,
            (("just_the_steps", 0.8), ("filming_on_premises", 0.15)),
        ),
    )
    assert "policy" in words(reply) and reply.state.guidance_given


def ranked(intent, text, *ranking):
    return Turn(intent, text, ranking[0][1], tuple(ranking), {})


def test_after_did_you_mean_more_words_get_the_likeliest_steps_and_say_so():
    menu = respond(
        State("lchs"),
        ranked(
            "nlu_fallback",
            "one of my HCAs has put something up about the ward",
            ("colleague_post", 0.28),
            ("posting_work_content", 0.22),
        ),
    )
    assert "Did you mean" in words(menu) and menu.state.offered == ("colleague_post", "posting_work_content")
    reply = respond(menu.state, ranked("inform", "yes im her line manager. its still up", ("inform", 0.6)))
    text = words(reply)
    assert "I've taken this as" in text and "colleague posted" in text.lower()
    assert "Did you mean" not in text and reply.state.guidance_given and not reply.state.offered


def test_neither_after_did_you_mean_asks_what_happened():
    menu = respond(
        State("lpt"),
        ranked("nlu_fallback", "something weird", ("colleague_post", 0.2), ("official_account", 0.1)),
    )
    assert words(respond(menu.state, turn("deny", "no neither"))) == "utter_ask_what_happened"


def steps_given(
    trust="lpt", scenario="recorded_by_patient", text="a visitor filmed me on the ward, it's on facebook"
):
    state = respond(State(trust), turn(scenario, text)).state
    assert state.guidance_given
    return state


def test_ask_him_to_stop_after_the_steps_is_a_question_not_the_end_of_the_conversation():
    state = steps_given()
    reply = respond(state, turn("stop", "should i ask him to stop or just ignore it?", 0.7))
    assert "stopped" not in words(reply) and reply.state.scenario == "recorded_by_patient"


def test_a_question_about_a_new_situation_after_the_steps_is_answered_at_once():
    state = steps_given()
    reply = respond(
        state,
        turn(
            "contact_from_patient", "separate thing but a patient added me on facebook, do I have to accept?"
        ),
    )
    assert reply.state.scenario == "contact_from_patient" and reply.state.guidance_given
    assert not any(m.get("response", "").startswith("utter_ask_") for m in reply.messages)


def test_why_read_by_the_model_but_not_asked_gets_an_answer_not_the_reason():
    state = steps_given()
    reply = respond(state, turn("ask_why", "who do i send it on to?", 0.6))
    assert not words(reply).startswith("**Why:**")


def test_feeling_awful_after_the_steps_gets_who_to_talk_to_in_this_trusts_words():
    state = steps_given(
        "cumbria", "online_abuse", "a patient keeps posting horrible things about me on facebook"
    )
    reply = respond(state, turn("online_abuse", "i feel rubbish after all this tbh", 0.7))
    text = words(reply)
    assert "sorry" in text.lower() and "line manager" in text
    assert reply.state.scenario == "online_abuse"


def test_a_follow_up_the_policy_is_silent_on_names_who_this_trust_says_to_take_it_to():
    from bot.follow_ups import follow_up_reply
    from bot.guidance import guidance_for
    from bot.policy.packs import load_pack

    guidance = guidance_for("secamb", "personal_use_at_work", {}, [])
    pack = load_pack("secamb")
    written = {f.topic for f in guidance.playbook.follow_ups}
    topic = next(t for t in ("keep_secret", "safeguarding", "block_or_report") if t not in written)
    text = follow_up_reply(pack, guidance, topic)["text"]
    assert "doesn't say" in text


@pytest.mark.parametrize(
    "question, topic",
    [
        ("do i need to write it in her notes or is that overkill", "record_it"),
        ("do I need a disclaimer like views my own?", "disclaimer"),
        ("is there any support for this, im pretty shaken", "support"),
        ("999 have got it. am I in trouble for having them on insta?", "in_trouble"),
        ("999 or 101? we're still on scene, do I ring them", "police"),
        ("what would I even say to him next time", "what_to_say"),
        ("should i tell the charge nurse about it", "tell_manager"),
        ("can we get his tweet taken down", "block_or_report"),
    ],
)
def test_follow_up_questions_find_their_topic(question, topic):
    from bot.follow_ups import follow_up_topic

    assert follow_up_topic(question, loose=True) == topic


def test_asking_for_support_read_as_the_summary_gets_an_answer_and_the_button_still_works():
    state = steps_given("secamb", "online_abuse", "a patient's brother keeps posting threats about me")
    reply = respond(state, turn("incident_summary", "is there any support for this", 0.6))
    assert "Incident summary" not in words(reply) and "Wellbeing" in words(reply)
    assert "Incident summary" in words(respond(state, turn("incident_summary", "/incident_summary")))


def test_ive_deleted_it_is_answered_from_the_delete_follow_up():
    from bot.follow_ups import follow_up_topic

    assert follow_up_topic("ive deleted it now, is that enough?") == "delete_it"


def test_more_detail_after_the_steps_keeps_the_situation_and_says_what_it_bears_on():
    state = steps_given("cumbria", "colleague_post", "a colleague put a video from the ward on her tiktok")
    reply = respond(
        state, turn("contact_from_patient", "her own account, loads of views, the patient never agreed", 0.9)
    )
    text = words(reply)
    assert reply.state.scenario == "colleague_post"
    assert text.startswith("Thanks.") and "what Cumbria" not in text


def test_a_plainly_new_situation_after_the_steps_still_starts_it():
    state = steps_given()
    message = turn("media_contact", "a reporter from the local paper has just rung the ward", 0.95)
    reply = respond(state, message)
    assert reply.state.scenario == "media_contact"


def test_danger_only_the_model_read_mid_situation_keeps_the_situation():
    state = steps_given(
        "tewv", "posting_work_content", "just tell me what to do, can I put the ward party photos on fb"
    )
    ranking = (("urgent_danger", 0.9), ("posting_work_content", 0.08))
    text = "the family said that's fine, the patient is a bit muddled today"
    message = Turn("urgent_danger", text, 0.9, ranking)
    reply = respond(state, message)
    assert reply.state.scenario == "posting_work_content"
    assert "immediate danger" not in words(reply)


def test_danger_in_the_words_mid_situation_is_still_danger_first():
    state = steps_given()
    reply = respond(state, turn("recorded_by_patient", "he's now got a knife out and is shouting at us", 0.5))
    assert reply.state.facts.get("immediate_danger") is True


def test_just_read_as_just_the_steps_after_the_steps_is_a_question_about_them():
    state = steps_given(
        "tewv", "contact_from_patient", "just tell me what to do, a patient's mum messaged me on facebook"
    )
    ranking = (("just_the_steps", 0.5), ("urgent_danger", 0.2), ("recorded_by_patient", 0.1))
    reply = respond(state, Turn("just_the_steps", "can't I just reply to her quickly?", 0.5, ranking))
    assert reply.state.scenario == "contact_from_patient"
    assert "4.4.1" in words(reply)


def test_a_borrowed_follow_up_answer_says_who_this_trust_names_next():
    from bot.follow_ups import follow_up_reply
    from bot.guidance import guidance_for
    from bot.policy.packs import load_pack

    guidance = guidance_for("cumbria", "abuse_image", {}, [])
    text = follow_up_reply(load_pack("cumbria"), guidance, "take_phone")["text"]
    assert "Who to tell, in order:" in text and "line manager" in text
    assert "Cumbria (CPFT and NCUH)'s policy for this situation" not in text  # the chain is LPT's


def test_just_tell_me_read_two_ways_gets_the_likeliest_steps_not_a_menu():
    ranking = (("nlu_fallback", 0.3), ("filming_on_premises", 0.51), ("recorded_by_patient", 0.48))
    text = "just tell me what to do, a visitor is filming in bay 3"
    reply = respond(State("lpt"), Turn("nlu_fallback", text, 0.3, ranking))
    assert "I've taken this as" in words(reply) and reply.state.guidance_given
    assert "8.5" in words(reply)


def test_feeling_awful_and_asking_who_to_talk_to_gets_sorry_then_the_answer():
    state = steps_given(
        "cumbria", "online_abuse", "a patient keeps posting horrible things about me on facebook"
    )
    reply = respond(state, turn("online_abuse", "i feel awful tbh, is there anyone i can talk to", 0.7))
    assert reply.messages[0]["text"].startswith("I'm sorry")
    assert "line manager" in words(reply)


def test_why_not_read_as_something_else_is_still_answered_with_the_reason():
    text = "just tell me what to do, a former patient added me on facebook"
    state = steps_given("lchs", "contact_from_patient", text)
    reply = respond(state, turn("policy_question", "why not? shes not my patient anymore", 0.5))
    assert words(reply).startswith("**Why:**")
