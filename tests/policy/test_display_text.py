"""Verbatim clause text is shown without the sources' markup, in every channel.

The packs keep LPT's Appendix 4, Appendix 6 and 8.5 exactly as the source prints them (HTML
paragraphs, a ``<ul style=...>`` list of "•" items, checkboxes, Markdown emphasis); what a
person reads in REST, the terminal or a Teams card must have the words and none of the markup.
"""

from __future__ import annotations

import re

import pytest

from bot.answers import answer_question, clause_reply
from bot.channels.teams_activity import adaptive_card
from bot.policy.packs import load_all_packs, load_pack
from bot.render import display_text, quote_line

MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>|style=|type=\"checkbox\"|\*\*|(?<!\w)\*(?=\w)")
ASKED = ["show me clause Appendix 4", "Appendix 6", "8.5"]


@pytest.mark.parametrize("typed", ASKED)
def test_a_clause_asked_for_by_number_has_no_markup(typed: str) -> None:
    """What REST and the terminal print: clause_reply's text (Rasa passes it on unchanged)."""
    reply = clause_reply(load_pack("lpt"), typed)
    body = reply["text"].split("\n\n", 1)[1]  # after the bold "LPT's policy, 8.5" heading
    assert MARKUP.search(body) is None, MARKUP.search(body)


@pytest.mark.parametrize("typed", ASKED)
def test_a_clause_in_a_teams_card_has_no_markup(typed: str) -> None:
    text = clause_reply(load_pack("lpt"), typed)["text"]
    card = adaptive_card(text, [{"title": "Why?", "payload": "/ask_why"}])["content"]
    shown = card["body"][0]["text"] + card["fallbackText"]
    assert re.search(r"<\s*/?\s*[A-Za-z][^>]*>|style=|checkbox", shown) is None


def test_lists_stay_lists_and_checkboxes_become_plain_text() -> None:
    appendix_6 = display_text(load_pack("lpt").clause("Appendix 6").text)
    assert "\n- The performance by a person of an act of intercourse" in appendix_6
    appendix_4 = display_text(load_pack("lpt").clause("Appendix 4").text)
    assert "Part B [ ]" in appendix_4 and "<input" not in appendix_4
    assert "AIMS: The aim of the Policy" in appendix_4


def test_the_words_are_kept_and_the_stored_text_is_unchanged() -> None:
    clause = load_pack("lpt").clause("8.5")
    shown = display_text(clause.text)
    assert "Please note that it is not appropriate to detain any person" in shown
    assert "*that it is not appropriate" in clause.text  # the pack still holds the source's bytes


def test_display_text_leaves_clean_text_alone_and_is_idempotent() -> None:
    for pack in load_all_packs().values():
        for clause in pack.clauses:
            once = display_text(clause.text)
            assert display_text(once) == once, (pack.id, clause.number)
    assert display_text("Staff must not post patient information.") == (
        "Staff must not post patient information."
    )


def test_tables_and_links_become_plain_text() -> None:
    table = "<table><tr><td>Age</td><td>Neutral</td></tr><tr><td>Race</td><td>Neutral</td></tr></table>"
    assert display_text(table) == "Age · Neutral\nRace · Neutral"
    assert display_text("| Role | Essential |\n|---|---|\n| All staff | Yes |") == (
        "Role · Essential\nAll staff · Yes"
    )
    assert display_text("see <https://www.nmc.org.uk/standards/>") == "see https://www.nmc.org.uk/standards/"


def test_quotes_and_free_answers_go_through_the_renderer() -> None:
    pack = load_pack("lpt")
    assert "<p>" not in quote_line(pack.clause("Appendix 6"), None)
    answer = answer_question(pack, "indecent images of children definition")["text"]
    assert MARKUP.search(answer.split("\n\n", 1)[1].replace("**", "")) is None


def test_teams_keeps_its_own_bold_but_drops_html() -> None:
    assert display_text("**Steps** <p>one</p>", keep_markdown=True) == "**Steps**\none"
