"""The trained assistant in this process, with our actions run in-process too (no HTTP).

Tests, benchmarks and the NLU report use this: the agent runs the same action code the action
server runs, through rasa_sdk's executor, so a conversation exercises NLU, rules, forms and
actions without any network at all.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "assistant.tar.gz"


def in_process_action_endpoint() -> Any:
    """An action endpoint whose requests run our actions in this process."""
    from rasa.utils.endpoints import EndpointConfig
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")

    async def run_action(
        self, method="post", subpath=None, content_type="application/json", compress=False, **kwargs
    ):
        return await executor.run(kwargs["json"])

    endpoint = EndpointConfig(url="http://in-process/webhook")
    endpoint.request = run_action.__get__(endpoint)
    return endpoint


def load_agent(tracker_store: Any = None, lock_store: Any = None, model: Path = MODEL) -> Any:
    """Load the trained model with in-process actions (and optional shared stores)."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from bot.rasa_ext import action_check

    configure_structlog(logging.WARNING)
    action_check.install()
    if not model.exists():
        raise FileNotFoundError(f"{model} is missing: `make train` (or `make test`) trains it")
    return Agent.load(
        str(model),
        action_endpoint=in_process_action_endpoint(),
        tracker_store=tracker_store,
        lock_store=lock_store,
    )
