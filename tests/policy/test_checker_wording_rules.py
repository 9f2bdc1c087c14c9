"""The rules that stop the review's classes of error coming back (issue 11).

Each test breaks one thing in an otherwise clean copy of the packs and asserts the checker
names the pack, the place and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pack_helpers import read_pack, write_pack

from bot.policy.checker import check_packs


def set_playbook(policies: Path, trust_id: str, scenario: str, playbook: dict[str, Any]) -> None:
    data = read_pack(policies, trust_id)
    data["playbooks"][scenario] = playbook
    write_pack(policies, trust_id, data)


def ward_filming(*extra_steps: dict[str, Any], questions: list[str] | None = None) -> dict[str, Any]:
    return {
        "covered": True,
        "summary": "Ask them to stop and delete; tell the most senior member of staff on duty.",
        "questions": questions or [],
        "steps": [
            {"do": "Ask them to stop recording and delete the images.", "cites": ["8.4"]},
            {"do": "Tell the most senior member of staff on duty.", "cites": ["8.5"]},
            *extra_steps,
        ],
        "escalation": [{"contact": "the most senior member of staff on duty", "cites": ["8.5"]}],
    }


EXCLUSION = (
    "If they refuse, tell them they will be reported to the police and will be subject to "
    "immediate exclusion from Trust premises."
)


def test_exclusion_and_police_for_refusing_need_a_not_a_patient_condition(clean_policies: Path) -> None:
    set_playbook(
        clean_policies, "lpt", "filming_on_premises", ward_filming({"do": EXCLUSION, "cites": ["8.4"]})
    )
    errors = check_packs(clean_policies)
    assert len(errors) == 1, errors
    assert errors[0].startswith(
        "lpt: playbook filming_on_premises step 3 warns of exclusion or a police report"
    )
    assert "add when: {filmer: public}" in errors[0]


def test_a_condition_that_still_includes_patients_is_not_enough(clean_policies: Path) -> None:
    step = {"do": EXCLUSION, "cites": ["8.4"], "when": {"detained_patient": False}}
    set_playbook(clean_policies, "lpt", "filming_on_premises", ward_filming(step))
    errors = check_packs(clean_policies)
    assert any("step 3 warns of exclusion" in e for e in errors), errors


def test_public_only_wording_conditioned_on_the_public_passes(clean_policies: Path) -> None:
    step = {"do": EXCLUSION, "cites": ["8.4"], "when": {"filmer": "public"}}
    set_playbook(clean_policies, "lpt", "filming_on_premises", ward_filming(step))
    assert check_packs(clean_policies) == []


def test_a_fact_asked_and_never_used_fails(clean_policies: Path) -> None:
    set_playbook(clean_policies, "lpt", "filming_on_premises", ward_filming(questions=["detained_patient"]))
    errors = check_packs(clean_policies)
    assert errors == [
        "lpt: playbook filming_on_premises asks 'detained_patient' but no step, escalation, "
        "don't or follow-up has a when on it: the answer must change something, or stop asking"
    ]


def test_a_mostly_borrowed_playbook_cannot_be_covered(clean_policies: Path) -> None:
    playbook = ward_filming(
        {"do": "Calmly ask them to stop.", "borrowed_from": {"trust": "lpt", "clause": "8.4"}},
        {"do": "Tell your line manager.", "general": True},
        {"do": "Call security if it escalates.", "general": True},
    )
    playbook |= {"steps": playbook["steps"][2:], "escalation": []}
    set_playbook(clean_policies, "tewv", "filming_on_premises", playbook)
    errors = check_packs(clean_policies)
    assert errors == [
        "tewv: playbook filming_on_premises is covered: true but 3 of its 3 steps are borrowed "
        "or general: make it covered: false with nearest, so the answer is headed 'TEWV's "
        "policy does not cover this'"
    ]


def test_a_silent_playbook_must_say_so_in_its_summary(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "tewv")
    data["playbooks"]["filming_on_premises"]["summary"] = "What TEWV's policy says to do."
    write_pack(clean_policies, "tewv", data)
    errors = check_packs(clean_policies)
    assert len(errors) == 1 and "covered: false but its summary does not say so" in errors[0], errors


def test_a_trust_contact_on_a_borrowed_route_fails(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "cumbria")
    data["playbooks"]["media_contact"]["steps"] = [
        {
            "do": "Forward the enquiry to the Communications team (Communications.helpdesk@cumbria.nhs.uk).",
            "borrowed_from": {"trust": "tewv", "clause": "4.5.1"},
        }
    ]
    write_pack(clean_policies, "cumbria", data)
    errors = check_packs(clean_policies)
    assert len(errors) == 1, errors
    assert errors[0].startswith(
        "cumbria: playbook media_contact step 1 gives Communications Team "
        "(Communications.helpdesk@cumbria.nhs.uk) on a route"
    )
    assert "printed in 3.1" in errors[0]


def test_a_trust_contact_on_the_route_that_prints_it_passes(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "cumbria")
    data["playbooks"]["official_account"] |= {
        "covered": True,
        "nearest": [],
        "summary": "Official accounts need the Communications Team's prior permission.",
        "steps": [
            {"do": "Ask Communications.helpdesk@cumbria.nhs.uk before opening an account.", "cites": ["3.1"]}
        ],
    }
    write_pack(clean_policies, "cumbria", data)
    assert check_packs(clean_policies) == []


def test_must_needs_a_must_in_the_cited_clause(clean_policies: Path) -> None:
    # LCHS 5.1: "Staff of the trust may use social media for private purposes during their work breaks."
    data = read_pack(clean_policies, "lchs")
    data["playbooks"]["personal_use_at_work"] = ward_filming() | {
        "steps": [{"do": "You must use social media only during your work breaks.", "cites": ["5.1"]}],
        "escalation": [],
    }
    write_pack(clean_policies, "lchs", data)
    errors = check_packs(clean_policies)
    assert errors == [
        "lchs: playbook personal_use_at_work step 1 says 'must' but 5.1 never says 'must': use "
        "the clause's own verb (should, may) or cite the clause that says must"
    ]


def test_must_not_needs_must_not_or_not_permitted(clean_policies: Path) -> None:
    step = {"do": "Staff must not stop a patient recording their consultation.", "cites": ["8.2"]}
    set_playbook(
        clean_policies, "lpt", "contact_from_patient", ward_filming() | {"steps": [step], "escalation": []}
    )
    errors = check_packs(clean_policies)
    assert len(errors) == 1 and "step 1 says 'must not' but 8.2 says neither" in errors[0], errors
    # 8.4 says "not permitted": that supports "must not".
    step = {"do": "Visitors must not record on the ward without agreement.", "cites": ["8.4"]}
    set_playbook(
        clean_policies, "lpt", "contact_from_patient", ward_filming() | {"steps": [step], "escalation": []}
    )
    assert check_packs(clean_policies) == []


def test_follow_ups_are_checked_like_steps(clean_policies: Path) -> None:
    playbook = ward_filming() | {
        "follow_ups": [
            {"topic": "reply_or_comment", "answer": "Do not reply.", "cites": ["8.9"]},
            {"topic": "block_them", "answer": "Block them.", "general": True},
            {"topic": "police", "answer": "You must call 0116 225 6000.", "cites": ["8.5"]},
            {
                "topic": "take_phone",
                "answer": "Do not take their phone.",
                "cites": ["8.5"],
                "quotes": [{"clause": "8.5", "text": "it is fine to take a device"}],
            },
            {"topic": "keep_secret", "answer": "Keep it between you.", "silent": True, "general": True},
            {"topic": "in_trouble", "answer": "You will be fine.", "silent": True, "cites": ["8.5"]},
        ]
    }
    set_playbook(clean_policies, "lpt", "recorded_by_patient", playbook)
    errors = "\n".join(check_packs(clean_policies))
    assert "follow_up 1 (reply_or_comment) cites 8.9, which is not a clause" in errors
    assert "follow_up 2 has topic 'block_them', which is not in follow_ups.yml: add it" in errors
    assert "follow_up 3 gives the phone number 0116 225 6000" in errors
    assert "follow_up 3 says 'must' but 8.5" not in errors  # 8.5 does say "must"
    assert "follow_up 4 quote 1 is not verbatim in clause 8.5" in errors
    assert "follow_up 5 is silent: true: say plainly that LPT's policy does not say" in errors
    assert "follow_up 6 is silent: true but cites this Trust's clauses" in errors


def test_a_good_follow_up_passes(clean_policies: Path) -> None:
    playbook = ward_filming() | {
        "follow_ups": [
            {
                "topic": "take_phone",
                "answer": "No. Do not take a phone or device they will not hand over.",
                "cites": ["8.5"],
                "quotes": [
                    {
                        "clause": "8.5",
                        "text": "it is not appropriate to detain any person against their will or take from "
                        "them a mobile communications device they are unwilling to hand over",
                    }
                ],
            },
            {
                "topic": "keep_secret",
                "answer": "LPT's policy does not say. Tell your line manager anyway.",
                "silent": True,
                "general": True,
            },
        ]
    }
    set_playbook(clean_policies, "lpt", "recorded_by_patient", playbook)
    assert check_packs(clean_policies) == []


def test_a_silent_playbook_may_give_its_nearest_clauses_own_route(clean_policies: Path) -> None:
    """SECAmb is silent on being filmed, but its 4.3 asks staff to report concerns: that can be a step."""
    data = read_pack(clean_policies, "secamb")
    data["playbooks"]["recorded_by_patient"] |= {
        "nearest": ["4.3"],
        "steps": [
            {"do": "Report your concerns to the Trust as soon as you become aware of it.", "cites": ["4.3"]}
        ],
    }
    write_pack(clean_policies, "secamb", data)
    assert check_packs(clean_policies) == []
    data["playbooks"]["recorded_by_patient"]["steps"][0]["cites"] = ["4.4"]
    write_pack(clean_policies, "secamb", data)
    errors = check_packs(clean_policies)
    assert any("step 1 is in a playbook with covered: false" in e and "nearest" in e for e in errors), errors
