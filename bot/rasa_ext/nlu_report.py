"""How well the assistant understands staff: held-out precision, recall, F1 and confusions.

``python -m bot nlu-report`` (``make nlu-report``) parses every example of ``tests/nlu/`` (which
no training file contains) with the trained model and reports per intent. The same numbers gate
``make test`` (tests/e2e/test_understanding.py): held-out accuracy at least 0.90, and recall of
the scenarios that matter most in an incident at least 0.90 (at most two misses in 24). That set
was written with the first training data, so it measures one writing style; the gate that counts
is the newest cold batch (tests/e2e/test_understanding.py), written after the last tuning by
people who never saw the training data.

A message the model is unsure of goes to "did you mean" (``nlu_fallback``) rather than a wrong
answer; here it counts as a miss, so the gate is strict.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
HELD_OUT_DIR = REPO / "tests" / "nlu"
MIN_ACCURACY = 0.90
MIN_CRITICAL_RECALL = 0.90
CRITICAL_INTENTS = (
    "recorded_by_patient",
    "contact_from_patient",
    "media_contact",
    "abuse_image",
    "online_abuse",
    "urgent_danger",
)


def load_examples(directory: Path = HELD_OUT_DIR) -> list[tuple[str, str]]:
    """(text, intent) pairs from Rasa NLU YAML files."""
    examples = []
    for path in sorted(directory.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in block["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((line[2:].strip(), block["intent"]))
    return examples


@dataclass
class IntentScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Report:
    accuracy: float
    scores: dict[str, IntentScore]
    confusions: Counter = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)

    def failures(self) -> list[str]:
        """What breaks the gate, in words."""
        problems = []
        if self.accuracy < MIN_ACCURACY:
            problems.append(f"held-out accuracy {self.accuracy:.3f} < {MIN_ACCURACY}")
        for intent in CRITICAL_INTENTS:
            recall = self.scores[intent].recall if intent in self.scores else 0.0
            if recall < MIN_CRITICAL_RECALL:
                problems.append(f"recall of {intent} {recall:.3f} < {MIN_CRITICAL_RECALL}")
        return problems


def score(pairs: list[tuple[str, str, str]]) -> Report:
    """Pairs are (text, expected intent, predicted intent)."""
    expected = Counter(e for _, e, _ in pairs)
    predicted = Counter(p for _, _, p in pairs)
    correct = Counter(e for _, e, p in pairs if e == p)
    scores = {}
    for intent in sorted(expected):
        precision = correct[intent] / predicted[intent] if predicted[intent] else 0.0
        recall = correct[intent] / expected[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[intent] = IntentScore(precision, recall, f1, expected[intent])
    misses = [(t, e, p) for t, e, p in pairs if e != p]
    return Report(
        accuracy=sum(correct.values()) / len(pairs),
        scores=scores,
        confusions=Counter((e, p) for _, e, p in misses),
        misses=misses,
    )


async def predict(agent, examples: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    pairs = []
    for text, intent in examples:
        parsed = await agent.parse_message(text)
        pairs.append((text, intent, parsed["intent"]["name"]))
    return pairs


def format_report(report: Report) -> str:
    lines = [
        f"Held-out examples: {sum(s.support for s in report.scores.values())}, "
        f"accuracy {report.accuracy:.3f}",
        "",
        "| intent | precision | recall | F1 | n |",
        "|---|---|---|---|---|",
    ]
    for intent, s in report.scores.items():
        lines.append(f"| {intent} | {s.precision:.2f} | {s.recall:.2f} | {s.f1:.2f} | {s.support} |")
    lines += ["", "Most confused (expected -> predicted):"]
    for (expected, predicted), count in report.confusions.most_common(10):
        lines.append(f"- {expected} -> {predicted}: {count}")
    problems = report.failures()
    lines += ["", "Gate: " + ("PASS" if not problems else "FAIL: " + "; ".join(problems))]
    return "\n".join(lines)


# --- cold batches: first messages written by people who never saw the training data ----------

COLD_DIR = REPO / "tests" / "nlu" / "cold"
OUTSIDE_COLD_DIR = REPO.parent / "shared" / "cold"
CONFIDENT = 0.8


@dataclass
class ColdScore:
    """A cold batch, scored only in aggregate: its texts are never shown, so nobody tunes on them."""

    name: str
    n: int
    accuracy: float
    confident_wrong: float
    recall: dict[str, float]
    support: dict[str, int]
    confusions: Counter
    miss_confidence: list[float]


def load_cold(path: Path) -> list[dict]:
    """Items ``{text, intent, also?}`` from a cold batch file."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [i for i in items if isinstance(i, dict) and i.get("text") and i.get("intent")]


def cold_batches() -> list[Path]:
    """Our own cold batch files in the order written (dated folders), then the outside batch."""
    own = sorted(COLD_DIR.glob("*/*.yml")) + sorted(COLD_DIR.glob("*.yml"))
    outside = sorted(OUTSIDE_COLD_DIR.glob("*.yml")) if OUTSIDE_COLD_DIR.exists() else []
    return own + outside


def cold_batch_groups() -> list[tuple[str, list[dict]]]:
    """Each batch as (name, items): a dated folder of writers' files is one batch, scored whole.

    Our own batches come in the order written, the newest named as such; the batch written
    outside the team comes last.
    """
    own = sorted(p for p in COLD_DIR.glob("*") if p.is_dir() and any(p.glob("*.yml")))
    groups = [
        (
            ("newest own cold batch: " if folder == own[-1] else "own cold batch: ") + folder.name,
            [item for path in sorted(folder.glob("*.yml")) for item in load_cold(path)],
        )
        for folder in own
    ]
    if OUTSIDE_COLD_DIR.exists():
        for path in sorted(OUTSIDE_COLD_DIR.glob("*.yml")):
            groups.append((f"outside the team: {path.name}", load_cold(path)))
    return groups


async def score_cold(agent, name: str, items: list[dict]) -> ColdScore:
    correct, wrong_confident = 0, 0
    expected, hits = Counter(), Counter()
    confusions: Counter = Counter()
    miss_confidence = []
    for item in items:
        parsed = await agent.parse_message(item["text"])
        predicted = parsed["intent"]["name"]
        confidence = float(parsed["intent"].get("confidence") or 0.0)
        right = {item["intent"], *([item["also"]] if item.get("also") else [])}
        expected[item["intent"]] += 1
        if predicted in right:
            correct += 1
            hits[item["intent"]] += 1
        else:
            confusions[(item["intent"], predicted)] += 1
            miss_confidence.append(confidence)
            wrong_confident += confidence >= CONFIDENT
    n = len(items)
    return ColdScore(
        name=name,
        n=n,
        accuracy=correct / n if n else 0.0,
        confident_wrong=wrong_confident / n if n else 0.0,
        recall={i: hits[i] / expected[i] for i in sorted(expected)},
        support=dict(expected),
        confusions=confusions,
        miss_confidence=miss_confidence,
    )


def format_cold(score: ColdScore) -> str:
    lines = [
        f"### {score.name}: {score.n} messages, accuracy {score.accuracy:.3f}, "
        f"wrong with confidence >= {CONFIDENT}: {score.confident_wrong:.1%}",
        "",
        "| intent | recall | n |",
        "|---|---|---|",
    ]
    lines += [f"| {i} | {r:.2f} | {score.support[i]} |" for i, r in score.recall.items()]
    lines += ["", "Most confused (true -> predicted):"]
    lines += [f"- {e} -> {p}: {c}" for (e, p), c in score.confusions.most_common(8)]
    if score.miss_confidence:
        ordered = sorted(score.miss_confidence)
        lines.append(
            f"Confidence of the misses: median {ordered[len(ordered) // 2]:.2f}, max {ordered[-1]:.2f}"
        )
    return "\n".join(lines)


def main() -> int:
    from rasa.core.agent import Agent

    from bot.rasa_ext.results import quiet_rasa

    quiet_rasa()
    model = REPO / "models" / "assistant.tar.gz"
    agent = Agent.load(str(model))
    report = score(asyncio.run(predict(agent, load_examples())))
    text = "## Own held-out set (written with the training data)\n\n" + format_report(report)
    for name, items in cold_batch_groups():
        text += "\n\n" + format_cold(asyncio.run(score_cold(agent, name, items)))
    print(text)
    out = REPO / "results" / "nlu-report.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        text + "\n\nMisses:\n" + "\n".join(f"- {t!r}: {e} -> {p}" for t, e, p in report.misses) + "\n"
    )
    print(f"\nWritten to {out.relative_to(REPO)} with every miss.")
    return 0 if not report.failures() else 1
