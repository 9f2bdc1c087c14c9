"""Helpers for the policy-pack tests (a module of its own: `conftest` is ambiguous across
test folders without __init__.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.policy.packs import SCENARIO_IDS, read_yaml


def minimal_playbooks() -> dict[str, Any]:
    """A valid playbook for every scenario that claims nothing from any Trust's policy."""
    return {
        scenario: {
            "covered": False,
            "nearest": [],
            "summary": "This Trust's policy does not say what to do here.",
            "questions": [],
            "steps": [{"do": "Tell your line manager.", "general": True}],
            "escalation": [],
            "quotes": [],
        }
        for scenario in SCENARIO_IDS
    }


def read_pack(policies: Path, trust_id: str) -> dict[str, Any]:
    return read_yaml(policies / f"{trust_id}.yml")


def write_pack(policies: Path, trust_id: str, data: dict[str, Any]) -> None:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text = yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)
    (policies / f"{trust_id}.yml").write_text(text, encoding="utf-8")
