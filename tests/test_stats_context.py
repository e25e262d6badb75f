"""policytext.stats.context: KWIC offsets, collocation measures, dispersion."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policytext as pt
from policytext.errors import ParameterError
from policytext.stats import collocations, dispersion, document_term_matrix, kwic, log_likelihood


class WhitespaceTokenizer:
    def tokenize(self, text):
        return [pt.Token(m.group(), m.start(), m.end(), "n") for m in re.finditer(r"\S+", text)]


WS = WhitespaceTokenizer()


# ------------------------------------------------------------------------------------------------------ kwic


def test_kwic_chars():
    c = pt.Corpus.from_texts(["深化放管服改革，优化营商环境。放管服", "无关"],
                             metadata={"region": ["甲市", "乙市"], "year": [2023, 2022]})
    k = kwic(c, "放管服", window=3)
    assert list(k.columns) == ["doc_id", "start", "end", "left", "keyword", "right", "region", "year", "title"]
    assert k[["left", "keyword", "right"]].values.tolist() == [["深化", "放管服", "改革，"], ["环境。", "放管服", ""]]
    assert k["start"].tolist() == [2, 15] and k["region"].tolist() == ["甲市", "甲市"]
    several = kwic(c, ["放管服", "营商*"], window=0)
    assert several["keyword"].tolist() == ["放管服", "营商", "放管服"]
    rx = kwic(c, r"优化\w{2}", regex=True, window=1)
    assert rx["keyword"].tolist() == ["优化营商"]
    assert kwic(c, "不存在").empty


def test_kwic_tokens():
    c = pt.Corpus.from_texts(["一 二 三 放管服 改革 四 五"])
    k = kwic(c, "放管服", window=2, unit="tokens", tokenizer=WS)
    assert k[["left", "keyword", "right"]].values.tolist() == [["二 三 ", "放管服", " 改革 四"]]
    edge = kwic(c, "一", window=5, unit="tokens", tokenizer=WS)
    assert edge.loc[0, "left"] == "" and edge.loc[0, "right"] == " 二 三 放管服 改革 四"


def test_kwic_errors():
    c = pt.Corpus.from_texts(["文本"])
    with pytest.raises(ParameterError):
        kwic(c, "文", window=-1)
    with pytest.raises(ParameterError):
        kwic(c, "文", unit="words")
    with pytest.raises(ParameterError, match="invalid regular expression"):
        kwic(c, "(", regex=True)


@settings(max_examples=50, deadline=None)
@given(
    left=st.text(alphabet="改革发展，。 \n营商环境ab", max_size=30),
    right=st.text(alphabet="改革发展，。 \n营商环境ab", max_size=30),
    window=st.integers(0, 12),
)
def test_kwic_offsets_exact(left, right, window):
    c = pt.Corpus.from_texts(["起" + left + "放管服" + right + "止"])
    text = c.docs["text"][0]
    k = kwic(c, "放管服", window=window)
    assert len(k) == text.count("放管服")
    for row in k.itertuples():
        assert text[row.start : row.end] == row.keyword == "放管服"
        assert row.left == text[max(0, row.start - window) : row.start]
        assert row.right == text[row.end : row.end + window]


def test_kwic_real_corpus(gov_corpus):
    sub = gov_corpus.filter(collection="政府工作报告-主要城市", year=[2020])
    k = kwic(sub, ["放管服", "营商环境"], window=15)
    assert len(k) > 50
    texts = dict(zip(sub.docs["doc_id"], sub.docs["text"]))
    for row in k.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.keyword
        assert texts[row.doc_id][row.start - len(row.left) : row.start] == row.left
    assert k["year"].eq(2020).all() and k["region"].notna().all()


# ------------------------------------------------------------------------------------------------------ collocations


def test_collocations_window_worked_example():
    # 12 tokens without punctuation; node 放管服 twice, each with one left and one right neighbour (window 1)
    c = pt.Corpus.from_texts(["深化 放管服 改革 。 深化 放管服 改革 。 推进 法治 建设 。 优化 营商 环境"])
    col = collocations(c, "放管服", window=1, min_count=1, tokenizer=WS, measures=("pmi", "g2", "t", "log_dice"))
    row = col.set_index("collocate").loc["改革"]
    # O11 = 2, R1 = 4 window slots, C1 = f(改革) = 2, N = 12 tokens -> E11 = 4 * 2 / 12 = 0.6667
    n, r1, c1, o = 12, 4, 2, 2
    e = r1 * c1 / n
    assert row["count"] == 2 and row["count_collocate"] == 2 and row["count_node"] == 2
    assert row["expected"] == pytest.approx(e)
    assert row["pmi"] == pytest.approx(math.log2(o / e))  # log2(3) = 1.585
    assert row["g2"] == pytest.approx(log_likelihood(o, c1 - o, r1, n - r1))
    assert row["t"] == pytest.approx((o - e) / math.sqrt(o))
    assert row["log_dice"] == pytest.approx(14 + math.log2(2 * 2 / (2 + 2)))
    assert set(col["collocate"]) == {"改革", "深化"}  # windows stop at 。


def test_collocations_sentence_and_pairs():
    c = pt.Corpus.from_texts(["甲 乙 丙 。 甲 丙 。 乙 丁 。 丁 戊"])
    sent = collocations(c, "甲", unit="sentence", min_count=1, tokenizer=WS)
    row = sent.set_index("collocate").loc["丙"]
    # 4 sentences; 甲 in 2, 丙 in 2, both in 2: E11 = 2 * 2 / 4 = 1, PMI = log2(2 / 1) = 1
    assert row["count"] == 2 and row["expected"] == pytest.approx(1.0) and row["pmi"] == pytest.approx(1.0)
    pairs = collocations(c, None, min_count=1, tokenizer=WS)
    got = {(a, b): n for a, b, n in pairs[["node", "collocate", "count"]].itertuples(index=False)}
    assert got == {("甲", "乙"): 1, ("乙", "丙"): 1, ("甲", "丙"): 1, ("乙", "丁"): 1, ("丁", "戊"): 1}
    assert ("丙", "乙") not in got  # across 。 never
    with pytest.raises(ParameterError, match="needs a node"):
        collocations(c, None, unit="sentence", tokenizer=WS)
    absent = collocations(c, "不存在", tokenizer=WS)
    assert absent.empty


def test_collocations_real_corpus(gov_corpus):
    sub = gov_corpus.filter(collection="政府工作报告-主要城市", year=[2020])
    col = collocations(sub, "营商环境", window=3, stopwords="general", top=20)
    assert len(col) == 20 and (col["count"] >= 3).all()
    assert col["pmi"].is_monotonic_decreasing
    assert "优化" in set(collocations(sub, "营商环境", window=3, measures="g2", top=10)["collocate"])


# ------------------------------------------------------------------------------------------------------ dispersion


def test_dispersion_worked_example():
    # parts of 2, 2 and 4 tokens (S = 8): s = .25, .25, .5
    c = pt.Corpus.from_texts(["改革 发展", "改革 稳定", "改革 法治 法治 法治"], metadata={"region": ["甲", "甲", "乙"]})
    d = dispersion(c, ["改革", "法治", "不存在"], tokenizer=WS).set_index("term")
    # 改革: v = 1/3 each; DP = .5 * (|1/3 - .25| + |1/3 - .25| + |1/3 - .5|) = .5 * (1/12 + 1/12 + 1/6) = 1/6
    assert d.loc["改革", "dp"] == pytest.approx(1 / 6)
    assert d.loc["改革", "dp_norm"] == pytest.approx((1 / 6) / (1 - 0.25))
    # Juilland: p = .5, .5, .25; mean = 5/12, sd = sqrt(mean(p^2) - mean^2) = sqrt(.1875 - .173611) = .117851
    # V = .117851 / .416667 = .282843; D = 1 - V / sqrt(2) = 0.8
    assert d.loc["改革", "juilland_d"] == pytest.approx(0.8)
    # 法治 only in part 3: DP = .5 * (.25 + .25 + |1 - .5|) = .5
    assert d.loc["法治", "dp"] == pytest.approx(0.5) and d.loc["法治", "range"] == 1
    assert np.isnan(d.loc["不存在", "dp"]) and d.loc["不存在", "count"] == 0
    by_region = dispersion(c, ["改革"], parts="region", tokenizer=WS).iloc[0]
    # parts 甲 (4 tokens, 2 x 改革) and 乙 (4 tokens, 1 x 改革): DP = .5 * (|2/3 - .5| + |1/3 - .5|) = 1/6
    assert by_region["parts"] == 2 and by_region["dp"] == pytest.approx(1 / 6)


def test_dispersion_proportional_term_is_zero_and_matrix_input():
    c = pt.Corpus.from_texts(["甲 乙", "甲 乙 甲 乙", "甲 乙 甲 乙 甲 乙"])
    dtm = document_term_matrix(c, tokenizer=WS)
    d = dispersion(dtm).set_index("term")
    assert d.loc["甲", "dp"] == pytest.approx(0.0, abs=1e-12) and d.loc["甲", "juilland_d"] == pytest.approx(1.0)
    assert list(d.columns) == ["count", "parts", "range", "range_share", "dp", "dp_norm", "juilland_d"]
