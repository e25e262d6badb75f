"""Corpus-level helpers: classify every sentence of a corpus, aggregate theme shares."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["classify_corpus", "theme_shares"]


def classify_corpus(corpus, codebook="rule_of_law", model=None, **params):
    raise NotImplementedError


def theme_shares(sentences, docs=None, by=("region", "year")):
    raise NotImplementedError
