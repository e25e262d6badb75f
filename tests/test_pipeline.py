"""policytext.pipeline / policytext.cache: whole-corpus annotation, disk cache, parallel and Dask execution."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import policytext as pt
from policytext.cache import AnnotationCache
from policytext.cli import main
from policytext.pipeline import annotate, annotate_files

TEXTS = [
    "一、深化“放管服”改革\n全年办理行政审批服务事项20.56万件，按期办结率100%。一是推行“一网通办”。二是开展“双随机、一公开”监管。",
    "二、推进严格规范公正文明执法\n确定大竹园镇和大河镇为综合行政执法改革试点镇，开展执法培训3次。",
    "三、依法化解矛盾纠纷\n坚持和发展新时代“枫桥经验”，受理行政复议案件53件，调解成功率99.6%。",
]
META = {"region": ["汉滨区", "汉滨区", "安康市"], "year": [2022, 2023, 2023]}


def _corpus(texts=TEXTS):
    return pt.Corpus.from_texts(texts, metadata=META)


def _stage(ann, name):
    return ann.log.set_index("stage").loc[name]


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False)


@pytest.fixture(scope="module")
def reference():
    """In-process, uncached annotation: what every other execution must reproduce."""
    return annotate(_corpus(), cache=False)


def test_annotations_content(reference):
    s = reference.sentences
    assert {"theme", "theme2", "score"} <= set(s.columns) and s["theme"].notna().all()
    assert s.loc[s["text"].str.contains("行政复议"), "theme"].iloc[0] == "dispute_resolution"
    places = reference.entities.query("label == 'PLACE'")
    assert set(places["text"]) == {"大竹园镇", "大河镇"}
    docs = dict(zip(reference.corpus.docs["doc_id"], reference.corpus.docs["text"]))
    for row in reference.entities.itertuples():
        assert docs[row.doc_id][row.start : row.end] == row.text
    assert reference.tokens.n_tokens > 50
    assert reference.sentences["doc_id"].tolist() == reference.corpus.sentences["doc_id"].tolist()


def test_cache_roundtrip_and_invalidation(tmp_path, reference):
    cache = AnnotationCache(tmp_path)
    first = annotate(_corpus(), cache=cache)
    assert _stage(first, "entities")["computed"] == 3 and _stage(first, "themes_fit")["computed"] == 1
    from policytext.stats import clear_token_cache

    clear_token_cache()  # as in a new session: tokens must come from disk too
    second = annotate(_corpus(), cache=cache)  # a new Corpus object: everything comes from disk
    assert second.tokens.to_frame().equals(first.tokens.to_frame())
    for stage in ("structure", "tokens", "entities", "themes"):
        assert _stage(second, stage)["computed"] == 0 and _stage(second, stage)["cached"] == 3, stage
    assert _stage(second, "themes_fit")["cached"] == 1
    for ann in (first, second):
        _same(ann.sentences, reference.sentences)
        _same(ann.entities, reference.entities)
        _same(ann.corpus.sections, reference.corpus.sections)
        _same(ann.corpus.points, reference.corpus.points)
    # one edited document: only it is recomputed by the per-document stages
    edited = TEXTS[:2] + [TEXTS[2].replace("53件", "54件")]
    third = annotate(_corpus(edited), cache=cache, themes=first.model)
    assert _stage(third, "structure")["computed"] == 1 and _stage(third, "structure")["cached"] == 2
    assert _stage(third, "entities")["computed"] == 1 and _stage(third, "entities")["cached"] == 2
    assert "54件" in set(third.entities["text"])
    # a changed region changes what entities depend on, not the structure
    moved = pt.Corpus.from_texts(TEXTS, metadata={**META, "region": ["汉滨区", "安康市", "安康市"]})
    fourth = annotate(moved, cache=cache, themes=None)
    assert _stage(fourth, "structure")["cached"] == 3 and _stage(fourth, "entities")["computed"] == 1


def test_a_changed_codebook_recomputes_themes_only(tmp_path):
    import yaml

    from policytext.codebook import load_codebook

    cache = AnnotationCache(tmp_path)
    annotate(_corpus(), cache=cache)
    book = load_codebook("rule_of_law")
    path = tmp_path / "my_codebook.yaml"
    src = book.source if hasattr(book, "source") else None
    data = yaml.safe_load(open(src, encoding="utf-8")) if src else None
    if data is None:
        pytest.skip("the shipped codebook does not expose its source file")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    again = annotate(_corpus(), cache=cache, themes=str(path))
    assert _stage(again, "entities")["cached"] == 3
    assert _stage(again, "themes_fit")["computed"] == 1 and _stage(again, "themes")["computed"] == 3


def test_documents_without_entities_are_cached_too(tmp_path):
    quiet, counted = "推进综合行政执法改革。", "汉滨区全年办理行政审批服务事项20.56万件。"
    first = annotate(pt.Corpus.from_texts([quiet]), tokenizer=False, themes=None, cache=tmp_path)
    assert len(first.entities) == 0
    again = annotate(pt.Corpus.from_texts([quiet]), tokenizer=False, themes=None, cache=tmp_path)
    assert _stage(again, "entities")["computed"] == 0 and _stage(again, "entities")["cached"] == 1
    # a part without rows next to one with rows: read back together, same table as without a cache
    annotate(pt.Corpus.from_texts([quiet, counted]), tokenizer=False, themes=None, cache=tmp_path)
    both = annotate(pt.Corpus.from_texts([quiet, counted]), tokenizer=False, themes=None, cache=tmp_path)
    assert _stage(both, "entities")["cached"] == 2
    fresh = annotate(pt.Corpus.from_texts([quiet, counted]), tokenizer=False, themes=None, cache=False)
    assert len(fresh.entities) > 0
    pd.testing.assert_frame_equal(both.entities.reset_index(drop=True), fresh.entities.reset_index(drop=True))


def test_two_processes_give_the_same_tables(reference):
    parallel = annotate(_corpus(), cache=False, n_jobs=2, chunk_size=1)
    _same(parallel.sentences, reference.sentences)
    _same(parallel.entities, reference.entities)
    assert parallel.tokens.to_frame().equals(reference.tokens.to_frame())


def test_dask_local_cluster_gives_the_same_tables(reference):
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        on_dask = annotate(_corpus(), cache=False, scheduler="dask", chunk_size=1)
    _same(on_dask.sentences, reference.sentences)
    _same(on_dask.entities, reference.entities)


def test_annotate_files_writes_partitioned_parquet(tmp_path):
    src = tmp_path / "reports"
    src.mkdir()
    for i, text in enumerate(TEXTS * 2):
        (src / f"{i}.txt").write_text(text.replace("53件", f"{50 + i}件"), encoding="utf-8")
    (src / "notes.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out"
    totals = annotate_files(src, out, batch_size=4, themes="rule_of_law", cache=False)
    assert totals["documents"] == 6 and totals["batches"] == 2
    assert sorted(p.name for p in (out / "sentences").iterdir()) == ["part-00000.parquet", "part-00001.parquet"]
    sentences = pd.read_parquet(out / "sentences")
    whole = annotate(pt.load_corpus(src), cache=False, themes=None, entities=False)
    assert len(sentences) == len(whole.sentences) == totals["sentences"]
    assert sentences["theme"].notna().all()
    assert len(pd.read_parquet(out / "tokens")) == whole.tokens.n_tokens
    report = pd.read_csv(out / "load_report.csv")
    assert "notes.pdf" in set(report["path"])  # a skipped file is still reported


def test_cache_cli(tmp_path, capsys):
    annotate(_corpus(), cache=tmp_path, themes=None)
    assert main(["cache", "info", "--path", str(tmp_path), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    stages = {r["stage"] for r in rows}
    assert {"structure", "structure_sentences", "entities"} <= stages
    assert main(["cache", "clear", "--path", str(tmp_path), "--stage", "entities"]) == 0
    assert "cleared" in capsys.readouterr().out
    assert "entities" not in set(AnnotationCache(tmp_path).info()["stage"])


def test_bad_arguments():
    with pytest.raises(pt.PolicyTextError, match="expects a policytext Corpus"):
        annotate(pd.DataFrame({"text": ["a"]}))
    with pytest.raises(pt.PolicyTextError, match="n_jobs must be"):
        annotate(_corpus(), n_jobs=0, cache=False)
    with pytest.raises(pt.PolicyTextError, match="scheduler must be one of"):
        annotate(_corpus(), scheduler="spark", cache=False)
