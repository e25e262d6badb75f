"""``policytext cache info|clear``: inspect or empty the annotation cache."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "cache",
        help="show or clear the on-disk annotation cache",
        description="The annotation cache keeps per-document results of the expensive stages (structure, tokens, "
        "entities, themes) keyed by document content and by the versions of everything they depend on. Its "
        "location is $POLICYTEXT_CACHE (default ~/.cache/policytext) or --path.",
    )
    parser.add_argument("action", choices=["info", "clear"], help="info: one line per stage and fingerprint; "
                        "clear: delete cached annotations")
    parser.add_argument("--path", metavar="DIR", help="cache folder (default: $POLICYTEXT_CACHE or ~/.cache/policytext)")
    parser.add_argument("--stage", metavar="NAME", help="only this stage (structure_sentences, tokens, entities, themes …)")
    parser.add_argument("--json", action="store_true", help="info as JSON lines")
    return parser


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def run(args: argparse.Namespace) -> int:
    from ..cache import AnnotationCache

    cache = AnnotationCache(args.path)
    if args.action == "clear":
        freed = cache.clear(args.stage)
        print(f"cleared {_size(freed)} from {cache.annotations}" + (f" (stage {args.stage})" if args.stage else ""))
        return 0
    info = cache.info()
    if args.stage:
        info = info[info["stage"] == args.stage]
    if args.json:
        print(info.to_json(orient="records", lines=True, force_ascii=False, date_format="iso"), end="")
        return 0
    print(f"cache: {cache.annotations}")
    if info.empty:
        print("empty")
        return 0
    for row in info.itertuples(index=False):
        print(f"  {row.stage:<22} {row.fingerprint}  {row.documents:>7} documents  {row.parts:>3} parts  "
              f"{_size(int(row.bytes)):>9}")
    print(f"total {_size(int(info['bytes'].sum()))}")
    return 0
