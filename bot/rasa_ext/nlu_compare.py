"""Compare NLU configurations on the cold protocol: which classifier generalises to staff's wording.

``python -m bot.rasa_ext.nlu_compare bench/nlu/diet.yml bench/nlu/logreg.yml`` trains an
NLU-only model per configuration on the same training data (``data/nlu``), times it, and scores
each on the own held-out set and every cold batch, in aggregate only (the cold texts are never
printed, so nobody tunes on single items). The table it prints is how a configuration earns its
place in ``config.yml``; ``docs/understanding.md`` records the runs.

A configuration chosen this way has been tuned on the batches it was compared on: report the
result on a batch written after the choice.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bot.rasa_ext.nlu_report import (
    CONFIDENT,
    CRITICAL_INTENTS,
    REPO,
    cold_batch_groups,
    load_examples,
    predict,
    score,
    score_cold,
)

CORE = CRITICAL_INTENTS[:5]


def train(config: Path, data: list[Path], out: Path) -> tuple[Path, float]:
    from rasa.model_training import train_nlu

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        # One folder of training files, so the importer reads exactly these.
        for index, path in enumerate(data):
            # Every file below the folder: the writers' files live in data/nlu/writers/.
            files = sorted(path.rglob("*.yml")) if path.is_dir() else [path]
            for number, file in enumerate(files):
                (Path(folder) / f"{index}-{number}-{file.name}").write_text(file.read_text())
        model = train_nlu(str(config), folder, str(out), fixed_model_name=config.stem)
    return Path(model), time.monotonic() - started


def evaluate(model: Path) -> list[str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    held_out = score(asyncio.run(predict(agent, load_examples())))
    cells = [f"{held_out.accuracy:.3f}"]
    for name, items in cold_batch_groups():
        s = asyncio.run(score_cold(agent, name, items))
        core = min(s.recall.get(i, 0.0) for i in CORE)
        cells.append(
            f"{s.accuracy:.3f} / {s.confident_wrong:.1%} / core {core:.2f} / "
            f"danger {s.recall.get('urgent_danger', 0.0):.2f}"
        )
    return cells


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="+", type=Path)
    parser.add_argument("--data", action="append", type=Path, help="default: data/nlu")
    parser.add_argument("--out", type=Path, default=REPO / "build" / "nlu-compare")
    args = parser.parse_args(argv)
    from bot.rasa_ext.results import quiet_rasa

    quiet_rasa()
    data = args.data or [REPO / "data" / "nlu"]
    names = [name for name, _ in cold_batch_groups()]
    print(
        f"Cells: accuracy / wrong with confidence >= {CONFIDENT} / lowest core-scenario recall"
        " / urgent_danger recall\n"
    )
    print("| config | training | held-out | " + " | ".join(names) + " |")
    print("|---" * (3 + len(names)) + "|")
    for config in args.configs:
        model, seconds = train(config, data, args.out)
        cells = evaluate(model)
        print(f"| {config.name} | {seconds:.0f} s | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
