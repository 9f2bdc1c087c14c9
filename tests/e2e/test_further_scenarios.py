"""The nine further scenarios, free questions, help, "did you mean", and induction mode."""

from __future__ import annotations

import pytest

from bot.guidance import guidance_for
from bot.policy.packs import load_pack

TRUSTS = ["lpt", "tewv", "lchs", "cumbria", "secamb"]
FIRST_MESSAGES = {
    "colleague_post": "a colleague has put a photo of a patient on her instagram story",
    "posting_work_content": "can i put a pic of our team night out on insta",
    "official_account": "we want to set up a facebook page for our ward",
    "crisis_online": "someone on our ward facebook page says they've taken an overdose",
    "accidental_disclosure": "i posted a photo and you can see a patient's name on the board behind me",
    "personal_use_at_work": "am i allowed to go on tiktok on my break",
    "clinical_messaging": "is it ok to use whatsapp to send wound photos to the tissue viability nurse",
    "personal_opinions": "can i say i work for the trust in my twitter bio",
    "filming_on_premises": "a visitor is filming other patients in the day room",
}


@pytest.mark.parametrize("trust", TRUSTS)
@pytest.mark.parametrize("scenario", list(FIRST_MESSAGES))
def test_further_scenario_answers_from_this_trusts_pack_with_at_most_one_question(
    conversation, trust, scenario
):
    chat = conversation(trust)
    reply, turns = chat.until_guidance(FIRST_MESSAGES[scenario])
    assert turns <= 2
    facts = {k: v for k, v in chat.tracker().current_slot_values().items() if v is not None}
    expected = guidance_for(trust, scenario, facts)
    assert chat.tracker().get_slot("scenario") == scenario
    for number in expected.cited_numbers:
        assert number in reply
    if not expected.covered:
        assert "does not cover this" in reply


@pytest.mark.parametrize("trust", TRUSTS)
@pytest.mark.parametrize("scenario", ["crisis_online", "filming_on_premises"])
def test_crisis_and_filming_open_with_999_unless_nobody_is_in_danger(conversation, trust, scenario):
    chat = conversation(trust)
    reply, _ = chat.until_guidance(FIRST_MESSAGES[scenario])
    assert "999" in reply.split("\n\n")[0] or "999" in reply.split("\n\n")[1]


@pytest.mark.parametrize("trust", TRUSTS)
def test_free_question_is_answered_from_this_trusts_clauses(conversation, trust):
    chat = conversation(trust)
    reply = chat.text("what does the policy say about likes and shares?")
    pack = load_pack(trust)
    assert f"{pack.trust.short_name}'s policy" in reply
    if "couldn't find anything" not in reply:
        assert "Source:" in reply
        quoted = reply.split("“")[1].split("”")[0]
        assert any(quoted in " ".join(c.text.split()) for c in pack.clauses)


def test_free_question_finds_lpt_tiktok_rule(conversation):
    reply = conversation("lpt").text("can I use TikTok for work?")
    assert "6.4.1" in reply and "TikTok" in reply


def test_help_lists_the_topics_as_buttons(conversation):
    chat = conversation("lpt")
    chat.text("what can you do")
    payloads = [b["payload"] for b in chat.buttons]
    assert "/recorded_by_patient" in payloads and "/start_quiz" in payloads


def test_out_of_scope_gets_a_kind_redirect(conversation):
    reply = conversation("lpt").text("how do I book annual leave")
    assert "not something I can help with" in reply


def test_show_clause_quotes_it_verbatim(conversation):
    reply = conversation("tewv").text("show me clause 4.6.2")
    assert "Threats of violence" in reply
    assert " ".join(load_pack("tewv").clause("4.6.2").text.split())[:80] in " ".join(reply.split())


def test_show_clause_that_does_not_exist_says_so(conversation):
    """Without repeating the number typed (it may be a date of birth, review S3)."""
    reply = conversation("lchs").text("show me clause 5.4")
    assert "has no clause with that number" in reply and "5.4" not in reply


@pytest.mark.parametrize("trust", TRUSTS)
def test_induction_tour_has_five_cited_stops(conversation, trust):
    chat = conversation(trust)
    reply = chat.text("I'm new, give me the tour of the social media policy")
    stops = [reply]
    while chat.buttons and chat.buttons[0]["title"] in ("Next", "Finish"):
        stops.append(chat.text(chat.buttons[0]["payload"]))
    assert len(stops) == 6  # five stops, then the offer of a quiz
    assert all("“" in stop for stop in stops[:5])
    assert "Quiz me" in [b["title"] for b in chat.buttons]


@pytest.mark.parametrize("trust", TRUSTS)
def test_quiz_explains_each_answer_and_scores_out_of_five(conversation, trust):
    chat = conversation(trust)
    chat.text("quiz me")
    for _ in range(5):
        assert [b["title"] for b in chat.buttons] == ["A", "B", "C"]
        reply = chat.text(chat.buttons[0]["payload"])
        assert ("Right!" in reply or "Not quite" in reply) and "“" in reply
    assert "out of 5" in reply


def test_low_confidence_goes_to_did_you_mean_not_a_guess(conversation):
    chat = conversation("lpt")
    reply = chat.text("/nlu_fallback")  # what the FallbackClassifier predicts below 0.3
    assert "Did you mean" in reply
    assert "Something else" in [b["title"] for b in chat.buttons]
