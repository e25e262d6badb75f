"""``policytext eval``: score predictions against hand-labelled gold files.

``policytext eval themes GOLD.jsonl --codebook NAME`` classifies the gold sentences (zero-label on themselves,
``--fit-on CORPUS``, or ``--model PATH``), or reads ready predictions (``--predictions``, the output of
``policytext classify``), and prints accuracy, macro-F1, per-label precision/recall/F1 and the confusion matrix,
strict (gold primary) and lenient (gold secondary also counts).
"""

from __future__ import annotations

import argparse
import json
import sys

from .files import read_json_lines
from .options import add_corpus_arguments


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "eval",
        help="score predictions against a gold file (eval themes GOLD.jsonl)",
        description="Evaluate against hand-labelled gold data.",
    )
    sub = parser.add_subparsers(dest="task", metavar="TASK")
    th = sub.add_parser(
        "themes",
        help="theme classification: accuracy, macro-F1, per-label P/R/F1, confusion (strict and lenient)",
        description="Score theme predictions on GOLD.jsonl (lines {\"id\", \"text\", \"primary\", \"secondary\"}). "
        "Without --predictions the gold sentences are classified like `policytext classify` would.",
    )
    th.add_argument("gold", metavar="GOLD.jsonl")
    th.add_argument("--codebook", default=None, metavar="NAME", help="codebook name or file (default: rule_of_law)")
    th.add_argument("--predictions", metavar="PRED.jsonl",
                    help="score these predictions ({\"id\", \"primary\", \"secondary\"} lines) instead of classifying")
    th.add_argument("--model", metavar="PATH", help="classify with a saved model")
    th.add_argument("--fit-on", metavar="CORPUS", help="fit zero-label on this corpus (plus the gold sentences)")
    th.add_argument("--dictionary", action="store_true", help="score the DictionaryClassifier baseline")
    th.add_argument("--json", action="store_true", help="print one JSON object")
    add_corpus_arguments(th, positional=False)
    parser.set_defaults(_eval_parser=parser)
    return parser


def _read_jsonl(path: str, need: tuple[str, ...]) -> list[dict]:
    from ..errors import InputError

    def missing_fields(obj: dict) -> str | None:
        missing = [k for k in need if k not in obj]
        return f"missing field(s) {missing}" if missing else None

    expected = "{" + ", ".join(f'"{k}": ...' for k in need) + "}"
    rows = [obj for _, obj in read_json_lines(path, "eval", check=missing_fields, expected=expected)]
    if not rows:
        raise InputError(f"{path} holds no records.")
    return rows


def run(args: argparse.Namespace) -> int:
    if getattr(args, "task", None) != "themes":
        args._eval_parser.print_help()
        return 2
    import pandas as pd

    from ..themes import evaluate_themes
    from .classify import _build_model

    gold = _read_jsonl(args.gold, ("text", "primary"))
    if args.predictions:
        from ..errors import InputError

        pred = {str(r["id"]): r for r in _read_jsonl(args.predictions, ("id", "primary"))}
        missing = [str(r.get("id")) for r in gold if str(r.get("id")) not in pred]
        if missing:
            raise InputError(f"{len(missing)} gold id(s) have no prediction in {args.predictions} "
                             f"(first: {missing[:3]}).")
        primary = [pred[str(r["id"])]["primary"] for r in gold]
        secondary = [pred[str(r["id"])].get("secondary") for r in gold]
    else:
        texts = [r["text"] for r in gold]
        model = _build_model(args, pd.DataFrame({"text": texts}))
        frame = model.predict_frame(texts)
        primary = frame["theme"].tolist()
        secondary = frame["theme2"].tolist()
    labels = None
    try:
        from ..codebook import load_codebook

        if args.codebook or not args.predictions:
            labels = load_codebook(args.codebook or "rule_of_law").labels
    except Exception:  # noqa: BLE001 - label order is cosmetic
        labels = None
    ev = evaluate_themes([r["primary"] for r in gold], primary,
                         gold_secondary=[r.get("secondary") for r in gold], predicted_secondary=secondary,
                         labels=labels)
    if args.json:
        json.dump(ev.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"gold: {args.gold}")
        print(ev)
    return 0
