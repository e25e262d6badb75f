"""Benchmark of theme classification (policytext.themes), compared with the named baselines in the same run.

    python bench/bench_themes.py [--out bench/results/themes.md] [--skip-corpus] [--skip-supervised] [--skip-speed]

1. Zero-label (codebook only, never the gold labels) on ../shared/gold/dev/*.jsonl: macro-F1 and accuracy of
   ThemeClassifier vs the plain DictionaryClassifier (same seed terms), per file, per half (A = even lines, the
   half the codebooks were developed against; B = odd lines, held back) and pooled per codebook. Two fits:
   "input" = zero-label on the dev sentences themselves (what `policytext classify FILE.jsonl` does), and
   "corpus" = zero-label on the 1,671 gov-report documents' sentences plus the dev sentences.
2. Supervised on ../shared/corpora/policy-sentences/sentence_classification.json (unlabelled rows dropped),
   stratified 5-fold and document-grouped 5-fold: char 1-3-gram TF-IDF + LinearSVC baseline vs ThemeClassifier on
   the sentence alone and with document structure (section titles from policytext.split_document, neighbours).
3. Speed, measured first (cold: the first fits in a process that has just loaded the corpus, as in
   `policytext analyze`): zero-label fit on the whole gov-report corpus (its full sentence table), predict_frame on
   all of its sentences and on 100,000 of them, single process; wall and CPU seconds, load average noted.
4. Noise: the pooled zero-label scores of the corpus fit for random_state 0-4, to read the differences in (1).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("POLICYTEXT_SHARED", ROOT.parent / "shared"))
GOLD = SHARED / "gold" / "dev"
FILES = {"rule_of_law": ["rule_of_law", "rule_of_law.district_reports", "seed.rule_of_law"],
         "work_report": ["work_report"]}

import policytext as pt
from policytext.themes import DictionaryClassifier, ThemeClassifier


def macro_f1(y, p) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, p, average="macro", zero_division=0))


def acc(y, p) -> float:
    return float(np.mean(np.asarray(y, dtype=object) == np.asarray(p, dtype=object)))


def load_gold(name: str) -> list[dict]:
    with open(GOLD / f"{name}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ---------------------------------------------------------------------------------------------- zero-label
def zero_label(corpus_sentences: pd.DataFrame | None, lines: list[str]) -> None:
    configs = [("input", None)] + ([("corpus", corpus_sentences)] if corpus_sentences is not None else [])
    for cbn, files in FILES.items():
        gold = {f: load_gold(f) for f in files}
        texts = [r["text"] for f in files for r in gold[f]]
        base = DictionaryClassifier(cbn).fit()
        lines.append(f"\n### Codebook `{cbn}`\n")
        lines.append("| fit | file | half | n | ThemeClassifier macro-F1 | acc | lenient acc | Dictionary macro-F1 | "
                     "acc | Δ macro-F1 |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for fit_name, extra in configs:
            frame = pd.DataFrame({"text": texts})
            if extra is not None:
                frame = pd.concat([extra, frame.assign(section_title="", is_heading=False)], ignore_index=True)
            t0 = time.time()
            clf = ThemeClassifier(cbn).fit(frame)
            fit_s = time.time() - t0
            pooled = {"A": ([], [], [], []), "B": ([], [], [], []), "all": ([], [], [], [])}
            for f in files:
                rows = gold[f]
                pf = clf.predict_frame([r["text"] for r in rows])
                pb = base.predict([r["text"] for r in rows])
                for half in ("A", "B", "all"):
                    sel = [i for i in range(len(rows)) if half == "all" or (i % 2 == 0) == (half == "A")]
                    y = [rows[i]["primary"] for i in sel]
                    p = [pf["theme"].iloc[i] for i in sel]
                    b = [pb[i] for i in sel]
                    len_ok = np.mean([p[k] in (rows[i]["primary"], rows[i]["secondary"]) for k, i in enumerate(sel)])
                    for store, vals in zip(pooled[half], (y, p, b, [len_ok] * len(sel))):
                        store.extend(vals)
                    if len(files) > 1 or half != "all":
                        lines.append(f"| {fit_name} | {f} | {half} | {len(sel)} | {macro_f1(y, p):.3f} | {acc(y, p):.3f} "
                                     f"| {len_ok:.3f} | {macro_f1(y, b):.3f} | {acc(y, b):.3f} | "
                                     f"{macro_f1(y, p) - macro_f1(y, b):+.3f} |")
            for half in ("A", "B", "all"):
                y, p, b, lo = pooled[half]
                lines.append(f"| {fit_name} | **pooled** | {half} | {len(y)} | **{macro_f1(y, p):.3f}** | {acc(y, p):.3f} "
                             f"| {np.mean(lo):.3f} | {macro_f1(y, b):.3f} | {acc(y, b):.3f} | "
                             f"{macro_f1(y, p) - macro_f1(y, b):+.3f} |")
            lines.append(f"| {fit_name} | (fit: {len(frame):,} sentences, {fit_s:.1f} s) | | | | | | | | |")
            print("\n".join(lines[-3:]), flush=True)


# ---------------------------------------------------------------------------------------------- supervised
def policy_sentences() -> pd.DataFrame:
    """The labelled policy sentences with document structure: section titles and neighbouring sentences."""
    data = json.loads((SHARED / "corpora" / "policy-sentences" / "sentence_classification.json").read_text("utf-8"))
    df = pd.DataFrame(data)
    inner, top = [], []
    for _, sub in df.groupby("uid", sort=False):
        sents = sub["sentence"].tolist()
        text = "\n".join(sents)
        starts = np.cumsum([0] + [len(s) + 1 for s in sents[:-1]])
        parts = pt.split_document(text)
        ps, secs = parts.sentences, parts.sections
        titles = dict(zip(secs["section_path"], secs["title"]))
        idx = np.searchsorted(ps["start"].to_numpy(), starts, side="right") - 1
        for i in idx:
            row = ps.iloc[max(int(i), 0)]
            inner.append(row["section_title"])
            path = row["section_path"].split("/")[0] if row["section_path"] else ""
            top.append(titles.get(path, "") if path else "")
    df["section_title"] = inner
    df["context_top"] = top
    df["context_prev"] = df.groupby("uid")["sentence"].shift(1).fillna("")
    df["context_next"] = df.groupby("uid")["sentence"].shift(-1).fillna("")
    df = df[df["sentence_type"] != ""].reset_index(drop=True)  # drop unlabelled rows
    return df.rename(columns={"sentence": "text"})


def supervised(lines: list[str]) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import GroupKFold, StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    df = policy_sentences()
    y = df["sentence_type"].to_numpy()
    groups = df["uid"].to_numpy()
    models = {
        "baseline: char 1-3 TF-IDF + LinearSVC": (lambda: make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LinearSVC()), ["text"]),
        "ThemeClassifier, sentence only": (lambda: ThemeClassifier(None), ["text"]),
        "ThemeClassifier + structure (section titles, neighbours)": (
            lambda: ThemeClassifier(None), ["text", "section_title", "context_top", "context_prev", "context_next"]),
        "ThemeClassifier + structure + policy_instruments codebook evidence": (
            lambda: ThemeClassifier("policy_instruments"),
            ["text", "section_title", "context_top", "context_prev", "context_next"]),
    }
    lines.append(f"\n{len(df):,} labelled sentences, {df['uid'].nunique()} documents, "
                 f"{len(set(y))} labels.\n")
    lines.append("| model | split | macro-F1 | accuracy | Δ macro-F1 | Δ accuracy | seconds (5 folds) |")
    lines.append("|---|---|---|---|---|---|---|")
    import warnings

    for split in ("stratified", "grouped by document"):
        if split == "stratified":
            folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(df, y))
        else:
            folds = list(GroupKFold(5).split(df, y, groups))
        base_scores = None
        for name, (make, cols) in models.items():
            pred = np.empty(len(y), dtype=object)
            t0 = time.time()
            for tr, te in folds:
                model = make()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    if cols == ["text"]:
                        model.fit(df["text"].iloc[tr].tolist(), y[tr])
                        pred[te] = model.predict(df["text"].iloc[te].tolist())
                    else:
                        model.fit(df[cols].iloc[tr], y[tr])
                        pred[te] = model.predict(df[cols].iloc[te])
            secs = time.time() - t0
            f1, a = macro_f1(y, pred), acc(y, pred)
            if base_scores is None:
                base_scores = (f1, a)
            lines.append(f"| {name} | {split} | {f1:.3f} | {a:.3f} | {f1 - base_scores[0]:+.3f} | "
                         f"{a - base_scores[1]:+.3f} | {secs:.1f} |")
            print(lines[-1], flush=True)


# ---------------------------------------------------------------------------------------------- speed
def speed(sentences: pd.DataFrame, lines: list[str]) -> None:
    def timed(fn, *args):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn(*args)
        return out, time.perf_counter() - t0, time.process_time() - c0

    lines.append("| step | sentences | wall s | CPU s | load average (1 min) |")
    lines.append("|---|---|---|---|---|")
    sample = sentences.sample(100_000, random_state=0, replace=len(sentences) < 100_000)
    for name in ("rule_of_law", "work_report"):
        clf, w, c = timed(ThemeClassifier(name).fit, sentences)
        lines.append(f"| zero-label fit, {name}, whole gov-report corpus | {len(sentences):,} | {w:.1f} | {c:.1f} | "
                     f"{os.getloadavg()[0]:.2f} |")
        _, w, c = timed(clf.predict_frame, sentences)
        lines.append(f"| predict_frame, {name}, whole corpus, single process | {len(sentences):,} | {w:.1f} | {c:.1f} "
                     f"| {os.getloadavg()[0]:.2f} |")
        _, w, c = timed(clf.predict_frame, sample)
        lines.append(f"| predict_frame, {name}, single process | 100,000 | {w:.1f} | {c:.1f} | "
                     f"{os.getloadavg()[0]:.2f} |")
        print("\n".join(lines[-3:]), flush=True)
    base = DictionaryClassifier("rule_of_law").fit()
    _, w, c = timed(base.predict, sample["text"].tolist())
    lines.append(f"| DictionaryClassifier.predict, rule_of_law | 100,000 | {w:.1f} | {c:.1f} | "
                 f"{os.getloadavg()[0]:.2f} |")
    print(lines[-1], flush=True)


# ---------------------------------------------------------------------------------------------- noise
def noise(corpus_sentences: pd.DataFrame, lines: list[str], seeds=range(5)) -> None:
    lines.append("| codebook | random_state | pooled A | pooled B | pooled all | fit s |")
    lines.append("|---|---|---|---|---|---|")
    for cbn, files in FILES.items():
        gold = {f: load_gold(f) for f in files}
        texts = [r["text"] for f in files for r in gold[f]]
        frame = pd.concat([corpus_sentences, pd.DataFrame({"text": texts}).assign(section_title="", is_heading=False)],
                          ignore_index=True)
        y = [r["primary"] for f in files for r in gold[f]]
        half = np.asarray([i % 2 == 0 for f in files for i in range(len(gold[f]))])
        scores = []
        for seed in seeds:
            t0 = time.time()
            clf = ThemeClassifier(cbn, random_state=seed).fit(frame)
            fit_s = time.time() - t0
            p = np.asarray(clf.predict(texts), dtype=object)
            yy = np.asarray(y, dtype=object)
            row = [macro_f1(yy[m], p[m]) for m in (half, ~half, np.ones(len(yy), bool))]
            scores.append(row)
            lines.append(f"| {cbn} | {seed} | {row[0]:.3f} | {row[1]:.3f} | {row[2]:.3f} | {fit_s:.1f} |")
            print(lines[-1], flush=True)
        a = np.asarray(scores)
        lines.append(f"| {cbn} | mean ± sd | {a[:, 0].mean():.3f} ± {a[:, 0].std():.3f} | "
                     f"{a[:, 1].mean():.3f} ± {a[:, 1].std():.3f} | {a[:, 2].mean():.3f} ± {a[:, 2].std():.3f} | |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", help="write the markdown report here")
    ap.add_argument("--skip-corpus", action="store_true", help="zero-label: only the 'input' fit; no speed on corpus")
    ap.add_argument("--skip-supervised", action="store_true")
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-noise", action="store_true")
    args = ap.parse_args()
    if not GOLD.exists():
        print(f"shared data not found at {SHARED}; set POLICYTEXT_SHARED", file=sys.stderr)
        return 2
    flags = [f"--{k.replace('_', '-')}" for k in ("skip_corpus", "skip_supervised", "skip_speed", "skip_noise")
             if getattr(args, k)]
    command = " ".join(["python bench/bench_themes.py", *flags])
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = ["# Theme classification benchmark", "",
             f"Command: `{command}` ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, single process; "
             + f"load average at start {load}).", ""]
    corpus_sentences = sentences = None
    if not args.skip_corpus:
        t0 = time.time()
        corpus = pt.load_corpus(SHARED / "corpora" / "gov-reports")
        sentences = corpus.sentences
        corpus_sentences = sentences[["text", "section_title", "is_heading"]]
        lines.append(f"gov-report corpus: {len(corpus):,} documents, {len(corpus_sentences):,} sentences "
                     f"(loading and sentence splitting {time.time() - t0:.0f} s, not counted below).\n")
    if not args.skip_speed and sentences is not None:
        lines.append("## Speed (cold: the first fits after loading the corpus)")
        speed(sentences, lines)
    lines.append("\n## Zero-label (codebook only; gold labels used for scoring only)")
    zero_label(corpus_sentences, lines)
    if not args.skip_noise and corpus_sentences is not None:
        lines.append("\n## Zero-label noise: corpus fit, pooled macro-F1 by random_state")
        noise(corpus_sentences, lines)
    if not args.skip_supervised:
        lines.append("\n## Supervised: policy-sentences, 5-fold")
        supervised(lines)
    lines.append(f"\nLoad average at the end: {os.getloadavg()[0]:.2f} / {os.getloadavg()[1]:.2f} / "
                 f"{os.getloadavg()[2]:.2f}.")
    text = "\n".join(lines) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
