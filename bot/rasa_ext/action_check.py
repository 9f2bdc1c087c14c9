"""Rasa's check of every action server reply, with its schema compiled once.

Rasa 3.6 checks each reply from the action server against its event schema with
``jsonschema.validate``, which first re-checks the (large) schema itself and builds a new validator
every time: about 25 ms of a 45 ms turn, measured with cProfile (issue 13). The check is the same
here, against the same schema, raising the same ``ValidationError``; only the schema is checked
and compiled once per process. Installed by ``bot.rasa_ext.main`` and ``bot.rasa_ext.inprocess``.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _validator() -> Any:
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            "the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
