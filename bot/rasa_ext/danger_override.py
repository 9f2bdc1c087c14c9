"""An NLU component that makes present danger the intent, whatever the classifier said.

A classifier trained on examples can miss danger told as a situation ("my ex has turned up at
reception and won't leave"), and a miss sends a frightened nurse to a "did you mean" menu. This
component runs last in the pipeline: when ``bot.danger`` recognises present danger, the intent
becomes ``urgent_danger`` with full confidence, so the 999 / security rule fires in any turn.
The classifier's own ranking is kept behind it, so the steps for the situation can follow.

The other way round, an *unconfident* classifier guess of danger in words that describe none
("he's gone now, should I tell someone?", mid-conversation) would open with 999 for nothing and
repeat all the steps. Below ``UNSURE_DANGER`` such a guess gives way to the next intent. On the
cold batches (1,356 messages) that demoted 2 non-danger messages and no real danger; at 0.6 it
would have cost one real danger, so the line is drawn at 0.5.

The model was trained on first messages and reads words about threats as danger, so some
messages need more than its word. One that says it is calm or over ("he's calm, not
threatening anyone") gives way at any confidence; one that tells of a picture or post with
nothing here or now ("someone sent me a video of a man getting stabbed") below
``bot.danger.MODEL_ALONE_SURE``. Both still get 999 first whenever ``bot.danger``'s rules see
danger in them. (A message that only *sounds* like it goes on with a conversation, "he's..."
or "still...", is not demoted here: this component cannot see the conversation, and a first
message can open that way. ``bot.interview`` keeps the situation instead.)
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.danger import MODEL_ALONE_SURE, is_immediate_danger, sounds_calm, tells_of_an_image

URGENT = "urgent_danger"
UNSURE_DANGER = 0.5
#: As FallbackClassifier in config.yml: below this, the next intent is no likelier than a guess.
FALLBACK_THRESHOLD = 0.3


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
            if text.startswith("/"):
                continue
            if not is_immediate_danger(text):
                _demote_an_unsure_guess(message, text)
                continue
            ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != URGENT]
            message.set("intent", {"name": URGENT, "confidence": 1.0}, add_to_output=True)
            message.set("intent_ranking", [{"name": URGENT, "confidence": 1.0}, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def _demote_an_unsure_guess(message: Message, text: str) -> None:
    intent = message.get("intent") or {}
    if intent.get("name") != URGENT:
        return
    confidence = float(intent.get("confidence") or 0.0)
    if sounds_calm(text):
        needed = float("inf")
    elif tells_of_an_image(text):
        needed = MODEL_ALONE_SURE
    else:
        needed = UNSURE_DANGER
    if confidence >= needed:
        return
    ranking = [r for r in (message.get("intent_ranking") or []) if r.get("name") != URGENT]
    nothing_likely = not ranking or float(ranking[0].get("confidence") or 0.0) < FALLBACK_THRESHOLD
    message.set(
        "intent",
        {"name": "nlu_fallback", "confidence": intent["confidence"]} if nothing_likely else ranking[0],
        add_to_output=True,
    )
    message.set("intent_ranking", ranking, add_to_output=True)
