"""policytext.stats.trends: panels of terms / dictionaries / themes and trend tests."""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import policytext as pt
from policytext.errors import InputError, ParameterError
from policytext.stats import mann_kendall, ols_slopes, panel, trend_tests, trends


class WhitespaceTokenizer:
    def tokenize(self, text):
        return [pt.Token(m.group(), m.start(), m.end(), "n") for m in re.finditer(r"\S+", text)]


WS = WhitespaceTokenizer()


def corpus():
    # 甲: 营商环境 grows 1, 2, 3 per 10 tokens; 乙: 法治政府 falls 3, 2, 1 (and 甲 has no report in 2021)
    texts, region, year = [], [], []
    for y, k in zip((2019, 2020, 2021), (1, 2, 3)):
        if y != 2021:
            texts.append(" ".join(["营商环境"] * k + ["其他"] * (10 - k)))
            region.append("甲")
            year.append(y)
        texts.append(" ".join(["法治政府"] * (4 - k) + ["其他"] * (6 + k)) + f" {y}年")
        region.append("乙")
        year.append(y)
    texts.append(" ".join(["营商环境"] * 3 + ["其他"] * 7) + " 结尾")
    region.append("甲")
    year.append(2022)
    return pt.Corpus.from_texts(texts, metadata={"region": region, "year": year})


def test_panel_terms_shape_and_values():
    p = panel(corpus(), ["营商环境", "法治政府"], tokenizer=WS)
    assert p.index.names == ["region", "year"]
    assert list(p.columns) == ["营商环境", "法治政府"]
    # no report of 甲 in 2021: the row is absent, not filled with zeros
    assert ("甲", 2021) not in p.index and ("乙", 2021) in p.index
    assert p.loc[("甲", 2019), "营商环境"] == pytest.approx(1e4 * 1 / 10)
    assert p.loc[("乙", 2019), "法治政府"] == pytest.approx(1e4 * 3 / 11)  # 10 words + "2019年"
    assert p.loc[("乙", 2019), "营商环境"] == 0.0
    flat = panel(corpus(), ["营商环境"], tokenizer=WS, index=False)
    assert list(flat.columns) == ["region", "year", "营商环境"]
    long = panel(corpus(), ["营商环境"], tokenizer=WS, wide=False, value="count")
    assert list(long.columns) == ["region", "year", "term", "count", "group_tokens"]
    national = panel(corpus(), ["营商环境"], tokenizer=WS, entity=None)
    assert national.index.names == ["year"] and len(national) == 4


def test_panel_feeds_statsmodels():
    smf = pytest.importorskip("statsmodels.formula.api")
    p = panel(corpus(), ["营商环境", "法治政府"], tokenizer=WS, index=False).rename(
        columns={"营商环境": "biz", "法治政府": "law"})
    fit = smf.ols("biz ~ year + C(region)", data=p).fit()
    assert fit.nobs == len(p)


def test_panel_warns_about_terms_never_counted():
    with pytest.warns(UserWarning, match="never counted as a token"):
        panel(corpus(), ["营商"], tokenizer=WS)


def test_panel_dictionary_and_labels():
    c = pt.Corpus.from_texts(["优化营商环境。建设法治政府。", "营商环境持续优化。深化改革。", "建设法治政府。依法行政。"],
                             metadata={"region": ["甲", "甲", "乙"], "year": [2022, 2023, 2022]})
    dic = panel(c, dictionary={"营商": ["营商*"], "法治": ["法治政府", "依法行政"]}, value="count")
    assert dic.loc[("甲", 2022)].tolist() == [1, 1] and dic.loc[("乙", 2022)].tolist() == [0, 2]
    share = panel(c, dictionary={"法治": ["法治政府", "依法行政"]}, value="sentence_share")
    assert share.loc[("乙", 2022), "法治"] == 1.0 and share.loc[("甲", 2022), "法治"] == 0.5
    sents = c.sentences[["doc_id", "sent_id", "text"]].copy()
    sents["theme"] = ["biz", "law", "biz", None, "law", "law"]
    lab = panel(c, labels=sents)
    assert list(lab.columns) == ["biz", "law"]
    # 甲 2023: two sentences, one 'biz', one without a theme (counts in the denominator only)
    assert lab.loc[("甲", 2023)].tolist() == [0.5, 0.0]
    counts = panel(c, labels=sents, wide=False, value="count")
    assert counts["count"].sum() == 5 and counts.drop_duplicates(["region", "year"])["sentences"].sum() == 6
    with pytest.raises(InputError, match="sentence table"):
        panel(c, labels=pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="exactly one"):
        panel(c, ["营商环境"], dictionary={"a": ["b"]})
    with pytest.raises(ParameterError, match="value"):
        panel(c, labels=sents, value="per_10k")


def test_ols_slopes_equal_linregress():
    rng = np.random.default_rng(1)
    x = np.tile(np.arange(2010, 2020, dtype=float), 3)
    g = np.repeat([0, 1, 2], 10)
    y = np.concatenate([2 * np.arange(10) + rng.normal(0, 1, 10), -np.arange(10) + rng.normal(0, 3, 10),
                        rng.normal(5, 1, 10)])
    out = ols_slopes(x, y, g)
    for k in range(3):
        ref = sps.linregress(x[g == k], y[g == k])
        assert out.loc[k, "slope"] == pytest.approx(ref.slope, rel=1e-9)
        assert out.loc[k, "intercept"] == pytest.approx(ref.intercept, rel=1e-9)
        assert out.loc[k, "std_err"] == pytest.approx(ref.stderr, rel=1e-9)
        assert out.loc[k, "p_value"] == pytest.approx(ref.pvalue, rel=1e-7)
        assert out.loc[k, "r2"] == pytest.approx(ref.rvalue**2, rel=1e-9)


def test_ols_worked_example():
    # y = 1, 3, 2, 5 at x = 0..3: mean x = 1.5, mean y = 2.75, Sxx = 5, Sxy = (-1.5)(-1.75) + (-.5)(.25) + (.5)(-.75)
    # + (1.5)(2.25) = 2.625 - 0.125 - 0.375 + 3.375 = 5.5 -> slope 1.1; Syy = 3.0625 + .0625 + .5625 + 5.0625 = 8.75
    # SSE = 8.75 - 1.1 * 5.5 = 2.7; se = sqrt(2.7 / 2 / 5) = 0.5196; t = 2.1170; p = 2 P(T_2 > 2.117) = 0.1685
    out = ols_slopes([0, 1, 2, 3], [1, 3, 2, 5], [0, 0, 0, 0]).iloc[0]
    assert out["slope"] == pytest.approx(1.1)
    assert out["std_err"] == pytest.approx(math.sqrt(2.7 / 2 / 5))
    assert out["t"] == pytest.approx(1.1 / math.sqrt(0.27))
    assert out["p_value"] == pytest.approx(2 * sps.t.sf(1.1 / math.sqrt(0.27), 2))
    assert round(out["p_value"], 4) == 0.1685


def test_mann_kendall_worked_examples():
    # strictly increasing, n = 5: S = 10 (all 10 pairs rise), Var(S) = 5 * 4 * 15 / 18 = 16.667,
    # Z = (10 - 1) / sqrt(16.667) = 2.2045, p = 2 * (1 - Phi(2.2045)) = 0.0275, tau = 1, Sen's slope = 2
    mk = mann_kendall([1, 2, 3, 4, 5], [2, 4, 6, 8, 10], [0] * 5).iloc[0]
    assert mk["mk_s"] == 10 and mk["mk_tau"] == 1.0
    assert mk["mk_z"] == pytest.approx(9 / math.sqrt(5 * 4 * 15 / 18))
    assert mk["mk_p"] == pytest.approx(0.0275, abs=5e-5)
    assert mk["sen_slope"] == pytest.approx(2.0)
    # ties: y = 1, 1, 2, 3 (one tie group of size 2). Pairs: (1,1)=0, five rising -> S = 5.
    # Var = [4*3*13 - 2*1*9] / 18 = (156 - 18) / 18 = 7.6667; Z = 4 / sqrt(7.6667) = 1.4446
    mk = mann_kendall([0, 1, 2, 3], [1, 1, 2, 3], [0] * 4).iloc[0]
    assert mk["mk_s"] == 5
    assert mk["mk_z"] == pytest.approx(4 / math.sqrt(138 / 18))
    # unordered input and several groups at once; fewer than 3 points -> NaN
    mk = mann_kendall([3, 1, 2, 1, 2], [1, 3, 2, 5, 5], [0, 0, 0, 1, 1])
    assert mk.loc[0, "mk_s"] == -3 and np.isnan(mk.loc[1, "mk_s"])


def test_trends_on_corpus():
    tr = trends(corpus(), ["营商环境", "法治政府"], by="region", tokenizer=WS, test="both")
    row = tr.set_index(["region", "term"]).loc[("甲", "营商环境")]
    # 甲: 1000, 2000, 3000 per 10k in 2019, 2020, 2022 (3 tokens of 11 in 2022: 2727.27)
    assert row["n_periods"] == 3 and row["start"] == 2019 and row["end"] == 2022
    x = np.array([2019, 2020, 2022])
    y = np.array([1000, 2000, 1e4 * 3 / 11])
    ref = sps.linregress(x, y)
    assert row["slope"] == pytest.approx(ref.slope) and row["p_value"] == pytest.approx(ref.pvalue)
    assert row["mk_tau"] == 1.0
    law = tr.set_index(["region", "term"]).loc[("乙", "法治政府")]
    assert law["slope"] < 0 and law["mk_tau"] == -1.0
    series = trends(corpus(), ["营商环境"], by="region", tokenizer=WS, series=True)
    assert list(series.columns) == ["region", "year", "term", "count", "group_tokens", "per_10k"]


def test_trends_on_a_table_and_min_periods():
    table = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 2, "year": [1, 2, 3, 4, 1, 2], "v": [1, 2, 3, 5, 2, 1]})
    out = trends(table, by="g", value="v")
    assert np.isnan(out.loc[1, "slope"]) and out.loc[1, "n_periods"] == 2  # kept, not dropped
    assert out.loc[0, "slope"] == pytest.approx(sps.linregress([1, 2, 3, 4], [1, 2, 3, 5]).slope)
    with pytest.raises(ParameterError, match="value="):
        trends(table, by="g")
    with pytest.raises(ParameterError, match="test must be"):
        trend_tests(table, value="v", by="g", test="spline")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bad = table.assign(year=[1, None, 3, 4, 1, 2])
        trend_tests(bad, value="v", by="g")
    assert any("left out" in str(w.message) for w in caught)
