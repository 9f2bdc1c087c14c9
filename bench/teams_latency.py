"""Time from a Teams activity arriving at the webhook to its reply reaching the connector.

Runs the real Teams blueprint on 127.0.0.1 against the fake Bot Framework in
``tests/teams/fake_bot_framework.py`` (JWT signing, JWKS, token endpoint, reply recorder),
with an echo handler in place of Rasa's NLU and policies, so it measures the channel's own
overhead: JWT validation, background hand-off, token cache and the aiohttp POST. With
``--assistant`` the trained model and our actions answer instead (in-process), so the numbers
are what a member of staff waits in Teams, less the internet.

    .venv/bin/python bench/teams_latency.py [--activities 100] [--concurrency 1] [--show-reply]
                                            [--assistant]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "teams")]

import aiohttp  # noqa: E402
from fake_bot_framework import KID, FakeBotFramework, SigningKey, connector_claims  # noqa: E402
from rasa.core.channels.channel import UserMessage  # noqa: E402
from teams_harness import InMemoryTrusts, activity, make_settings, serve  # noqa: E402

from bot.channels.teams import TeamsInput  # noqa: E402

BUTTONS = [
    {"title": "Yes", "payload": '/inform{"still_recording": true}'},
    {"title": "No", "payload": '/inform{"still_recording": false}'},
]


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_response(
        message.sender_id, {"text": f"You said: {message.text}", "buttons": BUTTONS}
    )


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def timed_activity(
    http: aiohttp.ClientSession,
    fake: FakeBotFramework,
    url: str,
    token: str,
    text: str,
    semaphore: asyncio.Semaphore,
) -> float:
    """Seconds from POSTing one activity to the fake connector recording its reply.

    Each activity is its own conversation: one person's messages arrive seconds apart, and
    back-to-back messages in one conversation would mostly measure Rasa's 1 s lock polling.
    """
    body = activity(fake, text=text, conversation={"id": f"a:bench-{uuid.uuid4().hex}"})
    async with semaphore:
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {token}"}
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 202, response.status
        reply = await asyncio.to_thread(fake.wait_for_reply_to, body["id"], 10)
        return reply["received_at"] - started


ASSISTANT_MESSAGES = [
    "a relative is filming me on the ward",
    '/inform{"posted_online":true}',
    "a journalist rang the ward",
    "someone keeps abusing me on facebook",
]


def assistant_handler():
    """The real assistant: trained model plus our actions in-process (loaded before the loop)."""
    from bot.rasa_ext.inprocess import load_agent

    agent = load_agent()

    async def handle(message: UserMessage) -> None:
        await agent.handle_message(message)

    return handle


async def run(count: int, concurrency: int, show_reply: bool, handler=echo) -> None:
    key = SigningKey(KID)
    with FakeBotFramework([key]) as fake:
        channel = TeamsInput(make_settings(fake), trust_memory=InMemoryTrusts())
        token = key.sign(connector_claims(fake.service_url))
        semaphore = asyncio.Semaphore(concurrency)
        async with aiohttp.ClientSession() as http:
            async for base_url in serve(channel, handler):
                url = f"{base_url}/webhooks/teams/webhook"
                # Warm-up: the first request fetches the signing keys and the outbound token.
                await timed_activity(http, fake, url, token, "warm-up", semaphore)
                texts = (
                    [ASSISTANT_MESSAGES[n % len(ASSISTANT_MESSAGES)] for n in range(count)]
                    if handler is not echo
                    else [f"message {n}" for n in range(count)]
                )
                latencies = await asyncio.gather(
                    *(timed_activity(http, fake, url, token, text, semaphore) for text in texts)
                )
        ms = [1000 * seconds for seconds in latencies]
        print(f"activities={count} concurrency={concurrency}")
        p50, p95 = statistics.median(ms), percentile(ms, 0.95)
        print(f"p50={p50:.1f} ms  p95={p95:.1f} ms  max={max(ms):.1f} ms")
        if show_reply:
            print(json.dumps(fake.activities[-1]["body"], indent=2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--show-reply", action="store_true", help="print one recorded reply")
    parser.add_argument("--assistant", action="store_true", help="answer with the trained model")
    args = parser.parse_args(argv)
    handler = assistant_handler() if args.assistant else echo
    asyncio.run(run(args.activities, args.concurrency, args.show_reply, handler))


if __name__ == "__main__":
    main()
