"""The review's unsafe items stay fixed: patients are never threatened with exclusion or the police
for refusing, and a journalist on an LPT ward is referred to the communications team."""

from __future__ import annotations

import itertools

import pytest

from bot.guidance import guidance_for
from bot.render import render_guidance

PUBLIC_ONLY = ("exclusion", "reported to the police")


def text_for(scenario: str, **facts: object) -> str:
    return render_guidance(guidance_for("lpt", scenario, facts))[0]["text"].lower()


@pytest.mark.parametrize("still", [True, False, None])
def test_a_detained_patient_filming_on_an_lpt_ward_is_not_threatened(still: object) -> None:
    text = text_for("filming_on_premises", detained_patient=True, still_recording=still)
    for words in PUBLIC_ONLY:
        assert f"tell them they will be {words}" not in text
        assert "immediate exclusion" not in text
    assert "clinical team" in text


@pytest.mark.parametrize(
    ("setting", "posted"), list(itertools.product(["ward", "consultation", None], [True, False, None]))
)
def test_a_patient_recording_on_an_lpt_ward_is_not_threatened(setting: object, posted: object) -> None:
    text = text_for("recorded_by_patient", setting=setting, posted_online=posted)
    assert "immediate exclusion" not in text
    assert "they will be reported to the police" not in text


def test_a_visitor_refusing_is_told_what_8_4_says() -> None:
    text = text_for("filming_on_premises", detained_patient=False, filmer="public")
    assert "immediate exclusion from trust premises" in text


@pytest.mark.parametrize("wants_to_film", [True, None])
def test_a_journalist_on_an_lpt_ward_is_referred_to_communications(wants_to_film: object) -> None:
    text = text_for("media_contact", wants_to_film=wants_to_film)
    assert "refer the journalist to the communications team immediately" in text
    assert "reported to the police" not in text
    assert "demand they delete" in text  # as "do not ... demand they delete it yourself"
