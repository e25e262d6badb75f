"""Benchmark: `policytext analyze` on the whole gov-report corpus, cold and warm, and process scaling (issue 8).

Usage::

    python bench/bench_analyze.py [--corpus DIR] [--n-jobs 2] [--scaling-docs N]

1. **cold**: ``policytext analyze CORPUS --out OUT --n-jobs N --codebook work_report`` with an empty annotation
   cache (a fresh ``POLICYTEXT_CACHE``; the tokenizer's derived dictionary and the gazetteer cache are built first,
   outside the timing, as on a machine that has used policytext before);
2. **warm**: the same command again (structure, tokens, entities and themes read from the cache);
3. **scaling**: :func:`policytext.annotate` without cache on the corpus (or its first ``--scaling-docs``
   documents) with 1 and with 2 processes; the speed-up of the tokenize + entities + themes stages, with and
   without the zero-label fit (one fit on all sentences, which runs in one process).

Peak memory is sampled every 0.5 s from /proc over the command and its worker processes: the sum of their
proportional set sizes (PSS: a page shared by a forked worker and its parent counts once; the memory the run
really occupies) and, for reference, the sum of their resident sizes (RSS: shared pages counted in every process
that maps them). Prints a JSON object.
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


def _tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        out.append(p)
        stack.extend(children.get(p, []))
    return out


def _tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process tree in MB. RSS counts the pages a forked worker shares with its parent once per
    process; PSS divides every shared page among the processes that map it, so its sum is the memory the tree
    really occupies."""
    rss = pss = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return rss / 1024, pss / 1024


def run_measured(cmd: list[str], env: dict) -> tuple[float, float, float, int]:
    """Run a command; return (seconds, peak tree PSS in MB, peak tree RSS in MB, exit code)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak_pss = peak_rss = 0.0
    done = threading.Event()

    def sample():
        nonlocal peak_pss, peak_rss
        while not done.is_set():
            rss, pss = _tree_memory_mb(proc.pid)
            peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
            time.sleep(0.5)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    took = time.perf_counter() - t0
    if proc.returncode:
        print(out, file=sys.stderr)
    return took, peak_pss, peak_rss, proc.returncode


SCALING = r"""
import json, sys, time
import policytext as pt
corpus = pt.load_corpus(sys.argv[1])
if int(sys.argv[2]):
    corpus = corpus[corpus.docs["doc_id"].isin(corpus.docs["doc_id"][: int(sys.argv[2])])]
corpus.sentences  # structure is not part of the measured stages
ann = pt.annotate(corpus, n_jobs=int(sys.argv[3]), themes="work_report", cache=False)
print(json.dumps({"log": ann.log.to_dict("records"), "chars": int(corpus.docs["text"].str.len().sum())}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(DEFAULT))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--scaling-docs", type=int, default=0, help="documents for the scaling runs (0: all)")
    parser.add_argument("--skip-analyze", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
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
                took, pss, rss, code = run_measured(cmd, env)
                result[label] = {"seconds": round(took, 1), "peak_pss_mb": round(pss), "peak_rss_sum_mb": round(rss),
                                 "exit": code}
                summary = json.loads((Path(out) / "summary.json").read_text(encoding="utf-8"))
                result[label]["timings_s"] = summary.get("timings_s")
                result[label]["annotation"] = summary.get("annotation")
            result["command"] = " ".join(["policytext"] + cmd[3:5] + ["--out", "OUT"] + cmd[7:])
        scaling = {}
        for n in () if args.skip_scaling else (1, 2):
            proc = subprocess.run([sys.executable, "-c", SCALING, args.corpus, str(args.scaling_docs), str(n)],
                                  env=env, capture_output=True, text=True, check=True)
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            stages = {r["stage"]: r["seconds"] for r in data["log"]}
            scaling[n] = {"stages_s": stages, "chars": data["chars"],
                          "tokens_entities_themes_s": round(sum(stages.get(s, 0) for s in
                                                                ("tokens", "entities", "themes_fit", "themes")), 2)}
        result["scaling"] = scaling
        if not scaling:
            result["load_average_end"] = os.getloadavg()
            print(json.dumps(result, ensure_ascii=False, indent=1))
            return
        result["speedup_2_vs_1"] = round(scaling[1]["tokens_entities_themes_s"]
                                         / scaling[2]["tokens_entities_themes_s"], 2)
        per_doc = {n: sum(scaling[n]["stages_s"].get(s, 0) for s in ("tokens", "entities", "themes")) for n in (1, 2)}
        result["speedup_2_vs_1_per_document_stages"] = round(per_doc[1] / per_doc[2], 2)
    result["load_average_end"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
