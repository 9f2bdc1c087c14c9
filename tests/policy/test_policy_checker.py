"""The checker passes the real packs and names the pack, the place and the fix when one breaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pack_helpers import read_pack, write_pack

from bot.policy.checker import check_packs, is_missing_playbook_error
from bot.policy.packs import DEFAULT_POLICIES_DIR, TRUST_IDS, read_yaml


def test_the_committed_packs_pass() -> None:
    """Only "no playbook for ..." is tolerated, and only for a pack with no playbooks block."""
    errors = check_packs()
    without_playbooks = {
        trust_id
        for trust_id in TRUST_IDS
        if "playbooks" not in (read_yaml(DEFAULT_POLICIES_DIR / f"{trust_id}.yml") or {})
    }
    unexpected = [
        e for e in errors if not (is_missing_playbook_error(e) and e.split(":")[0] in without_playbooks)
    ]
    assert unexpected == []


def test_the_clean_baseline_has_no_errors(clean_policies: Path) -> None:
    assert check_packs(clean_policies) == []


def recorded_by_patient_playbook(**step: Any) -> dict[str, Any]:
    return {
        "covered": True,
        "summary": "Ask them to stop and delete; tell the most senior member of staff on duty.",
        "questions": ["setting", "still_recording"],
        "steps": [
            {
                "do": "Ask them to stop recording and delete the images.",
                "cites": ["8.4"],
                "when": {"setting": "ward", "still_recording": True},
            },
            {"do": "Tell the most senior member of staff on duty.", "cites": ["8.5"], **step},
        ],
        "escalation": [{"contact": "the most senior member of staff on duty", "cites": ["8.5"]}],
        "quotes": [
            {
                "clause": "8.4",
                "text": "Patients/service users and the public are not permitted to make "
                "recording or take images within a hospital setting",
            }
        ],
    }


def with_lpt_playbook(policies: Path, scenario: str, playbook: dict[str, Any]) -> dict:
    data = read_pack(policies, "lpt")
    data["playbooks"][scenario] = playbook
    write_pack(policies, "lpt", data)
    return data


def test_a_real_playbook_shape_passes(clean_policies: Path) -> None:
    with_lpt_playbook(clean_policies, "recorded_by_patient", recorded_by_patient_playbook())
    assert check_packs(clean_policies) == []


def test_a_clause_altered_by_one_word_fails(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "lpt")
    clause = next(c for c in data["clauses"] if c["number"] == "8.4")
    clause["text"] = clause["text"].replace("senior manager on site", "junior manager on site")
    write_pack(clean_policies, "lpt", data)
    errors = check_packs(clean_policies)
    assert any(
        e.startswith("lpt: clause 8.4 text is not verbatim in 000_5517266f72cb1dca.txt")
        and "junior manager" in e
        and "import-policy" in e
        for e in errors
    ), errors
    assert "lpt: clause 8.4 text differs from the importer's output" in "\n".join(errors)


def test_a_removed_cited_clause_fails(clean_policies: Path) -> None:
    data = with_lpt_playbook(clean_policies, "recorded_by_patient", recorded_by_patient_playbook())
    data["clauses"] = [c for c in data["clauses"] if c["number"] != "8.5"]
    write_pack(clean_policies, "lpt", data)
    errors = check_packs(clean_policies)
    assert (
        "lpt: playbook recorded_by_patient step 2 cites 8.5, which is not a clause of LPT's "
        "policy: cite one of 8.3, 8.4 or fix the number"
    ) in errors
    assert any(e.startswith("lpt: playbook recorded_by_patient escalation 1 cites 8.5") for e in errors)
    assert any(e.startswith("lpt: clause 8.5 is in the source but not in the pack") for e in errors)


def test_a_mistyped_citation_suggests_the_nearest_numbers(clean_policies: Path) -> None:
    playbook = recorded_by_patient_playbook()
    playbook["steps"][1]["cites"] = ["8.9"]
    with_lpt_playbook(clean_policies, "recorded_by_patient", playbook)
    errors = check_packs(clean_policies)
    assert errors == [
        "lpt: playbook recorded_by_patient step 2 cites 8.9, which is not a clause of LPT's "
        "policy: cite one of 8.4, 8.5 or fix the number"
    ]


@pytest.mark.parametrize(
    ("invented", "expected"),
    [
        ("Call 0116 225 6000 to report it.", "gives the phone number 0116 225 6000"),
        ("Report it on Datix.", "names Datix ('Datix'), which LPT's policy does not print"),
        ("Phone 999.", "gives the phone number 999"),
        ("Email comms@leicspart.nhs.uk.", "gives the email comms@leicspart.nhs.uk"),
        ("Upload it to SystmOne.", "names SystemOne/SystmOne ('SystmOne')"),
    ],
)
def test_invented_contact_details_fail(clean_policies: Path, invented: str, expected: str) -> None:
    with_lpt_playbook(clean_policies, "recorded_by_patient", recorded_by_patient_playbook(do=invented))
    errors = check_packs(clean_policies)
    assert len(errors) == 1, errors
    assert errors[0].startswith("lpt: playbook recorded_by_patient step 2 ")
    assert expected in errors[0]


def test_contact_details_the_trust_prints_pass(clean_policies: Path) -> None:
    playbook = recorded_by_patient_playbook()
    playbook["steps"].append({"do": "Phone the police on 101 and complete an eIRF.", "cites": ["Appendix 6"]})
    with_lpt_playbook(clean_policies, "abuse_image", playbook | {"questions": []})
    assert check_packs(clean_policies) == []


def test_101_is_only_allowed_elsewhere_when_borrowed_from_lpt(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "tewv")
    data["playbooks"]["abuse_image"]["steps"] = [
        {
            "do": "Phone the police on 101 and explain what you saw.",
            "borrowed_from": {"trust": "lpt", "clause": "Appendix 6"},
        },
        {"do": "Report it through InPhase.", "general": True},
        {"do": "Phone the police on 101.", "general": True},
    ]
    write_pack(clean_policies, "tewv", data)
    errors = check_packs(clean_policies)
    assert errors == [
        "tewv: playbook abuse_image step 3 gives the phone number 101, which TEWV's policy "
        "does not print: remove it or name the role to contact instead"
    ]


def test_questions_when_and_quotes_are_checked(clean_policies: Path) -> None:
    playbook = recorded_by_patient_playbook(when={"setting": "car park"})
    playbook["questions"] = ["setting", "still_recording", "posted_online"]
    playbook["quotes"].append({"clause": "8.5", "text": "Staff must always film patients"})
    playbook["quotes"].append({"clause": 8.4, "text": "Patients/service users and the public"})
    with_lpt_playbook(clean_policies, "recorded_by_patient", playbook)
    errors = "\n".join(check_packs(clean_policies))
    assert "recorded_by_patient asks 3 questions; recorded_by_patient may ask at most 2" in errors
    assert (
        "step 2 when setting: 'car park' is not an answer to setting: use one of consultation, ward" in errors
    )
    assert "quote 2 is not verbatim in clause 8.5" in errors
    assert "quote 3 clause 8.4 is not quoted" in errors


def test_a_silent_playbook_cannot_pass_off_its_own_steps(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "lchs")
    data["playbooks"]["abuse_image"]["steps"].append({"do": "Phone the police."})
    data["playbooks"]["media_contact"]["steps"].append(
        {"do": "Ask the police.", "borrowed_from": {"trust": "lpt", "clause": "Appendix 9"}}
    )
    data["playbooks"]["urgent_danger"]["questions"] = ["immediate_danger"]
    data["playbooks"]["made_up"] = data["playbooks"]["media_contact"]
    write_pack(clean_policies, "lchs", data)
    errors = "\n".join(check_packs(clean_policies))
    assert "lchs: playbook abuse_image step 2 is in a playbook with covered: false" in errors
    assert "lchs: playbook media_contact step 2 borrows lpt Appendix 9, which is not a clause" in errors
    assert "lchs: playbook urgent_danger asks 1 questions; urgent_danger may ask at most 0" in errors
    assert "lchs: playbook made_up is not a scenario in SCENARIOS.md" in errors


def test_missing_playbooks_are_reported_per_scenario(policies_copy: Path) -> None:
    data = read_pack(policies_copy, "secamb")
    data.pop("playbooks", None)
    write_pack(policies_copy, "secamb", data)
    errors = [e for e in check_packs(policies_copy) if e.startswith("secamb:")]
    assert len(errors) == 15 and all(is_missing_playbook_error(e) for e in errors)
    assert errors[0].startswith("secamb: no playbook for recorded_by_patient: add playbooks.")


def test_overrides_must_explain_a_real_difference(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "lpt")
    clause = next(c for c in data["clauses"] if c["number"] == "Appendix 6")
    clause["heading"] = "Dealing with Abuse Images"
    data["clause_overrides"] = [
        {"number": "Appendix 6", "field": "heading", "reason": "shorter for buttons"},
        {"number": "6.2", "field": "text", "reason": "no longer needed"},
    ]
    write_pack(clean_policies, "lpt", data)
    assert check_packs(clean_policies) == [
        "lpt: clause_overrides 6.2 text is stale: the committed clause matches the importer "
        "now; remove the override"
    ]


def test_document_details_must_be_printed_where_cited(clean_policies: Path) -> None:
    data = read_pack(clean_policies, "tewv")
    data["document"]["contacts"][0]["clause"] = "4.5.1"
    data["document"]["incident_system"] = {"name": "Datix", "clause": "3.2"}
    data["document"]["review_due"] = "Spring 2027"
    write_pack(clean_policies, "tewv", data)
    errors = "\n".join(check_packs(clean_policies))
    assert "clause 4.5.1 does not print tewv.communications@nhs.net" in errors
    assert "document.incident_system Datix: clause 3.2 does not name Datix" in errors
    assert "document.review_due 'Spring 2027' is not printed in 001_33111450e2cc3590.txt" in errors
    assert "document.review_due 'Spring 2027' is not a date the assistant can read" in errors
