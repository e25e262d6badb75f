"""``policytext entities``: tag places, organizations, programmes, slogans, documents and metrics.

Sentence mode (the interface acceptance uses)::

    policytext entities sentences.jsonl [--labels PLACE,ORG] [--out tagged.jsonl]

reads lines ``{"id": ..., "text": ...}`` (a ``"region"`` key, when present, decides between places of the same
name) and writes one line per input line, in order: ``{"id": ..., "entities": [{"start", "end", "label", "text",
...}]}``; offsets index the line's ``text`` (end exclusive) and label-specific keys (``canonical``, ``level``,
``adcode``, ``parent``, ``value``, ``unit``, ``is_percent``, ``indicator``) appear when they have a value. Blank lines
are skipped; a line that is not a JSON object with a string ``text`` stops the run with an error naming its line
number (``--on-error skip`` reports it on standard error and goes on).

Corpus mode (any other INPUT: a folder of reports or a document table)::

    policytext entities reports/ --out entities.csv [--counts counts.csv --by region,year]

writes the entity table of every sentence (``doc_id, sent_id, start, end`` with offsets into the document text)
and optionally the counts by label and metadata.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from .files import is_sentence_input, read_sentence_lines, write_table
from .options import add_corpus_arguments, corpus_from_args


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "entities",
        help="tag entities (PLACE, ORG, PROGRAM, SLOGAN, DOCUMENT, METRIC, DATE) in JSONL sentences or a corpus",
        description="Tag the entities of spec/entities.md. A .jsonl INPUT holds one sentence per line "
        '({"id", "text"}, optional "region") and gets one line {"id", "entities": [...]} per sentence; any other '
        "INPUT is loaded as a corpus and its entity table is written (CSV, Parquet or JSONL by --out extension).",
    )
    parser.add_argument("input", metavar="INPUT", help="sentences.jsonl ('-' = stdin), or a corpus folder/file")
    parser.add_argument("--labels", metavar="L1,L2",
                        help="labels to write (default all: PLACE,ORG,PROGRAM,SLOGAN,DOCUMENT,METRIC,DATE)")
    parser.add_argument("--out", "-o", metavar="PATH", help="output file (default: standard output)")
    parser.add_argument("--user-entities", metavar="PATH",
                        help="your own entity list: one 'term LABEL' per line (user word-list format)")
    parser.add_argument("--region", metavar="NAME",
                        help="region of sentences whose line has no 'region' key (e.g. 陕西省安康市汉滨区)")
    parser.add_argument("--villages", action="store_true",
                        help="also tag village and community names inside each document's county (slower start)")
    parser.add_argument("--on-error", choices=("raise", "skip"), default="raise",
                        help="sentence mode: stop at a malformed line (default) or report it and go on")
    parser.add_argument("--corpus", action="store_true", help="treat a .jsonl INPUT as a corpus table of documents")
    parser.add_argument("--counts", metavar="PATH", help="corpus mode: also write entity counts (CSV) by --by")
    parser.add_argument("--by", default="region,year", metavar="COLS",
                        help="corpus mode: grouping columns of --counts (default region,year)")
    add_corpus_arguments(parser, positional=False)
    return parser


def _region_problem(obj: dict) -> str | None:
    region = obj.get("region")
    return None if region is None or isinstance(region, str) else f"'region' must be a string, got {type(region).__name__}"


def _clean(rec: dict) -> dict:
    out = {}
    for k, v in rec.items():
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        out[k] = v
    return out


def run(args: argparse.Namespace) -> int:
    from ..entities import EntityTagger

    tagger = EntityTagger(labels=args.labels, user_entities=args.user_entities, villages=args.villages)
    if is_sentence_input(args):
        out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
        try:
            for lineno, obj in read_sentence_lines(args.input, "entities", args.on_error, check=_region_problem):
                ents = [_clean(e) for e in tagger.entities(obj["text"], region=obj.get("region") or args.region)]
                out.write(json.dumps({"id": obj.get("id", lineno), "entities": ents}, ensure_ascii=False) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
        return 0

    from ..entities import entity_counts

    corpus = corpus_from_args(args, args.input)
    table = tagger.tag_corpus(corpus)
    write_table(table, args.out)
    if args.counts:
        by = [c.strip() for c in args.by.split(",") if c.strip()]
        entity_counts(table, corpus.docs, by=by).to_csv(args.counts, index=False)
    return 0
