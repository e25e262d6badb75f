"""Scoring theme predictions against gold labels."""

from __future__ import annotations

__all__ = ["evaluate_themes", "ThemeEvaluation"]


class ThemeEvaluation:
    pass


def evaluate_themes(*a, **k):
    raise NotImplementedError
