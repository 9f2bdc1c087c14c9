"""Facts stated in a message are read, so the assistant does not ask them again."""

import pytest

from bot.facts import facts_from_text, mentions_immediate_danger, sounds_upset, wants_steps_only


@pytest.mark.parametrize(
    "text, fact, value",
    [
        ("a relative is filming me on the ward", "setting", "ward"),
        ("pt recorded our appointment on his phone", "setting", "consultation"),
        ("he's still filming me", "still_recording", True),
        ("she filmed me yesterday in bay 3", "still_recording", False),
        ("it's been posted on tiktok", "posted_online", True),
        ("he hasn't posted it anywhere", "posted_online", False),
        ("my ex-patient added me on Facebook", "patient_status", "former"),
        ("a former service user keeps messaging me on insta", "repeated", True),
        ("a guy from the BBC wants to come in with a camera", "wants_to_film", True),
        ("the image was of a kid", "child_involved", True),
        ("it was an adult, revenge porn i think", "child_involved", False),
        ("someone said they'll stab me after my shift", "threat_of_violence", True),
        ("a colleague keeps posting nasty stuff about me", "abuser", "colleague"),
        ("fake account pretending to be me", "abuser", "stranger"),
        ("visitor filming a detained patient on the ward", "detained_patient", True),
        ("whatsapp group for photos of a pressure ulcer", "clinical_photo", True),
        ("whatsapp group for the rota", "clinical_photo", False),
    ],
)
def test_a_fact_stated_in_the_message_is_read(text, fact, value):
    assert facts_from_text(text, only=[fact]) == {fact: value}


def test_facts_not_stated_are_left_unknown_not_guessed():
    assert facts_from_text("someone recorded me", only=["still_recording", "posted_online"]) == {}


def test_filming_right_now_is_not_mistaken_for_immediate_danger():
    assert not mentions_immediate_danger("a relative is filming me right now on the ward")
    assert mentions_immediate_danger("the visitor has a knife")


def test_a_ward_manager_mid_incident_gets_steps_only():
    assert wants_steps_only("just tell me what to do, visitor filming in bay 2")
    assert not wants_steps_only("a visitor filmed me")


def test_an_upset_user_is_recognised():
    assert sounds_upset("im shaking, a patient's son filmed me and put it on facebook")
    assert not sounds_upset("a patient's son filmed me")


@pytest.mark.parametrize(
    "text, answer",
    [
        ("yep", True),
        ("yeah he is", True),
        ("nah", False),
        ("no not that i know", False),
        ("on the ward", None),
    ],
)
def test_short_yes_and_no_are_read_however_they_are_typed(text, answer):
    from bot.facts import yes_or_no

    assert yes_or_no(text) is answer


def test_a_long_answer_that_says_yes_in_one_short_clause_is_a_yes():
    from bot.facts import answer_for

    text = "stranger i think, not a patient i know. its a threat yeah. hes done 3 posts now and i cant sleep"
    assert answer_for("threat_of_violence", text) is True
    assert (
        answer_for("threat_of_violence", "no not really, its just nasty comments about my work and my hair")
        is False
    )


def test_not_threatening_but_named_singles_them_out():
    from bot.facts import answer_for

    assert answer_for("threatening", "its not threatening as such but he named me", None, None, None) is True
    assert answer_for("threatening", "no threats, just filming", None, None, None) is False
