"""Word segmentation with exact character offsets.

(Provisional stub: the default backend currently wraps rjieba with its own dictionary. The tokenizer issue
replaces the engine; the public API below is stable.)
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Token", "Tokenizer", "tokenize", "cut"]


class Token(NamedTuple):
    """One token: ``text[start:end] == token.text``; ``pos`` is a part-of-speech tag or None."""

    text: str
    start: int
    end: int
    pos: str | None = None


class Tokenizer:
    """Segment Chinese policy text into tokens with exact character offsets."""

    def __init__(self, backend: str = "default") -> None:
        self.backend = backend

    def tokenize(self, text: str) -> list[Token]:
        import rjieba

        return [Token(w, s, e) for w, s, e in rjieba.tokenize(text)]

    def cut(self, text: str) -> list[str]:
        return [t.text for t in self.tokenize(text)]

    __call__ = cut


def tokenize(text: str) -> list[Token]:
    """Tokenize ``text`` with the default tokenizer."""
    return Tokenizer().tokenize(text)


def cut(text: str) -> list[str]:
    """Segment ``text`` into a list of words with the default tokenizer."""
    return Tokenizer().cut(text)
