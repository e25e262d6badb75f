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
from pathlib import Path

from .options import add_corpus_arguments, corpus_from_args

_SENTENCE_SUFFIXES = {".jsonl", ".ndjson"}


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


def _read_lines(source: str, on_error: str):
    """Yield ``(lineno, id, text, region)`` for each usable line; malformed lines raise or are reported."""
    from ..errors import InputError

    if source == "-":
        stream = sys.stdin
    else:
        path = Path(source)
        if path.is_dir():
            raise InputError(f"INPUT {source!r} is a directory; sentence mode needs a .jsonl file ({{'id', 'text'}} "
                             "per line). For a folder of reports, the input is read as a corpus.")
        if not path.exists():
            raise InputError(f"INPUT {source!r} does not exist; give a .jsonl file of sentences or '-' for stdin.")
        stream = path.open(encoding="utf-8-sig", errors="strict")
    with stream:
        lineno = 0
        while True:
            try:
                line = stream.readline()
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}, line {lineno + 1}: not UTF-8 ({exc.reason}); save the file as UTF-8.") from None
            if not line:
                break
            lineno += 1
            if not line.strip():
                continue
            problem = None
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                obj = None
                problem = f"not valid JSON ({exc.msg} at column {exc.colno})"
            if problem is None:
                if not isinstance(obj, dict):
                    problem = f"expected a JSON object, got {type(obj).__name__}"
                elif not isinstance(obj.get("text"), str):
                    problem = "expected a string 'text' field" + (
                        "" if "text" not in obj else f", got {type(obj['text']).__name__}")
                elif "region" in obj and obj["region"] is not None and not isinstance(obj["region"], str):
                    problem = f"'region' must be a string, got {type(obj['region']).__name__}"
            if problem is not None:
                msg = (f"{source}, line {lineno}: {problem}; expected one object {{\"id\": ..., \"text\": ...}} per "
                       f"line. Got {line.strip()[:80]!r}.")
                if on_error == "raise":
                    raise InputError(msg + " (Use --on-error skip to report bad lines and continue.)")
                print(f"policytext entities: skipped {msg}", file=sys.stderr)
                continue
            yield lineno, obj.get("id", lineno), obj["text"], obj.get("region")


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
    is_sentences = (args.input == "-" or Path(args.input).suffix.lower() in _SENTENCE_SUFFIXES) and not args.corpus
    if is_sentences:
        out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
        try:
            for _lineno, sid, text, region in _read_lines(args.input, args.on_error):
                ents = [_clean(e) for e in tagger.entities(text, region=region or args.region)]
                out.write(json.dumps({"id": sid, "entities": ents}, ensure_ascii=False) + "\n")
        finally:
            if out is not sys.stdout:
                out.close()
        return 0

    from ..entities import entity_counts

    corpus = corpus_from_args(args, args.input)
    table = tagger.tag_corpus(corpus)
    if args.out is None:
        table.to_csv(sys.stdout, index=False)
    else:
        suffix = Path(args.out).suffix.lower()
        if suffix in (".parquet", ".pq"):
            table.to_parquet(args.out, index=False)
        elif suffix in (".jsonl", ".ndjson"):
            table.to_json(args.out, orient="records", lines=True, force_ascii=False)
        else:
            table.to_csv(args.out, index=False)
    if args.counts:
        by = [c.strip() for c in args.by.split(",") if c.strip()]
        entity_counts(table, corpus.docs, by=by).to_csv(args.counts, index=False)
    return 0
