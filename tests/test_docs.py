"""The documentation: the Sphinx build passes with warnings as errors, and the user guide's examples run.

* ``test_sphinx_build`` runs ``python -m sphinx -W --keep-going -b html docs <tmp>`` in a subprocess (what CI and
  the ``[docs]`` extra promise) and checks that the generated references are complete: every name of
  ``policytext.__all__`` in the API index, every public module with a page, every subcommand in the CLI reference.
* ``test_guide_examples`` runs the ``>>>`` examples of each guide page with :mod:`doctest`, so the outputs shown
  in the guide are the outputs users get.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
GUIDE_PAGES = sorted(
    p for p in [*DOCS.glob("*.rst"), *(DOCS / "guide").glob("*.rst")] if ">>> " in p.read_text(encoding="utf-8")
)


def _missing_docs_tools() -> list[str]:
    return [name for name in ("sphinx", "numpydoc") if importlib.util.find_spec(name) is None]


@pytest.fixture(scope="module")
def built_html(tmp_path_factory) -> Path:
    missing = _missing_docs_tools()
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: pip install -e '.[docs]' to build the documentation")
    out = tmp_path_factory.mktemp("docs-html")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore::DeprecationWarning")
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", "-d", str(out / ".doctrees"),
         str(DOCS), str(out)],
        check=False, cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, f"sphinx build failed (exit {proc.returncode}):\n{proc.stderr[-6000:]}"
    # the guide's figures must render Chinese: matplotlib's missing-glyph warnings are Python warnings, not Sphinx's
    assert "Glyph" not in proc.stderr and "CJKFontWarning" not in proc.stderr, proc.stderr[-6000:]
    return out


def _text(html: Path) -> str:
    return re.sub(r"<[^>]+>", "", html.read_text(encoding="utf-8"))


def test_sphinx_build(built_html):
    for page in ("index", "install", "quickstart", "cli", "api/index", "guide/statistics", "guide/codebooks"):
        assert (built_html / f"{page}.html").is_file(), page


def test_api_reference_is_complete(built_html):
    import policytext

    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        import apigen
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    index = _text(built_html / "api" / "index.html")
    missing = [name for name in policytext.__all__ if name != "__version__" and name not in index]
    assert not missing, f"top-level names missing from the API index: {missing}"
    modules = apigen.public_modules()
    assert {"corpus", "structure", "tokenize", "entities", "themes", "stats", "plot", "report"} <= set(modules)
    for dotted in modules:
        assert (built_html / "api" / f"{dotted}.html").is_file(), f"no API page for policytext.{dotted}"
    # every stats function documented on its own page, with the formulas rendered as math
    assert (built_html / "api" / "generated" / "policytext.stats.log_odds_dirichlet.html").is_file()
    assert "class=\"math" in (built_html / "guide" / "statistics.html").read_text(encoding="utf-8")


def test_cli_reference_lists_every_command(built_html):
    from policytext.cli import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction").choices
    cli = _text(built_html / "cli.html")
    for name, sub in commands.items():
        assert f"policytext {name}" in cli, f"'policytext {name}' missing from the CLI reference"
        for action in sub._actions:  # every option of every command, as --help prints it
            for flag in action.option_strings:
                assert flag in cli, f"option {flag} of 'policytext {name}' missing from the CLI reference"


@pytest.mark.parametrize("page", GUIDE_PAGES, ids=[str(p.relative_to(DOCS)) for p in GUIDE_PAGES])
def test_guide_examples(page, monkeypatch):
    monkeypatch.chdir(REPO)  # the quickstart loads the sample report from corpus/
    monkeypatch.setenv("MPLBACKEND", "Agg")
    result = doctest.testfile(
        str(page), module_relative=False, encoding="utf-8", report=True,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {page.name} failed (see above)"


def test_guide_pages_are_in_the_toctree():
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    pages = [p.relative_to(DOCS).with_suffix("").as_posix() for p in [*DOCS.glob("*.rst"), *(DOCS / "guide").glob("*.rst")]]
    orphans = [p for p in pages if p != "index" and p not in index]
    assert not orphans, f"pages not in the index toctree: {orphans}"
