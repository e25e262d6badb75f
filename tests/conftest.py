"""Shared fixtures: the location of ../shared and the seed report."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    """Keep the tests' caches (annotations, derived dictionaries) out of the user's ~/.cache/policytext."""
    import tempfile

    if not os.environ.get("POLICYTEXT_TEST_KEEP_CACHE"):
        os.environ["POLICYTEXT_CACHE"] = tempfile.mkdtemp(prefix="policytext-test-cache-")
SHARED = Path(os.environ.get("POLICYTEXT_SHARED", REPO.parent / "shared"))
SAMPLE = REPO / "corpus"
SEED_NAME = "hanbin-2023-rule-of-law-report.txt"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repository (or $POLICYTEXT_SHARED); skips the test when it is absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED} (set POLICYTEXT_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def gov_reports_dir(shared_dir) -> Path:
    path = shared_dir / "corpora" / "gov-reports"
    if not path.is_dir():
        pytest.skip(f"gov-report corpus not found at {path}")
    return path


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The sample report shipped in corpus/ (a copy of ../shared/seed)."""
    return SAMPLE / SEED_NAME


@pytest.fixture(scope="session")
def seed_corpus(seed_path):
    import policytext as pt

    return pt.load_corpus(seed_path)


@pytest.fixture(scope="session")
def gov_corpus(gov_reports_dir):
    import policytext as pt

    return pt.load_corpus(gov_reports_dir)
