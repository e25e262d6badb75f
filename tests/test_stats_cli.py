"""``policytext compare``: keyness as CSV from the command line."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from policytext.cli import main

TEXTS = {
    "甲市/2022.txt": "深化放管服改革。放管服改革取得成效。优化营商环境。营商环境持续改善。",
    "甲市/2023.txt": "持续深化放管服改革，营商环境不断优化。",
    "乙市/2022.txt": "建设法治政府。推进依法行政。法治政府建设取得成效。",
    "乙市/2023.txt": "推进依法行政，建设法治政府。",
    "丙市/2023.txt": "保护生态环境，推进绿色发展。绿色发展取得成效。",
}


@pytest.fixture()
def folder(tmp_path):
    for rel, text in TEXTS.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def test_compare_target_to_stdout(folder):
    code, out, err = run(["compare", str(folder), "--pattern", "{region}/{year}.txt", "--by", "region",
                          "--target", "甲市", "--min-count", "2", "--measure", "g2,log_ratio,log_odds"])
    assert code == 0, err
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns) == ["term", "count_target", "count_reference", "per_10k_target", "per_10k_reference",
                                   "g2", "p_value", "log_ratio", "log_odds_z"]
    row = table.set_index("term").loc["放管服"]
    assert (row["count_target"], row["count_reference"]) == (3, 0) and row["log_ratio"] > 0


def test_compare_every_group_and_reference(folder, tmp_path):
    target = tmp_path / "out.csv"
    code, _, err = run(["compare", str(folder), "--pattern", "{region}/{year}.txt", "--by", "region",
                        "--min-count", "1", "--top", "3", "--out", str(target)])
    assert code == 0 and "wrote" in err
    table = pd.read_csv(target)
    assert table.columns[0] == "group" and set(table["group"]) == {"甲市", "乙市", "丙市"}
    assert table.groupby("group").size().max() == 3
    code, out, _ = run(["compare", str(folder), "--pattern", "{region}/{year}.txt", "--by", "region",
                        "--target", "甲市", "--reference", "乙市", "--min-count", "1"])
    table = pd.read_csv(io.StringIO(out))
    assert "绿色发展" not in set(table["term"])  # only in 丙市
    code, out, _ = run(["compare", str(folder), "--pattern", "{region}/{year}.txt", "--by", "year",
                        "--target", "2023", "--min-count", "1"])
    assert code == 0 and len(pd.read_csv(io.StringIO(out))) > 0


def test_compare_unknown_target_lists_groups(folder):
    code, out, err = run(["compare", str(folder), "--pattern", "{region}/{year}.txt", "--by", "region",
                          "--target", "汉滨区"])
    assert code == 1 and out == ""
    assert "'汉滨区' is not a value of 'region'" in err and "丙市, 乙市, 甲市" in err
    code, _, err = run(["compare", str(folder), "--pattern", "{region}/{year}.txt", "--by", "county"])
    assert code == 1 and "no document column" in err
    code, _, err = run(["compare", str(folder), "--pattern", "{region}/{year}.txt", "--by", "region",
                        "--measure", "tfidf"])
    assert code == 1 and "unknown keyness measure" in err
