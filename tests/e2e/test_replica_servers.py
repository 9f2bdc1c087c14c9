"""Scale-out as deployed: two `rasa run` replicas on PostgreSQL and Redis behind a load balancer.

Each replica is a real server process with its own action server (tests/e2e/test_server.py's
`served_assistant`), both on one PostgreSQL tracker store and one Redis lock store. In front of
them, on a free loopback port, a small round-robin balancer sends each request to the next
replica in turn, so one conversation's messages land on both. 20 conversations send their
messages back to back at the same time, and in two of them a second message is sent while the
first is still being answered. Every message must get its reply, and every turn must be in the
tracker, whole and in order (user message, then the answer, before the next user message).
"""

from __future__ import annotations

import itertools
import json
import threading
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from tests.e2e.test_server import post, served_assistant

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/2"
CONVERSATION = [
    '/choose_trust{"trust":"lpt"}',
    "a journalist rang me about a patient",
    "what do I say?",
    "thanks",
]


def balancer(replicas: list[str]) -> ThreadingHTTPServer:
    """Round robin over the replicas, per request; replies passed back as they come."""
    turn = itertools.cycle(replicas)
    lock = threading.Lock()

    class Forward(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            with lock:
                target = next(turn)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            request = urllib.request.Request(
                target + self.path, data=body, headers={"Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request, timeout=120) as response:
                reply = response.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:  # nothing the user typed in the test log
            return

    class Front(ThreadingHTTPServer):
        # socketserver's listen backlog is 5: 20 conversations connecting at once overflowed it
        # and the kernel reset the surplus connections (a test flake, not a lost turn).
        request_queue_size = 64

    server = Front(("127.0.0.1", 0), Forward)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def turns_in_store(sender: str) -> list[str]:
    """The stored event names of one conversation, in order ("user", "action_respond", ...)."""
    engine = sa.create_engine(POSTGRES_URL)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.text("select type_name, action_name from events where sender_id = :s order by id"),
            {"s": sender},
        )
        return [action if kind == "action" else kind for kind, action in rows]


@pytest.mark.model
def test_two_served_replicas_behind_a_balancer_lose_and_reorder_no_turn(tmp_path):
    env = {"BOT_REDIS_URL": REDIS_URL}
    with ExitStack() as stack:
        replicas = [
            stack.enter_context(served_assistant(folder(tmp_path / name), POSTGRES_URL, env))
            for name in ("a", "b")
        ]
        front = balancer([str(r) for r in replicas])
        stack.callback(front.shutdown)
        url = f"http://127.0.0.1:{front.server_address[1]}/webhooks/rest/webhook"
        run = uuid.uuid4().hex[:8]

        def send(sender: str, text: str) -> list:
            return post(url, {"sender": sender, "message": text})

        def conversation(index: int) -> list[list]:
            sender = f"lb-{run}-{index}"
            replies = [send(sender, text) for text in CONVERSATION[:2]]
            if index < 2:  # two messages to the same conversation at once
                with ThreadPoolExecutor(2) as both:
                    replies += list(both.map(lambda text: send(sender, text), CONVERSATION[2:]))
            else:
                replies += [send(sender, text) for text in CONVERSATION[2:]]
            return replies

        with ThreadPoolExecutor(20) as pool:
            everything = list(pool.map(conversation, range(20)))

    assert all(reply and reply[0].get("text") for replies in everything for reply in replies), "no reply"
    first_answers = {json.dumps([r.get("text") for r in replies[1]]) for replies in everything}
    assert len(first_answers) == 1, "the same message in the same state got different answers"
    for index in range(20):
        names = turns_in_store(f"lb-{run}-{index}")
        users = [i for i, name in enumerate(names) if name == "user"]
        assert len(users) == len(CONVERSATION), f"conversation {index}: a turn is missing"
        for start, end in zip(users, [*users[1:], len(names)], strict=True):
            assert "action_respond" in names[start:end], (
                f"conversation {index}: a turn was not answered in order"
            )


def folder(path):
    path.mkdir(parents=True, exist_ok=True)
    return path
