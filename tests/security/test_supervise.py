"""The action server is restarted when it dies or stops answering its health check (S6)."""

from __future__ import annotations

import signal
import socket
import sys
from pathlib import Path

import pytest

from bot.rasa_ext.supervise import healthy, supervise


def closed_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/health"


@pytest.fixture(autouse=True)
def keep_signal_handlers():
    """The supervisor installs SIGTERM/SIGINT handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_an_action_server_that_exits_is_restarted(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    command = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x')"]
    code = supervise(command, closed_url(), interval=0.05, startup_grace=0, max_restarts=2)
    assert code == 1  # gave up only because the test capped the restarts
    assert starts.read_text() == "xxx"


def test_an_action_server_that_stops_answering_is_restarted(tmp_path: Path) -> None:
    starts = tmp_path / "starts"
    hang = f"import time; open({str(starts)!r}, 'a').write('x'); time.sleep(60)"
    code = supervise(
        [sys.executable, "-c", hang],
        closed_url(),
        interval=0.05,
        failures_allowed=2,
        startup_grace=0,
        max_restarts=1,
    )
    assert code == 1 and starts.read_text() == "xx"
    assert not healthy(closed_url())
