"""`policytext info` and the command-line dispatcher."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from policytext.cli import main


def test_info_text(seed_path, capsys):
    assert main(["info", str(seed_path.parent)]) == 0
    out = capsys.readouterr().out
    assert "documents: 1" in out and "汉滨区" in out and "sentences:" in out
    assert "excluded  README.md" in out  # the sample folder's README is listed, not silently ignored


def test_info_json(seed_path, capsys):
    assert main(["info", str(seed_path.parent), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    for key in ("documents", "skipped", "sentences", "by_year", "by_region", "by_level", "sections"):
        assert key in info
    assert info["documents"] == 1 and info["by_year"] == {"2023": 1} and info["by_region"] == {"汉滨区": 1}
    assert info["sections"] == 6


def test_info_pattern_and_skips(tmp_path, capsys):
    (tmp_path / "汉滨区").mkdir()
    (tmp_path / "汉滨区" / "2022.txt").write_text("一、总体情况。依法行政。", encoding="utf-8")
    (tmp_path / "汉滨区" / "scan.pdf").write_bytes(b"%PDF-1.4")
    assert main(["info", str(tmp_path), "--pattern", "{region}/{year}.txt", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["by_region"] == {"汉滨区": 1} and info["by_year"] == {"2022": 1}
    assert info["skipped"] == [{"path": "汉滨区/scan.pdf", "status": "skipped", "reason": "unsupported file type: .pdf"}]


def test_errors_are_one_line_and_exit_1(tmp_path, capsys):
    assert main(["info", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("policytext info: error: corpus source not found")


def test_help_everywhere():
    out = subprocess.run([sys.executable, "-m", "policytext", "--help"], capture_output=True, text=True, check=True)
    assert "info" in out.stdout
    from policytext.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        assert sub.format_help().strip(), name


@pytest.mark.slow
def test_info_on_gov_reports(gov_reports_dir, capsys):
    assert main(["info", str(gov_reports_dir), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["documents"] == 1671
    assert info["skipped"] == [{"path": "manifest.csv", "status": "excluded", "reason": "file name matches exclude patterns"}]
