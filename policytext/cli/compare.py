"""``policytext compare CORPUS --by region [--target 汉滨区] [--reference …]``: keywords of groups, as CSV.

Without ``--target`` every group is compared with the rest (a long table with a ``group`` column). Column
names are those of :func:`policytext.keyness`: ``term, count_target, count_reference, per_10k_target,
per_10k_reference`` and one column per measure (``g2, p_value, chi2, log_ratio, lrc, pct_diff, log_odds_z``).
"""

from __future__ import annotations

import argparse
import sys

from .options import add_corpus_arguments, corpus_from_args

_MEASURES = "g2, chi2, log_ratio, lrc, pct_diff, log_odds"


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare",
        help="keywords that distinguish groups of documents (keyness: G2, log ratio, log-odds ...), as CSV",
        description="Compare term frequencies between groups of documents (regions, years ...) and write the "
        "keyness table as CSV: a target group against the rest, against a reference group, or every group "
        "against the rest. Measures: " + _MEASURES + ".",
    )
    add_corpus_arguments(parser)
    group = parser.add_argument_group("comparison")
    group.add_argument("--by", required=True, metavar="COL",
                       help="document metadata column that defines the groups (region, year, level ...); "
                       "several columns separated by commas")
    group.add_argument("--target", action="append", metavar="VALUE",
                       help="target group (repeat to pool several); default: every group against the rest")
    group.add_argument("--reference", action="append", metavar="VALUE",
                       help="reference group (repeat to pool several); default: every document not in the target")
    group.add_argument("--measure", default="g2,log_ratio", metavar="LIST",
                       help=f"comma-separated measures among {_MEASURES} (default: g2,log_ratio)")
    group.add_argument("--min-count", type=int, default=5, metavar="N",
                       help="keep terms occurring at least N times in target and reference together (default 5)")
    group.add_argument("--min-count-target", type=int, default=0, metavar="N",
                       help="keep terms occurring at least N times in the target (default 0)")
    group.add_argument("--bonferroni", action="store_true", help="Bonferroni-adjust p-values")
    group.add_argument("--top", type=int, metavar="N", help="keep the first N terms of each comparison")
    group.add_argument("--sort", metavar="COL", help="column to sort by, descending (default: first measure)")
    filt = parser.add_argument_group("terms")
    filt.add_argument("--stopwords", metavar="LIST",
                      help="leave out stopwords: 'general', 'policy' or a word-list file (default: keep all)")
    filt.add_argument("--user-terms", metavar="FILE", help="word list of extra multiword terms counted as one term")
    filt.add_argument("--no-multiword", action="store_true",
                      help="do not join multiword terms of the policy lexicon")
    filt.add_argument("--keep-numbers", action="store_true", help="count numbers as terms")
    filt.add_argument("--pos", metavar="TAGS", help="keep only tokens whose POS tag starts with one of TAGS "
                      "(comma-separated, e.g. n,v)")
    filt.add_argument("--jobs", type=int, default=1, metavar="N", help="processes for tokenizing (default 1)")
    out = parser.add_argument_group("output")
    out.add_argument("--out", "-o", metavar="FILE", help="write the CSV here (default: standard output)")
    out.add_argument("--float-format", default="%.6g", metavar="FMT", help="format of decimals (default %%.6g)")
    return parser


def _value(text: str, column):
    """A command-line value converted to the column's type (years are integers)."""
    import pandas as pd

    if column is not None and pd.api.types.is_numeric_dtype(column):
        try:
            num = float(text)
            return int(num) if num.is_integer() else num
        except ValueError:
            return text
    return text


def _values(items: list[str] | None, by: list[str], docs):
    if not items:
        return None
    out = []
    for item in items:
        if len(by) == 1:
            out.append(_value(item, docs[by[0]] if by[0] in docs.columns else None))
        else:
            parts = [p.strip() for p in item.split(",")]
            if len(parts) != len(by):
                from ..errors import ParameterError

                raise ParameterError(
                    f"with --by {','.join(by)} a group value has {len(by)} comma-separated parts; got {item!r}."
                )
            out.append(tuple(_value(p, docs[c] if c in docs.columns else None) for c, p in zip(by, parts)))
    return out if len(out) > 1 else out[0]


def run(args: argparse.Namespace) -> int:
    from ..stats import keyness

    corpus = corpus_from_args(args)
    by = [c.strip() for c in args.by.split(",") if c.strip()]
    target = _values(args.target, by, corpus.docs)
    reference = _values(args.reference, by, corpus.docs)
    if reference is not None and target is None:
        from ..errors import ParameterError

        raise ParameterError("--reference needs --target (the group compared with it).")
    table = keyness(
        corpus,
        by=by if len(by) > 1 else by[0],
        target=target,
        reference=reference,
        measures=args.measure,
        min_count=args.min_count,
        min_count_target=args.min_count_target,
        correction="bonferroni" if args.bonferroni else None,
        top=args.top,
        sort=args.sort,
        stopwords=args.stopwords,
        user_terms=args.user_terms,
        multiword=None if args.no_multiword else "lexicon",
        remove_numbers=not args.keep_numbers,
        pos=[p.strip() for p in args.pos.split(",")] if args.pos else None,
        n_jobs=args.jobs,
    )
    if args.out:
        table.to_csv(args.out, index=False, float_format=args.float_format)
        print(f"wrote {len(table)} rows to {args.out}", file=sys.stderr)
    else:
        table.to_csv(sys.stdout, index=False, float_format=args.float_format)
    return 0
