"""Helpers shared by the stats modules: input coercion, grouping, glob patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    import scipy.sparse as sp

    from ..corpus import Corpus

#: Han characters (the ranges the tokenizer treats as Chinese).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df\U0002a700-\U0002ebef\U0002f800-\U0002fa1f"


def as_corpus(data: Any, name: str = "corpus") -> Corpus:
    """A :class:`~policytext.corpus.Corpus` from a Corpus or a DataFrame with ``doc_id`` and ``text``."""
    from ..corpus import Corpus, load_corpus

    if isinstance(data, Corpus):
        return data
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        if "text" not in data.columns:
            raise InputError(
                f"{name}: expected a Corpus or a DataFrame with a 'text' column; got a DataFrame with columns "
                f"{list(data.columns)[:12]}. Load documents with policytext.load_corpus(...)."
            )
        return load_corpus(data)
    raise InputError(
        f"{name}: expected a policytext Corpus (from policytext.load_corpus) or a DataFrame of documents; got "
        f"{type(data).__name__}."
    )


def as_list(value: Any, name: str) -> list:
    """``None`` -> [], a str -> [str], any other iterable -> list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise ParameterError(f"{name} must be a column name or a list of column names; got {value!r}.") from None


def check_by(docs: pd.DataFrame, by: Any, name: str = "by") -> list[str]:
    """Validate grouping columns against the document table; return them as a list."""
    cols = as_list(by, name)
    missing = [c for c in cols if c not in docs.columns]
    if missing:
        meta = [c for c in docs.columns if c not in ("text", "raw_text")]
        raise ParameterError(
            f"{name}: no document column(s) {missing}; the documents have {meta}. Add the metadata with "
            "load_corpus(..., manifest=...) or pattern=..."
        )
    if "text" in cols or "raw_text" in cols:
        raise ParameterError(f"{name}: cannot group by the document text; choose metadata columns such as 'region'.")
    return cols


def group_codes(docs: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group index of every document (``by`` values, missing values form their own group) and the group keys.

    Returns ``(codes, keys)``: ``codes[i]`` is the row of ``keys`` (one row per group, sorted, columns ``by``)
    that document ``i`` belongs to.
    """
    import numpy as np
    import pandas as pd

    n = len(docs)
    if not by:
        return np.zeros(n, dtype=np.int64), pd.DataFrame(index=range(1 if n else 0))
    codes = docs.groupby(by, dropna=False, sort=True, observed=True).ngroup().to_numpy(dtype=np.int64)
    first = np.full(codes.max() + 1 if n else 0, -1, dtype=np.int64)
    # first document of every group: the key values
    order = np.arange(n - 1, -1, -1)
    first[codes[order]] = order
    keys = docs[by].iloc[first].reset_index(drop=True)
    return codes, keys


def indicator(codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Sparse ``n_groups x n_docs`` 0/1 matrix with a 1 where document j belongs to group i (-1: no group)."""
    import numpy as np
    import scipy.sparse as sp

    codes = np.asarray(codes)
    keep = codes >= 0
    cols = np.flatnonzero(keep)
    return sp.csr_matrix(
        (np.ones(cols.size, dtype=np.float64), (codes[keep], cols)), shape=(n_groups, codes.size)
    )


def key_values(keys: pd.DataFrame, by: list[str]) -> list:
    """Group labels: the scalar value for one grouping column, a tuple for several."""
    if len(by) == 1:
        return keys[by[0]].tolist()
    return list(keys[by].itertuples(index=False, name=None))


def same_value(a: Any, b: Any) -> bool:
    """Equality that treats missing values as equal and compares years given as str or int."""
    import pandas as pd

    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    a_na = a is None or (not isinstance(a, (list, tuple)) and bool(pd.isna(a)))
    b_na = b is None or (not isinstance(b, (list, tuple)) and bool(pd.isna(b)))
    if a_na or b_na:
        return a_na and b_na
    if a == b:
        return True
    try:
        return str(a) == str(b) or float(a) == float(b)
    except (TypeError, ValueError):
        return False


# ------------------------------------------------------------------------------------------------- patterns


def glob_to_regex(entry: str, wildcard_max: int = 4) -> str:
    """Translate one dictionary entry to a regular expression.

    ``*`` stands for 0 to ``wildcard_max`` Chinese characters, as few as possible (so ``营商*`` counts every
    occurrence of 营商, ``数字*政府`` matches 数字政府 and 数字化政府), ``?`` for exactly one Chinese character;
    everything else is literal. ``\\*`` and ``\\?`` are a literal star and question mark. A leading or trailing
    ``*`` matches nothing (as few characters as possible), so the match is the literal part: ``营商*`` and
    ``*改革`` count 营商 and 改革 wherever they occur.
    """
    while entry.startswith("*"):
        entry = entry[1:]
    while entry.endswith("*") and not entry.endswith("\\*"):
        entry = entry[:-1]
    out: list[str] = []
    i = 0
    while i < len(entry):
        ch = entry[i]
        if ch == "\\" and i + 1 < len(entry) and entry[i + 1] in "*?":
            out.append(re.escape(entry[i + 1]))
            i += 2
            continue
        if ch == "*":
            out.append(f"[{HAN}]{{0,{wildcard_max}}}?")
        elif ch == "?":
            out.append(f"[{HAN}]")
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def compile_entries(entries: Sequence[str], *, regex: bool = False, wildcard_max: int = 4, where: str = "pattern"):
    """One compiled regex matching any of ``entries`` (longest literal first, so matches never overlap twice)."""
    items = [e for e in entries]
    if not items:
        raise ParameterError(f"{where}: expected at least one entry; got an empty list.")
    for e in items:
        if not isinstance(e, str) or not e.strip("*? "):
            raise ParameterError(f"{where}: every entry must be a non-empty string; got {e!r}.")
    if regex:
        parts = [f"(?:{e})" for e in items]
    else:
        # longest first: at a given start the regex engine takes the first alternative that matches
        ordered = sorted(set(items), key=lambda e: (-len(e.replace("*", "")), e))
        parts = [glob_to_regex(e, wildcard_max) for e in ordered]
    try:
        return re.compile("|".join(parts))
    except re.error as exc:
        raise ParameterError(f"{where}: invalid regular expression ({exc}); got {items!r}.") from None


def doc_text_list(docs: pd.DataFrame) -> list[str]:
    """The document texts as Python strings (missing text -> empty string)."""
    return ["" if not isinstance(t, str) else t for t in docs["text"].tolist()]


def ordered_unique(values: Iterable[Any]) -> list[Any]:
    seen: dict[Any, None] = {}
    for v in values:
        seen.setdefault(v, None)
    return list(seen)


def regex_spans(rx, texts: Sequence[str]):
    """Non-empty matches of ``rx`` in every text: arrays ``(doc position, start, end)`` (int64)."""
    import numpy as np

    d_l: list[int] = []
    s_l: list[int] = []
    e_l: list[int] = []
    for i, text in enumerate(texts):
        for m in rx.finditer(text):
            if m.end() > m.start():
                d_l.append(i)
                s_l.append(m.start())
                e_l.append(m.end())
    return (np.asarray(d_l, dtype=np.int64), np.asarray(s_l, dtype=np.int64), np.asarray(e_l, dtype=np.int64))
