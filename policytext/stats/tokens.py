"""Tokenize a whole corpus once and keep the tokens as flat arrays: the input of every count in ``stats``.

:func:`tokenize_corpus` runs a :class:`policytext.Tokenizer` over every document and returns a
:class:`TokenTable`: token type ids, start/end character offsets and part-of-speech tags in NumPy arrays
(about 13 bytes per token instead of ~150 for a list of :class:`~policytext.Token` tuples). Results are cached
per tokenizer configuration and per document text, so a second call, a sub-corpus (``corpus.filter(...)``) or
another statistic on the same corpus does not tokenize again.

Multiword terms of the policy lexicon and user dictionaries are counted as single terms:
:meth:`TokenTable.merge_terms` joins adjacent tokens whose concatenation is such a term (the default tokenizer
already keeps lexicon terms whole; other tokenizers, or terms added later, need the merge).

Examples
--------
>>> import policytext as pt
>>> from policytext.stats import tokenize_corpus
>>> corpus = pt.Corpus.from_texts(["深化放管服改革，优化营商环境。"])
>>> tokens = tokenize_corpus(corpus)
>>> tokens.words(0)
['深化', '放管服', '改革', '，', '优化', '营商环境', '。']
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ParameterError
from ._common import as_corpus, doc_text_list

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from ..corpus import Corpus

__all__ = ["TokenTable", "clear_token_cache", "is_number", "is_punctuation", "lexicon_terms", "tokenize_corpus"]


# ================================================================================================ the token table


class TokenTable:
    """The tokens of every document of a corpus, as flat NumPy arrays.

    Token ``k`` of the whole table is ``vocab[ids[k]]``, found at ``text[starts[k]:ends[k]]`` of document
    ``doc_index[k]``; the tokens of document ``i`` are ``indptr[i]:indptr[i + 1]``.

    Attributes
    ----------
    vocab : numpy.ndarray of object
        Token type strings; ``ids`` index into it. It may hold types that do not occur in this table (the
        vocabulary is shared by every table made with the same tokenizer).
    ids, starts, ends : numpy.ndarray of int32
        Type id and character offsets of every token, document after document.
    pos : numpy.ndarray of int16 or None
        Index into ``pos_tags`` of every token's part-of-speech tag; None when the tokenizer gives no tags.
    pos_tags : list of str
        The tag strings (``""`` for a token without a tag).
    indptr : numpy.ndarray of int64
        ``n_docs + 1`` offsets of each document's tokens.
    docs : pandas.DataFrame
        The corpus documents (metadata and ``text``), one row per document, aligned with ``indptr``.
    merged : tuple of str
        The multiword terms :meth:`merge_terms` joined (empty for a table straight from the tokenizer).

    Examples
    --------
    >>> import policytext as pt
    >>> from policytext.stats import tokenize_corpus
    >>> tokens = tokenize_corpus(pt.Corpus.from_texts(["依法行政。", "建设法治政府。"]))
    >>> len(tokens), tokens.n_tokens
    (2, 5)
    >>> tokens.to_frame()[["doc_id", "token", "start", "end"]].values.tolist()[:3]
    [['0', '依法行政', 0, 4], ['0', '。', 4, 5], ['1', '建设', 0, 2]]
    """

    def __init__(
        self,
        vocab: np.ndarray,
        ids: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        pos: np.ndarray | None,
        pos_tags: Sequence[str],
        indptr: np.ndarray,
        docs: pd.DataFrame,
        *,
        tokenizer_key: Any = None,
        merged: tuple[str, ...] = (),
    ) -> None:
        self.vocab = vocab
        self.ids = ids
        self.starts = starts
        self.ends = ends
        self.pos = pos
        self.pos_tags = list(pos_tags)
        self.indptr = indptr
        self.docs = docs
        self.tokenizer_key = tokenizer_key
        self.merged = merged
        self._merge_cache: dict[Any, TokenTable] = {}
        #: documents tokenized for this table and documents read from the disk cache (see tokenize_corpus)
        self.load_stats = {"computed": 0, "cached": 0}

    # -- basic protocol
    def __len__(self) -> int:
        return len(self.indptr) - 1

    def __repr__(self) -> str:
        return f"<TokenTable: {len(self)} documents, {self.n_tokens:,} tokens, {len(self.vocab):,} types>"

    @property
    def n_tokens(self) -> int:
        """Number of tokens in the table."""
        return int(self.indptr[-1])

    @property
    def doc_ids(self) -> list[str]:
        """Document ids, aligned with ``indptr``."""
        return self.docs["doc_id"].tolist()

    @property
    def doc_index(self) -> np.ndarray:
        """Row (document position) of every token."""
        import numpy as np

        return np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.indptr))

    @property
    def lengths(self) -> np.ndarray:
        """Number of tokens of each document."""
        import numpy as np

        return np.diff(self.indptr)

    def words(self, doc: int | str) -> list[str]:
        """The token strings of one document (by position or ``doc_id``)."""
        i = self._doc_position(doc)
        return self.vocab[self.ids[self.indptr[i] : self.indptr[i + 1]]].tolist()

    def _doc_position(self, doc: int | str) -> int:
        if isinstance(doc, str):
            hits = (self.docs["doc_id"] == doc).to_numpy().nonzero()[0]
            if not len(hits):
                raise KeyError(f"no document with doc_id {doc!r}")
            return int(hits[0])
        if not -len(self) <= doc < len(self):
            raise IndexError(f"document position {doc} out of range for {len(self)} documents")
        return int(doc) % len(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per token: ``doc_id, token_id, token, start, end, pos``.

        ``token_id`` numbers the tokens of each document from 0; ``docs.text[start:end] == token``.
        """
        import numpy as np
        import pandas as pd

        doc_index = self.doc_index
        token_id = np.arange(self.n_tokens, dtype=np.int64) - np.repeat(self.indptr[:-1], self.lengths)
        frame = pd.DataFrame(
            {
                "doc_id": np.asarray(self.doc_ids, dtype=object)[doc_index],
                "token_id": token_id,
                "token": self.vocab[self.ids],
                "start": self.starts.astype(np.int64),
                "end": self.ends.astype(np.int64),
            }
        )
        tags = np.asarray(self.pos_tags + [""], dtype=object)
        frame["pos"] = tags[self.pos] if self.pos is not None else None
        return frame

    def subset(self, positions: Sequence[int] | np.ndarray) -> TokenTable:
        """The table of the documents at ``positions`` (in that order)."""
        import numpy as np

        positions = np.asarray(positions, dtype=np.int64)
        lengths = self.lengths[positions]
        indptr = np.zeros(len(positions) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        take = _ranges(self.indptr[positions], lengths)
        return TokenTable(
            self.vocab,
            self.ids[take],
            self.starts[take],
            self.ends[take],
            None if self.pos is None else self.pos[take],
            self.pos_tags,
            indptr,
            self.docs.iloc[positions].reset_index(drop=True),
            tokenizer_key=self.tokenizer_key,
            merged=self.merged,
        )

    # -- multiword terms
    def merge_terms(self, terms: Iterable[str], *, pos: str = "nz") -> TokenTable:
        """Join adjacent tokens whose concatenation is one of ``terms`` into one token.

        Tokens are joined only when they touch (no whitespace between them) and belong to the same document;
        at every position the longest term wins, and matches are taken left to right without overlap. Terms
        that are already single tokens are unaffected.

        Parameters
        ----------
        terms : iterable of str
            Multiword terms (policy lexicon entries, user dictionary words).
        pos : str, default "nz"
            Part-of-speech tag of a joined token.

        Returns
        -------
        TokenTable
            A new table (this one is unchanged); cached, so asking again for the same terms is free.

        Examples
        --------
        >>> import policytext as pt
        >>> from policytext.stats import tokenize_corpus
        >>> tokens = tokenize_corpus(pt.Corpus.from_texts(["推进基层治理现代化。"]))
        >>> tokens.words(0)
        ['推进', '基层治理', '现代化', '。']
        >>> tokens.merge_terms(["基层治理现代化"]).words(0)
        ['推进', '基层治理现代化', '。']
        """
        import numpy as np

        term_set = frozenset(t for t in terms if isinstance(t, str) and len(t) > 1)
        key = (term_set, pos)
        hit = self._merge_cache.get(key)
        if hit is not None:
            return hit
        if not term_set or self.n_tokens < 2:
            return self
        starts, lengths, strings = _find_multiword(self, term_set)
        if not len(starts):
            result = self
        else:
            store = _store_for(self.tokenizer_key)
            if store is not None:
                with store.lock:
                    new_ids = np.fromiter((store.word_id(s) for s in strings), dtype=np.int32, count=len(strings))
                    vocab = store.vocab_array()
            else:
                index = {w: i for i, w in enumerate(self.vocab.tolist())}
                extra: list[str] = []
                ids_list = []
                for s in strings:
                    j = index.get(s)
                    if j is None:
                        j = index[s] = len(index)
                        extra.append(s)
                    ids_list.append(j)
                new_ids = np.asarray(ids_list, dtype=np.int32)
                vocab = np.concatenate([self.vocab, np.asarray(extra, dtype=object)]) if extra else self.vocab
            keep = np.ones(self.n_tokens, dtype=bool)
            keep[_ranges(starts + 1, lengths - 1)] = False
            # position of each match in the new arrays: minus the tokens folded into earlier matches
            folded = lengths - 1
            before = np.zeros(len(starts), dtype=np.int64)
            np.cumsum(folded[:-1], out=before[1:])
            at = starts - before
            new_ids_arr = self.ids[keep]
            new_ids_arr[at] = new_ids
            new_ends = self.ends[keep]
            new_ends[at] = self.ends[starts + lengths - 1]
            pos_arr = None
            pos_tags = list(self.pos_tags)
            if self.pos is not None:
                if pos not in pos_tags:
                    pos_tags.append(pos)
                pos_arr = self.pos[keep]
                pos_arr[at] = pos_tags.index(pos)
            # document offsets: minus the tokens folded in each document
            doc_of = np.searchsorted(self.indptr, starts, side="right") - 1
            per_doc = np.bincount(doc_of, weights=folded, minlength=len(self)).astype(np.int64)
            indptr = self.indptr.copy()
            indptr[1:] -= np.cumsum(per_doc)
            result = TokenTable(
                vocab,
                new_ids_arr,
                self.starts[keep],
                new_ends,
                pos_arr,
                pos_tags,
                indptr,
                self.docs,
                tokenizer_key=self.tokenizer_key,
                merged=tuple(sorted(set(self.merged) | term_set)),
            )
        if len(self._merge_cache) >= 4:
            self._merge_cache.pop(next(iter(self._merge_cache)))
        self._merge_cache[key] = result
        return result


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, s + n)`` for every (s, n), vectorised."""
    import numpy as np

    starts = np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    nz = lengths > 0
    starts, lengths = starts[nz], lengths[nz]
    offsets = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    out = np.ones(total, dtype=np.int64)
    out[0] = starts[0]
    out[offsets[1:]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(out)


def _find_multiword(table: TokenTable, terms: frozenset[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Positions, token counts and strings of the non-overlapping multiword matches (longest first)."""
    import numpy as np
    import pandas as pd

    prefixes = {t[:k] for t in terms for k in range(1, len(t))}
    vocab = table.vocab
    is_prefix = np.fromiter((w in prefixes for w in vocab.tolist()), dtype=bool, count=len(vocab))
    n = table.n_tokens
    joinable = np.zeros(n, dtype=bool)  # token k can be joined with token k + 1
    joinable[:-1] = table.ends[:-1] == table.starts[1:]
    joinable[table.indptr[1:] - 1] = False  # never across documents
    alive = np.flatnonzero(is_prefix[table.ids] & joinable)
    # state of every live candidate: index into ``states`` (the string joined so far); strings are built and
    # looked up once per distinct (state, next type) pair, not once per position
    states = vocab
    state = table.ids[alive].astype(np.int64)
    found_start: list[np.ndarray] = []
    found_len: list[np.ndarray] = []
    found_str: list[np.ndarray] = []
    k = 1
    max_len = max(len(t) for t in terms)
    n_types = np.int64(len(vocab))
    while alive.size and k < max_len:
        nxt = alive + k
        keys = state * n_types + table.ids[nxt]
        inverse, uniq = pd.factorize(keys)  # hashing: faster than np.unique's sort
        joined = [states[s] + vocab[t] for s, t in zip((uniq // n_types).tolist(), (uniq % n_types).tolist())]
        u_hit = np.fromiter((s in terms for s in joined), dtype=bool, count=len(joined))
        u_go = np.fromiter((s in prefixes for s in joined), dtype=bool, count=len(joined))
        states = np.asarray(joined, dtype=object)
        hit = u_hit[inverse]
        if hit.any():
            found_start.append(alive[hit])
            found_len.append(np.full(int(hit.sum()), k + 1, dtype=np.int64))
            found_str.append(states[inverse[hit]])
        go = u_go[inverse] & joinable[nxt]
        alive, state = alive[go], inverse[go].astype(np.int64)
        k += 1
    if not found_start:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    starts = np.concatenate(found_start)
    lengths = np.concatenate(found_len)
    strings_arr = np.concatenate(found_str)
    order = np.lexsort((-lengths, starts))  # by start, longest first
    starts, lengths, strings_arr = starts[order], lengths[order], strings_arr[order]
    keep = np.zeros(len(starts), dtype=bool)
    reach = -1
    for i, (s, ln) in enumerate(zip(starts.tolist(), lengths.tolist())):  # matches only, not tokens
        if s > reach:
            keep[i] = True
            reach = s + ln - 1
    return starts[keep], lengths[keep], strings_arr[keep].tolist()


# ================================================================================================ token classes


def is_punctuation(word: str) -> bool:
    """True when every character of ``word`` is punctuation or a symbol (Unicode categories P* and S*).

    >>> is_punctuation("，"), is_punctuation("——"), is_punctuation("GDP")
    (True, True, False)
    """
    return bool(word) and all(unicodedata.category(ch)[0] in "PS" for ch in word)


_NUMBER = re.compile(
    r"[-+−]?(?:第)?[0-9０-９零〇○一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟]+"
    r"(?:[.．·,，:：/][0-9０-９]+)*[%％‰]?[万亿]*(?:余|多)?"
)


def is_number(word: str) -> bool:
    """True for a number token: Arabic, full-width or Chinese numerals with decimal marks, %, 万/亿.

    Dates such as ``2023年`` and words that merely contain a numeral (``一些``, ``三农``) are not numbers.

    >>> [is_number(w) for w in ["20.56万", "100%", "三", "十四", "2023年", "一些", "①"]]
    [True, True, True, True, False, False, True]
    """
    if _NUMBER.fullmatch(word):
        return True
    return bool(word) and all(unicodedata.category(ch)[0] == "N" for ch in word)


# ================================================================================================ lexicon terms

_LEX_LOCK = threading.Lock()
_LEX_TERMS: dict[str, frozenset[str]] = {}


def lexicon_terms(compounds: bool = False) -> frozenset[str]:
    """The multiword terms of the policy lexicon counted as single terms by default.

    Entries flagged ``ambiguous`` are left out. Unless ``compounds`` is True, so are entries made of two or more
    other lexicon terms (新时代枫桥经验 = 新时代 + 枫桥经验; 碳达峰、碳中和) — the rule the default tokenizer follows,
    so that every part stays countable.

    >>> "营商环境" in lexicon_terms(), "放管服" in lexicon_terms()
    (True, True)
    """
    key = "all" if compounds else "plain"
    with _LEX_LOCK:
        hit = _LEX_TERMS.get(key)
    if hit is not None:
        return hit
    from ..lexicon import load_lexicon

    lex = load_lexicon()
    words = {str(t) for t, amb in zip(lex["term"], lex["ambiguous"]) if not bool(amb)}
    if not compounds:
        words = {w for w in words if not _is_compound(w, words)}
    out = frozenset(words)
    with _LEX_LOCK:
        _LEX_TERMS[key] = out
    return out


def _is_compound(word: str, parts: set[str]) -> bool:
    if "、" in word:
        pieces = [p for p in word.split("、") if p]
        if pieces and all(p in parts for p in pieces):
            return True
    n = len(word)
    if n < 4:
        return False
    reach = [False] * (n + 1)
    reach[0] = True
    for i in range(n):
        if reach[i]:
            for k in range(i + 2, n + 1):
                if not reach[k] and (i, k) != (0, n) and word[i:k] in parts:
                    reach[k] = True
    return reach[n]


# ================================================================================================ the cache


class _Store:
    """Per-tokenizer cache: a growing vocabulary and the token arrays of every document seen."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer  # keeps id()-based keys valid
        self.words: list[str] = []
        self.index: dict[str, int] = {}
        self.tags: list[str] = []
        self.tag_index: dict[str, int] = {}
        self.docs: dict[tuple, tuple] = {}
        self.tables: dict[tuple, TokenTable] = {}
        self._vocab_arr: np.ndarray | None = None
        self.lock = threading.Lock()

    def word_id(self, w: str) -> int:
        j = self.index.get(w)
        if j is None:
            j = self.index[w] = len(self.words)
            self.words.append(w)
            self._vocab_arr = None
        return j

    def map_words(self, uniq: Sequence[str]) -> np.ndarray:
        import numpy as np

        return np.fromiter((self.word_id(w) for w in uniq), dtype=np.int32, count=len(uniq))

    def map_tags(self, uniq: Sequence[str]) -> np.ndarray:
        import numpy as np

        out = np.empty(len(uniq), dtype=np.int16)
        for i, t in enumerate(uniq):
            j = self.tag_index.get(t)
            if j is None:
                j = self.tag_index[t] = len(self.tags)
                self.tags.append(t)
            out[i] = j
        return out

    def vocab_array(self) -> np.ndarray:
        import numpy as np

        if self._vocab_arr is None or len(self._vocab_arr) != len(self.words):
            self._vocab_arr = np.asarray(self.words, dtype=object)
        return self._vocab_arr


_CACHE_LOCK = threading.Lock()
_CACHE: dict[Any, _Store] = {}
_DEFAULT_TOKENIZER: Any = None


def clear_token_cache() -> None:
    """Forget every tokenized document (frees the memory :func:`tokenize_corpus` keeps for reuse)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _store_for(key: Any) -> _Store | None:
    with _CACHE_LOCK:
        return _CACHE.get(key)


def _default_tokenizer() -> Any:
    global _DEFAULT_TOKENIZER
    if _DEFAULT_TOKENIZER is None:
        from ..tokenize import Tokenizer

        _DEFAULT_TOKENIZER = Tokenizer()
    return _DEFAULT_TOKENIZER


def _tokenizer_key(tok: Any) -> Any:
    inner = getattr(tok, "_key", None)
    try:
        base = inner() if callable(inner) else None
        hash(base)
    except Exception:  # noqa: BLE001 - any tokenizer without a usable configuration key
        base = None
    if base is None:
        return (type(tok).__qualname__, id(tok))
    extra = tuple(getattr(tok, name, None) for name in ("keep_quoted", "max_quoted", "pos"))
    return (type(tok).__qualname__, base, extra)


# ================================================================================================ tokenizing


def _doc_tokens(tok: Any, text: str) -> list[tuple]:
    """``(word, start, end, pos)`` tuples of one text, from a Tokenizer or any callable giving words."""
    if hasattr(tok, "tokenize"):
        return tok.tokenize(text)
    words = tok(text)
    out = []
    pos = 0
    for w in words:
        if not isinstance(w, str):
            raise InputError(f"tokenizer returned {type(w).__name__} items; expected str words or Token tuples.")
        if not w or w.isspace():
            continue
        i = text.find(w, pos)
        if i < 0:
            raise InputError(
                f"tokenizer returned {w!r}, which is not in the text after offset {pos}; a tokenizer must "
                "return the text's own characters in order. Use policytext.Tokenizer or a custom object with a "
                ".tokenize(text) method returning Token(text, start, end, pos) tuples."
            )
        out.append((w, i, i + len(w), None))
        pos = i + len(w)
    return out


def _encode_batch(tok: Any, texts: Sequence[str]) -> tuple:
    """Tokenize texts; return local vocabularies and flat arrays (compact to send between processes)."""
    import numpy as np
    import pandas as pd

    from ..perf import paused_gc

    words: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    tags: list[Any] = []
    lengths = []
    with paused_gc():
        for text in texts:
            toks = _doc_tokens(tok, text)
            lengths.append(len(toks))
            if toks:
                if len(toks[0]) == 4:  # Token tuples: transpose directly
                    w, s, e, p = zip(*toks)
                else:
                    w, s, e, p = zip(*((t[0], t[1], t[2], t[3] if len(t) > 3 else None) for t in toks))
                words.extend(w)
                starts.extend(s)
                ends.extend(e)
                tags.extend(p)
    codes, uniq = pd.factorize(np.asarray(words, dtype=object)) if words else (np.zeros(0, np.int64), [])
    tag_arr = np.asarray(["" if t is None else t for t in tags], dtype=object)
    tcodes, tuniq = pd.factorize(tag_arr) if len(tag_arr) else (np.zeros(0, np.int64), [])
    return (
        list(uniq),
        codes.astype(np.int32),
        np.asarray(starts, dtype=np.int32),
        np.asarray(ends, dtype=np.int32),
        list(tuniq),
        tcodes.astype(np.int16),
        np.asarray(lengths, dtype=np.int64),
        any(t is not None for t in tags),
    )


_WORKER_TOK: Any = None


def _init_worker(tok: Any) -> None:
    global _WORKER_TOK
    _WORKER_TOK = tok


def _work(texts: Sequence[str]) -> tuple:
    return _encode_batch(_WORKER_TOK, texts)


class _DiskTokens:
    """The on-disk side of the token cache: one Parquet row per token, keyed by document text."""

    STAGE = "tokens"

    def __init__(self, cache: Any, tok: Any) -> None:
        self.cache = cache
        self.fp = None
        config = _disk_config(tok)
        if config is not None:
            self.fp = cache.register(self.STAGE, config)

    def load(self, store: _Store, texts: list[str], keys: list[tuple]) -> int:
        """Put the cached tokens of these documents into ``store``; return how many were found."""
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        from ..cache import content_key

        if self.fp is None:
            return 0
        ckeys = [content_key(t) for t in texts]
        table = self.cache.get_arrow(self.STAGE, self.fp, ckeys)
        if table is None or table.num_rows == 0:
            return 0

        def codes_and_values(column):
            col = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
            if not pa.types.is_dictionary(col.type):
                col = pc.dictionary_encode(col)
            return col.indices.to_numpy(zero_copy_only=False), col.dictionary.to_pylist()

        dk_codes, dk_values = codes_and_values(table["doc_key"])
        w_codes, w_values = codes_and_values(table["token"])
        gids = store.map_words(w_values)[w_codes]
        starts = table["start"].to_numpy().astype(np.int32)
        ends = table["end"].to_numpy().astype(np.int32)
        gtags = None
        if table["pos"].null_count < table.num_rows:
            t_codes, t_values = codes_and_values(table["pos"].fill_null(""))
            gtags = store.map_tags(t_values)[t_codes]
        # rows are grouped by document (as written): boundaries where the key changes
        change = np.flatnonzero(np.diff(dk_codes)) + 1
        bounds = np.concatenate([[0], change, [len(dk_codes)]])
        spans = {dk_values[dk_codes[a]]: (a, b) for a, b in zip(bounds[:-1], bounds[1:])}
        found = 0
        for ck, key in zip(ckeys, keys):
            span = spans.get(ck)
            if span is None:
                continue
            a, b = span
            store.docs[key] = (gids[a:b], starts[a:b], ends[a:b], None if gtags is None else gtags[a:b])
            found += 1
        return found

    def missing(self, texts: list[str]) -> list[int]:
        """Positions of the texts whose tokens are not on disk."""
        from ..cache import content_key

        if self.fp is None:
            return []
        present = self.cache.keys(self.STAGE, self.fp)
        return [i for i, t in enumerate(texts) if content_key(t) not in present]

    def save(self, store: _Store, texts: list[str], keys: list[tuple]) -> None:
        """Write the tokens of these documents (already in ``store``) as one Parquet part."""
        import numpy as np
        import pyarrow as pa

        from ..cache import content_key

        if self.fp is None or not texts:
            return
        ckeys, parts, seen = [], [], set()
        for text, key in zip(texts, keys):
            ck = content_key(text)
            if ck not in seen and key in store.docs:
                seen.add(ck)
                ckeys.append(ck)
                parts.append(store.docs[key])
        if not parts:
            return
        lengths = np.array([len(p[0]) for p in parts], dtype=np.int64)
        ids = np.concatenate([p[0] for p in parts]).astype(np.int32)
        vocab = store.vocab_array()
        seen_ids = np.zeros(len(vocab), dtype=bool)  # the vocabulary these documents use, in O(tokens)
        seen_ids[ids] = True
        used = np.flatnonzero(seen_ids)
        remap = np.zeros(len(vocab), dtype=np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        local = remap[ids]
        table = {
            "doc_key": pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(np.arange(len(parts), dtype=np.int32), lengths)), pa.array(ckeys, pa.string())),
            "token": pa.DictionaryArray.from_arrays(pa.array(local.astype(np.int32)),
                                                    pa.array(vocab[used].tolist(), pa.string())),
            "start": pa.array(np.concatenate([p[1] for p in parts]).astype(np.int32)),
            "end": pa.array(np.concatenate([p[2] for p in parts]).astype(np.int32)),
        }
        if all(p[3] is not None for p in parts):
            tags = np.concatenate([p[3] for p in parts]).astype(np.int32)
            table["pos"] = pa.DictionaryArray.from_arrays(pa.array(tags), pa.array(list(store.tags), pa.string()))
        else:
            table["pos"] = pa.nulls(len(ids), pa.dictionary(pa.int32(), pa.string()))
        # (a document without any token has no row and is simply tokenized again next time)
        self.cache.put_arrow(self.STAGE, self.fp, pa.table(table))


def _disk_config(tok: Any) -> dict | None:
    """What the tokens depend on besides the text; None for tokenizers that cannot be fingerprinted."""
    from ..cache import _code_fingerprint, _package_version, resource_fingerprint

    key = _tokenizer_key(tok)
    if len(key) != 3:  # an id()-based key: no stable configuration
        return None
    return {
        "tokenizer": repr(key),
        "code": _code_fingerprint("tokenize", "stats/tokens"),
        "resources": resource_fingerprint("segmenter", "lexicon"),
        "versions": {pkg: _package_version(pkg) for pkg in ("rjieba", "jieba", "snownlp", "jionlp", "hanlp")},
    }


def tokenize_corpus(
    corpus: Corpus | pd.DataFrame,
    tokenizer: Any = None,
    *,
    n_jobs: int = 1,
    batch_size: int = 16,
    cache: bool = True,
    progress: bool = False,
    disk_cache: Any = None,
    executor: Any = None,
) -> TokenTable:
    """Tokenize every document of a corpus (or reuse the cached tokens) into a :class:`TokenTable`.

    Parameters
    ----------
    corpus : Corpus or pandas.DataFrame
        The documents (a DataFrame needs ``doc_id`` and ``text``).
    tokenizer : Tokenizer, optional
        A :class:`policytext.Tokenizer` (default: ``Tokenizer()``, the embedded segmenter with the policy lexicon
        and the gazetteer), or any object with a ``tokenize(text)`` method giving ``(text, start, end, pos)``
        tuples, or a callable giving a list of words (``jieba.lcut``; offsets are then found in the text).
    n_jobs : int, default 1
        Worker processes (``-1``: every CPU). Results are identical to ``n_jobs=1``.
    batch_size : int, default 16
        Documents sent to a worker at a time.
    cache : bool, default True
        Keep the tokens of every document (keyed by tokenizer configuration, ``doc_id`` and text) for the rest
        of the session, so later calls — on the same corpus or on a sub-corpus — do not tokenize again; the
        same corpus gives back the same table (with its multiword joins already done). :func:`clear_token_cache`
        frees them.
    progress : bool, default False
        Show a tqdm progress bar over documents.
    disk_cache : AnnotationCache, optional
        Also keep the tokens on disk (:class:`policytext.cache.AnnotationCache`), keyed by each document's text
        and by the tokenizer's configuration and resources, so a later session does not tokenize again
        (:func:`policytext.annotate` passes its cache here). Only for :class:`policytext.Tokenizer`.
    executor : callable, optional
        ``executor(func, payloads, shared=tokenizer)`` returning the results in order, used instead of the
        built-in process pool (the pipeline passes its Dask or process runner).

    Returns
    -------
    TokenTable
        Its ``load_stats`` attribute counts the documents ``computed`` now and those ``cached`` (tokenized
        earlier in this session, or read from the disk cache).

    Raises
    ------
    InputError
        ``corpus`` is not a corpus, or the tokenizer returns strings that are not in the text.
    ParameterError
        ``n_jobs`` or ``batch_size`` is not a positive integer.

    Examples
    --------
    >>> import policytext as pt
    >>> from policytext.stats import tokenize_corpus
    >>> corpus = pt.Corpus.from_texts(["全面推进依法行政。", "建设法治政府。"])
    >>> tokens = tokenize_corpus(corpus)
    >>> tokens.words(1)
    ['建设', '法治政府', '。']
    >>> tokenize_corpus(corpus) .n_tokens == tokens.n_tokens   # second call: from the cache
    True
    """
    import numpy as np

    corpus = as_corpus(corpus)
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
        raise ParameterError(f"n_jobs must be a positive integer or -1 (all CPUs); got {n_jobs!r}.")
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise ParameterError(f"batch_size must be a positive integer; got {batch_size!r}.")
    tok = _default_tokenizer() if tokenizer is None else tokenizer
    if not (hasattr(tok, "tokenize") or callable(tok)):
        raise ParameterError(
            f"tokenizer must be a policytext.Tokenizer, an object with .tokenize(text) or a callable returning "
            f"words; got {type(tok).__name__}."
        )
    key = _tokenizer_key(tok)
    with _CACHE_LOCK:
        store = _CACHE.get(key) if cache else None
        if store is None:
            store = _Store(tok)
            if cache:
                _CACHE[key] = store
    docs = corpus.docs
    texts = doc_text_list(docs)
    doc_keys = [(d, len(t), hash(t)) for d, t in zip(docs["doc_id"].tolist(), texts)]
    load_stats = {"computed": 0, "cached": 0}
    with store.lock:
        todo = [i for i, k in enumerate(doc_keys) if k not in store.docs]
        load_stats["cached"] = len(doc_keys) - len(todo)  # tokenized earlier in this session
        disk = _DiskTokens(disk_cache, tok) if disk_cache is not None else None
        if disk is not None and todo:
            found = disk.load(store, [texts[i] for i in todo], [doc_keys[i] for i in todo])
            load_stats["cached"] += found
            todo = [i for i in todo if doc_keys[i] not in store.docs]
        if todo:
            _tokenize_into(store, tok, [texts[i] for i in todo], [doc_keys[i] for i in todo], n_jobs, batch_size,
                           progress, executor=executor)
            load_stats["computed"] = len(todo)
        if disk is not None:  # documents tokenized now or earlier in this session but not yet on disk
            unsaved = disk.missing(texts)
            disk.save(store, [texts[i] for i in unsaved], [doc_keys[i] for i in unsaved])
        table_key = tuple(doc_keys)
        hit = store.tables.get(table_key)
        if hit is not None and hit.docs is docs:  # same documents, same metadata table: the same object
            hit.load_stats = load_stats
            return hit
        parts = [store.docs[k] for k in doc_keys]
        vocab = store.vocab_array()
        tags = list(store.tags)
        if not cache:
            store.docs = {}
    n = len(parts)
    lengths = np.fromiter((len(p[0]) for p in parts), dtype=np.int64, count=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])

    def cat(j: int, dtype) -> np.ndarray:
        return np.concatenate([p[j] for p in parts]) if n else np.zeros(0, dtype=dtype)

    has_pos = any(p[3] is not None for p in parts)
    pos = None
    if has_pos:
        empty = tags.index("") if "" in tags else len(tags)
        pos = np.concatenate(
            [p[3] if p[3] is not None else np.full(len(p[0]), empty, dtype=np.int16) for p in parts]
        ) if n else np.zeros(0, np.int16)
        if empty == len(tags):
            tags.append("")
    ids_arr, starts_arr, ends_arr = cat(0, np.int32), cat(1, np.int32), cat(2, np.int32)
    for arr in (ids_arr, starts_arr, ends_arr, pos):
        if arr is not None:
            arr.flags.writeable = False  # shared with the cache below: never modified in place
    table = TokenTable(vocab, ids_arr, starts_arr, ends_arr, pos, tags, indptr, docs,
                       tokenizer_key=key if cache else None)
    table.load_stats = load_stats
    if cache:
        with store.lock:
            # the cache keeps views of this table's arrays instead of its own copies (half the memory)
            bounds = indptr.tolist()
            for i, k in enumerate(doc_keys):
                a, b = bounds[i], bounds[i + 1]
                store.docs[k] = (ids_arr[a:b], starts_arr[a:b], ends_arr[a:b], None if pos is None else pos[a:b])
            if len(store.tables) >= 2:  # the assembled tables of the last corpora asked for (and their merges)
                store.tables.pop(next(iter(store.tables)))
            store.tables[table_key] = table
    return table


def _tokenize_into(store: _Store, tok: Any, texts: list[str], keys: list[tuple], n_jobs: int, batch_size: int,
                   progress: bool, executor: Any = None) -> None:
    import os

    import numpy as np

    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    batches = [list(range(i, min(i + batch_size, len(texts)))) for i in range(0, len(texts), batch_size)]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(texts), unit="doc", desc="tokenize")

    def absorb(batch: list[int], result: tuple) -> None:
        uniq, codes, starts, ends, tuniq, tcodes, lengths, has_pos = result
        gids = store.map_words(uniq)[codes] if len(uniq) else np.zeros(0, np.int32)
        gtags = store.map_tags(tuniq)[tcodes] if has_pos and len(tuniq) else None
        offs = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offs[1:])
        for j, i in enumerate(batch):
            a, b = offs[j], offs[j + 1]
            store.docs[keys[i]] = (  # views of the batch arrays (never written to)
                gids[a:b],
                starts[a:b],
                ends[a:b],
                None if gtags is None else gtags[a:b],
            )
        if bar is not None:
            bar.update(len(batch))

    try:
        if executor is not None:
            if hasattr(tok, "tokenize") and texts:  # build the engine once, before it is shipped to workers
                tok.tokenize(texts[0][:10])
            results = executor(_encode_batch, [[texts[i] for i in batch] for batch in batches], shared=tok)
            for batch, result in zip(batches, results):
                absorb(batch, result)
        elif n_jobs == 1 or len(batches) < 2:
            for batch in batches:
                absorb(batch, _encode_batch(tok, [texts[i] for i in batch]))
        else:
            import multiprocessing

            if hasattr(tok, "tokenize") and texts:  # build the engine before forking: workers inherit it
                tok.tokenize(texts[0][:10])
            ctx = multiprocessing.get_context()
            with ctx.Pool(min(n_jobs, len(batches)), initializer=_init_worker, initargs=(tok,)) as pool:
                results = pool.imap(_work, ([texts[i] for i in batch] for batch in batches), chunksize=1)
                for batch, result in zip(batches, results):
                    absorb(batch, result)
    finally:
        if bar is not None:
            bar.close()


def as_tokens(data: Any, tokenizer: Any = None, n_jobs: int = 1) -> TokenTable:
    """A TokenTable from a TokenTable (as is) or a corpus (tokenized, cached)."""
    if isinstance(data, TokenTable):
        if tokenizer is not None:
            raise ParameterError(
                "tokenizer applies when the input is a corpus; got a TokenTable (already tokenized). Drop "
                "tokenizer= or pass the corpus."
            )
        return data
    return tokenize_corpus(data, tokenizer, n_jobs=n_jobs)
