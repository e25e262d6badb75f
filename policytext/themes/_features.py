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

from ..codebook import _HASH_BASE as _B
from ..codebook import _MIX, _SEP, _codes, _encode, _Encoded, _sep_chunks

__all__ = ["HashedNgramVectorizer"]

_SEP_CODE = ord(_SEP)  # the sentence separator of codebook._codes


def _as_encoded(texts):
    return texts if isinstance(texts, _Encoded) else _encode([str(t) for t in texts])


def _order_hashes(c: np.ndarray, orders: Sequence[int], shift: np.uint64):
    """Yield ``(order, hashes, crosses)`` for each order: the hashed n-gram starting at every position of ``c``
    that has room for one, and whether it crosses a sentence separator.

    N-grams up to order 3 get exact 63-bit keys (21 bits per code point; a key of order L is at least
    ``2**(21*(L-1))``, so orders never share a key) that are then hashed (multiply-shift, keeping ``64 - shift``
    bits); longer n-grams get polynomial hashes. The arrays yielded are overwritten by the next step: use them
    before asking for the next order. Call inside ``np.errstate(over="ignore")``.
    """
    is_sep = c == _SEP_CODE
    key = np.zeros(len(c), dtype=np.uint64)
    bad = np.zeros(len(c), dtype=bool)
    for L in range(1, max(orders) + 1):
        m = len(c) - L + 1
        if m <= 0:
            return
        key = key[:m]
        bad = bad[:m]
        if L <= 3:
            key <<= np.uint64(21)
            key |= c[L - 1:]
        else:
            key *= _B
            key += c[L - 1:]
        bad |= is_sep[L - 1:]
        if L in orders:
            hv = key * _MIX
            hv >>= shift
            yield L, hv, bad


def _ngram_hashes(codes: np.ndarray, starts: np.ndarray, orders: Sequence[int], bits: int,
                  chunk: int = 1 << 18):
    """Row index and hashed column of every character n-gram of the given orders (windows never cross sentences).

    Hashes to ``bits`` bits come from :func:`_order_hashes`. The text is processed in cache-sized chunks cut at
    sentence separators.
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
    with np.errstate(over="ignore"):
        for start, stop in _sep_chunks(codes, chunk):
            for _, hv, bad in _order_hashes(codes[start:stop], orders, shift):
                valid = np.flatnonzero(~bad)
                cols_parts.append(hv[valid].astype(np.int64))
                rows_parts.append(row_of[start:stop][valid])
    if not rows_parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows_parts).astype(np.int64), np.concatenate(cols_parts)


def _occurrences(codes: np.ndarray, starts: np.ndarray, orders: Sequence[int], bits: int, lookup: np.ndarray,
                 block: int = 1 << 19) -> tuple[np.ndarray, np.ndarray]:
    """``(indptr, indices)`` of a CSR matrix with one entry per occurrence of a kept n-gram, grouped by sentence.

    ``lookup`` maps a hashed n-gram to its kept column (-1: not kept). No sorting: blocks of whole sentences are
    hashed position by position (one column per order), and reading that table row by row lists every sentence's
    n-grams in text order, so the entries come out grouped by sentence; repeated n-grams stay separate entries.
    """
    n_rows, total = len(starts), len(codes)
    orders = list(orders)
    counts = np.zeros(n_rows, dtype=np.int64)
    parts = []
    shift = np.uint64(64 - bits)
    s0 = 0
    with np.errstate(over="ignore"):
        while s0 < n_rows:
            s1 = min(max(int(np.searchsorted(starts, starts[s0] + block)), s0 + 1), n_rows)
            c0 = int(starts[s0])
            c1 = int(starts[s1]) - 1 if s1 < n_rows else total  # the separator before sentence s1 is left out
            c = codes[c0:c1]
            m = len(c)
            if m:
                table = np.empty((m, len(orders)), dtype=np.int32)
                table[:] = -1
                per_pos = np.zeros(m, dtype=np.int64)  # kept n-grams starting at each position
                for L, hv, bad in _order_hashes(c, orders, shift):
                    mm = len(hv)
                    col = lookup[hv.view(np.int64)]  # values < 2**bits: the view is the index
                    col[bad] = -1
                    table[:mm, orders.index(L)] = col
                    per_pos[:mm] += col >= 0
                ok = table >= 0
                cum = np.zeros(m + 1, dtype=np.int64)
                np.cumsum(per_pos, out=cum[1:])
                first = starts[s0:s1] - c0
                after = np.append(first[1:], m)
                counts[s0:s1] = cum[np.minimum(after, m)] - cum[np.minimum(first, m)]
                parts.append(table[ok])  # row-major: sentence by sentence, in text order
            s0 = s1
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    return indptr, indices


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
        Keep only the most frequent features (by document frequency in the fitted sentences).
    merge_repeats : bool, default True
        Merge the repeats of an n-gram in a sentence into one entry (term frequency, ``sublinear_tf``, exact L2
        norm). ``False`` keeps one entry per occurrence — columns repeat within a row and sum in every product —
        with each occurrence weighted by the idf and rows scaled by the root of the summed squared occurrence
        weights (the L2 norm when no n-gram repeats). Several times faster (no sorting); ``sublinear_tf`` is then
        ignored. The zero-label :class:`ThemeClassifier` uses it.

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
                 max_features: int | None = None, merge_repeats: bool = True) -> None:
        self.ngram_range = ngram_range
        self.bits = bits
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.words = words
        self.tokenizer = tokenizer
        self.max_features = max_features
        self.merge_repeats = merge_repeats

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

    def _pairs(self, texts):
        enc = _as_encoded(texts)
        texts = enc.texts
        if not texts:
            e = np.zeros(0, np.int64)
            return e, e, 0
        codes, starts = enc.codes, enc.starts
        lo, hi = self.ngram_range
        rows, cols = _ngram_hashes(codes, starts, list(range(lo, hi + 1)), self.bits)
        if self.words:
            wr, wc = self._word_pairs(texts)
            rows, cols = np.concatenate([rows, wr]), np.concatenate([cols, wc])
        return rows, cols, len(texts)

    # -- sklearn API -----------------------------------------------------------------------------------------
    def fit(self, X, y=None):
        """Learn which hashed features to keep and their idf."""
        texts = X.texts if isinstance(X, _Encoded) else list(X)
        n = len(texts)
        n_cols = (2 << self.bits) if self.words else (1 << self.bits)
        df = np.zeros(n_cols, dtype=np.int64)
        for a in range(0, n, 20_000):  # blocks: sorting a few million pairs at a time
            rows, cols, _ = self._pairs(texts[a:a + 20_000])
            pairs = np.unique(rows * n_cols + cols)  # each feature once per sentence
            np.add.at(df, pairs % n_cols, 1)
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
        indptr, indices, data, inv_norm = self._weighted(X)
        data *= np.repeat(inv_norm, np.diff(indptr))
        return sparse.csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, len(self.kept_)))

    def _weighted(self, X):
        """``(indptr, indices, data, inv_norm)``: the CSR parts of the rows before normalization (float32), and
        the factor that normalizes each row."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "kept_")
        enc = _as_encoded(X)
        lookup = self._get_lookup()
        merge = self.merge_repeats
        if not merge and not self.words:
            lo, hi = self.ngram_range
            indptr, indices = _occurrences(enc.codes, enc.starts, list(range(lo, hi + 1)), self.bits, lookup)
            data = self.idf_[indices]
        else:
            rows, cols, n = self._pairs(enc)
            col = lookup[cols]
            ok = col >= 0
            rows, col = rows[ok], col[ok]
            if merge:
                out = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, col)),
                                        shape=(n, len(self.kept_)))
                out.sum_duplicates()
                if self.sublinear_tf:
                    np.log(out.data, out=out.data)
                    out.data += 1
                out.data *= self.idf_[out.indices]
                indptr, indices, data = out.indptr, out.indices, out.data
            else:  # one entry per occurrence (word features on): group the entries by row, keep their order
                order = np.argsort(rows, kind="stable")
                indices = col[order].astype(np.int32)
                indptr = np.zeros(n + 1, dtype=np.int64)
                np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
                data = self.idf_[indices]
        counts = np.diff(indptr)
        rows = np.flatnonzero(counts)
        norms = np.ones(len(counts), dtype=np.float32)
        if len(rows):
            # sum of squares per non-empty row (an empty row's segment would be the next row's first entry)
            norms[rows] = np.sqrt(np.add.reduceat(np.square(data), indptr[:-1][rows]))
        norms[norms == 0] = 1
        return indptr, indices, data, 1 / norms

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
