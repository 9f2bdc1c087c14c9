"""Real conversations, not happy paths: unsure, why, stop, switching, in a hurry, upset."""

from __future__ import annotations


def first_question(chat, message: str) -> str:
    reply = chat.text(message)
    assert "Source:" not in reply, "expected a question first"
    return reply


def test_not_sure_takes_the_safer_answer_and_says_so(conversation):
    chat = conversation("lpt")
    first_question(chat, "someone recorded me on their phone")
    reply = chat.text("not sure")
    while "Source:" not in reply:
        reply = chat.text("no idea")
    assert "assumed the safer case" in reply
    assert "On a ward or elsewhere on site" in reply  # the safer setting for LPT


def test_why_mid_question_explains_and_asks_again(conversation):
    chat = conversation("lpt")
    question = first_question(chat, "a visitor filmed me")
    reply = chat.text("why do you need to know that?")
    assert "LPT's policy gives different steps" in reply
    assert question.splitlines()[-1] in reply  # the same question again


def test_why_after_the_answer_explains_from_the_clause(conversation):
    chat = conversation("tewv")
    chat.text("a journalist phoned me about an incident on the ward")
    reply = chat.text("why?")
    assert "Why:" in reply and "4.5.1" in reply


def test_stop_leaves_the_questions_and_offers_help(conversation):
    chat = conversation("lpt")
    first_question(chat, "an ex patient keeps messaging me on instagram")
    reply = chat.text("cancel")
    assert "I've stopped" in reply
    assert "Source:" not in chat.text("hello")


def test_switching_scenario_mid_questions_answers_the_new_one(conversation):
    chat = conversation("lpt")
    first_question(chat, "a relative recorded me on his phone")
    reply = chat.text("actually a journalist just rang about it too")
    while "Source:" not in reply:
        reply = chat.text("/dont_know")
    assert "Contact from a journalist or the media" in reply
    assert "8.4" in reply


def test_ward_manager_just_the_steps_gets_everything_in_one_message(conversation):
    chat = conversation("lpt")
    reply = chat.text("just tell me what to do, a visitor is filming in bay 3")
    assert "Source:" in reply and "8.5" in reply


def test_just_the_steps_after_a_question_answers_at_once(conversation):
    chat = conversation("tewv")
    first_question(chat, "a patient's son filmed me")
    reply = chat.text("just tell me what to do")
    assert "Source:" in reply and "4.6.1" in reply


def test_upset_user_gets_one_line_of_acknowledgement_then_the_steps(conversation):
    chat = conversation("tewv")
    reply = chat.text("im shaking, a patient's daughter filmed me and put it on facebook saying I'm useless")
    assert reply.count("sorry") == 1


def test_naming_a_trust_switches_the_pack(conversation):
    chat = conversation()
    reply = chat.text("I work for Lincolnshire Community Health Services")
    assert "LCHS" in reply
    assert "overdue" in reply  # its review date (March 2023) has passed
    reply = chat.text("someone posted a photo of my car number plate and home address on facebook")
    while "Source:" not in reply:
        reply = chat.text("/dont_know")
    assert "LCHS's policy" in reply and "8.3" in reply


def test_incident_summary_lists_steps_clauses_and_policy_version(conversation):
    chat = conversation("tewv")
    chat.text("just tell me what to do, a patient's son filmed me and posted it on facebook")
    summary = chat.text("give me a summary I can paste")
    assert "Incident summary" in summary
    assert "Recorded or photographed by a patient or visitor" in summary
    assert "CORP-0068-v1" in summary and "4.6.1" in summary
    assert "InPhase" in summary


def test_hurry_and_situation_in_one_breath_gets_the_steps_in_one_turn(conversation):
    chat = conversation("lpt")
    reply = chat.text(
        "just tell me what to do, a patient's son is filming my staff nurse in bay 3 and won't stop"
    )
    assert "Source:" in reply and "8.5" in reply
    summary = chat.text("summary please")
    assert "Incident summary" in summary and "8.5" in summary


def test_an_unreadable_answer_gets_the_question_rephrased_then_the_safer_steps(conversation):
    chat = conversation("lpt")
    first_question(chat, "a patient's husband filmed me on the ward")
    reply = chat.text("purple elephants")
    assert "use the buttons" not in reply and "didn't catch" not in reply.lower()
    assert "for example" in reply  # the second try, worded with an example answer
    reply, turns = chat.text("purple elephants again"), 3
    while "Source:" not in reply and turns < 8:  # each question: one rephrase, then the safer case
        reply, turns = chat.text("purple"), turns + 1
    assert "Source:" in reply, "never reached the steps"
    assert "assumed the safer case" in reply
