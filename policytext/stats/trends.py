"""Attention over time: region x year panels of terms, dictionaries or themes, and trend tests.

* :func:`panel` — an entity x time table (region x year by default) of term rates, dictionary (concept) rates or
  theme shares, shaped for ``statsmodels`` / ``linearmodels`` (a ``(entity, time)`` MultiIndex, or plain
  columns).
* :func:`trends` — per item (term, concept or theme) and group: the series' OLS slope over time with its
  t-test, optionally the Mann-Kendall trend test and Sen's slope.

Three kinds of item, one interface:

``terms=[...]``
    token counts of terms (multiword terms joined, see :func:`~policytext.stats.document_term_matrix`);
    value ``per_10k`` (per 10,000 tokens) or ``count``. An occurrence inside a longer token (法治政府 in the
    token 法治政府建设) is not counted: use ``dictionary=`` to count the text itself.
``dictionary={...}``
    concept dictionaries matched on the text (:func:`~policytext.stats.dictionary_counts`); value
    ``per_10k_chars``, ``sentence_share`` or ``count``.
``labels=sentence_table``
    a sentence table with a label column (``theme`` from :mod:`policytext.themes`, or any other), one row per
    sentence with ``doc_id``; value ``share`` (of the group's sentences) or ``count``. Sentences without a label
    (missing) count in the denominator only.

Groups with no documents are absent from the panel (an unbalanced panel), never filled with zeros; a group with
documents but no occurrence has 0.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ParameterError
from ._common import as_list, check_by, group_codes, indicator

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["mann_kendall", "ols_slopes", "panel", "trend_tests", "trends"]

_VALUES = {
    "terms": ("per_10k", ("per_10k", "count")),
    "dictionary": ("per_10k_chars", ("per_10k_chars", "sentence_share", "count")),
    "labels": ("share", ("share", "count")),
}


def _long_panel(
    data: Any,
    *,
    terms: Any,
    dictionary: Any,
    labels: Any,
    label: str,
    groups: list[str],
    time: str | None,
    value: str | None,
    options: dict,
) -> tuple[pd.DataFrame, str, str, str]:
    """Long table: group columns, time, item column, count, total, value. Returns (frame, item_col, value, total)."""
    import numpy as np
    import pandas as pd

    from .counts import DocumentTermMatrix, dictionary_counts, document_term_matrix

    kinds = [k for k, v in (("terms", terms), ("dictionary", dictionary), ("labels", labels)) if v is not None]
    if len(kinds) != 1:
        raise ParameterError(
            "give exactly one of terms=[...], dictionary={...} or labels=<sentence table>; got "
            f"{kinds or 'none'}."
        )
    kind = kinds[0]
    default, allowed = _VALUES[kind]
    value = value or default
    if value not in allowed:
        raise ParameterError(f"value for {kind} must be one of {allowed}; got {value!r}.")
    by = groups + ([time] if time else [])

    if kind == "terms":
        term_list = [terms] if isinstance(terms, str) else [str(t) for t in terms]
        if not term_list:
            raise ParameterError("terms must name at least one term.")
        if isinstance(data, DocumentTermMatrix):
            if options:
                raise ParameterError(f"{sorted(options)} apply when building the matrix; got a DocumentTermMatrix.")
            dtm = data
        else:
            dtm = document_term_matrix(data, vocabulary=term_list, **options)
        _check_cols(dtm.docs, by)
        _, cols = dtm.columns_of(term_list)
        absent = [t for t, c in zip(term_list, cols) if c < 0 or dtm.matrix[:, c].nnz == 0]
        if absent:
            warnings.warn(
                f"terms never counted as a token: {absent[:10]}; their series are 0. A phrase that is not a token "
                "sequence (it starts or ends inside a word) is not found by token counts: use dictionary= to match "
                "the text instead.",
                UserWarning,
                stacklevel=3,
            )
        codes, keys = group_codes(dtm.docs, by)
        g = indicator(codes, len(keys))
        dense = np.zeros((len(keys), len(term_list)))
        if (cols >= 0).any():
            dense[:, cols >= 0] = (g @ dtm.matrix[:, cols[cols >= 0]]).toarray()
        total = np.asarray(g @ dtm.doc_lengths.astype(np.float64)).ravel()
        item_col, total_col, items = "term", "group_tokens", term_list
        scale = 1e4
    elif kind == "dictionary":
        if not isinstance(dictionary, Mapping):
            raise ParameterError("dictionary must be a mapping concept -> list of entries.")
        tab = dictionary_counts(data, dictionary, by=by, sentences=(value == "sentence_share"), **options)
        items = list(dictionary)
        n_items = len(items)
        keys = tab[by].iloc[::n_items].reset_index(drop=True)
        dense = tab["count"].to_numpy(dtype=np.float64).reshape(-1, n_items)
        if value == "sentence_share":
            total = tab["sentences"].to_numpy(dtype=np.float64)[::n_items]
            dense_share = tab["sentences_with"].to_numpy(dtype=np.float64).reshape(-1, n_items)
        else:
            total = tab["chars"].to_numpy(dtype=np.float64)[::n_items]
            dense_share = None
        item_col = "concept"
        total_col = "sentences" if value == "sentence_share" else "chars"
        scale = 1e4
        if dense_share is not None:
            out = _assemble(keys, items, item_col, dense, total, total_col, dense_share, "sentences_with")
            with np.errstate(divide="ignore", invalid="ignore"):
                out["sentence_share"] = np.where(out["sentences"] > 0, out["sentences_with"] / out["sentences"], 0.0)
            return out, item_col, value, total_col
    else:
        sent = labels
        if not isinstance(sent, pd.DataFrame) or "doc_id" not in sent.columns or label not in sent.columns:
            have = list(sent.columns) if isinstance(sent, pd.DataFrame) else type(sent).__name__
            raise InputError(
                f"labels must be a sentence table with columns 'doc_id' and {label!r} (e.g. the output of "
                f"policytext.themes.classify_corpus); got {have}."
            )
        need = [c for c in by if c not in sent.columns]
        if need:
            docs = _docs_of(data)
            _check_cols(docs, need)
            meta = docs[["doc_id"] + need].drop_duplicates("doc_id")
            sent = sent[[c for c in sent.columns if c not in need]].merge(meta, on="doc_id", how="left")
            if sent[need].isna().all(axis=None) and len(sent):
                raise InputError(
                    "labels: no sentence's doc_id matches a document of the corpus; pass the corpus the sentence "
                    "table was made from."
                )
        codes, keys = group_codes(sent, by)
        lab = sent[label]
        known = lab.notna() & (lab.astype(object) != "")
        items = sorted(lab[known].astype(str).unique().tolist())
        item_codes = pd.Categorical(lab.where(known).astype(object), categories=items).codes.astype(np.int64)
        dense = np.zeros((len(keys), len(items)))
        ok = item_codes >= 0
        np.add.at(dense, (codes[ok], item_codes[ok]), 1.0)
        total = np.bincount(codes, minlength=len(keys)).astype(np.float64)
        item_col, total_col = label, "sentences"
        scale = 1.0
    out = _assemble(keys, items, item_col, dense, total, total_col)
    if value in ("per_10k", "per_10k_chars", "share"):
        with np.errstate(divide="ignore", invalid="ignore"):
            out[value] = np.where(out[total_col] > 0, scale * out["count"] / out[total_col], 0.0)
    return out, item_col, value, total_col


def _assemble(keys: pd.DataFrame, items: list[str], item_col: str, dense: np.ndarray, total: np.ndarray,
              total_col: str, extra: np.ndarray | None = None, extra_col: str | None = None) -> pd.DataFrame:
    import numpy as np

    n_g, n_i = dense.shape
    rows = np.repeat(np.arange(n_g), n_i)
    out = keys.iloc[rows].reset_index(drop=True)
    out[item_col] = np.tile(np.asarray(items, dtype=object), n_g)
    out["count"] = dense.ravel().round().astype(np.int64)
    out[total_col] = total[rows].round().astype(np.int64)
    if extra is not None and extra_col:
        out[extra_col] = extra.ravel().round().astype(np.int64)
    return out


def _docs_of(data: Any) -> pd.DataFrame:
    import pandas as pd

    from ..corpus import Corpus
    from .counts import DocumentTermMatrix
    from .tokens import TokenTable

    if isinstance(data, (Corpus, DocumentTermMatrix, TokenTable)):
        return data.docs
    if isinstance(data, pd.DataFrame) and "doc_id" in data.columns:
        return data
    raise InputError(
        f"expected a Corpus (or its docs table) to take document metadata from; got {type(data).__name__}."
    )


def _check_cols(docs: pd.DataFrame, cols: list[str]) -> None:
    check_by(docs, cols, "entity/time")


def panel(
    data: Any,
    terms: str | Iterable[str] | None = None,
    *,
    dictionary: Mapping[str, Iterable[str]] | None = None,
    labels: pd.DataFrame | None = None,
    label: str = "theme",
    entity: str | Sequence[str] | None = "region",
    time: str = "year",
    value: str | None = None,
    wide: bool = True,
    index: bool = True,
    **options: Any,
) -> pd.DataFrame:
    """A region x year (entity x time) panel of term rates, concept rates or theme shares.

    Parameters
    ----------
    data : Corpus, DataFrame, TokenTable or DocumentTermMatrix
        The documents (metadata come from ``docs``). For ``labels`` a corpus or its ``docs`` table, used to add
        the entity and time columns to the sentences when the sentence table lacks them.
    terms : str or list of str, optional
        Terms counted as tokens (value ``per_10k`` or ``count``).
    dictionary : mapping, optional
        Concept dictionaries (value ``per_10k_chars``, ``sentence_share`` or ``count``), see
        :func:`~policytext.stats.dictionary_counts`.
    labels : DataFrame, optional
        Sentence table with ``doc_id`` and a ``label`` column (value ``share`` or ``count``).
    label : str, default "theme"
        The label column of ``labels``.
    entity : str or list of str or None, default "region"
        Panel unit column(s); None for a single national series.
    time : str, default "year"
        Time column.
    value : str, optional
        What the cells hold (defaults: ``per_10k``, ``per_10k_chars``, ``share``).
    wide : bool, default True
        One column per item (term / concept / theme) holding ``value``; False: the long table with ``count``,
        the denominator (``group_tokens``, ``chars`` or ``sentences``) and ``value``.
    index : bool, default True
        With ``wide``: index the rows by ``(entity, time)`` (what ``linearmodels.PanelOLS`` expects); False keeps
        them as columns.
    **options
        Options of :func:`~policytext.stats.document_term_matrix` (terms) or
        :func:`~policytext.stats.dictionary_counts` (dictionary).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(
    ...     ["优化营商环境。", "营商环境持续优化。", "建设法治政府。", "推进法治政府建设，建设法治政府。"],
    ...     metadata={"region": ["甲市", "甲市", "乙市", "乙市"], "year": [2022, 2023, 2022, 2023]})
    >>> p = pt.panel(corpus, ["营商环境", "法治政府"], value="count")
    >>> p.index.names, p.columns.tolist()
    (FrozenList(['region', 'year']), ['营商环境', '法治政府'])
    >>> p.reset_index().values.tolist()   # 法治政府建设 is one token: token counts do not see 法治政府 inside it
    [['乙市', 2022, 0, 1], ['乙市', 2023, 0, 1], ['甲市', 2022, 1, 0], ['甲市', 2023, 1, 0]]
    """
    ent = as_list(entity, "entity")
    if not isinstance(time, str):
        raise ParameterError(f"time must be a column name; got {time!r}.")
    long, item_col, value, _ = _long_panel(
        data, terms=terms, dictionary=dictionary, labels=labels, label=label, groups=ent, time=time, value=value,
        options=options,
    )
    if not wide:
        return long
    idx = ent + [time]
    table = long.pivot(index=idx, columns=item_col, values=value)
    table.columns.name = None
    items = long[item_col].drop_duplicates().tolist()
    table = table[items]
    if not index:
        table = table.reset_index()
    return table


# ================================================================================================ tests


def ols_slopes(x: Any, y: Any, groups: Any) -> pd.DataFrame:
    """OLS slope of ``y`` on ``x`` within each group, with its t-test (vectorised over groups).

    .. math::

        b = \\frac{S_{xy}}{S_{xx}}, \\quad se(b) = \\sqrt{\\frac{(S_{yy} - b S_{xy}) / (n - 2)}{S_{xx}}}, \\quad
        t = b / se(b), \\quad p = 2\\,P(T_{n-2} > |t|)

    Returns one row per group code (0..G-1): ``n, slope, intercept, std_err, t, p_value, r2``. Groups with fewer than
    3 points or a constant ``x`` get NaN statistics (slope NaN when x is constant).
    """
    import numpy as np
    import pandas as pd
    from scipy.stats import t as t_dist

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    k = int(g.max()) + 1 if len(g) else 0
    n = np.bincount(g, minlength=k).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = np.bincount(g, x, k) / n
        my = np.bincount(g, y, k) / n
        dx = x - mx[g]
        dy = y - my[g]
        sxx = np.bincount(g, dx * dx, k)
        sxy = np.bincount(g, dx * dy, k)
        syy = np.bincount(g, dy * dy, k)
        slope = np.where(sxx > 0, sxy / sxx, np.nan)
        intercept = my - slope * mx
        sse = np.maximum(syy - slope * sxy, 0.0)
        df = n - 2
        se = np.where(df > 0, np.sqrt(sse / np.where(df > 0, df, 1) / sxx), np.nan)
        t = np.where(se > 0, slope / se, np.where(slope == 0, 0.0, np.sign(slope) * np.inf))
        t = np.where((df > 0) & np.isfinite(slope), t, np.nan)
        p = np.where(np.isnan(t), np.nan, 2 * t_dist.sf(np.abs(t), np.maximum(df, 1)))
        r2 = np.where(syy > 0, (sxy * sxy) / (sxx * syy), np.nan)
    return pd.DataFrame({"n": n.astype(np.int64), "slope": slope, "intercept": intercept, "std_err": se, "t": t,
                         "p_value": p, "r2": r2})


def mann_kendall(x: Any, y: Any, groups: Any, *, chunk: int = 2000) -> pd.DataFrame:
    """Mann-Kendall trend test and Sen's slope within each group (vectorised over groups).

    With the series ordered by ``x``: ``S = Σ_{i<j} sign(y_j - y_i)``,
    ``Var(S) = [n(n-1)(2n+5) - Σ_t t(t-1)(2t+5)] / 18`` (``t``: sizes of groups of tied ``y``),
    ``Z = (S - sign(S)) / sqrt(Var(S))``, two-sided ``p = 2 (1 - Φ(|Z|))``; Kendall's ``tau = S / (n(n-1)/2)``;
    Sen's slope is the median of ``(y_j - y_i) / (x_j - x_i)`` over pairs with ``x_j > x_i`` (Mann 1945; Kendall
    1975; Sen 1968).

    Returns one row per group code: ``mk_s, mk_tau, mk_z, mk_p, sen_slope`` (NaN for fewer than 3 points).
    """
    import numpy as np
    import pandas as pd
    from scipy.special import ndtr

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    k = int(g.max()) + 1 if len(g) else 0
    order = np.lexsort((x, g))
    x, y, g = x[order], y[order], g[order]
    n = np.bincount(g, minlength=k)
    width = int(n.max()) if k else 0
    pos = np.arange(len(g)) - np.repeat(np.cumsum(n) - n, n)
    res = {name: np.full(k, np.nan) for name in ("mk_s", "mk_tau", "mk_z", "mk_p", "sen_slope")}
    for lo in range(0, k, chunk):
        hi = min(lo + chunk, k)
        sel = (g >= lo) & (g < hi)
        Y = np.full((hi - lo, width), np.nan)
        X = np.full((hi - lo, width), np.nan)
        Y[g[sel] - lo, pos[sel]] = y[sel]
        X[g[sel] - lo, pos[sel]] = x[sel]
        valid = ~np.isnan(Y)
        upper = np.triu(np.ones((width, width), dtype=bool), 1)
        pair = valid[:, :, None] & valid[:, None, :] & upper[None]
        dy = Y[:, None, :] - Y[:, :, None]  # y_j - y_i at [i, j]
        dxm = X[:, None, :] - X[:, :, None]
        s = np.where(pair, np.sign(dy), 0.0).sum(axis=(1, 2))
        eq = (Y[:, :, None] == Y[:, None, :]) & valid[:, :, None] & valid[:, None, :]
        c = eq.sum(axis=2).astype(np.float64)  # size of each value's tie group (itself included)
        ties = np.where(valid, (c - 1) * (2 * c + 5), 0.0).sum(axis=1)
        nn = n[lo:hi].astype(np.float64)
        var = (nn * (nn - 1) * (2 * nn + 5) - ties) / 18.0
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(var > 0, (s - np.sign(s)) / np.sqrt(var), 0.0)
            slopes = np.where(pair & (dxm > 0), dy / np.where(dxm > 0, dxm, 1.0), np.nan)
            flat = slopes.reshape(hi - lo, -1)
            has = ~np.isnan(flat).all(axis=1)
            sen = np.full(hi - lo, np.nan)
            if has.any():
                sen[has] = np.nanmedian(flat[has], axis=1)
            tau = s / (nn * (nn - 1) / 2.0)
        enough = nn >= 3
        res["mk_s"][lo:hi] = np.where(enough, s, np.nan)
        res["mk_tau"][lo:hi] = np.where(enough, tau, np.nan)
        res["mk_z"][lo:hi] = np.where(enough, z, np.nan)
        res["mk_p"][lo:hi] = np.where(enough, 2 * (1 - ndtr(np.abs(z))), np.nan)
        res["sen_slope"][lo:hi] = np.where(enough, sen, np.nan)
    return pd.DataFrame(res)


def trend_tests(
    table: pd.DataFrame,
    *,
    value: str,
    time: str = "year",
    by: str | Sequence[str] | None = None,
    test: str = "ols",
    min_periods: int = 3,
) -> pd.DataFrame:
    """Trend statistics of every series of a long table (one row per group and time point).

    Parameters
    ----------
    table : DataFrame
        Long table with the ``by`` columns, ``time`` and ``value``.
    value, time : str
        Column names of the value and the (numeric) time.
    by : str or list of str
        Columns identifying a series (e.g. ``["region", "term"]``).
    test : {"ols", "mann-kendall", "both"}, default "ols"
        OLS slope with a t-test; Mann-Kendall test with Sen's slope; or both.
    min_periods : int, default 3
        Series with fewer time points get NaN statistics (they are kept, not dropped).

    Returns
    -------
    DataFrame
        ``by`` columns, ``n_periods, start, end, mean``, then ``slope, intercept, std_err, t, p_value, r2`` (OLS)
        and/or ``mk_s, mk_tau, mk_z, mk_p, sen_slope`` (Mann-Kendall).
    """
    import numpy as np
    import pandas as pd

    if test not in ("ols", "mann-kendall", "mk", "both"):
        raise ParameterError(f"test must be 'ols', 'mann-kendall' or 'both'; got {test!r}.")
    by_cols = as_list(by, "by")
    missing = [c for c in by_cols + [time, value] if c not in table.columns]
    if missing:
        raise ParameterError(f"trend_tests: no column(s) {missing}; the table has {list(table.columns)}.")
    t = pd.to_numeric(table[time], errors="coerce")
    bad = t.isna() | table[value].isna()
    if bad.any():
        warnings.warn(f"{int(bad.sum())} row(s) without a numeric {time!r} or a {value!r} are left out of the trend "
                      "tests.", UserWarning, stacklevel=3)
    tab = table.loc[~bad]
    x = t[~bad].to_numpy(dtype=np.float64)
    y = tab[value].to_numpy(dtype=np.float64)
    if by_cols:
        codes, keys = group_codes(tab, by_cols)
    else:
        codes, keys = np.zeros(len(tab), dtype=np.int64), pd.DataFrame(index=range(1 if len(tab) else 0))
    k = len(keys)
    out = keys.reset_index(drop=True).copy()
    n = np.bincount(codes, minlength=k)
    out["n_periods"] = n
    start = np.full(k, np.inf)
    end = np.full(k, -np.inf)
    np.minimum.at(start, codes, x)
    np.maximum.at(end, codes, x)
    out["start"] = start
    out["end"] = end
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean"] = np.bincount(codes, y, k) / n
    short = n < max(min_periods, 3)
    if test in ("ols", "both"):
        ols = ols_slopes(x, y, codes).drop(columns="n")
        ols.loc[short, :] = np.nan
        out = pd.concat([out, ols], axis=1)
    if test in ("mann-kendall", "mk", "both"):
        mk = mann_kendall(x, y, codes)
        mk.loc[short, :] = np.nan
        out = pd.concat([out, mk], axis=1)
    if np.all(np.mod(out["start"].to_numpy()[np.isfinite(out["start"].to_numpy())], 1) == 0):
        out["start"] = out["start"].astype("Int64") if out["start"].notna().all() else out["start"]
        out["end"] = out["end"].astype("Int64") if out["end"].notna().all() else out["end"]
    return out


def trends(
    data: Any,
    terms: str | Iterable[str] | None = None,
    *,
    dictionary: Mapping[str, Iterable[str]] | None = None,
    labels: pd.DataFrame | None = None,
    label: str = "theme",
    by: str | Sequence[str] | None = None,
    time: str = "year",
    value: str | None = None,
    test: str = "ols",
    min_periods: int = 3,
    series: bool = False,
    **options: Any,
) -> pd.DataFrame:
    """How attention to terms, concepts or themes moves over time: slopes with significance tests.

    Builds the series (value by ``by`` groups and ``time``, as :func:`panel` with ``wide=False``) and fits a trend
    to every (group, item) series. With ``series=True`` the series table itself is returned instead.

    Parameters
    ----------
    data : Corpus, DataFrame, TokenTable or DocumentTermMatrix
        The documents (for ``labels``: the corpus, for its metadata). A long table of values (``time``,
        ``value`` and ``by`` columns, no ``text``) is tested directly.
    terms, dictionary, labels, label, value
        What to follow, as in :func:`panel`.
    by : str or list of str, optional
        Groups with a series each (``"region"``); None: one series for the whole corpus.
    time : str, default "year"
        Time column (numeric).
    test : {"ols", "mann-kendall", "both"}, default "ols"
        Trend test(s); see :func:`trend_tests`.
    min_periods : int, default 3
        Fewer time points give NaN statistics.
    series : bool, default False
        Return the series (long table) instead of the tests.
    **options
        Options of :func:`document_term_matrix` / :func:`dictionary_counts`.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, the item column (``term``, ``concept`` or the label name), ``n_periods, start, end,
        mean``, ``slope, intercept, std_err, t, p_value, r2`` (OLS: the change of ``value`` per time unit) and
        / or ``mk_s, mk_tau, mk_z, mk_p, sen_slope``.

    Examples
    --------
    >>> import policytext as pt
    >>> texts = ["优化营商环境。" * k + "建设法治政府。" * (5 - k) for k in range(5)]
    >>> corpus = pt.Corpus.from_texts(texts, metadata={"year": [2019, 2020, 2021, 2022, 2023]})
    >>> tr = pt.trends(corpus, ["营商环境", "法治政府"], test="both")
    >>> tr[["term", "n_periods", "slope", "mk_tau"]].round(1).values.tolist()
    [['营商环境', 5, 1000.0, 1.0], ['法治政府', 5, -1000.0, -1.0]]
    """
    import pandas as pd

    by_cols = as_list(by, "by")
    if (
        isinstance(data, pd.DataFrame)
        and "text" not in data.columns
        and terms is None
        and dictionary is None
        and labels is None
    ):
        if value is None:
            raise ParameterError("trends on a table of values needs value='<column>'.")
        if series:
            return data
        return trend_tests(data, value=value, time=time, by=by_cols, test=test, min_periods=min_periods)
    long, item_col, value, _ = _long_panel(
        data, terms=terms, dictionary=dictionary, labels=labels, label=label, groups=by_cols, time=time,
        value=value, options=options,
    )
    if series:
        return long
    # series in item order first, then groups
    res = trend_tests(long, value=value, time=time, by=by_cols + [item_col], test=test, min_periods=min_periods)
    items = long[item_col].drop_duplicates().tolist()
    rank = {it: i for i, it in enumerate(items)}
    res["_r"] = res[item_col].map(rank)
    res = res.sort_values(by_cols + ["_r"], kind="stable").drop(columns="_r").reset_index(drop=True)
    return res
