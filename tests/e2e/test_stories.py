"""Rasa's own test of the dialogue: every test story predicted exactly, no prediction errors."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_test_stories_pass_with_no_prediction_errors(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.rasa_ext.main",
            "test",
            "core",
            "--stories",
            "tests/stories",
            "-m",
            "models/assistant.tar.gz",
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
            "--no-plot",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "None of the test stories failed" in (tmp_path / "failed_test_stories.yml").read_text()
