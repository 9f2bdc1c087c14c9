"""Fixtures for the policy-pack tests: copies of policies/ that a test may break freely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pack_helpers import minimal_playbooks, read_pack, write_pack

from bot.policy.packs import DEFAULT_POLICIES_DIR, TRUST_IDS


@pytest.fixture
def policies_copy(tmp_path: Path) -> Path:
    """The repo's packs, sources and questions.yml, as committed, in a temporary directory."""
    target = tmp_path / "policies"
    target.mkdir()
    shutil.copytree(DEFAULT_POLICIES_DIR / "sources", target / "sources")
    for name in ("questions.yml", "follow_ups.yml", *(f"{t}.yml" for t in TRUST_IDS)):
        shutil.copy(DEFAULT_POLICIES_DIR / name, target / name)
    return target


@pytest.fixture
def clean_policies(policies_copy: Path) -> Path:
    """``policies_copy`` with every pack's playbooks replaced by ``minimal_playbooks``.

    A known-clean baseline, so a test that breaks one thing sees only that thing's errors
    whatever state the real playbooks are in.
    """
    for trust_id in TRUST_IDS:
        data = read_pack(policies_copy, trust_id)
        data["playbooks"] = minimal_playbooks()
        write_pack(policies_copy, trust_id, data)
    return policies_copy
