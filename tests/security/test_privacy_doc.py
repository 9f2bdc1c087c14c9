"""The paperwork matches the code (S16, S10): docs/privacy.md is generated, and no doc contradicts it."""

from __future__ import annotations

from pathlib import Path

from bot.privacy import STORED_FIELDS, stored_event
from bot.privacy_doc import PRIVACY_DOC, render

REPO = Path(__file__).resolve().parents[2]


def test_privacy_md_is_generated_from_the_allow_list() -> None:
    assert PRIVACY_DOC.read_text(encoding="utf-8") == render(), "run: python -m bot privacy-doc --write"


def test_every_field_the_store_keeps_is_documented() -> None:
    documented = {name.split(".")[0] for fields in STORED_FIELDS.values() for name, _ in fields}
    samples = [
        {"event": "user", "text": "x", "parse_data": {"intent": {"name": "greet"}}, "message_id": "0" * 32},
        {"event": "bot", "text": "hi", "data": {"buttons": []}},
        {"event": "slot", "name": "trust", "value": "tewv"},
        {
            "event": "action",
            "name": "action_listen",
            "policy": "p",
            "confidence": 1.0,
            "hide_rule_turn": False,
        },
        {"event": "active_loop", "name": "f"},
    ]
    for sample in samples:
        kept = set(stored_event(sample)) - {"event"}
        assert kept <= documented | {"timestamp"}, (sample["event"], kept - documented)


def test_no_doc_says_typed_text_is_stored() -> None:
    for doc in ("docs/teams.md", "README.md", "docs/deploy.md"):
        text = (REPO / doc).read_text(encoding="utf-8")
        assert "as the user typed it" not in text, doc
        assert "Add the Emulator" not in text, doc


def test_the_safety_case_names_a_test_for_every_hazard() -> None:
    text = (REPO / "docs" / "safety-case.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| H")]
    assert len(rows) >= 8
    for row in rows:
        assert "test_" in row, row
        for name in [w.strip("`") for w in row.split() if w.strip("`,").startswith("test_")]:
            name = name.strip("`,.")
            assert any(name in p.read_text(encoding="utf-8") for p in (REPO / "tests").rglob("test_*.py")), (
                name
            )
