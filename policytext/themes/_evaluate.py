"""Scoring theme predictions against gold labels (strict and lenient)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError

__all__ = ["ThemeEvaluation", "evaluate_themes"]


@dataclass
class ThemeEvaluation:
    """Scores of predicted primary labels against gold labels.

    Attributes
    ----------
    n : int
        Number of sentences.
    accuracy, macro_f1 : float
        Strict: a prediction is correct when it equals the gold primary label.
    lenient_accuracy, lenient_macro_f1 : float
        Lenient: a prediction equal to the gold secondary label also counts (it is then scored as that label).
    per_label : pandas.DataFrame
        ``label, precision, recall, f1, support`` (strict), plus ``lenient_f1``.
    confusion : pandas.DataFrame
        Gold labels in rows, predicted labels in columns (strict).
    secondary_accuracy : float or None
        Share of sentences with a gold secondary label whose predicted secondary (if given) equals it.
    """

    n: int
    accuracy: float
    macro_f1: float
    lenient_accuracy: float
    lenient_macro_f1: float
    per_label: Any
    confusion: Any
    secondary_accuracy: float | None = None
    labels: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-ready dict (``policytext eval themes --json``)."""
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "lenient_accuracy": self.lenient_accuracy,
            "lenient_macro_f1": self.lenient_macro_f1,
            "secondary_accuracy": self.secondary_accuracy,
            "per_label": self.per_label.to_dict("records"),
            "confusion": {"labels": list(self.confusion.index),
                          "matrix": self.confusion.to_numpy().tolist()},
        }

    def __str__(self) -> str:
        lines = [
            f"sentences: {self.n}",
            f"strict   accuracy {self.accuracy:.3f}  macro-F1 {self.macro_f1:.3f}",
            f"lenient  accuracy {self.lenient_accuracy:.3f}  macro-F1 {self.lenient_macro_f1:.3f}",
        ]
        if self.secondary_accuracy is not None:
            lines.append(f"secondary label agreement {self.secondary_accuracy:.3f}")
        lines += ["", "per label (strict):", self.per_label.to_string(index=False, float_format=lambda v: f"{v:.3f}"),
                  "", "confusion (rows = gold, columns = predicted):", self.confusion.to_string()]
        return "\n".join(lines)


def evaluate_themes(gold: Sequence[str], predicted: Sequence[str], *,
                    gold_secondary: Sequence[str | None] | None = None,
                    predicted_secondary: Sequence[str | None] | None = None,
                    labels: Sequence[str] | None = None) -> ThemeEvaluation:
    """Accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix, strict and lenient.

    Parameters
    ----------
    gold, predicted : sequence of str
        Gold and predicted primary labels.
    gold_secondary : sequence of str or None, optional
        Gold secondary labels; a prediction equal to it counts as correct in the lenient scores.
    predicted_secondary : sequence of str or None, optional
        Predicted secondary labels, for the secondary agreement rate.
    labels : sequence of str, optional
        Label order of the tables (default: every label seen in gold or predictions, sorted). Macro-F1 averages
        over the labels present in gold or predictions.

    Returns
    -------
    ThemeEvaluation

    Examples
    --------
    >>> ev = evaluate_themes(["a", "b", "b"], ["a", "b", "a"], gold_secondary=[None, None, "a"])
    >>> round(ev.accuracy, 3), round(ev.lenient_accuracy, 3)
    (0.667, 1.0)
    """
    import numpy as np
    import pandas as pd
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    gold = [str(g) for g in gold]
    predicted = [str(p) for p in predicted]
    if len(gold) != len(predicted):
        raise InputError(f"got {len(gold)} gold labels but {len(predicted)} predictions; they must align.")
    if not gold:
        raise InputError("nothing to evaluate: no gold labels.")
    if gold_secondary is None:
        gold_secondary = [None] * len(gold)
    gold_secondary = [None if (s is None or (isinstance(s, float) and np.isnan(s)) or s == "") else str(s)
                      for s in gold_secondary]
    if len(gold_secondary) != len(gold):
        raise InputError("gold_secondary must have one entry per sentence.")
    lenient_gold = [p if (s is not None and p == s) else g for g, s, p in zip(gold, gold_secondary, predicted)]
    present = sorted(set(gold) | set(predicted))
    order = list(labels) + [x for x in present if x not in labels] if labels is not None else present
    P, R, F, S = precision_recall_fscore_support(gold, predicted, labels=order, zero_division=0)
    _, _, LF, _ = precision_recall_fscore_support(lenient_gold, predicted, labels=order, zero_division=0)
    per_label = pd.DataFrame({"label": order, "precision": P, "recall": R, "f1": F, "support": S,
                              "lenient_f1": LF})
    cm = confusion_matrix(gold, predicted, labels=order)
    confusion = pd.DataFrame(cm, index=pd.Index(order, name="gold"), columns=pd.Index(order, name="predicted"))
    sec_acc = None
    if predicted_secondary is not None:
        pairs = [(g, p) for g, p in zip(gold_secondary, predicted_secondary) if g is not None]
        if pairs:
            sec_acc = float(np.mean([g == p for g, p in pairs]))
    return ThemeEvaluation(
        n=len(gold),
        accuracy=float(np.mean([g == p for g, p in zip(gold, predicted)])),
        macro_f1=float(f1_score(gold, predicted, labels=present, average="macro", zero_division=0)),
        lenient_accuracy=float(np.mean([g == p for g, p in zip(lenient_gold, predicted)])),
        lenient_macro_f1=float(f1_score(lenient_gold, predicted, labels=sorted(set(lenient_gold) | set(predicted)),
                                        average="macro", zero_division=0)),
        per_label=per_label,
        confusion=confusion,
        secondary_accuracy=sec_acc,
        labels=order,
    )
