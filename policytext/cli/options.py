"""Options shared by every subcommand that reads a corpus (``--pattern``, ``--manifest`` …)."""

from __future__ import annotations

import argparse

__all__ = ["add_corpus_arguments", "corpus_from_args", "load_kwargs"]


def add_corpus_arguments(parser: argparse.ArgumentParser, *, positional: bool = True) -> None:
    """Add ``CORPUS`` and the loading options of :func:`policytext.load_corpus` to ``parser``."""
    if positional:
        parser.add_argument("corpus", metavar="CORPUS", help="folder of .txt/.md/.html reports, or a CSV/Parquet/JSONL table")
    group = parser.add_argument_group("corpus loading")
    group.add_argument("--pattern", metavar="P", help='metadata from paths, e.g. "{collection}/{region}/{year}.md"')
    group.add_argument("--manifest", metavar="CSV",
                       help="metadata table joined on its 'path' column (default: CORPUS/manifest.csv if present)")
    group.add_argument("--no-manifest", action="store_true", help="ignore CORPUS/manifest.csv")
    group.add_argument("--text-column", metavar="COL", help="text column of a table source (default: text/content/正文)")
    group.add_argument("--id-column", metavar="COL", help="id column of a table source (default: doc_id/id)")
    group.add_argument("--encoding", metavar="ENC", help="force a file encoding (default: detect UTF-8/UTF-16/GB18030)")
    group.add_argument("--drop-duplicates", action="store_true", help="drop documents whose text repeats another's")
    group.add_argument("--semicolons", action="store_true", help="also end sentences at ；")


def load_kwargs(args: argparse.Namespace) -> dict:
    """The keyword arguments of :func:`policytext.load_corpus` given on the command line."""
    manifest = False if getattr(args, "no_manifest", False) else getattr(args, "manifest", None)
    return {
        "pattern": getattr(args, "pattern", None),
        "manifest": manifest,
        "text_column": getattr(args, "text_column", None),
        "id_column": getattr(args, "id_column", None),
        "encoding": getattr(args, "encoding", None),
        "drop_duplicates": getattr(args, "drop_duplicates", False),
        "semicolons": getattr(args, "semicolons", False),
    }


def corpus_from_args(args: argparse.Namespace, source=None):
    """Load the corpus named by ``args.corpus`` (or ``source``) with the loading options in ``args``."""
    from ..corpus import load_corpus

    return load_corpus(source if source is not None else args.corpus, **load_kwargs(args))
