"""``policytext info CORPUS``: summarise a corpus (documents by level/region/year, structure, skipped files)."""

from __future__ import annotations

import argparse
import json
import sys

from .options import add_corpus_arguments, corpus_from_args


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "info",
        help="summarise a corpus: documents by level/region/year, sections, sentences, skipped files",
        description="Load a corpus and summarise it: documents by level, region and year, sections, enumerated "
        "points and sentences found, and every skipped file with the reason.",
    )
    add_corpus_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--top", type=int, default=15, metavar="N", help="regions to list in the text output")
    return parser


def _table(title: str, counts: dict, top: int | None = None) -> list[str]:
    items = list(counts.items())
    if top is not None and len(items) > top:
        items = sorted(items, key=lambda kv: -kv[1])[:top]
        title += f" (top {top} of {len(counts)})"
    if not items:
        return [f"{title}: none"]
    width = max(len(str(k)) for k, _ in items)
    return [f"{title}:"] + [f"  {str(k).ljust(width)}  {v:>6}" for k, v in items]


def run(args: argparse.Namespace) -> int:
    corpus = corpus_from_args(args)
    info = corpus.summary()
    if args.json:
        json.dump(info, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    out = [
        f"corpus: {args.corpus}",
        f"documents: {info['documents']}   characters: {info['characters']:,}",
        f"sections: {info['sections']}   enumerated points: {info['points']}   sentences: {info['sentences']}",
    ]
    out += _table("by level", info["by_level"])
    out += _table("by region", info["by_region"], top=args.top)
    out += _table("by year", info["by_year"])
    missing = {k: v for k, v in info["missing_metadata"].items() if v}
    if missing:
        out.append("missing metadata: " + ", ".join(f"{k} in {v} documents" for k, v in missing.items()))
    report = info["report"]
    if info["skipped"]:
        out.append(f"not loaded: {len(info['skipped'])} input(s)")
        for row in info["skipped"]:
            out.append(f"  {row['status']:<9} {row['path']}: {row['reason']}")
    else:
        out.append("not loaded: none")
    if report["duplicates"]:
        out.append(f"duplicates (same text as an earlier document): {report['duplicates']}")
    print("\n".join(out))
    return 0
