"""Abuse images, a child at risk, a patient in crisis: the answer names safeguarding, for every Trust,
and never asks for or handles the image."""

from __future__ import annotations

import pytest

from bot.guidance import guidance_for
from bot.policy.packs import TRUST_IDS
from bot.render import render_guidance


def answer(trust: str, scenario: str, **facts: object) -> str:
    return render_guidance(guidance_for(trust, scenario, facts))[0]["text"]


@pytest.mark.parametrize("trust", TRUST_IDS)
@pytest.mark.parametrize("child", [True, False])
def test_an_abuse_image_answer_names_safeguarding(trust: str, child: bool) -> None:
    text = answer(trust, "abuse_image", child_involved=child)
    assert "safeguarding" in text.lower()
    for asking in ("send it to me", "send me", "upload", "show me", "forward it to"):
        assert asking not in text.lower()
    assert "keep it out of this chat" in text  # the assistant's own line: it never takes the image


@pytest.mark.parametrize("trust", TRUST_IDS)
def test_an_image_of_a_child_brings_a_safeguarding_referral(trust: str) -> None:
    text = answer(trust, "abuse_image", child_involved=True).lower()
    assert "child" in text and "safeguarding" in text


@pytest.mark.parametrize("trust", TRUST_IDS)
def test_a_person_in_crisis_brings_safeguarding(trust: str) -> None:
    assert "safeguarding" in answer(trust, "crisis_online").lower()


def test_safeguarding_uses_the_trusts_own_route_where_it_prints_one() -> None:
    """TEWV 4.6.1 prints a safeguarding route: it is cited, not labelled general."""
    text = answer("tewv", "abuse_image", child_involved=True)
    assert "follow the guidance in TEWV's safeguarding policy. (4.6.1)" in text


@pytest.mark.parametrize("trust", ["lchs", "cumbria", "secamb"])
def test_safeguarding_is_labelled_general_where_the_policy_prints_no_route(trust: str) -> None:
    text = answer(trust, "abuse_image", child_involved=False)
    line = next(line for line in text.split("\n\n") if "Safeguarding:" in line)
    assert "general guidance, not from a policy" in line
