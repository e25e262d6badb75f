"""Keyness: which terms distinguish a target (a region, a year, a set of documents) from a reference.

:func:`keyness` compares term counts in a target and a reference corpus — one group against all the others,
one group against another, or every group against the rest — with the measures corpus linguistics and
political science use. Each measure is also a plain vectorised function of the counts, usable on any numbers:

==================  ===============================  ==========================================================
column              function                         what it is
==================  ===============================  ==========================================================
``g2``              :func:`log_likelihood`           log-likelihood ratio G² (Dunning 1993; Rayson & Garside
                                                     2000), signed; p-value from chi² with 1 df
``chi2``            :func:`chi_square`               Pearson chi² with Yates' (1934) correction, signed;
                                                     p-value
``log_ratio``       :func:`log_ratio`                binary log of the ratio of relative frequencies (Hardie
                                                     2014): effect size
``lrc``             :func:`conservative_log_ratio`   the confidence-interval bound of Log Ratio nearest 0,
                                                     0 when the interval contains 0 (Hardie 2014; Evert 2022)
``pct_diff``        :func:`percent_diff`             %DIFF (Gabrielatos & Marchi 2012)
``log_odds_z``      :func:`log_odds_dirichlet`       z-score of the weighted log-odds ratio with an informative
                                                     Dirichlet prior (Monroe, Colaresi & Quinn 2008)
==================  ===============================  ==========================================================

Notation used in every formula: ``f1``, ``f2`` are the counts of a term in the target and in the reference,
``n1``, ``n2`` the sizes (tokens without punctuation) of target and reference, ``N = n1 + n2``. The 2 x 2
contingency table of a term is ``O11 = f1, O12 = f2, O21 = n1 - f1, O22 = n2 - f2`` with expected counts
``E_ij = row_i * col_j / N``.

**Signs.** A positive ``g2``, ``chi2``, ``log_ratio``, ``lrc``, ``pct_diff`` or ``log_odds_z`` means the term is
over-used in the target (its relative frequency is higher there); negative means under-used. G² and chi² are
signed for that reason (their p-values use the absolute value).

**p-values.** ``p_value`` is the upper-tail probability of chi² with 1 degree of freedom at ``|g2|`` (or at
``|chi2|`` when only chi² is asked for); when both are asked for, ``p_value`` belongs to G² and ``p_value_chi2``
to chi². ``correction="bonferroni"`` multiplies them by the number of terms compared (capped at 1).

References
----------
Dunning, T. (1993). Accurate methods for the statistics of surprise and coincidence. *Computational
Linguistics* 19(1), 61-74.
Rayson, P. & Garside, R. (2000). Comparing corpora using frequency profiling. *Workshop on Comparing Corpora*,
ACL 2000, 1-6.
Hardie, A. (2014). Log Ratio — an informal introduction. ESRC Centre for Corpus Approaches to Social Science
(CASS), Lancaster University.
Evert, S. (2022). Measuring keyness. *Digital Humanities 2022*; R code at https://osf.io/x8z9n.
Yates, F. (1934). Contingency tables involving small numbers and the χ² test. *Supplement to the Journal of the
Royal Statistical Society* 1(2), 217-235.
Gabrielatos, C. & Marchi, A. (2012). Keyness: appropriate metrics and practical issues. CADS International
Conference, University of Bologna.
Monroe, B. L., Colaresi, M. P. & Quinn, K. M. (2008). Fightin' words: lexical feature selection and evaluation
for identifying the content of political conflict. *Political Analysis* 16(4), 372-403.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ParameterError
from ._common import check_by, group_codes, key_values, same_value
from .counts import DocumentTermMatrix, as_dtm

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..corpus import Corpus
    from .tokens import TokenTable

__all__ = [
    "MEASURES",
    "chi2_pvalue",
    "chi_square",
    "conservative_log_ratio",
    "keyness",
    "log_likelihood",
    "log_odds_dirichlet",
    "log_ratio",
    "percent_diff",
]

#: Measure name -> output column.
MEASURES: dict[str, str] = {
    "g2": "g2",
    "chi2": "chi2",
    "log_ratio": "log_ratio",
    "lrc": "lrc",
    "pct_diff": "pct_diff",
    "log_odds": "log_odds_z",
}
_ALIASES = {"ll": "g2", "log_likelihood": "g2", "g": "g2", "chi_square": "chi2", "chisq": "chi2",
            "lr": "log_ratio", "logratio": "log_ratio", "log_odds_z": "log_odds", "logodds": "log_odds",
            "%diff": "pct_diff", "percent_diff": "pct_diff", "conservative_log_ratio": "lrc"}
_CHUNK_CELLS = 4_000_000


def _arrays(*xs: Any) -> list[np.ndarray]:
    import numpy as np

    return [np.asarray(x, dtype=np.float64) for x in xs]


def _sign(f1: np.ndarray, f2: np.ndarray, n1: np.ndarray, n2: np.ndarray) -> np.ndarray:
    import numpy as np

    return np.where(f1 * n2 >= f2 * n1, 1.0, -1.0)


def log_likelihood(f1: Any, f2: Any, n1: Any, n2: Any, *, signed: bool = True) -> np.ndarray:
    """Log-likelihood ratio G² of the 2 x 2 table of each term (Dunning 1993).

    .. math::

        G^2 = 2 \\sum_{ij} O_{ij} \\ln \\frac{O_{ij}}{E_{ij}}, \\qquad E_{ij} = \\frac{R_i C_j}{N}

    over the four cells ``O11 = f1, O12 = f2, O21 = n1 - f1, O22 = n2 - f2`` (``0 ln 0 = 0``). Rayson & Garside
    (2000) sum only the first row; the difference is negligible when ``f`` is small against ``n``. With
    ``signed`` (default) the value is negative when the term is relatively rarer in the target. Compare ``|G²|``
    with chi² (1 df): 3.84 for p < 0.05, 6.63 for p < 0.01, 10.83 for p < 0.001, 15.13 for p < 0.0001.

    Parameters
    ----------
    f1, f2 : array-like
        Counts of the term in target and reference.
    n1, n2 : array-like or float
        Sizes of target and reference (broadcast against the counts).
    signed : bool, default True
        Give the statistic the sign of the difference in relative frequency.

    Examples
    --------
    >>> round(float(log_likelihood(30, 10, 10_000, 20_000)), 4)
    29.081
    """
    import numpy as np
    from scipy.special import xlogy

    f1, f2, n1, n2 = _arrays(f1, f2, n1, n2)
    n = n1 + n2
    r1 = f1 + f2
    r2 = n - r1
    cells = ((f1, r1 * n1), (f2, r1 * n2), (n1 - f1, r2 * n1), (n2 - f2, r2 * n2))
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2.0 * sum(np.where(o > 0, xlogy(o, o * n / e), 0.0) for o, e in cells)
    g2 = np.maximum(g2, 0.0)  # rounding can give -1e-12
    return g2 * _sign(f1, f2, n1, n2) if signed else g2


def chi_square(f1: Any, f2: Any, n1: Any, n2: Any, *, yates: bool = True, signed: bool = True) -> np.ndarray:
    """Pearson's chi² of the 2 x 2 table of each term, with Yates' continuity correction.

    .. math::

        \\chi^2 = \\frac{N \\left(\\max(0, |O_{11} O_{22} - O_{12} O_{21}| - N/2)\\right)^2}{R_1 R_2 C_1 C_2}

    with ``R1 = f1 + f2``, ``R2 = N - R1``, ``C1 = n1``, ``C2 = n2`` (without Yates: no ``- N/2``; Yates 1934).
    Signed as :func:`log_likelihood`; compare ``|chi²|`` with the same critical values.

    Examples
    --------
    >>> round(float(chi_square(30, 10, 10_000, 20_000)), 4)
    29.4424
    """
    import numpy as np

    f1, f2, n1, n2 = _arrays(f1, f2, n1, n2)
    n = n1 + n2
    r1 = f1 + f2
    r2 = n - r1
    diff = np.abs(f1 * (n2 - f2) - f2 * (n1 - f1))
    if yates:
        diff = np.maximum(diff - n / 2.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = n * diff**2 / (r1 * r2 * n1 * n2)
    chi2 = np.where(np.isfinite(chi2), chi2, 0.0)
    return chi2 * _sign(f1, f2, n1, n2) if signed else chi2


def chi2_pvalue(statistic: Any) -> np.ndarray:
    """Upper-tail probability of chi² with 1 degree of freedom at ``|statistic|``: ``erfc(sqrt(|x| / 2))``.

    >>> round(float(chi2_pvalue(3.841458820694124)), 6)
    0.05
    """
    import numpy as np
    from scipy.special import erfc

    return erfc(np.sqrt(np.abs(np.asarray(statistic, dtype=np.float64)) / 2.0))


def log_ratio(f1: Any, f2: Any, n1: Any, n2: Any, *, zero_adjust: float = 0.5) -> np.ndarray:
    """Log Ratio (Hardie 2014): binary log of the ratio of relative frequencies.

    .. math::

        \\mathrm{LR} = \\log_2 \\frac{f_1 / n_1}{f_2 / n_2}

    A zero count is replaced by ``zero_adjust`` (0.5, Hardie's adjustment) so the ratio stays finite. Each unit is
    a doubling: 1 means twice as frequent in the target, -1 half as frequent, 0 equally frequent.

    Examples
    --------
    >>> float(log_ratio(30, 10, 10_000, 20_000))   # log2((30/10000) / (10/20000)) = log2(6)
    2.584962500721156
    >>> float(log_ratio(4, 0, 10_000, 20_000))     # log2((4/10000) / (0.5/20000)) = log2(16)
    4.0
    """
    import numpy as np

    f1, f2, n1, n2 = _arrays(f1, f2, n1, n2)
    a = np.where(f1 > 0, f1, zero_adjust)
    b = np.where(f2 > 0, f2, zero_adjust)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log2((a / n1) / (b / n2))


def conservative_log_ratio(
    f1: Any,
    f2: Any,
    n1: Any,
    n2: Any,
    *,
    alpha: float = 0.05,
    correct: bool | int = True,
) -> np.ndarray:
    """Conservative Log Ratio (LRC): the end of the confidence interval of Log Ratio nearest to 0.

    Hardie (2014) recommends reading Log Ratio together with its confidence interval; LRC reports the
    conservative end of it, computed as in Evert (2022) and scattertext's ``LRC``: given ``k = f1 + f2``
    occurrences, ``f1`` is binomial with success probability ``π = n1 r / (n1 r + n2)`` where ``r`` is the ratio of
    relative frequencies. The exact (Clopper-Pearson) interval of ``π`` at confidence ``1 - α'``,

    .. math::

        \\pi_{lo} = B^{-1}(\\alpha'/2;\\, f_1,\\, k - f_1 + 1), \\qquad
        \\pi_{hi} = B^{-1}(1 - \\alpha'/2;\\, f_1 + 1,\\, k - f_1)

    (``B^{-1}`` the Beta quantile) maps to the interval of Log Ratio
    ``log2(n2/n1 * π / (1 - π))``. LRC is the lower end when the term is over-used in the target
    (``f1/n1 > f2/n2``) and the upper end otherwise, replaced by 0 when the interval contains 0 (no evidence of a
    difference). With ``correct`` (default) ``α' = α / m`` (Bonferroni) where ``m`` is the number of terms in the
    call (pass an int to give ``m`` yourself).

    Examples
    --------
    >>> round(float(conservative_log_ratio([30], [10], 10_000, 20_000, correct=False)[0]), 4)
    1.5134
    >>> float(conservative_log_ratio([2], [1], 10_000, 20_000, correct=False)[0])   # too few to tell
    0.0
    """
    import numpy as np
    from scipy.special import betainc, betaincinv

    f1, f2, n1, n2 = _arrays(f1, f2, n1, n2)
    f1, f2, n1, n2 = np.broadcast_arrays(f1, f2, n1, n2)
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be in (0, 1); got {alpha!r}.")
    m = (f1.size if correct is True else int(correct)) if correct else 1
    a = alpha / 2.0 / max(m, 1)
    k = f1 + f2
    p0 = n1 / (n1 + n2)  # π when the relative frequencies are equal (LR = 0)
    over = f1 * n2 > f2 * n1
    out = np.zeros(f1.shape, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # lower end above p0 <=> P(Beta(f1, k - f1 + 1) <= p0) < a: test with the cheap CDF, invert only the hits
        lo = over & (f1 > 0)
        if lo.any():
            x1, x2, pp = f1[lo], (k - f1 + 1)[lo], p0[lo]
            sig = betainc(x1, x2, pp) < a
            if sig.any():
                idx = np.flatnonzero(lo)[sig]
                q = betaincinv(x1[sig], x2[sig], a)
                out[idx] = np.maximum(np.log2(n2[idx] / n1[idx] * q / (1.0 - q)), 0.0)
        hi = ~over & (k - f1 > 0)
        if hi.any():
            x1, x2, pp = (f1 + 1)[hi], (k - f1)[hi], p0[hi]
            sig = betainc(x1, x2, pp) > 1.0 - a
            if sig.any():
                idx = np.flatnonzero(hi)[sig]
                q = betaincinv(x1[sig], x2[sig], 1.0 - a)
                out[idx] = np.minimum(np.log2(n2[idx] / n1[idx] * q / (1.0 - q)), 0.0)
    return out


def percent_diff(f1: Any, f2: Any, n1: Any, n2: Any, *, zero: float = 1e-18) -> np.ndarray:
    """%DIFF (Gabrielatos & Marchi 2012): percentage difference of normalised frequencies.

    .. math::

        \\%\\mathrm{DIFF} = 100 \\, \\frac{NF_1 - NF_2}{NF_2}, \\qquad NF_i = 10^6 f_i / n_i

    (frequencies per million tokens). A zero ``NF2`` is replaced by ``zero`` (1e-18, as Gabrielatos & Marchi do),
    so a term absent from the reference gets a very large finite value. -100 means absent from the target.

    Examples
    --------
    >>> float(percent_diff(30, 10, 10_000, 20_000))   # NF1 = 3000, NF2 = 500: 100 * 2500 / 500
    500.0
    """
    import numpy as np

    f1, f2, n1, n2 = _arrays(f1, f2, n1, n2)
    nf1 = 1e6 * f1 / n1
    nf2 = 1e6 * f2 / n2
    return 100.0 * (nf1 - nf2) / np.where(nf2 == 0, zero, nf2)


def log_odds_dirichlet(
    y_i: Any, y_j: Any, prior: Any = None, *, prior_scale: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

    For the counts ``y_i`` (target) and ``y_j`` (reference) over one vocabulary, with prior pseudo-counts
    ``α_w`` and ``α_0 = Σ α_w``, ``n_i = Σ y_i``:

    .. math::

        \\delta_w = \\ln\\frac{y_{iw} + \\alpha_w}{n_i + \\alpha_0 - y_{iw} - \\alpha_w}
                  - \\ln\\frac{y_{jw} + \\alpha_w}{n_j + \\alpha_0 - y_{jw} - \\alpha_w}

        \\sigma^2(\\delta_w) \\approx \\frac{1}{y_{iw} + \\alpha_w} + \\frac{1}{n_i + \\alpha_0 - y_{iw} - \\alpha_w}
                  + \\frac{1}{y_{jw} + \\alpha_w} + \\frac{1}{n_j + \\alpha_0 - y_{jw} - \\alpha_w}

        z_w = \\delta_w / \\sigma(\\delta_w)

    (MCQ's eq. 16 and 18-19; the variance keeps all four terms, as scattertext's
    ``LogOddsRatioInformativeDirichletPrior``, whose z-scores this reproduces.)

    Parameters
    ----------
    y_i, y_j : array-like
        Counts of every vocabulary term in target and reference.
    prior : array-like, optional
        Background counts of the same terms (default: ``y_i + y_j``).
    prior_scale : float, optional
        None: ``α_w = prior_w`` (the counts themselves, scattertext's ``scale_type='none'``). A number ``a0``:
        ``α_w = a0 * prior_w / Σ prior`` (MCQ's ``α_0 π_w``; scattertext's ``scale_type='word'``, ``sigma=a0``).

    Returns
    -------
    (delta, z) : tuple of numpy.ndarray

    Examples
    --------
    >>> delta, z = log_odds_dirichlet([30, 70], [10, 190])
    >>> [round(float(v), 4) for v in z]
    [3.252, -3.252]
    """
    import numpy as np

    y_i, y_j = _arrays(y_i, y_j)
    prior = (y_i + y_j) if prior is None else np.asarray(prior, dtype=np.float64)
    if prior.shape != y_i.shape[-1:] and prior.shape != y_i.shape:
        raise ParameterError(f"prior must have one value per term ({y_i.shape[-1]}); got shape {prior.shape}.")
    if np.any(prior < 0) or not np.all(np.isfinite(prior)):
        raise ParameterError("prior counts must be finite and non-negative.")
    alpha = prior if prior_scale is None else prior * (float(prior_scale) / prior.sum(axis=-1, keepdims=True))
    a0 = alpha.sum(axis=-1, keepdims=True)
    n_i = y_i.sum(axis=-1, keepdims=True)
    n_j = y_j.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        oi = y_i + alpha
        ri = n_i + a0 - y_i - alpha
        oj = y_j + alpha
        rj = n_j + a0 - y_j - alpha
        delta = np.log(oi / ri) - np.log(oj / rj)
        var = 1.0 / oi + 1.0 / ri + 1.0 / oj + 1.0 / rj
        z = delta / np.sqrt(var)
    return delta, z


# ================================================================================================ keyness


def _measure_list(measures: Any) -> list[str]:
    items = [measures] if isinstance(measures, str) else list(measures)
    if isinstance(measures, str) and "," in measures:
        items = [m.strip() for m in measures.split(",") if m.strip()]
    out: list[str] = []
    for m in items:
        key = _ALIASES.get(str(m).lower(), str(m).lower())
        if key not in MEASURES:
            raise ParameterError(
                f"unknown keyness measure {m!r}; choose from {', '.join(MEASURES)} (column names: "
                f"{', '.join(MEASURES.values())})."
            )
        if key not in out:
            out.append(key)
    if not out:
        raise ParameterError("measures must name at least one measure, e.g. ('g2', 'log_ratio').")
    return out


def _columns(measures: list[str]) -> list[str]:
    cols = []
    for m in measures:
        cols.append(MEASURES[m])
        if m == "g2":
            cols.append("p_value")
        elif m == "chi2":
            cols.append("p_value_chi2" if "g2" in measures else "p_value")
    return cols


def _prior_vector(prior: Any, dtm: DocumentTermMatrix, totals: np.ndarray) -> np.ndarray | None:
    """Prior counts over the vocabulary; None means "the compared counts" (``f1 + f2``)."""
    import numpy as np
    import pandas as pd

    if isinstance(prior, str):
        if prior == "corpus":
            return totals.astype(np.float64)
        if prior == "comparison":
            return None
        raise ParameterError(f"prior must be 'corpus', 'comparison' or term counts; got {prior!r}.")
    if isinstance(prior, (pd.Series, Mapping)):
        series = prior if isinstance(prior, pd.Series) else pd.Series(dict(prior))
        vec = series.reindex(dtm.vocabulary).to_numpy(dtype=np.float64)
        missing = np.isnan(vec) | (vec <= 0)
        vec[missing] = 0.01
        return vec
    vec = np.asarray(prior, dtype=np.float64)
    if vec.shape != (dtm.shape[1],):
        raise ParameterError(
            f"prior as an array needs one value per term of the matrix ({dtm.shape[1]}); got shape {vec.shape}. "
            "Pass a pandas Series indexed by term instead."
        )
    return vec


def _resolve(values: Any, labels: list, by: list[str], what: str) -> list[int]:
    """Group rows whose label equals ``values`` (a label or a list of labels)."""
    many = isinstance(values, (list, set, frozenset)) or (
        isinstance(values, tuple) and len(by) == 1
    )
    wanted = list(values) if many else [values]
    rows: list[int] = []
    for v in wanted:
        hits = [i for i, lab in enumerate(labels) if same_value(lab, v)]
        if not hits:
            shown = sorted({str(lab) for lab in labels})
            more = f" … ({len(shown)} in all)" if len(shown) > 60 else ""
            raise ParameterError(
                f"{what} {v!r} is not a value of {by if len(by) > 1 else by[0]!r}; available: "
                f"{', '.join(shown[:60])}{more}."
            )
        rows.extend(hits)
    return sorted(set(rows))


def _as_mask(value: Any, dtm: DocumentTermMatrix, what: str) -> np.ndarray:
    import numpy as np

    n = dtm.shape[0]
    if isinstance(value, (list, tuple, set, frozenset)) and value and all(isinstance(v, str) for v in value):
        ids = dtm.doc_ids
        wanted = set(value)
        missing = wanted - set(ids)
        if missing:
            raise ParameterError(f"{what}: unknown doc_id(s) {sorted(missing)[:5]}; pass ids from corpus.docs.")
        return np.asarray([d in wanted for d in ids], dtype=bool)
    arr = np.asarray(value)
    if arr.dtype == bool and arr.shape == (n,):
        return arr
    raise ParameterError(
        f"{what}: without by=, expected a boolean mask over the {n} documents or a list of doc_ids; got "
        f"{type(value).__name__}. To compare groups pass by='region' and a group value."
    )


def keyness(
    data: Corpus | pd.DataFrame | TokenTable | DocumentTermMatrix,
    by: str | Sequence[str] | None = None,
    target: Any = None,
    reference: Any = None,
    *,
    measures: str | Iterable[str] = ("g2", "log_ratio"),
    min_count: int = 5,
    min_count_target: int = 0,
    correction: str | None = None,
    alpha: float = 0.05,
    lrc_correction: bool = True,
    zero_adjust: float = 0.5,
    prior: Any = "corpus",
    prior_scale: float | None = None,
    sort: str | None = None,
    top: int | None = None,
    **dtm_options: Any,
) -> pd.DataFrame:
    """Compare term frequencies in a target against a reference: keywords with statistics.

    Three ways to compare:

    * ``by="region", target="汉滨区"``: the target group against every other document (one vs rest);
    * ``by="region", target="汉滨区", reference="汉阴县"``: two named groups (each may be a list of values);
    * ``by="region"`` alone: every group against the rest, a long table with a ``group`` column.

    Without ``by``, ``target`` (and ``reference``) are boolean masks over the documents or lists of doc_ids.

    Parameters
    ----------
    data : Corpus, DataFrame, TokenTable or DocumentTermMatrix
        The documents or a matrix already built (:func:`document_term_matrix`).
    by : str or list of str, optional
        Metadata column(s) defining the groups. For several columns a group value is a tuple
        (``target=("汉滨区", 2023)``).
    target, reference : group value(s), mask or doc_ids
        What to compare (see above). ``reference=None`` means every document not in the target.
    measures : str or list of str, default ("g2", "log_ratio")
        Any of ``g2``, ``chi2``, ``log_ratio``, ``lrc``, ``pct_diff``, ``log_odds`` (column ``log_odds_z``);
        a comma-separated string works too. See the module documentation for formulas and references.
    min_count : int, default 5
        Keep terms with at least this many occurrences in target and reference together.
    min_count_target : int, default 0
        Keep terms with at least this many occurrences in the target.
    correction : {None, "bonferroni"}, default None
        Adjust p-values for the number of terms compared (``min(1, p * m)``).
    alpha : float, default 0.05
        Significance level of the LRC confidence interval.
    lrc_correction : bool, default True
        Bonferroni-adjust the LRC interval for the number of terms compared (Evert 2022).
    zero_adjust : float, default 0.5
        Count substituted for a zero in Log Ratio.
    prior : "corpus", "comparison", Series or array, default "corpus"
        Background counts of the log-odds prior: the whole matrix (``"corpus"``), target + reference
        (``"comparison"``), or given counts per term (a Series indexed by term; missing terms get 0.01).
    prior_scale : float, optional
        Rescale the prior to sum to this (MCQ's ``α0``); None uses the counts as they are.
    sort : str, optional
        Column to sort by, descending (default: the first measure's column). Rows are sorted within groups.
    top : int, optional
        Keep only the first ``top`` rows of each comparison (the most over-used terms with the default sort).
    **dtm_options
        Options of :func:`document_term_matrix` (``stopwords``, ``pos``, ``min_docs`` …) when ``data`` is not a
        matrix yet.

    Returns
    -------
    pandas.DataFrame
        ``[group,] term, count_target, count_reference, per_10k_target, per_10k_reference``, then one column per
        measure in the order asked (``g2, p_value, chi2, p_value_chi2, log_ratio, lrc, pct_diff, log_odds_z``).
        Terms with a zero count in both target and reference never appear. Table attributes
        (``.attrs``): ``tokens_target``, ``tokens_reference`` (for one comparison) and ``measures``.

    Raises
    ------
    ParameterError
        An unknown measure, a target/reference value that is not a group (the message lists the groups),
        overlapping or empty target and reference.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(
    ...     ["深化放管服改革。放管服改革取得成效。优化营商环境。", "建设法治政府。推进依法行政。建设法治政府。"],
    ...     metadata={"region": ["甲市", "乙市"]})
    >>> k = pt.keyness(corpus, by="region", target="甲市", min_count=2, measures="g2,log_ratio")
    >>> k[["term", "count_target", "count_reference", "g2", "log_ratio"]].round(3).values.tolist()
    [['改革', 2, 0, 2.246, 1.415], ['放管服', 2, 0, 2.246, 1.415], ['建设', 0, 2, -4.142, -2.585], ['法治政府', 0, 2, -4.142, -2.585]]
    >>> k.attrs["tokens_target"], k.attrs["tokens_reference"]
    (9, 6)
    >>> pt.keyness(corpus, by="region", target="丙市")
    Traceback (most recent call last):
    ...
    policytext.errors.ParameterError: target '丙市' is not a value of 'region'; available: 乙市, 甲市.
    """
    import numpy as np
    import pandas as pd

    ms = _measure_list(measures)
    for name, value in (("min_count", min_count), ("min_count_target", min_count_target)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise ParameterError(f"{name} must be a non-negative integer; got {value!r}.")
    if correction not in (None, "none", "bonferroni"):
        raise ParameterError(f"correction must be None or 'bonferroni'; got {correction!r}.")
    if top is not None and (not isinstance(top, (int, np.integer)) or isinstance(top, bool) or top < 1):
        raise ParameterError(f"top must be a positive integer; got {top!r}.")
    dtm = as_dtm(data, **dtm_options)
    if dtm.shape[0] == 0:
        raise InputError("keyness: the corpus has no documents.")
    cols = _columns(ms)
    sort_col = sort or MEASURES[ms[0]]
    base_cols = ["term", "count_target", "count_reference", "per_10k_target", "per_10k_reference"]
    if sort_col not in base_cols + cols:
        raise ParameterError(f"sort must be one of the output columns {base_cols + cols}; got {sort!r}.")
    X = dtm.matrix
    totals = np.asarray(X.sum(axis=0)).ravel().astype(np.float64)
    n_total = float(dtm.doc_lengths.sum())
    prior_vec = _prior_vector(prior, dtm, totals) if "log_odds" in ms else None
    opts = {"ms": ms, "min_count": min_count, "min_count_target": min_count_target, "correction": correction,
            "alpha": alpha, "lrc_correction": lrc_correction, "zero_adjust": zero_adjust, "prior": prior_vec,
            "prior_scale": prior_scale, "sort_col": sort_col, "top": top}
    by_cols = check_by(dtm.docs, by) if by is not None else []

    if by_cols and target is None:
        if reference is not None:
            raise ParameterError("reference needs a target; without target every group is compared with the rest.")
        counts, keys, gtokens, _ = dtm.group(by_cols)
        labels = key_values(keys, by_cols)
        if len(labels) < 2:
            raise ParameterError(f"one-vs-rest needs at least two groups in {by_cols}; found {len(labels)}.")
        frames = []
        dense_rows = max(1, _CHUNK_CELLS // max(X.shape[1], 1))
        for lo in range(0, len(labels), dense_rows):
            hi = min(lo + dense_rows, len(labels))
            f1 = counts[lo:hi].toarray().astype(np.float64)
            f2 = totals[None, :] - f1
            n1 = gtokens[lo:hi].astype(np.float64)[:, None]
            n2 = n_total - n1
            frames.append(_compare(f1, f2, n1, n2, dtm, group_rows=np.arange(lo, hi), **opts))
        out = pd.concat(frames, ignore_index=True) if frames else _empty(cols, True)
        group_idx = out.pop("_group").to_numpy(dtype=np.int64)
        label_arr = np.empty(len(labels), dtype=object)
        label_arr[:] = labels
        out.insert(0, "group", label_arr[group_idx])
        out.attrs["measures"] = ms
        out.attrs["by"] = by_cols
        return out

    # a single comparison
    if by_cols:
        if target is None:  # pragma: no cover - handled above
            raise ParameterError("target is required")
        codes, keys = group_codes(dtm.docs, by_cols)
        labels = key_values(keys, by_cols)
        t_rows = _resolve(target, labels, by_cols, "target")
        t_mask = np.isin(codes, t_rows)
        if reference is None:
            r_mask = ~t_mask
        else:
            r_rows = _resolve(reference, labels, by_cols, "reference")
            if set(r_rows) & set(t_rows):
                raise ParameterError("target and reference share a group; give disjoint groups.")
            r_mask = np.isin(codes, r_rows)
    else:
        if target is None:
            raise ParameterError(
                "keyness needs by= (a metadata column such as 'region') or a target (a boolean mask or doc_ids)."
            )
        t_mask = _as_mask(target, dtm, "target")
        r_mask = ~t_mask if reference is None else _as_mask(reference, dtm, "reference")
        if (t_mask & r_mask).any():
            raise ParameterError("target and reference overlap; a document can be in one of them only.")
    if not t_mask.any():
        raise ParameterError("the target has no documents.")
    if not r_mask.any():
        raise ParameterError("the reference has no documents; it must contain at least one document.")
    f1 = np.asarray(X[t_mask].sum(axis=0), dtype=np.float64)
    f2 = np.asarray(X[r_mask].sum(axis=0), dtype=np.float64)
    n1 = float(dtm.doc_lengths[t_mask].sum())
    n2 = float(dtm.doc_lengths[r_mask].sum())
    out = _compare(f1, f2, np.array([[n1]]), np.array([[n2]]), dtm, group_rows=None, **opts)
    out.attrs.update({"tokens_target": int(n1), "tokens_reference": int(n2), "measures": ms,
                      "docs_target": int(t_mask.sum()), "docs_reference": int(r_mask.sum())})
    return out


def _empty(cols: list[str], grouped: bool) -> pd.DataFrame:
    import pandas as pd

    base = ["term", "count_target", "count_reference", "per_10k_target", "per_10k_reference"] + cols
    return pd.DataFrame({c: [] for c in (["_group"] if grouped else []) + base})


def _compare(
    f1: np.ndarray,
    f2: np.ndarray,
    n1: np.ndarray,
    n2: np.ndarray,
    dtm: DocumentTermMatrix,
    *,
    group_rows: np.ndarray | None,
    ms: list[str],
    min_count: int,
    min_count_target: int,
    correction: str | None,
    alpha: float,
    lrc_correction: bool,
    zero_adjust: float,
    prior: np.ndarray | None,
    prior_scale: float | None,
    sort_col: str,
    top: int | None,
) -> pd.DataFrame:
    """Measures for k comparisons at once: f1, f2 are k x V, n1, n2 are k x 1."""
    import numpy as np
    import pandas as pd

    k = f1.shape[0]
    keep = (f1 + f2 >= max(min_count, 1)) & (f1 >= min_count_target)
    rows, cols = np.nonzero(keep)  # row-major: grouped by comparison
    a = f1[rows, cols]
    b = f2[rows, cols]
    n1r = n1[rows, 0]
    n2r = n2[rows, 0]
    m_per_row = np.bincount(rows, minlength=k)[rows] if len(rows) else np.zeros(0)
    out: dict[str, Any] = {}
    if group_rows is not None:
        out["_group"] = group_rows[rows]
    out["term"] = dtm.vocabulary.to_numpy(dtype=object)[cols]
    out["count_target"] = a.astype(np.int64)
    out["count_reference"] = b.astype(np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_10k_target"] = np.where(n1r > 0, 1e4 * a / n1r, np.nan)
        out["per_10k_reference"] = np.where(n2r > 0, 1e4 * b / n2r, np.nan)

    def adjust(p: np.ndarray) -> np.ndarray:
        if correction == "bonferroni":
            return np.minimum(1.0, p * m_per_row)
        return p

    for m in ms:
        if m == "g2":
            g2 = log_likelihood(a, b, n1r, n2r)
            out["g2"] = g2
            out["p_value"] = adjust(chi2_pvalue(g2))
        elif m == "chi2":
            c2 = chi_square(a, b, n1r, n2r)
            out["chi2"] = c2
            out["p_value_chi2" if "g2" in ms else "p_value"] = adjust(chi2_pvalue(c2))
        elif m == "log_ratio":
            out["log_ratio"] = log_ratio(a, b, n1r, n2r, zero_adjust=zero_adjust)
        elif m == "lrc":
            if lrc_correction:
                # Bonferroni over the terms of each comparison: per-row m
                lrc = np.zeros(len(rows))
                for r in np.unique(rows) if k > 1 else [None]:
                    sel = slice(None) if r is None else (rows == r)
                    lrc[sel] = conservative_log_ratio(a[sel], b[sel], n1r[sel], n2r[sel], alpha=alpha, correct=True)
                out["lrc"] = lrc
            else:
                out["lrc"] = conservative_log_ratio(a, b, n1r, n2r, alpha=alpha, correct=False)
        elif m == "pct_diff":
            out["pct_diff"] = percent_diff(a, b, n1r, n2r)
        elif m == "log_odds":
            pr = (f1 + f2) if prior is None else np.broadcast_to(prior, f1.shape)
            _, z = log_odds_dirichlet(f1, f2, pr, prior_scale=prior_scale)
            out["log_odds_z"] = z[rows, cols]
    if len(rows):
        # sort the arrays, then build the table once (no copy of a finished table)
        key = np.asarray(out[sort_col], dtype=np.float64)
        # ties: matrix column order (more frequent first, then code-point order)
        order = np.lexsort((cols, -np.nan_to_num(key, nan=-np.inf), rows))
        if top is not None:
            r_sorted = rows[order]
            rank = np.arange(len(r_sorted)) - np.searchsorted(r_sorted, r_sorted)
            order = order[rank < top]
        out = {name: values[order] for name, values in out.items()}
    return pd.DataFrame(out)
