"""Theme classification of sentences with codebooks, with and without labelled data.

The research question behind this module is attention: how much of a report is about service reform, enforcement,
oversight …, and how that moves across regions and years. Every sentence gets a theme from a codebook
(:func:`policytext.load_codebook`).

* :class:`ThemeClassifier` — scikit-learn estimator; zero-label (``fit(sentences)``: codebook cues, section
  headings, self-training) or supervised (``fit(sentences, labels)``).
* :class:`DictionaryClassifier` — the plain seed-term counting baseline.
* :func:`classify_corpus` — the sentence table of a corpus with ``theme, theme2, score``.
* :func:`theme_shares` — theme shares by metadata (region × year), tidy, ready for a panel regression.
* :func:`evaluate_themes` — accuracy, macro-F1, per-label scores and confusion matrix against gold labels.
* :func:`load_model` — read a model written by ``ThemeClassifier.save``.

Examples
--------
>>> import policytext as pt
>>> clf = pt.ThemeClassifier("rule_of_law").fit(["深化“放管服”改革。", "全面推行行政执法公示制度。"])
>>> clf.predict(["依法办理行政复议案件。"]).tolist()
['dispute_resolution']
"""

from __future__ import annotations

from ._classifier import DictionaryClassifier, ThemeClassifier, as_sentence_frame, load_model
from ._corpus import classify_corpus, theme_shares
from ._evaluate import ThemeEvaluation, evaluate_themes

__all__ = [
    "DictionaryClassifier",
    "ThemeClassifier",
    "ThemeEvaluation",
    "as_sentence_frame",
    "classify_corpus",
    "evaluate_themes",
    "load_model",
    "theme_shares",
]
