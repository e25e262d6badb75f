"""Entity tagging (policytext.entities): one test per rule of spec/entities.md, on hand-written sentences."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policytext as pt
from policytext.cli import main
from policytext.entities import EntityTagger, entity_counts, places_by_document, tag_entities
from policytext.entities.metric import parse_metric
from policytext.errors import InputError, ParameterError, ResourceError


@pytest.fixture(scope="module")
def tagger() -> EntityTagger:
    return EntityTagger()


def ents(tagger, text, region=None, label=None):
    out = [(e["text"], e["label"]) for e in tagger.entities(text, region=region) if e["label"] != "DATE"]
    return [t for t, lab in out if lab == label] if label else out


# ------------------------------------------------------------------------------------------------ METRIC


@pytest.mark.parametrize(
    "text, expected",
    [
        ("全年受理案件53件，办结41件", ["53件", "41件"]),
        ("实现营业收入540多亿元", ["540多亿元"]),  # 多 inside the number stays in
        ("办理许可事项200余件", ["200余件"]),
        ("新增停车位7.5万个以上", ["7.5万个"]),  # 以上 after the number stays out
        ("增速保持在6%左右", ["6%"]),  # 左右 stays out
        ("满意率提高2.1个百分点", ["2.1个百分点"]),
        ("增长1和2个百分点", ["1", "2个百分点"]),  # a bare number coordinated with a metric
        ("三次产业结构为0.9:68.2:30.9", ["0.9:68.2:30.9"]),
        ("占全国超1/3", ["1/3"]),
        ("出口增长229%、15.9%", ["229%", "15.9%"]),
        ("筹集保障性租赁住房7万套（间）", ["7万套（间）"]),
        ("增长１２．５％", ["１２．５％"]),  # full-width forms
    ],
)
def test_metric_spans(tagger, text, expected):
    assert ents(tagger, text, label="METRIC") == expected


@pytest.mark.parametrize(
    "text",
    ["新建四个中心、两项制度", "2023年全面完成", "于2024年04月02日印发", "第3批试点", "PM2.5浓度下降", "5G基站建设"],
)
def test_not_metric(tagger, text):
    # Chinese numerals, years and dates, ordinals and codes are not METRIC
    assert ents(tagger, text, label="METRIC") == []


def test_years_are_dates(tagger):
    found = [(e["text"], e["label"]) for e in tagger.entities("2023年1月7日审议通过，2021—2025年，1-3月增长")]
    assert found == [("2023年1月7日", "DATE"), ("2021—2025年", "DATE"), ("1-3月", "DATE")]


@pytest.mark.parametrize(
    "text, value, unit, is_percent",
    [
        ("20.56万件", 205600.0, "件", False),
        ("5.6亿元", 560000000.0, "元", False),
        ("540多亿元", 54000000000.0, "元", False),
        ("1.2万亿元", 1.2e12, "元", False),
        ("100%", 100.0, "%", True),
        ("96.1％", 96.1, "%", True),
        ("2.1个百分点", 2.1, "个百分点", False),
        ("30万千瓦", 300000.0, "千瓦", False),
        ("5千瓦", 5.0, "千瓦", False),
        ("1,234.5吨", 1234.5, "吨", False),
        ("3", 3.0, "", False),
    ],
)
def test_metric_value_parsing(text, value, unit, is_percent):
    parsed = parse_metric(text)
    assert parsed["value"] == pytest.approx(value)
    assert parsed["unit"] == unit and parsed["is_percent"] is is_percent


def test_metric_columns_and_indicator(tagger):
    df = tagger.tag("全年办理行政审批服务事项20.56万件，按期办结率100%。")
    assert df[["text", "value", "unit", "is_percent", "indicator"]].values.tolist() == [
        ["20.56万件", 205600.0, "件", False, "办理行政审批服务事项"],
        ["100%", 100.0, "%", True, "按期办结率"],
    ]
    ratio = tagger.tag("比例为0.9:68.2:30.9")
    assert math.isnan(ratio["value"].iloc[0]) and ratio["unit"].iloc[0] == "ratio"


# ------------------------------------------------------------------------------------------- DOCUMENT


def test_document_inside_brackets(tagger):
    text = "印发《汉滨区2023年社会信用体系建设工作要点》和《法治政府建设实施纲要（2021—2025年）》"
    assert ents(tagger, text) == [
        ("汉滨区2023年社会信用体系建设工作要点", "DOCUMENT"),
        ("法治政府建设实施纲要（2021—2025年）", "DOCUMENT"),
    ]


def test_whole_document_equals_sentence_by_sentence(tagger):
    text = "一、总体情况。全年办理行政审批服务事项20.56万件，按期办结率100%。确定大竹园镇为改革试点镇。“四办”模式。"
    whole = tagger.tag(text, region="汉滨区")
    by_sentence = tagger.tag_sentences(pt.split_sentences(text), region="汉滨区")
    assert whole[["start", "end", "label"]].values.tolist() == by_sentence[["start", "end", "label"]].values.tolist()


def test_book_or_play_is_not_document(tagger):
    assert ents(tagger, "观看电视剧《山海情》，阅读《人民日报》") == []


def test_unbracketed_law_title(tagger):
    assert ents(tagger, "将违反企业信息公示条例的企业列入名录", label="DOCUMENT") == ["企业信息公示条例"]
    assert ents(tagger, "严格执行中华人民共和国行政许可法", label="DOCUMENT") == ["中华人民共和国行政许可法"]


# ------------------------------------------------------------------------------------ quotation marks


def test_quoted_slogan_excludes_marks_and_generic_words(tagger):
    # spans exclude the marks; a generic word after the closing mark is never part of the span
    assert ents(tagger, "深化“放管服”改革，探索“四办”模式，完善“一网通办”机制") == [
        ("放管服", "SLOGAN"), ("四办", "SLOGAN"), ("一网通办", "SLOGAN")]


def test_program_runs_through_head_noun(tagger):
    assert ents(tagger, "打造“八点半帮您办”服务品牌") == [("“八点半帮您办”服务品牌", "PROGRAM")]
    assert ents(tagger, "创新开展“365”全过程法治工作法") == [("“365”全过程法治工作法", "PROGRAM")]
    assert ents(tagger, "深入推行“七五”普法") == [("“七五”普法", "PROGRAM")]
    assert ents(tagger, "实施“精网微格”工程") == [("“精网微格”工程", "PROGRAM")]
    assert ents(tagger, "实施“2513”企业培育工程") == [("“2513”企业培育工程", "PROGRAM")]
    # 改革 right after the closing mark is generic: never part of the span, whatever follows
    assert ents(tagger, "开展“放管服”改革试点") == [("放管服", "SLOGAN")]


def test_number_inside_program_belongs_to_program(tagger):
    found = ents(tagger, "持续开展“三秦锐士·2023涉民营企业积案集中执行”等行动")
    assert found == [("三秦锐士·2023涉民营企业积案集中执行", "PROGRAM")]  # 等 separates the head noun


def test_quoted_list_formulas_and_halfwidth_quotes(tagger):
    assert ents(tagger, "坚持“双随机、一公开”监管") == [("双随机、一公开", "SLOGAN")]
    assert ents(tagger, '推进"谁执法谁普法"责任制') == [("谁执法谁普法", "SLOGAN")]


def test_quoted_non_entities(tagger):
    text = "打通“最后一公里”，坚决反对“一刀切”，把握“窗口期”，实现“十四五”良好开局，成功创建“全国文明城市”"
    assert ents(tagger, text) == []


def test_nested_quotes_tag_the_inner_formula(tagger):
    found = ents(tagger, "为上城“全力打造‘五个新高地’，加快建设共同富裕典范城区”做出贡献", region="浙江省杭州市上城区")
    assert ("五个新高地", "SLOGAN") in found
    assert not any(lab == "SLOGAN" and "全力打造" in t for t, lab in found)


def test_canonical_form(tagger):
    df = tagger.tag("推进“放、管、服”改革和“双随机一公开”")
    assert df["canonical"].tolist() == ["放管服", "双随机、一公开"]


# ------------------------------------------------------------------------------------ unquoted SLOGAN


def test_established_formulas_without_quotes(tagger):
    assert ents(tagger, "推进简政放权，坚持和发展新时代枫桥经验，全面推进乡村振兴") == [
        ("简政放权", "SLOGAN"), ("新时代枫桥经验", "SLOGAN"), ("乡村振兴", "SLOGAN")]


def test_ordinary_phrases_and_doctrines_are_not_entities(tagger):
    text = "建设数字政府，推动高质量发展，以习近平新时代中国特色社会主义思想为指导，深入学习贯彻党的二十大精神"
    assert ents(tagger, text) == []  # and no PLACE 中国 inside the doctrine


def test_branding_phrase_is_one_slogan(tagger):
    assert ents(tagger, "深入推进法治汉滨建设", region="汉滨区") == [("法治汉滨", "SLOGAN")]
    assert ents(tagger, "建设平安柳州", region="广西壮族自治区柳州市") == [("平安柳州", "SLOGAN")]


# ---------------------------------------------------------------------------------------- PLACE / ORG


def test_places_by_level(tagger):
    df = tagger.tag("陕西省安康市汉滨区大竹园镇", region="汉滨区")
    assert df[["text", "level"]].values.tolist() == [
        ["陕西省", "province"], ["安康市", "city"], ["汉滨区", "county-district"], ["大竹园镇", "township"]]
    assert df["adcode"].tolist()[:3] == ["610000", "610900", "610902"]


def test_place_disambiguation_by_region(tagger):
    near = tagger.tag("大河镇社会治理创新改革试点工作", region="陕西省安康市汉滨区")
    assert near[["text", "level", "parent"]].values.tolist()[0] == ["大河镇", "township", "610902"]
    far = tagger.tag("大河镇社会治理创新改革试点工作")  # many counties have a 大河镇
    assert far["text"].tolist()[0] == "大河镇" and far["level"].iloc[0] == "township"
    assert far["parent"].iloc[0] is None and far["adcode"].iloc[0] is None


def test_region_short_name(tagger):
    # a document's own short name counts (上城 for 上城区), ordinary words do not
    assert ents(tagger, "为上城法治建设做出新贡献", region="浙江省杭州市上城区") == [("上城", "PLACE")]
    assert ents(tagger, "加强区域合作，推进平安建设") == []


def test_zones_rivers_and_world_regions(tagger):
    text = "发挥苏州工业园区、中以（常州）创新园的作用，开拓东盟、中东等市场，保护长江"
    assert ents(tagger, text) == [("苏州工业园区", "PLACE"), ("中以（常州）创新园", "PLACE"), ("东盟", "PLACE"),
                                  ("中东", "PLACE"), ("长江", "PLACE")]


def test_honorary_titles_and_generic_references_are_not_entities(tagger):
    assert ents(tagger, "创建省级法治政府建设示范区，全市各部门协同推进") == []


def test_org_with_place_is_one_org(tagger):
    assert ents(tagger, "汉滨区人民政府印发通知", region="汉滨区") == [("汉滨区人民政府", "ORG")]
    assert ents(tagger, "中共汉滨区委召开会议", region="汉滨区") == [("中共汉滨区委", "ORG")]


def test_level_prefixed_bodies(tagger):
    text = "在省委、省政府领导下，区人大常委会、县行政审批局和市委办公厅协同推进"
    assert ents(tagger, text, label="ORG") == ["省委", "省政府", "区人大常委会", "县行政审批局", "市委办公厅"]


def test_body_inside_meeting_or_job_title(tagger):
    # meetings are not entities, the body named inside is ORG
    assert ents(tagger, "主持召开区委常委会会议和县政府常务会议") == [("区委", "ORG"), ("县政府", "ORG")]
    assert ents(tagger, "市委副书记出席") == [("市委", "ORG")]
    assert ents(tagger, "基本完成集中办公") == []  # 中办 is not inside 集中办公


def test_named_organizations(tagger):
    assert ents(tagger, "深圳职业技术大学获批", label="ORG") == ["深圳职业技术大学"]
    assert ents(tagger, "在全市率先成立企业纾困法律服务志愿团", label="ORG") == ["企业纾困法律服务志愿团"]
    assert ents(tagger, "建成超高通量核酸检测“火眼”实验室") == [("“火眼”实验室", "ORG")]


# ------------------------------------------------------------------------------------ unquoted PROGRAM


def test_unquoted_programs(tagger):
    assert ents(tagger, "深入开展城乡清洁工程") == [("城乡清洁工程", "PROGRAM")]
    assert ents(tagger, "推进沿江化工污染整治、饮用水水源地安全检查和达标建设等行动") == [
        ("沿江化工污染整治", "PROGRAM"), ("饮用水水源地安全检查和达标建设", "PROGRAM")]
    assert ents(tagger, "提升12345热线办理质效") == [("12345热线", "PROGRAM")]
    assert ents(tagger, "实施重大工程") == []


# ------------------------------------------------------------------------------------------- invariants

_ALPHABET = list("汉滨区大河镇放管服“”‘’《》（）()0123456789.%万亿件个年月日、，。和等工程行动市委政府人大条例法规定")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=60) | st.text(max_size=40))
def test_offsets_exact_and_spans_never_overlap(text):
    tagger = _HYP_TAGGER
    found = tagger.entities(text, region="汉滨区")
    prev_end = 0
    for e in found:
        assert 0 <= e["start"] < e["end"] <= len(text)
        assert text[e["start"] : e["end"]] == e["text"]
        assert e["start"] >= prev_end
        prev_end = e["end"]


_HYP_TAGGER = EntityTagger()

_MATCH_ENTRIES = {"汉滨区": 1, "汉滨": 2, "大河镇": 3, "委": 4, "区委": 5, "放管服": 6, "管": 7, "区大河": 8}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.sampled_from(list("汉滨区大河镇委放管服，\x00")), max_size=30), max_size=6))
def test_batch_matcher_equals_walking_matcher(texts):
    # the numpy batch scan gives exactly the per-text Python walk, also when the hash filter is all collisions
    from policytext.entities import _match

    matcher = _match.DictMatcher(_MATCH_ENTRIES)
    expected = [matcher.find_all(t) for t in texts]
    assert matcher.find_all_many(texts) == expected
    tiny = _match.DictMatcher(_MATCH_ENTRIES)
    old_bits = _match._TABLE_BITS
    try:
        _match._TABLE_BITS = 1  # every hash lands in one of two slots: nearly every substring is a candidate
        assert tiny.find_all_many(texts) == expected
    finally:
        _match._TABLE_BITS = old_bits


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.sampled_from(list("12法条例《》“”\"'成立设工程行动项目计划，\x00")), max_size=12),
                min_size=1, max_size=8))
def test_batch_hints_equal_per_text_hints(texts):
    from policytext.entities.tagger import _HINTS, _batch_hints

    assert _batch_hints(texts) == [tuple(rx.search(t) is not None for rx in _HINTS) for t in texts]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("深入推进陕西省汉滨区法治政府建设全省上下大河镇，。、；;：:？?！! ab12\r\n")),
               max_size=50))
def test_clause_boundaries_equal_sentence_boundaries(text):
    # word boundaries segmented clause by clause are those of the whole text
    import rjieba

    from policytext.entities.tagger import _Boundaries

    whole = {0, len(text)} | {x for _w, s, e in rjieba.tokenize(text) for x in (s, e)}
    lazy = _Boundaries(text)
    assert [p for p in range(-1, len(text) + 2) if lazy.contains(p)] == sorted(whole)
    assert lazy() == whole


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=st.sampled_from(_ALPHABET), max_size=40), min_size=1, max_size=8))
def test_sentence_table_equals_one_text_at_a_time(texts):
    # tag_sentences matches all sentences in one pass; each sentence's entities are those of tag()
    import pandas as pd

    tagger = _HYP_TAGGER
    table = tagger.tag_sentences(pd.DataFrame({"text": texts}), region="汉滨区")
    for k, text in enumerate(texts):
        one = tagger.tag(text, region="汉滨区")
        mine = table[table["sent_id"] == k].drop(columns=["doc_id", "sent_id", "sent_start", "sent_end"])
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), one, check_dtype=False)


# ------------------------------------------------------------------------------------- API and tables


def test_labels_parameter(tagger):
    only = EntityTagger(labels="PLACE,METRIC")
    assert {e["label"] for e in only.entities("汉滨区办理案件53件，深化“放管服”改革", region="汉滨区")} == {"PLACE", "METRIC"}
    with pytest.raises(ParameterError):
        EntityTagger(labels=["PERSON"])


def test_user_entities_list(tmp_path):
    path = tmp_path / "mine.txt"
    path.write_text("# my list\n八点半帮您办\tPROGRAM\n毛绒玩具五大中心 PLACE\n法治护航行动 program\n", encoding="utf-8")
    mine = EntityTagger(user_entities=path)
    found = [(e["text"], e["label"]) for e in mine.entities("在毛绒玩具五大中心推行八点半帮您办，开展法治护航行动")]
    assert found == [("毛绒玩具五大中心", "PLACE"), ("八点半帮您办", "PROGRAM"), ("法治护航行动", "PROGRAM")]
    assert EntityTagger(user_entities={"大竹园": "PLACE"}).entities("大竹园")[0]["label"] == "PLACE"
    path.write_text("无标签词\n", encoding="utf-8")
    with pytest.raises(InputError, match="no label"):
        EntityTagger(user_entities=path)
    path.write_text("某词 PERSON\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="line 1"):
        EntityTagger(user_entities=path)


def test_tag_sentences_offsets_are_document_offsets(tagger):
    text = "一、总体情况。确定大竹园镇和大河镇为改革试点镇。全年办结41件。"
    sents = pt.split_sentences(text)
    df = tagger.tag_sentences(sents, region="汉滨区")
    assert set(df.columns) >= {"doc_id", "sent_id", "start", "end", "sent_start", "sent_end", "label", "text"}
    for row in df.itertuples():
        assert text[row.start : row.end] == row.text
        assert sents.set_index("sent_id").loc[row.sent_id, "text"][row.sent_start : row.sent_end] == row.text


def test_tag_corpus_and_summaries(tagger, seed_corpus):
    df = tagger.tag_corpus(seed_corpus)
    docs = seed_corpus.docs.set_index("doc_id")
    for row in df.sample(min(len(df), 200), random_state=0).itertuples():
        assert docs.loc[row.doc_id, "text"][row.start : row.end] == row.text
    counts = entity_counts(df, seed_corpus.docs, by=["region", "year"])
    assert list(counts.columns) == ["region", "year", "label", "mentions", "documents"]
    assert counts.set_index("label").loc["METRIC", "mentions"] > 20
    towns = places_by_document(df, level="township")
    assert {"大竹园镇", "大河镇"} <= set(towns["place"])
    assert places_by_document(df, lists=True)["n_places"].iloc[0] >= 2


def test_tag_entities_dispatch():
    assert tag_entities("深化“放管服”改革")["label"].tolist() == ["SLOGAN"]
    with pytest.raises(InputError):
        tag_entities(42)


def test_empty_text_gives_empty_table(tagger):
    df = tagger.tag("")
    assert len(df) == 0 and list(df.columns[:4]) == ["start", "end", "label", "text"]


def test_pickle_roundtrip(tagger):
    import pickle

    clone = pickle.loads(pickle.dumps(tagger))
    assert clone.entities("汉滨区", region="汉滨区") == tagger.entities("汉滨区", region="汉滨区")


# ------------------------------------------------------------------------------------------------- CLI


def test_cli_round_trip(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    lines = [
        {"id": "a", "text": "全年办理行政审批服务事项20.56万件，按期办结率100%。", "region": "汉滨区"},
        {"id": "b", "text": "确定大竹园镇和大河镇为改革试点镇", "region": "陕西省安康市汉滨区"},
        {"id": 3, "text": ""},
    ]
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["entities", str(src), "--out", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", 3]
    for row, line in zip(rows, lines):
        for e in row["entities"]:
            assert line["text"][e["start"] : e["end"]] == e["text"]
    first = rows[0]["entities"][0]
    assert first["label"] == "METRIC" and first["value"] == 205600.0 and first["indicator"] == "办理行政审批服务事项"
    assert [e["parent"] for e in rows[1]["entities"]] == ["610902", "610902"]
    assert main(["entities", str(src), "--labels", "PLACE"]) == 0
    labels = {e["label"] for line in capsys.readouterr().out.splitlines() for e in json.loads(line)["entities"]}
    assert labels == {"PLACE"}


def test_cli_bad_line_names_line_number(tmp_path, capsys):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": 1, "text": "汉滨区"}\n{"id": 2, "txt": "x"}\nnot json\n', encoding="utf-8")
    assert main(["entities", str(src)]) == 1
    assert "line 2" in capsys.readouterr().err
    assert main(["entities", str(src), "--on-error", "skip"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert "line 2" in captured.err and "line 3" in captured.err
    assert main(["entities", str(tmp_path / "missing.jsonl")]) == 1


def test_custom_gazetteer_and_villages():
    import pandas as pd

    from policytext.gazetteer import Gazetteer

    rows = [
        # name, short, aliases, level, adcode, parent, parent_name, province, city, county, town
        ("甲省", "甲", "", "province", "900000", None, "", "甲省", "", "", ""),
        ("乙市", "", "", "city", "900100", "900000", "甲省", "甲省", "乙市", "", ""),
        ("丙丁县", "丙丁", "丙丁", "county-district", "900101", "900100", "乙市", "甲省", "乙市", "丙丁县", ""),
        ("戊己镇", "", "", "township", None, "900101", "丙丁县", "甲省", "乙市", "丙丁县", ""),
        ("庚辛村", "", "", "village-community", None, "900101", "戊己镇", "甲省", "乙市", "丙丁县", "戊己镇"),
    ]
    table = pd.DataFrame(rows, columns=["name", "short", "aliases", "level", "adcode", "parent", "parent_name",
                                        "province", "city", "county", "town"])
    gaz = Gazetteer(table)
    plain = EntityTagger(gazetteer=gaz)
    text = "丙丁县戊己镇庚辛村建成示范点"
    assert [e["text"] for e in plain.entities(text, region="丙丁县")] == ["丙丁县", "戊己镇"]
    villages = EntityTagger(gazetteer=gaz, villages=True)
    found = villages.entities(text, region="丙丁县")
    assert [(e["text"], e["level"]) for e in found] == [
        ("丙丁县", "county-district"), ("戊己镇", "township"), ("庚辛村", "village-community")]
    # villages count only inside the document's own county
    assert [e["text"] for e in villages.entities(text)] == ["丙丁县", "戊己镇"]
