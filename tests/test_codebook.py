"""Codebook files: shipped codebooks, loading, validation errors, matching with exact offsets."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policytext.codebook import (
    Codebook,
    _codes,
    _HashMatcher,
    _KeySet,
    available_codebooks,
    load_codebook,
    normalize_text,
)
from policytext.errors import CodebookError, ResourceError

SPEC_IDS = {
    "rule_of_law": ["party_leadership", "service_reform", "rulemaking", "decision_making", "enforcement",
                    "emergency_response", "dispute_resolution", "oversight", "digital_government", "legal_publicity",
                    "legal_services", "other"],
    "work_report": ["economy", "industry_innovation", "reform_opening", "rural", "urban_infrastructure",
                    "environment", "livelihood", "safety_governance", "government_building", "party_ideology",
                    "other"],
}


@pytest.mark.parametrize("name", ["rule_of_law", "work_report"])
def test_shipped_codebooks_have_spec_ids_and_rich_cues(name):
    cb = load_codebook(name)
    assert cb.labels == SPEC_IDS[name]
    assert cb.other == "other"
    table = cb.to_frame()
    for theme in cb.labels:
        th = cb[theme]
        assert th.name and th.description
        if theme != "other":
            assert len(th.seeds) >= 24, f"{name}/{theme} has only {len(th.seeds)} seed terms"
            assert th.examples, f"{name}/{theme} has no example sentence"
    assert set(table["kind"]) >= {"seed", "rule"}
    assert name in available_codebooks()


def test_boundary_rules_are_encoded_as_data():
    cb = load_codebook("rule_of_law")

    def top(text):
        E = cb.evidence([text])[0]
        E[cb.labels.index("other")] += cb.settings["other_bias"]
        return cb.labels[int(E.argmax())]

    assert top("组织执法人员开展民法典培训") == "enforcement"  # training of enforcement staff, not publicity
    assert top("开展民法典宣传进社区活动") == "legal_publicity"
    assert top("组织领导干部参加学法考试") == "party_leadership"  # study of the law by officials
    assert top("对重大行政决策开展合法性审查") == "decision_making"
    assert top("对行政规范性文件进行合法性审核") == "rulemaking"
    assert top("动态调整权责清单") == "service_reform"
    assert top("严格落实中央八项规定精神，纠治四风") == "other"
    assert top("深入开展党史学习教育") == "other"
    assert top("严格依法行政，建设法治政府") == "other"


def test_matches_have_exact_offsets_and_fold_full_width():
    cb = load_codebook("rule_of_law")
    text = "提升１２３４５热线办理质效，推行“双随机,一公开”监管"
    ms = cb.matches(text)
    assert ms, "expected cues"
    for m in ms:
        assert normalize_text(text[m.start:m.end]) == normalize_text(m.term)
        assert text[m.start:m.end] == m.term
    assert any(m.term == "１２３４５" and m.theme == "oversight" for m in ms)


def test_overlapping_cues_and_containment():
    cb = load_codebook("rule_of_law")
    terms = [m.term for m in cb.matches("加强行政执法监督")]
    assert terms == ["行政执法监督"]  # the contained 执法监督 / 行政执法 are not counted again
    # overlapping (not contained) terms are both found
    text = "现将我县法治政府建设情况报告如下"
    found = {m.term for m in cb.matches(text)}
    assert "报告如下" in found


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("行政执法监督复议调解信访放管服改革营商环境，。、（）()12345法治政府")),
               max_size=40))
def test_matches_offsets_property(text):
    cb = load_codebook("rule_of_law")
    for m in cb.matches(text):
        assert text[m.start:m.end] == m.term
    E = cb.evidence([text, text])
    assert E.shape == (2, len(cb)) and np.allclose(E[0], E[1])


def test_overlap_rule_keeps_overlapping_cues_and_drops_contained_ones():
    # the rule behind Codebook.matches, on a codebook made for it: at each start the longest term wins, a term
    # inside an earlier kept span is dropped, a term that only overlaps it is kept
    book = {"name": "t", "themes": [{"id": "enforcement", "name": "执法", "seeds": {"行政执法": 3, "执法公示": 3}},
                                    {"id": "other", "name": "其他"}]}
    cb = load_codebook(book)
    assert [(m.term, m.start, m.end) for m in cb.matches("全面推行行政执法公示制度")] == [
        ("行政执法", 4, 8), ("执法公示", 6, 10)]
    assert cb.evidence(["全面推行行政执法公示制度"])[0].tolist() == [6.0, 0.0]
    book["themes"][0]["seeds"]["行政执法公示"] = 3  # the compound, as the shipped codebook lists it
    cb = load_codebook(book)
    assert [m.term for m in cb.matches("全面推行行政执法公示制度")] == ["行政执法公示"]
    assert cb.evidence(["全面推行行政执法公示制度"])[0].tolist() == [3.0, 0.0]


@settings(max_examples=200, deadline=None)
@given(terms=st.lists(st.text(alphabet="abcab\n", min_size=1, max_size=6).filter(lambda t: "\n" not in t),
                      min_size=1, max_size=12, unique=True),
       texts=st.lists(st.text(alphabet="abc\n", max_size=30), max_size=6))
def test_hash_matcher_finds_every_occurrence(terms, texts):
    codes, starts = _codes(texts)
    pos, ln, tid = _HashMatcher(terms).find(codes, chunk=8)  # tiny chunks: the chunk cutting is exercised
    big = "\n".join(t.replace("\n", " ") for t in texts)
    expected = sorted((i, -len(t), k) for k, t in enumerate(terms) for i in range(len(big)) if big.startswith(t, i))
    assert sorted(zip(pos.tolist(), (-ln).tolist(), tid.tolist())) == expected
    order = list(zip(pos.tolist(), (-ln).tolist()))
    assert order == sorted(order)  # by start, longest first
    assert starts.tolist() == [sum(len(t) + 1 for t in texts[:i]) for i in range(len(texts))]


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 3), unique=True, max_size=300),
       others=st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 5), max_size=50))
def test_keyset_lookup_agrees_with_a_dict(keys, others):
    table = {k: (i if i % 3 else -1, i % 2 == 0) for i, k in enumerate(keys)}
    ks = _KeySet(list(table), [v for v, _ in table.values()], [f for _, f in table.values()])
    queries = np.asarray(keys + others, dtype=np.uint64)
    value, flag = ks.lookup(queries)
    expected = [table.get(int(q), (-1, False)) for q in queries]
    assert value.tolist() == [v for v, _ in expected]
    assert flag.tolist() == [f for _, f in expected]


def test_evidence_matches_per_sentence_matching():
    cb = load_codebook("work_report")
    texts = ["地区生产总值增长6%左右，一般公共预算收入增长7%。", "", "新建高标准农田50万亩。", "各位代表：\n"]
    E = cb.evidence(texts)
    for i, t in enumerate(texts):
        seen, e = set(), np.zeros(len(cb))
        for m in cb.matches(t):
            key = (m.term, m.theme, m.weight)
            if key not in seen:
                seen.add(key)
                e[cb.labels.index(m.theme)] += m.weight
        assert np.allclose(e, E[i])
    assert E[1].sum() == 0
    assert cb.labels[int(E[2].argmax())] == "rural"


def _write(tmp_path, body, name="cb.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(body), encoding="utf-8")
    return p


def test_user_codebook_yaml_and_toml(tmp_path):
    p = _write(tmp_path, """
        name: mine
        themes:
          - id: fruit
            name: 水果
            seeds: {苹果: 2, 香蕉: 1}
          - id: other
            name: 其他
        """)
    cb = load_codebook(p)
    assert isinstance(cb, Codebook) and cb.labels == ["fruit", "other"]
    assert cb["fruit"].seeds == {"苹果": 2.0, "香蕉": 1.0}
    t = tmp_path / "cb.toml"
    t.write_text('name = "t"\n[[themes]]\nid = "a"\nname = "甲"\nseeds = ["苹果"]\n'
                 '[[themes]]\nid = "other"\nname = "其他"\n', encoding="utf-8")
    assert load_codebook(t).labels == ["a", "other"]


@pytest.mark.parametrize("body, needle", [
    ("themes: []\n", "non-empty list"),
    ("themes:\n  - {id: Bad-Id, name: x, seeds: [a]}\n  - {id: other, name: y}\n", "'Bad-Id'"),
    ("themes:\n  - {id: a, name: x, seeds: {苹果: -1}}\n  - {id: other, name: y}\n", "theme 'a'"),
    ("themes:\n  - {id: a, name: x, seeds: {苹果: zero}}\n  - {id: other, name: y}\n", "positive number"),
    ("themes:\n  - {id: a, name: x}\n  - {id: other, name: y}\n", "no seed terms"),
    ("themes:\n  - {id: a, name: x, seeds: [苹果]}\n", "fallback label 'other'"),
    ("themes:\n  - {id: a, name: x, seeds: [苹果], colour: red}\n  - {id: other, name: y}\n", "unknown key"),
    ("themes:\n  - {id: a, name: x, seeds: [苹果]}\n  - {id: a, name: y, seeds: [梨]}\n  - {id: other, name: z}\n",
     "unique"),
    ("themes:\n  - {id: a, seeds: [苹果]}\n  - {id: other, name: y}\n", "'name'"),
    ("themes:\n  - id: a\n    name: x\n    seeds:\n      苹果: 1\n      苹果: 2\n  - {id: other, name: y}\n",
     "duplicate key '苹果'"),
    ("themes:\n  - {id: a, name: x, rules: [{weight: 2}]}\n  - {id: other, name: y}\n", "missing 'term'"),
    ("themes: [\n", "not valid YAML"),
])
def test_malformed_codebook_errors_name_file_theme_problem(tmp_path, body, needle):
    p = _write(tmp_path, body)
    with pytest.raises(CodebookError) as exc:
        load_codebook(p)
    msg = str(exc.value)
    assert str(p) in msg
    assert needle in msg


def test_unknown_codebook_name():
    with pytest.raises(ResourceError, match="rule_of_law"):
        load_codebook("no_such_codebook")
