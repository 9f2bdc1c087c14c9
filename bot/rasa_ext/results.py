"""Reports and benchmarks: keep Rasa's log quiet while they run, and put what they find in results/.

Rasa's debug log prints every message it parses, which would put cold-batch and conversation
texts on the screen; every report therefore starts with ``quiet_rasa()``.
"""

from __future__ import annotations

import logging
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "results"


def quiet_rasa() -> None:
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)


def publish(name: str, text: str) -> Path:
    """Print a report and keep it as results/<name> (not committed)."""
    print(text)
    RESULTS.mkdir(exist_ok=True)
    target = RESULTS / name
    target.write_text(text + "\n")
    return target
