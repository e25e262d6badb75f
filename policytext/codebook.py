"""Theme codebooks: labels, seed terms and boundary rules stored as data files.

A codebook defines the labels a sentence can receive (``ids`` are stable API), and for each label the evidence
that points to it: weighted **seed terms**, conditional **rules** (a term that only counts next to another term,
or only without one), **negative cues** that argue against the label, and example sentences. The fallback label
(``other`` in the shipped codebooks) is a real label with its own cues: general statements, greetings, political
exhortations.

Three codebooks ship with policytext (``policytext/resources/codebooks/*.yaml``):

``rule_of_law``
    法治政府建设: the eleven themes of 《法治政府建设实施纲要（2021—2025年）》 plus ``other``.
``work_report``
    政府工作报告: ten broad policy domains of government work reports plus ``other``.
``policy_instruments``
    政策工具: what a sentence of a policy document (办法, 意见, 细则) does — funding, tax, finance, talent, services,
    regulation, application procedures, supervision, evaluation … — usable zero-label or as features.

A user codebook is a YAML (or TOML) file with the same layout; see :func:`load_codebook` for the format.

Matching: at each position the longest cue starting there counts, a cue inside a longer one already counted is
not counted again, and cues that merely overlap both count. ``行政执法公示`` is a cue of its own in ``rule_of_law``,
so 全面推行行政执法公示制度 yields that one cue, not the contained ``行政执法`` and ``执法公示`` (a codebook without the
compound would yield both of those, overlapping).

Examples
--------
>>> from policytext import load_codebook
>>> cb = load_codebook("rule_of_law")
>>> cb.labels[:3]
['party_leadership', 'service_reform', 'rulemaking']
>>> cb["enforcement"].name
'行政执法'
>>> [(m.theme, m.term) for m in cb.matches("全面推行行政执法公示制度")]
[('enforcement', '行政执法公示')]
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from .errors import CodebookError, ParameterError

__all__ = [
    "Codebook",
    "Match",
    "Rule",
    "Theme",
    "available_codebooks",
    "load_codebook",
    "normalize_text",
]

_RESOURCE_DIR = Path(__file__).resolve().parent / "resources" / "codebooks"
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"name", "title", "version", "description", "language", "other", "settings", "themes", "source",
             "changelog"}
_THEME_KEYS = {"id", "name", "description", "seeds", "rules", "negative", "headings", "examples", "notes"}
_RULE_KEYS = {"term", "terms", "weight", "if_any", "unless_any", "note"}
_SETTINGS = {
    # score the fallback label gets before any of its own cues: a theme needs more evidence than this to win
    "other_bias": 1.5,
    # evidence from the title of the enclosing section counts this much (0 disables heading inheritance)
    "heading_weight": 0.5,
    # a second theme is reported when its score is at least this share of the first one ...
    "secondary_ratio": 0.5,
    # ... and at least this large in absolute terms
    "secondary_min": 2.0,
}

# full-width ASCII -> half-width, ideographic space -> space: a 1:1 character map, so offsets are preserved
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_FOLD_TABLE = str.maketrans({chr(k): chr(v) for k, v in _FOLD.items()})


def normalize_text(text: str) -> str:
    """Fold full-width ASCII (``，（）１２３４５``) to half-width, keeping the length (offsets stay valid).

    Both seed terms and sentences are folded before matching, so ``双随机、一公开`` written with full- or half-width
    punctuation matches either way.

    >>> normalize_text("（一）１２３４５热线")
    '(一)12345热线'
    >>> len(normalize_text("（一）")) == len("（一）")
    True
    """
    return text.translate(_FOLD_TABLE)


class Match(NamedTuple):
    """One piece of evidence in a sentence: ``text[start:end] == term`` up to full-width folding."""

    theme: str
    term: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Rule:
    """A conditional cue: ``term`` adds ``weight`` to a theme when the sentence also contains one of ``if_any``
    (if given) and none of ``unless_any``. A negative weight argues against the theme."""

    term: str
    weight: float
    if_any: tuple[str, ...] = ()
    unless_any: tuple[str, ...] = ()

    def applies(self, text: str) -> bool:
        """Whether the conditions hold in the (folded) sentence ``text``."""
        if self.if_any and not any(t in text for t in self.if_any):
            return False
        return not any(t in text for t in self.unless_any)


@dataclass(frozen=True)
class Theme:
    """One label of a codebook."""

    id: str
    name: str
    description: str = ""
    seeds: Mapping[str, float] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    negative: Mapping[str, float] = field(default_factory=dict)
    examples: tuple[str, ...] = ()

    @property
    def terms(self) -> list[str]:
        """Every term that can add evidence for this theme (seeds and positive rules)."""
        out = list(self.seeds)
        out += [r.term for r in self.rules if r.weight > 0 and r.term not in self.seeds]
        return out


_HASH_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier; arithmetic wraps modulo 2**64
_MIX = np.uint64(0xBF58476D1CE4E5B9)  # second multiplier: spreads low bits into the high bits a filter reads
_SEP = "\n"
_BLOCK = 100_000  # sentences per block in evidence() and counts()


def _sep_chunks(codes: np.ndarray, chunk: int):
    """``(start, stop)`` of consecutive pieces of about ``chunk`` code points of joined sentences, each cut just
    after a separator (at most 4,096 code points later) so that no sentence is split between two pieces."""
    n = len(codes)
    sep = ord(_SEP)
    start = 0
    while start < n:
        stop = min(n, start + chunk)
        if stop < n:
            seps = np.flatnonzero(codes[stop:min(n, stop + 4096)] == sep)
            stop = stop + int(seps[0]) + 1 if len(seps) else min(n, stop + 4096)
        yield start, stop
        start = stop


class _Encoded:
    """Sentences with their folded code points (:func:`_codes`), computed once and shared by the codebook
    matcher and the n-gram features."""

    __slots__ = ("codes", "starts", "texts")

    def __init__(self, texts: list[str], codes: np.ndarray, starts: np.ndarray) -> None:
        self.texts, self.codes, self.starts = texts, codes, starts

    def __len__(self) -> int:
        return len(self.texts)


def _encode(texts) -> _Encoded:
    if isinstance(texts, _Encoded):
        return texts
    texts = texts if isinstance(texts, list) else list(texts)
    return _Encoded(texts, *_codes(texts))


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate sentences with a separator; return folded code points (uint32) and each sentence's start.

    A separator inside a sentence becomes a space (one character for one, so offsets hold).
    """
    if not isinstance(texts, list):
        texts = list(texts)
    big = _SEP.join(texts)
    if big.count(_SEP) != max(len(texts) - 1, 0):  # some sentence holds the separator itself
        texts = [t.replace(_SEP, " ") for t in texts]
        big = _SEP.join(texts)
    codes = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).copy()
    # full-width ASCII -> half-width (0xFF01..0xFF5E), ideographic space -> space
    fw = np.flatnonzero((codes - np.uint32(0xFF01)) < np.uint32(0x5E))
    if len(fw):
        codes[fw] -= np.uint32(0xFEE0)
    sp = np.flatnonzero(codes == 0x3000)
    if len(sp):
        codes[sp] = 0x20
    starts = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        starts[1:] = np.flatnonzero(codes == ord(_SEP)) + 1
    return codes, starts


class _KeySet:
    """A static hash table of uint64 keys (open addressing, linear probing) with vectorized lookups.

    Each key carries an int64 value and a flag; :meth:`lookup` answers millions of queries with a few numpy passes
    (a sorted array with ``searchsorted`` is several times slower on unsorted queries). Empty slots hold a key
    that is not in the table, with value -1 and flag False, so a query landing on one reads "not found".
    """

    def __init__(self, keys: Sequence[int], values: Sequence[int], flags: Sequence[bool]) -> None:
        bits = max(6, int(np.ceil(np.log2(max(len(keys), 1) * 4))))
        size = 1 << bits
        self.shift = np.uint64(64 - bits)
        self.mask = size - 1
        taken = set(keys)
        self.empty = next(e for e in range(len(taken) + 1) if e not in taken)
        self.keys = np.full(size, self.empty, dtype=np.uint64)
        self.values = np.full(size, -1, dtype=np.int64)
        self.flags = np.zeros(size, dtype=bool)
        self.max_probe = 0
        with np.errstate(over="ignore"):
            home = ((np.asarray(keys, dtype=np.uint64) * _MIX) >> self.shift).astype(np.int64).tolist()
        for key, value, flag, slot in zip(keys, values, flags, home):
            d = 0
            while self.keys[(slot + d) & self.mask] != self.empty:
                d += 1
            i = (slot + d) & self.mask
            self.keys[i], self.values[i], self.flags[i] = key, value, flag
            self.max_probe = max(self.max_probe, d)

    def lookup(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(value, flag)`` for every query (-1 and False when not found)."""
        with np.errstate(over="ignore"):
            slot = x * _MIX
        slot >>= self.shift
        i = slot.view(np.int64)  # < table size
        k = self.keys[i]
        hit = k == x
        value = self.values[i]
        flag = self.flags[i]
        if self.max_probe:
            more = np.flatnonzero(~hit & (k != self.empty))  # slot taken by another key: look further on
            for d in range(1, self.max_probe + 1):
                if not len(more):
                    break
                j = (i[more] + d) & self.mask
                kj = self.keys[j]
                h = kj == x[more]
                value[more[h]] = self.values[j[h]]
                flag[more[h]] = self.flags[j[h]]
                hit[more[h]] = True
                more = more[~h & (kj != self.empty)]
        value[~hit] = -1
        flag &= hit
        return value, flag


class _HashMatcher:
    """Find many literal terms in many sentences at once with vectorized 64-bit polynomial hashes (numpy).

    A vectorized trie walk: every position whose first two characters begin some term is a candidate; candidates
    are extended one character at a time while their prefix is still the prefix of a longer term, and report a
    match whenever the prefix is a whole term. The work beyond the first two characters is proportional to the
    text that looks like the beginning of a term, not to text length times the longest term.

    :meth:`find` returns every occurrence (overlapping); :meth:`spans` keeps, at each position where a term
    starts, the longest term starting there and drops spans contained in an earlier kept span: ``情况报告如下``
    yields ``情况报告`` and ``报告如下`` (overlapping, both kept), ``行政执法监督`` yields itself, not the contained
    ``执法监督``. Terms never contain the sentence separator, so no match crosses two sentences.
    """

    _FILTER_BITS = 18

    def __init__(self, terms: Sequence[str]) -> None:
        self.terms = list(terms)
        # per length L: hash of every length-L prefix of a term -> (id of the term it completes or -1, whether a
        # longer term continues it)
        levels: dict[int, dict[int, list]] = {}
        for tid, term in enumerate(self.terms):
            h = 0
            for j, ch in enumerate(term):
                h = (h * int(_HASH_BASE) + ord(ch)) % (1 << 64)
                entry = levels.setdefault(j + 1, {}).setdefault(h, [-1, False])
                if j + 1 == len(term):
                    entry[0] = tid
                else:
                    entry[1] = True
        self.max_len = max(levels, default=0)
        self.levels = {n: _KeySet(list(d), [v[0] for v in d.values()], [v[1] for v in d.values()])
                       for n, d in levels.items() if n >= 2}
        singles = sorted((h, v[0]) for h, v in levels.get(1, {}).items() if v[0] >= 0)
        self.single_codes = np.array([h for h, _ in singles], dtype=np.uint64)  # one-character terms
        self.single_tids = np.array([t for _, t in singles], dtype=np.int64)
        self.single_filter = np.zeros(0x110000, dtype=bool)  # indexed by code point
        self.single_filter[self.single_codes.astype(np.intp)] = True
        # filter of the first two characters of every term of two or more characters, on a cheap 32-bit hash
        pairs = {(ord(t[0]), ord(t[1])) for t in self.terms if len(t) >= 2}
        self.filter2 = np.zeros(1 << self._FILTER_BITS, dtype=bool)
        if pairs:
            first, second = (np.array(x, dtype=np.uint32) for x in zip(*pairs))
            self.filter2[self._pair_hash(first, second)] = True

    @classmethod
    def _pair_hash(cls, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Bucket of a character pair in ``filter2`` (uint32 arithmetic, wrapping)."""
        with np.errstate(over="ignore"):
            f = first * np.uint32(0x9E3779B1)
            f += second * np.uint32(0x85EBCA77)
        f >>= np.uint32(32 - cls._FILTER_BITS)
        return f.view(np.int32)

    def find(self, codes: np.ndarray, chunk: int = 1 << 20) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All occurrences as arrays ``(start, length, term id)``, sorted by start then longest first.

        The text is processed in cache-sized chunks cut at sentence separators (no term spans a separator).
        """
        parts = []
        for start, stop in _sep_chunks(codes, chunk):
            p, ln, t = self._find_block(codes[start:stop])
            if len(p):
                order = np.argsort(p * (self.max_len + 1) + (self.max_len - ln))  # by start, longest first
                parts.append((p[order] + start, ln[order], t[order]))
        if not parts:
            e = np.zeros(0, dtype=np.int64)
            return e, e, e
        if len(parts) == 1:
            return parts[0]
        return tuple(np.concatenate([x[i] for x in parts]) for i in range(3))

    def _find_block(self, codes: np.ndarray):
        n = len(codes)
        pos_parts, len_parts, tid_parts = [], [], []
        if len(self.single_codes):
            P = np.flatnonzero(self.single_filter[codes])  # code points are < 0x110000
            if len(P):
                pos_parts.append(P)
                len_parts.append(np.ones(len(P), dtype=np.int64))
                tid_parts.append(self.single_tids[np.searchsorted(self.single_codes, codes[P])])
        if n >= 2 and 2 in self.levels:
            with np.errstate(over="ignore"):
                P = np.flatnonzero(self.filter2[self._pair_hash(codes[:-1], codes[1:])])
                H = codes[P].astype(np.uint64) * _HASH_BASE
                H += codes[P + 1]
                L = 2
                while len(P):
                    tid, grows = self.levels[L].lookup(H)
                    done = np.flatnonzero(tid >= 0)
                    if len(done):
                        pos_parts.append(P[done])
                        len_parts.append(np.full(len(done), L, dtype=np.int64))
                        tid_parts.append(tid[done])
                    if L == self.max_len:
                        break
                    P, H = P[grows], H[grows]
                    nxt = P + L
                    inside = nxt < n
                    if not inside.all():
                        P, H, nxt = P[inside], H[inside], nxt[inside]
                    H = H * _HASH_BASE
                    H += codes[nxt]
                    L += 1
        if not pos_parts:
            e = np.zeros(0, dtype=np.int64)
            return e, e, e
        return np.concatenate(pos_parts), np.concatenate(len_parts), np.concatenate(tid_parts)

    def spans(self, codes: np.ndarray, found=None):
        """Longest term at each start, contained spans dropped: arrays ``(start, end, term id)`` in text order.

        ``found`` reuses (a subset of) the output of :meth:`find`.
        """
        pos, ln, tid = self.find(codes) if found is None else found
        if not len(pos):
            return pos, pos, tid
        first = np.ones(len(pos), dtype=bool)
        first[1:] = pos[1:] != pos[:-1]
        pos, ln, tid = pos[first], ln[first], tid[first]
        end = pos + ln
        prev_max = np.maximum.accumulate(end)
        keep = np.ones(len(pos), dtype=bool)
        keep[1:] = end[1:] > prev_max[:-1]
        return pos[keep], end[keep], tid[keep]


@dataclass
class Codebook:
    """A set of themes with their evidence; built by :func:`load_codebook`.

    Attributes
    ----------
    name : str
        Codebook name (``rule_of_law``).
    themes : dict
        ``id -> Theme`` in file order.
    other : str
        Id of the fallback label.
    settings : dict
        Scoring defaults: ``other_bias``, ``heading_weight``, ``secondary_ratio``, ``secondary_min``.
    """

    name: str
    themes: dict[str, Theme]
    other: str = "other"
    title: str = ""
    description: str = ""
    version: str = "1"
    settings: dict[str, float] = field(default_factory=lambda: dict(_SETTINGS))
    source: str | None = None

    def __post_init__(self) -> None:
        self._compiled = None

    # -- basic access ------------------------------------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        """Label ids in codebook order (the fallback label included)."""
        return list(self.themes)

    def __getitem__(self, theme_id: str) -> Theme:
        try:
            return self.themes[theme_id]
        except KeyError:
            raise ParameterError(
                f"codebook {self.name!r} has no theme {theme_id!r}; its themes are {', '.join(self.themes)}."
            ) from None

    def __contains__(self, theme_id: object) -> bool:
        return theme_id in self.themes

    def __len__(self) -> int:
        return len(self.themes)

    def __repr__(self) -> str:
        n_terms = sum(len(t.seeds) + len(t.rules) for t in self.themes.values())
        return f"Codebook({self.name!r}, {len(self.themes)} themes, {n_terms} cues)"

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_compiled"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    def to_frame(self):
        """Every cue as a tidy DataFrame.

        Returns
        -------
        pandas.DataFrame
            Columns ``theme, name, term, weight, kind`` (``seed``, ``rule``, ``negative``), ``if_any``,
            ``unless_any`` (``|``-joined).

        >>> cb = load_codebook("rule_of_law")
        >>> t = cb.to_frame()
        >>> set(t["kind"]) >= {"seed", "rule"}
        True
        """
        import pandas as pd

        rows = []
        for th in self.themes.values():
            for term, w in th.seeds.items():
                rows.append((th.id, th.name, term, float(w), "seed", "", ""))
            for r in th.rules:
                rows.append((th.id, th.name, r.term, r.weight, "rule", "|".join(r.if_any), "|".join(r.unless_any)))
            for term, w in th.negative.items():
                rows.append((th.id, th.name, term, -float(w), "negative", "", ""))
        return pd.DataFrame(rows, columns=["theme", "name", "term", "weight", "kind", "if_any", "unless_any"])

    # -- matching ------------------------------------------------------------------------------------------
    def _compile(self):
        if self._compiled is not None:
            return self._compiled
        labels = self.labels
        entries: dict[str, list[tuple[int, float, Rule | None]]] = {}
        plain: dict[str, set[int]] = {}
        for k, th in enumerate(self.themes.values()):
            for term, w in th.seeds.items():
                entries.setdefault(normalize_text(term), []).append((k, float(w), None))
                if k != labels.index(self.other):
                    plain.setdefault(normalize_text(term), set()).add(k)
            for r in th.rules:
                folded = Rule(normalize_text(r.term), r.weight, tuple(normalize_text(t) for t in r.if_any),
                              tuple(normalize_text(t) for t in r.unless_any))
                entries.setdefault(folded.term, []).append((k, r.weight, folded))
                if r.weight > 0 and k != labels.index(self.other):
                    plain.setdefault(folded.term, set()).add(k)
            for term, w in th.negative.items():
                entries.setdefault(normalize_text(term), []).append((k, -float(w), None))
        terms = sorted(entries)
        tindex = {t: i for i, t in enumerate(terms)}
        K = len(labels)
        W = np.zeros((len(terms), K))  # unconditional weights
        P = np.zeros((len(terms), K))  # plain (baseline) indicator, fallback label excluded
        conditional = []  # (term id, label index, weight, if_any cond ids, unless_any cond ids)
        cond_terms: dict[str, int] = {}
        for t, ents in entries.items():
            i = tindex[t]
            for k, w, rule in ents:
                if rule is None:
                    W[i, k] += w
                else:
                    ifa = [cond_terms.setdefault(c, len(cond_terms)) for c in rule.if_any]
                    unl = [cond_terms.setdefault(c, len(cond_terms)) for c in rule.unless_any]
                    conditional.append((i, k, w, ifa, unl))
            for k in plain.get(t, ()):
                P[i, k] = 1.0
        all_terms = sorted(set(terms) | set(cond_terms))
        cue_id = np.array([tindex.get(t, -1) for t in all_terms], dtype=np.int64)
        cond_id = np.array([cond_terms.get(t, -1) for t in all_terms], dtype=np.int64)
        self._compiled = {
            "labels": labels,
            "terms": terms,
            "entries": entries,
            "W": W,
            "P": P,
            "conditional": conditional,
            # one matcher over the union of cue terms and condition terms (a string may be both)
            "matcher": _HashMatcher(all_terms),
            "cue_id": cue_id,
            "cond_id": cond_id,
            "n_cond": len(cond_terms),
        }
        return self._compiled

    def _hits(self, texts: Sequence[str]):
        """Cue spans of many sentences, and every occurrence of condition terms.

        Returns ``(sent, tid, start, end)`` arrays for cues (offsets within the sentence) and ``(csent, cid)`` for
        condition terms.
        """
        comp = self._compile()
        enc = _encode(texts)
        codes, starts = enc.codes, enc.starts
        found = comp["matcher"].find(codes)
        pos, ln, uid = found
        cue = comp["cue_id"][uid]
        sel = cue >= 0
        pos, end, tid = comp["matcher"].spans(codes, (pos[sel], ln[sel], cue[sel]))
        sent = np.searchsorted(starts, pos, side="right") - 1
        cid = comp["cond_id"][found[2]]
        csel = cid >= 0
        cpos, cid = found[0][csel], cid[csel]
        csent = np.searchsorted(starts, cpos, side="right") - 1
        return sent, tid, pos - starts[sent], end - starts[sent], csent, cid

    def evidence(self, texts: Sequence[str], *, unique: bool = True) -> np.ndarray:
        """Weighted cue evidence of every sentence for every label.

        Parameters
        ----------
        texts : sequence of str
            Sentences.
        unique : bool, default True
            Count each distinct term once per sentence (``False``: every occurrence).

        Returns
        -------
        numpy.ndarray of shape (n_sentences, n_labels)
            Sum of the weights of the cues found; negative cues subtract. Columns follow :attr:`labels`.
            The fallback label's own cues are included, its ``other_bias`` is not.

        >>> cb = load_codebook("rule_of_law")
        >>> E = cb.evidence(["依法办理行政复议案件", "今年经济增长"])
        >>> cb.labels[E[0].argmax()]
        'dispute_resolution'
        """
        from scipy import sparse

        if not isinstance(texts, _Encoded):
            texts = texts if isinstance(texts, list) else list(texts)
            if len(texts) > _BLOCK:  # blocks of sentences: cache-sized arrays, bounded memory
                return np.concatenate([self.evidence(texts[i:i + _BLOCK], unique=unique)
                                       for i in range(0, len(texts), _BLOCK)])
        texts = _encode(texts)
        comp = self._compile()
        n, K = len(texts), len(comp["labels"])
        if n == 0:
            return np.zeros((0, K))
        sent, tid, _, _, csent, cid = self._hits(texts)
        nt = len(comp["terms"])
        data = np.ones(len(sent))
        S = sparse.csr_matrix((data, (sent, tid)), shape=(n, nt))
        S.sum_duplicates()
        if unique:
            S.data[:] = 1.0
        E = np.asarray(S @ comp["W"])
        if comp["conditional"]:
            # (sentence, condition term) pairs present, as sorted keys
            nc = max(comp["n_cond"], 1)
            present = np.unique(csent.astype(np.int64) * nc + cid)

            def has(rows: np.ndarray, c: int) -> np.ndarray:
                q = rows * nc + c
                j = np.minimum(np.searchsorted(present, q), max(len(present) - 1, 0))
                return present[j] == q if len(present) else np.zeros(len(q), dtype=bool)

            Sc = S.tocsc()
            for i, k, w, ifa, unl in comp["conditional"]:
                lo, hi = Sc.indptr[i], Sc.indptr[i + 1]
                if lo == hi:
                    continue
                rows = Sc.indices[lo:hi].astype(np.int64)  # distinct sentences holding the rule's term
                counts = Sc.data[lo:hi]
                mask = np.ones(len(rows), dtype=bool)
                if ifa:
                    any_if = np.zeros(len(rows), dtype=bool)
                    for c in ifa:
                        any_if |= has(rows, c)
                    mask &= any_if
                for c in unl:
                    mask &= ~has(rows, c)
                E[rows[mask], k] += w * counts[mask]
        return E

    def counts(self, texts: Sequence[str]) -> np.ndarray:
        """Plain hit counts per label: every occurrence of every positive seed or rule term of the themes (the
        fallback label's cues, weights, conditions and negative cues ignored), the input of the
        :class:`~policytext.themes.DictionaryClassifier` baseline. Columns follow :attr:`labels`."""
        from scipy import sparse

        if not isinstance(texts, _Encoded):
            texts = texts if isinstance(texts, list) else list(texts)
            if len(texts) > _BLOCK:
                return np.concatenate([self.counts(texts[i:i + _BLOCK]) for i in range(0, len(texts), _BLOCK)])
        texts = _encode(texts)
        comp = self._compile()
        n, K = len(texts), len(comp["labels"])
        if n == 0:
            return np.zeros((0, K))
        sent, tid = self._hits(texts)[:2]
        S = sparse.csr_matrix((np.ones(len(sent)), (sent, tid)), shape=(n, len(comp["terms"])))
        return np.asarray(S @ comp["P"])

    def matches(self, text: str) -> list[Match]:
        """The cues found in one sentence, in text order, with exact offsets into ``text``.

        >>> cb = load_codebook("rule_of_law")
        >>> m = cb.matches("推行“双随机、一公开”监管")[0]
        >>> m.theme, m.term, "推行“双随机、一公开”监管"[m.start:m.end]
        ('service_reform', '双随机、一公开', '双随机、一公开')
        """
        comp = self._compile()
        folded = normalize_text(text).replace(_SEP, " ")
        _, tid, pos, end, _, _ = self._hits([folded])
        out = []
        for start, stop, i in zip(pos.tolist(), end.tolist(), tid.tolist()):
            for k, w, rule in comp["entries"][comp["terms"][i]]:
                if rule is None or rule.applies(folded):
                    out.append(Match(comp["labels"][k], text[start:stop], start, stop, w))
        return out

    def examples(self) -> tuple[list[str], list[str]]:
        """The example sentences of the codebook as ``(texts, labels)``."""
        texts, labels = [], []
        for th in self.themes.values():
            texts += list(th.examples)
            labels += [th.id] * len(th.examples)
        return texts, labels


# ---------------------------------------------------------------------------------------------------------
# loading and validation
# ---------------------------------------------------------------------------------------------------------
def available_codebooks() -> list[str]:
    """Names of the codebooks shipped with policytext.

    >>> available_codebooks()
    ['policy_instruments', 'rule_of_law', 'work_report']
    """
    return sorted(p.stem for p in _RESOURCE_DIR.glob("*.yaml"))


def _read_file(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".toml":
        import tomllib

        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CodebookError(f"codebook file {path}: not valid TOML ({exc}).") from None
    import yaml

    class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml's parser: ~10x faster
        pass

    def _construct_mapping(loader, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in keys:
                raise CodebookError(
                    f"codebook file {path}: duplicate key {key!r} at line {key_node.start_mark.line + 1}; "
                    "each key (theme field or seed term) may appear once. Remove or merge the duplicate."
                )
            keys.add(key)
        return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)

    _UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise CodebookError(f"codebook file {path}: not valid YAML ({exc}).") from None


def _weights(value: Any, where: str, what: str) -> dict[str, float]:
    """Seeds/negatives: a mapping ``term: weight`` or a list of terms (weight 1) / ``{term: weight}`` items."""
    out: dict[str, float] = {}
    if value is None:
        return out
    items: list[tuple[Any, Any]]
    if isinstance(value, Mapping):
        items = list(value.items())
    elif isinstance(value, list):
        items = []
        for v in value:
            if isinstance(v, Mapping) and len(v) == 1:
                items += list(v.items())
            else:
                items.append((v, 1.0))
    else:
        raise CodebookError(f"{where}: {what} must be a mapping 'term: weight' or a list of terms; "
                            f"got {type(value).__name__}.")
    for term, w in items:
        if not isinstance(term, str) or not term.strip():
            raise CodebookError(f"{where}: {what} contains a term that is not a non-empty string: {term!r}.")
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not np.isfinite(w) or w <= 0:
            raise CodebookError(f"{where}: {what} term {term!r} has weight {w!r}; expected a positive number.")
        if term.strip() in out:
            raise CodebookError(f"{where}: {what} term {term!r} is listed twice.")
        out[term.strip()] = float(w)
    return out


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise CodebookError(f"{where}: expected a list of non-empty strings; got {value!r}.")
    return tuple(value)


def _parse_rules(value: Any, where: str) -> tuple[Rule, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CodebookError(f"{where}: rules must be a list of mappings with 'term' and 'weight'.")
    rules = []
    for j, r in enumerate(value):
        w = f"{where}, rule {j + 1}"
        if not isinstance(r, Mapping):
            raise CodebookError(f"{w}: expected a mapping with 'term' and 'weight'; got {r!r}.")
        unknown = set(r) - _RULE_KEYS
        if unknown:
            raise CodebookError(f"{w}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_RULE_KEYS)}.")
        terms = _str_list(r.get("terms"), w) + _str_list(r.get("term"), w)
        if not terms:
            raise CodebookError(f"{w}: missing 'term' (or 'terms').")
        weight = r.get("weight", 1.0)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not np.isfinite(weight) or weight == 0:
            raise CodebookError(f"{w}: weight must be a non-zero number (negative argues against the theme); "
                                f"got {weight!r}.")
        if_any, unless_any = _str_list(r.get("if_any"), w), _str_list(r.get("unless_any"), w)
        rules += [Rule(t, float(weight), if_any, unless_any) for t in terms]
    return tuple(rules)


def _parse(data: Any, source: str, default_name: str) -> Codebook:
    if not isinstance(data, Mapping):
        raise CodebookError(f"codebook file {source}: expected a mapping with 'name' and 'themes' at the top; "
                            f"got {type(data).__name__}.")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise CodebookError(f"codebook file {source}: unknown top-level key(s) {sorted(unknown)}; "
                            f"allowed: {sorted(_TOP_KEYS)}.")
    themes_data = data.get("themes")
    if not isinstance(themes_data, list) or not themes_data:
        raise CodebookError(f"codebook file {source}: 'themes' must be a non-empty list of theme mappings.")
    settings = dict(_SETTINGS)
    user_settings = data.get("settings") or {}
    if not isinstance(user_settings, Mapping):
        raise CodebookError(f"codebook file {source}: 'settings' must be a mapping.")
    for k, v in user_settings.items():
        if k not in _SETTINGS:
            raise CodebookError(f"codebook file {source}: unknown setting {k!r}; allowed: {sorted(_SETTINGS)}.")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise CodebookError(f"codebook file {source}: setting {k!r} must be a number >= 0; got {v!r}.")
        settings[k] = float(v)
    themes: dict[str, Theme] = {}
    for i, td in enumerate(themes_data):
        if not isinstance(td, Mapping):
            raise CodebookError(f"codebook file {source}, theme #{i + 1}: expected a mapping; got {td!r}.")
        tid = td.get("id")
        where = f"codebook file {source}, theme {tid!r}" if tid else f"codebook file {source}, theme #{i + 1}"
        if not isinstance(tid, str) or not _ID_RE.match(tid):
            raise CodebookError(f"{where}: 'id' must be a lowercase identifier like 'service_reform'; got {tid!r}.")
        if tid in themes:
            raise CodebookError(f"{where}: id {tid!r} is used by two themes; ids must be unique.")
        unknown = set(td) - _THEME_KEYS
        if unknown:
            raise CodebookError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_THEME_KEYS)}.")
        name = td.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CodebookError(f"{where}: 'name' (the Chinese name) is missing or empty.")
        desc = td.get("description", "")
        if not isinstance(desc, str):
            raise CodebookError(f"{where}: 'description' must be a string.")
        seeds = _weights(td.get("seeds"), where, "seeds")
        negative = _weights(td.get("negative"), where, "negative")
        rules = _parse_rules(td.get("rules"), where)
        examples = _str_list(td.get("examples"), f"{where}, examples")
        if not seeds and not any(r.weight > 0 for r in rules) and tid != data.get("other", "other"):
            raise CodebookError(f"{where}: no seed terms; every theme except the fallback needs at least one.")
        themes[tid] = Theme(tid, name.strip(), desc.strip(), seeds, rules, negative, examples)
    other = data.get("other", "other")
    if other not in themes:
        raise CodebookError(f"codebook file {source}: the fallback label {other!r} is not among the themes "
                            f"({', '.join(themes)}); add a theme with id {other!r} or set 'other:'.")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name:
        raise CodebookError(f"codebook file {source}: 'name' must be a non-empty string.")
    return Codebook(name=name, themes=themes, other=other, title=str(data.get("title", "")),
                    description=str(data.get("description", "")).strip(), version=str(data.get("version", "1")),
                    settings=settings, source=source)


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> Codebook:
    p = Path(path)
    return _parse(_read_file(p), str(p), p.stem)


def load_codebook(name_or_path: str | os.PathLike | Codebook | Mapping = "rule_of_law") -> Codebook:
    """Load a shipped codebook by name, or a user codebook from a YAML/TOML file (or a dict).

    Parameters
    ----------
    name_or_path : str, path, dict or Codebook
        ``"rule_of_law"`` / ``"work_report"``, a path to a ``.yaml``/``.yml``/``.toml`` file, or the parsed
        mapping itself. A :class:`Codebook` is returned unchanged.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        The file is malformed; the message names the file, the theme and the problem.
    ResourceError
        Neither a shipped name nor an existing file.

    Notes
    -----
    File layout (YAML)::

        name: my_codebook
        other: other                 # the fallback label (must be one of the themes)
        settings: {other_bias: 1.5, heading_weight: 0.5, secondary_ratio: 0.5, secondary_min: 2.0}
        themes:
          - id: enforcement          # lowercase identifier, stable API
            name: 行政执法
            description: administrative law enforcement ...
            seeds: {行政执法: 3, 综合执法: 3, 执法监督: 3}      # term: weight (or a plain list, weight 1)
            rules:                   # conditional cues
              - {term: 培训, weight: 2, if_any: [执法人员]}
            negative: {普法: 1}       # cues that argue against this theme
            examples: [全面推行行政执法三项制度。]
          - id: other
            name: 其他
            seeds: {各位代表: 3}

    Examples
    --------
    >>> cb = load_codebook("work_report")
    >>> cb.other, len(cb)
    ('other', 11)
    >>> load_codebook({"name": "x", "themes": [{"id": "a", "name": "甲", "seeds": ["苹果"]},
    ...                                        {"id": "other", "name": "其他"}]}).labels
    ['a', 'other']
    """
    if isinstance(name_or_path, Codebook):
        return name_or_path
    if isinstance(name_or_path, Mapping):
        return _parse(name_or_path, "<dict>", str(name_or_path.get("name", "custom")))
    if not isinstance(name_or_path, (str, os.PathLike)):
        raise ParameterError(f"codebook must be a name, a path or a Codebook; got {type(name_or_path).__name__}.")
    s = str(name_or_path)
    shipped = _RESOURCE_DIR / f"{s}.yaml"
    if "/" not in s and os.sep not in s and shipped.exists():
        path = shipped
    else:
        path = Path(s).expanduser()
        if not path.exists():
            from .errors import ResourceError

            raise ResourceError(
                f"no codebook named {s!r}: expected one of {', '.join(available_codebooks())} or the path of a "
                "YAML/TOML codebook file, and no such file exists."
            )
        if path.is_dir():
            raise CodebookError(f"codebook path {path} is a directory; give the path of a .yaml or .toml file.")
    return _load_cached(str(path.resolve()), path.stat().st_mtime)
