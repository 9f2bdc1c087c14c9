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
