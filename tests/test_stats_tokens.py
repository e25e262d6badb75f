"""policytext.stats.tokens: corpus tokenization into flat arrays, the cache, multiword joining."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policytext as pt
from policytext.errors import InputError, ParameterError
from policytext.stats import TokenTable, clear_token_cache, lexicon_terms, tokenize_corpus
from policytext.stats.tokens import _is_compound, _ranges, is_number, is_punctuation


class WhitespaceTokenizer:
    """Tokens are the whitespace-separated pieces (tests do not depend on the segmenter's dictionary)."""

    def __init__(self, tags: dict[str, str] | None = None):
        self.calls = 0
        self.tags = tags or {}

    def tokenize(self, text):
        self.calls += 1
        return [pt.Token(m.group(), m.start(), m.end(), self.tags.get(m.group(), "n"))
                for m in re.finditer(r"\S+", text)]


def corpus_of(texts, **meta):
    return pt.Corpus.from_texts(texts, metadata=meta or None)


class GivenTokenizer:
    """Segmentations written with '|' between adjacent tokens and ' ' between tokens with a gap: '基层|治理 推进'."""

    def __init__(self, marked):
        self.by_text = {}
        for m in marked:
            text, toks = "", []
            for chunk in m.split(" "):
                if text:
                    text += " "
                for w in chunk.split("|"):
                    if w:
                        toks.append(pt.Token(w, len(text), len(text) + len(w), "n"))
                        text += w
            self.by_text[text] = toks
        self.texts = list(self.by_text)

    def tokenize(self, text):
        return self.by_text[text]


def segmented(marked, **meta):
    tok = GivenTokenizer(marked)
    return pt.Corpus.from_texts(tok.texts, metadata=meta or None), tok


def test_offsets_and_layout():
    tok = WhitespaceTokenizer()
    tok.tokenize_orig = tok.tokenize
    tok.tokenize = lambda text: [] if text == "（空）" else tok.tokenize_orig(text)  # a document without tokens
    corpus = corpus_of(["深化 放管服 改革 。", "（空）", "建设  法治政府"])
    table = tokenize_corpus(corpus, tok)
    assert isinstance(table, TokenTable)
    assert len(table) == 3 and table.n_tokens == 6
    assert table.indptr.tolist() == [0, 4, 4, 6]
    assert table.words(0) == ["深化", "放管服", "改革", "。"]
    assert table.words(1) == []
    assert table.words("2") == ["建设", "法治政府"]
    frame = table.to_frame()
    assert list(frame.columns) == ["doc_id", "token_id", "token", "start", "end", "pos"]
    texts = dict(zip(corpus.docs["doc_id"], corpus.docs["text"]))
    for row in frame.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.token
    assert frame["token_id"].tolist() == [0, 1, 2, 3, 0, 1]


def test_cache_reuses_tokens_for_same_and_sub_corpus():
    clear_token_cache()
    tok = WhitespaceTokenizer()
    corpus = corpus_of(["甲 乙", "丙 丁 戊", "己"], region=["a", "b", "b"])
    first = tokenize_corpus(corpus, tok)
    assert tok.calls == 3
    again = tokenize_corpus(corpus, tok)
    sub = tokenize_corpus(corpus.filter(region="b"), tok)
    assert tok.calls == 3  # nothing tokenized again
    assert again is first  # the same documents give the same table (and its cached multiword joins)
    assert sub.words(0) == ["丙", "丁", "戊"] and sub.words(1) == ["己"]
    # a changed text is tokenized again (cache keyed by text, not only doc_id)
    changed = pt.Corpus.from_texts(["甲 乙 乙", "丙 丁 戊", "己"])
    tokenize_corpus(changed, tok)
    assert tok.calls == 4
    clear_token_cache()
    tokenize_corpus(corpus, tok)
    assert tok.calls == 7


def test_no_cache():
    tok = WhitespaceTokenizer()
    corpus = corpus_of(["甲 乙"])
    tokenize_corpus(corpus, tok, cache=False)
    tokenize_corpus(corpus, tok, cache=False)
    assert tok.calls == 2


def test_parallel_equals_serial():
    tok = WhitespaceTokenizer()
    texts = [" ".join(f"词{i % 7}{j % 3}" for j in range(i % 11)) for i in range(40)]
    corpus = corpus_of(texts)
    serial = tokenize_corpus(corpus, tok, cache=False)
    parallel = tokenize_corpus(corpus, WhitespaceTokenizer(), n_jobs=2, batch_size=5, cache=False)
    assert parallel.indptr.tolist() == serial.indptr.tolist()
    assert [parallel.vocab[i] for i in parallel.ids] == [serial.vocab[i] for i in serial.ids]
    assert parallel.starts.tolist() == serial.starts.tolist()


def test_callable_tokenizer_gets_offsets():
    corpus = corpus_of(["优化 营商环境，持续 优化"])
    table = tokenize_corpus(corpus, lambda text: text.replace("，", " ， ").split(), cache=False)
    assert table.words(0) == ["优化", "营商环境", "，", "持续", "优化"]
    assert table.starts.tolist() == [0, 3, 7, 8, 11]
    assert table.pos is None
    with pytest.raises(InputError, match="not in the text"):
        tokenize_corpus(corpus, lambda text: ["不存在"], cache=False)


def test_bad_arguments():
    corpus = corpus_of(["甲"])
    with pytest.raises(ParameterError):
        tokenize_corpus(corpus, WhitespaceTokenizer(), n_jobs=0)
    with pytest.raises(ParameterError):
        tokenize_corpus(corpus, object())
    with pytest.raises(InputError):
        tokenize_corpus(["not", "a corpus"])


def test_default_tokenizer_keeps_offsets():
    corpus = corpus_of(["全面推进依法行政，建设法治政府。\n二、2023年办结案件53件。"])
    table = tokenize_corpus(corpus)
    text = corpus.docs["text"][0]
    for w, a, b in zip(table.vocab[table.ids], table.starts, table.ends):
        assert text[a:b] == w
    assert "法治政府" in table.words(0)


# -------------------------------------------------------------------------------------------- multiword joining


def test_merge_terms_longest_left_to_right():
    corpus, tok = segmented(["基层|治理|现代化|推进", "营商|环境|营商", "营商 环境|。"])
    table = tokenize_corpus(corpus, tok, cache=False)
    merged = table.merge_terms(["基层治理", "基层治理现代化", "营商环境", "环境营商"])
    assert merged.words(0) == ["基层治理现代化", "推进"]  # longest wins
    assert merged.words(1) == ["营商环境", "营商"]  # left to right, no overlap
    assert merged.words(2) == ["营商", "环境", "。"]  # a space between: not joined
    assert merged.indptr.tolist() == [0, 2, 4, 7]
    assert merged.pos_tags[merged.pos[0]] == "nz"
    texts = corpus.docs["text"].tolist()
    frame = merged.to_frame()
    for row in frame.itertuples():
        assert texts[int(row.doc_id)][row.start : row.end] == row.token
    assert table.words(0) == ["基层", "治理", "现代化", "推进"]  # the original is unchanged
    assert table.merge_terms(["营商环境"]) is table.merge_terms({"营商环境"})  # cached


def test_merge_terms_not_across_documents():
    corpus, tok = segmented(["甲|乙", "丙|丁"])
    table = tokenize_corpus(corpus, tok, cache=False)
    assert table.merge_terms(["甲乙"]).words(0) == ["甲乙"]
    assert table.merge_terms(["乙丙"]).n_tokens == 4  # strings concatenate across documents: never joined


def test_merge_terms_adjacent_without_space():
    class CharTokenizer:
        def tokenize(self, text):
            return [pt.Token(ch, i, i + 1, "x") for i, ch in enumerate(text) if not ch.isspace()]

    corpus = corpus_of(["深化放管服改革，放管服", "放 管服"])
    table = tokenize_corpus(corpus, CharTokenizer(), cache=False)
    merged = table.merge_terms(["放管服", "放管服改革"])
    assert merged.words(0) == ["深", "化", "放管服改革", "，", "放管服"]
    assert merged.words(1) == ["放", "管", "服"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    docs=st.lists(st.lists(st.sampled_from(["甲", "乙", "丙", "甲乙", "丁"]), max_size=12), min_size=1, max_size=4),
    spaces=st.lists(st.booleans(), min_size=60, max_size=60),
    terms=st.lists(st.sampled_from(["甲乙", "乙丙", "甲乙丙", "丙丁甲", "乙乙", "甲乙甲乙"]), max_size=4),
)
def test_merge_terms_property(docs, spaces, terms):
    """Joining never loses or reorders characters and keeps offsets exact."""

    marked, k = [], 0
    for words in docs:
        m = ""
        for w in words:
            if m:
                m += " " if spaces[k % len(spaces)] else "|"
            k += 1
            m += w
        marked.append(m or "丁")
    tok = GivenTokenizer(marked)
    texts = tok.texts
    corpus = pt.Corpus.from_texts(texts)
    table = tokenize_corpus(corpus, tok, cache=False)
    merged = table.merge_terms(terms)
    for i, text in enumerate(texts):
        a, b = merged.indptr[i], merged.indptr[i + 1]
        words = merged.vocab[merged.ids[a:b]].tolist()
        assert "".join(words) == text.replace(" ", "")
        for w, s, e in zip(words, merged.starts[a:b], merged.ends[a:b]):
            assert text[s:e] == w
        # a token made by joining is a term, and covers adjacent original tokens only
        originals = set(table.vocab[table.ids[table.indptr[i] : table.indptr[i + 1]]].tolist())
        for w in words:
            assert w in originals or w in terms


def test_lexicon_terms_leave_out_compounds_and_ambiguous():
    lex = pt.load_lexicon()
    plain = lexicon_terms()
    everything = lexicon_terms(compounds=True)
    assert plain <= everything
    ambiguous = set(lex.loc[lex["ambiguous"].astype(bool), "term"])
    assert not (ambiguous & everything)
    assert "营商环境" in plain and "放管服" in plain
    assert _is_compound("新时代枫桥经验", {"新时代", "枫桥经验"})
    assert _is_compound("碳达峰、碳中和", {"碳达峰", "碳中和"})
    assert not _is_compound("枫桥经验", {"新时代", "枫桥经验"})
    for term in everything - plain:
        assert _is_compound(term, everything)


def test_token_classes():
    assert is_punctuation("，") and is_punctuation("……") and is_punctuation("《")
    assert not is_punctuation("GDP") and not is_punctuation("")
    assert all(is_number(w) for w in ["2023", "20.56万", "100%", "三", "十四", "５６", "1,200", "②", "第一", "-3.5%"])
    assert not any(is_number(w) for w in ["2023年", "一些", "三农", "GDP", "第一书记", ""])


def test_ranges():
    assert _ranges(np.array([5, 0, 9]), np.array([2, 0, 3])).tolist() == [5, 6, 9, 10, 11]
    assert _ranges(np.array([], dtype=np.int64), np.array([], dtype=np.int64)).tolist() == []


def test_subset():
    tok = WhitespaceTokenizer()
    table = tokenize_corpus(corpus_of(["甲 乙", "丙", "丁 戊 己"]), tok, cache=False)
    sub = table.subset([2, 0])
    assert sub.words(0) == ["丁", "戊", "己"] and sub.words(1) == ["甲", "乙"]
    assert sub.doc_ids == ["2", "0"]
