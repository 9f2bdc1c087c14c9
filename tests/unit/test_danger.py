"""Present danger in any words gets 999 first; ordinary messages that sound dramatic do not."""

from __future__ import annotations

import pytest

from bot.danger import is_immediate_danger

DANGER_TOLD_AS_A_SITUATION = [
    "my ex just turned up at reception and won't leave, he's screaming at everyone",
    "he's waiting for me by my car",
    "she's sent a photo of the pills she's taken",
    "he has a knife",
    "a patient has a knife and is threatening staff right now",
    "man in bay 4 is punching the walls and staff",
    "there's a fire in the day room",
    "pt on the roof of the multi storey",
    "service user says she has just taken a load of paracetamol",
    "a relative is threatening to stab the nurse in charge",
    "someone is live streaming himself cutting on tiktok",
    "he followed me to my car and is sat outside the staff entrance",
    "the husband has locked the crew in the kitchen",
    "a lad has just thrown a chair at the receptionist",
    "pt's dad is squaring up to my student",
    "someone has climbed onto the balcony on level 5",
    "caller says she's taken all her tablets and is on her own",
    "I can smell burning in the records store",
    "man in the corridor not breathing",
    "we're hiding in the clean utility from him",
    "he's sent a selfie from the top of the car park saying goodbye",
    "woman sitting on the window ledge in the day room",
    "pt has just drunk the alcohol hand gel off the wall",
    "she's swallowed the whole packet and is on her own at home",
    "her ex is here on the unit and he's got a non-molestation order",
    "my crewmate hasn't answered her radio for an hour on a lone visit",
    "someone's locked in the staff toilet and not answering",
    "a kid alone in the flat with the gas hob on",
    "relative in reception saying he'll smash the place up",
]
DRAMATIC_BUT_NOT_DANGER = [
    "this shift is killing me",
    "my manager will kill me if she sees this",
    "people are attacking me in the comments",
    "a troll has attacked me online again",
    "he threatened me on facebook last year",
    "I'll get fired for this",
    "my twitter is on fire today lol",
    "newspaper reporter waiting outside the staff entrance",
    "she posted a knife crime awareness video",
    "a patient filmed me on the ward",
    "nobody is in danger but a visitor filmed the bay",
    "pls help, an ex patient wants to be friends on facebook",
    "a colleague posted a video of the ward kicking off last night",
    "the fire safety training video, can we post it",
    "he's hidden his phone in his locker and films the other patients",
    "a reporter stopped me at the petrol station asking about the ward",
]


@pytest.mark.parametrize("text", DANGER_TOLD_AS_A_SITUATION)
def test_danger_told_as_a_situation_is_recognised(text):
    assert is_immediate_danger(text)


@pytest.mark.parametrize("text", DRAMATIC_BUT_NOT_DANGER)
def test_ordinary_messages_that_sound_dramatic_are_not_danger(text):
    assert not is_immediate_danger(text)


def _parsed(text, ranking):
    from rasa.shared.nlu.training_data.message import Message

    message = Message(data={"text": text})
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    return message


def _override(message):
    from bot.rasa_ext.danger_override import DangerOverride

    return DangerOverride().process([message])[0]


def test_danger_in_the_words_overrides_any_classifier_guess():
    message = _override(_parsed("he has a knife", [{"name": "greet", "confidence": 0.9}]))
    assert message.get("intent") == {"name": "urgent_danger", "confidence": 1.0}
    assert message.get("intent_ranking")[1]["name"] == "greet"


def test_an_unsure_danger_guess_with_no_danger_in_the_words_gives_way():
    ranking = [{"name": "urgent_danger", "confidence": 0.46}, {"name": "inform", "confidence": 0.35}]
    assert (
        _override(_parsed("he's gone now, should I tell someone?", ranking)).get("intent")["name"] == "inform"
    )
    unlikely = [{"name": "urgent_danger", "confidence": 0.46}, {"name": "goodbye", "confidence": 0.15}]
    assert _override(_parsed("he's gone now", unlikely)).get("intent")["name"] == "nlu_fallback"


def test_a_confident_danger_guess_stands():
    ranking = [{"name": "urgent_danger", "confidence": 0.8}, {"name": "inform", "confidence": 0.1}]
    assert (
        _override(_parsed("it's all going wrong in bay 3", ranking)).get("intent")["name"] == "urgent_danger"
    )


def test_a_calm_message_the_model_read_as_danger_gives_way_at_any_confidence():
    ranking = [
        {"name": "urgent_danger", "confidence": 0.99},
        {"name": "recorded_by_patient", "confidence": 0.01},
    ]
    message = _override(_parsed("he's still filming but he's calm, not threatening anyone", ranking))
    assert message.get("intent")["name"] != "urgent_danger"


def test_a_first_message_opening_with_he_or_she_is_not_demoted_without_the_conversation():
    ranking = [{"name": "urgent_danger", "confidence": 0.6}, {"name": "colleague_post", "confidence": 0.35}]
    text = "she's in the office with him and he won't let anyone near"
    assert _override(_parsed(text, ranking)).get("intent")["name"] == "urgent_danger"


def test_danger_in_the_words_still_wins_over_a_calm_sounding_message():
    ranking = [{"name": "inform", "confidence": 0.9}]
    message = _override(_parsed("he's calm now but he still has the knife", ranking))
    assert message.get("intent")["name"] == "urgent_danger"


def test_a_picture_of_violence_with_nothing_here_or_now_needs_the_model_sure():
    ranking = [{"name": "urgent_danger", "confidence": 0.8}, {"name": "abuse_image", "confidence": 0.15}]
    message = _override(_parsed("someone sent me a video of a man getting stabbed", ranking))
    assert message.get("intent")["name"] != "urgent_danger"
    now = _override(_parsed("he's sending me a video of himself with the pills right now", ranking))
    assert now.get("intent")["name"] == "urgent_danger"
