"""Build steps the Makefile calls: the spaCy pipeline, and training only when inputs changed.

Why not just ``rasa train``: a fresh model costs minutes, and ``make chat`` / ``make test`` must
be quick the second time. The model's inputs (config, domain, data, the spaCy pipeline) are
hashed; the model is retrained only when the hash differs from the one recorded beside it.
Rasa's own cache does not notice a rebuilt spaCy pipeline (it fingerprints the path only), so
a change there retrains with ``--force``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bot.nlu import spacy_pipeline

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "assistant.tar.gz"
FINGERPRINT = REPO / "models" / "assistant.inputs"
TRAINING_INPUTS = ("config.yml", "domain", "data")


def ensure_nlu_pipeline() -> bool:
    """Build the spaCy pipeline if missing or stale; True if it was (re)built."""
    if spacy_pipeline.is_current():
        return False
    spacy_pipeline.build()
    return True


def training_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        path = REPO / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                digest.update(str(file.relative_to(REPO)).encode())
                digest.update(file.read_bytes())
    digest.update(spacy_pipeline.inputs_fingerprint().encode())
    return digest.hexdigest()[:16]


def model_is_current() -> bool:
    return (
        MODEL.exists()
        and FINGERPRINT.exists()
        and (FINGERPRINT.read_text().strip() == training_fingerprint())
    )


def train(force: bool = False) -> int:
    """Train into models/assistant.tar.gz unless it is already up to date."""
    rebuilt = ensure_nlu_pipeline()
    if model_is_current() and not force:
        print(f"Model is up to date: {MODEL.relative_to(REPO)}")
        return 0
    command = [
        sys.executable,
        "-m",
        "bot.rasa_ext.main",
        "train",
        "--domain",
        "domain",
        "--fixed-model-name",
        "assistant",
        "--out",
        "models",
    ]
    spacy_changed = rebuilt or (FINGERPRINT.exists() and not MODEL.exists())
    if force or spacy_changed:
        command.append("--force")
    result = subprocess.run(command, cwd=REPO)
    if result.returncode == 0:
        FINGERPRINT.write_text(training_fingerprint() + "\n")
    return result.returncode
