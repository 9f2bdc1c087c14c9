""" "Why?" gives the reason in the Trust's own words without burying it in a page-long clause."""

from bot.incident import why_text
from bot.policy.packs import SCENARIO_IDS, TRUST_IDS, load_pack


def test_why_quotes_the_words_that_give_the_reason_when_the_clause_is_long():
    text = why_text(load_pack("lpt"), "contact_from_patient")
    assert text.startswith("**Why:**") and 'say "show clause 6.2"' in text.lower()
    assert "professional boundaries" in text


def test_no_why_is_a_wall_of_text():
    for trust in TRUST_IDS:
        pack = load_pack(trust)
        for scenario in SCENARIO_IDS:
            if pack.playbook(scenario) is not None:
                assert len(why_text(pack, scenario)) < 2000, (trust, scenario)
