"""Fast hashed character n-gram (and optional word) features for sentence classification.

sklearn's ``TfidfVectorizer(analyzer="char")`` builds n-grams in Python (about 0.5 M n-grams per second here);
:class:`HashedNgramVectorizer` hashes every n-gram of all sentences at once with numpy, so 100,000 sentences
featurize in about a second. Hashes are stable across processes (no Python ``hash``), so fitted models pickle.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from ..codebook import _codes

__all__ = ["HashedNgramVectorizer"]

_B = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SEP_CODE = 10  # "\n", the sentence separator of codebook._codes


def _ngram_hashes(codes: np.ndarray, starts: np.ndarray, orders: Sequence[int], bits: int,
                  chunk: int = 1 << 18):
    """Row index and hashed column of every character n-gram of the given orders (windows never cross sentences).

    N-grams up to order 3 get exact 63-bit keys (21 bits per code point) that are then hashed to ``bits`` bits;
    the text is processed in cache-sized chunks cut at sentence separators.
    """
    n = len(codes)
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    row_start = np.zeros(n, dtype=np.int32)
    if len(starts) > 1:
        inner = starts[1:]
        np.add.at(row_start, inner[inner < n], 1)  # a trailing empty sentence starts at n and has no n-gram
    row_of = np.cumsum(row_start, dtype=np.int32)
    rows_parts, cols_parts = [], []
    shift = np.uint64(64 - bits)
    start = 0
    with np.errstate(over="ignore"):
        while start < n:
            stop = min(n, start + chunk)
            if stop < n:
                seps = np.flatnonzero(codes[stop:min(n, stop + 4096)] == _SEP_CODE)
                stop = stop + int(seps[0]) + 1 if len(seps) else min(n, stop + 4096)
            c = codes[start:stop]
            m_all = len(c)
            is_sep = c == _SEP_CODE
            key = np.zeros(m_all, dtype=np.uint64)
            bad = np.zeros(m_all, dtype=bool)
            for L in range(1, max(orders) + 1):
                m = m_all - L + 1
                if m <= 0:
                    break
                key = key[:m]
                bad = bad[:m]
                if L <= 3:
                    key <<= np.uint64(21)
                    key |= c[L - 1:]
                else:
                    key *= _B
                    key += c[L - 1:]
                bad |= is_sep[L - 1:]
                if L not in orders:
                    continue
                valid = np.flatnonzero(~bad)
                hv = (key[valid] + np.uint64(L)) * _MIX
                hv ^= hv >> np.uint64(29)
                hv *= _B
                cols_parts.append((hv >> shift).astype(np.int64))
                rows_parts.append(row_of[start:stop][valid])
            start = stop
    if not rows_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows_parts).astype(np.int64), np.concatenate(cols_parts)


class HashedNgramVectorizer(TransformerMixin, BaseEstimator):
    """TF-IDF features from hashed character n-grams (and optionally word uni/bigrams), vectorized with numpy.

    Parameters
    ----------
    ngram_range : tuple of int, default (1, 3)
        Character n-gram orders.
    bits : int, default 22
        Hash space of ``2**bits`` buckets before pruning.
    min_df : int, default 2
        Keep hashed features seen in at least ``min_df`` training sentences (the fitted model stores only those).
    sublinear_tf : bool, default True
        ``1 + log(tf)``.
    words : bool, default False
        Add word unigrams and bigrams from ``tokenizer`` (default :class:`policytext.Tokenizer`).
    tokenizer : callable, optional
        ``str -> list[str]``; used when ``words`` is true.
    max_features : int, optional
        Keep only the most frequent features.

    Attributes
    ----------
    kept_ : ndarray
        Sorted hashed ids of the kept features.
    idf_ : ndarray
        Inverse document frequency of the kept features.

    Examples
    --------
    >>> v = HashedNgramVectorizer(min_df=1).fit(["深化放管服改革", "加强行政执法"])
    >>> X = v.transform(["深化行政执法改革"])
    >>> X.shape[0], round(float(X.multiply(X).sum()), 6)
    (1, 1.0)
    """

    def __init__(self, ngram_range: tuple[int, int] = (1, 3), bits: int = 22, min_df: int = 2,
                 sublinear_tf: bool = True, words: bool = False, tokenizer=None,
                 max_features: int | None = None) -> None:
        self.ngram_range = ngram_range
        self.bits = bits
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.words = words
        self.tokenizer = tokenizer
        self.max_features = max_features

    # -- raw hashed counts -----------------------------------------------------------------------------------
    def _word_pairs(self, texts: Sequence[str]):
        tok = self.tokenizer
        if tok is None:
            from ..tokenize import Tokenizer

            tok = Tokenizer()
        rows, cols = [], []
        offset = 1 << self.bits
        bits = self.bits
        cache: dict[str, int] = {}
        for i, t in enumerate(texts):
            words = [w for w in tok(t) if w.strip()]
            feats = ["w:" + w for w in words] + ["b:" + a + "|" + b for a, b in pairwise(words)]
            for f in feats:
                c = cache.get(f)
                if c is None:
                    c = cache[f] = offset + (zlib.crc32(f.encode("utf-8")) & ((1 << bits) - 1))
                rows.append(i)
                cols.append(c)
        return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)

    def _pairs(self, texts: Sequence[str]):
        texts = [str(t) for t in texts]
        if not texts:
            e = np.zeros(0, np.int64)
            return e, e, 0
        codes, starts = _codes(texts)
        lo, hi = self.ngram_range
        rows, cols = _ngram_hashes(codes, starts, list(range(lo, hi + 1)), self.bits)
        if self.words:
            wr, wc = self._word_pairs(texts)
            rows, cols = np.concatenate([rows, wr]), np.concatenate([cols, wc])
        return rows, cols, len(texts)

    # -- sklearn API -----------------------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Learn which hashed features to keep and their idf."""
        rows, cols, n = self._pairs(X)
        n_cols = (2 << self.bits) if self.words else (1 << self.bits)
        pairs = np.unique(rows * n_cols + cols)
        df = np.bincount(pairs % n_cols, minlength=n_cols)
        keep = np.flatnonzero(df >= self.min_df)
        if self.max_features is not None and len(keep) > self.max_features:
            keep = np.sort(keep[np.argsort(-df[keep], kind="stable")[: self.max_features]])
        self.kept_ = keep.astype(np.int64)
        n = max(n, 1)
        self.idf_ = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)
        self._lookup = None
        return self

    def _get_lookup(self) -> np.ndarray:
        lookup = getattr(self, "_lookup", None)
        if lookup is None:
            n_cols = (2 << self.bits) if self.words else (1 << self.bits)
            lookup = np.full(n_cols, -1, dtype=np.int32)
            lookup[self.kept_] = np.arange(len(self.kept_), dtype=np.int32)
            self._lookup = lookup
        return lookup

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_lookup", None)
        return state

    def transform(self, X) -> sparse.csr_matrix:
        """TF-IDF rows (L2-normalized) over the kept features."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "kept_")
        rows, cols, n = self._pairs(X)
        lookup = self._get_lookup()
        col = lookup[cols]
        ok = col >= 0
        out = sparse.csr_matrix((np.ones(int(ok.sum()), dtype=np.float32), (rows[ok], col[ok])),
                                shape=(n, len(self.kept_)))
        out.sum_duplicates()
        if self.sublinear_tf:
            np.log(out.data, out=out.data)
            out.data += 1
        out.data *= self.idf_[out.indices]
        row_ids = np.repeat(np.arange(n), np.diff(out.indptr))
        norms = np.sqrt(np.bincount(row_ids, weights=out.data.astype(np.float64) ** 2, minlength=n))
        norms[norms == 0] = 1
        out.data /= np.repeat(norms, np.diff(out.indptr)).astype(np.float32)
        return out

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Hashed ids (``h:<id>``); use :meth:`explain_features` on concrete sentences for readable n-grams."""
        return np.asarray([f"h:{k}" for k in self.kept_], dtype=object)

    def ngrams(self, text: str) -> dict[int, str]:
        """Map kept feature column -> the character n-gram (or word feature) of ``text`` hashed to it."""
        lo, hi = self.ngram_range
        out: dict[int, str] = {}
        lookup = self._get_lookup()
        codes, starts = _codes([text])
        from ..codebook import normalize_text

        folded = normalize_text(text)
        for L in range(lo, hi + 1):
            _, cols = _ngram_hashes(codes, starts, [L], self.bits)
            for j, c in enumerate(cols.tolist()):
                k = lookup[c]
                if k >= 0:
                    out.setdefault(int(k), folded[j:j + L])
        if self.words:
            _, wc = self._word_pairs([text])
            tok = self.tokenizer
            if tok is None:
                from ..tokenize import Tokenizer

                tok = Tokenizer()
            words = [w for w in tok(text) if w.strip()]
            names = words + [a + " " + b for a, b in pairwise(words)]
            for c, name in zip(wc.tolist(), names):
                k = lookup[c]
                if k >= 0:
                    out.setdefault(int(k), name)
        return out
