"""The action server's reply is still checked against Rasa's schema, compiled once."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext import action_check


def test_a_good_reply_passes_and_a_malformed_one_is_refused_as_before():
    action_check.install()
    action = RemoteAction("action_respond", None)
    good = {"events": [{"event": "slot", "name": "trust", "value": "lpt"}], "responses": [{"text": "hi"}]}
    assert action._validate_action_result(good)
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": "slot"}], "responses": "not a list"})
