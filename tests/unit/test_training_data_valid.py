"""Rasa's own validator finds nothing wrong with the domain, NLU data and rules."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_rasa_data_validate_is_clean_with_warnings_as_failures():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.rasa_ext.main",
            "data",
            "validate",
            "--domain",
            "domain",
            "--fail-on-warnings",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
