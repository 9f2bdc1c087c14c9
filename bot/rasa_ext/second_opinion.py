"""A second classifier whose disagreement lowers confidence: wrong guesses become "did you mean".

DIET alone is often confidently wrong on wording nobody here wrote (a confident wrong guess
sends a nurse down another situation's questions). A logistic regression on the same features
makes different mistakes. This component runs after DIET, and the intent becomes the average of
the two rankings: where both agree the confidence stays high, where they disagree it drops, and
FallbackClassifier (after this in config.yml) turns a low confidence into "did you mean" with
the two likeliest situations. It is Rasa's own LogisticRegressionClassifier (scikit-learn, no
downloaded weights), trained as usual; only ``process`` differs.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.training_data.message import Message

#: How much the second opinion counts, against DIET's 1 - WEIGHT.
WEIGHT = 0.5


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SecondOpinion(LogisticRegressionClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "weight": WEIGHT}

    def process_training_data(self, training_data: Any) -> Any:
        return training_data  # training examples keep their labels

    def process(self, messages: list[Message]) -> list[Message]:
        if not messages:
            return messages
        probabilities = self.clf.predict_proba(self._create_X(messages))
        weight = float(self.config.get("weight", WEIGHT))
        for message, row in zip(messages, probabilities, strict=True):
            second = dict(zip(self.clf.classes_, (float(p) for p in row), strict=True))
            first = {r["name"]: float(r["confidence"]) for r in message.get("intent_ranking") or []}
            if not first:  # no first classifier: this one alone
                first, weight_here = second, 1.0
            else:
                weight_here = weight
            names = set(first) | set(second)
            combined = {
                n: (1 - weight_here) * first.get(n, 0.0) + weight_here * second.get(n, 0.0) for n in names
            }
            ranking = sorted(
                ({"name": n, "confidence": c} for n, c in combined.items()), key=lambda r: -r["confidence"]
            )[:10]
            message.set("intent", ranking[0], add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
        return messages
