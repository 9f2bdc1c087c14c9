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
# data) gates with a margin below what it measured when first scored; docs/understanding.md has
# the history. Each batch is written in registers the earlier ones covered worst, so a newer
# batch can be harder than the last: 2026-12-06 (formal practice admin, mental health ward
# slang, chatty students) measured 0.867, confidently wrong 4.7%, urgent_danger 1.00; the batch
# written beside it, 2026-12-05, measured 0.928, 1.7%, 1.00.
COLD_MIN_ACCURACY = 0.84
COLD_MAX_CONFIDENTLY_WRONG = 0.06
COLD_MIN_DANGER_RECALL = 0.97


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
# someone is in danger, and a pass rate with a margin below what it measured when first played.
# 2026-12-06 asks the most follow-ups of any suite (193 in 110 conversations) and measured 0.33;
# 2026-12-05, written beside it, 0.51. Both were written before this round's changes and played
# once after them (docs/conversations.md). The suites before, now tuned on: 2026-12-03 0.76,
# 2026-12-03b 0.70, 2026-12-04 0.62 (0.43 when this round began).
SUITE_MIN_PASS_RATE = 0.28


def test_the_independent_conversations_never_stall_and_put_999_first(agent):
    from bot.rasa_ext.conversation_suite import load, newest_batch, report, run

    outcomes = run(agent, load(newest_batch()))
    summary = report(outcomes, newest_batch().name)
    assert not [o for o in outcomes if o.stalled], summary
    assert not [o for o in outcomes if "999 not first" in o.failed], summary
    assert sum(o.passed for o in outcomes) / len(outcomes) >= SUITE_MIN_PASS_RATE, summary
