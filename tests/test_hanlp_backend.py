"""Tests of the HanLP backend (policytext.backends.hanlp).

The model is real: a tiny HanLP RNNTokenizer trained once per session on tests/data/hanlp_tiny_train.txt
(tests/hanlp_support.py, ~5 s), saved by HanLP and loaded back through ``hanlp.load(path)``. Tests that need
torch + hanlp are marked ``hanlp`` and skip with the reason when they are not installed; the alignment and
missing-dependency tests run everywhere.
"""

from __future__ import annotations

import json
import pickle
import shutil
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policytext.backends import hanlp as hb
from policytext.errors import BackendNotAvailableError, InputError, ModelNotFoundError, ParameterError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hanlp_support import TRAIN_FILE, hanlp_available, train_tiny_model, train_tiny_transformer_model

HAVE_HANLP, WHY_NOT = hanlp_available()
needs_hanlp = [pytest.mark.hanlp, pytest.mark.skipif(not HAVE_HANLP, reason=WHY_NOT)]

# Training lines the tiny model has memorised (gold segmentation, spaces between words).
GOLD = [
    "全面 推进 依法 行政 ， 持续 优化 营商 环境 。",
    "培育 农村 “ 法律 明白人 ” 2.3万 名 。",
    "12345 热线 接通率 提高 到 96% 。",
]


def check_tokens(text, tokens):
    """The offset contract: exact slices, in order, no overlap, nothing but whitespace left out."""
    covered = set()
    last = 0
    for t in tokens:
        assert text[t.start : t.end] == t.text, t
        assert t.start >= last and t.end > t.start, tokens
        assert not t.text[0].isspace() and not t.text[-1].isspace(), t
        covered.update(range(t.start, t.end))
        last = t.end
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered, (text, tokens)


# ----------------------------------------------------------------------------------------------------------
# align_words: pure Python, runs without HanLP
# ----------------------------------------------------------------------------------------------------------

ALPHABET = "依法行政推进营商环境年万亿的，。、“”（）%.0123456789AaBZｘＧＤＰ５％　 \t"


@st.composite
def text_and_segmentation(draw):
    text = draw(st.text(alphabet=ALPHABET, min_size=0, max_size=40))
    chars = [c for c in text if not c.isspace()]
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(chars) - 1)), max_size=len(chars))))
    words, prev = [], 0
    for c in [*cuts, len(chars)]:
        if c > prev:
            words.append("".join(chars[prev:c]))
            prev = c
    return text, words


@settings(max_examples=300, deadline=None)
@given(text_and_segmentation())
def test_align_words_recovers_an_exact_segmentation(case):
    text, words = case
    spans = hb.align_words(text, words)
    assert [i for _, _, i in spans] == list(range(len(words)))
    assert ["".join(ch for ch in text[s:e] if not ch.isspace()) for s, e, _ in spans] == words


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_and_segmentation(), st.data())
def test_align_words_survives_normalised_and_missing_words(case, data):
    """Whatever the segmenter does to its words, spans stay exact and nothing is dropped."""
    text, words = case
    edit = data.draw(st.sampled_from(["nfkc", "casefold", "drop", "junk", "none"]))
    if edit == "nfkc":
        words = [unicodedata.normalize("NFKC", w) for w in words]
    elif edit == "casefold":
        words = [w.upper() for w in words]
    elif edit == "drop" and words:
        del words[data.draw(st.integers(0, len(words) - 1))]
    elif edit == "junk":
        words = [*words[: len(words) // 2], "龘", *words[len(words) // 2 :]]
    spans = hb.align_words(text, words)
    covered = set()
    last = 0
    for s, e, _ in spans:
        assert last <= s < e
        assert not text[s].isspace() and not text[e - 1].isspace()
        covered.update(range(s, e))
        last = e
    assert covered >= {i for i, ch in enumerate(text) if not ch.isspace()}


def test_align_words_examples():
    text = "ＧＤＰ增长５.２％，iPhone X上线"
    got = [
        (text[s:e], i)
        for s, e, i in hb.align_words(text, ["GDP", "增长", "5.2", "%", "，", "iPhoneX", "上线"])
    ]
    assert got == [
        ("ＧＤＰ", 0),
        ("增长", 1),
        ("５.２", 2),
        ("％", 3),
        ("，", 4),
        ("iPhone X", 5),
        ("上线", 6),
    ]
    # one-to-one normalisation (traditional -> simplified) lines up by position
    assert [(s, e) for s, e, _ in hb.align_words("依法行政與營商", ["依法", "行政", "与营商"])] == [
        (0, 2),
        (2, 4),
        (4, 7),
    ]
    # characters the model left out come back as tokens of their own
    assert [(s, e, i) for s, e, i in hb.align_words("推进「依法」行政", ["推进", "依法", "行政"])] == [
        (0, 2, 0),
        (2, 3, None),
        (3, 5, 1),
        (5, 6, None),
        (6, 8, 2),
    ]


# ----------------------------------------------------------------------------------------------------------
# Missing HanLP / torch: simulated, runs everywhere
# ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["hanlp", "torch"])
def test_missing_backend_says_how_to_install(monkeypatch, module):
    monkeypatch.setitem(sys.modules, module, None)  # makes `import <module>` raise ImportError
    t0 = time.perf_counter()
    with pytest.raises(BackendNotAvailableError) as info:
        hb.HanLPBackend("/some/model")
    assert time.perf_counter() - t0 < 1
    msg = str(info.value)
    assert repr(module) in msg
    assert "pip install torch==2.13.0" in msg
    assert 'pip install "policytext[hanlp]"' in msg
    assert "CPU wheel" in msg
    assert isinstance(info.value, ImportError)


# ----------------------------------------------------------------------------------------------------------
# The real tiny model
# ----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    if not HAVE_HANLP:
        pytest.skip(WHY_NOT)
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model gains nothing from threads, and they spin on a busy machine
    yield train_tiny_model(tmp_path_factory.mktemp("hanlp") / "tiny_rnn_tok")
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny(tiny_model):
    return hb.HanLPBackend(tiny_model, lexicon=False)


@pytest.mark.usefixtures("tiny_model")
class TestTinyModel:
    pytestmark = needs_hanlp

    def test_saved_model_is_a_stock_hanlp_rnn_tokenizer(self, tiny_model, tiny):
        from hanlp.components.tokenizers.tok import RNNTokenizer

        assert json.loads((tiny_model / "config.json").read_text())["classpath"] == hb_stock()
        assert type(tiny.component) is RNNTokenizer
        assert tiny.component.model.crf.batch_first is True  # repaired on load

    def test_segments_training_sentences_like_the_gold(self, tiny):
        for line in GOLD:
            words = line.split()
            assert tiny.cut("".join(words)) == words

    def test_tokens_have_exact_offsets(self, tiny):
        text = "全面推进依法行政，持续优化营商环境。"
        tokens = tiny.tokenize(text)
        check_tokens(text, tokens)
        assert [(t.text, t.start, t.end, t.pos) for t in tokens[:2]] == [
            ("全面", 0, 2, None),
            ("推进", 2, 4, None),
        ]

    @pytest.mark.parametrize(
        "text",
        [
            "依法 行政 ，  持续优化\n营商环境。",  # spaces and a line break
            "ＧＤＰ增长５.２％，新建５Ｇ基站１５００个",  # full-width letters and digits
            "上线政务服务App，引进PPP项目12个，ISO 9001认证",  # Latin inside Chinese
            "\u3000\u3000一是全面推进依法行政。\r\n\r\n二是持续优化营商环境！",
            "",
            "   \n\t ",
        ],
    )
    def test_offsets_with_whitespace_full_width_and_latin(self, tiny, text):
        check_tokens(text, tiny.tokenize(text))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.text(alphabet=ALPHABET + "\n法律明白人放管服", max_size=60))
    def test_offsets_property(self, tiny, text):
        check_tokens(text, tiny.tokenize(text))

    def test_long_text_is_chunked_without_losing_offsets(self, tiny_model):
        backend = hb.HanLPBackend(tiny_model, lexicon=False, max_chunk=16)
        text = "全面推进依法行政持续优化营商环境" * 5 + "，加快建设法治政府。" * 3
        tokens = backend.tokenize(text)
        check_tokens(text, tokens)
        assert "".join(t.text for t in tokens) == text

    def test_batch_equals_one_by_one(self, tiny):
        texts = ["全面推进依法行政。", "", "培育法律明白人2.3万名，加快建设法治政府。"]
        assert tiny.tokenize_batch(texts) == [tiny.tokenize(t) for t in texts]

    def test_dictionary_force_keeps_a_word_the_model_splits(self, tiny_model, tiny):
        text = "培育法律明白人2.3万名"
        assert "法律明白人" not in tiny.cut(text), "precondition: the tiny model splits 法律 / 明白人"
        forced = hb.HanLPBackend(tiny_model, user_words=["法律明白人"], lexicon=False)
        tokens = forced.tokenize(text)
        assert [t.text for t in tokens] == ["培育", "法律明白人", "2.3万", "名"]
        check_tokens(text, tokens)

    def test_force_versus_combine(self, tiny_model):
        text = "培育法律明白人2.3万名"
        combine = hb.HanLPBackend(
            tiny_model, user_words=["法律明白人", "律明"], lexicon=False, dictionary="combine"
        )
        assert combine.cut(text) == [
            "培育",
            "法律明白人",
            "2.3万",
            "名",
        ]  # merges 法律 + 明白人, never cuts 律明
        force = hb.HanLPBackend(tiny_model, user_words=["律明"], lexicon=False)
        assert "律明" in force.cut(text)  # longest-prefix matching on the input wins over the model

    def test_add_words(self, tiny_model):
        backend = hb.HanLPBackend(tiny_model, lexicon=False)
        assert backend.add_words(["法律明白人"]) is backend
        assert "法律明白人" in backend.cut("培育法律明白人")

    def test_policy_lexicon_is_applied(self, tiny_model, tiny):
        lexicon = pytest.importorskip("policytext.lexicon")
        if "枫桥经验" not in set(lexicon.load_lexicon()["term"]):
            pytest.skip("the policy lexicon has no 枫桥经验")
        text = "坚持和发展枫桥经验"
        assert "枫桥经验" not in tiny.cut(text), "precondition: the tiny model splits 枫桥经验"
        backend = hb.HanLPBackend(tiny_model)
        assert "枫桥经验" in backend.words
        assert "枫桥经验" in backend.cut(text)
        assert not {"十五", "三公"} & set(backend.words)  # ambiguous entries are not forced

    def test_pickle_reloads_lazily(self, tiny):
        blob = pickle.dumps(tiny)
        assert len(blob) < 10_000  # the model itself is not pickled
        clone = pickle.loads(blob)
        assert clone._component is None
        assert clone.tokenize("全面推进依法行政。") == tiny.tokenize("全面推进依法行政。")

    def test_works_in_a_child_process(self, tiny):
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            got = pool.submit(tiny.cut, "全面推进依法行政。").result(timeout=120)
        assert got == tiny.cut("全面推进依法行政。")

    def test_rejects_bad_input_and_parameters(self, tiny_model, tiny):
        with pytest.raises(InputError):
            tiny.tokenize(None)
        with pytest.raises(ParameterError, match="not a single string"):
            hb.HanLPBackend(tiny_model, user_words="法律明白人")
        with pytest.raises(ParameterError, match="device"):
            hb.HanLPBackend(tiny_model, device="gpu")
        with pytest.raises(ParameterError, match="dictionary"):
            hb.HanLPBackend(tiny_model, dictionary="merge")

    def test_repair_is_needed_and_sufficient(self, tiny_model):
        """hanlp.load alone gives an RNNTokenizer that cannot predict in HanLP 2.1.5; the repair fixes it."""
        import hanlp

        component = hanlp.load(str(tiny_model), devices=-1, verbose=False)
        try:
            broken = component.predict([list("全面推进依法行政")])
        except (AssertionError, TypeError):
            broken = None
        hb.repair_rnn_tokenizer(component)
        fixed = component.predict([list("全面推进依法行政")])
        assert fixed == [["全面", "推进", "依法", "行政"]]
        if broken is not None:  # pragma: no cover - a HanLP release that fixed build_dataset
            assert component.model.crf.batch_first

    # -- model resolution --------------------------------------------------------------------------------------

    def test_model_under_hanlp_home_by_url_and_by_name(self, tiny_model, tmp_path, monkeypatch):
        import hanlp
        from hanlp_common.constant import HANLP_URL

        home = tmp_path / "hanlp_home"
        shutil.copytree(tiny_model, home / "tok" / "policytext_tiny_20240101")
        url = HANLP_URL + "tok/policytext_tiny_20240101.zip"
        monkeypatch.setenv("HANLP_HOME", str(home))
        backend = hb.HanLPBackend(url, lexicon=False)
        assert Path(backend.model_path) == home / "tok" / "policytext_tiny_20240101"
        assert backend.cut("全面推进依法行政") == ["全面", "推进", "依法", "行政"]
        monkeypatch.setitem(hanlp.pretrained.ALL, "POLICYTEXT_TINY", url)
        assert hb.HanLPBackend("POLICYTEXT_TINY", lexicon=False).model_path == backend.model_path

    def test_zipped_model_under_hanlp_home_is_unpacked_offline(self, tiny_model, tmp_path, monkeypatch):
        from hanlp_common.constant import HANLP_URL

        home = tmp_path / "hanlp_home"
        (home / "tok").mkdir(parents=True)
        shutil.make_archive(
            str(home / "tok" / "policytext_tiny_20240102"), "zip", tiny_model.parent, tiny_model.name
        )
        monkeypatch.setenv("HANLP_HOME", str(home))
        backend = hb.HanLPBackend(HANLP_URL + "tok/policytext_tiny_20240102.zip", lexicon=False)
        assert Path(backend.model_path).is_dir()
        assert backend.cut("全面推进依法行政") == ["全面", "推进", "依法", "行政"]

    def test_zip_given_by_path(self, tiny_model, tmp_path):
        archive = shutil.make_archive(str(tmp_path / "my_model"), "zip", tiny_model.parent, tiny_model.name)
        backend = hb.HanLPBackend(archive, lexicon=False)
        assert Path(backend.model_path).is_dir() and Path(archive).is_file()
        assert backend.cut("全面推进依法行政") == ["全面", "推进", "依法", "行政"]
        assert hb.HanLPBackend(archive, lexicon=False).model_path == backend.model_path  # unpacked once

    @pytest.mark.parametrize("model", [None, "COARSE_ELECTRA_SMALL_ZH", "CTB9_TOK_ELECTRA_BASE"])
    def test_missing_pretrained_model_fails_fast_with_the_place_to_put_it(self, tmp_path, monkeypatch, model):
        import hanlp

        monkeypatch.setenv("HANLP_HOME", str(tmp_path))
        monkeypatch.delenv("POLICYTEXT_HANLP_DOWNLOAD", raising=False)
        t0 = time.perf_counter()
        with pytest.raises(ModelNotFoundError) as info:
            hb.HanLPBackend(model)
        assert time.perf_counter() - t0 < 2, "must not wait for a network timeout"
        msg = str(info.value)
        url = hanlp.pretrained.ALL[model or hb.DEFAULT_MODEL]
        rel = url.split("/hanlp/", 1)[1] if "/hanlp/" in url else "thirdparty/" + url.split("://", 1)[1]
        assert str(tmp_path / rel) in msg
        assert "HANLP_HOME" in msg and url in msg and "download=True" in msg
        if model != "CTB9_TOK_ELECTRA_BASE":
            # HanLP resolves dependencies under the HANLP_HOME it was imported with; the message says so
            home = Path(hb._effective_hanlp_home())
            assert str(home / "transformers" / "electra_zh_small_20210706_125427.zip") in msg
            assert (home != tmp_path) == ("HanLP was imported while HANLP_HOME was" in msg)

    def test_missing_dependency_of_a_present_model(self, tiny_model, tmp_path):
        model = tmp_path / "needs_electra"
        shutil.copytree(tiny_model, model)
        config = json.loads((model / "config.json").read_text())
        config["transformer"] = "hfl/chinese-electra-180g-small-discriminator"
        (model / "config.json").write_text(json.dumps(config))
        with pytest.raises(ModelNotFoundError, match=r"transformers/electra_zh_small_20210706_125427\.zip"):
            hb.HanLPBackend(model, lexicon=False)

    def test_missing_local_paths(self, tmp_path):
        with pytest.raises(ModelNotFoundError, match="does not exist"):
            hb.HanLPBackend(tmp_path / "nope")
        with pytest.raises(ModelNotFoundError, match="no config.json"):
            hb.HanLPBackend(tmp_path)

    def test_download_is_opt_in(self, tmp_path, monkeypatch):
        import hanlp

        calls = []

        def fake_load(path, **kwargs):
            calls.append(path)
            raise ConnectionError("Name or service not known")

        monkeypatch.setenv("HANLP_HOME", str(tmp_path))
        monkeypatch.setattr(hanlp, "load", fake_load)
        with pytest.raises(ModelNotFoundError, match="Name or service not known"):
            hb.HanLPBackend("COARSE_ELECTRA_SMALL_ZH", download=True)
        monkeypatch.setenv("POLICYTEXT_HANLP_DOWNLOAD", "1")
        with pytest.raises(ModelNotFoundError):
            hb.HanLPBackend("COARSE_ELECTRA_SMALL_ZH")
        assert calls == [hanlp.pretrained.ALL["COARSE_ELECTRA_SMALL_ZH"]] * 2

    def test_multi_task_model_gives_tokens_and_tags(self, tiny_model, monkeypatch):
        """Plumbing for HanLP multi-task models (tok + pos), with a stand-in for the downloaded model."""
        import hanlp

        class Task:
            dict_force = dict_combine = None

        class FakeMTL:
            def __init__(self):
                self.tasks = {"tok/fine": Task(), "tok/coarse": Task(), "pos/ctb": Task(), "ner/msra": Task()}

            def __getitem__(self, key):
                return self.tasks[key]

            def __call__(self, texts, tasks):
                assert tasks == ["tok/fine", "pos/ctb"]
                toks = [["推进", "依法", "行政"] for _ in texts]
                return {"tok/fine": toks, "pos/ctb": [["VV", "AD", "NN"] for _ in texts]}

        monkeypatch.setattr(hanlp, "load", lambda path, **kw: FakeMTL())
        backend = hb.HanLPBackend(tiny_model, user_words=["依法行政"], lexicon=False)
        assert backend.component.tasks["tok/fine"].dict_force == {"依法行政"}
        assert backend.tokenize("推进 依法行政") == [
            hb.Token("推进", 0, 2, "VV"),
            hb.Token("依法", 3, 5, "AD"),
            hb.Token("行政", 5, 7, "NN"),
        ]


@pytest.fixture(scope="session")
def tiny_transformer(tiny_model, tmp_path_factory):
    return train_tiny_transformer_model(tmp_path_factory.mktemp("hanlp") / "tiny_transformer_tok")


class TestTinyTransformerModel:
    """HanLP's TransformerTaggingTokenizer (the class of COARSE_ELECTRA_SMALL_ZH) on a tiny local BERT."""

    pytestmark = needs_hanlp

    def test_loads_the_stock_class_and_forces_words_natively(self, tiny_transformer):
        from hanlp.components.tokenizers.transformer import TransformerTaggingTokenizer

        backend = hb.HanLPBackend(tiny_transformer, user_words=["法律明白人", "枫桥经验"], lexicon=False)
        assert type(backend.component) is TransformerTaggingTokenizer
        assert "法律明白人" in backend.component.dict_force  # HanLP's own dict_force holds the words
        assert backend.component.dict_combine is None
        text = "培育法律明白人2.3万名，坚持和发展新时代枫桥经验"
        tokens = backend.tokenize(text)
        check_tokens(text, tokens)
        assert {"法律明白人", "枫桥经验"} <= {t.text for t in tokens}

    def test_combine_mode_uses_dict_combine(self, tiny_transformer):
        backend = hb.HanLPBackend(
            tiny_transformer, user_words=["法律明白人"], lexicon=False, dictionary="combine"
        )
        assert "法律明白人" in backend.component.dict_combine
        assert backend.component.dict_force is None
        check_tokens("培育法律明白人2.3万名", backend.tokenize("培育法律明白人2.3万名"))

    @pytest.mark.parametrize(
        "text",
        [
            "依法 行政 ，  持续优化\n营商环境。",
            "ＧＤＰ增长５.２％，新建５Ｇ基站１５００个",
            "上线政务服务iPhone X App，引进PPP项目12个，ISO 9001认证",
            "\u3000\u3000一是全面推进依法行政。\r\n\r\n二是持续优化营商环境！",
        ],
    )
    def test_offsets_with_whitespace_full_width_and_latin(self, tiny_transformer, text):
        backend = hb.HanLPBackend(tiny_transformer, lexicon=False)
        check_tokens(text, backend.tokenize(text))

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.text(alphabet=ALPHABET + "\n法律明白人放管服", max_size=60))
    def test_offsets_property(self, tiny_transformer, text):
        check_tokens(text, _transformer_backend(tiny_transformer).tokenize(text))


_BACKENDS: dict = {}


def _transformer_backend(path):
    if path not in _BACKENDS:
        _BACKENDS[path] = hb.HanLPBackend(path, user_words=["法律明白人"], lexicon=False)
    return _BACKENDS[path]


def hb_stock():
    from hanlp_support import STOCK_CLASSPATH

    return STOCK_CLASSPATH


def test_training_sample_is_well_formed():
    lines = TRAIN_FILE.read_text(encoding="utf8").splitlines()
    assert len(lines) >= 200
    assert all(line.strip() and "  " not in line for line in lines)
    assert sum("法律 明白人" in line for line in lines) >= 3  # the dictionary tests rely on this split
    assert not any("枫桥" in line for line in lines)
