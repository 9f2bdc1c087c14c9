"""docs/coverage.md shows, per scenario and Trust, what the policy covers; it stays up to date."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pack_helpers import read_pack, write_pack

from bot.policy.coverage import DEFAULT_COVERAGE_PATH, read_as_at, render_coverage


def test_docs_coverage_md_is_up_to_date() -> None:
    """Regenerate with `python -m bot coverage --write` when this fails."""
    as_at = read_as_at(DEFAULT_COVERAGE_PATH)
    assert as_at is not None, "docs/coverage.md has no 'Review status as at:' line"
    assert DEFAULT_COVERAGE_PATH.read_text(encoding="utf-8") == render_coverage(as_at)


def test_coverage_renders_before_playbooks_are_written(policies_copy: Path) -> None:
    for trust_id in ("lpt", "tewv", "lchs", "cumbria", "secamb"):
        data = read_pack(policies_copy, trust_id)
        data.pop("playbooks", None)
        write_pack(policies_copy, trust_id, data)
    text = render_coverage(date(2026, 11, 23), policies_copy)
    assert "Review status as at: 2026-11-23" in text
    assert "| `recorded_by_patient` | no playbook yet | no playbook yet |" in text
    assert "| LCHS | Social Media and Networking Policy (v4) | March 2023 | overdue | 55 | 0/15 |" in text
    assert "| SECAmb | Social and Digital Media Policy | not printed | no date | 55 | 0/15 |" in text


def test_coverage_lists_cited_clauses_and_borrowed_steps(clean_policies: Path) -> None:
    lpt = read_pack(clean_policies, "lpt")
    lpt["playbooks"]["recorded_by_patient"] = {
        "covered": True,
        "summary": "Stop and delete.",
        "questions": [],
        "steps": [
            {"do": "Tell the most senior member of staff on duty.", "cites": ["8.5"]},
            {"do": "Ask them to stop.", "cites": ["8.4"]},
        ],
        "quotes": [{"clause": "8.2", "text": "Any recording is made for personal use."}],
    }
    write_pack(clean_policies, "lpt", lpt)
    tewv = read_pack(clean_policies, "tewv")
    tewv["playbooks"]["abuse_image"] = {
        "covered": False,
        "nearest": ["4.6.2"],
        "summary": "Silent.",
        "steps": [
            {
                "do": "Phone the police on 101.",
                "borrowed_from": {"trust": "lpt", "clause": "Appendix 6"},
            }
        ],
    }
    write_pack(clean_policies, "tewv", tewv)
    text = render_coverage(date(2026, 11, 23), clean_policies)
    row = next(line for line in text.splitlines() if line.startswith("| `recorded_by_patient`"))
    assert row.split(" | ")[1] == "covered: 8.2, 8.4, 8.5"
    row = next(line for line in text.splitlines() if line.startswith("| `abuse_image`"))
    assert row.split(" | ")[2] == "silent; nearest 4.6.2; borrows LPT Appendix 6"
    assert render_coverage(date(2026, 11, 23), clean_policies) == text
