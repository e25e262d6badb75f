"""Tests for policytext.tokenize (Tokenizer, the default engine, backends) and the ``policytext tokenize`` CLI."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policytext as pt
from policytext.cli import main as cli_main
from policytext.errors import (
    BackendNotAvailableError,
    InputError,
    ModelNotFoundError,
    ParameterError,
    ResourceError,
)
from policytext.tokenize import Token, Tokenizer, normalize

SHARED = Path(os.environ.get("POLICYTEXT_SHARED", Path(__file__).resolve().parents[2] / "shared"))
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    return Tokenizer()


def check_tokens(text: str, tokens: list[Token]) -> None:
    """The invariants every tokenizer output must satisfy."""
    prev = 0
    for t in tokens:
        assert isinstance(t, Token)
        assert text[t.start : t.end] == t.text, (t, text)
        assert t.start >= prev and t.end > t.start
        assert not any(ch.isspace() for ch in t.text), t
        assert text[prev : t.start].strip() == "" or text[prev : t.start].isspace(), (text, prev, t)
        prev = t.end
    assert text[prev:].strip() == ""
    assert "".join(t.text for t in tokens) == "".join(text.split())


# ------------------------------------------------------------------------------------------------ offsets

_ALPHABET = st.one_of(
    st.sampled_from(list("大竹园镇和河枫桥经验新时代放管服一网通办双随机、公开第年月日万亿元件的了是“”‘’「」《》（）()，。；：！？")),
    st.sampled_from(list("０１２３４５６７８９ＡＢＣａｂｃ％．：＋－　０")),
    st.sampled_from(list("0123456789.,:%+-/·—…_=*~ABCxyz'\"&")),
    st.sampled_from([" ", "\t", "\n", "\r", "\u3000", "\xa0", "\u2028", "\x0b", "\x85", "\u200b", "\ufeff"]),
    st.sampled_from(["😀", "👍", "\U0001f3fb", "\u200d", "\u0301", "\ufe0f", "e", "○", "〇", "∶", "‰", "\x00", "\U00020000"]),
    st.characters(exclude_categories=("Cs",)),
)
TEXTS = st.text(alphabet=_ALPHABET, max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_offsets_are_exact_on_arbitrary_text(tok, text):
    tokens = tok.tokenize(text)
    check_tokens(text, tokens)
    assert tok.cut(text) == [t.text for t in tokens]
    assert [t.text for t in Tokenizer(pos=False).tokenize(text)] == [t.text for t in tokens]


@settings(max_examples=100, deadline=None)
@given(text=TEXTS)
def test_offsets_with_quoted_phrases_kept(text):
    quoted = Tokenizer(keep_quoted=True)
    tokens = quoted.tokenize(text)
    check_tokens(text, tokens)
    assert quoted.cut(text) == [t.text for t in tokens]


def test_whitespace_never_becomes_a_token(tok):
    text = " 依法\u3000行政\t\n建设\xa0法治\u2028政府 "
    assert tok.cut(text) == ["依法", "行政", "建设", "法治", "政府"]
    assert tok.cut("   \n\t") == [] and tok.cut("") == []


def test_long_text_and_surrogates(tok):
    text = "坚持依法行政，建设法治政府。" * 20_000 + "\udcff好"
    tokens = tok.tokenize(text)
    check_tokens(text, tokens)
    assert tokens[-2].text == "\udcff"


# ------------------------------------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    "text, words",
    [
        ("办理20.56万件", ["办理", "20.56万", "件"]),
        ("满意率100%", ["满意率", "100%"]),
        ("投资5.6亿元", ["投资", "5.6亿", "元"]),
        ("增长1.2万亿", ["增长", "1.2万亿"]),
        ("比例为0.9:68.2:30.9", ["比例", "为", "0.9:68.2:30.9"]),
        ("下降-5.2%", ["下降", "-5.2%"]),
        ("共1,234,567人", ["共", "1,234,567", "人"]),
        ("2024年04月02日8时30分", ["2024年", "04月", "02日", "8时", "30分"]),
        ("2021—2025年", ["2021", "—", "2025年"]),
        ("二○二三年十二月三十一日", ["二○二三年", "十二月", "三十一日"]),
        ("第3名", ["第3", "名"]),
        ("5G基站和PM2.5", ["5G", "基站", "和", "PM2.5"]),
        ("COVID-19疫情", ["COVID-19", "疫情"]),
        ("ＧＤＰ增长６．５％", ["ＧＤＰ", "增长", "６．５％"]),
        ("１２３个ＡＢＣ", ["１２３", "个", "ＡＢＣ"]),
        ("１：２", ["１：２"]),
        ("好——好……", ["好", "——", "好", "……"]),
    ],
)
def test_numbers_latin_full_width(tok, text, words):
    assert tok.cut(text) == words
    check_tokens(text, tok.tokenize(text))


def test_full_width_tokens_keep_original_characters(tok):
    text = "完成２０．５６万件，占ＡＢＣ的１００％"
    tokens = tok.tokenize(text)
    assert [t.text for t in tokens] == ["完成", "２０．５６万", "件", "，", "占", "ＡＢＣ", "的", "１００％"]
    assert [t.pos for t in tokens][1:4] == ["m", "q", "w"]
    assert normalize("２０．５６％") == "20.56%" and len(normalize(text)) == len(text)


def test_marks_stay_with_their_character(tok):
    assert tok.cut("e\u0301好👍🏻👨\u200d👩") == ["e\u0301", "好", "👍🏻", "👨\u200d👩"]


# ------------------------------------------------------------------------------------------------ domain words


@pytest.mark.parametrize(
    "text, word",
    [
        ("大竹园镇为群众办实事", "大竹园镇"),
        ("大河镇和大竹园镇", "大河镇"),
        ("坚持和发展新时代枫桥经验", "枫桥经验"),
        ("坚持和发展新时代枫桥经验", "新时代"),
        ("深化放管服改革", "放管服"),
        ("推进政务服务一网通办", "一网通办"),
        ("全面推行双随机、一公开监管", "双随机、一公开"),
        ("推行互联网+政务服务", "互联网+"),
        ("优化营商环境", "营商环境"),
        ("汉滨区司法局", "司法局"),
    ],
)
def test_domain_words_come_out_whole(tok, text, word):
    assert word in tok.cut(text)


def test_compounds_and_enumerations_of_domain_words_are_split(tok):
    # every part stays a token, so an entity inside them keeps its boundaries
    assert tok.cut("实现碳达峰、碳中和") == ["实现", "碳达峰", "、", "碳中和"]
    assert "法治" in tok.cut("坚持自治、法治、德治")
    assert tok.cut("加强人大代表建议办理")[:3] == ["加强", "人大", "代表"]
    # two-character division names that would swallow a neighbour are not dictionary words (和县, 唐镇)
    assert tok.cut("市中级人民法院和县人民检察院")[2:4] == ["和", "县"]


def test_without_domain_words(tok):
    plain = Tokenizer(lexicon=False, gazetteer=False)
    assert "大竹园镇" not in plain.cut("大竹园镇为群众办实事")
    assert "大竹园镇" in tok.cut("大竹园镇为群众办实事")


def test_pos_tags(tok):
    tags = {t.text: t.pos for t in tok.tokenize("汉滨区司法局推进依法行政，完成100%")}
    assert tags["汉滨区"] == "ns" and tags["司法局"] == "nt" and tags["推进"] == "v"
    assert tags["，"] == "w" and tags["100%"] == "m"
    assert all(t.pos is None for t in Tokenizer(pos=False).tokenize("依法行政"))


# ------------------------------------------------------------------------------------------------ quoted phrases


def test_keep_quoted(tok):
    text = "推行“四办”模式和“就近办”，落实‘马上办’"
    assert "四办" not in tok.cut(text)
    quoted = Tokenizer(keep_quoted=True)
    words = quoted.cut(text)
    assert {"四办", "就近办", "马上办"} <= set(words)
    assert words[1:4] == ["“", "四办", "”"]
    assert "四办" in Tokenizer(keep_quoted=True).cut('推行"四办"模式')  # half-width quotes too
    long = "“这是一个非常非常长的引号里面的句子”"
    assert len(Tokenizer(keep_quoted=True, max_quoted=5).cut(long)) > 3


# ------------------------------------------------------------------------------------------------ user words


def test_user_dict_file_and_add_words(tmp_path):
    path = tmp_path / "words.txt"
    path.write_text("\ufeff# my words\n秦岭生态卫士 nz\n一码通城 50 nz\n八点半帮您办\n", encoding="utf-8")
    tok = Tokenizer(user_dict=path)
    assert tok.user_words == ["秦岭生态卫士", "一码通城", "八点半帮您办"]
    assert tok.cut("开展秦岭生态卫士行动，推行一码通城和八点半帮您办") == [
        "开展", "秦岭生态卫士", "行动", "，", "推行", "一码通城", "和", "八点半帮您办",
    ]
    assert tok.add_words(["数字乡村大脑", ("12345热线", None, "nz")]) is tok
    assert "数字乡村大脑" in tok.cut("建设数字乡村大脑")
    assert "12345热线" in tok.cut("拨打12345热线")
    # user words do not leak into other tokenizers sharing the engine
    assert "秦岭生态卫士" not in Tokenizer().cut("开展秦岭生态卫士行动")
    tagged = Tokenizer(user_dict=[("依法治区", 10, "PROGRAM")])
    assert tagged.tokenize("推进依法治区")[1] == Token("依法治区", 2, 6, "PROGRAM")


def test_user_dict_errors(tmp_path):
    with pytest.raises(ResourceError, match="no such file"):
        Tokenizer(user_dict=tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("词 1 2 3\n", encoding="utf-8")
    with pytest.raises(ResourceError, match="line 1"):
        Tokenizer(user_dict=bad)
    with pytest.raises(ParameterError, match="single string"):
        Tokenizer().add_words("枫桥经验")
    with pytest.raises(ParameterError, match="whitespace"):
        Tokenizer().add_words(["两个 词"])


# ------------------------------------------------------------------------------------------------ API contract


def test_module_level_functions_in_any_import_order():
    import policytext.tokenize as module

    assert pt.tokenize("依法行政") == module.tokenize("依法行政") == Tokenizer().tokenize("依法行政")
    assert pt.cut("坚持和发展新时代枫桥经验") == ["坚持", "和", "发展", "新时代", "枫桥经验"]
    assert callable(pt.tokenize) and pt.tokenize("建设")[0].text == "建设"


def test_bad_input_and_parameters(tok):
    with pytest.raises(InputError, match="missing value"):
        tok.tokenize(None)
    with pytest.raises(InputError, match="str"):
        tok.cut(b"bytes")
    with pytest.raises(InputError, match=r"texts\[1\]"):
        tok.pipe(["好", float("nan")])
    with pytest.raises(InputError, match="single str"):
        tok.pipe("一段文字")
    with pytest.raises(ParameterError, match="n_jobs"):
        tok.pipe(["好"], n_jobs=0)
    with pytest.raises(ParameterError, match="'default', 'jieba', 'hanlp'"):
        Tokenizer("pkuseg")
    with pytest.raises(ParameterError, match="backend='hanlp' only"):
        Tokenizer(model="x")
    with pytest.raises(ParameterError, match="max_quoted"):
        Tokenizer(max_quoted=0)


def test_pickle_roundtrip(tok):
    tok2 = Tokenizer(keep_quoted=True).add_words(["秦岭生态卫士"])
    clone = pickle.loads(pickle.dumps(tok2))
    text = "开展“秦岭生态卫士”行动，推行“四办”"
    assert clone.tokenize(text) == tok2.tokenize(text)
    assert clone.user_words == ["秦岭生态卫士"] and clone.keep_quoted
    assert pickle.loads(pickle.dumps(tok)).cut("大竹园镇") == ["大竹园镇"]
    assert "keep_quoted=True" in repr(tok2) and "user_words=1" in repr(tok2)


def test_pipe_parallel_equals_serial(tok):
    texts = [f"第{i}条：大竹园镇完成{i}.5万件，满意率{i}%，推行“四办”。" for i in range(300)] + ["", " "]
    serial = tok.pipe(texts, batch_size=40)
    assert serial == [tok.tokenize(t) for t in texts]
    assert tok.pipe(texts, n_jobs=2, batch_size=40) == serial
    assert tok.pipe(iter(texts), n_jobs=2, batch_size=40, as_words=True) == [tok.cut(t) for t in texts]
    assert tok.pipe([]) == []


def test_count_vectorizer(tok):
    from sklearn.base import clone
    from sklearn.feature_extraction.text import CountVectorizer

    docs = ["大竹园镇推进依法行政", "大河镇推进依法行政，建设法治政府", "坚持和发展新时代枫桥经验"]
    vec = CountVectorizer(tokenizer=tok, token_pattern=None, lowercase=False)
    X = vec.fit_transform(docs)
    vocab = vec.vocabulary_
    assert {"大竹园镇", "大河镇", "枫桥经验", "依法行政"} <= set(vocab)
    assert X[1, vocab["依法行政"]] == 1 and X.shape == (3, len(vocab))
    assert pickle.loads(pickle.dumps(vec)).transform(docs).toarray().tolist() == X.toarray().tolist()
    assert clone(vec).fit(docs).vocabulary_ == vocab


# ------------------------------------------------------------------------------------------------ backends


def test_jieba_backend():
    jieba = pytest.importorskip("jieba")
    tok = Tokenizer("jieba")
    text = "我来到北京清华大学，大竹园镇完成20.56万件"
    assert tok.cut(text) == jieba.lcut(text)
    check_tokens(text, tok.tokenize(text))
    spaced = "依法 行政\u3000建设"
    check_tokens(spaced, tok.tokenize(spaced))
    assert tok.cut(spaced) == ["依法", "行政", "建设"]
    assert tok.tokenize("北京")[0].pos == "ns"
    assert Tokenizer("jieba", user_dict=["大竹园镇"]).cut("大竹园镇为") == ["大竹园镇", "为"]
    assert pickle.loads(pickle.dumps(tok)).cut(text) == tok.cut(text)


@settings(max_examples=100, deadline=None)
@given(text=TEXTS)
def test_jieba_backend_offsets(text):
    pytest.importorskip("jieba")
    tokens = Tokenizer("jieba").tokenize(text)
    check_tokens(text, tokens)
    assert [t.text for t in tokens] == Tokenizer("jieba", pos=False).cut(text)


def test_hanlp_missing_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "hanlp", None)
    with pytest.raises(BackendNotAvailableError) as info:
        Tokenizer("hanlp", model="/some/model")
    assert "pip install" in str(info.value) and isinstance(info.value, ImportError)
    monkeypatch.setitem(sys.modules, "policytext.backends.hanlp", None)
    with pytest.raises(BackendNotAvailableError, match="policytext\\[hanlp\\]"):
        Tokenizer("hanlp")


def test_hanlp_model_not_found(tmp_path):
    pytest.importorskip("hanlp")
    with pytest.raises(ModelNotFoundError):
        Tokenizer("hanlp", model=tmp_path / "no-model-here")


@pytest.mark.hanlp
def test_hanlp_backend_with_a_tiny_real_model(tmp_path_factory):
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from hanlp_support import hanlp_available, train_tiny_model

    ok, why = hanlp_available()
    if not ok:
        pytest.skip(why)
    model = train_tiny_model(tmp_path_factory.mktemp("hanlp") / "tiny", epochs=2)
    tok = Tokenizer("hanlp", model=model, user_dict=["大竹园镇"])
    texts = ["大竹园镇 推进依法行政，完成２０．５万件", "建设法治政府"]
    for text in texts:
        check_tokens(text, tok.tokenize(text))
    assert "大竹园镇" in tok.cut(texts[0])
    assert tok.pipe(texts) == [tok.tokenize(t) for t in texts]
    assert pickle.loads(pickle.dumps(tok)).cut(texts[1]) == tok.cut(texts[1])


# ------------------------------------------------------------------------------------------------ resources, cache


def test_segmenter_resources_parse():
    from policytext.tokenize import _read_resource

    words = _read_resource("words.txt")
    assert len(words) > 100 and all(f == 20 and tag for _, f, tag in words)
    assert [w for w, _, _ in _read_resource("exclude.txt")] == ["人大代表", "党委书记"]
    assert len({w for w, _, _ in words}) == len(words)


def test_dictionary_is_built_once_into_the_cache(tmp_path):
    env = dict(os.environ, POLICYTEXT_CACHE=str(tmp_path), PYTHONPATH=str(REPO))
    code = "from policytext import Tokenizer; print(' '.join(Tokenizer(gazetteer=False).cut('大河镇推进依法行政')))"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "first use" in first.stderr and first.stdout.strip()
    assert list((tmp_path / "segmenter").glob("base-*.txt")) and list((tmp_path / "segmenter").glob("domain-*.txt"))
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert second.stderr == "" and second.stdout == first.stdout


# ------------------------------------------------------------------------------------------------ CLI


def run_cli(tmp_path: Path, data: bytes, *extra: str) -> bytes:
    src = tmp_path / "in.txt"
    src.write_bytes(data)
    out = tmp_path / "out.txt"
    assert cli_main(["tokenize", str(src), "--out", str(out), *extra]) == 0
    return out.read_bytes()


def check_round_trip(inp: str, out: str) -> None:
    in_lines = inp.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if inp.endswith(("\n", "\r")):
        in_lines.pop()
    out_lines = out.split("\n")
    assert out_lines.pop() == ""
    assert len(out_lines) == len(in_lines)
    for a, b in zip(in_lines, out_lines):
        assert "".join(b.split()) == "".join(a.split())
        assert "  " not in b and b == b.strip(" ")
        if not a.strip():
            assert b.strip() == ""
        if not a:
            assert b == ""


def test_cli_round_trip(tmp_path):
    lines = [
        "大竹园镇和大河镇坚持和发展新时代枫桥经验。",
        "",
        "  办理２０．５６万件，满意率100%  ",
        "\t\u3000",
        "全面推行“双随机、一公开”监管 ABC def",
        "坚持依法行政，建设法治政府。" * 5000,
        "😀 e\u0301 \x00 最后",
    ]
    text = "\r\n".join(lines)
    out = run_cli(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8")).decode("utf-8")
    check_round_trip(text, out)
    first = out.split("\n")[0]
    assert first == "大竹园镇 和 大河镇 坚持 和 发展 新时代 枫桥经验 。"
    assert out.split("\n")[2] == "办理 ２０．５６万 件 ， 满意率 100%"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(TEXTS, max_size=6))
def test_cli_round_trip_property(tmp_path, lines):
    text = "\n".join(lines) + "\n"
    out = run_cli(tmp_path, text.encode("utf-8")).decode("utf-8")
    text = text.removeprefix("\ufeff")  # a leading U+FEFF is a byte-order mark, not text
    check_round_trip(text, out)
    # the output splits into lines as the input does under str.splitlines too
    assert len(out.splitlines()) == len(text.splitlines())


def test_cli_line_breakers_and_bad_bytes(tmp_path):
    out = run_cli(tmp_path, "依法\u2028行政 \x0c建设\n".encode("utf-8"))
    assert out.decode("utf-8").splitlines() == ["依法", "行政", "建设"]
    assert out.decode("utf-8").split("\n") == ["依法\u2028行政\x0c建设", ""]
    raw = run_cli(tmp_path, "好".encode() + b"\xff" + "坏\n".encode())
    assert raw == "好 ".encode() + b"\xff" + " 坏\n".encode()
    assert run_cli(tmp_path, "依法行政\n".encode("utf-16")) == "依法行政\n".encode()
    assert run_cli(tmp_path, "依法行政\n".encode("gb18030")) == "依法行政\n".encode()
    assert run_cli(tmp_path, b"") == b""


def test_cli_options(tmp_path, capsys):
    dict_path = tmp_path / "user.txt"
    dict_path.write_text("秦岭生态卫士\n", encoding="utf-8")
    data = "开展“秦岭生态卫士”行动，推行“四办”\n".encode()
    out = run_cli(tmp_path, data, "--user-dict", str(dict_path), "--keep-quoted", "--pos").decode()
    assert "秦岭生态卫士/nz" in out and "四办/nz" in out
    out = run_cli(tmp_path, "北京大学\n".encode(), "--backend", "jieba")
    assert out.decode() == "北京大学\n"
    par = run_cli(tmp_path, ("推进依法行政\n" * 5000).encode(), "--n-jobs", "2")
    assert par.decode() == "推进 依法行政\n" * 5000
    assert cli_main(["tokenize", str(tmp_path / "missing.txt")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_cli_stdin_stdout(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "policytext", "tokenize", "-"],
        input="推进依法行政\n\n大河镇\n".encode(),
        capture_output=True,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        check=True,
    )
    assert proc.stdout.decode() == "推进 依法行政\n\n大河镇\n"


# ------------------------------------------------------------------------------------------------ real data


def _spans(words: list[str]) -> set[tuple[int, int]]:
    out, i = set(), 0
    for w in words:
        out.add((i, i + len(w)))
        i += len(w)
    return out


def _icwb2_f1(tok: Tokenizer, name: str, n_lines: int) -> float:
    path = SHARED / "corpora" / "icwb2" / "gold" / f"{name}_test_gold.utf8"
    if not path.is_file():
        pytest.skip(f"SIGHAN 2005 gold not found at {path}")
    tp = ng = npred = 0
    for line in path.read_text(encoding="utf-8").split("\n")[:n_lines]:
        gold = line.split()
        g, p = _spans(gold), _spans(tok.cut("".join(gold)))
        tp += len(g & p)
        ng += len(g)
        npred += len(p)
    prec, rec = tp / npred, tp / ng
    return 2 * prec * rec / (prec + rec)


def test_pku_word_f1_on_a_slice_of_the_test_gold(tok):
    # the full benchmark (bench/bench_tokenize.py) gives 0.946; the first 300 lines must stay well above 0.90
    assert _icwb2_f1(tok, "pku", 300) > 0.92


def test_entity_integrity_on_the_dev_gold(tok):
    files = sorted((SHARED / "gold" / "dev").glob("*entities*.jsonl"))
    if not files:
        pytest.skip("entity gold not found under shared/gold/dev")
    ok = n = 0
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            bounds = {b for t in tok.tokenize(rec["text"]) for b in (t.start, t.end)}
            for e in rec["entities"]:
                if e["label"] in {"PLACE", "ORG", "SLOGAN", "PROGRAM", "DOCUMENT"}:
                    n += 1
                    ok += e["start"] in bounds and e["end"] in bounds
    assert ok / n >= 0.97
