"""Benchmark: load and structure the whole gov-report corpus (issue 2).

Usage::

    python bench/bench_load.py [CORPUS_DIR]

CORPUS_DIR defaults to ../shared/corpora/gov-reports beside the repository. Prints one JSON line with the
timings (seconds), document/sentence counts and the peak memory of this process.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path

import policytext as pt

HERE = Path(__file__).resolve().parent
DEFAULT = Path(os.environ.get("POLICYTEXT_SHARED", HERE.parents[1] / "shared")) / "corpora" / "gov-reports"


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not root.is_dir():
        sys.exit(f"corpus folder not found: {root} (set POLICYTEXT_SHARED or pass a folder)")
    t0 = time.perf_counter()
    corpus = pt.load_corpus(root)
    t1 = time.perf_counter()
    sentences = corpus.sentences
    t2 = time.perf_counter()
    chars = int(corpus.docs["text"].str.len().sum())
    result = {
        "documents": len(corpus),
        "characters": chars,
        "sections": len(corpus.sections),
        "points": len(corpus.points),
        "sentences": len(sentences),
        "load_s": round(t1 - t0, 2),
        "structure_s": round(t2 - t1, 2),
        "total_s": round(t2 - t0, 2),
        "chars_per_s": round(chars / (t2 - t0)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
