"""`make bench`: how fast and how big the assistant is, on this machine.

Measures model load, NLU parse latency, whole-turn latency (NLU + dialogue + our actions,
in-process) for a guided scenario, and peak memory. Numbers go to stdout and results/bench.md.
Benchmarks, not tests: nothing here passes or fails.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import time
from pathlib import Path

from bench import percentile
from bot.rasa_ext.results import publish

REPO = Path(__file__).resolve().parents[1]

TURNS = [
    '/choose_trust{"trust":"lpt"}',
    "a relative is filming me on the ward",
    "yes",
    "no",
    "/incident_summary",
]


async def measure(agent, rounds: int = 40) -> dict[str, float]:
    parse = []
    for _ in range(200):
        start = time.perf_counter()
        await agent.parse_message("my ex patient sent me a friend request on insta")
        parse.append((time.perf_counter() - start) * 1000)
    turns = []
    for round_ in range(rounds):
        for text in TURNS:
            start = time.perf_counter()
            await agent.handle_text(text, sender_id=f"bench-{round_}")
            turns.append((time.perf_counter() - start) * 1000)
    return {
        "parse p50 ms": statistics.median(parse),
        "parse p95 ms": percentile(parse, 95),
        "turn p50 ms": statistics.median(turns),
        "turn p95 ms": percentile(turns, 95),
        "turns": len(turns),
    }


def main() -> int:
    from bot.rasa_ext.inprocess import load_agent

    start = time.perf_counter()
    agent = load_agent()
    load_s = time.perf_counter() - start
    numbers = asyncio.run(measure(agent))
    numbers["model load s"] = load_s
    numbers["peak RSS MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model = REPO / "models" / "assistant.tar.gz"
    numbers["model size MB"] = model.stat().st_size / 1e6
    lines = [f"| {k} | {v:.1f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in numbers.items()]
    publish("bench.md", "| measure | value |\n|---|---|\n" + "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
