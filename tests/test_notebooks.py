"""The research notebook runs from top to bottom, and the committed copy is clean.

``test_walkthrough_runs`` executes ``notebooks/gov_reports_walkthrough.ipynb`` with nbclient into a temporary copy
(the committed file is never modified) on the gov-report collection of ../shared, and fails on any cell error or
warning printed by a cell (missing CJK glyphs included). The other tests check the committed notebook itself: it
was saved with its outputs and figures, in order, without errors, warnings or this machine's absolute paths, and
stays small.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "gov_reports_walkthrough.ipynb"
MAX_BYTES = 2_000_000
WARNING = re.compile(r"Warning|Glyph|Error|Traceback|warn\b", re.IGNORECASE)


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _problems(nb: dict) -> list[str]:
    """Errors and warnings in the outputs of a notebook (as saved JSON)."""
    found = []
    for i, cell in enumerate(_code_cells(nb)):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"code cell {i}: {out['ename']}: {out['evalue']}")
            elif out["output_type"] == "stream" and out.get("name") == "stderr":
                # informational notices (policytext's first-use messages) are fine; warnings and errors are not
                text = "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
                if WARNING.search(text):
                    found.append(f"code cell {i} printed a warning: {text[:300]}")
    return found


@pytest.mark.slow
def test_walkthrough_runs(gov_reports_dir, tmp_path, monkeypatch):
    missing = [m for m in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: pip install nbclient ipykernel to run the notebook")
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("POLICYTEXT_GOV_REPORTS", str(gov_reports_dir))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    try:
        client.execute()
    finally:
        nbformat.write(nb, tmp_path / NOTEBOOK.name)  # inspect the executed copy when something fails
    executed = _load(tmp_path / NOTEBOOK.name)
    assert not _problems(executed), "\n".join(_problems(executed))
    images = sum("image/png" in o.get("data", {}) for c in _code_cells(executed) for o in c.get("outputs", []))
    assert images >= 5, f"expected the notebook's figures, got {images} images"


def test_committed_notebook_has_outputs():
    nb = _load(NOTEBOOK)
    cells = _code_cells(nb)
    counts = [c.get("execution_count") for c in cells]
    assert all(isinstance(n, int) for n in counts), "commit the notebook executed (every code cell with outputs)"
    assert counts == sorted(counts), "code cells were executed out of order: re-run the notebook top to bottom"
    assert not _problems(nb), "\n".join(_problems(nb))
    images = [o for c in cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) >= 5


def test_committed_notebook_is_clean_and_small():
    raw = NOTEBOOK.read_text(encoding="utf-8")
    assert len(raw.encode("utf-8")) < MAX_BYTES, "notebook too large: lower the figure dpi"
    assert "Glyph" not in raw, "missing-glyph warnings in the outputs: Chinese did not render"
    home_paths = re.findall(r"(?:/home/|/root/|/Users/|/tmp/|[A-Z]:\\\\Users)[^\"\s]*", raw)
    assert not home_paths, f"absolute paths of a machine in the outputs: {home_paths[:3]}"
    assert "POLICYTEXT_GOV_REPORTS" in raw  # the data location comes from the environment
