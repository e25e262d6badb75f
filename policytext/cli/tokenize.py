"""``policytext tokenize FILE``: one sentence per line in, the same lines out with tokens separated by spaces.

Contract (the interface acceptance uses):

* one output line per input line, in order; an empty (or all-whitespace) line gives an empty line;
* tokens are separated by single spaces; joining a line's tokens gives back the input line without its whitespace
  (whitespace never becomes a token, no other character is ever dropped or changed);
* lines end at ``\\n``, ``\\r\\n`` or ``\\r`` (Python's universal newlines); other line-breaking characters inside a
  line (``\\v \\f \\x1c-\\x1e \\x85 \\u2028 \\u2029``, which ``str.splitlines`` also splits at) are written back
  in place of the space between the tokens around them, so the output splits into lines exactly as the input does
  under either convention;
* input: UTF-8 (a byte-order mark is dropped), UTF-16 with a byte-order mark, GB18030 when the start of the file is
  not UTF-8 but is GB18030, or ``--encoding``; bytes that do not decode are passed through unchanged;
  ``-`` reads standard input. Output: UTF-8 with ``\\n`` line ends, to ``--out`` or standard output.
"""

from __future__ import annotations

import argparse
import codecs
import io
import os
import re
import sys
from collections.abc import Iterator

_BREAKERS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_HAS_BREAKER = re.compile(f"[{_BREAKERS}]").search


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "tokenize",
        help="segment a text file: one sentence per line in, tokens separated by spaces out",
        description="Segment FILE (one sentence per line; '-' for standard input) and write the same lines with "
        "their tokens separated by single spaces. Joining a line's tokens gives back the input line without its "
        "whitespace; empty lines stay empty.",
    )
    parser.add_argument("file", metavar="FILE", help="UTF-8 text file, one sentence per line ('-': stdin)")
    parser.add_argument("--backend", default="default", choices=("default", "jieba", "hanlp"),
                        help="segmenter (default: the embedded one)")
    parser.add_argument("--user-dict", metavar="PATH",
                        help="extra words, one per line ('word', 'word TAG' or jieba's 'word FREQ TAG')")
    parser.add_argument("--out", "-o", metavar="PATH", help="write here instead of standard output")
    parser.add_argument("--pos", action="store_true", help="write word/TAG instead of word (x: no tag)")
    parser.add_argument("--keep-quoted", action="store_true",
                        help="keep short quoted phrases (“四办”) as one token")
    parser.add_argument("--no-lexicon", action="store_true", help="do not add the policy lexicon")
    parser.add_argument("--no-gazetteer", action="store_true", help="do not add administrative division names")
    parser.add_argument("--model", metavar="M", help="HanLP model name or directory (--backend hanlp)")
    parser.add_argument("--n-jobs", type=int, default=1, metavar="N",
                        help="worker processes (-1: all CPUs; worth it for large files)")
    parser.add_argument("--encoding", metavar="ENC", help="input encoding (default: detect UTF-8/UTF-16/GB18030)")
    return parser


def _detect(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        return "utf-8-sig"


def _open_input(path: str, encoding: str | None) -> io.TextIOWrapper:
    from ..errors import InputError

    if path == "-":
        raw = sys.stdin.buffer
    else:
        if os.path.isdir(path):
            raise InputError(f"FILE must be a text file with one sentence per line; {path!r} is a directory.")
        try:
            raw = open(path, "rb", buffering=1 << 16)  # noqa: SIM115 - closed by the caller
        except FileNotFoundError:
            raise InputError(f"FILE {path!r} does not exist; give the path of a text file or '-' for stdin.") from None
        except OSError as exc:
            raise InputError(f"cannot read FILE {path!r}: {exc.strerror or exc}.") from None
    if encoding is None:
        head = raw.peek(1 << 16)[: 1 << 16] if hasattr(raw, "peek") else b""
        encoding = _detect(head)
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise InputError(f"--encoding must be a Python codec name such as utf-8 or gb18030; got {encoding!r}.") from None
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
            encoding = "utf-8-sig"
    return io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline=None)


def _lines(stream: io.TextIOWrapper) -> Iterator[str]:
    for line in stream:
        yield line.removesuffix("\n")


def format_line(tokenizer, line: str, pos: bool = False) -> str:
    """The output line for one input line: tokens joined by spaces (line breakers kept in place of the space)."""
    if not pos and _HAS_BREAKER(line) is None:
        return " ".join(tokenizer.cut(line))
    tokens = tokenizer.tokenize(line)
    parts: list[str] = []
    prev = 0
    for t in tokens:
        seps = "".join(ch for ch in line[prev : t.start] if ch in _BREAKERS)
        parts.append(seps if seps or not parts else " ")
        parts.append(f"{t.text}/{t.pos or 'x'}" if pos else t.text)
        prev = t.end
    parts.append("".join(ch for ch in line[prev:] if ch in _BREAKERS))
    return "".join(parts)


def _format_batch(job: tuple[list[str], bool]) -> list[str]:
    from ..tokenize import _worker

    lines, pos = job
    tok = _worker()
    return [format_line(tok, line, pos) for line in lines]


def _batches(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run(args: argparse.Namespace) -> int:
    from ..errors import ParameterError
    from ..tokenize import Tokenizer, _init_worker

    if args.n_jobs == 0 or args.n_jobs < -1:
        raise ParameterError(f"--n-jobs must be a positive integer or -1; got {args.n_jobs}.")
    if args.model is not None and args.backend != "hanlp":
        raise ParameterError("--model applies to --backend hanlp only; drop it or add --backend hanlp.")
    tok = Tokenizer(
        args.backend,
        user_dict=args.user_dict,
        lexicon=False if args.no_lexicon else None,
        gazetteer=False if args.no_gazetteer else None,
        keep_quoted=args.keep_quoted,
        pos=args.pos,
        model=args.model,
    )
    stream = _open_input(args.file, args.encoding)
    if args.out:
        try:
            out = open(args.out, "w", encoding="utf-8", errors="surrogateescape", newline="\n")  # noqa: SIM115
        except OSError as exc:
            stream.close()
            raise ParameterError(f"cannot write --out {args.out!r}: {exc.strerror or exc}.") from None
    else:
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", errors="surrogateescape", newline="\n")
    n_jobs = (os.cpu_count() or 1) if args.n_jobs == -1 else args.n_jobs
    try:
        if n_jobs == 1:
            write = out.write
            for line in _lines(stream):
                write(format_line(tok, line, args.pos))
                write("\n")
        else:
            import multiprocessing

            with multiprocessing.get_context().Pool(n_jobs, initializer=_init_worker, initargs=(tok,)) as pool:
                jobs = ((batch, args.pos) for batch in _batches(_lines(stream), 2000))
                for formatted in pool.imap(_format_batch, jobs, chunksize=1):
                    out.write("\n".join(formatted))
                    out.write("\n")
        out.flush()
    finally:
        if args.file != "-":
            stream.close()
        else:
            stream.detach()
        if args.out:
            out.close()
        else:
            try:
                out.detach()
            except ValueError:  # pragma: no cover - already detached
                pass
    return 0
