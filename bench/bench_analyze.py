"""Benchmark: `policytext analyze` on the whole gov-report corpus, cold and warm, and process scaling (issue 8).

Usage::

    python bench/bench_analyze.py [--corpus DIR] [--n-jobs 2] [--scaling-docs 400]

1. **cold**: ``policytext analyze CORPUS --out OUT --n-jobs N --codebook work_report`` with an empty annotation
   cache (a fresh ``POLICYTEXT_CACHE``; the tokenizer's derived dictionary and the gazetteer cache are built first,
   outside the timing, as on a machine that has used policytext before);
2. **warm**: the same command again (structure, tokens, entities and themes read from the cache);
3. **scaling**: :func:`policytext.annotate` without cache on the first ``--scaling-docs`` documents with 1 and with
   2 processes; the speed-up of the tokenize + entities + themes stages.

Peak memory is the largest sum of the resident memory of the command and its worker processes, sampled every
0.1 s from /proc. Prints a JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = Path(os.environ.get("POLICYTEXT_SHARED", HERE.parents[1] / "shared")) / "corpora" / "gov-reports"


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB (Linux /proc)."""
    total = 0
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid, pages = int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages
    stack = [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_measured(cmd: list[str], env: dict) -> tuple[float, float, int]:
    """Run a command; return (seconds, peak tree RSS in MB, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0.0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(proc.pid))
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    took = time.perf_counter() - t0
    if proc.returncode:
        print(out, file=sys.stderr)
    return took, peak, proc.returncode


SCALING = r"""
import json, sys, time
import policytext as pt
corpus = pt.load_corpus(sys.argv[1])
corpus = corpus[corpus.docs["doc_id"].isin(corpus.docs["doc_id"][: int(sys.argv[2])])]
corpus.sentences  # structure is not part of the measured stages
ann = pt.annotate(corpus, n_jobs=int(sys.argv[3]), themes="work_report", cache=False)
print(json.dumps({"log": ann.log.to_dict("records"), "chars": int(corpus.docs["text"].str.len().sum())}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--scaling-docs", type=int, default=400)
    parser.add_argument("--skip-analyze", action="store_true")
    args = parser.parse_args()
    if not Path(args.corpus).is_dir():
        sys.exit(f"corpus folder not found: {args.corpus} (set POLICYTEXT_SHARED or pass --corpus)")
    result: dict = {"corpus": args.corpus, "n_jobs": args.n_jobs, "cpus": os.cpu_count(),
                    "load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = {**os.environ, "POLICYTEXT_CACHE": cache}
        # derived dictionaries (segmenter, gazetteer) are built once per machine: build them outside the timing
        subprocess.run([sys.executable, "-c", "import policytext as pt; pt.Tokenizer().cut('汉滨区'); "
                        "pt.EntityTagger().tag('汉滨区')"], env=env, check=True)
        if not args.skip_analyze:
            cmd = [sys.executable, "-m", "policytext", "analyze", args.corpus, "--out", out, "--n-jobs",
                   str(args.n_jobs), "--codebook", "work_report", "--quiet"]
            for label in ("cold", "warm"):
                took, peak, code = run_measured(cmd, env)
                result[label] = {"seconds": round(took, 1), "peak_rss_mb": round(peak), "exit": code}
                summary = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
                result[label]["timings_s"] = summary.get("timings_s")
            result["command"] = " ".join(["policytext"] + cmd[3:5] + ["--out", "OUT"] + cmd[6:])
        scaling = {}
        for n in (1, 2):
            proc = subprocess.run([sys.executable, "-c", SCALING, args.corpus, str(args.scaling_docs), str(n)],
                                  env=env, capture_output=True, text=True, check=True)
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            stages = {r["stage"]: r["seconds"] for r in data["log"]}
            scaling[n] = {"stages_s": stages, "chars": data["chars"],
                          "tokens_entities_themes_s": round(sum(stages.get(s, 0) for s in
                                                                ("tokens", "entities", "themes_fit", "themes")), 2)}
        result["scaling"] = scaling
        result["speedup_2_vs_1"] = round(scaling[1]["tokens_entities_themes_s"]
                                         / scaling[2]["tokens_entities_themes_s"], 2)
    result["load_average_end"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
