"""The conversation suite's judge: what makes a conversation pass, on made-up replies."""

from bot.rasa_ext.conversation_suite import judge, report

CONVERSATION = {
    "id": "x-01",
    "trust": "lpt",
    "scenario": "media_contact",
    "turns": [
        {"user": "a reporter rang the ward"},
        {"user": "do I have to tell my manager?", "follow_up": True, "expect_any": ["manager"]},
    ],
    "must_mention": [["Communications Team", "comms"]],
    "must_not": ["Datix"],
}


def test_a_conversation_with_every_check_met_passes():
    outcome = judge(CONVERSATION, [["Forward it to the Communications Team."], ["Yes, tell your manager."]])
    assert outcome.passed and outcome.follow_ups_in_context == 1


def test_each_missed_check_is_named():
    outcome = judge(CONVERSATION, [["Log it on Datix."], ["Use the buttons."]])
    assert set(outcome.failed) == {
        "stalled",
        "follow-up not answered in context",
        "must_mention missing",
        "must_not present",
    }


def test_danger_must_open_some_reply_with_999():
    danger = {**CONVERSATION, "must_mention": [], "danger_first": True}
    assert (
        "999 not first" in judge(danger, [["Forward it."], ["Tell your manager.", "Call 999 if..."]]).failed
    )
    assert judge(danger, [["Forward it."], ["Call 999 now.", "Then tell your manager."]]).passed


def test_the_report_gives_rates_per_trust_and_scenario():
    outcome = judge(CONVERSATION, [["Communications Team"], ["manager"]])
    text = report([outcome], "test")
    assert "| lpt | 1.00 (1/1) |" in text and "| media_contact | 1.00 (1/1) |" in text


def test_a_marked_dangerous_turn_must_itself_open_with_999():
    turns = [{"user": "a visitor is filming"}, {"user": "now he has a knife", "dangerous": True}]
    danger = {**CONVERSATION, "turns": turns, "must_mention": [], "danger_first": True}
    assert "999 not first" in judge(danger, [["Call 999 if it gets worse."], ["Ask him to stop."]]).failed
    assert judge(danger, [["Ask him to stop."], ["Call 999 now.", "Then..."]]).passed


def test_a_dangerous_turn_is_checked_even_when_the_conversation_does_not_start_in_danger():
    turns = [{"user": "a visitor is filming"}, {"user": "now he has a knife", "dangerous": True}]
    later = {**CONVERSATION, "turns": turns, "must_mention": [], "danger_first": False}
    assert "999 not first" in judge(later, [["Ask him to stop."], ["Ask him to leave."]]).failed
    assert judge(later, [["Ask him to stop."], ["Call 999 now."]]).passed
