"""``policytext analyze CORPUS --out DIR``: the whole pipeline, tables, figures and an HTML report."""

from __future__ import annotations

import argparse
import shlex
import sys

from .options import add_corpus_arguments, corpus_from_args


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "analyze",
        help="run the whole pipeline and write tables, figures and an HTML report",
        description="Load a corpus, split it into sections and sentences, tokenize, tag entities, classify "
        "sentences by theme and compare groups; write CSV tables (Parquet too when pyarrow is installed), PNG "
        "figures and a self-contained index.html to --out.",
    )
    add_corpus_arguments(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    parser.add_argument("--by", default="region,year", metavar="COLS",
                        help="metadata columns to compare, comma-separated; the first defines the groups of the "
                        "keyness comparison (default: region,year)")
    parser.add_argument("--codebook", default="rule_of_law", metavar="NAME",
                        help="theme codebook: rule_of_law, work_report or a file (default: rule_of_law)")
    parser.add_argument("--top", type=int, default=15, metavar="N", help="distinctive terms per group (default 15)")
    parser.add_argument("--measure", default="log_ratio",
                        help="keyness measure to plot: log_ratio, lrc, log_odds_z, g2 (default log_ratio)")
    parser.add_argument("--n-jobs", type=int, default=1, metavar="N",
                        help="worker processes for structure, tokens, entities and themes (-1: all CPUs)")
    parser.add_argument("--scheduler", choices=["processes", "dask"], default="processes",
                        help="run the per-document stages on a process pool or on Dask (default: processes)")
    parser.add_argument("--cache", metavar="DIR", help="annotation cache folder (default: $POLICYTEXT_CACHE or "
                        "~/.cache/policytext)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the annotation cache")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    return parser


def run(args: argparse.Namespace) -> int:
    from ..report import analyze

    corpus = corpus_from_args(args)
    by = [c.strip() for c in args.by.split(",") if c.strip()]
    result = analyze(
        corpus,
        args.out,
        by=by,
        codebook=args.codebook,
        n_jobs=args.n_jobs,
        scheduler=args.scheduler,
        cache=False if args.no_cache else args.cache,
        top=args.top,
        measure=args.measure,
        progress=not args.quiet,
        command="policytext " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else None,
    )
    s = result.summary
    print(f"{s['documents']} documents, {s['sentences']} sentences, {s['entities']} entities -> {result.html}")
    skipped = corpus.report.skipped
    if len(skipped):
        print(f"{len(skipped)} input(s) not loaded (see {result.out / 'tables' / 'skipped.csv'}):")
        for row in skipped.head(10).itertuples(index=False):
            print(f"  {row.status:<9} {row.path}: {row.reason}")
    return 0
