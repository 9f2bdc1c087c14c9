"""Score first-message sets on the *served* assistant: ``rasa run`` and its ``/model/parse``.

``make nlu-report`` scores the model in-process. This starts the assistant as it is deployed
(``python -m bot.rasa_ext.main run`` on 127.0.0.1, HTTP API on behind a JWT signed with a
secret made up for this run), sends every message of each file to ``/model/parse`` and prints
the same aggregate table as ``make nlu-report``: accuracy, recall per intent, confusion pairs,
the share wrong with confidence >= 0.8. Texts are never printed. With no files it scores the
batch kept outside the project, ``../shared/cold/*.yml``.

    .venv/bin/python bench/served_parse.py [file.yml ...]
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import jwt

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.rasa_ext.nlu_report import OUTSIDE_COLD_DIR, format_cold, load_cold, score_cold  # noqa: E402

MODEL = REPO / "models" / "assistant.tar.gz"


class ServedParser:
    """``parse_message`` as ``score_cold`` expects it, answered by the served ``/model/parse``."""

    def __init__(self, base: str, token: str) -> None:
        self.url, self.token = f"{base}/model/parse", token

    async def parse_message(self, text: str) -> dict:
        return await asyncio.to_thread(self._post, text)

    def _post(self, text: str) -> dict:
        request = urllib.request.Request(
            self.url,
            data=json.dumps({"text": text}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(base: str, process: subprocess.Popen, seconds: int = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the assistant stopped before it was up")
        try:
            with urllib.request.urlopen(base + "/", timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit("the assistant did not come up")


def main(paths: list[Path]) -> int:
    if not MODEL.exists():
        raise SystemExit("no model: run `make train` first")
    secret = secrets.token_urlsafe(32)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "BOT_API_JWT_SECRET": secret,
            "BOT_DB_URL": f"sqlite:///{folder}/tracker.db",
            "BOT_REDIS_URL": "",
            "SANIC_HOST": "127.0.0.1",
        }
        command = [sys.executable, "-m", "bot.rasa_ext.main", "run", "-m", str(MODEL), "--enable-api"]
        command += ["-i", "127.0.0.1", "-p", str(port), "--endpoints", "endpoints.yml"]
        command += ["--credentials", "credentials.local.yml"]
        log = open(Path(folder) / "server.log", "wb")
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(base, server)
            token = jwt.encode({"user": {"username": "scorer", "role": "admin"}}, secret, algorithm="HS256")
            parser = ServedParser(base, token)
            for path in paths:
                score = asyncio.run(score_cold(parser, f"served /model/parse: {path.name}", load_cold(path)))
                print(format_cold(score) + "\n")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log.close()
    return 0


if __name__ == "__main__":
    given = [Path(p) for p in sys.argv[1:]]
    raise SystemExit(main(given or sorted(OUTSIDE_COLD_DIR.glob("*.yml"))))
