"""policytext.structure: sections, enumerated points and sentences with exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policytext as pt
from policytext.structure import chinese_numeral_to_int


def _texts(df):
    return df["text"].tolist()


def test_sentences_end_at_terminal_punctuation():
    s = pt.split_sentences("第一句。第二句！第三句？最后没有句号")
    assert _texts(s) == ["第一句。", "第二句！", "第三句？", "最后没有句号"]


def test_semicolons_only_when_asked():
    text = "开展培训3次；发放资料30万册。"
    assert _texts(pt.split_sentences(text)) == [text]
    assert _texts(pt.split_sentences(text, semicolons=True)) == ["开展培训3次；", "发放资料30万册。"]


def test_quotation_aware():
    text = "他强调：“要依法办事。要公正文明。”会议结束。坚持“四办”模式。"
    assert _texts(pt.split_sentences(text)) == ["他强调：“要依法办事。要公正文明。”", "会议结束。", "坚持“四办”模式。"]


def test_ellipsis_inside_quote_and_sentence_final_quote():
    text = "口号是“法治……为民。”大家赞同。"
    assert _texts(pt.split_sentences(text)) == ["口号是“法治……为民。”", "大家赞同。"]


def test_unbalanced_quote_does_not_swallow_the_paragraph():
    text = "他说“开始了。第二句。第三句。"
    assert len(pt.split_sentences(text)) == 3


def test_whitespace_is_never_part_of_a_sentence():
    text = "  第一句。 \u3000第二句。  \n\n  第三句  "
    s = pt.split_sentences(text)
    assert _texts(s) == ["第一句。", "第二句。", "第三句"]
    for row in s.itertuples():
        assert text[row.start : row.end] == row.text


def test_nested_sections_and_paths():
    text = "一、总体情况\n（一）主要成效\n1.办结案件53件。\n2.化解纠纷。\n（二）存在问题\n问题不少。\n二、下一步打算\n继续努力。"
    parts = pt.split_document(text)
    sec = parts.sections
    assert sec["section_path"].tolist() == ["一", "一/（一）", "一/（一）/1", "一/（一）/2", "一/（二）", "二"]
    assert sec["level"].tolist() == [1, 2, 3, 3, 2, 1]
    assert sec["title"].tolist() == ["总体情况", "主要成效", "办结案件53件", "化解纠纷", "存在问题", "下一步打算"]
    # a section ends where the next heading of the same or an outer rank starts
    first = sec.iloc[0]
    assert text[first.start : first.end].rstrip().endswith("问题不少。")
    s = parts.sentences.set_index("text")
    assert s.loc["问题不少。", "section_path"] == "一/（二）"
    assert s.loc["问题不少。", "section_title"] == "存在问题"
    assert bool(s.loc["二、下一步打算", "is_heading"])
    for row in sec.itertuples():
        assert text[row.title_start : row.title_end] == row.title


def test_chapter_headings_rank_above_numbered_ones():
    text = "第一篇 指导方针\n第一章 发展目标\n一、总体要求\n坚持稳中求进。\n第二章 主要任务\n推进改革。"
    sec = pt.split_document(text).sections
    assert sec["section_path"].tolist() == ["第一篇", "第一篇/第一章", "第一篇/第一章/一", "第一篇/第二章"]


def test_points_in_one_paragraph_and_missing_full_stop():
    text = "五、强化权力监督。一是自觉接受监督,办结率100%二是提升热线质效,满意率96.1%。三是深化政务公开。"
    parts = pt.split_document(text)
    assert parts.points["item_no"].tolist() == [1, 2, 3]
    assert _texts(parts.sentences) == [
        "五、强化权力监督。",
        "一是自觉接受监督,办结率100%",
        "二是提升热线质效,满意率96.1%。",
        "三是深化政务公开。",
    ]
    assert parts.sentences["item_no"].tolist()[1:] == [1, 2, 3]


def test_heading_running_into_its_first_point():
    text = "二、坚持转变职能,法治化营商环境优化升级一是深入推进改革。二是开展监管。"
    parts = pt.split_document(text)
    assert parts.sections["title"].tolist() == ["坚持转变职能,法治化营商环境优化升级"]
    assert _texts(parts.sentences)[0] == "二、坚持转变职能,法治化营商环境优化升级"
    assert parts.points["item_no"].tolist() == [1, 2]


def test_words_ending_in_yi_shi_are_not_points():
    text = "坚持统一是关键。问题之一是资金不足。"
    assert pt.split_document(text).points.empty


def test_ordinal_points():
    text = "我们要做到：第一，依法决策；第二，公开透明。"
    assert pt.split_document(text).points["item_no"].tolist() == [1, 2]


def test_points_across_paragraphs_and_sentence_item_numbers():
    text = "一、工作举措\n一是加强学习。继续学习。\n二是完善制度。\n三、下一步\n加强监督。"
    parts = pt.split_document(text)
    s = parts.sentences.set_index("text")["item_no"]
    assert s["继续学习。"] == 1 and s["二是完善制度。"] == 2 and s.isna()["加强监督。"]


def test_doc_id_column_and_types():
    parts = pt.split_document("一、甲。乙。", doc_id="d1")
    for table in parts:
        assert table.columns[0] == "doc_id"
        assert (table["doc_id"] == "d1").all()
    assert str(parts.sentences["item_no"].dtype) == "Int64"


def test_rejects_non_string():
    with pytest.raises(pt.PolicyTextError, match="expects the document text as a str"):
        pt.split_document(123)


@pytest.mark.parametrize("numeral,value", [("一", 1), ("十", 10), ("十一", 11), ("二十", 20), ("九十九", 99),
                                           ("一百零五", 105)])
def test_chinese_numerals(numeral, value):
    assert chinese_numeral_to_int(numeral) == value


_ALPHABET = st.sampled_from(list("一二三是第、。！？；，：“”‘’「」\"（）() \n\t\u3000abc1.2%法治政府") + ["一是", "二是", "（一）", "1."])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=60).map("".join))
def test_offsets_exact_on_policy_like_strings(text):
    parts = pt.split_document(text)
    _check_offsets(text, parts)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_offsets_exact_on_arbitrary_strings(text):
    parts = pt.split_document(text)
    _check_offsets(text, parts)


def _check_offsets(text, parts):
    prev_end = 0
    for row in parts.sentences.itertuples():
        assert text[row.start : row.end] == row.text
        assert row.text and row.text == row.text.strip(" \t\r\u3000\xa0")
        assert row.start >= prev_end
        prev_end = row.end
    for row in parts.points.itertuples():
        assert text[row.start : row.end] == row.text
    for row in parts.sections.itertuples():
        assert text[row.title_start : row.title_end] == row.title
        assert row.start <= row.title_start <= row.title_end <= row.end or row.title == ""
    # every non-space character belongs to exactly one sentence
    covered = sum(len(t) - sum(ch.isspace() for ch in t) for t in parts.sentences["text"])
    assert covered == sum(not ch.isspace() for ch in text.replace("\ufeff", "").replace("\u200b", "")) or covered <= len(text)


@pytest.mark.slow
def test_offsets_exact_on_the_real_corpus(gov_corpus):
    docs = dict(zip(gov_corpus.docs["doc_id"], gov_corpus.docs["text"]))
    s = gov_corpus.sentences
    bad = [d for d, a, b, x in zip(s["doc_id"], s["start"], s["end"], s["text"]) if docs[d][a:b] != x]
    assert not bad
    assert len(s) > 500_000
    # most documents have numbered sections, and section titles never contain a line break
    assert gov_corpus.sections["doc_id"].nunique() > 1500
    assert not gov_corpus.sections["title"].str.contains("\n").any()
