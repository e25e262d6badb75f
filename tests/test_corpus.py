"""policytext.corpus: loading folders, files, tables; metadata; the load report."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import policytext as pt
from policytext.errors import CorpusError, ParameterError


# ---------------------------------------------------------------- the seed page (issue check)

def test_seed_page_metadata(seed_corpus):
    doc = seed_corpus.docs.iloc[0]
    assert doc["title"] == "汉滨区2023年度法治政府建设工作总结"
    assert doc["written_date"] == "2024-04-02"
    assert doc["region"] == "汉滨区"
    assert doc["level"] == "county-district"
    assert doc["year"] == 2023
    assert doc["index_no"] == "/2024-0000"
    assert doc["category"] == "政府法制"
    assert doc["published_date"] == "2024-04-02"
    assert doc["validity"] == "有效"


def test_seed_header_block_is_not_in_the_body(seed_corpus):
    text = seed_corpus.docs.iloc[0]["text"]
    for residue in ("您的位置", "文件名称", "索引号", "公开目录", "公开责任部门", "成文日期", "有效性"):
        assert residue not in text
    assert text.startswith("2023年,汉滨区坚持以习近平新时代中国特色社会主义思想为指导")
    assert seed_corpus.docs.iloc[0]["raw_text"].startswith("您的位置")


def test_seed_structure(seed_corpus):
    sections = seed_corpus.sections
    top = sections[sections["level"] == 1]
    assert len(top) == 6
    assert all(t.startswith(("坚持", "强化", "加强")) for t in top["title"])
    points = seed_corpus.points
    for path in ["一", "二", "四", "五"]:
        assert points.loc[points["section_path"] == path, "item_no"].tolist() == [1, 2, 3]
    s = seed_corpus.sentences
    assert s["is_heading"].sum() == 6
    # the 一是/二是/三是 points sit inside their sections
    first = s[(s["section_path"] == "一") & ~s["is_heading"]]
    assert first["item_no"].tolist() == [1, 2, 3]
    assert first["text"].str.startswith(("一是", "二是", "三是")).all()


# ---------------------------------------------------------------- folders, patterns, manifests

@pytest.fixture()
def folder(tmp_path):
    (tmp_path / "reports" / "陕西省").mkdir(parents=True)
    (tmp_path / "reports" / "安康市").mkdir(parents=True)
    (tmp_path / "reports" / "陕西省" / "2022.md").write_text(
        "---\ntitle: 陕西省2022年政府工作报告\nsource: https://example.cn/a\n---\n\n## 一、回顾\n\n**经济**增长5%。\n",
        encoding="utf-8")
    (tmp_path / "reports" / "安康市" / "2023.txt").write_bytes("安康市2023年政府工作报告\n一、回顾\n增长。".encode("gbk"))
    (tmp_path / "reports" / "安康市" / "2021.html").write_text(
        "<html><body><div id='zoom'><p>二、任务</p><p>依法行政。</p></div></body></html>", encoding="utf-8")
    (tmp_path / "reports" / "安康市" / "scan.pdf").write_bytes(b"%PDF-1.4 binary")
    (tmp_path / "reports" / "安康市" / "empty.txt").write_text("   \n\n", encoding="utf-8")
    (tmp_path / "reports" / "README.md").write_text("# how to add documents", encoding="utf-8")
    (tmp_path / "reports" / "安康市" / "copy.txt").write_bytes("安康市2023年政府工作报告\n一、回顾\n增长。".encode("utf-8"))
    return tmp_path / "reports"


def test_folder_with_pattern(folder):
    corpus = pt.load_corpus(folder, pattern="{region}/{year}.*")
    docs = corpus.docs.set_index("doc_id")
    assert set(docs.index) == {"陕西省/2022", "安康市/2023", "安康市/2021", "安康市/copy"}
    assert docs.loc["陕西省/2022", "region"] == "陕西省"
    assert docs.loc["陕西省/2022", "level"] == "province"
    assert docs.loc["陕西省/2022", "year"] == 2022
    assert docs.loc["陕西省/2022", "title"] == "陕西省2022年政府工作报告"
    assert docs.loc["陕西省/2022", "source"] == "https://example.cn/a"
    assert docs.loc["陕西省/2022", "text"] == "一、回顾\n经济增长5%。"
    assert docs.loc["安康市/2023", "encoding"] == "gb18030"
    assert docs.loc["安康市/2021", "text"] == "二、任务\n依法行政。"
    assert docs.loc["安康市/2021", "year"] == 2021
    # copy.txt does not match {year}: it keeps metadata from its title and gets a note
    assert docs.loc["安康市/copy", "region"] == "安康市" and docs.loc["安康市/copy", "year"] == 2023


def test_every_input_is_in_the_report(folder):
    corpus = pt.load_corpus(folder, pattern="{region}/{year}.*")
    e = corpus.report.entries.set_index("path")
    assert e.loc["安康市/scan.pdf", "status"] == "skipped"
    assert "unsupported file type: .pdf" in e.loc["安康市/scan.pdf", "reason"]
    assert e.loc["安康市/empty.txt", "status"] == "empty"
    assert e.loc["README.md", "status"] == "excluded"
    assert e.loc["安康市/copy.txt", "duplicate_of"] == "安康市/2023"
    assert "pattern did not match" in e.loc["安康市/copy.txt", "reason"]
    assert len(e) == 7  # nothing is lost without a line
    summary = corpus.report.summary()
    assert summary["loaded"] == 4 and summary["duplicates"] == 1


def test_drop_duplicates(folder):
    corpus = pt.load_corpus(folder, drop_duplicates=True)
    assert len(corpus) == 3
    assert corpus.report.entries.set_index("path").loc["安康市/copy.txt", "status"] == "duplicate"


def test_undecodable_file_is_reported_or_raised(tmp_path):
    (tmp_path / "ok.txt").write_text("正文。", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x81\x20\xff\xfe\x80" * 10)
    corpus = pt.load_corpus(tmp_path)
    assert len(corpus) == 1
    reason = corpus.report.skipped.set_index("path").loc["bad.txt", "reason"]
    assert reason.startswith("unreadable") and "GB18030" in reason
    with pytest.raises(CorpusError, match="cannot read bad.txt"):
        pt.load_corpus(tmp_path, on_error="raise")


def test_manifest_sidecar_and_explicit(folder):
    pd.DataFrame({"path": ["陕西省/2022.md", "安康市/2023.txt", "gone/2020.md"], "region": ["陕西", "安康", "x"],
                  "year": [2021, 2023, 2020]}).to_csv(folder / "manifest.csv", index=False)
    corpus = pt.load_corpus(folder)
    docs = corpus.docs.set_index("doc_id")
    assert docs.loc["陕西省/2022", "region"] == "陕西"  # the manifest wins over front matter and inference
    assert docs.loc["陕西省/2022", "year"] == 2021
    e = corpus.report.entries.set_index("path")
    assert e.loc["gone/2020.md", "status"] == "missing"
    assert e.loc["manifest.csv", "status"] == "excluded"
    without = pt.load_corpus(folder, manifest=False)
    assert without.docs.set_index("doc_id").loc["陕西省/2022", "region"] == "陕西省"
    with pytest.raises(CorpusError, match="needs a 'path' column"):
        pt.load_corpus(folder, manifest=pd.DataFrame({"file_name": ["x"]}))


def test_tables(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "content": ["一、总体\n依法行政。", "二、下一步"], "region": ["汉滨区", None],
                          "year": [2023, None]})
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_json(tmp_path / "t.jsonl", orient="records", lines=True, force_ascii=False)
    frame.to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.jsonl", "t.parquet"):
        corpus = pt.load_corpus(tmp_path / name)
        docs = corpus.docs.set_index("doc_id")
        assert list(docs.index) == ["a", "b"], name
        assert docs.loc["a", "region"] == "汉滨区" and docs.loc["a", "level"] == "county-district"
        assert docs.loc["a", "year"] == 2023 and pd.isna(docs.loc["b", "year"])
        assert len(corpus.sentences) == 3
    with pytest.raises(CorpusError, match="no text column found"):
        pt.load_corpus(pd.DataFrame({"x": ["a"]}))
    with pytest.raises(CorpusError, match="not unique"):
        pt.load_corpus(pd.DataFrame({"id": ["a", "a"], "text": ["甲", "乙"]}))


def test_bad_sources():
    with pytest.raises(CorpusError, match="not found"):
        pt.load_corpus("/no/such/folder")
    with pytest.raises(CorpusError, match="expects a folder"):
        pt.load_corpus(42)
    with pytest.raises(ParameterError, match="on_error must be one of"):
        pt.load_corpus(pd.DataFrame({"text": ["a"]}), on_error="ignore")


def test_empty_folder_says_why(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(CorpusError, match=r"no documents loaded.*unsupported file type"):
        pt.load_corpus(tmp_path)


def test_corpus_api():
    corpus = pt.Corpus.from_texts(["一、甲。乙。", "二、丙。"], metadata={"region": ["汉滨区", "安康市"],
                                                               "year": [2022, 2023]})
    assert len(corpus) == 2 and "2 documents" in repr(corpus)
    assert corpus["0"]["region"] == "汉滨区"
    sub = corpus.filter(year=2023)
    assert sub.docs["doc_id"].tolist() == ["1"]
    assert sub.sentences["doc_id"].unique().tolist() == ["1"]
    assert len(corpus[corpus.docs["level"] == "county-district"]) == 1
    assert len(corpus[["1"]]) == 1
    joined = corpus.sentences_with(["region", "year"])
    assert joined.columns[-2:].tolist() == ["region", "year"] and len(joined) == 3
    with pytest.raises(ParameterError, match="no column 'province'"):
        corpus.filter(province="陕西省")
    with pytest.raises(KeyError):
        corpus["zzz"]
    assert list(corpus.docs.columns[:6]) == ["doc_id", "title", "region", "level", "year", "path"]
    json.dumps(corpus.summary(), ensure_ascii=False)


@pytest.mark.slow
def test_gov_reports_match_the_manifest(gov_corpus, gov_reports_dir):
    manifest = pd.read_csv(gov_reports_dir / "manifest.csv")
    assert len(gov_corpus) == 1671 == len(manifest)
    docs = gov_corpus.docs.set_index("path").loc[manifest["path"]]
    assert (docs["region"].to_numpy() == manifest["region"].to_numpy()).all()
    assert (docs["year"].to_numpy() == manifest["year"].to_numpy()).all()
    assert gov_corpus.report.summary()["by_status"] == {"excluded": 1, "loaded": 1671}
    # markdown residue is gone from the clean text
    text = "\n".join(gov_corpus.docs["text"].head(300))
    for residue in ("**", "<details>", "![", "](", "<br"):
        assert residue not in text


def test_root_of_a_list_of_paths_and_batches_of_nested_folders(tmp_path):
    from policytext.corpus import iter_corpus

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("汉滨区报告。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("安康市报告。", encoding="utf-8")
    assert pt.load_corpus([tmp_path / "sub" / "a.txt"]).docs["doc_id"].tolist() == ["a"]
    assert pt.load_corpus([tmp_path / "sub" / "a.txt"], root=tmp_path).docs["doc_id"].tolist() == ["sub/a"]
    batched = [d for c in iter_corpus(tmp_path, batch_size=1) for d in c.docs["doc_id"]]
    assert batched == pt.load_corpus(tmp_path).docs["doc_id"].tolist() == ["b", "sub/a"]
