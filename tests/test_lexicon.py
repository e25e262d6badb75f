"""Tests for policytext.lexicon: the policy lexicon, stopword lists and the user word-list format."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest

from policytext.errors import ParameterError, ResourceError
from policytext.lexicon import (
    LEXICON_TYPES,
    load_lexicon,
    lexicon_version,
    load_stopwords,
    available_stopwords,
    load_user_words,
    parse_user_words,
    UserWord,
)

SHARED = Path(os.environ.get("POLICYTEXT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
HEADER = "term\ttype\tvariants\tflags\tnote\n"


def write(tmp_path: Path, text: str, name: str = "lex.tsv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------------------------------------ bundled lexicon


def test_bundled_lexicon_shape_and_columns():
    lex = load_lexicon()
    assert list(lex.columns) == ["term", "type", "entity", "canonical", "ambiguous", "note", "line"]
    assert lex["term"].is_unique
    assert len(lex[lex["term"] == lex["canonical"]]) >= 600
    assert set(lex["type"]) == set(LEXICON_TYPES)
    # every type documented has a reasonable number of entries
    counts = lex["type"].value_counts()
    for t in ("slogan", "concept", "institution", "org", "law", "geo"):
        assert counts[t] >= 100, t
    assert re.fullmatch(r"\d+\.\d+\.\d+", lexicon_version())


def test_bundled_lexicon_terms_are_clean():
    lex = load_lexicon()
    for term in lex["term"]:
        assert term == term.strip() and " " not in term and "\t" not in term, term
        assert len(term) >= 2, term
        assert not re.search(r"[“”\"《》]", term), term


@pytest.mark.parametrize(
    "term, type_",
    [
        # spec: SLOGAN without quotation marks
        ("放管服", "slogan"), ("简政放权", "slogan"), ("一网通办", "slogan"), ("最多跑一次", "slogan"),
        ("河长制", "slogan"), ("扫黑除恶", "slogan"), ("脱贫攻坚", "slogan"), ("乡村振兴", "slogan"),
        ("以工代赈", "slogan"), ("能耗双控", "slogan"), ("枫桥经验", "slogan"), ("一件事一次办", "slogan"),
        ("双随机、一公开", "slogan"), ("谁执法谁普法", "slogan"),
        # spec: ordinary policy phrases are not entities
        ("数字政府", "concept"), ("新型城镇化", "concept"), ("高质量发展", "concept"), ("营商环境", "concept"),
        ("行政复议", "institution"), ("综合行政执法", "institution"), ("权责清单", "institution"),
        ("习近平法治思想", "doctrine"), ("新发展理念", "doctrine"), ("中国式现代化", "doctrine"),
        ("全国文明城市", "honor"), ("国家卫生城市", "honor"), ("十四五", "period"),
        ("司法局", "org"), ("区委", "org"), ("区政府", "org"), ("人大常委会", "org"),
        ("企业信息公示条例", "law"), ("民法典", "law"), ("长江", "geo"), ("东盟", "geo"),
        ("八五普法", "program"), ("党的二十大", "event"),
    ],
)
def test_bundled_lexicon_types(term, type_):
    lex = load_lexicon()
    row = lex[lex["term"] == term]
    assert len(row) == 1, term
    assert row["type"].iloc[0] == type_
    entity = row["entity"].iloc[0]
    expected = LEXICON_TYPES[type_].entity
    assert (pd.isna(entity) and expected is None) or entity == expected


def test_variants_point_to_canonical():
    lex = load_lexicon()
    row = lex[lex["term"] == "双随机一公开"].iloc[0]
    assert (row["type"], row["canonical"]) == ("slogan", "双随机、一公开")
    assert not lex[lex["term"] != lex["canonical"]]["canonical"].isin(
        lex[lex["term"] != lex["canonical"]]["term"]
    ).any()


def test_ambiguous_flag():
    lex = load_lexicon().set_index("term")
    assert lex.loc["十五", "ambiguous"] and lex.loc["三公", "ambiguous"]
    assert not lex.loc["十四五", "ambiguous"]


@pytest.mark.skipif(not (SHARED / "corpora" / "gov-reports").exists(), reason=f"gov-reports not found under {SHARED}")
def test_unflagged_numeric_formulas_are_not_mostly_numbers():
    """Short numbered formulas (三农, 六稳, 双减 ...) without the 'ambiguous' flag must not mostly occur as parts of
    ordinary numbers (三公里, 第十五, 一九五二年); those that do must carry the flag."""
    import random

    paths = sorted((SHARED / "corpora" / "gov-reports").rglob("*.md"))
    random.Random(0).shuffle(paths)
    text = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in paths[:300])
    numeral = set("〇零一二三四五六七八九十百千万亿两第0123456789")
    after = set("里米年月日个位项件次倍元吨亩公千百万亿点%")
    lex = load_lexicon()
    short = lex[(lex["term"].str.len() <= 3) & lex["term"].str[0].isin(list(numeral))]
    bad = {}
    for term, amb in zip(short["term"], short["ambiguous"]):
        hits = [m.start() for m in re.finditer(re.escape(term), text)]
        if len(hits) < 20:
            continue
        numeric = sum(
            1 for i in hits
            if text[i - 1 : i] in numeral or text[i + len(term) : i + len(term) + 1] in after
        )
        share = numeric / len(hits)
        if share >= 0.5 and not amb:
            bad[term] = round(share, 2)
    assert not bad, f"flag these as ambiguous: {bad}"
    assert {"十五", "九五", "三公"} <= set(lex.loc[lex["ambiguous"], "term"])


def test_types_filter_and_copy():
    lex = load_lexicon(types=["slogan", "program"])
    assert set(lex["type"]) == {"slogan", "program"}
    assert set(load_lexicon(types="org")["type"]) == {"org"}
    lex["term"] = "x"  # mutating a result must not touch the cache
    assert "放管服" in set(load_lexicon(types="slogan")["term"])
    with pytest.raises(ParameterError, match="slogans"):
        load_lexicon(types="slogans")


def test_lexicon_file_is_grouped_and_sorted():
    path = Path(__file__).resolve().parents[1] / "policytext" / "resources" / "lexicon" / "policy.tsv"
    lex = load_lexicon()
    main = lex[lex["term"] == lex["canonical"]].sort_values("line")
    order = list(LEXICON_TYPES)
    assert list(main["type"]) == sorted(main["type"], key=order.index)
    for _, group in main.groupby("type"):
        assert list(group["term"]) == sorted(group["term"])
    assert path.exists()


# -------------------------------------------------------------------------------------------- loader errors


def test_user_lexicon_loads(tmp_path):
    p = write(tmp_path, "# version: 0.1\n" + HEADER + "法治汉滨\tslogan\t\t\t汉滨区品牌\n秦创原\tprogram\n")
    lex = load_lexicon(path=p)
    assert lex["term"].tolist() == ["法治汉滨", "秦创原"]
    assert lex["note"].tolist() == ["汉滨区品牌", ""]
    assert lexicon_version(p) == "0.1"


@pytest.mark.parametrize(
    "body, match",
    [
        ("一网通办\n", r"line 3: expected 2 to 5 tab-separated fields"),
        ("一网通办\tslogan\t\t\tnote\textra\n", r"line 3: expected 2 to 5"),
        ("一网通办\tslogan\n一网通办\tconcept\n", r"line 4: duplicate term '一网通办' \(first listed on line 3\)"),
        ("双随机、一公开\tslogan\t双随机一公开\n双随机一公开\tslogan\n", r"line 4: duplicate term '双随机一公开'"),
        ("一网通办\tSlogan\n", r"line 3: expected a lower-case type id"),
        ("一网通办\tslogan\t\tweird\n", r"line 3: unknown flag"),
        ("\tslogan\n", r"line 3: expected a term"),
        (" 一网通办\tslogan\n", r"line 3: term ' 一网通办' has leading/trailing whitespace"),
        ("一网通办\tslogan\ta||b\n", r"line 3: empty variant"),
    ],
)
def test_malformed_lexicon_lines(tmp_path, body, match):
    p = write(tmp_path, "# version: 1\n" + HEADER + body)
    with pytest.raises(ResourceError, match=match) as info:
        load_lexicon(path=p)
    assert str(p) in str(info.value)


def test_lexicon_missing_header_version_file(tmp_path):
    with pytest.raises(ResourceError, match="header"):
        load_lexicon(path=write(tmp_path, "# version: 1\n一网通办\tslogan\n"))
    with pytest.raises(ResourceError, match="version"):
        load_lexicon(path=write(tmp_path, HEADER + "一网通办\tslogan\n", "nov.tsv"))
    with pytest.raises(ResourceError, match="no such file"):
        load_lexicon(path=tmp_path / "absent.tsv")
    bad = tmp_path / "gbk.tsv"
    bad.write_bytes(("# version: 1\n" + HEADER + "一网通办\tslogan\n").encode("gbk"))
    with pytest.raises(ResourceError, match="UTF-8"):
        load_lexicon(path=bad)


def test_lexicon_cache_sees_file_changes(tmp_path):
    p = write(tmp_path, "# version: 1\n" + HEADER + "一网通办\tslogan\n")
    assert load_lexicon(path=p)["term"].tolist() == ["一网通办"]
    p.write_text("# version: 2\n" + HEADER + "一网通办\tslogan\n最多跑一次\tslogan\n", encoding="utf-8")
    os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10**9))
    assert load_lexicon(path=p)["term"].tolist() == ["一网通办", "最多跑一次"]


# ---------------------------------------------------------------------------------------------- stopwords


def test_stopword_lists():
    assert {"general", "policy"} <= set(available_stopwords())
    general, policy = load_stopwords("general"), load_stopwords("policy")
    assert isinstance(policy, frozenset) and general < policy
    assert {"的", "了", "和", "以及", "我们"} <= general
    assert {"坚持", "推进", "加强", "进一步", "全面", "深入", "积极", "不断"} <= policy
    assert not {"坚持", "推进"} & general
    # content words researchers count are not stopwords
    assert not {"法治", "改革", "发展", "营商环境", "行政复议", "放管服"} & policy
    assert load_stopwords() is policy
    for w in policy:
        assert w == w.strip() and not re.search(r"[\s，。、；：！？,.;:!?]", w), w


def test_stopword_errors_and_user_file(tmp_path):
    with pytest.raises(ParameterError, match="general"):
        load_stopwords("polcy")
    p = write(tmp_path, "# include: general\n抓手\n", "mine.txt")
    words = load_stopwords(str(p))
    assert "抓手" in words and "的" in words
    with pytest.raises(ResourceError, match=r"line 2: duplicate stopword '抓手'"):
        load_stopwords(str(write(tmp_path, "抓手\n抓手\n", "dup.txt")))
    with pytest.raises(ResourceError, match=r"line 1: expected one word per line"):
        load_stopwords(str(write(tmp_path, "抓手 平台\n", "two.txt")))


# --------------------------------------------------------------------------------------------- user words


def test_parse_user_words_formats():
    words = parse_user_words(
        [
            "\ufeff# comment",
            "",
            "大竹园镇 PLACE",
            "枫桥经验",
            "就近办\t5\tslogan",
            "八点半帮您办 10",
            "Made in China\tslogan",
            "四办 SLOGAN  # 汉滨区",
            "   ",
        ]
    )
    assert words == [
        UserWord("大竹园镇", "PLACE"),
        UserWord("枫桥经验"),
        UserWord("就近办", "slogan", 5),
        UserWord("八点半帮您办", None, 10),
        UserWord("Made in China", "slogan"),
        UserWord("四办", "SLOGAN"),
    ]


@pytest.mark.parametrize(
    "lines, match",
    [
        (["大竹园镇 PLACE", "大竹园镇 ORG"], r"line 2: duplicate term '大竹园镇' \(first on line 1\)"),
        (["a b c d"], r"line 1: expected 'term', 'term TYPE' or 'term FREQ TYPE'; got 4 fields"),
        (["词 PLACE ORG"], r"line 1: expected 'term FREQ TYPE'"),
        (["\tPLACE"], r"line 1: expected a term"),
        (["大竹园镇 TOWN"], r"type 'TOWN' of '大竹园镇' is not one of ORG, PLACE"),
    ],
)
def test_parse_user_words_errors(lines, match):
    with pytest.raises(ResourceError, match=match) as info:
        parse_user_words(lines, source="words.txt", allowed_types={"PLACE", "ORG"})
    assert "words.txt" in str(info.value)


def test_load_user_words_file(tmp_path):
    p = write(tmp_path, "# 汉滨区\n大竹园镇 PLACE\n八点半帮您办\n", "words.txt")
    assert load_user_words(p) == [UserWord("大竹园镇", "PLACE"), UserWord("八点半帮您办")]
    with pytest.raises(ResourceError, match="no such file"):
        load_user_words(tmp_path / "nope.txt")
    q = write(tmp_path, "a\na\n", "dup.txt")
    with pytest.raises(ResourceError, match=re.escape(str(q)) + ", line 2"):
        load_user_words(q)


# ------------------------------------------------------------------------------------ real corpus checks


@pytest.mark.skipif(not (SHARED / "seed").exists(), reason=f"shared data not found at {SHARED}")
def test_lexicon_terms_occur_in_seed_report():
    text = (SHARED / "seed" / "hanbin-2023-rule-of-law-report.txt").read_text(encoding="utf-8")
    lex = load_lexicon()
    found = {t for t in lex["term"] if t in text}
    assert {"放管服", "一网通办", "一件事一次办", "双随机、一公开", "营商环境", "习近平法治思想"} <= found
