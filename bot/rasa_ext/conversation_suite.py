"""The independent conversation suite: whole free-text conversations, judged by each Trust's policy.

``tests/conversations/<date>/<trust>.yml`` holds conversations written by people who never saw
the training data, the packs or the assistant's replies, each with checks they took from that
Trust's own document (``must_mention``, ``must_not``, ``expect_any`` on follow-up turns,
``danger_first``). ``make conversations`` plays every conversation of the newest batch on that
Trust's deployment and prints pass rates in aggregate only; the texts are never printed, so
nobody tunes on single conversations. After a round of changes a new batch is written.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SUITE_DIR = REPO / "tests" / "conversations"
#: Phrases of a reply that stalls a conversation (kept with the suite, as test data).
STALLS = tuple(yaml.safe_load((SUITE_DIR / "stalling-replies.yml").read_text(encoding="utf-8")))
_senders = itertools.count()


@dataclass
class Outcome:
    """One conversation's result: which checks failed (empty when it passed)."""

    id: str
    trust: str
    scenario: str
    failed: list[str] = field(default_factory=list)
    follow_ups: int = 0
    follow_ups_in_context: int = 0
    stalled: bool = False

    @property
    def passed(self) -> bool:
        return not self.failed


def newest_batch() -> Path:
    batches = sorted(p for p in SUITE_DIR.glob("*") if p.is_dir() and any(p.glob("*.yml")))
    return batches[-1]


def load(folder: Path) -> list[dict]:
    return [c for path in sorted(folder.glob("*.yml")) for c in yaml.safe_load(path.read_text())]


def _has(text: str, phrases) -> bool:
    text = text.lower()
    return any(str(p).lower() in text for p in phrases)


def judge(conversation: dict, replies: list[list[str]]) -> Outcome:
    """Pure: the checks of one conversation against the replies to each of its turns."""
    outcome = Outcome(conversation["id"], conversation["trust"], conversation["scenario"])
    everything = "\n".join(t for turn in replies for t in turn)
    if _has(everything, STALLS):
        outcome.stalled = True
        outcome.failed.append("stalled")
    for turn, reply in zip(conversation["turns"], replies, strict=False):
        if turn.get("follow_up"):
            outcome.follow_ups += 1
            expected = turn.get("expect_any")
            if not expected or _has("\n".join(reply), expected):
                outcome.follow_ups_in_context += 1
            else:
                outcome.failed.append("follow-up not answered in context")
    for group in conversation.get("must_mention") or []:
        if not _has(everything, group if isinstance(group, list) else [group]):
            outcome.failed.append("must_mention missing")
    for phrase in conversation.get("must_not") or []:
        if _has(everything, [phrase]):
            outcome.failed.append("must_not present")
    marked = [r for t, r in zip(conversation["turns"], replies, strict=False) if t.get("dangerous")]
    if marked:  # the reply to every message marked dangerous opens with 999, danger_first or not
        opened = all(reply and "999" in reply[0] for reply in marked)
    elif conversation.get("danger_first"):  # no turn marked: some reply opens with it
        opened = any(reply and "999" in reply[0] for reply in replies)
    else:
        opened = True
    if not opened:
        outcome.failed.append("999 not first")
    return outcome


async def play(agent, conversation: dict) -> list[list[str]]:
    sender = f"suite-{next(_senders)}"
    await agent.handle_text(f'/choose_trust{{"trust":"{conversation["trust"]}"}}', sender_id=sender)
    replies = []
    for turn in conversation["turns"]:
        answer = await agent.handle_text(str(turn["user"]), sender_id=sender) or []
        replies.append([r.get("text") or "" for r in answer])
    return replies


def run(agent, conversations: list[dict]) -> list[Outcome]:
    async def all_of_them():
        return [judge(c, await play(agent, c)) for c in conversations]

    return asyncio.run(all_of_them())


def report(outcomes: list[Outcome], name: str) -> str:
    """Aggregate only: pass rates per Trust and per scenario, and which checks failed how often."""

    def rate(items):
        return (
            f"{sum(o.passed for o in items) / len(items):.2f} ({sum(o.passed for o in items)}/{len(items)})"
        )

    by_trust, by_scenario = defaultdict(list), defaultdict(list)
    for o in outcomes:
        by_trust[o.trust].append(o)
        by_scenario[o.scenario].append(o)
    follow_ups = sum(o.follow_ups for o in outcomes)
    in_context = sum(o.follow_ups_in_context for o in outcomes)
    lines = [
        f"## Conversation suite {name}: {len(outcomes)} conversations, pass rate {rate(outcomes)}",
        "",
        "| Trust | pass rate |",
        "|---|---|",
        *[f"| {t} | {rate(items)} |" for t, items in sorted(by_trust.items())],
        "",
        "| scenario | pass rate |",
        "|---|---|",
        *[f"| {s} | {rate(items)} |" for s, items in sorted(by_scenario.items())],
        "",
        f"Follow-up questions answered in context: {in_context}/{follow_ups}",
        f"Conversations with a stalling reply: {sum(o.stalled for o in outcomes)}",
        "Failed checks: "
        + ", ".join(f"{k} {v}" for k, v in Counter(f for o in outcomes for f in o.failed).most_common()),
    ]
    return "\n".join(lines)


def main() -> int:
    from bot.rasa_ext.inprocess import load_agent
    from bot.rasa_ext.results import publish, quiet_rasa

    quiet_rasa()
    folder = newest_batch()
    publish("conversations.md", report(run(load_agent(), load(folder)), folder.name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
