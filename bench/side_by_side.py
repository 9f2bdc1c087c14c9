"""Our assistant against a bare `rasa init` bot, on this machine, in one run: the ratios are the result.

``python -m bench.side_by_side`` creates the bare bot under ``build/bare/`` the first time (Rasa's
own ``rasa init --no-prompt``, trained by it; not committed), then measures each bot in a fresh
process of its own, with the same client and the same counts: model load, sequential turn p50,
10 concurrent conversations (p95 and throughput), the 200th turn of a conversation against its
10th, and peak memory. Both run in-process through ``Agent.handle_text`` (our actions in-process
too, as in the tests), each on its SQLite tracker store in a fresh file (the embedded default);
HTTP and a separate action server are not in these numbers.
Writes ``results/bench-side-by-side.md``. Benchmarks, not tests: nothing here passes or fails.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import percentile
from bot.rasa_ext.results import publish

REPO = Path(__file__).resolve().parents[1]
BARE = REPO / "build" / "bare"

#: A realistic mix for each bot: first messages, answers, "why?", a clause, small talk.
OURS = [
    '/choose_trust{"trust":"lpt"}',
    "a relative is filming me on the ward",
    "not sure tbh",
    "why?",
    "show me clause 8.5",
    "a former patient sent me a friend request",
    "do I have to tell my manager?",
    "thanks",
]
BARE_MIX = ["hi", "I am sad", "yes", "no", "great", "bye", "are you a bot?", "hello"]


def ensure_bare_bot() -> Path:
    models = BARE / "models"
    if not (models.exists() and any(models.glob("*.tar.gz"))):
        BARE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(BARE)],
            check=True,
            cwd=REPO,
        )
    return sorted(models.glob("*.tar.gz"))[-1]


async def _timed(agent, text: str, sender: str) -> float:
    start = time.perf_counter()
    await agent.handle_text(text, sender_id=sender)
    return (time.perf_counter() - start) * 1000


async def _measure(agent, mix: list[str]) -> dict[str, float]:
    sequential = [await _timed(agent, mix[i % len(mix)], f"seq-{i // len(mix)}") for i in range(80)]

    async def conversation(n: int, out: list[float]) -> None:
        for i in range(24):
            out.append(await _timed(agent, mix[i % len(mix)], f"conc-{n}"))

    concurrent: list[float] = []
    start = time.perf_counter()
    await asyncio.gather(*(conversation(n, concurrent) for n in range(10)))
    elapsed = time.perf_counter() - start

    tenth, two_hundredth = [], []
    for n in range(3):
        for i in range(200):
            ms = await _timed(agent, mix[i % len(mix)], f"long-{n}")
            if 5 <= i < 15:
                tenth.append(ms)
            if 195 <= i < 205:
                two_hundredth.append(ms)
    return {
        "sequential p50 ms": statistics.median(sequential),
        "10 concurrent p95 ms": percentile(concurrent, 95),
        "throughput at 10 concurrent msg/s": len(concurrent) / elapsed,
        "10th turn p50 ms": statistics.median(tenth),
        "200th turn p50 ms": statistics.median(two_hundredth),
    }


def one(which: str) -> dict[str, float]:
    """Runs in its own process, so memory is this bot's alone."""
    from bot.rasa_ext.results import quiet_rasa

    quiet_rasa()
    import tempfile

    from rasa.core.tracker_store import SQLTrackerStore

    # Both on their SQLite tracker store, in a fresh file: the embedded default each deploys with.
    db = Path(tempfile.mkdtemp()) / "tracker.db"
    start = time.perf_counter()
    if which == "ours":
        from bot.rasa_ext.inprocess import load_agent
        from bot.rasa_ext.stores import PrivateSQLTrackerStore

        agent, mix = load_agent(tracker_store=PrivateSQLTrackerStore(url=f"sqlite:///{db}")), OURS
    else:
        from rasa.core.agent import Agent

        store = SQLTrackerStore(dialect="sqlite", db=str(db))
        agent, mix = Agent.load(str(ensure_bare_bot()), tracker_store=store), BARE_MIX
    numbers = {"model load s": time.perf_counter() - start}
    numbers.update(asyncio.run(_measure(agent, mix)))
    numbers["peak memory MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return numbers


def main(argv: list[str]) -> int:
    if argv[:1] == ["--one"]:
        print(json.dumps(one(argv[1])))
        return 0
    ensure_bare_bot()
    results = {}
    for which in ("ours", "bare"):
        out = subprocess.run(
            [sys.executable, "-m", "bench.side_by_side", "--one", which],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results[which] = json.loads(out.strip().splitlines()[-1])
    lines = ["| measure | ours | bare Rasa | ratio |", "|---|---|---|---|"]
    for key in results["ours"]:
        ours, bare = results["ours"][key], results["bare"][key]
        lines.append(f"| {key} | {ours:.1f} | {bare:.1f} | {ours / bare:.2f}× |")
    publish("bench-side-by-side.md", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
