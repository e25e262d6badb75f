"""policytext.stats.counts: document-term matrix, filters, grouped frequencies, dictionary coding."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policytext as pt
from policytext.errors import ParameterError
from policytext.stats import (
    DocumentTermMatrix,
    dictionary_counts,
    dictionary_matches,
    document_term_matrix,
    term_frequencies,
)

TAGS = {"改革": "vn", "推进": "v", "深化": "v", "。": "w", "，": "w", "2023": "m", "了": "u", "的": "u"}


class WhitespaceTokenizer:
    def tokenize(self, text):
        return [pt.Token(m.group(), m.start(), m.end(), TAGS.get(m.group(), "n")) for m in re.finditer(r"\S+", text)]


WS = WhitespaceTokenizer()


def corpus():
    texts = [
        "深化 放管服 改革 ， 优化 营商环境 。 放管服 改革 的 成效 2023",
        "推进 法治政府 建设 。 法治政府 的 建设 了",
        "深化 改革 ， 推进 放管服 。 营商环境 持续 优化",
    ]
    meta = {"region": ["甲市", "乙市", "甲市"], "year": [2022, 2022, 2023]}
    return pt.Corpus.from_texts(texts, metadata=meta)


def dense(dtm: DocumentTermMatrix) -> pd.DataFrame:
    return pd.DataFrame(dtm.matrix.toarray(), index=dtm.doc_ids, columns=dtm.vocabulary)


def test_matrix_counts_and_lengths():
    dtm = document_term_matrix(corpus(), tokenizer=WS)
    d = dense(dtm)
    assert d.loc["0", "放管服"] == 2 and d.loc["2", "放管服"] == 1 and d.loc["1", "放管服"] == 0
    assert d.loc["1", "法治政府"] == 2
    assert "，" not in d.columns and "。" not in d.columns  # punctuation
    assert "2023" not in d.columns  # numbers
    # lengths: tokens without punctuation, whatever the vocabulary filters
    assert dtm.doc_lengths.tolist() == [10, 7, 7]
    assert document_term_matrix(corpus(), tokenizer=WS, stopwords="general").doc_lengths.tolist() == [10, 7, 7]
    # most frequent first, ties in code-point order
    counts = dtm.term_counts
    assert counts.is_monotonic_decreasing
    assert dtm.matrix.has_sorted_indices
    assert dtm.shape == (3, len(dtm.vocabulary))
    assert dtm.docs.columns.tolist()[:1] == ["doc_id"] and "text" not in dtm.docs.columns


def test_filters():
    c = corpus()
    base = set(document_term_matrix(c, tokenizer=WS).vocabulary)
    assert {"的", "了"} <= base
    no_stop = set(document_term_matrix(c, tokenizer=WS, stopwords=["的", "了"]).vocabulary)
    assert base - no_stop == {"的", "了"}
    bundled = set(document_term_matrix(c, tokenizer=WS, stopwords="policy").vocabulary)
    assert "的" not in bundled and "推进" not in bundled and "放管服" in bundled
    assert "2023" in set(document_term_matrix(c, tokenizer=WS, remove_numbers=False).vocabulary)
    assert "。" in set(document_term_matrix(c, tokenizer=WS, remove_punct=False).vocabulary)
    assert document_term_matrix(c, tokenizer=WS, remove_punct=False).doc_lengths.tolist() == [12, 8, 9]
    assert not {"的", "了"} & set(document_term_matrix(c, tokenizer=WS, remove_single=True).vocabulary)
    mc = document_term_matrix(c, tokenizer=WS, min_count=3)
    assert set(mc.vocabulary) == {"放管服", "改革"}
    md = document_term_matrix(c, tokenizer=WS, min_docs=2)
    assert set(md.vocabulary) == {"放管服", "改革", "深化", "推进", "营商环境", "优化", "的"}
    mx = document_term_matrix(c, tokenizer=WS, max_docs=1)
    assert "放管服" not in set(mx.vocabulary) and "法治政府" in set(mx.vocabulary)
    share = document_term_matrix(c, tokenizer=WS, max_docs=0.5)
    assert set(share.vocabulary) == set(mx.vocabulary)
    nouns = document_term_matrix(c, tokenizer=WS, pos="n")
    assert not {"改革", "推进", "深化", "的"} & set(nouns.vocabulary) and "放管服" in set(nouns.vocabulary)
    verbs = document_term_matrix(c, tokenizer=WS, pos=["v"], exclude_pos="vn")
    assert set(verbs.vocabulary) == {"推进", "深化"}


def test_filter_errors():
    c = corpus()
    with pytest.raises(ParameterError, match="min_count"):
        document_term_matrix(c, tokenizer=WS, min_count=-1)
    with pytest.raises(ParameterError, match="max_docs"):
        document_term_matrix(c, tokenizer=WS, max_docs=1.5)
    with pytest.raises(ParameterError, match="stopwords"):
        document_term_matrix(c, tokenizer=WS, stopwords=3)
    with pytest.raises(ParameterError, match="part-of-speech"):
        document_term_matrix(c, tokenizer=lambda t: t.split(), pos="n")


def test_vocabulary_and_multiword():
    class CharTokenizer:
        def tokenize(self, text):
            return [pt.Token(ch, i, i + 1, "n") for i, ch in enumerate(text) if not ch.isspace()]

    c = pt.Corpus.from_texts(["放管服改革，放管服", "营商环境 营商"])
    # lexicon terms are joined by default (放管服, 营商环境 are lexicon entries)
    dtm = document_term_matrix(c, tokenizer=CharTokenizer())
    d = dense(dtm)
    assert d.loc["0", "放管服"] == 2 and d.loc["1", "营商环境"] == 1 and "放" not in d.columns
    assert "营" in d.columns  # 营商 with a space after it stays characters
    # without joining: characters
    raw = document_term_matrix(c, tokenizer=CharTokenizer(), multiword=None)
    assert "放管服" not in set(raw.vocabulary)
    # user terms, also compounds of other terms
    user = document_term_matrix(c, tokenizer=CharTokenizer(), user_terms=["放管服改革"])
    assert dense(user).loc["0", "放管服改革"] == 1 and dense(user).loc["0", "放管服"] == 1
    # an explicit vocabulary: exactly these columns, in this order, zeros for absent terms
    voc = document_term_matrix(c, tokenizer=CharTokenizer(), vocabulary=["放管服改革", "不存在", "营商环境"])
    assert list(voc.vocabulary) == ["放管服改革", "不存在", "营商环境"]
    assert voc.matrix.toarray().tolist() == [[1, 0, 0], [0, 0, 1]]
    with pytest.raises(ParameterError, match="repeated"):
        document_term_matrix(c, tokenizer=CharTokenizer(), vocabulary=["a", "a"])


def test_numerals_in_lexicon_terms_are_kept():
    c = pt.Corpus.from_texts(["十四五 规划 十四五 三"])
    vocab = set(document_term_matrix(c, tokenizer=WS).vocabulary)
    assert "十四五" in vocab and "三" not in vocab


def test_to_frame_and_filter():
    dtm = document_term_matrix(corpus(), tokenizer=WS)
    long = dtm.to_frame()
    assert list(long.columns) == ["doc_id", "term", "count"]
    assert long["count"].sum() == dtm.matrix.sum() and (long["count"] > 0).all()
    wide = dtm.to_frame("wide")
    assert wide.shape == dtm.shape and wide.loc["0", "放管服"] == 2
    sub = dtm.filter(region="甲市")
    assert sub.doc_ids == ["0", "2"] and sub.shape[1] == dtm.shape[1]
    assert dtm.column("放管服").tolist() == [2, 0, 1]
    with pytest.raises(KeyError, match="not in the vocabulary"):
        dtm.column("不存在")
    assert "放管服" in dtm and "不存在" not in dtm


def test_default_tokenizer_end_to_end():
    c = pt.Corpus.from_texts(["深化“放管服”改革，持续优化营商环境。", "建设法治政府，推进依法行政。"])
    dtm = document_term_matrix(c)
    d = dense(dtm)
    assert d.loc["0", "放管服"] == 1 and d.loc["0", "营商环境"] == 1 and d.loc["1", "法治政府"] == 1


# -------------------------------------------------------------------------------------------- grouped tables


def test_term_frequencies_long_and_wide():
    c = corpus()
    tf = term_frequencies(c, by="region", tokenizer=WS)
    assert list(tf.columns) == ["region", "term", "count", "group_tokens", "per_10k", "doc_freq", "group_docs"]
    row = tf[(tf["region"] == "甲市") & (tf["term"] == "放管服")].iloc[0]
    # 甲市 = docs 0 and 2: 放管服 2 + 1 = 3 in 10 + 7 = 17 tokens, in both documents
    assert (row["count"], row["group_tokens"], row["doc_freq"], row["group_docs"]) == (3, 17, 2, 2)
    assert row["per_10k"] == pytest.approx(1e4 * 3 / 17)
    assert (tf["count"] > 0).all()  # only non-zero cells without terms=
    wide = term_frequencies(c, by=["region", "year"], tokenizer=WS, wide=True, value="per_10k")
    assert wide.index.names == ["region", "year"]
    assert wide.loc[("甲市", 2023), "放管服"] == pytest.approx(1e4 / 7)
    whole = term_frequencies(c, tokenizer=WS)
    assert "region" not in whole.columns and whole["group_tokens"].unique().tolist() == [24]


def test_term_frequencies_terms_include_zeros():
    tf = term_frequencies(corpus(), by="region", tokenizer=WS, terms=["放管服", "法治政府", "不存在"])
    assert len(tf) == 2 * 3
    assert tf.set_index(["region", "term"]).loc[("乙市", "放管服"), "count"] == 0
    assert tf.set_index(["region", "term"]).loc[("甲市", "不存在"), "per_10k"] == 0.0


def test_grouped_counts_add_up_with_missing_groups():
    c = corpus()
    c.docs.loc[1, "region"] = None  # a document without a region forms its own group, it is not dropped
    dtm = document_term_matrix(c, tokenizer=WS)
    tf = term_frequencies(dtm, by="region")
    assert tf["region"].isna().any()
    summed = tf.groupby("term")["count"].sum()
    assert (summed == dtm.term_counts[summed.index]).all() and len(summed) == dtm.shape[1]
    per_group_tokens = tf.drop_duplicates("region")["group_tokens"].sum()
    assert per_group_tokens == dtm.doc_lengths.sum()


def test_grouped_counts_add_up_real_corpus(gov_corpus):
    sub = gov_corpus.filter(collection="政府工作报告-主要城市", year=[2020])
    dtm = document_term_matrix(sub, stopwords="general")
    for by in ("region", ["province", "level"], "level"):
        tf = term_frequencies(dtm, by=by)
        summed = tf.groupby("term")["count"].sum()
        assert len(summed) == dtm.shape[1]
        assert (summed.sort_index() == dtm.term_counts.sort_index()).all()
        docs_by_group = tf.drop_duplicates(by if isinstance(by, list) else [by])["group_docs"].sum()
        assert docs_by_group == len(sub)


# -------------------------------------------------------------------------------------------- dictionaries


def test_dictionary_counts_text_matching():
    c = pt.Corpus.from_texts(
        ["深化放管服改革，放管服改革。营商环境和营商服务。", "推进简政放权，建设数字化政府和数字政府。", "无关内容。"],
        metadata={"region": ["甲", "乙", "甲"]},
    )
    d = {
        "放管服": ["放管服", "放管服改革", "简政放权", "营商*"],  # 放管服改革 counted once (longest wins)
        "数字政府": ["数字*政府"],  # wildcard inside: 数字政府 and 数字化政府
        "改革": ["改革"],  # another concept: counted independently
    }
    out = dictionary_counts(c, d)
    got = out.set_index(["doc_id", "concept"])["count"]
    assert got[("0", "放管服")] == 4  # 放管服改革 x2, 营商 x2
    assert got[("1", "放管服")] == 1
    assert got[("1", "数字政府")] == 2
    assert got[("0", "改革")] == 2
    assert got[("2", "放管服")] == 0
    assert out.set_index(["doc_id", "concept"]).loc[("0", "改革"), "chars"] == len("深化放管服改革，放管服改革。营商环境和营商服务。")
    grouped = dictionary_counts(c, d, by="region")
    assert list(grouped.columns) == ["region", "concept", "count", "chars", "per_10k_chars", "docs", "docs_with"]
    g = grouped.set_index(["region", "concept"])
    assert g.loc[("甲", "放管服"), "count"] == 4 and g.loc[("甲", "放管服"), "docs"] == 2
    assert g.loc[("甲", "放管服"), "docs_with"] == 1
    # per group sums equal per document sums
    assert grouped["count"].sum() == out["count"].sum()
    wide = dictionary_counts(c, d, by="region", wide=True, value="per_10k_chars")
    assert wide.loc["乙", "数字政府"] == pytest.approx(1e4 * 2 / len("推进简政放权，建设数字化政府和数字政府。"))


def test_dictionary_question_mark_regex_and_token_boundaries():
    c = pt.Corpus.from_texts(["法治政府建设，法治社会。", "依法治国"])
    out = dictionary_counts(c, {"法治": ["法治?"]}).set_index("doc_id")["count"]
    assert out.tolist() == [2, 1]  # 法治政, 法治社; 法治国 (in 依法治国)
    rx = dictionary_counts(c, {"法": [r"法治(?:政府|社会)"]}, regex=True).set_index("doc_id")["count"]
    assert rx.tolist() == [2, 0]
    # token boundaries: 法治 inside 法治政府建设 (one token) is not counted with match="tokens"
    tok = dictionary_counts(c, {"法治": ["法治"]}, match="tokens").set_index("doc_id")["count"]
    text = dictionary_counts(c, {"法治": ["法治"]}).set_index("doc_id")["count"]
    assert text.tolist()[0] == 2 and tok.tolist()[0] < 2


def test_dictionary_sentence_share():
    c = pt.Corpus.from_texts(["优化营商环境。营商环境持续改善。其他内容。", "建设法治政府。"],
                             metadata={"region": ["甲", "乙"]})
    out = dictionary_counts(c, {"营商": ["营商环境"]}, sentences=True).set_index("doc_id")
    assert out.loc["0", "sentences_with"] == 2 and out.loc["0", "sentences"] == 3
    assert out.loc["0", "sentence_share"] == pytest.approx(2 / 3)
    assert out.loc["1", "sentence_share"] == 0


def test_dictionary_errors():
    c = pt.Corpus.from_texts(["文本。"])
    with pytest.raises(ParameterError, match="non-empty mapping"):
        dictionary_counts(c, {})
    with pytest.raises(ParameterError, match="non-empty list"):
        dictionary_counts(c, {"a": []})
    with pytest.raises(ParameterError, match="invalid regular expression"):
        dictionary_counts(c, {"a": ["("]}, regex=True)
    with pytest.raises(ParameterError, match="sentences=True"):
        dictionary_counts(c, {"a": ["文本"]}, wide=True, value="sentence_share")


@settings(max_examples=40, deadline=None)
@given(
    pieces=st.lists(st.sampled_from(["放管服", "改革", "营商", "环境", "，", "。", " ", "数字", "化", "政府", "\n"]),
                    max_size=30)
)
def test_dictionary_matches_offsets_exact(pieces):
    c = pt.Corpus.from_texts(["开头" + "".join(pieces)])
    text = c.docs["text"][0]  # the clean text: offsets refer to it
    d = {"a": ["放管服", "营商*", "数字*政府"], "b": ["改革", "环境"]}
    m = dictionary_matches(c, d)
    for row in m.itertuples():
        assert text[row.start : row.end] == row.text
    counts = dictionary_counts(c, d).set_index("concept")["count"]
    assert counts["a"] == (m["concept"] == "a").sum() and counts["b"] == (m["concept"] == "b").sum()
    assert counts["b"] == text.count("改革") + text.count("环境")
