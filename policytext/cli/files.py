"""The files of the sentence-level subcommands (``entities``, ``classify``): JSONL sentences in, tables out."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["is_sentence_input", "read_json_lines", "read_sentence_lines", "text_problem", "write_table"]

#: Extensions of a file of sentences, one JSON object ``{"id", "text"}`` per line.
SENTENCE_SUFFIXES = {".jsonl", ".ndjson"}


def is_sentence_input(args: argparse.Namespace) -> bool:
    """Whether INPUT is a file of sentences (``.jsonl``, or ``-`` for stdin) rather than a corpus; ``--corpus``
    forces the corpus reading."""
    return (args.input == "-" or Path(args.input).suffix.lower() in SENTENCE_SUFFIXES) and not args.corpus


def read_json_lines(
    source: str,
    command: str,
    on_error: str | None = None,
    check: Callable[[dict], str | None] | None = None,
    expected: str = '{"id": ..., "text": ...}',
) -> Iterator[tuple[int, dict]]:
    """Yield ``(lineno, object)`` for each usable line of a JSON-lines file (``-``: stdin).

    A line must hold a JSON object; ``check(obj)`` may name what else is wrong with it. A bad line raises
    :class:`~policytext.errors.InputError` naming the file, the line, the problem and the ``expected`` object,
    or, with ``on_error="skip"``, is reported on stderr (``policytext COMMAND: skipped …``) and left out;
    ``"raise"`` (a command with an ``--on-error`` option) adds how to skip to the error, None (a command without)
    does not. Blank lines are ignored.
    """
    from ..errors import InputError

    if source == "-":
        stream = sys.stdin
    else:
        path = Path(source)
        if path.is_dir():
            raise InputError(f"INPUT {source!r} is a directory; this needs a .jsonl file (one {expected} per "
                             "line). For a folder of reports, the input is read as a corpus.")
        if not path.exists():
            raise InputError(f"INPUT {source!r} does not exist; give a .jsonl file (one {expected} per line) or "
                             "'-' for stdin.")
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
                elif check is not None:
                    problem = check(obj)
            if problem is not None:
                msg = f"{source}, line {lineno}: {problem}; expected one object {expected} per line. Got {line.strip()[:80]!r}."
                if on_error != "skip":
                    hint = " (Use --on-error skip to report bad lines and continue.)" if on_error == "raise" else ""
                    raise InputError(msg + hint)
                print(f"policytext {command}: skipped {msg}", file=sys.stderr)
                continue
            yield lineno, obj


def text_problem(obj: dict) -> str | None:
    """What is wrong with the ``text`` field of a sentence object, or None."""
    if isinstance(obj.get("text"), str):
        return None
    return "expected a string 'text' field" + ("" if "text" not in obj else f", got {type(obj['text']).__name__}")


def read_sentence_lines(
    source: str,
    command: str,
    on_error: str | None = None,
    check: Callable[[dict], str | None] | None = None,
) -> Iterator[tuple[int, dict]]:
    """:func:`read_json_lines` of sentence objects: each needs a string ``text`` (then ``check`` applies)."""
    def check_sentence(obj: dict) -> str | None:
        return text_problem(obj) or (check(obj) if check is not None else None)

    return read_json_lines(source, command, on_error, check_sentence)


def write_table(table, out: str | None) -> None:
    """Write a table to ``out`` as Parquet (``.parquet``/``.pq``), JSON lines (``.jsonl``/``.ndjson``) or CSV (any
    other name), or as CSV on stdout when ``out`` is None."""
    if out is None:
        table.to_csv(sys.stdout, index=False)
        return
    suffix = Path(out).suffix.lower()
    if suffix in (".parquet", ".pq"):
        table.to_parquet(out, index=False)
    elif suffix in SENTENCE_SUFFIXES:
        table.to_json(out, orient="records", lines=True, force_ascii=False)
    else:
        table.to_csv(out, index=False)
