"""policytext.report / `policytext analyze`: the whole pipeline writes tables, figures and a readable report."""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings

import pandas as pd
import pytest

import policytext as pt
from policytext.cli import main
from policytext.report import analyze


@pytest.fixture(scope="module")
def seed_analysis(tmp_path_factory, seed_path):
    out = tmp_path_factory.mktemp("analysis")
    assert main(["analyze", str(seed_path.parent), "--out", str(out), "--quiet"]) == 0
    return out


def test_seed_analysis_files(seed_analysis):
    out = seed_analysis
    for name in ("documents", "sentences", "entities", "entity_counts", "theme_shares", "keyness", "skipped"):
        assert (out / "tables" / f"{name}.csv").is_file(), name
    assert (out / "tables" / "sentences.parquet").is_file()
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert "theme_composition.png" in figures and "entities.png" in figures
    assert sum(f.startswith("keyness_") for f in figures) == 6  # one report: its six sections compared


def test_seed_analysis_tables(seed_analysis):
    sentences = pd.read_csv(seed_analysis / "tables" / "sentences.csv")
    assert {"doc_id", "sent_id", "section_path", "text", "theme", "theme2", "score"} <= set(sentences.columns)
    assert len(sentences) == 29
    keyness = pd.read_csv(seed_analysis / "tables" / "keyness.csv")
    assert {"group", "term", "count_target", "count_reference", "g2", "log_ratio"} <= set(keyness.columns)
    assert keyness["term"].str.len().min() >= 2  # single characters and stopwords are not "distinctive terms"
    entities = pd.read_csv(seed_analysis / "tables" / "entities.csv")
    assert {"大竹园镇", "大河镇"} <= set(entities.loc[entities["label"] == "PLACE", "text"])
    skipped = pd.read_csv(seed_analysis / "tables" / "skipped.csv")
    assert skipped["path"].tolist() == ["README.md"]


def test_seed_report_html(seed_analysis):
    page = (seed_analysis / "index.html").read_text(encoding="utf-8")
    assert "汉滨区2023年度法治政府建设工作总结" in page
    for heading in ("Corpus", "Themes", "Distinctive terms", "Entities", "Files"):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("data:image/png;base64,") >= 8  # figures are embedded: the file can be sent alone
    assert "@font-face{font-family:'policytext-cjk'" in page  # readable without Chinese system fonts
    summary = json.loads((seed_analysis / "summary.json").read_text(encoding="utf-8"))
    assert summary["documents"] == 1 and summary["comparison"] == "sections"
    assert abs(sum(summary["theme_shares"].values()) - 1) < 1e-3  # shares rounded to 4 decimals


def test_bad_by_column_is_a_clear_error(tmp_path, seed_corpus):
    with pytest.raises(pt.PolicyTextError, match=r"no column\(s\) \['province'\]"):
        analyze(seed_corpus, tmp_path, by=["province"], progress=False)


@pytest.mark.slow
def test_groups_and_trends(tmp_path, gov_corpus):
    regions = ["浙江省", "河南省", "陕西省"]
    sub = gov_corpus.filter(region=regions, year=[2019, 2021, 2023])
    assert len(sub) == 9
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # e.g. a missing glyph would fail here
        result = analyze(sub, tmp_path, by=["region", "year"], codebook="work_report", progress=False)
    assert result.summary["comparison"] == "groups"
    assert set(pd.read_csv(tmp_path / "tables" / "keyness.csv")["group"]) == set(regions)
    trends = pd.read_csv(tmp_path / "tables" / "theme_trends.csv")
    assert sorted(trends["year"].unique()) == [2019, 2021, 2023]
    assert {"theme_trends", "term_trends", "term_heatmap", "keyness_1"} <= set(result.figures)
    shares = pd.read_csv(tmp_path / "tables" / "theme_shares.csv")
    assert shares.groupby(["region", "year"])["share"].sum().round(6).eq(1).all()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_report_screenshot_in_headless_chromium(seed_analysis, tmp_path):
    shot = tmp_path / "report.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600", f"--screenshot={shot}",
         (seed_analysis / "index.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    import matplotlib.pyplot as plt

    image = plt.imread(shot)
    assert image.shape[:2] == (1600, 1200)
    assert image[..., :3].std() > 0.1  # a rendered page, not a blank one


def test_a_repeated_analysis_is_copied_from_the_cache(tmp_path, seed_path):
    corpus = pt.load_corpus(seed_path)
    cache = tmp_path / "cache"
    first = analyze(corpus, tmp_path / "a", cache=cache, progress=False)
    assert "from_cache" not in first.summary
    again = analyze(pt.load_corpus(seed_path), tmp_path / "b", cache=cache, progress=False)
    assert again.summary["from_cache"] is True
    assert (tmp_path / "b" / "index.html").read_bytes() == (tmp_path / "a" / "index.html").read_bytes()
    assert again.tables["keyness"].shape == first.tables["keyness"].shape  # read back lazily from the files
    assert set(again.figures) == set(first.figures)
    other = analyze(pt.load_corpus(seed_path), tmp_path / "c", cache=cache, progress=False, top=5)
    assert "from_cache" not in other.summary  # other options: computed (from cached annotations)
    assert other.annotation_log.set_index("stage").loc["entities", "cached"] == 1
    edited = pt.load_corpus(seed_path)
    edited.docs.loc[0, "region"] = "安康市"
    assert "from_cache" not in analyze(edited, tmp_path / "d", cache=cache, progress=False).summary
