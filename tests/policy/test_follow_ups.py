"""Every playbook's follow-ups load as typed objects, use the fixed vocabulary, and cover what staff ask."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.policy.packs import (
    CORE_SCENARIOS,
    TRUST_IDS,
    FollowUp,
    load_follow_up_topics,
    load_follow_ups,
    load_pack,
)
from bot.render import step_line

REQUIRED_TOPICS = {
    "reply_or_comment",
    "block_or_report",
    "delete_it",
    "tell_manager",
    "in_trouble",
    "what_to_say",
    "police",
    "take_phone",
    "must_accept",
    "keep_secret",
}


def test_the_vocabulary_has_the_required_topics_with_examples() -> None:
    topics = load_follow_up_topics()
    assert REQUIRED_TOPICS <= set(topics)
    for topic in topics.values():
        assert topic.label and 4 <= len(topic.examples) <= 8, topic.id


@pytest.mark.parametrize("trust", TRUST_IDS)
@pytest.mark.parametrize("scenario", CORE_SCENARIOS)
def test_core_scenarios_answer_at_least_five_topics(trust: str, scenario: str) -> None:
    follow_ups = load_follow_ups(trust, scenario)
    assert all(isinstance(f, FollowUp) for f in follow_ups)
    assert len({f.topic for f in follow_ups}) >= 5, (trust, scenario)


def test_follow_ups_are_typed_and_render_like_steps() -> None:
    take_phone = load_pack("lpt").playbook("recorded_by_patient").follow_up("take_phone")
    assert take_phone is not None and take_phone.cites == ("8.5",) and not take_phone.silent
    assert take_phone.quotes[0].clause == "8.5"
    assert step_line(take_phone).endswith("(8.5)")
    silent = load_pack("lpt").playbook("online_abuse").follow_up("reply_or_comment")
    assert silent.silent and silent.borrowed_from.trust == "tewv"
    assert "not your Trust's" in step_line(silent)


def test_every_pack_has_follow_ups() -> None:
    counts = Counter({t: sum(len(p.follow_ups) for p in load_pack(t).playbooks.values()) for t in TRUST_IDS})
    assert all(count >= 25 for count in counts.values()), counts
