"""An NLU component that makes present danger the intent, whatever the classifier said.

A classifier trained on examples can miss danger told as a situation ("my ex has turned up at
reception and won't leave"), and a miss sends a frightened nurse to a "did you mean" menu. This
component runs last in the pipeline: when ``bot.danger`` recognises present danger, the intent
becomes ``urgent_danger`` with full confidence, so the 999 / security rule fires in any turn.
The classifier's own ranking is kept behind it, so the steps for the situation can follow.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.danger import is_immediate_danger

URGENT = "urgent_danger"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerOverride(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> DangerOverride:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get("text") or ""
            if text.startswith("/") or not is_immediate_danger(text):
                continue
            ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != URGENT]
            message.set("intent", {"name": URGENT, "confidence": 1.0}, add_to_output=True)
            message.set("intent_ranking", [{"name": URGENT, "confidence": 1.0}, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
