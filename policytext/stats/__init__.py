"""Term statistics and comparison: counts, keyness, trends and panels, context.

One concept per module:

:mod:`~policytext.stats.tokens`
    :func:`tokenize_corpus` -> :class:`TokenTable` (flat arrays, cached per tokenizer and document), the input of
    every count; multiword terms of the policy lexicon joined by :meth:`TokenTable.merge_terms`.
:mod:`~policytext.stats.counts`
    :func:`document_term_matrix` (:class:`DocumentTermMatrix`), :func:`term_frequencies` (tidy, by metadata
    groups), :func:`dictionary_counts` / :func:`dictionary_matches` (concept dictionaries on the text).
:mod:`~policytext.stats.keyness`
    :func:`keyness` (target vs reference, one vs rest, every group vs rest) with G², chi², Log Ratio, LRC, %DIFF and
    the weighted log-odds with an informative Dirichlet prior; each measure also a plain function.
:mod:`~policytext.stats.trends`
    :func:`panel` (region x year tables for statsmodels/linearmodels), :func:`trends` (OLS slope t-tests,
    Mann-Kendall, Sen's slope).
:mod:`~policytext.stats.context`
    :func:`kwic`, :func:`collocations` (PMI, G², t, log Dice), :func:`dispersion` (range, Gries' DP, Juilland's D).

Examples
--------
>>> import policytext as pt
>>> corpus = pt.Corpus.from_texts(["深化放管服改革，优化营商环境。", "建设法治政府，推进依法行政。"],
...                               metadata={"region": ["甲市", "乙市"], "year": [2023, 2023]})
>>> pt.term_frequencies(corpus, by="region", terms=["放管服"])[["region", "term", "count"]].values.tolist()
[['乙市', '放管服', 0], ['甲市', '放管服', 1]]
>>> pt.kwic(corpus, "放管服", window=2)[["left", "keyword", "right"]].values.tolist()
[['深化', '放管服', '改革']]
"""

from .context import collocations, dispersion, kwic
from .counts import (
    DocumentTermMatrix,
    dictionary_counts,
    dictionary_matches,
    document_term_matrix,
    term_frequencies,
)
from .keyness import (
    MEASURES,
    chi2_pvalue,
    chi_square,
    conservative_log_ratio,
    keyness,
    log_likelihood,
    log_odds_dirichlet,
    log_ratio,
    percent_diff,
)
from .tokens import TokenTable, clear_token_cache, lexicon_terms, tokenize_corpus
from .trends import mann_kendall, ols_slopes, panel, trend_tests, trends

__all__ = [
    "MEASURES",
    "DocumentTermMatrix",
    "TokenTable",
    "chi2_pvalue",
    "chi_square",
    "clear_token_cache",
    "collocations",
    "conservative_log_ratio",
    "dictionary_counts",
    "dictionary_matches",
    "dispersion",
    "document_term_matrix",
    "keyness",
    "kwic",
    "lexicon_terms",
    "log_likelihood",
    "log_odds_dirichlet",
    "log_ratio",
    "mann_kendall",
    "ols_slopes",
    "panel",
    "percent_diff",
    "term_frequencies",
    "tokenize_corpus",
    "trend_tests",
    "trends",
]
