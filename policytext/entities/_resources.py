"""The word lists the recognizers share, loaded once: the policy lexicon and the entity data files."""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from ._data import read_list, read_table

__all__ = ["LexEntry", "canonical_form", "head_regex", "heads", "lexicon_index", "quoted_exclude"]


class LexEntry(NamedTuple):
    """One surface form of the policy lexicon."""

    type: str
    entity: str | None
    canonical: str
    ambiguous: bool


@functools.cache
def lexicon_index() -> dict[str, LexEntry]:
    """Surface form -> entry, from :func:`policytext.lexicon.load_lexicon`."""
    from ..lexicon import load_lexicon

    lex = load_lexicon()
    amb = lex["ambiguous"] if "ambiguous" in lex.columns else [False] * len(lex)
    out: dict[str, LexEntry] = {}
    for term, type_, entity, canonical, ambiguous in zip(
        lex["term"], lex["type"], lex["entity"], lex["canonical"], amb
    ):
        entity = entity if isinstance(entity, str) and entity else None
        out[str(term)] = LexEntry(str(type_), entity, str(canonical), bool(ambiguous))
    return out


@functools.cache
def _squeezed_lexicon() -> dict[str, LexEntry]:
    """Lexicon keyed by the form without list separators and spaces (放、管、服 -> 放管服)."""
    out: dict[str, LexEntry] = {}
    for term, entry in lexicon_index().items():
        out.setdefault(_squeeze(term), entry)
    return out


_SQUEEZE_RE = re.compile(r"[、，,·・\s]+")


def _squeeze(text: str) -> str:
    return _SQUEEZE_RE.sub("", text)


@functools.lru_cache(maxsize=1 << 18)
def lookup(text: str) -> LexEntry | None:
    """The lexicon entry of ``text``, also when its list separators or spaces differ (放、管、服 = 放管服)."""
    entry = lexicon_index().get(text)
    if entry is None:
        entry = _squeezed_lexicon().get(_squeeze(text))
    return entry


_NO_QUOTES = str.maketrans("", "", "“‘「『”’」』\"'")  # _text.OPEN_QUOTES + CLOSE_QUOTES + straight quotes
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 18)
def canonical_form(text: str) -> str:
    """Canonical form of a SLOGAN or PROGRAM name: quotation marks removed, full-width forms and spacing
    normalized, and the lexicon's main form when the phrase is a lexicon entry.

    >>> canonical_form("“双随机一公开”"), canonical_form("放、管、服"), canonical_form(" 法援惠民生　春暖农民工 ")
    ('双随机、一公开', '放管服', '法援惠民生 春暖农民工')
    """
    from ._text import normalize

    t = normalize(text).translate(_NO_QUOTES)
    t = _SPACES.sub(" ", t).strip()
    entry = lookup(t)
    return entry.canonical if entry is not None else t


@functools.cache
def heads() -> dict[str, str]:
    """Head noun or generic word -> role (program, org, place, generic); see ``heads.tsv``."""
    return {word: role for word, role in read_table("heads.tsv")}


@functools.cache
def head_regex(roles: tuple[str, ...]) -> re.Pattern[str]:
    """A regex matching any head word of the given roles at a position, longest first."""
    words = sorted((w for w, r in heads().items() if r in roles), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@functools.cache
def quoted_exclude() -> frozenset[str]:
    """Quoted phrases that are not entities (``quoted_exclude.txt``)."""
    return frozenset(read_list("quoted_exclude.txt"))
