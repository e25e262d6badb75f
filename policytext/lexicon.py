"""Policy lexicon, stopword lists and the user word-list format.

Three kinds of domain resource live here, all plain UTF-8 text files under ``policytext/resources/``
(documented in ``policytext/resources/README.md``):

* the **policy lexicon** (``resources/lexicon/policy.tsv``): reform slogans and formulas, named programmes, policy
  concepts, institutional terms, guiding doctrines, generic government body names, honorary titles, plan periods,
  law titles and geographic names, each with a *type* (see :data:`LEXICON_TYPES`);
* **stopword lists** (``resources/stopwords/<name>.txt``): function words (``general``) and policy boilerplate such
  as 坚持, 推进, 加强 (``policy``, which includes ``general``), for term statistics, not for the tokenizer;
* the **user word-list format** read by :func:`load_user_words`: one entry per line, ``term``, ``term TYPE`` or
  ``term FREQ TYPE`` (jieba's user-dictionary layout), ``#`` comments. Tokenizer user dictionaries and
  EntityTagger user entity lists use this one parser.

Examples
--------
>>> from policytext.lexicon import load_lexicon, load_stopwords
>>> lex = load_lexicon()
>>> lex.loc[lex["term"] == "放管服", ["term", "type", "entity"]].to_dict("records")
[{'term': '放管服', 'type': 'slogan', 'entity': 'SLOGAN'}]
>>> "营商环境" in set(load_lexicon(types="concept")["term"])
True
>>> {"推进", "的"} <= load_stopwords("policy")
True
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources as _resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import ParameterError, ResourceError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "LEXICON_TYPES",
    "LEXICON_FLAGS",
    "LexiconType",
    "UserWord",
    "load_lexicon",
    "lexicon_version",
    "load_stopwords",
    "available_stopwords",
    "load_user_words",
    "parse_user_words",
]


@dataclass(frozen=True)
class LexiconType:
    """One entry type of the policy lexicon.

    Attributes
    ----------
    name : str
        The type id used in the ``type`` column.
    entity : str or None
        The entity label (see ``spec/entities.md``) an unquoted occurrence of the term receives, or None when the
        term is not an entity.
    description : str
        What belongs to the type.
    """

    name: str
    entity: str | None
    description: str


#: The type vocabulary of the policy lexicon, in file order. ``entity`` says which entity label an occurrence
#: of a term of that type receives when it stands unquoted in a sentence (None: never an entity by itself).
LEXICON_TYPES: dict[str, LexiconType] = {
    t.name: t
    for t in (
        LexiconType(
            "slogan",
            "SLOGAN",
            "established reform formula, numbered formula or catchphrase naming a policy (放管服, 一网通办, "
            "最多跑一次, 双随机、一公开, 河长制, 枫桥经验, 三农): an entity even without quotation marks",
        ),
        LexiconType(
            "program",
            "PROGRAM",
            "named, specific national programme, campaign, project or pilot (千万工程, 雪亮工程, 八五普法, "
            "蓝天保卫战): an entity",
        ),
        LexiconType(
            "law",
            "DOCUMENT",
            "proper title of a law or regulation that occurs without 《》 (行政诉讼法, 民法典, 企业信息公示条例)",
        ),
        LexiconType(
            "geo",
            "PLACE",
            "named area that is not an administrative division: region, river, lake, mountain, country or "
            "world region (长江, 秦岭, 京津冀, 粤港澳大湾区, 东盟)",
        ),
        LexiconType(
            "org",
            "ORG",
            "generic name of a government or Party body, court or procuratorate, usable on its own or after "
            "a place name (区委, 区政府, 人大常委会, 司法局, 人民法院)",
        ),
        LexiconType(
            "concept",
            None,
            "ordinary policy term, not an entity (营商环境, 数字政府, 高质量发展, 新型城镇化)",
        ),
        LexiconType(
            "institution",
            None,
            "legal or administrative institution, procedure or instrument, not an entity (行政复议, "
            "综合行政执法, 权责清单, 重大行政决策)",
        ),
        LexiconType(
            "doctrine",
            None,
            "name of a guiding doctrine or theory, not an entity (习近平法治思想, 新发展理念, 中国式现代化)",
        ),
        LexiconType(
            "honor",
            None,
            "honorary title conferred on a place or unit, not an entity (全国文明城市, 国家卫生城市)",
        ),
        LexiconType(
            "period",
            None,
            "plan period or era name, not an entity on its own (十四五, 新时代)",
        ),
        LexiconType(
            "event",
            None,
            "meeting, session or event name, not an entity (党的二十大, 十九届五中全会, 两会)",
        ),
    )
}

_HEADER = ("term", "type", "variants", "flags", "note")
#: Flags a lexicon entry may carry (``flags`` column, comma-separated).
LEXICON_FLAGS: dict[str, str] = {
    "ambiguous": "the string has a common other reading (十五 the number, 三公 in 三公里); use it only when quoted "
    "or in context, not as a plain dictionary word",
}
_VERSION_RE = re.compile(r"^#\s*version\s*:\s*(\S+)\s*$", re.IGNORECASE)
_INCLUDE_RE = re.compile(r"^#\s*include\s*:\s*(.+?)\s*$", re.IGNORECASE)
_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_LOCK = threading.Lock()
_LEXICON_CACHE: dict[tuple, tuple[pd.DataFrame, str]] = {}
_STOPWORD_CACHE: dict[tuple, frozenset[str]] = {}


def _resource_dir(*parts: str) -> Path:
    return Path(str(_resources.files("policytext").joinpath("resources", *parts)))


def _default_lexicon_path() -> Path:
    return _resource_dir("lexicon", "policy.tsv")


def _read_text(path: Path, what: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ResourceError(f"Expected a {what} file at {path}; no such file. Check the path.") from None
    except IsADirectoryError:
        raise ResourceError(f"Expected a {what} file at {path}; got a directory. Pass a file path.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ResourceError(
            f"{path}: expected UTF-8 text; byte {exc.start} does not decode. Save the file as UTF-8."
        ) from None
    return text


def _check_term(term: str, where: str) -> None:
    if not term:
        raise ResourceError(f"{where}: expected a term; got an empty field.")
    if term != term.strip() or any(ch in term for ch in "\t\r\n"):
        raise ResourceError(f"{where}: term {term!r} has leading/trailing whitespace or a tab; remove it.")


def _parse_lexicon(path: Path) -> tuple[list[tuple[str, str, str, bool, str, int]], str]:
    """Parse a lexicon TSV into rows ``(term, type, canonical, ambiguous, note, line)`` and its version."""
    text = _read_text(path, "lexicon")
    version: str | None = None
    header_seen = False
    rows: list[tuple[str, str, str, bool, str, int]] = []
    seen: dict[str, int] = {}
    strict_types = path == _default_lexicon_path()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        where = f"{path}, line {lineno}"
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            m = _VERSION_RE.match(line.strip())
            if m:
                version = m.group(1)
            continue
        fields = line.split("\t")
        if not header_seen:
            if tuple(f.strip().lower() for f in fields[:2]) != _HEADER[:2]:
                raise ResourceError(
                    f"{where}: expected the header line 'term<TAB>type<TAB>variants<TAB>flags<TAB>note' before "
                    f"the first entry; got {line!r}."
                )
            header_seen = True
            continue
        if not 2 <= len(fields) <= 5:
            raise ResourceError(
                f"{where}: expected 2 to 5 tab-separated fields (term, type, variants, flags, note); got "
                f"{len(fields)} in {line!r}. Separate fields with exactly one tab."
            )
        fields += [""] * (5 - len(fields))
        term, type_, variants = fields[0], fields[1].strip(), fields[2].strip()
        flags, note = [f.strip() for f in fields[3].split(",") if f.strip()], fields[4].strip()
        bad_flags = [f for f in flags if f not in LEXICON_FLAGS]
        if bad_flags:
            raise ResourceError(
                f"{where}: unknown flag(s) {bad_flags!r}; expected a comma-separated subset of "
                f"{', '.join(LEXICON_FLAGS)}."
            )
        _check_term(term, where)
        if not _TYPE_RE.match(type_):
            raise ResourceError(f"{where}: expected a lower-case type id such as 'slogan'; got {type_!r}.")
        if strict_types and type_ not in LEXICON_TYPES:
            raise ResourceError(
                f"{where}: unknown type {type_!r}; expected one of {', '.join(LEXICON_TYPES)}."
            )
        forms = [term] + [v.strip() for v in variants.split("|") if v.strip()] if variants else [term]
        if variants and len(forms) - 1 != len(variants.split("|")):
            raise ResourceError(f"{where}: empty variant in {variants!r}; separate variants with a single '|'.")
        for form in forms:
            _check_term(form, where)
            if form in seen:
                raise ResourceError(
                    f"{where}: duplicate term {form!r} (first listed on line {seen[form]}). "
                    "Keep one entry; list alternative spellings in the variants column."
                )
            seen[form] = lineno
            rows.append((form, type_, term, "ambiguous" in flags, note, lineno))
    if not header_seen:
        raise ResourceError(
            f"{path}: expected a header line 'term<TAB>type<TAB>variants<TAB>flags<TAB>note'; found none."
        )
    if version is None:
        raise ResourceError(f"{path}: expected a '# version: X' comment line; found none. Add one at the top.")
    return rows, version


def _lexicon_table(path: Path) -> tuple[pd.DataFrame, str]:
    import pandas as pd

    stat = path.stat() if path.exists() else None
    key = (str(path.resolve()), stat.st_mtime_ns if stat else None, stat.st_size if stat else None)
    with _LOCK:
        hit = _LEXICON_CACHE.get(key)
    if hit is not None:
        return hit
    rows, version = _parse_lexicon(path)
    df = pd.DataFrame(rows, columns=["term", "type", "canonical", "ambiguous", "note", "line"])
    df["entity"] = df["type"].map(lambda t: LEXICON_TYPES[t].entity if t in LEXICON_TYPES else None)
    df = df[["term", "type", "entity", "canonical", "ambiguous", "note", "line"]]
    with _LOCK:
        _LEXICON_CACHE[key] = (df, version)
    return df, version


def load_lexicon(
    types: str | Iterable[str] | None = None, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Load the policy lexicon (or a lexicon file in the same format) as a table.

    Parameters
    ----------
    types : str or iterable of str, optional
        Keep only entries of these types (see :data:`LEXICON_TYPES`). Default: all.
    path : str or path-like, optional
        A lexicon TSV in the same format (header ``term, type, variants, flags, note``, a ``# version:`` line);
        default: the bundled ``resources/lexicon/policy.tsv``. User files may use their own lower-case types.

    Returns
    -------
    pandas.DataFrame
        One row per surface form, with columns

        ``term``
            the surface form;
        ``type``
            its type;
        ``entity``
            the entity label an unquoted occurrence receives (``SLOGAN``, ``PROGRAM``, ``DOCUMENT``, ``PLACE``,
            ``ORG``), missing (NaN) when the type is not an entity;
        ``canonical``
            the entry's main form (equal to ``term`` except for listed variants such as 双随机一公开);
        ``ambiguous``
            True when the string has a common other reading (十五, 三公): use it in quotes or context only;
        ``note``
            free-text note (may be empty);
        ``line``
            the line of the file the entry comes from.

        The table is read once and cached; each call returns a copy.

    Raises
    ------
    ResourceError
        The file is missing or malformed (the message names the file and line): wrong number of fields,
        unknown type, duplicate term, missing header or version line.
    ParameterError
        ``types`` names a type that is not in the lexicon's vocabulary.

    Examples
    --------
    >>> from policytext.lexicon import load_lexicon
    >>> slogans = load_lexicon(types="slogan")
    >>> {"一网通办", "最多跑一次", "枫桥经验"} <= set(slogans["term"])
    True
    >>> load_lexicon().query("term == '双随机一公开'")[["type", "canonical"]].values.tolist()
    [['slogan', '双随机、一公开']]
    """
    p = Path(path) if path is not None else _default_lexicon_path()
    df, _ = _lexicon_table(p)
    if types is not None:
        wanted = [types] if isinstance(types, str) else list(types)
        known = set(LEXICON_TYPES) | set(df["type"].unique())
        unknown = [t for t in wanted if t not in known]
        if unknown:
            raise ParameterError(
                f"types must be lexicon types ({', '.join(sorted(known))}); got unknown {unknown!r}."
            )
        df = df[df["type"].isin(wanted)]
    return df.reset_index(drop=True).copy()


def lexicon_version(path: str | os.PathLike[str] | None = None) -> str:
    """Return the version string of the policy lexicon (its ``# version:`` line).

    >>> from policytext.lexicon import lexicon_version
    >>> isinstance(lexicon_version(), str)
    True
    """
    p = Path(path) if path is not None else _default_lexicon_path()
    return _lexicon_table(p)[1]


# --------------------------------------------------------------------------------------------- stopwords


def available_stopwords() -> list[str]:
    """Names of the bundled stopword lists.

    >>> from policytext.lexicon import available_stopwords
    >>> {"general", "policy"} <= set(available_stopwords())
    True
    """
    return sorted(p.stem for p in _resource_dir("stopwords").glob("*.txt"))


def _stopword_file(name: str) -> Path:
    if os.sep in name or "/" in name or name.endswith(".txt"):
        return Path(name)
    p = _resource_dir("stopwords", f"{name}.txt")
    if not p.exists():
        raise ParameterError(
            f"name must be a bundled stopword list ({', '.join(available_stopwords())}) or a path to a "
            f"one-word-per-line file; got {name!r}."
        )
    return p


def _read_stopwords(path: Path, stack: tuple[str, ...]) -> frozenset[str]:
    text = _read_text(path, "stopword list")
    words: set[str] = set()
    first: dict[str, int] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _INCLUDE_RE.match(line)
            if m:
                for inc in m.group(1).replace(",", " ").split():
                    if inc in stack:
                        raise ResourceError(f"{path}, line {lineno}: include cycle through {inc!r}.")
                    inc_path = _stopword_file(inc) if "/" not in inc else path.parent / inc
                    words |= _read_stopwords(inc_path, stack + (inc,))
            continue
        if len(line.split()) != 1:
            raise ResourceError(
                f"{path}, line {lineno}: expected one word per line; got {line!r}. Put each word on its own line."
            )
        if line in first:
            raise ResourceError(
                f"{path}, line {lineno}: duplicate stopword {line!r} (first on line {first[line]}); remove one."
            )
        first[line] = lineno
        words.add(line)
    return frozenset(words)


def load_stopwords(name: str = "policy") -> frozenset[str]:
    """Load a stopword list for term statistics.

    Parameters
    ----------
    name : str, default "policy"
        A bundled list (see :func:`available_stopwords`):

        ``general``
            function words, pronouns, conjunctions, auxiliaries, particles and other high-frequency words that
            carry no topic (的, 了, 和, 以及, 我们 ...);
        ``policy``
            ``general`` plus the boilerplate verbs, adverbs and intensifiers of Chinese policy documents
            (坚持, 推进, 加强, 进一步, 全面, 深入, 积极, 不断 ...);

        or the path of a UTF-8 file with one word per line (``#`` comments; ``# include: general`` pulls in a
        bundled list).

    Returns
    -------
    frozenset of str
        Cached; the same object is returned on every call.

    Raises
    ------
    ParameterError
        ``name`` is neither a bundled list nor a file path.
    ResourceError
        The file is missing or malformed (more than one word on a line, a duplicate word).

    Examples
    --------
    >>> from policytext.lexicon import load_stopwords
    >>> sw = load_stopwords()
    >>> "坚持" in sw and "的" in sw and "法治" not in sw
    True
    >>> "坚持" in load_stopwords("general")
    False
    """
    if not isinstance(name, (str, os.PathLike)):
        raise ParameterError(f"name must be a stopword list name or a file path; got {type(name).__name__}.")
    name = os.fspath(name)
    path = _stopword_file(name)
    stat = path.stat() if path.exists() else None
    key = (str(path.resolve()), stat.st_mtime_ns if stat else None)
    with _LOCK:
        hit = _STOPWORD_CACHE.get(key)
    if hit is not None:
        return hit
    words = _read_stopwords(path, (path.stem,))
    with _LOCK:
        _STOPWORD_CACHE[key] = words
    return words


# -------------------------------------------------------------------------------------------- user words


class UserWord(NamedTuple):
    """One entry of a user word list.

    ``type`` is the second column when given (a lexicon type, a POS tag or an entity label such as ``PLACE``,
    depending on the consumer), else None; ``freq`` the optional jieba-style frequency, else None.
    """

    term: str
    type: str | None = None
    freq: int | None = None


def parse_user_words(
    lines: Iterable[str],
    source: str = "<user words>",
    allowed_types: Iterable[str] | None = None,
) -> list[UserWord]:
    """Parse user word-list lines (see :func:`load_user_words`); ``source`` names the input in error messages.

    Examples
    --------
    >>> from policytext.lexicon import parse_user_words
    >>> parse_user_words(["# towns", "大竹园镇 PLACE", "枫桥经验", "就近办\\t5\\tslogan"])
    [UserWord(term='大竹园镇', type='PLACE', freq=None), UserWord(term='枫桥经验', type=None, freq=None), \
UserWord(term='就近办', type='slogan', freq=5)]
    """
    if isinstance(lines, str):
        lines = lines.splitlines()
    allowed = None if allowed_types is None else set(allowed_types)
    out: list[UserWord] = []
    first: dict[str, int] = {}
    for lineno, raw in enumerate(lines, start=1):
        where = f"{source}, line {lineno}"
        line = raw.rstrip("\r\n")
        if lineno == 1:
            line = line.lstrip("\ufeff")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        # inline comment: whitespace followed by '#'
        line = re.split(r"\s+#", line, maxsplit=1)[0]
        fields = [f.strip() for f in line.split("\t")] if "\t" in line else line.split()
        fields = [f for f in fields if f] if "\t" not in line else fields
        if not fields or not fields[0]:
            raise ResourceError(f"{where}: expected a term at the start of the line; got {raw!r}.")
        if len(fields) > 3 or any(not f for f in fields):
            raise ResourceError(
                f"{where}: expected 'term', 'term TYPE' or 'term FREQ TYPE'; got {len(fields)} fields in "
                f"{raw!r}. Separate a term containing spaces from its type with a tab."
            )
        term, type_, freq = fields[0], None, None
        rest = fields[1:]
        if rest and re.fullmatch(r"\d+", rest[0]):
            freq = int(rest.pop(0))
        if len(rest) == 1:
            type_ = rest[0]
        elif rest:
            raise ResourceError(
                f"{where}: expected 'term FREQ TYPE' with an integer frequency; got {raw!r}."
            )
        if allowed is not None and type_ is not None and type_ not in allowed:
            raise ResourceError(
                f"{where}: type {type_!r} of {term!r} is not one of {', '.join(sorted(allowed))}."
            )
        if term in first:
            raise ResourceError(
                f"{where}: duplicate term {term!r} (first on line {first[term]}); keep one line per term."
            )
        first[term] = lineno
        out.append(UserWord(term, type_, freq))
    return out


def load_user_words(
    path: str | os.PathLike[str], allowed_types: Iterable[str] | None = None
) -> list[UserWord]:
    """Read a user word list: one entry per line, the format shared by tokenizer dictionaries and entity lists.

    Format (UTF-8, a byte-order mark is tolerated):

    * ``term`` -- a word;
    * ``term TYPE`` -- a word and its type, entity label or POS tag (``大竹园镇 PLACE``, ``就近办 slogan``);
    * ``term FREQ TYPE`` or ``term FREQ`` -- jieba's user-dictionary layout; ``FREQ`` is an integer;
    * fields are separated by a tab, or by spaces when the line has no tab (use tabs when a term contains spaces);
    * blank lines and lines starting with ``#`` are ignored; `` # ...`` after an entry is a comment.

    Parameters
    ----------
    path : str or path-like
        The file.
    allowed_types : iterable of str, optional
        When given, a type outside this set is an error (for example the entity labels an EntityTagger knows).

    Returns
    -------
    list of UserWord
        ``(term, type, freq)`` named tuples in file order; ``pandas.DataFrame(words)`` makes a table of them.

    Raises
    ------
    ResourceError
        The file is missing, not UTF-8, or has a malformed line, a duplicate term or a type outside
        ``allowed_types``; the message names the file and line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from policytext.lexicon import load_user_words
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "words.txt"
    >>> _ = p.write_text("# 汉滨区\\n大竹园镇 PLACE\\n八点半帮您办\\n", encoding="utf-8")
    >>> [(w.term, w.type) for w in load_user_words(p)]
    [('大竹园镇', 'PLACE'), ('八点半帮您办', None)]
    """
    p = Path(path)
    return parse_user_words(_read_text(p, "user word list").splitlines(), source=str(p), allowed_types=allowed_types)
