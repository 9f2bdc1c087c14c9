"""The assistant understands how staff actually write, measured on examples it never saw."""

import asyncio

from bot.rasa_ext.nlu_report import format_report, load_examples, predict, score


def test_held_out_understanding_meets_the_bar(agent):
    report = score(asyncio.run(predict(agent, load_examples())))
    assert not report.failures(), format_report(report)


def test_held_out_examples_are_not_in_the_training_data():
    from pathlib import Path

    import yaml

    def normal(text):
        return "".join(ch for ch in text.lower() if ch.isalnum() or ch == " ").split()

    training = set()
    for path in Path("data/nlu").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text()).get("nlu", []):
            if "intent" not in block:
                continue  # synonyms are vocabulary, not intent examples
            for line in block["examples"].splitlines():
                training.add(tuple(normal(line.strip()[2:])))
    leaked = [t for t, _ in load_examples() if tuple(normal(t)) in training]
    assert leaked == []


# The newest cold batch (written after the last tuning, by writers who never saw the training
# data) gates with a margin below what it measured when it was written; docs/understanding.md
# has the history. The bars only ever go up.
COLD_MIN_ACCURACY = 0.85  # 2026-12-04c measured 0.892 (confidently wrong 2.5%, danger 0.97)
COLD_MAX_CONFIDENTLY_WRONG = 0.04
COLD_MIN_DANGER_RECALL = 0.95


def test_the_newest_cold_batch_is_understood(agent):
    from bot.rasa_ext.nlu_report import cold_batch_groups, score_cold

    own = [(name, items) for name, items in cold_batch_groups() if name.startswith("newest own")]
    assert own, "no cold batch under tests/nlu/cold/"
    name, items = own[0]
    result = asyncio.run(score_cold(agent, name, items))
    summary = (
        f"{name}: accuracy {result.accuracy:.3f}, confidently wrong {result.confident_wrong:.1%}, "
        f"urgent_danger recall {result.recall.get('urgent_danger', 0):.2f}"
    )
    assert len(items) >= 300, summary
    assert result.accuracy >= COLD_MIN_ACCURACY, summary
    assert result.confident_wrong <= COLD_MAX_CONFIDENTLY_WRONG, summary
    assert result.recall.get("urgent_danger", 0) >= COLD_MIN_DANGER_RECALL, summary


# The newest independent conversation suite (tests/conversations/), written from the Trusts'
# documents by people who never saw the packs or the replies: never a stall, 999 first wherever
# someone is in danger, and a pass rate that only goes up. The newest suite, 2026-12-04, is
# stricter than the two before (each follow-up's words from the document, other Trusts' team
# names forbidden): it measured 0.30 when it was added and 0.43 after this round's changes, none of
# which looked at it. The earlier suites, now tuned on: 2026-12-03 0.67, 2026-12-03b 0.61.
SUITE_MIN_PASS_RATE = 0.38


def test_the_independent_conversations_never_stall_and_put_999_first(agent):
    from bot.rasa_ext.conversation_suite import load, newest_batch, report, run

    outcomes = run(agent, load(newest_batch()))
    summary = report(outcomes, newest_batch().name)
    assert not [o for o in outcomes if o.stalled], summary
    assert not [o for o in outcomes if "999 not first" in o.failed], summary
    assert sum(o.passed for o in outcomes) / len(outcomes) >= SUITE_MIN_PASS_RATE, summary
