"""Benchmark: the HanLP backend with the tiny test model, beside jieba and the default backend (issue 3).

Usage::

    python bench/bench_hanlp.py [--chars 100000] [--threads 1] [--try-download]

No pretrained HanLP model can be fetched on this machine (file.hankcs.com is unreachable), so the HanLP rows use
the tiny RNNTokenizer that the test suite trains (tests/hanlp_support.py: char BiLSTM-CRF, hidden 32, 272 training
lines). Its speed says what the backend's own overhead (chunking, dictionary, alignment) plus a small HanLP
model costs; its accuracy is that of a toy and is shown only to prove the pipeline runs end to end.

Each row runs in a fresh subprocess so that its peak memory is its own. Text: the first ``--chars`` characters
of ../shared/corpora/gov-reports (files in sorted order, one line per paragraph); F1: word F1 on the SIGHAN 2005
PKU test gold (../shared/corpora/icwb2/gold/pku_test_gold.utf8). ``--try-download`` also times what HanLP itself
does when asked for a pretrained model without network (policytext refuses at once instead).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("POLICYTEXT_SHARED", REPO.parent / "shared"))
sys.path[:0] = [str(REPO), str(REPO / "tests")]

ROWS = {
    "hanlp-tiny+lexicon": "HanLP tiny RNNTokenizer, policy lexicon forced (dict_force semantics)",
    "hanlp-tiny": "HanLP tiny RNNTokenizer, no dictionary",
    "default": "policytext default backend (Tokenizer())",
    "jieba": "jieba 0.42 (jieba.lcut)",
}


def corpus_lines(chars: int) -> list[str]:
    root = SHARED / "corpora" / "gov-reports"
    lines: list[str] = []
    total = 0
    for path in sorted(root.rglob("*.md")):
        for line in path.read_text(encoding="utf8").splitlines():
            line = line.strip()
            if line:
                lines.append(line)
                total += len(line)
                if total >= chars:
                    return lines
    if not lines:
        sys.exit(f"no text under {root} (set POLICYTEXT_SHARED)")
    return lines


def pku_gold() -> list[list[str]]:
    path = SHARED / "corpora" / "icwb2" / "gold" / "pku_test_gold.utf8"
    if not path.is_file():
        return []
    return [line.split() for line in path.read_text(encoding="utf8").splitlines() if line.strip()]


def f1(gold: list[list[str]], pred: list[list[str]]) -> float:
    def spans(words):
        out, i = set(), 0
        for w in words:
            out.add((i, i + len(w)))
            i += len(w)
        return out

    tp = n_gold = n_pred = 0
    for g, p in zip(gold, pred):
        gs, ps = spans(g), spans(p)
        tp += len(gs & ps)
        n_gold += len(gs)
        n_pred += len(ps)
    prec, rec = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return 2 * prec * rec / max(prec + rec, 1e-9)


def build(name: str, model: str):
    """Return (cut_many(list[str]) -> list[list[str]], cut_one(str) -> list[str])."""
    if name.startswith("hanlp"):
        from policytext.backends.hanlp import HanLPBackend

        backend = HanLPBackend(model, lexicon=name.endswith("lexicon"))
        return (lambda texts: [[t.text for t in toks] for toks in backend.tokenize_batch(texts)]), backend.cut
    if name == "default":
        from policytext import Tokenizer

        tok = Tokenizer()
        return (lambda texts: [tok.cut(t) for t in texts]), tok.cut
    import jieba

    jieba.initialize()
    return (lambda texts: [jieba.lcut(t) for t in texts]), jieba.lcut


def peak_rss_mb() -> int:
    """Peak resident memory of this process (VmHWM; ru_maxrss would include the parent's, kept across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def worker(name: str, model: str, chars: int, threads: int) -> dict:
    if name.startswith("hanlp"):  # only HanLP rows pay for torch
        import torch

        torch.set_num_threads(threads)
    lines = corpus_lines(chars)
    n_chars = sum(len(line) for line in lines)
    t0 = time.perf_counter()
    cut_many, cut_one = build(name, model)
    cut_one("预热：全面推进依法行政。")
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cut_many(lines)
    batch_s = time.perf_counter() - t0
    few = lines[:300]
    t0 = time.perf_counter()
    for line in few:
        cut_one(line)
    line_s = time.perf_counter() - t0
    gold = pku_gold()
    pku = round(f1(gold, cut_many(["".join(ws) for ws in gold])), 3) if gold else None
    return {
        "row": name,
        "load_s": round(load_s, 2),
        "chars_per_s_batch": round(n_chars / batch_s),
        "chars_per_s_line_by_line": round(sum(map(len, few)) / line_s),
        "pku_f1": pku,
        "peak_rss_mb": peak_rss_mb(),
        "chars": n_chars,
    }


def offline_check(try_download: bool) -> dict:
    import hanlp

    from policytext.backends.hanlp import DEFAULT_MODEL, HanLPBackend
    from policytext.errors import ModelNotFoundError

    out = {}
    t0 = time.perf_counter()
    try:
        HanLPBackend(DEFAULT_MODEL)
        out["policytext_missing_model"] = "loaded (a model is present under HANLP_HOME)"
    except ModelNotFoundError:
        out["policytext_missing_model"] = f"ModelNotFoundError after {time.perf_counter() - t0:.2f} s"
    if try_download:
        t0 = time.perf_counter()
        try:
            hanlp.load(hanlp.pretrained.ALL[DEFAULT_MODEL], verbose=False)
            out["hanlp_load_download"] = "downloaded"
        except Exception as exc:  # noqa: BLE001 - we report whatever HanLP raises
            out["hanlp_load_download"] = f"{type(exc).__name__} after {time.perf_counter() - t0:.1f} s"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--try-download", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.model, args.chars, args.threads)))
        return

    from hanlp_support import hanlp_available, train_tiny_model

    ok, why = hanlp_available()
    if not ok:
        sys.exit(why)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        model = train_tiny_model(Path(tmp) / "tiny")
        train = (time.perf_counter() - t0, time.process_time() - c0)
        size_kb = sum(p.stat().st_size for p in model.iterdir()) / 1024
        results = []
        for name in ROWS:
            cmd = [
                sys.executable,
                __file__,
                "--worker",
                name,
                "--model",
                str(model),
                "--chars",
                str(args.chars),
            ]
            cmd += ["--threads", str(args.threads)]
            proc = subprocess.run(cmd, check=False, capture_output=True, text=True)
            if proc.returncode:
                results.append({"row": name, "error": proc.stderr.strip().splitlines()[-1]})
            else:
                results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    offline = offline_check(args.try_download)
    print(f"tiny model: trained in {train[0]:.1f} s wall / {train[1]:.1f} s CPU, {size_kb:.0f} KB on disk")
    print(f"load average at start: {load:.1f}; torch threads: {args.threads}")
    print()
    print("| backend | load s | chars/s (batch) | chars/s (line by line) | PKU F1 | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {ROWS[r['row']]} | error: {r['error']} | | | | |")
            continue
        print(
            f"| {ROWS[r['row']]} | {r['load_s']} | {r['chars_per_s_batch']:,} | {r['chars_per_s_line_by_line']:,} "
            f"| {r['pku_f1']} | {r['peak_rss_mb']} |"
        )
    print()
    for key, value in offline.items():
        print(f"- {key}: {value}")
    print()
    print(
        json.dumps({"train_s": round(train[0], 1), "rows": results, "offline": offline}, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
