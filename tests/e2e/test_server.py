"""The served assistant (`make run`'s and `make serve`'s commands) on 127.0.0.1, across a restart.

This starts the real action server and Rasa server as processes, as `make run` does, with the
conversation store pointed at a temporary SQLite file, so it checks the deployment path: offline
start-up, the REST channel, Rasa's HTTP API only with a JWT (review S1), conversations surviving
a restart, 999 with the action server killed (S6), and that nothing the user typed reaches the
database (S3). The production channels file has no REST and no API (S1, S2).

Changed deliberately with issue 12: the servers are polled on ``/`` (``/status`` is an API route,
now off unless ``BOT_API_JWT_SECRET`` is set), the REST test uses ``credentials.local.yml``, and
``/model/parse`` needs a signed JWT.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import jwt
import pytest

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "assistant.tar.gz"
STARTUP_TIMEOUT_S = 180
API_SECRET = "test-api-secret-that-is-at-least-32-characters"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = STARTUP_TIMEOUT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)  # polling a starting server, bounded by the deadline
    raise TimeoutError(f"{url} not up within {timeout}s")


def post(url: str, body: dict, token: str | None = None) -> object:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def status_of(url: str, method: str = "GET", body: dict | None = None, token: str | None = None) -> int:
    """The HTTP status a request gets (no exception for 4xx)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def api_token(role: str = "admin", username: str = "ops") -> str:
    return jwt.encode({"user": {"username": username, "role": role}}, API_SECRET, algorithm="HS256")


def listening_addresses(pid: int) -> set[str]:
    """Local addresses of the TCP sockets process ``pid`` listens on (from /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A = LISTEN
                found.add(fields[1].rsplit(":", 1)[0])
    return found


LOOPBACK_HEX = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


class Served(str):
    """The base URL, with the two processes (so a test can kill the action server)."""

    rasa: subprocess.Popen
    actions: subprocess.Popen


@contextmanager
def served_assistant(
    tmp_path: Path, db_url: str, extra_env: dict | None = None, credentials: str = "credentials.local.yml"
):
    """Action server + Rasa server on free loopback ports, stopped afterwards."""
    rasa_port, actions_port = free_port(), free_port()
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        (REPO / "endpoints.yml").read_text().replace("127.0.0.1:5055", f"127.0.0.1:{actions_port}")
    )
    env = {
        **os.environ,
        "BOT_DB_URL": db_url,
        "BOT_TRUST": "lpt",
        "SANIC_HOST": "127.0.0.1",
        "BOT_REDIS_URL": "",
        "BOT_API_JWT_SECRET": "",
        **(extra_env or {}),
    }
    main = [sys.executable, "-m", "bot.rasa_ext.main"]
    log = open(tmp_path / "servers.log", "ab")
    actions = subprocess.Popen(
        [*main, "run", "actions", "--actions", "actions", "--port", str(actions_port)],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [
            *main,
            "run",
            "-m",
            str(MODEL),
            "--enable-api",
            "-i",
            "127.0.0.1",
            "-p",
            str(rasa_port),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(REPO / credentials),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/", rasa)
        served = Served(f"http://127.0.0.1:{rasa_port}")
        served.rasa, served.actions = rasa, actions
        yield served
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()


def say(base: str, sender: str, text: str) -> str:
    replies = post(f"{base}/webhooks/rest/webhook", {"sender": sender, "message": text})
    return "\n".join(r.get("text", "") for r in replies)


IDENTIFIERS = ("John Smith", "943 476 5919", "9434765919", "12/03/1950", "07700 900123", "12.03", "sam.nurse")


@pytest.mark.model
def test_served_conversation_survives_a_restart_and_stores_no_user_text(tmp_path):
    db = tmp_path / "tracker.db"
    url = f"sqlite:///{db}"
    with served_assistant(tmp_path, url, {"BOT_API_JWT_SECRET": API_SECRET}) as base:
        # Rasa's HTTP API needs a JWT signed with BOT_API_JWT_SECRET (S1), never ?token=.
        parse = f"{base}/model/parse"
        body = {"text": "a relative is filming me on the ward"}
        assert status_of(parse, "POST", body) == 401
        assert status_of(f"{parse}?token={API_SECRET}", "POST", body) == 401
        assert status_of(f"{base}/conversations/nurse-1/tracker") == 401
        assert status_of(f"{base}/model", "PUT", {"model_file": "/tmp/x.tar.gz"}) == 401
        assert status_of(f"{base}/model", "DELETE") == 401
        assert status_of(parse, "POST", body, token=api_token(role="user", username="x")) == 403
        parsed = post(parse, body, token=api_token())
        assert parsed["intent"]["name"] == "recorded_by_patient"

        say(base, "nurse-1", '/choose_trust{"trust":"tewv"}')
        reply = say(
            base,
            "nurse-1",
            "a patient's wife filmed me on the ward and put it on facebook, it's "
            "threatening. He is John Smith, NHS number 943 476 5919",
        )
        assert "4.6.1" in reply
        assert "John Smith" not in reply and "943 476 5919" not in reply
        # Typed payload syntax that was never offered, a date of birth typed as a clause, a
        # phone number, REST metadata: none of it may reach the database (S3).
        say(base, "nurse-2", '/inform{"who": "John Smith 9434765919", "platform": "DOB 12/03/1950"}')
        say(base, "nurse-2", '/recorded_by_patient{"trust": "Mrs Jane Doe 07700 900123"}')
        say(base, "nurse-2", "show clause 12.03.1950")
        post(
            f"{base}/webhooks/rest/webhook",
            {"sender": "nurse-2", "message": "hello", "metadata": {"email": "sam.nurse@nhs.net"}},
        )

    with served_assistant(tmp_path, url) as base:  # a fresh server process on the same store
        summary = say(base, "nurse-1", "/incident_summary")
        # With the action server killed, danger still gets 999 first: a domain response (S6).
        base.actions.kill()
        base.actions.wait(timeout=30)
        replies = post(
            f"{base}/webhooks/rest/webhook",
            {"sender": "nurse-3", "message": "a patient has a knife and is threatening staff right now"},
        )
        assert replies and "999" in replies[0]["text"]
        assert status_of(f"{base}/model/parse", "POST", {"text": "hi"}) == 404  # API off without a secret
    assert "Incident summary" in summary
    assert "TEWV" in summary and "4.6.1" in summary

    stored = "\n".join(row[0] for row in sqlite3.connect(db).execute("select data from events"))
    assert "recorded_by_patient" in stored  # the conversation itself was kept
    for identifier in (*IDENTIFIERS, "Jane Doe", "filmed me", "text_tokens", "DOB"):
        assert identifier not in stored, identifier
    assert oct(db.stat().st_mode & 0o777) == "0o600"  # S5


@pytest.mark.model
def test_server_starts_offline_with_teams_enabled_and_rejects_unsigned_activities(tmp_path):
    closed_port = free_port()  # nothing listens here: any key fetch at start-up would fail
    teams_env = {
        "MICROSOFT_APP_ID": "00000000-0000-0000-0000-00000000a11d",
        "MICROSOFT_APP_PASSWORD": "not-a-real-secret",
        "MICROSOFT_TENANT_ID": "11111111-1111-1111-1111-111111111111",
        "BOTFRAMEWORK_OPENID_URL": f"http://127.0.0.1:{closed_port}/openid",
        "BOTFRAMEWORK_TOKEN_URL": f"http://127.0.0.1:{closed_port}/token",
        "BOT_TEAMS_TEST_MODE": "1",
        "TEAMS_SENDER_ID_KEY": "test-sender-id-key",
        "BOT_API_JWT_SECRET": API_SECRET,  # ignored: `make serve` runs with BOT_PRODUCTION=1
        "BOT_PRODUCTION": "1",
    }
    with served_assistant(tmp_path, f"sqlite:///{tmp_path / 't.db'}", teams_env, "credentials.yml") as base:
        # Production channels (make serve): no REST (S2), no API even with a secret (S1).
        assert status_of(f"{base}/webhooks/rest/webhook", "POST", {"sender": "x", "message": "hi"}) == 404
        assert status_of(f"{base}/model/parse", "POST", {"text": "hi"}, token=api_token()) == 404
        assert status_of(f"{base}/webhooks/teams/") == 200
        for process in (base.rasa, base.actions):
            assert listening_addresses(process.pid) <= LOOPBACK_HEX
        request = urllib.request.Request(
            f"{base}/webhooks/teams/webhook",
            data=json.dumps({"type": "message", "text": "hello"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as rejected:
            urllib.request.urlopen(request, timeout=30)
    assert rejected.value.code == 401
