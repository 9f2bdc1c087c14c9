"""Keep the action server alive: ``python -m bot.rasa_ext.supervise --health URL -- command …``.

Why (review S6): with the action server down, every turn that needs an action gets no answer
from it (the channel seam then sends the fixed safe line, but the guidance is gone). ``make run``
and ``make serve`` start the action server under this supervisor, which restarts it when the
process exits or when its ``/health`` stops answering three checks in a row, and logs each
restart so an operator's alerting can pick it up. It stops the child when it is stopped.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence

logger = logging.getLogger("bot.supervise")


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - loopback URL
            return response.status == 200
    except OSError:
        return False


def supervise(
    command: Sequence[str],
    health_url: str,
    interval: float = 5.0,
    failures_allowed: int = 3,
    startup_grace: float = 60.0,
    max_restarts: int | None = None,
) -> int:
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    restarts = 0
    while not stopping:
        child = subprocess.Popen(list(command))
        started = time.monotonic()
        failures = 0
        while not stopping:
            time.sleep(interval)
            if child.poll() is not None:
                logger.error("Action server exited with %s: restarting", child.returncode)
                break
            if time.monotonic() - started < startup_grace and not healthy(health_url):
                continue
            failures = 0 if healthy(health_url) else failures + 1
            if failures >= failures_allowed:
                logger.error("Action server failed %d health checks: restarting", failures)
                child.terminate()
                break
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        restarts += 1
        if max_restarts is not None and restarts > max_restarts:
            return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s supervise: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--health", required=True, help="health URL, e.g. http://127.0.0.1:5055/health")
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to supervise")
    return supervise(command, args.health, interval=args.interval)


if __name__ == "__main__":
    sys.exit(main())
