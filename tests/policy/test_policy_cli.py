"""`python -m bot` runs the policy commands: check-packs, coverage, import-policy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pack_helpers import read_pack, write_pack

from bot.cli import COMMANDS, main

REPO = Path(__file__).resolve().parents[2]


def test_check_packs_prints_review_status_and_clause_counts(clean_policies: Path, capsys) -> None:
    code = main(["check-packs", "--policies-dir", str(clean_policies), "--today", "2026-11-23"])
    out = capsys.readouterr().out
    assert code == 0
    assert "lpt: 49 clauses, 15 playbooks, review due February 2027: due_soon" in out
    assert "lchs: 55 clauses, 15 playbooks, review due March 2023: overdue" in out
    assert "secamb: 55 clauses, 15 playbooks, review due not printed: no_date" in out
    assert "All policy packs pass." in out


def test_check_packs_fails_and_lists_the_errors(clean_policies: Path, capsys) -> None:
    data = read_pack(clean_policies, "cumbria")
    data["playbooks"]["media_contact"]["steps"][0]["do"] = "Call the press office on 01228 523444."
    write_pack(clean_policies, "cumbria", data)
    assert main(["check-packs", "--policies-dir", str(clean_policies)]) == 1
    out = capsys.readouterr().out
    assert "cumbria: playbook media_contact step 1 gives the phone number 01228 523444" in out


def test_coverage_prints_the_report(capsys) -> None:
    assert main(["coverage", "--as-at", "2026-11-23"]) == 0
    assert "Review status as at: 2026-11-23" in capsys.readouterr().out


def test_coverage_write_keeps_the_recorded_date(tmp_path: Path, capsys) -> None:
    out = tmp_path / "coverage.md"
    assert main(["coverage", "--write", "--out", str(out), "--as-at", "2026-11-23"]) == 0
    assert main(["coverage", "--write", "--out", str(out)]) == 0
    assert "Review status as at: 2026-11-23" in out.read_text(encoding="utf-8")


def test_the_cli_is_a_dispatch_table() -> None:
    assert {"import-policy", "check-packs", "coverage"} <= set(COMMANDS)


def test_python_m_bot_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "check-packs" in result.stdout and "import-policy" in result.stdout
