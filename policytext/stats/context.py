"""Context tools: concordances (KWIC), collocations and dispersion — what a count means and how it is spread.

* :func:`kwic` — every occurrence of a word, phrase, wildcard pattern or regex with its left and right context
  and the document metadata; exact offsets.
* :func:`collocations` — words attracted to a node word (window or sentence co-occurrence), or the strongest
  two-word sequences of the corpus, with PMI, G², t-score and log Dice.
* :func:`dispersion` — how evenly terms are spread over documents (or groups): range, Gries' DP (and its
  normalised form) and Juilland's D.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from .tokens import TokenTable

__all__ = ["collocations", "dispersion", "kwic"]

#: Tokens that end a sentence: co-occurrence windows never cross them.
SENTENCE_END = frozenset("。！？!?；;")


# ================================================================================================ KWIC


def kwic(
    data: Any,
    pattern: str | Iterable[str],
    window: int = 20,
    *,
    regex: bool = False,
    unit: str = "chars",
    columns: Sequence[str] = ("region", "year", "title"),
    wildcard_max: int = 4,
    tokenizer: Any = None,
) -> pd.DataFrame:
    """Keyword in context: every match of ``pattern`` with ``window`` characters (or tokens) on each side.

    Parameters
    ----------
    data : Corpus, DataFrame or TokenTable
        The documents.
    pattern : str or list of str
        Words or phrases (matched in the text, across token boundaries), with the wildcards of
        :func:`~policytext.stats.dictionary_counts` (``*``, ``?``), or regular expressions with ``regex=True``.
        Several patterns are one alternation: at each position the longest matches.
    window : int, default 20
        Context size on each side.
    regex : bool, default False
        Treat patterns as regular expressions.
    unit : {"chars", "tokens"}, default "chars"
        Unit of ``window``: characters, or tokens of the default tokenizer (or ``tokenizer``).
    columns : list of str, default ("region", "year", "title")
        Document metadata columns to add (those that exist).
    wildcard_max : int, default 4
        Longest run a ``*`` stands for.
    tokenizer : Tokenizer, optional
        For ``unit="tokens"``.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, start, end, left, keyword, right`` and the metadata ``columns``, in document and text order;
        ``docs.text[start:end] == keyword``, ``left`` ends at ``start`` and ``right`` starts at ``end`` (context is
        the raw text, line breaks included).

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["深化放管服改革，优化营商环境。"], metadata={"region": ["甲市"]})
    >>> pt.kwic(corpus, "放管服", window=4)[["left", "keyword", "right", "start", "end", "region"]].values.tolist()
    [['深化', '放管服', '改革，优', 2, 5, '甲市']]
    >>> pt.kwic(corpus, "放管服", window=1, unit="tokens")[["left", "keyword", "right"]].values.tolist()
    [['深化', '放管服', '改革']]
    """
    import numpy as np
    import pandas as pd

    from .tokens import TokenTable, tokenize_corpus

    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 0:
        raise ParameterError(f"window must be a non-negative integer; got {window!r}.")
    if unit not in ("chars", "tokens"):
        raise ParameterError(f"unit must be 'chars' or 'tokens'; got {unit!r}.")
    if isinstance(data, TokenTable):
        tokens = data
        docs = data.docs
        if "text" not in docs.columns:
            raise InputError("kwic needs the document texts; this TokenTable's docs have no 'text' column.")
    else:
        corpus = as_corpus(data)
        docs = corpus.docs
        tokens = tokenize_corpus(corpus, tokenizer) if unit == "tokens" else None
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    rx = compile_entries(patterns, regex=regex, wildcard_max=wildcard_max, where="pattern")
    texts = doc_text_list(docs)
    d, s, e = regex_spans(rx, texts)
    if unit == "chars":
        left_from = np.maximum(s - window, 0)
        right_to = e + window  # slicing clips at the text end
    else:
        assert tokens is not None
        left_from = np.empty(len(d), dtype=np.int64)
        right_to = np.empty(len(d), dtype=np.int64)
        for i in np.unique(d).tolist():  # per document with a match, vectorised over its matches
            a, b = tokens.indptr[i], tokens.indptr[i + 1]
            ts, te = tokens.starts[a:b].astype(np.int64), tokens.ends[a:b].astype(np.int64)
            sel = d == i
            if b == a:
                left_from[sel], right_to[sel] = s[sel], e[sel]
                continue
            first = np.searchsorted(te, s[sel], side="right")  # first token ending after the match start
            lo = np.maximum(first - window, 0)
            left_from[sel] = np.where(window > 0, ts[np.minimum(lo, len(ts) - 1)], s[sel])
            left_from[sel] = np.minimum(left_from[sel], s[sel])
            nxt = np.searchsorted(ts, e[sel], side="left")  # first token starting at/after the match end
            hi = np.minimum(nxt + window - 1, len(te) - 1)
            right_to[sel] = np.where((window > 0) & (nxt < len(ts)), te[np.maximum(hi, 0)], e[sel])
            right_to[sel] = np.maximum(right_to[sel], e[sel])
    dl, sl, el, lf, rt = d.tolist(), s.tolist(), e.tolist(), left_from.tolist(), right_to.tolist()
    out = pd.DataFrame({
        "doc_id": np.asarray(docs["doc_id"].tolist(), dtype=object)[d] if len(d) else np.zeros(0, dtype=object),
        "start": s,
        "end": e,
        "left": [texts[i][a:b] for i, a, b in zip(dl, lf, sl)],
        "keyword": [texts[i][a:b] for i, a, b in zip(dl, sl, el)],
        "right": [texts[i][a:b] for i, a, b in zip(dl, el, rt)],
    })
    for c in as_list(columns, "columns"):
        if c in docs.columns and c not in out.columns:
            out[c] = docs[c].to_numpy()[d] if len(d) else docs[c].iloc[:0].to_numpy()
    return out


# ================================================================================================ collocations


def _segments(tokens: TokenTable, keep: np.ndarray) -> np.ndarray:
    """Sentence segment id of every kept token: a new segment after each sentence end and each document start."""
    import numpy as np

    vocab = tokens.vocab
    is_end_type = np.fromiter((w in SENTENCE_END for w in vocab.tolist()), dtype=bool, count=len(vocab))
    ends = is_end_type[tokens.ids]
    doc_start = np.zeros(tokens.n_tokens, dtype=bool)
    doc_start[tokens.indptr[:-1][tokens.lengths > 0]] = True
    # a segment starts at a document start or right after a sentence end
    starts = doc_start.copy()
    starts[1:] |= ends[:-1]
    seg = np.cumsum(starts) - 1
    return seg[keep]


def collocations(
    data: Any,
    node: str | Iterable[str] | None = None,
    *,
    window: int = 5,
    unit: str = "window",
    measures: str | Iterable[str] = ("pmi", "g2"),
    min_count: int = 3,
    stopwords: Any = None,
    remove_punct: bool = True,
    remove_numbers: bool = True,
    multiword: Any = "lexicon",
    tokenizer: Any = None,
    sort: str | None = None,
    top: int | None = None,
) -> pd.DataFrame:
    """Collocates of a node word, or the strongest two-word sequences, with association measures.

    Co-occurrence never crosses a sentence end (。！？；) or a document boundary; punctuation tokens are removed
    before windows are counted.

    ``node`` given, ``unit="window"`` (surface co-occurrence, Evert 2008)
        ``O11`` = occurrences of the collocate within ``window`` tokens left or right of a node occurrence,
        ``R1`` = the number of token slots in all node windows, ``C1`` = the collocate's frequency, ``N`` = tokens.
    ``node`` given, ``unit="sentence"`` (textual co-occurrence)
        ``O11`` = sentences containing node and collocate, ``R1`` = sentences with the node, ``C1`` = sentences
        with the collocate, ``N`` = sentences.
    ``node=None``
        adjacent pairs (``node`` = first word, ``collocate`` = second): ``O11`` = pair frequency, ``R1`` = pairs
        starting with the first word, ``C1`` = pairs ending with the second, ``N`` = pairs.

    Measures, with ``E11 = R1 C1 / N``: ``pmi = log2(O11 / E11)`` (Church & Hanks 1990); ``g2``: signed
    log-likelihood of the table ``[[O11, R1 - O11], [C1 - O11, N - R1 - C1 + O11]]`` (Dunning 1993; positive =
    attraction), with ``p_value``; ``t = (O11 - E11) / sqrt(O11)``; ``log_dice = 14 + log2(2 O11 / (f_node +
    f_collocate))`` (Rychlý 2008).

    Parameters
    ----------
    data : Corpus, DataFrame or TokenTable
        The documents.
    node : str or list of str, optional
        Node word(s) (multiword nodes are joined into one token first). None: adjacent word pairs.
    window : int, default 5
        Tokens on each side (``unit="window"``).
    unit : {"window", "sentence"}, default "window"
    measures : str or list of str, default ("pmi", "g2")
        Any of ``pmi``, ``g2``, ``t``, ``log_dice``.
    min_count : int, default 3
        Minimum co-occurrence count ``O11``.
    stopwords, remove_punct, remove_numbers, multiword, tokenizer
        As in :func:`~policytext.stats.document_term_matrix`; stopwords and numbers are removed as collocates
        (they still take window slots).
    sort : str, optional
        Column to sort by, descending (default: the first measure).
    top : int, optional
        Keep the first ``top`` rows per node.

    Returns
    -------
    pandas.DataFrame
        ``node, collocate, count`` (O11), ``count_node`` (node frequency), ``count_collocate`` (C1),
        ``expected`` (E11), then the measures.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["深化放管服改革。深化放管服改革。推进法治政府建设。优化营商环境。"])
    >>> col = pt.collocations(corpus, "放管服", window=1, min_count=1)
    >>> col[["node", "collocate", "count", "pmi"]].round(2).values.tolist()
    [['放管服', '改革', 2, 1.32], ['放管服', '深化', 2, 1.32]]
    """
    import numpy as np
    import pandas as pd

    from .counts import _multiword_set, _stopword_set, _vocab_mask
    from .keyness import chi2_pvalue, log_likelihood
    from .tokens import as_tokens

    if unit not in ("window", "sentence"):
        raise ParameterError(f"unit must be 'window' or 'sentence'; got {unit!r}.")
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 1:
        raise ParameterError(f"window must be a positive integer; got {window!r}.")
    if not isinstance(min_count, (int, np.integer)) or isinstance(min_count, bool) or min_count < 1:
        raise ParameterError(f"min_count must be a positive integer; got {min_count!r}.")
    ms = [measures] if isinstance(measures, str) else list(measures)
    if isinstance(measures, str) and "," in measures:
        ms = [m.strip() for m in measures.split(",") if m.strip()]
    for m in ms:
        if m not in ("pmi", "g2", "t", "log_dice"):
            raise ParameterError(f"unknown collocation measure {m!r}; choose from pmi, g2, t, log_dice.")
    nodes = None if node is None else ([node] if isinstance(node, str) else [str(n) for n in node])
    if nodes is not None and not nodes:
        raise ParameterError("node must name at least one word (or be None for word pairs).")
    if nodes is None and unit == "sentence":
        raise ParameterError("unit='sentence' needs a node word; without a node, collocations are adjacent pairs.")
    tokens = as_tokens(data, tokenizer)
    join = _multiword_set(multiword) | frozenset(n for n in (nodes or ()) if len(n) > 1)
    if join:
        tokens = tokens.merge_terms(join)
    vocab = tokens.vocab
    punct = _vocab_mask(vocab, "punct")
    keep = ~punct[tokens.ids] if remove_punct else np.ones(tokens.n_tokens, dtype=bool)
    seg = _segments(tokens, keep)
    ids = tokens.ids[keep].astype(np.int64)
    n_tok = len(ids)
    v = len(vocab)
    bad = np.zeros(v, dtype=bool)  # types never reported as collocates
    if remove_punct:
        bad |= punct
    if remove_numbers:
        bad |= _vocab_mask(vocab, "number")
    sw = _stopword_set(stopwords)
    if sw:
        bad |= np.fromiter((w in sw for w in vocab.tolist()), dtype=bool, count=v)
    freq = np.bincount(ids, minlength=v).astype(np.float64)
    index = {w: i for i, w in enumerate(vocab.tolist())}
    frames = []

    def finish(node_label: str, o11: np.ndarray, r1: float, c1: np.ndarray, n: float, f_node: float,
               f_coll: np.ndarray) -> pd.DataFrame:
        sel = np.flatnonzero((o11 >= min_count) & ~bad)
        o, c, fc = o11[sel], c1[sel], f_coll[sel]
        e11 = r1 * c / n
        out: dict[str, Any] = {
            "node": node_label,
            "collocate": vocab[sel],
            "count": o.astype(np.int64),
            "count_node": np.full(len(sel), int(f_node), dtype=np.int64),
            "count_collocate": c.astype(np.int64),
            "expected": e11,
        }
        with np.errstate(divide="ignore", invalid="ignore"):
            for m in ms:
                if m == "pmi":
                    out["pmi"] = np.log2(o / e11)
                elif m == "g2":
                    g2 = log_likelihood(o, c - o, r1, n - r1)
                    out["g2"] = g2
                    out["p_value"] = chi2_pvalue(g2)
                elif m == "t":
                    out["t"] = (o - e11) / np.sqrt(o)
                elif m == "log_dice":
                    out["log_dice"] = 14 + np.log2(2 * o / (f_node + fc))
        return pd.DataFrame(out)

    if nodes is None:
        same = np.zeros(max(n_tok - 1, 0), dtype=bool)
        if n_tok > 1:
            same = seg[:-1] == seg[1:]
        w1 = ids[:-1][same]
        w2 = ids[1:][same]
        n_pairs = float(len(w1))
        keys = w1 * v + w2
        uk, o11 = np.unique(keys, return_counts=True)
        a, b = uk // v, uk % v
        r1 = np.bincount(w1, minlength=v).astype(np.float64)
        c1 = np.bincount(w2, minlength=v).astype(np.float64)
        ok = (o11 >= min_count) & ~bad[a] & ~bad[b]
        a, b, o = a[ok], b[ok], o11[ok].astype(np.float64)
        e11 = r1[a] * c1[b] / n_pairs
        out: dict[str, Any] = {
            "node": vocab[a],
            "collocate": vocab[b],
            "count": o.astype(np.int64),
            "count_node": freq[a].astype(np.int64),
            "count_collocate": freq[b].astype(np.int64),
            "expected": e11,
        }
        with np.errstate(divide="ignore", invalid="ignore"):
            for m in ms:
                if m == "pmi":
                    out["pmi"] = np.log2(o / e11)
                elif m == "g2":
                    g2 = log_likelihood(o, c1[b] - o, r1[a], n_pairs - r1[a])
                    out["g2"] = g2
                    out["p_value"] = chi2_pvalue(g2)
                elif m == "t":
                    out["t"] = (o - e11) / np.sqrt(o)
                elif m == "log_dice":
                    out["log_dice"] = 14 + np.log2(2 * o / (freq[a] + freq[b]))
        frames.append(pd.DataFrame(out))
    else:
        for nd in nodes:
            j = index.get(nd)
            if j is None or freq[j] == 0:
                frames.append(finish(nd, np.zeros(v), 0.0, freq, max(n_tok, 1), 0.0, freq))
                continue
            at = np.flatnonzero(ids == j)
            if unit == "window":
                o11 = np.zeros(v, dtype=np.float64)
                slots = 0
                for d in list(range(-window, 0)) + list(range(1, window + 1)):
                    q = at + d
                    ok = (q >= 0) & (q < n_tok)
                    q = q[ok]
                    ok2 = seg[q] == seg[at[ok]]
                    q = q[ok2]
                    slots += len(q)
                    o11 += np.bincount(ids[q], minlength=v)
                frames.append(finish(nd, o11, float(slots), freq, float(n_tok), float(freq[j]), freq))
            else:
                import scipy.sparse as sp

                n_seg = int(seg.max()) + 1 if n_tok else 0
                B = sp.csr_matrix((np.ones(n_tok), (seg, ids)), shape=(n_seg, v))
                B.data[:] = 1.0
                B.sum_duplicates()
                B.data[:] = 1.0
                in_seg = np.unique(seg[at])
                o11 = np.asarray(B[in_seg].sum(axis=0)).ravel()
                c1 = np.asarray(B.sum(axis=0)).ravel()
                frames.append(finish(nd, o11, float(len(in_seg)), c1, float(n_seg), float(freq[j]), freq))
    out_df = pd.concat(frames, ignore_index=True)
    sort_col = sort or ms[0]
    if sort_col not in out_df.columns:
        raise ParameterError(f"sort must be one of {list(out_df.columns)}; got {sort!r}.")
    node_rank = out_df["node"].map({n: i for i, n in enumerate(nodes)}) if nodes else 0
    out_df["_n"] = node_rank
    out_df = out_df.sort_values(["_n", sort_col, "count", "collocate"], ascending=[True, False, False, True],
                                kind="stable").drop(columns="_n").reset_index(drop=True)
    if top is not None:
        out_df = out_df.groupby("node", sort=False, group_keys=False).head(top).reset_index(drop=True)
    return out_df


# ================================================================================================ dispersion


def dispersion(
    data: Any,
    terms: str | Iterable[str] | None = None,
    *,
    parts: str | Sequence[str] | None = None,
    **dtm_options: Any,
) -> pd.DataFrame:
    """How evenly each term is spread over the documents (or over groups of documents).

    With ``n`` parts of sizes ``s_i`` (tokens; ``S = Σ s_i``), a term with ``f_i`` occurrences in part ``i`` and
    ``F = Σ f_i``:

    * ``range``: parts with ``f_i > 0``; ``range_share`` = range / n.
    * ``dp`` — Gries' deviation of proportions (Gries 2008): ``DP = ½ Σ_i |f_i / F - s_i / S|``; 0 = spread in
      proportion to part sizes, close to 1 = concentrated in one small part.
    * ``dp_norm`` = ``DP / (1 - min_i s_i / S)`` (Lijffijt & Gries 2012), in [0, 1].
    * ``juilland_d`` — Juilland's D on relative frequencies ``p_i = f_i / s_i``: ``D = 1 - V / sqrt(n - 1)`` with
      ``V`` the coefficient of variation (population standard deviation / mean) of the ``p_i`` (Juilland &
      Chang-Rodríguez 1964); 1 = perfectly even.

    Parameters
    ----------
    data : Corpus, DataFrame, TokenTable or DocumentTermMatrix
        The documents or a matrix.
    terms : str or list of str, optional
        Only these terms (default: every term of the matrix).
    parts : str or list of str, optional
        Metadata column(s) whose groups are the parts (``"region"``); default: each document is a part.
    **dtm_options
        Options of :func:`~policytext.stats.document_term_matrix`.

    Returns
    -------
    pandas.DataFrame
        ``term, count, parts, range, range_share, dp, dp_norm, juilland_d``, in matrix column order (most
        frequent first) or in the order of ``terms``.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["改革 发展", "改革 稳定", "改革 法治 法治 法治"])
    >>> d = pt.dispersion(corpus, ["改革", "法治"])
    >>> d[["term", "count", "range", "dp", "juilland_d"]].round(3).values.tolist()
    [['改革', 3, 3, 0.167, 0.8], ['法治', 3, 1, 0.5, 0.0]]
    """
    import numpy as np
    import pandas as pd

    from .counts import DocumentTermMatrix, document_term_matrix

    term_list = None if terms is None else ([terms] if isinstance(terms, str) else [str(t) for t in terms])
    if isinstance(data, DocumentTermMatrix):
        if dtm_options:
            raise ParameterError(f"{sorted(dtm_options)} apply when building the matrix; got a DocumentTermMatrix.")
        dtm = data
    else:
        dtm = document_term_matrix(data, vocabulary=term_list, **dtm_options)
    X = dtm.matrix.astype(np.float64)
    sizes = dtm.doc_lengths.astype(np.float64)
    if parts is not None:
        cols = check_by(dtm.docs, parts, "parts")
        codes, keys = group_codes(dtm.docs, cols)
        g = indicator(codes, len(keys))
        X = (g @ X).tocsr()
        sizes = np.asarray(g @ sizes).ravel()
    if term_list is not None:
        _, idx = dtm.columns_of(term_list)
        present = idx >= 0
        sub = X[:, np.where(present, idx, 0)].tocsc().tocsr()
        # zero the columns of absent terms
        mask = np.where(present, 1.0, 0.0)
        import scipy.sparse as sp

        X = (sub @ sp.diags(mask)).tocsr()
        X.eliminate_zeros()
        names = term_list
    else:
        names = dtm.vocabulary.tolist()
    X.sort_indices()
    used = sizes > 0
    if not used.all():
        X = X[used]
        sizes = sizes[used]
    n_parts = X.shape[0]
    total_size = sizes.sum()
    s = sizes / total_size if total_size > 0 else sizes
    F = np.asarray(X.sum(axis=0)).ravel()
    rows = np.repeat(np.arange(n_parts), np.diff(X.indptr))
    cols_nz = X.indices
    f = X.data
    v = len(F)
    with np.errstate(divide="ignore", invalid="ignore"):
        # DP = 1/2 * (sum over parts with f > 0 of (|v_i - s_i| - s_i) + sum of all s_i)
        contrib = np.abs(f / F[cols_nz] - s[rows]) - s[rows]
        dp = 0.5 * (np.bincount(cols_nz, contrib, v) + 1.0)
        dp = np.where(F > 0, dp, np.nan)
        dp_norm = dp / (1.0 - s.min()) if n_parts > 1 else np.full(v, np.nan)
        p = f / sizes[rows]
        mean = np.bincount(cols_nz, p, v) / n_parts
        var = np.bincount(cols_nz, p * p, v) / n_parts - mean**2
        sd = np.sqrt(np.maximum(var, 0.0))
        cv = sd / mean
        jd = 1.0 - cv / np.sqrt(n_parts - 1) if n_parts > 1 else np.full(v, np.nan)
        jd = np.where(F > 0, jd, np.nan)
    rng = np.bincount(cols_nz, minlength=v)
    return pd.DataFrame({
        "term": names,
        "count": F.round().astype(np.int64),
        "parts": n_parts,
        "range": rng.astype(np.int64),
        "range_share": rng / n_parts if n_parts else np.nan,
        "dp": dp,
        "dp_norm": dp_norm,
        "juilland_d": jd,
    })
