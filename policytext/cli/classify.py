"""``policytext classify``: theme of every sentence, from a JSONL file of sentences or from a corpus.

Sentence mode (the acceptance interface)::

    policytext classify sentences.jsonl --codebook rule_of_law > themes.jsonl

reads lines ``{"id": ..., "text": ...}`` (other keys are ignored) and writes one line per input line,
``{"id", "primary", "secondary", "scores"}``. Without ``--model`` or ``--fit-on`` a zero-label classifier is fitted
on the input sentences themselves.

Corpus mode::

    policytext classify reports/ --codebook rule_of_law --out sentences.csv [--shares shares.csv --by region,year]

writes the sentence table of the corpus with ``theme, theme2, score`` (and the document's region, level, year).
"""

from __future__ import annotations

import argparse
import json
import sys

from .files import is_sentence_input, read_sentence_lines, write_table
from .options import add_corpus_arguments, corpus_from_args


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "classify",
        help="theme of every sentence (JSONL of sentences, or a corpus) with a codebook",
        description="Classify sentences into the themes of a codebook. A .jsonl INPUT holds one sentence per line "
        "({\"id\", \"text\"}) and gets one line {\"id\", \"primary\", \"secondary\", \"scores\"} per sentence; any "
        "other INPUT is loaded as a corpus and its sentence table is written with theme, theme2, score. Without "
        "--model, a zero-label classifier is fitted on the input itself (or on --fit-on CORPUS plus the input).",
    )
    parser.add_argument("input", metavar="INPUT", help="sentences.jsonl ('-' = stdin), or a corpus folder/file")
    parser.add_argument("--codebook", default=None, metavar="NAME",
                        help="shipped codebook (rule_of_law, work_report) or a YAML/TOML file (default: rule_of_law, "
                        "or the saved model's)")
    parser.add_argument("--fit-on", metavar="CORPUS", help="fit zero-label on this corpus's sentences (plus the input)")
    parser.add_argument("--model", metavar="PATH", help="use a saved model instead of fitting")
    parser.add_argument("--save", metavar="PATH", help="save the fitted model here (joblib)")
    parser.add_argument("--out", metavar="PATH",
                        help="output file (default stdout); corpus mode: .csv, .parquet or .jsonl by extension")
    parser.add_argument("--dictionary", action="store_true",
                        help="use the plain DictionaryClassifier baseline (seed-term counts) instead")
    parser.add_argument("--explain", action="store_true", help="sentence mode: add the matched cues per sentence")
    parser.add_argument("--corpus", action="store_true", help="treat a .jsonl INPUT as a corpus table of documents")
    parser.add_argument("--shares", metavar="PATH", help="corpus mode: also write theme shares (CSV) by --by")
    parser.add_argument("--by", default="region,year", metavar="COLS",
                        help="corpus mode: grouping columns of --shares (default region,year)")
    add_corpus_arguments(parser, positional=False)
    return parser


def _read_sentences(source: str):
    ids, texts = [], []
    for lineno, obj in read_sentence_lines(source, "classify"):
        ids.append(obj.get("id", lineno))
        texts.append(obj["text"])
    return ids, texts


def _build_model(args, fit_input=None):
    """Return a fitted classifier according to --model / --dictionary / --fit-on."""
    from ..errors import ParameterError
    from ..themes import DictionaryClassifier, ThemeClassifier, load_model

    if args.model:
        if args.dictionary or args.fit_on:
            raise ParameterError("--model uses a saved model; it cannot be combined with --dictionary or --fit-on.")
        model = load_model(args.model)
        cb = getattr(model, "codebook_", None)
        if args.codebook and cb is not None and args.codebook not in (cb.name, cb.source):
            raise ParameterError(f"--codebook {args.codebook} does not match the saved model's codebook {cb.name!r};"
                                 " drop --codebook or refit.")
        return model
    codebook = args.codebook or "rule_of_law"
    if args.dictionary:
        return DictionaryClassifier(codebook).fit()
    import pandas as pd

    parts = []
    if args.fit_on:
        corpus = corpus_from_args(args, args.fit_on)
        cols = [c for c in ("text", "section_title", "is_heading") if c in corpus.sentences.columns]
        parts.append(corpus.sentences[cols])
    if fit_input is not None:
        parts.append(fit_input)
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return ThemeClassifier(codebook).fit(frame)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    if is_sentence_input(args):
        ids, texts = _read_sentences(args.input)
        model = _build_model(args, pd.DataFrame({"text": texts}) if texts else None) if (
            texts or args.model or args.dictionary) else None
        if model is None:
            return 0
        if args.save:
            model.save(args.save)
        if not texts:
            return 0
        frame = model.predict_frame(texts)
        P = model.predict_proba(texts)
        labels = [str(c) for c in model.classes_]
        explain = model.explain(texts) if args.explain and hasattr(model, "explain") else None
        lines = []
        for i, (sid, theme, theme2) in enumerate(zip(ids, frame["theme"], frame["theme2"])):
            rec = {"id": sid, "primary": str(theme), "secondary": None if theme2 is None else str(theme2),
                   "scores": {lab: round(float(p), 4) for lab, p in zip(labels, P[i])}}
            if explain is not None:
                rec["cues"] = [list(c) for c in explain["cues"].iloc[i]]
            lines.append(json.dumps(rec, ensure_ascii=False) + "\n")
        if args.out:
            with open(args.out, "w", encoding="utf-8") as out:
                out.writelines(lines)
        else:
            sys.stdout.writelines(lines)
        return 0

    from ..themes import classify_corpus, theme_shares

    corpus = corpus_from_args(args, args.input)
    model = _build_model(args, None) if (args.model or args.dictionary or args.fit_on) else None
    if model is None:
        from ..themes import ThemeClassifier

        model = ThemeClassifier(args.codebook or "rule_of_law").fit(corpus)
    if args.save:
        model.save(args.save)
    meta = [c for c in ("title", "region", "level", "year") if c in corpus.docs.columns]
    table = corpus.sentences_with(meta) if meta else corpus.sentences
    table = classify_corpus(table, model=model)
    write_table(table, args.out)
    if args.shares:
        by = [c.strip() for c in args.by.split(",") if c.strip()]
        shares = theme_shares(table, corpus.docs, by=by, labels=[str(c) for c in model.classes_])
        shares.to_csv(args.shares, index=False)
    return 0
