"""Document-term matrices, grouped term frequencies and dictionary (concept) coding.

* :func:`document_term_matrix` — sparse counts (documents x terms) from the tokenized corpus, with the usual filters
  and multiword terms of the policy lexicon counted as single terms; returns a :class:`DocumentTermMatrix`.
* :func:`term_frequencies` — tidy counts by metadata groups (region, year …): ``count``, ``group_tokens``,
  ``per_10k``, ``doc_freq``.
* :func:`dictionary_counts` — counts of concept dictionaries (term lists with multiword entries and wildcards)
  matched on the text itself, per document or per group: the attention measure of work-report studies.
* :func:`dictionary_matches` — every match of a dictionary with its offsets, to check what a count means.

Token counts and rates
----------------------
A document's length (the denominator of every rate) is its number of tokens that are not punctuation, whatever
vocabulary filters are chosen: removing stopwords, numbers or rare terms does not change a term's rate per 10,000
tokens. ``per_10k = 10000 * count / group_tokens``.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ParameterError
from ._common import (
    as_corpus,
    as_list,
    check_by,
    compile_entries,
    doc_text_list,
    group_codes,
    indicator,
    regex_spans,
)
from .tokens import TokenTable, as_tokens, is_number, is_punctuation, lexicon_terms

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from ..corpus import Corpus

__all__ = [
    "DocumentTermMatrix",
    "dictionary_counts",
    "dictionary_matches",
    "document_term_matrix",
    "term_frequencies",
]

_MAX_DENSE_CELLS = 50_000_000


# ================================================================================================ result object


class DocumentTermMatrix:
    """Counts of terms in documents: a sparse matrix with its vocabulary and document metadata.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix of int64
        ``n_docs x n_terms`` counts; row ``i`` is document ``doc_ids[i]``, column ``j`` is ``vocabulary[j]``.
    vocabulary : pandas.Index
        The terms, in column order (most frequent first, ties alphabetical).
    doc_ids : list of str
        Document ids in row order.
    docs : pandas.DataFrame
        Document metadata (the corpus ``docs`` without the text columns), one row per matrix row.
    doc_lengths : numpy.ndarray of int64
        Tokens per document that are not punctuation: the denominator of rates (see the module notes).
    params : dict
        The filters used to build the matrix.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["优化营商环境，优化服务。", "营商环境持续改善。"],
    ...                               metadata={"region": ["甲市", "乙市"]})
    >>> dtm = pt.document_term_matrix(corpus)
    >>> dtm.shape
    (2, 5)
    >>> list(dtm.vocabulary[:2])
    ['优化', '营商环境']
    >>> dtm.to_frame().head(3).values.tolist()
    [['0', '优化', 2], ['0', '营商环境', 1], ['0', '服务', 1]]
    """

    def __init__(
        self,
        matrix: sp.csr_matrix,
        vocabulary: Sequence[str],
        docs: pd.DataFrame,
        doc_lengths: np.ndarray,
        params: dict | None = None,
    ) -> None:
        import numpy as np
        import pandas as pd

        self.matrix = matrix
        self.vocabulary = vocabulary if isinstance(vocabulary, pd.Index) else pd.Index(list(vocabulary), dtype=object)
        self.docs = docs.reset_index(drop=True)
        self.doc_lengths = np.asarray(doc_lengths, dtype=np.int64)
        self.params = dict(params or {})
        self._index: dict[str, int] | None = None
        if matrix.shape != (len(self.docs), len(self.vocabulary)):
            raise InputError(
                f"DocumentTermMatrix: matrix shape {matrix.shape} does not match {len(self.docs)} documents x "
                f"{len(self.vocabulary)} terms."
            )

    # -- basic protocol
    @property
    def shape(self) -> tuple[int, int]:
        return self.matrix.shape

    @property
    def doc_ids(self) -> list[str]:
        return self.docs["doc_id"].tolist()

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def __repr__(self) -> str:
        n, v = self.shape
        return f"<DocumentTermMatrix: {n} documents x {v:,} terms, {int(self.matrix.sum()):,} counts>"

    def __contains__(self, term: object) -> bool:
        return term in self.term_index

    @property
    def term_index(self) -> dict[str, int]:
        """Column of every term."""
        if self._index is None:
            self._index = {t: i for i, t in enumerate(self.vocabulary.tolist())}
        return self._index

    @property
    def term_counts(self) -> pd.Series:
        """Total count of every term (Series indexed by term, in column order)."""
        import numpy as np
        import pandas as pd

        return pd.Series(np.asarray(self.matrix.sum(axis=0)).ravel().astype(np.int64), index=self.vocabulary,
                         name="count")

    @property
    def doc_freq(self) -> pd.Series:
        """Number of documents containing every term."""
        import numpy as np
        import pandas as pd

        return pd.Series(np.bincount(self.matrix.indices, minlength=self.shape[1]).astype(np.int64),
                         index=self.vocabulary, name="doc_freq")

    def column(self, term: str) -> pd.Series:
        """Counts of one term in every document (Series indexed by doc_id)."""
        import pandas as pd

        j = self.term_index.get(term)
        if j is None:
            raise KeyError(f"{term!r} is not in the vocabulary ({self.shape[1]} terms); check the filters "
                           "(stopwords, min_count) or add it with user_terms=[...].")
        col = self.matrix[:, j].toarray().ravel()
        return pd.Series(col, index=pd.Index(self.doc_ids, name="doc_id"), name=term)

    def columns_of(self, terms: Iterable[str]) -> tuple[list[str], np.ndarray]:
        """(terms, column indices) of the given terms; -1 for a term not in the vocabulary."""
        import numpy as np

        terms = list(terms)
        idx = self.term_index
        return terms, np.asarray([idx.get(t, -1) for t in terms], dtype=np.int64)

    def to_frame(self, form: str = "long") -> pd.DataFrame:
        """The counts as a DataFrame.

        Parameters
        ----------
        form : {"long", "wide"}, default "long"
            ``"long"``: one row per non-zero cell, columns ``doc_id, term, count`` (tidy). ``"wide"``: documents
            x terms indexed by ``doc_id``, backed by pandas sparse arrays (zeros are not stored).
        """
        import numpy as np
        import pandas as pd

        if form == "long":
            m = self.matrix
            rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
            return pd.DataFrame(
                {
                    "doc_id": np.asarray(self.doc_ids, dtype=object)[rows],
                    "term": self.vocabulary.to_numpy(dtype=object)[m.indices],
                    "count": m.data.astype(np.int64),
                }
            )
        if form == "wide":
            frame = pd.DataFrame.sparse.from_spmatrix(self.matrix, index=pd.Index(self.doc_ids, name="doc_id"),
                                                      columns=self.vocabulary)
            return frame
        raise ParameterError(f"form must be 'long' or 'wide'; got {form!r}.")

    def filter(self, mask: Any = None, **equals: Any) -> DocumentTermMatrix:
        """The rows (documents) matching ``mask`` and every ``column=value`` condition (as ``Corpus.filter``).

        The vocabulary is kept as is (a term may have no count left).
        """
        import numpy as np

        from ..corpus import match_rows

        keep = match_rows(self.docs, mask, **equals)
        rows = np.flatnonzero(keep.to_numpy(dtype=bool))
        return DocumentTermMatrix(self.matrix[rows], self.vocabulary, self.docs.iloc[rows], self.doc_lengths[rows],
                                  self.params)

    def group(self, by: str | Sequence[str] | None) -> tuple[sp.csr_matrix, pd.DataFrame, np.ndarray, np.ndarray]:
        """Sum the rows by metadata groups.

        Returns ``(counts, keys, group_tokens, group_docs)``: the ``n_groups x n_terms`` sparse counts, the group
        keys (one row per group; missing values form their own group), tokens and documents per group.
        """
        import numpy as np

        cols = check_by(self.docs, by)
        codes, keys = group_codes(self.docs, cols)
        g = indicator(codes, len(keys))
        counts = (g @ self.matrix).tocsr()
        counts.sort_indices()
        tokens = np.asarray(g @ self.doc_lengths.astype(np.float64)).ravel().round().astype(np.int64)
        ndocs = np.bincount(codes, minlength=len(keys)).astype(np.int64)
        return counts, keys, tokens, ndocs


# ================================================================================================ vocabulary info

_INFO_LOCK = threading.Lock()
_INFO: dict[tuple[int, int], tuple[Any, dict[str, np.ndarray]]] = {}


def _vocab_mask(vocab: np.ndarray, what: str) -> np.ndarray:
    """Per-type boolean mask (``punct``, ``number``, ``single``), cached for the vocabulary array."""
    import numpy as np

    key = (id(vocab), len(vocab))
    with _INFO_LOCK:
        entry = _INFO.get(key)
        if entry is None or entry[0] is not vocab:
            if len(_INFO) > 8:
                _INFO.pop(next(iter(_INFO)))
            entry = (vocab, {})
            _INFO[key] = entry
    masks = entry[1]
    if what not in masks:
        words = vocab.tolist()
        if what == "punct":
            masks[what] = np.fromiter((is_punctuation(w) for w in words), dtype=bool, count=len(words))
        elif what == "number":
            masks[what] = np.fromiter((is_number(w) for w in words), dtype=bool, count=len(words))
        elif what == "single":
            masks[what] = np.fromiter((len(w) == 1 for w in words), dtype=bool, count=len(words))
        else:  # pragma: no cover
            raise KeyError(what)
    return masks[what]


def _member_mask(vocab: np.ndarray, words: Iterable[str] | frozenset[str]) -> np.ndarray:
    import numpy as np

    s = words if isinstance(words, (set, frozenset)) else set(words)
    if not s:
        return np.zeros(len(vocab), dtype=bool)
    return np.fromiter((w in s for w in vocab.tolist()), dtype=bool, count=len(vocab))


def _stopword_set(stopwords: Any) -> frozenset[str]:
    if stopwords is None or stopwords is False:
        return frozenset()
    if stopwords is True:
        stopwords = "policy"
    if isinstance(stopwords, (str, os.PathLike)):
        from ..lexicon import load_stopwords

        return load_stopwords(os.fspath(stopwords))
    if isinstance(stopwords, Iterable):
        items = list(stopwords)
        bad = [w for w in items if not isinstance(w, str)]
        if bad:
            raise ParameterError(f"stopwords must be strings; got {bad[:3]!r}.")
        return frozenset(items)
    raise ParameterError(
        f"stopwords must be None, a bundled list name ('general', 'policy'), a file path or a collection of "
        f"words; got {type(stopwords).__name__}."
    )


def _multiword_set(multiword: Any) -> frozenset[str]:
    if multiword is None or multiword is False:
        return frozenset()
    if isinstance(multiword, str):
        if multiword == "lexicon":
            return lexicon_terms()
        if multiword == "lexicon-all":
            return lexicon_terms(compounds=True)
        raise ParameterError(
            f"multiword must be 'lexicon', 'lexicon-all', None or a collection of terms; got {multiword!r}."
        )
    return frozenset(str(t) for t in multiword)


def _user_term_set(user_terms: Any) -> frozenset[str]:
    if user_terms is None:
        return frozenset()
    if isinstance(user_terms, (str, os.PathLike)):
        from ..lexicon import load_user_words

        return frozenset(w.term for w in load_user_words(user_terms))
    out = []
    for t in user_terms:
        if isinstance(t, str):
            out.append(t)
        elif isinstance(t, tuple) and t and isinstance(t[0], str):
            out.append(t[0])
        else:
            raise ParameterError(f"user_terms must be strings (or a word-list path); got {t!r}.")
    return frozenset(out)


def _pos_mask(tokens: TokenTable, pos: Any, exclude_pos: Any) -> np.ndarray | None:
    """Boolean mask over ``tokens.pos_tags`` of the tags to keep, or None (no POS filter)."""
    import numpy as np

    keep_prefixes = as_list(pos, "pos")
    drop_prefixes = as_list(exclude_pos, "exclude_pos")
    if not keep_prefixes and not drop_prefixes:
        return None
    if tokens.pos is None:
        raise ParameterError(
            "pos/exclude_pos filter on part-of-speech tags, but the tokenizer gave none. Use a tokenizer with tags "
            "(policytext.Tokenizer(pos=True), the default) or drop the POS filter."
        )
    tags = tokens.pos_tags
    ok = np.ones(len(tags), dtype=bool)
    if keep_prefixes:
        ok &= np.asarray([any(t.startswith(p) for p in keep_prefixes) for t in tags], dtype=bool)
    if drop_prefixes:
        ok &= ~np.asarray([any(t.startswith(p) for p in drop_prefixes) for t in tags], dtype=bool)
    return ok


# ================================================================================================ the matrix


def document_term_matrix(
    data: Corpus | pd.DataFrame | TokenTable,
    *,
    tokenizer: Any = None,
    multiword: str | Iterable[str] | None = "lexicon",
    user_terms: str | os.PathLike[str] | Iterable[str] | None = None,
    stopwords: str | os.PathLike[str] | Iterable[str] | None = None,
    remove_punct: bool = True,
    remove_numbers: bool = True,
    remove_single: bool = False,
    pos: str | Sequence[str] | None = None,
    exclude_pos: str | Sequence[str] | None = None,
    min_count: int = 1,
    min_docs: int = 1,
    max_docs: float | None = None,
    vocabulary: Iterable[str] | None = None,
    n_jobs: int = 1,
) -> DocumentTermMatrix:
    """Count terms in every document: a sparse documents x terms matrix.

    Parameters
    ----------
    data : Corpus, DataFrame or TokenTable
        The documents; a corpus is tokenized with :func:`~policytext.stats.tokenize_corpus` (cached, so a
        second matrix of the same corpus does not tokenize again).
    tokenizer : Tokenizer, optional
        Tokenizer for a corpus (default ``policytext.Tokenizer()``).
    multiword : "lexicon", "lexicon-all", None or iterable of str, default "lexicon"
        Multiword terms counted as one term: adjacent tokens forming such a term are joined
        (:meth:`TokenTable.merge_terms`). ``"lexicon"``: the policy lexicon without its ambiguous entries and
        without entries made of other lexicon terms (新时代枫桥经验 stays 新时代 + 枫桥经验, so both parts are
        counted); ``"lexicon-all"``: every non-ambiguous entry; None: no joining.
    user_terms : iterable of str or path, optional
        More terms counted as one term (always joined, compounds included): words, or a word-list file
        (:func:`policytext.lexicon.load_user_words`).
    stopwords : "general", "policy", path or iterable of str, optional
        Terms to leave out (:func:`policytext.lexicon.load_stopwords`); None keeps every term.
    remove_punct : bool, default True
        Leave out punctuation and symbols (tokens made only of Unicode P*/S* characters). Punctuation is also
        left out of the document lengths.
    remove_numbers : bool, default True
        Leave out numbers (``2023``, ``20.56万``, ``100%``, ``三``; see :func:`~policytext.stats.tokens.is_number`).
        Multiword and user terms made of numerals (十四五) are kept.
    remove_single : bool, default False
        Leave out single-character terms.
    pos, exclude_pos : str or list of str, optional
        Keep only tokens whose part-of-speech tag starts with one of ``pos`` (PKU tags: ``"n"`` keeps n, ns, nt,
        nz …), and drop those starting with one of ``exclude_pos``.
    min_count : int, default 1
        Keep terms with at least this many occurrences in all documents.
    min_docs : int, default 1
        Keep terms found in at least this many documents.
    max_docs : int or float, optional
        Drop terms found in more than this many documents (a float in (0, 1]: share of documents).
    vocabulary : iterable of str, optional
        Count exactly these terms, in this order (columns of zeros for absent ones); the vocabulary filters
        above do not apply to them, and multiword entries are joined as ``user_terms``.
    n_jobs : int, default 1
        Processes for tokenizing a corpus not tokenized yet.

    Returns
    -------
    DocumentTermMatrix

    Raises
    ------
    ParameterError
        A filter value is out of range, or a POS filter is asked for tokens without tags.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["深化放管服改革。推进放管服改革，2023年办结120件。"])
    >>> dtm = pt.document_term_matrix(corpus, stopwords="policy")
    >>> dict(zip(dtm.vocabulary, dtm.matrix.toarray()[0].tolist()))   # 120: a number; 深化, 推进, 件: stopwords
    {'改革': 2, '放管服': 2, '2023年': 1, '办结': 1}
    >>> dtm.doc_lengths.tolist()   # tokens without punctuation: 深化 放管服 改革 推进 放管服 改革 2023年 办结 120 件
    [10]
    >>> pt.document_term_matrix(corpus, vocabulary=["放管服改革", "改革"]).matrix.toarray().tolist()
    [[2, 0]]
    """
    import numpy as np

    for name, value in (("min_count", min_count), ("min_docs", min_docs)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise ParameterError(f"{name} must be a non-negative integer; got {value!r}.")
    for name, value in (("remove_punct", remove_punct), ("remove_numbers", remove_numbers),
                        ("remove_single", remove_single)):
        if not isinstance(value, bool):
            raise ParameterError(f"{name} must be True or False; got {value!r}.")
    tokens = as_tokens(data, tokenizer, n_jobs)
    vocab_terms = None if vocabulary is None else [str(t) for t in (
        [vocabulary] if isinstance(vocabulary, str) else vocabulary)]
    if vocab_terms is not None and len(set(vocab_terms)) != len(vocab_terms):
        raise ParameterError("vocabulary has repeated terms; give each term once.")
    multi = _multiword_set(multiword)
    users = _user_term_set(user_terms)
    protected = multi | users
    join = protected | frozenset(t for t in (vocab_terms or ()) if len(t) > 1)
    if join:
        tokens = tokens.merge_terms(join)
    vocab = tokens.vocab
    n_docs = len(tokens)
    ids = tokens.ids
    punct = _vocab_mask(vocab, "punct")

    # -- what counts as a term: a type-level decision, then a per-token column (-1: not counted)
    n_types = len(vocab)
    if vocab_terms is None:
        drop = punct.copy() if remove_punct else np.zeros(n_types, dtype=bool)
        keep_prot = _member_mask(vocab, protected) if protected else None
        if remove_numbers:
            num = _vocab_mask(vocab, "number")
            drop |= num & ~keep_prot if keep_prot is not None else num
        if remove_single:
            drop |= _vocab_mask(vocab, "single")
        sw = _stopword_set(stopwords)
        if sw:
            drop |= _member_mask(vocab, sw)
        type_col = np.where(drop, -1, np.arange(n_types)).astype(np.int32)
    else:
        type_col = np.arange(n_types, dtype=np.int32)
    tok_col = type_col[ids]
    pos_ok = _pos_mask(tokens, pos, exclude_pos)
    if pos_ok is not None:
        tok_col[~pos_ok[tokens.pos]] = -1

    # -- document lengths: every token except punctuation
    if remove_punct:
        doc_lengths = _segment_sum(~punct[ids], tokens.indptr)
    else:
        doc_lengths = np.diff(tokens.indptr).astype(np.int64)

    # -- the columns: totals per type, document frequencies only when a filter needs them
    totals = np.bincount(tok_col[tok_col >= 0], minlength=n_types).astype(np.int64)
    if vocab_terms is not None:
        index = {w: i for i, w in enumerate(vocab.tolist())} if n_types else {}
        cols = np.asarray([index.get(t, -1) for t in vocab_terms], dtype=np.int64)
        terms = vocab_terms
    else:
        ok = totals >= max(min_count, 1)
        limit = None
        if max_docs is not None:
            if isinstance(max_docs, bool) or not isinstance(max_docs, (int, float, np.integer, np.floating)):
                raise ParameterError(f"max_docs must be a number of documents or a share in (0, 1]; got {max_docs!r}.")
            if isinstance(max_docs, (float, np.floating)):
                if not 0 < max_docs <= 1:
                    raise ParameterError(f"max_docs as a share must be in (0, 1]; got {max_docs!r}.")
                limit = max_docs * n_docs
            else:
                limit = max_docs
        if min_docs > 1 or limit is not None:
            raw = _count_matrix(tokens.indptr, tok_col, n_types)
            dfreq = np.bincount(raw.indices, minlength=n_types)
            ok &= dfreq >= min_docs
            if limit is not None:
                ok &= dfreq <= limit
        cols = np.flatnonzero(ok)
        # most frequent first, ties in code-point order (independent of the order documents were tokenized)
        names = vocab[cols]
        alpha = np.argsort(names.astype(str), kind="stable") if len(cols) else np.zeros(0, dtype=np.int64)
        cols = cols[alpha]
        cols = cols[np.argsort(-totals[cols], kind="stable")]
        terms = vocab[cols].tolist()
    col_map = np.full(n_types + 1, -1, dtype=np.int32)  # col_map[-1] == -1 maps "not counted" to itself
    valid = cols >= 0
    col_map[cols[valid]] = np.flatnonzero(valid)
    matrix = _count_matrix(tokens.indptr, col_map[tok_col], len(terms))
    params = {
        "multiword": multiword if isinstance(multiword, (str, type(None))) else "custom",
        "user_terms": sorted(users),
        "stopwords": stopwords if isinstance(stopwords, (str, type(None))) else "custom",
        "remove_punct": remove_punct,
        "remove_numbers": remove_numbers,
        "remove_single": remove_single,
        "pos": pos,
        "exclude_pos": exclude_pos,
        "min_count": min_count,
        "min_docs": min_docs,
        "max_docs": max_docs,
        "vocabulary": vocab_terms is not None,
    }
    meta = tokens.docs.drop(columns=[c for c in ("text", "raw_text") if c in tokens.docs.columns])
    return DocumentTermMatrix(matrix, terms, meta, doc_lengths, params)


def _count_matrix(indptr: np.ndarray, cols: np.ndarray, n_cols: int, cells: int = 8_000_000) -> sp.csr_matrix:
    """Canonical CSR counts: row ``i`` counts the columns ``cols[indptr[i]:indptr[i + 1]]`` (-1 = not counted).

    Counts a block of documents at a time with one ``bincount`` over ``block x n_cols`` cells: linear time, small
    temporaries, and sorted indices without sorting the tokens.
    """
    import numpy as np
    import scipy.sparse as sp

    n_docs = len(indptr) - 1
    if n_cols == 0 or n_docs == 0 or indptr[-1] == 0:
        return sp.csr_matrix((n_docs, n_cols), dtype=np.int64)
    lengths = np.diff(indptr)
    block = max(1, cells // n_cols)
    rows_l, idx_l, data_l = [], [], []
    for d0 in range(0, n_docs, block):
        d1 = min(d0 + block, n_docs)
        lo, hi = indptr[d0], indptr[d1]
        if hi <= lo:
            continue
        c = cols[lo:hi]
        local = np.repeat(np.arange(d1 - d0, dtype=np.int64), lengths[d0:d1])
        k = c >= 0
        counts = np.bincount(local[k] * n_cols + c[k], minlength=(d1 - d0) * n_cols)
        nz = np.flatnonzero(counts)
        rows_l.append(nz // n_cols + d0)
        idx_l.append((nz % n_cols).astype(np.int32))
        data_l.append(counts[nz])
    if not rows_l:
        return sp.csr_matrix((n_docs, n_cols), dtype=np.int64)
    rows = np.concatenate(rows_l)
    out_ptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_docs), out=out_ptr[1:])
    matrix = sp.csr_matrix((np.concatenate(data_l).astype(np.int64), np.concatenate(idx_l), out_ptr),
                           shape=(n_docs, n_cols))
    matrix.has_sorted_indices = True
    return matrix


def _segment_sum(mask: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Number of True values of ``mask`` in each segment ``indptr[i]:indptr[i + 1]``."""
    import numpy as np

    bounds = indptr.tolist()
    return np.fromiter((np.count_nonzero(mask[a:b]) for a, b in itertools.pairwise(bounds)), dtype=np.int64,
                       count=len(bounds) - 1)


def as_dtm(data: Any, **kwargs: Any) -> DocumentTermMatrix:
    """A DocumentTermMatrix from a DTM (as is; no matrix options allowed) or a corpus / token table."""
    if isinstance(data, DocumentTermMatrix):
        if kwargs:
            raise ParameterError(
                f"{sorted(kwargs)} apply when building the matrix; got a DocumentTermMatrix (already built). Pass "
                "the corpus instead, or build the matrix with these options first."
            )
        return data
    return document_term_matrix(data, **kwargs)


# ================================================================================================ grouped frequencies


def term_frequencies(
    data: Corpus | pd.DataFrame | TokenTable | DocumentTermMatrix,
    by: str | Sequence[str] | None = None,
    *,
    terms: Iterable[str] | None = None,
    wide: bool = False,
    value: str = "count",
    **dtm_options: Any,
) -> pd.DataFrame:
    """Term counts and rates by metadata groups, as a tidy table.

    Parameters
    ----------
    data : Corpus, DataFrame, TokenTable or DocumentTermMatrix
        The documents, or a matrix already built.
    by : str or list of str, optional
        Document metadata columns to group by (``"region"``, ``["region", "year"]``); None: the whole corpus.
        Documents with a missing value form their own group (shown as missing), so the groups add up to the
        corpus.
    terms : iterable of str, optional
        Only these terms, with a row for every group even where the count is 0 (multiword terms are joined as
        in ``document_term_matrix(vocabulary=...)``). Without ``terms`` only non-zero counts are listed.
    wide : bool, default False
        Return groups x terms (index: the ``by`` columns) holding ``value`` instead of the long table.
    value : {"count", "per_10k", "doc_freq"}, default "count"
        The cell value of the wide table.
    **dtm_options
        Options of :func:`document_term_matrix` (stopwords, min_count …) when ``data`` is not a matrix yet.

    Returns
    -------
    pandas.DataFrame
        Long form: the ``by`` columns, ``term``, ``count`` (occurrences in the group), ``group_tokens`` (tokens
        in the group, punctuation excluded), ``per_10k`` (``10000 * count / group_tokens``), ``doc_freq``
        (documents of the group containing the term), ``group_docs`` (documents in the group); sorted by group,
        then count descending.

    Notes
    -----
    These are token counts: an occurrence inside a longer token is not an occurrence of the term (法治政府建设
    is one token of the default tokenizer, so it adds nothing to 法治政府). To count every occurrence in the
    text, whatever the segmentation, use :func:`dictionary_counts`.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(
    ...     ["优化营商环境。", "营商环境持续优化，营商环境更好。", "建设法治政府。"],
    ...     metadata={"region": ["甲市", "甲市", "乙市"], "year": [2022, 2023, 2023]})
    >>> tf = pt.term_frequencies(corpus, by="region", terms=["营商环境", "法治政府"])
    >>> tf[["region", "term", "count", "group_tokens", "per_10k", "doc_freq"]].values.tolist()
    [['乙市', '法治政府', 1, 2, 5000.0, 1], ['乙市', '营商环境', 0, 2, 0.0, 0], ['甲市', '营商环境', 3, 8, 3750.0, 2], ['甲市', '法治政府', 0, 8, 0.0, 0]]
    >>> wide = pt.term_frequencies(corpus, by="year", terms=["营商环境"], wide=True, value="per_10k")
    >>> wide.index.tolist(), wide["营商环境"].tolist()
    ([2022, 2023], [5000.0, 2500.0])
    """
    import numpy as np
    import pandas as pd

    if value not in ("count", "per_10k", "doc_freq"):
        raise ParameterError(f"value must be 'count', 'per_10k' or 'doc_freq'; got {value!r}.")
    term_list = None if terms is None else ([terms] if isinstance(terms, str) else [str(t) for t in terms])
    if isinstance(data, DocumentTermMatrix):
        if dtm_options:
            raise ParameterError(f"{sorted(dtm_options)} apply when building the matrix; got a DocumentTermMatrix.")
        dtm = data
    else:
        dtm = document_term_matrix(data, vocabulary=term_list, **dtm_options)
    by_cols = check_by(dtm.docs, by)
    counts, keys, gtokens, gdocs = dtm.group(by_cols)
    if term_list is not None:
        _, cols = dtm.columns_of(term_list)
        present = cols >= 0
        dense = np.zeros((counts.shape[0], len(term_list)), dtype=np.int64)
        binary = dtm.matrix.copy()
        binary.data[:] = 1
        g = indicator(group_codes(dtm.docs, by_cols)[0], len(keys))
        if present.any():
            dense[:, present] = counts[:, cols[present]].toarray()
            dfreq = np.zeros_like(dense)
            dfreq[:, present] = (g @ binary[:, cols[present]]).toarray().round().astype(np.int64)
        else:
            dfreq = np.zeros_like(dense)
        if wide:
            return _wide(dense, dfreq, gtokens, keys, by_cols, term_list, value)
        n_g, n_t = dense.shape
        rows = np.repeat(np.arange(n_g), n_t)
        term_col = np.tile(np.asarray(term_list, dtype=object), n_g)
        cnt = dense.ravel()
        df = dfreq.ravel()
    else:
        binary = dtm.matrix.copy()
        binary.data[:] = 1
        g = indicator(group_codes(dtm.docs, by_cols)[0], len(keys))
        dmat = (g @ binary).tocsr()
        dmat.sort_indices()
        if wide:
            cells = counts.shape[0] * counts.shape[1]
            if cells > _MAX_DENSE_CELLS:
                raise ParameterError(
                    f"wide=True would make a dense {counts.shape[0]} x {counts.shape[1]} table ({cells:,} cells); "
                    "pass terms=[...] or raise min_count so fewer terms remain."
                )
            return _wide(counts.toarray().astype(np.int64), dmat.toarray().round().astype(np.int64), gtokens, keys,
                         by_cols, dtm.vocabulary.tolist(), value)
        if not (np.array_equal(counts.indptr, dmat.indptr) and np.array_equal(counts.indices, dmat.indices)):
            dmat = _align(dmat, counts)  # pragma: no cover - same sparsity pattern by construction
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        term_col = dtm.vocabulary.to_numpy(dtype=object)[counts.indices]
        cnt = counts.data.round().astype(np.int64)
        df = dmat.data.round().astype(np.int64)
    order = np.lexsort((-cnt, rows))  # sort the arrays, then build the table once
    rows, term_col, cnt, df = rows[order], term_col[order], cnt[order], df[order]
    out = keys.iloc[rows].reset_index(drop=True) if by_cols else pd.DataFrame(index=range(len(rows)))
    gt = gtokens[rows]
    out["term"] = term_col
    out["count"] = cnt
    out["group_tokens"] = gt
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_10k"] = np.where(gt > 0, 1e4 * cnt / np.maximum(gt, 1), 0.0)
    out["doc_freq"] = df
    out["group_docs"] = gdocs[rows]
    return out


def _align(a: sp.csr_matrix, like: sp.csr_matrix) -> sp.csr_matrix:  # pragma: no cover
    import numpy as np
    import scipy.sparse as sp

    pattern = like.copy()
    pattern.data = np.ones_like(pattern.data)
    out = sp.csr_matrix(a.multiply(pattern))
    out.sort_indices()
    return out


def _wide(counts: np.ndarray, dfreq: np.ndarray, gtokens: np.ndarray, keys: pd.DataFrame, by_cols: list[str],
          terms: list[str], value: str) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if value == "count":
        cells = counts
    elif value == "doc_freq":
        cells = dfreq
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            cells = np.where(gtokens[:, None] > 0, 1e4 * counts / np.maximum(gtokens, 1)[:, None], 0.0)
    if by_cols:
        index = pd.MultiIndex.from_frame(keys[by_cols]) if len(by_cols) > 1 else pd.Index(keys[by_cols[0]],
                                                                                        name=by_cols[0])
    else:
        index = pd.Index(["all"], name="group")
    return pd.DataFrame(cells, index=index, columns=pd.Index(terms, name="term"))


# ================================================================================================ dictionaries


def _check_dictionary(dictionary: Any) -> dict[str, list[str]]:
    if not isinstance(dictionary, Mapping) or not dictionary:
        raise ParameterError(
            "dictionary must be a non-empty mapping of concept -> list of entries, e.g. "
            "{'放管服': ['放管服', '简政放权', '营商*']}; got "
            f"{type(dictionary).__name__ if not isinstance(dictionary, Mapping) else 'an empty mapping'}."
        )
    out: dict[str, list[str]] = {}
    for concept, entries in dictionary.items():
        items = [entries] if isinstance(entries, str) else list(entries) if isinstance(entries, Iterable) else None
        if not items:
            raise ParameterError(f"dictionary[{concept!r}]: expected a non-empty list of entries; got {entries!r}.")
        out[str(concept)] = [str(e) for e in items]
    return out


def _match_spans(corpus: Corpus, dictionary: dict[str, list[str]], *, regex: bool, wildcard_max: int,
                 match: str, tokenizer: Any, n_jobs: int):
    """Per concept: (doc positions, starts, ends) of every match, as arrays."""

    if match not in ("text", "tokens"):
        raise ParameterError(f"match must be 'text' or 'tokens'; got {match!r}.")
    texts = doc_text_list(corpus.docs)
    tokens = tokenize_for_boundaries(corpus, tokenizer, n_jobs) if match == "tokens" else None
    result = {}
    for concept, entries in dictionary.items():
        rx = compile_entries(entries, regex=regex, wildcard_max=wildcard_max, where=f"dictionary[{concept!r}]")
        d, s, e = regex_spans(rx, texts)
        if tokens is not None and len(d):
            ok = _on_boundaries(tokens, d, s, e)
            d, s, e = d[ok], s[ok], e[ok]
        result[concept] = (d, s, e)
    return result


def tokenize_for_boundaries(corpus: Corpus, tokenizer: Any, n_jobs: int) -> TokenTable:
    from .tokens import tokenize_corpus

    return tokenize_corpus(corpus, tokenizer, n_jobs=n_jobs)


def _on_boundaries(tokens: TokenTable, docs: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """True where a span starts at a token start and ends at a token end of its document."""
    import numpy as np

    # global keys: document offset * big + char offset, monotone in token order
    big = np.int64(1) << 32
    tok_doc = tokens.doc_index.astype(np.int64)
    s_keys = tok_doc * big + tokens.starts
    e_keys = tok_doc * big + tokens.ends
    qs = docs * big + starts
    qe = docs * big + ends
    i = np.searchsorted(s_keys, qs)
    j = np.searchsorted(e_keys, qe)
    ok_s = (i < len(s_keys)) & (s_keys[np.minimum(i, len(s_keys) - 1)] == qs)
    ok_e = (j < len(e_keys)) & (e_keys[np.minimum(j, len(e_keys) - 1)] == qe)
    return ok_s & ok_e


def dictionary_matches(
    data: Corpus | pd.DataFrame,
    dictionary: Mapping[str, str | Iterable[str]],
    *,
    columns: Sequence[str] = ("region", "year"),
    regex: bool = False,
    wildcard_max: int = 4,
    match: str = "text",
    tokenizer: Any = None,
) -> pd.DataFrame:
    """Every match of a concept dictionary in the texts, with exact offsets.

    Returns a DataFrame ``doc_id, concept, start, end, text`` plus the document ``columns``, with
    ``docs.text[start:end] == text``. Parameters as in :func:`dictionary_counts`.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["深化放管服改革，优化营商环境。"])
    >>> dictionary_matches(corpus, {"放管服": ["放管服", "营商*"]})[["concept", "start", "end", "text"]].values.tolist()
    [['放管服', 2, 5, '放管服'], ['放管服', 10, 12, '营商']]
    """
    import numpy as np
    import pandas as pd

    corpus = as_corpus(data)
    dic = _check_dictionary(dictionary)
    cols = [c for c in as_list(columns, "columns") if c in corpus.docs.columns and c != "doc_id"]
    spans = _match_spans(corpus, dic, regex=regex, wildcard_max=wildcard_max, match=match, tokenizer=tokenizer,
                         n_jobs=1)
    texts = doc_text_list(corpus.docs)
    ids = np.asarray(corpus.docs["doc_id"].tolist(), dtype=object)
    frames = []
    for concept, (d, s, e) in spans.items():
        frames.append(pd.DataFrame({
            "doc_id": ids[d] if len(d) else np.zeros(0, dtype=object),
            "concept": concept,
            "start": s,
            "end": e,
            "text": [texts[i][a:b] for i, a, b in zip(d.tolist(), s.tolist(), e.tolist())],
            "_doc": d,
        }))
    out = pd.concat(frames, ignore_index=True)
    out = out.sort_values(["_doc", "start", "concept"], kind="stable").reset_index(drop=True)
    for c in cols:
        out[c] = corpus.docs[c].to_numpy()[out["_doc"].to_numpy(dtype=np.int64)]
    return out.drop(columns="_doc")


def dictionary_counts(
    data: Corpus | pd.DataFrame,
    dictionary: Mapping[str, str | Iterable[str]],
    by: str | Sequence[str] | None = None,
    *,
    wide: bool = False,
    value: str = "count",
    sentences: bool = False,
    regex: bool = False,
    wildcard_max: int = 4,
    match: str = "text",
    tokenizer: Any = None,
) -> pd.DataFrame:
    """Count concept dictionaries in the texts, per document or per group (attention measures).

    Each concept is a list of entries; an entry may be a multiword phrase (matched across token boundaries,
    on the text itself), or contain wildcards: ``*`` stands for 0 to ``wildcard_max`` Chinese characters (as
    few as possible: ``营商*`` counts every 营商…, ``数字*政府`` matches 数字政府 and 数字化政府) and ``?`` for one
    Chinese character. Within a concept, matches do not overlap: at each position the longest entry wins, so
    ``{"c": ["政府", "数字政府"]}`` counts 数字政府 once. Different concepts are counted independently (a phrase
    may count for two concepts).

    Parameters
    ----------
    data : Corpus or DataFrame
        The documents.
    dictionary : mapping of str -> list of str
        ``{"放管服": ["放管服", "简政放权", "营商*"], "法治": ["法治政府", "依法行政"]}``.
    by : str or list of str, optional
        Metadata columns to sum documents by; None: one row per document.
    wide : bool, default False
        Rows (documents or groups) x concepts holding ``value``.
    value : {"count", "per_10k_chars", "sentence_share"}, default "count"
        Cell value of the wide table (``sentence_share`` needs ``sentences=True``).
    sentences : bool, default False
        Also count sentences mentioning each concept (uses ``corpus.sentences``): ``sentences_with``,
        ``sentences`` and ``sentence_share``.
    regex : bool, default False
        Entries are regular expressions instead of wildcard phrases.
    wildcard_max : int, default 4
        Longest run of characters a ``*`` stands for.
    match : {"text", "tokens"}, default "text"
        ``"text"`` counts every occurrence in the text (the usual attention measure: 法治 is counted inside
        法治政府); ``"tokens"`` keeps only matches that start and end at token boundaries of the default
        tokenizer (or ``tokenizer``).
    tokenizer : Tokenizer, optional
        Tokenizer for ``match="tokens"``.

    Returns
    -------
    pandas.DataFrame
        ``doc_id`` (or the ``by`` columns), ``concept``, ``count``, ``chars`` (non-whitespace characters),
        ``per_10k_chars`` (``10000 * count / chars``), ``docs`` and ``docs_with`` (documents, and documents with
        at least one match; grouped output only), and with ``sentences=True``: ``sentences_with``,
        ``sentences``, ``sentence_share``. Missing ``by`` values form their own group.

    Raises
    ------
    ParameterError
        The dictionary is empty or malformed, an entry is not valid, or an option is out of range.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["深化放管服改革。优化营商环境。", "推进简政放权，建设法治政府。"],
    ...                               metadata={"region": ["甲市", "乙市"]})
    >>> d = {"放管服": ["放管服", "简政放权", "营商*"], "法治": ["法治政府", "依法行政"]}
    >>> pt.dictionary_counts(corpus, d)[["doc_id", "concept", "count", "chars"]].values.tolist()
    [['0', '放管服', 2, 15], ['0', '法治', 0, 15], ['1', '放管服', 1, 14], ['1', '法治', 1, 14]]
    >>> pt.dictionary_counts(corpus, d, by="region", wide=True).to_dict("index")
    {'乙市': {'放管服': 1, '法治': 1}, '甲市': {'放管服': 2, '法治': 0}}
    """
    import numpy as np
    import pandas as pd

    if value not in ("count", "per_10k_chars", "sentence_share"):
        raise ParameterError(f"value must be 'count', 'per_10k_chars' or 'sentence_share'; got {value!r}.")
    if value == "sentence_share" and not sentences:
        raise ParameterError("value='sentence_share' needs sentences=True.")
    if not isinstance(wildcard_max, int) or isinstance(wildcard_max, bool) or wildcard_max < 1:
        raise ParameterError(f"wildcard_max must be a positive integer; got {wildcard_max!r}.")
    corpus = as_corpus(data)
    dic = _check_dictionary(dictionary)
    docs = corpus.docs
    by_cols = check_by(docs, by)
    spans = _match_spans(corpus, dic, regex=regex, wildcard_max=wildcard_max, match=match, tokenizer=tokenizer,
                         n_jobs=1)
    n = len(docs)
    texts = doc_text_list(docs)
    chars = np.fromiter((len("".join(t.split())) if _HAS_WS(t) else len(t) for t in texts), dtype=np.int64,
                        count=n)
    concepts = list(dic)
    counts = np.zeros((n, len(concepts)), dtype=np.int64)
    for j, c in enumerate(concepts):
        counts[:, j] = np.bincount(spans[c][0], minlength=n)
    sent_with = sent_total = None
    if sentences:
        sent = corpus.sentences
        doc_pos = {d: i for i, d in enumerate(docs["doc_id"].tolist())}
        s_doc = sent["doc_id"].map(doc_pos).to_numpy(dtype=np.int64)
        s_start = sent["start"].to_numpy(dtype=np.int64)
        s_end = sent["end"].to_numpy(dtype=np.int64)
        order = np.lexsort((s_start, s_doc))
        s_doc, s_start, s_end = s_doc[order], s_start[order], s_end[order]
        big = np.int64(1) << 32
        s_keys = s_doc * big + s_start
        sent_total = np.bincount(s_doc, minlength=n).astype(np.int64)
        sent_with = np.zeros((n, len(concepts)), dtype=np.int64)
        for j, c in enumerate(concepts):
            d, s, _ = spans[c]
            if not len(d):
                continue
            k = np.searchsorted(s_keys, d * big + s, side="right") - 1  # sentence containing the match start
            k = np.unique(k[k >= 0])
            sent_with[:, j] = np.bincount(s_doc[k], minlength=n)
    if by_cols:
        codes, keys = group_codes(docs, by_cols)
        g = indicator(codes, len(keys))
        counts_g = np.asarray(g @ counts).round().astype(np.int64)
        chars_g = np.asarray(g @ chars).round().astype(np.int64).ravel()
        docs_g = np.bincount(codes, minlength=len(keys)).astype(np.int64)
        with_g = np.asarray(g @ (counts > 0).astype(np.int64)).round().astype(np.int64)
        sw_g = None if sent_with is None else np.asarray(g @ sent_with).round().astype(np.int64)
        st_g = None if sent_total is None else np.asarray(g @ sent_total).round().astype(np.int64).ravel()
        row_frame = keys.reset_index(drop=True)
    else:
        counts_g, chars_g, docs_g, with_g, sw_g, st_g = counts, chars, None, None, sent_with, sent_total
        row_frame = pd.DataFrame({"doc_id": docs["doc_id"].tolist()})
    n_rows = len(row_frame)
    with np.errstate(divide="ignore", invalid="ignore"):
        per10k = np.where(chars_g[:, None] > 0, 1e4 * counts_g / np.maximum(chars_g, 1)[:, None], 0.0)
        share = None if sw_g is None else np.where(st_g[:, None] > 0, sw_g / np.maximum(st_g, 1)[:, None], 0.0)
    if wide:
        cells = {"count": counts_g, "per_10k_chars": per10k, "sentence_share": share}[value]
        if by_cols:
            index = (pd.MultiIndex.from_frame(row_frame[by_cols]) if len(by_cols) > 1
                     else pd.Index(row_frame[by_cols[0]], name=by_cols[0]))
        else:
            index = pd.Index(row_frame["doc_id"], name="doc_id")
        return pd.DataFrame(cells, index=index, columns=pd.Index(concepts, name="concept"))
    rows = np.repeat(np.arange(n_rows), len(concepts))
    out = row_frame.iloc[rows].reset_index(drop=True)
    out["concept"] = np.tile(np.asarray(concepts, dtype=object), n_rows)
    out["count"] = counts_g.ravel()
    out["chars"] = chars_g[rows]
    out["per_10k_chars"] = per10k.ravel()
    if by_cols:
        out["docs"] = docs_g[rows]
        out["docs_with"] = with_g.ravel()
    if share is not None:
        out["sentences_with"] = sw_g.ravel()
        out["sentences"] = st_g[rows]
        out["sentence_share"] = share.ravel()
    return out


_HAS_WS = re.compile(r"\s").search
