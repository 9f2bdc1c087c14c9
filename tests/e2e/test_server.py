"""The served assistant (`make run`'s commands) over REST on 127.0.0.1, across a restart.

This starts the real action server and Rasa server as processes, as `make run` does, with the
conversation store pointed at a temporary SQLite file, so it checks the deployment path: offline
start-up, the REST channel, `/model/parse`, conversations surviving a restart, and that nothing
the user typed reaches the database.
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

import pytest

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "assistant.tar.gz"
STARTUP_TIMEOUT_S = 180


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


def post(url: str, body: dict) -> object:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@contextmanager
def served_assistant(tmp_path: Path, db_url: str, extra_env: dict | None = None):
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
            str(REPO / "credentials.yml"),
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{actions_port}/health", actions)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/status", rasa)
        yield f"http://127.0.0.1:{rasa_port}"
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


@pytest.mark.model
def test_served_conversation_survives_a_restart_and_stores_no_user_text(tmp_path):
    db = tmp_path / "tracker.db"
    url = f"sqlite:///{db}"
    with served_assistant(tmp_path, url) as base:
        parsed = post(f"{base}/model/parse", {"text": "a relative is filming me on the ward"})
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

    with served_assistant(tmp_path, url) as base:  # a fresh server process on the same store
        summary = say(base, "nurse-1", "/incident_summary")
    assert "Incident summary" in summary
    assert "TEWV" in summary and "4.6.1" in summary

    stored = "\n".join(row[0] for row in sqlite3.connect(db).execute("select data from events"))
    assert "recorded_by_patient" in stored  # the conversation itself was kept
    assert "John Smith" not in stored
    assert "943 476 5919" not in stored
    assert "filmed me" not in stored


@pytest.mark.model
def test_server_starts_offline_with_teams_enabled_and_rejects_unsigned_activities(tmp_path):
    closed_port = free_port()  # nothing listens here: any key fetch at start-up would fail
    teams_env = {
        "MICROSOFT_APP_ID": "00000000-0000-0000-0000-00000000a11d",
        "MICROSOFT_APP_PASSWORD": "not-a-real-secret",
        "MICROSOFT_TENANT_ID": "11111111-1111-1111-1111-111111111111",
        "BOTFRAMEWORK_OPENID_URL": f"http://127.0.0.1:{closed_port}/openid",
        "BOTFRAMEWORK_TOKEN_URL": f"http://127.0.0.1:{closed_port}/token",
    }
    with served_assistant(tmp_path, f"sqlite:///{tmp_path / 't.db'}", teams_env) as base:
        request = urllib.request.Request(
            f"{base}/webhooks/teams/webhook",
            data=json.dumps({"type": "message", "text": "hello"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with pytest.raises(urllib.error.HTTPError) as rejected:
            urllib.request.urlopen(request, timeout=30)
    assert rejected.value.code == 401
