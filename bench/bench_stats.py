"""Benchmark: term statistics on the gov-report corpus (issue 6).

Usage::

    python bench/bench_stats.py [CORPUS_DIR] [--jobs N] [--json FILE]

CORPUS_DIR defaults to ../shared/corpora/gov-reports beside the repository. Steps, each timed (seconds):

1. load the corpus (1,671 reports, ~30 M characters);
2. tokenize it with the current default tokenizer (``policytext.Tokenizer()``, ``--jobs`` processes; this is the
   only step that segments text — everything after works from the cached tokens);
3. document-term matrix of the whole corpus from the tokens: first call (joins multiword lexicon terms) and a
   second call (joining cached), next to the peer ``sklearn.feature_extraction.text.CountVectorizer`` fed the
   same token lists;
4. one-vs-rest keyness of the 44 main cities (``collection == 政府工作报告-主要城市``, grouped by region) with the
   default measures (G², Log Ratio) and with all six, next to the peer ``scattertext``'s
   ``LogOddsRatioInformativeDirichletPrior`` run once per city on the same counts (its z-scores are checked equal);
5. extras: grouped term frequencies (region x year), dictionary coding, KWIC, dispersion.

Prints a Markdown table and one JSON line; peak memory is the resident set size of this process (and of the
tokenizer workers).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benchmark the working tree, not another installed copy

import numpy as np

import policytext as pt
from policytext import stats

DEFAULT = Path(os.environ.get("POLICYTEXT_SHARED", HERE.parents[1] / "shared")) / "corpora" / "gov-reports"
CITIES = "政府工作报告-主要城市"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


CPU: dict[float, float] = {}  # wall seconds -> CPU seconds of the same step (this process)


PEAK: dict[float, float] = {}  # wall seconds -> peak RSS (MB) of this process at the end of the step


def timed(fn, *args, **kwargs):
    """Run ``fn``; return (result, wall seconds). CPU seconds and the peak RSS so far are kept per step."""
    c = time.process_time()
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    wall = time.perf_counter() - t
    CPU[wall] = time.process_time() - c
    PEAK[wall] = rss_mb()
    return out, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT))
    ap.add_argument("--jobs", type=int, default=2, help="tokenizer processes (default 2)")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--no-peers", action="store_true", help="skip sklearn / scattertext")
    args = ap.parse_args()
    root = Path(args.corpus)
    if not root.is_dir():
        sys.exit(f"corpus folder not found: {root} (set POLICYTEXT_SHARED or pass a folder)")
    res: dict = {"cpus": os.cpu_count(), "load_avg_start": os.getloadavg()[0]}

    corpus, res["load_s"] = timed(pt.load_corpus, root)
    res["documents"] = len(corpus)
    res["characters"] = int(corpus.docs["text"].str.len().sum())

    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    tokens, res["tokenize_s"] = timed(stats.tokenize_corpus, corpus, n_jobs=args.jobs)
    kids_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[res["tokenize_s"]] += (kids_after.ru_utime + kids_after.ru_stime) - (kids.ru_utime + kids.ru_stime)
    res["tokenizer_worker_peak_rss_mb"] = kids_after.ru_maxrss / 1024  # includes pages shared with the parent
    res["tokenize_jobs"] = args.jobs
    res["tokens"] = tokens.n_tokens
    res["tokenize_chars_per_s"] = res["characters"] / res["tokenize_s"]
    res["token_table_mb"] = sum(a.nbytes for a in (tokens.ids, tokens.starts, tokens.ends, tokens.pos)) / 2**20
    _, res["tokens_cached_s"] = timed(stats.tokenize_corpus, corpus)

    dtm, res["dtm_first_s"] = timed(stats.document_term_matrix, corpus)
    _, res["dtm_again_s"] = timed(stats.document_term_matrix, corpus)
    _, res["dtm_no_multiword_s"] = timed(stats.document_term_matrix, corpus, multiword=None)
    _, res["dtm_policy_stopwords_min5_s"] = timed(stats.document_term_matrix, corpus, stopwords="policy", min_count=5)
    res["dtm_shape"] = list(dtm.shape)
    res["dtm_nnz"] = int(dtm.matrix.nnz)

    cities = dtm.filter(collection=CITIES)
    res["city_docs"] = cities.shape[0]
    res["cities"] = int(cities.docs["region"].nunique())
    k2, res["keyness_44_default_s"] = timed(stats.keyness, cities, by="region")
    _, res["keyness_44_all_s"] = timed(stats.keyness, cities, by="region",
                                        measures="g2,chi2,log_ratio,lrc,pct_diff,log_odds")
    res["keyness_rows"] = len(k2)
    city_corpus = corpus.filter(collection=CITIES)
    _, res["keyness_44_from_tokens_s"] = timed(stats.keyness, city_corpus, by="region")

    tf, res["term_frequencies_region_year_s"] = timed(stats.term_frequencies, dtm, by=["region", "year"])
    res["term_frequencies_rows"] = len(tf)
    dictionary = {"放管服": ["放管服", "简政放权", "营商*"], "法治": ["法治政府", "依法行政", "法治*"],
                  "生态": ["生态文明", "绿色发展", "污染防治"], "数字": ["数字*政府", "数字经济", "互联网+"]}
    _, res["dictionary_counts_region_year_s"] = timed(stats.dictionary_counts, corpus, dictionary,
                                                      by=["region", "year"])
    kw, res["kwic_s"] = timed(stats.kwic, corpus, ["放管服", "营商环境"], window=20)
    res["kwic_rows"] = len(kw)
    _, res["dispersion_s"] = timed(stats.dispersion, dtm)
    _, res["trends_region_s"] = timed(stats.trends, dtm, ["营商环境", "放管服", "法治政府"], by="region",
                                      test="both")

    res["peak_rss_mb"] = rss_mb()  # before the peers (their token lists alone take ~1 GB)
    if not args.no_peers:
        # peer 1: scikit-learn's CountVectorizer on the same tokens (lists of strings, no further analysis)
        from sklearn.feature_extraction.text import CountVectorizer

        merged = tokens.merge_terms(stats.lexicon_terms())
        lists = [merged.vocab[merged.ids[a:b]].tolist() for a, b in zip(merged.indptr[:-1], merged.indptr[1:])]
        cv = CountVectorizer(analyzer=lambda x: x, lowercase=False)
        X, res["peer_sklearn_countvectorizer_s"] = timed(cv.fit_transform, lists)
        res["peer_sklearn_countvectorizer_cpu_s"] = CPU[res["peer_sklearn_countvectorizer_s"]]
        res["peer_sklearn_shape"] = list(X.shape)
        del lists, X
        # peer 2: scattertext's log-odds, one call per city on the counts of our matrix
        from scattertext.termsignificance.LogOddsRatioInformativeDirichletPiror import (
            LogOddsRatioInformativeDirichletPrior,
        )

        counts, keys, _, _ = cities.group("region")
        dense = counts.toarray().astype(float)
        total = dense.sum(axis=0)
        model = LogOddsRatioInformativeDirichletPrior(total, scale_type="none")
        with np.errstate(divide="ignore", invalid="ignore"):
            zs, res["peer_scattertext_logodds_44_s"] = timed(
                lambda: [model.get_zeta_i_j_given_separate_counts(dense[i], total - dense[i])
                         for i in range(len(dense))])
        ours = stats.keyness(cities, by="region", measures="log_odds", min_count=1)
        first = keys["region"].iloc[0]
        mine = ours[ours["group"] == first].set_index("term")["log_odds_z"]
        ref = dict(zip(cities.vocabulary, zs[0]))
        res["peer_scattertext_max_abs_diff"] = float(max(abs(mine[t] - ref[t]) for t in mine.index))

    res["peak_rss_with_peers_mb"] = rss_mb()
    res["load_avg_end"] = os.getloadavg()[0]

    rows = [
        ("load corpus", res["load_s"], ""),
        (f"tokenize, default tokenizer, {args.jobs} process(es)", res["tokenize_s"],
         f"{res['tokenize_chars_per_s'] / 1e3:.0f} k chars/s, {res['tokens']:,} tokens"),
        ("tokenize again (cache)", res["tokens_cached_s"], ""),
        ("document-term matrix, first call (joins lexicon terms)", res["dtm_first_s"],
         f"{res['dtm_shape'][0]} x {res['dtm_shape'][1]:,}, target < 5 s"),
        ("document-term matrix, again", res["dtm_again_s"], ""),
        ("document-term matrix, no multiword joining", res["dtm_no_multiword_s"], ""),
        ("document-term matrix, policy stopwords, min_count 5", res["dtm_policy_stopwords_min5_s"], ""),
        (f"keyness, {res['cities']} cities one-vs-rest, G2 + log ratio", res["keyness_44_default_s"],
         f"{res['keyness_rows']:,} rows, target < 2 s"),
        ("keyness, same, all six measures", res["keyness_44_all_s"], ""),
        ("keyness, same, from cached tokens (matrix + keyness)", res["keyness_44_from_tokens_s"], ""),
        ("term_frequencies by region x year", res["term_frequencies_region_year_s"],
         f"{res['term_frequencies_rows']:,} rows"),
        ("dictionary_counts, 4 concepts, region x year", res["dictionary_counts_region_year_s"], "on the text"),
        ("kwic 放管服 / 营商环境", res["kwic_s"], f"{res['kwic_rows']:,} lines"),
        ("dispersion of every term", res["dispersion_s"], ""),
        ("trends, 3 terms x regions, OLS + Mann-Kendall", res["trends_region_s"], ""),
    ]
    if "peer_sklearn_countvectorizer_s" in res:
        rows.insert(5, ("peer: sklearn CountVectorizer on the same token lists", res["peer_sklearn_countvectorizer_s"],
                        f"{res['peer_sklearn_shape'][0]} x {res['peer_sklearn_shape'][1]:,}"))
        rows.append(("peer: scattertext log-odds, 44 calls on our counts", res["peer_scattertext_logodds_44_s"],
                     f"max |z diff| {res['peer_scattertext_max_abs_diff']:.1e}"))
    res["cpu_s"] = {f"{name}": round(CPU.get(sec, float("nan")), 3) for name, sec, _ in rows}
    res["peak_rss_after_mb"] = {f"{name}": round(PEAK.get(sec, float("nan"))) for name, sec, _ in rows}
    print("| step | wall s | CPU s | peak RSS so far, MB | note |\n|---|---:|---:|---:|---|")
    for name, sec, note in rows:
        print(f"| {name} | {sec:.2f} | {CPU.get(sec, float('nan')):.2f} | {PEAK.get(sec, float('nan')):.0f} | {note} |")
    print(f"\npeak RSS: {res['peak_rss_mb']:.0f} MB before the peers, {res['peak_rss_with_peers_mb']:.0f} MB with them "
          f"(largest tokenizer worker: {res['tokenizer_worker_peak_rss_mb']:.0f} MB, mostly pages shared with the "
          "parent); "
          f"token table {res['token_table_mb']:.0f} MB; load average {res['load_avg_start']:.1f} -> "
          f"{res['load_avg_end']:.1f} on {res['cpus']} CPUs")
    line = json.dumps(res, ensure_ascii=False)
    print(line)
    if args.json:
        Path(args.json).write_text(line + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
