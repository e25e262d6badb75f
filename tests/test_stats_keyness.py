"""policytext.stats.keyness: every measure against a worked example, scattertext parity, the keyness table."""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import policytext as pt
from policytext.errors import ParameterError
from policytext.stats import (
    chi2_pvalue,
    chi_square,
    conservative_log_ratio,
    document_term_matrix,
    keyness,
    log_likelihood,
    log_odds_dirichlet,
    log_ratio,
    percent_diff,
)


class WhitespaceTokenizer:
    def tokenize(self, text):
        return [pt.Token(m.group(), m.start(), m.end(), "n") for m in re.finditer(r"\S+", text)]


WS = WhitespaceTokenizer()


@pytest.fixture(scope="module")
def scattertext():
    """scattertext's reference implementations: the log-odds class and Evert's LRC function.

    Importing the scattertext package takes ~15 s (it pulls in most of its dependencies); the two modules needed
    here are loaded under a bare package stub instead, and sys.modules is restored afterwards.
    """
    spec = importlib.util.find_spec("scattertext")
    if spec is None:
        pytest.skip("scattertext is not installed (test dependency: pip install scattertext)")
    if "scattertext" in sys.modules and hasattr(sys.modules["scattertext"], "__version__"):
        from scattertext.termscoring.lrc import lrc
        from scattertext.termsignificance.LogOddsRatioInformativeDirichletPiror import (
            LogOddsRatioInformativeDirichletPrior,
        )

        yield types.SimpleNamespace(LogOdds=LogOddsRatioInformativeDirichletPrior, lrc=lrc)
        return
    root = Path(spec.origin).parent
    before = set(sys.modules)
    stub = types.ModuleType("scattertext")
    stub.__path__ = [str(root)]
    stub.CorpusBasedTermScorer = object  # the base class lrc.py imports; the function lrc() does not use it
    sys.modules["scattertext"] = stub
    try:
        log_odds = importlib.import_module("scattertext.termsignificance.LogOddsRatioInformativeDirichletPiror")
        lrc_spec = importlib.util.spec_from_file_location("_scattertext_lrc", root / "termscoring" / "lrc.py")
        lrc_mod = importlib.util.module_from_spec(lrc_spec)
        lrc_spec.loader.exec_module(lrc_mod)
        yield types.SimpleNamespace(LogOdds=log_odds.LogOddsRatioInformativeDirichletPrior, lrc=lrc_mod.lrc)
    finally:
        for name in set(sys.modules) - before:
            if name == "scattertext" or name.startswith("scattertext."):
                del sys.modules[name]

# The worked example used throughout: a term occurs f1 = 30 times in a target of n1 = 10,000 tokens and f2 = 10
# times in a reference of n2 = 20,000 tokens.
F1, F2, N1, N2 = 30, 10, 10_000, 20_000


# ------------------------------------------------------------------------------------------------- measures


def test_log_likelihood_worked_example():
    # N = 30,000; row totals R1 = f1 + f2 = 40, R2 = 29,960; column totals C1 = n1, C2 = n2.
    # E11 = 40 * 10000 / 30000 = 13.3333   E12 = 40 * 20000 / 30000 = 26.6667
    # E21 = 29960 * 10000 / 30000 = 9986.6667   E22 = 29960 * 20000 / 30000 = 19973.3333
    # G2 = 2 * (30 ln(30/13.3333) + 10 ln(10/26.6667) + 9970 ln(9970/9986.6667) + 19990 ln(19990/19973.3333))
    #    = 2 * (24.3279 - 9.8083 - 16.6528 + 16.6736) = 2 * 14.5404 = 29.081
    terms = [30 * math.log(30 / (40 * 10000 / 30000)), 10 * math.log(10 / (40 * 20000 / 30000)),
             9970 * math.log(9970 / (29960 * 10000 / 30000)), 19990 * math.log(19990 / (29960 * 20000 / 30000))]
    assert [round(t, 4) for t in terms] == [24.3279, -9.8083, -16.6528, 16.6736]
    assert log_likelihood(F1, F2, N1, N2) == pytest.approx(2 * sum(terms), rel=1e-12)
    assert log_likelihood(F1, F2, N1, N2) == pytest.approx(29.081, abs=5e-4)
    # the other direction: same size, negative sign (under-used in the target)
    assert log_likelihood(F2, F1, N2, N1) == pytest.approx(-29.081, abs=5e-4)
    assert log_likelihood(F2, F1, N2, N1, signed=False) == pytest.approx(29.081, abs=5e-4)
    # zero cells: 0 ln 0 = 0. f1 = 0, f2 = 5, n1 = n2 = 100: E11 = E12 = 2.5, E21 = E22 = 97.5
    # G2 = 2 * (5 ln(5/2.5) + 100 ln(100/97.5) + 95 ln(95/97.5)) = 2 * (3.4657 + 2.5318 - 2.4676) = 7.0599
    assert log_likelihood(0, 5, 100, 100) == pytest.approx(
        -2 * (5 * math.log(2) + 100 * math.log(100 / 97.5) + 95 * math.log(95 / 97.5)), rel=1e-12)
    # equal relative frequencies: no evidence at all
    assert log_likelihood(10, 20, 1000, 2000) == pytest.approx(0.0, abs=1e-9)


def test_chi_square_yates_worked_example():
    # O = [[30, 10], [9970, 19990]]; ad - bc = 30 * 19990 - 10 * 9970 = 599700 - 99700 = 500000
    # Yates: (|ad - bc| - N/2)^2 = (500000 - 15000)^2 = 485000^2 = 2.35225e11
    # chi2 = N * 2.35225e11 / (R1 R2 C1 C2) = 30000 * 2.35225e11 / (40 * 29960 * 10000 * 20000) = 29.4424
    expected = 30000 * 485000**2 / (40 * 29960 * 10000 * 20000)
    assert expected == pytest.approx(29.4424, abs=5e-5)
    assert chi_square(F1, F2, N1, N2) == pytest.approx(expected, rel=1e-12)
    # without Yates: 30000 * 500000^2 / (40 * 29960 * 10000 * 20000) = 31.2917
    assert chi_square(F1, F2, N1, N2, yates=False) == pytest.approx(30000 * 500000**2 / (40 * 29960 * 2e8), rel=1e-12)
    # Yates never makes the statistic negative: |ad - bc| < N/2 gives 0
    assert chi_square(1, 1, 1000, 1000) == 0.0
    assert chi_square(F2, F1, N2, N1) == pytest.approx(-expected, rel=1e-12)  # signed


def test_p_values():
    # chi2 with 1 df: P(X > 3.841459) = 0.05, P(X > 6.634897) = 0.01, P(X > 10.827566) = 0.001
    assert chi2_pvalue([3.841459, 6.634897, 10.827566]) == pytest.approx([0.05, 0.01, 0.001], rel=1e-5)
    assert chi2_pvalue(-3.841459) == pytest.approx(0.05, rel=1e-5)  # sign of a signed statistic ignored
    from scipy.stats import chi2

    x = np.linspace(0, 80, 401)
    assert np.allclose(chi2_pvalue(x), chi2.sf(x, 1), rtol=1e-10, atol=1e-300)


def test_log_ratio_worked_example():
    # log2((30 / 10000) / (10 / 20000)) = log2(0.003 / 0.0005) = log2(6) = 2.58496
    assert log_ratio(F1, F2, N1, N2) == pytest.approx(math.log2(6), rel=1e-12)
    assert log_ratio(F2, F1, N2, N1) == pytest.approx(-math.log2(6), rel=1e-12)
    # a zero count is replaced by 0.5: log2((4 / 10000) / (0.5 / 20000)) = log2(0.0004 / 0.000025) = log2(16) = 4
    assert log_ratio(4, 0, 10_000, 20_000) == pytest.approx(4.0)
    assert log_ratio(0, 4, 20_000, 10_000) == pytest.approx(-4.0)
    assert log_ratio(4, 0, 10_000, 20_000, zero_adjust=1.0) == pytest.approx(3.0)  # log2(0.0004 / 0.00005) = 3


def test_lrc_closed_form():
    # f2 = 0 gives the Clopper-Pearson lower bound in closed form: k = f1 = n -> pi_lo = (alpha / 2) ** (1 / k).
    # f1 = 10, n1 = n2 = 1000, alpha = 0.05, one term: pi_lo = 0.025 ** 0.1 = 0.691503
    # LRC = log2(n2 / n1 * pi_lo / (1 - pi_lo)) = log2(0.691503 / 0.308497) = log2(2.241521) = 1.164449
    lo = 0.025**0.1
    assert lo == pytest.approx(0.691503, abs=1e-6)
    assert conservative_log_ratio([10], [0], 1000, 1000, correct=False)[0] == pytest.approx(math.log2(lo / (1 - lo)))
    # mirrored: f1 = 0 -> pi_hi = 1 - (alpha / 2) ** (1 / k), LRC = log2(0.308497 / 0.691503) = -1.164449
    assert conservative_log_ratio([0], [10], 1000, 1000, correct=False)[0] == pytest.approx(
        math.log2((1 - lo) / lo))
    # Bonferroni over m = 4 terms: alpha' = 0.05 / 4, pi_lo = 0.00625 ** 0.1 = 0.602342 -> LRC = 0.600624
    lo4 = (0.05 / 2 / 4) ** 0.1
    got = conservative_log_ratio([10, 1, 1, 1], [0, 1, 1, 1], 1000, 1000)[0]
    assert got == pytest.approx(math.log2(lo4 / (1 - lo4)))
    assert got < conservative_log_ratio([10], [0], 1000, 1000)[0]  # the correction is more conservative
    # unequal sizes scale the bound: n2 / n1 = 2 -> + log2(2) = +1
    assert conservative_log_ratio([10], [0], 1000, 2000, correct=False)[0] == pytest.approx(
        1 + math.log2(lo / (1 - lo)))
    # an interval containing 0 gives 0
    assert conservative_log_ratio([3, 2], [2, 3], 1000, 1000, correct=False).tolist() == [0.0, 0.0]
    # LRC lies between 0 and Log Ratio
    lr = log_ratio(F1, F2, N1, N2)
    lrc = conservative_log_ratio([F1], [F2], N1, N2, correct=False)[0]
    assert 0 < lrc < lr


# scattertext's own lrc takes log2 of zero counts (its result is still finite where it matters)
@pytest.mark.filterwarnings("ignore:divide by zero encountered in log2:RuntimeWarning")
def test_lrc_equals_scattertext(scattertext):
    st_lrc = scattertext.lrc

    rng = np.random.default_rng(7)
    f1 = rng.poisson(rng.uniform(0.2, 40, 80)).astype(float)
    f2 = rng.poisson(rng.uniform(0.2, 40, 80)).astype(float)
    ok = f1 + f2 > 0
    f1, f2 = f1[ok], f2[ok]
    for correct in (True, False):
        ours = conservative_log_ratio(f1, f2, 40_000, 90_000, correct=correct)
        theirs = st_lrc(f1, f2, 40_000, 90_000, correct=correct)
        assert np.allclose(ours, theirs, rtol=0, atol=1e-9)
        assert (ours != 0).sum() > 5  # the comparison is not trivially all zeros


def test_percent_diff_worked_example():
    # NF1 = 30 / 10000 * 1e6 = 3000 per million, NF2 = 10 / 20000 * 1e6 = 500
    # %DIFF = 100 * (3000 - 500) / 500 = 500
    assert percent_diff(F1, F2, N1, N2) == pytest.approx(500.0)
    # absent from the target: -100
    assert percent_diff(0, 7, N1, N2) == pytest.approx(-100.0)
    # absent from the reference: NF2 replaced by 1e-18 -> 100 * 3000 / 1e-18 = 3e23
    assert percent_diff(30, 0, N1, N2) == pytest.approx(3e23)


def test_log_odds_worked_example():
    # y_i = [30, 70] (n_i = 100), y_j = [10, 190] (n_j = 200), prior alpha = y_i + y_j = [40, 260], a0 = 300.
    # term 0: delta = ln((30 + 40) / (100 + 300 - 30 - 40)) - ln((10 + 40) / (200 + 300 - 10 - 40))
    #               = ln(70 / 330) - ln(50 / 450) = -1.5506 - (-2.1972) = 0.6466
    # var = 1/70 + 1/330 + 1/50 + 1/450 = 0.014286 + 0.003030 + 0.02 + 0.002222 = 0.039538
    # z = 0.6466 / sqrt(0.039538) = 0.6466 / 0.198843 = 3.2520
    delta, z = log_odds_dirichlet([30, 70], [10, 190])
    d0 = math.log(70 / 330) - math.log(50 / 450)
    v0 = 1 / 70 + 1 / 330 + 1 / 50 + 1 / 450
    assert delta[0] == pytest.approx(d0, rel=1e-12)
    assert z[0] == pytest.approx(d0 / math.sqrt(v0), rel=1e-12)
    assert round(float(z[0]), 3) == 3.252
    assert z[1] == pytest.approx(-z[0])  # two terms: symmetric


def test_log_odds_equals_scattertext(scattertext):
    LogOddsRatioInformativeDirichletPrior = scattertext.LogOdds

    rng = np.random.default_rng(3)
    y_i = rng.poisson(4, 500).astype(float)
    y_j = rng.poisson(6, 500).astype(float)
    prior = y_i + y_j + rng.poisson(3, 500)
    ref = LogOddsRatioInformativeDirichletPrior(prior, scale_type="none").get_zeta_i_j_given_separate_counts(y_i, y_j)
    _, z = log_odds_dirichlet(y_i, y_j, prior)
    assert np.max(np.abs(z - ref)) < 1e-9
    ref = LogOddsRatioInformativeDirichletPrior(prior, sigma=250, scale_type="word").get_zeta_i_j_given_separate_counts(
        y_i, y_j)
    _, z = log_odds_dirichlet(y_i, y_j, prior, prior_scale=250)
    assert np.max(np.abs(z - ref)) < 1e-9


def test_keyness_log_odds_equals_scattertext_on_corpus_counts(scattertext):
    LogOddsRatioInformativeDirichletPrior = scattertext.LogOdds

    corpus = _corpus()
    dtm = document_term_matrix(corpus, tokenizer=WS)
    out = keyness(dtm, by="region", target="甲市", measures="log_odds", min_count=1)
    X = dtm.matrix.toarray().astype(float)
    t = (dtm.docs["region"] == "甲市").to_numpy()
    y_i, y_j = X[t].sum(axis=0), X[~t].sum(axis=0)
    ref = LogOddsRatioInformativeDirichletPrior(X.sum(axis=0), scale_type="none").get_zeta_i_j_given_separate_counts(
        y_i, y_j)
    expected = pd.Series(ref, index=dtm.vocabulary)
    got = out.set_index("term")["log_odds_z"]
    assert len(got) == dtm.shape[1]
    assert np.max(np.abs(got - expected[got.index])) < 1e-9


# ------------------------------------------------------------------------------------------------- the table


def _corpus():
    texts = [
        "放管服 改革 放管服 营商 环境 改革 发展",
        "放管服 改革 营商 环境 发展 发展",
        "法治 政府 法治 依法 行政 发展",
        "法治 政府 改革 发展 依法 行政",
        "生态 环境 保护 发展 改革",
    ]
    meta = {"region": ["甲市", "甲市", "乙市", "乙市", "丙市"], "year": [2022, 2023, 2022, 2023, 2023]}
    return pt.Corpus.from_texts(texts, metadata=meta)


COLUMNS = ["term", "count_target", "count_reference", "per_10k_target", "per_10k_reference"]


def test_target_vs_rest_columns_and_values():
    out = keyness(_corpus(), by="region", target="甲市", min_count=1, tokenizer=WS,
                  measures=["g2", "chi2", "log_ratio", "lrc", "pct_diff", "log_odds"])
    assert list(out.columns) == COLUMNS + ["g2", "p_value", "chi2", "p_value_chi2", "log_ratio", "lrc", "pct_diff",
                                           "log_odds_z"]
    # target: docs 0-1 (7 + 6 = 13 tokens), reference: docs 2-4 (6 + 6 + 5 = 17 tokens)
    assert out.attrs["tokens_target"] == 13 and out.attrs["tokens_reference"] == 17
    row = out.set_index("term").loc["放管服"]
    assert (row["count_target"], row["count_reference"]) == (3, 0)
    assert row["per_10k_target"] == pytest.approx(1e4 * 3 / 13)
    assert row["g2"] == pytest.approx(log_likelihood(3, 0, 13, 17))
    assert row["log_ratio"] == pytest.approx(math.log2((3 / 13) / (0.5 / 17)))
    assert row["p_value"] == pytest.approx(chi2_pvalue(row["g2"]))
    # positive log_ratio = over-used in the target, negative = under-used
    assert (np.sign(out["log_ratio"]) == np.sign(out["per_10k_target"] - out["per_10k_reference"])).all()
    assert out["g2"].is_monotonic_decreasing  # sorted by the first measure
    # count_target + count_reference is the corpus total of the term
    totals = document_term_matrix(_corpus(), tokenizer=WS).term_counts
    assert (out.set_index("term")[["count_target", "count_reference"]].sum(axis=1) == totals[out["term"]].values).all()


def test_p_value_naming_and_bonferroni():
    c = _corpus()
    only_chi = keyness(c, by="region", target="甲市", measures="chi2", min_count=1, tokenizer=WS)
    assert list(only_chi.columns)[-2:] == ["chi2", "p_value"]
    raw = keyness(c, by="region", target="甲市", measures="g2", min_count=1, tokenizer=WS)
    adj = keyness(c, by="region", target="甲市", measures="g2", min_count=1, tokenizer=WS, correction="bonferroni")
    m = len(raw)
    assert np.allclose(adj["p_value"], np.minimum(1.0, raw["p_value"] * m))


def test_pairwise_and_lists_of_groups():
    c = _corpus()
    pair = keyness(c, by="region", target="甲市", reference="乙市", min_count=1, tokenizer=WS)
    assert pair.attrs["docs_target"] == 2 and pair.attrs["docs_reference"] == 2
    row = pair.set_index("term").loc["法治"]
    assert (row["count_target"], row["count_reference"]) == (0, 3)
    assert "保护" not in set(pair["term"])  # only in 丙市: zero in both compared groups
    pooled = keyness(c, by="region", target=["甲市", "丙市"], reference="乙市", min_count=1, tokenizer=WS)
    assert pooled.attrs["docs_target"] == 3
    two_cols = keyness(c, by=["region", "year"], target=("甲市", 2022), min_count=1, tokenizer=WS)
    assert two_cols.attrs["docs_target"] == 1
    year_as_text = keyness(c, by="year", target="2022", min_count=1, tokenizer=WS)
    assert year_as_text.attrs["docs_target"] == 2


def test_every_group_vs_rest():
    c = _corpus()
    out = keyness(c, by="region", min_count=1, tokenizer=WS)
    assert list(out.columns) == ["group"] + COLUMNS + ["g2", "p_value", "log_ratio"]
    assert set(out["group"]) == {"甲市", "乙市", "丙市"}
    single = keyness(c, by="region", target="乙市", min_count=1, tokenizer=WS)
    part = out[out["group"] == "乙市"].drop(columns="group").reset_index(drop=True)
    pd.testing.assert_frame_equal(part, single, check_like=False)
    top = keyness(c, by="region", min_count=1, tokenizer=WS, top=2)
    assert top.groupby("group").size().max() == 2


def test_doc_masks_and_ids():
    c = _corpus()
    by_ids = keyness(c, target=["0", "1"], min_count=1, tokenizer=WS)
    by_mask = keyness(c, target=np.array([True, True, False, False, False]), min_count=1, tokenizer=WS)
    by_group = keyness(c, by="region", target="甲市", min_count=1, tokenizer=WS)
    pd.testing.assert_frame_equal(by_ids, by_mask)
    pd.testing.assert_frame_equal(by_ids, by_group)


def test_min_count_filters():
    c = _corpus()
    out = keyness(c, by="region", target="甲市", min_count=3, tokenizer=WS)
    assert (out["count_target"] + out["count_reference"] >= 3).all()
    out = keyness(c, by="region", target="甲市", min_count=1, min_count_target=2, tokenizer=WS)
    assert (out["count_target"] >= 2).all() and len(out) > 0


def test_errors():
    c = _corpus()
    with pytest.raises(ParameterError, match=r"'丁市' is not a value of 'region'; available: 丙市, 乙市, 甲市"):
        keyness(c, by="region", target="丁市", tokenizer=WS)
    with pytest.raises(ParameterError, match="unknown keyness measure"):
        keyness(c, by="region", target="甲市", measures="tfidf", tokenizer=WS)
    with pytest.raises(ParameterError, match="share a group"):
        keyness(c, by="region", target="甲市", reference=["甲市", "乙市"], tokenizer=WS)
    with pytest.raises(ParameterError, match="no document column"):
        keyness(c, by="province", target="甲市", tokenizer=WS)
    with pytest.raises(ParameterError, match="needs by="):
        keyness(c, tokenizer=WS)
    dtm = document_term_matrix(c, tokenizer=WS)
    with pytest.raises(ParameterError, match="already built"):
        keyness(dtm, by="region", target="甲市", stopwords="policy")


def test_real_corpus_cities(gov_corpus):
    """Every city against the rest on a slice of the gov-report corpus: counts add up, signs agree."""
    cities = gov_corpus.filter(collection="政府工作报告-主要城市")
    regions = sorted(cities.filter(year=[2020]).docs["region"].unique())[:5]
    sub = cities.filter(region=regions, year=[2020])
    dtm = document_term_matrix(sub, stopwords="general")
    out = keyness(dtm, by="region", measures="g2,log_ratio,lrc,log_odds", min_count=10)
    assert set(out["group"]) == set(regions)
    totals = dtm.term_counts
    sums = out.groupby("group").apply(lambda g: (g["count_target"] + g["count_reference"]
                                                 == totals[g["term"]].to_numpy()).all())
    assert sums.all()
    agree = out[(out["lrc"] != 0)]
    assert (np.sign(agree["lrc"]) == np.sign(agree["log_ratio"])).all()
    # each region's own name is among its strongest keywords (the reports name their city)
    for region in regions:
        top = out[out["group"] == region].head(30)["term"].tolist()
        short = region.rstrip("市")
        assert any(short in t for t in top), (region, top[:10])
