"""Corpus-level helpers: classify every sentence of a corpus, aggregate theme shares for panel regressions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InputError, ParameterError

__all__ = ["classify_corpus", "theme_shares"]


def classify_corpus(corpus: Any, codebook: Any = "rule_of_law", model: Any = None, **params: Any):
    """Classify every sentence of a corpus and return its sentence table with ``theme, theme2, score``.

    Parameters
    ----------
    corpus : Corpus or DataFrame
        A :class:`~policytext.Corpus` (its ``sentences`` table is used) or a sentence DataFrame with ``text``
        (and ideally ``section_title``, ``is_heading``, ``doc_id``).
    codebook : str, path or Codebook, default "rule_of_law"
    model : ThemeClassifier, DictionaryClassifier or path, optional
        A fitted classifier or the path of a saved model. Without one, a zero-label
        :class:`ThemeClassifier` is fitted on the corpus itself.
    **params
        Parameters of the zero-label :class:`ThemeClassifier`.

    Returns
    -------
    pandas.DataFrame
        The sentence table plus ``theme`` (primary label), ``theme2`` (secondary label or None), ``score``.

    Examples
    --------
    >>> import pandas as pd
    >>> from policytext.themes import classify_corpus
    >>> sents = pd.DataFrame({"doc_id": ["a", "a"], "text": ["深化“放管服”改革。", "依法办理行政复议案件。"]})
    >>> classify_corpus(sents)[["doc_id", "theme"]].to_dict("records")
    [{'doc_id': 'a', 'theme': 'service_reform'}, {'doc_id': 'a', 'theme': 'dispute_resolution'}]
    """
    import os

    from ._classifier import ThemeClassifier, load_model

    if model is None:
        model = ThemeClassifier(codebook, **params).fit(corpus)
    elif isinstance(model, (str, os.PathLike)):
        model = load_model(model)
    elif params:
        raise ParameterError("classifier parameters are only used when no model is given; got a model and "
                             f"{sorted(params)}.")
    if not hasattr(model, "predict_frame"):
        raise ParameterError(f"model must be a fitted ThemeClassifier/DictionaryClassifier or a path; got "
                             f"{type(model).__name__}.")
    import pandas as pd

    base = corpus.sentences if hasattr(corpus, "sentences") and hasattr(corpus, "docs") else corpus
    if not isinstance(base, pd.DataFrame):
        from ._classifier import as_sentence_frame

        base = as_sentence_frame(base)
    pred = model.predict_frame(base)
    out = base.copy()
    for col in ("theme", "theme2", "score"):
        out[col] = pd.Series(pred[col].to_numpy(), index=out.index, dtype=object if col != "score" else float)
    out.attrs["theme_labels"] = [str(c) for c in model.classes_]  # theme_shares reports every label
    return out


def theme_shares(sentences: Any, docs: Any = None, by: str | Sequence[str] | None = ("region", "year"), *,
                 weight: str = "sentences", secondary: float = 0.0, labels: Sequence[str] | None = None,
                 exclude_headings: bool = False):
    """Share of each theme by groups of documents: a tidy (long) table ready for a panel regression.

    Parameters
    ----------
    sentences : DataFrame
        Sentence table with ``theme`` (from :func:`classify_corpus` or ``ThemeClassifier.transform``), and either
        the ``by`` columns themselves or a ``doc_id`` to join ``docs`` on.
    docs : DataFrame or Corpus, optional
        Document metadata (``Corpus.docs``), joined on ``doc_id`` for the ``by`` columns missing in ``sentences``.
    by : str or list of str, default ("region", "year")
        Grouping columns (any metadata: ``doc_id``, ``level``, ``province`` …). ``None`` or ``[]``: one group.
    weight : {"sentences", "chars"}, default "sentences"
        Count sentences, or weight each sentence by its length in characters.
    secondary : float, default 0.0
        Weight given to ``theme2`` (the primary keeps ``1 - secondary``); 0 ignores secondary labels.
    labels : list of str, optional
        Themes to report (default: all themes present, plus the codebook's labels when known via ``attrs``).
        Every group gets a row for every label, with 0 when absent, so panels are balanced.
    exclude_headings : bool, default False
        Drop section headings (``is_heading``) before counting.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, theme, n, total, share`` where ``n`` is the (weighted) number of sentences of the theme,
        ``total`` the group total and ``share = n / total``. One row per group × theme.

    Examples
    --------
    >>> import pandas as pd
    >>> from policytext.themes import theme_shares
    >>> s = pd.DataFrame({"doc_id": ["a", "a", "b"], "theme": ["enforcement", "other", "enforcement"]})
    >>> d = pd.DataFrame({"doc_id": ["a", "b"], "region": ["甲县", "乙县"], "year": [2022, 2022]})
    >>> theme_shares(s, d).to_dict("records")[:2]
    [{'region': '乙县', 'year': 2022, 'theme': 'enforcement', 'n': 1.0, 'total': 1.0, 'share': 1.0}, \
{'region': '乙县', 'year': 2022, 'theme': 'other', 'n': 0.0, 'total': 1.0, 'share': 0.0}]
    """
    import numpy as np
    import pandas as pd

    if not isinstance(sentences, pd.DataFrame) or "theme" not in sentences.columns:
        raise InputError("theme_shares needs the sentence table with a 'theme' column; classify first with "
                         "classify_corpus(corpus) or ThemeClassifier(...).transform(corpus).")
    if weight not in ("sentences", "chars"):
        raise ParameterError(f"weight must be 'sentences' or 'chars'; got {weight!r}.")
    if not 0 <= secondary < 1:
        raise ParameterError(f"secondary must be in [0, 1); got {secondary!r}.")
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    table = sentences
    if exclude_headings and "is_heading" in table.columns:
        table = table[~table["is_heading"].fillna(False).astype(bool)]
    missing = [c for c in by if c not in table.columns]
    if missing:
        if docs is None:
            raise InputError(f"columns {missing} are not in the sentence table; pass docs=corpus.docs (joined on "
                             "doc_id) or add them to the table.")
        meta = docs.docs if hasattr(docs, "docs") else docs
        if "doc_id" not in table.columns or "doc_id" not in meta.columns:
            raise InputError("joining document metadata needs a 'doc_id' column in both tables.")
        absent = [c for c in missing if c not in meta.columns]
        if absent:
            raise InputError(f"columns {absent} are neither in the sentence table nor in docs "
                             f"(docs has {list(meta.columns)}).")
        table = table.merge(meta[["doc_id"] + missing].drop_duplicates("doc_id"), on="doc_id", how="left",
                            validate="many_to_one")
    if weight == "chars":
        if "text" not in table.columns:
            raise InputError("weight='chars' needs the 'text' column.")
        w = table["text"].fillna("").str.len().to_numpy(dtype=float)
    else:
        w = np.ones(len(table))
    parts = [pd.DataFrame({c: table[c].to_numpy() for c in by} | {"theme": table["theme"].to_numpy(),
                                                                    "w": w * (1 - secondary)})]
    if secondary > 0 and "theme2" in table.columns:
        has2 = table["theme2"].notna().to_numpy()
        sub = table[has2]
        parts[0].loc[~has2, "w"] = w[~has2]
        parts.append(pd.DataFrame({c: sub[c].to_numpy() for c in by} | {"theme": sub["theme2"].to_numpy(),
                                                                          "w": w[has2] * secondary}))
    elif secondary > 0:
        parts[0]["w"] = w
    long = pd.concat(parts, ignore_index=True)
    if labels is None:
        known = list(getattr(sentences, "attrs", {}).get("theme_labels", []))
        labels = known + sorted(set(long["theme"].dropna().unique().tolist()) - set(known))
    labels = list(labels)
    keys = by if by else None
    if keys:
        counts = long.groupby(keys + ["theme"], dropna=False, observed=True)["w"].sum()
        totals = long.groupby(keys, dropna=False, observed=True)["w"].sum()
        groups = totals.index.to_frame(index=False)
    else:
        counts = long.groupby(["theme"])["w"].sum()
        totals = pd.Series([long["w"].sum()])
        groups = pd.DataFrame(index=[0])
    grid = groups.merge(pd.DataFrame({"theme": labels}), how="cross")
    if keys:
        c = counts.rename("n").reset_index()
        out = grid.merge(c, on=keys + ["theme"], how="left")
        t = totals.rename("total").reset_index()
        out = out.merge(t, on=keys, how="left")
    else:
        out = grid.merge(counts.rename("n").reset_index(), on="theme", how="left")
        out["total"] = float(totals.iloc[0])
    out["n"] = out["n"].fillna(0.0).astype(float)
    out["total"] = out["total"].astype(float)
    out["share"] = np.where(out["total"] > 0, out["n"] / out["total"].where(out["total"] > 0, 1), 0.0)
    sort = (keys or []) + ["theme"]
    out["theme"] = pd.Categorical(out["theme"], categories=labels)
    out = out.sort_values(sort, kind="stable").reset_index(drop=True)
    out["theme"] = out["theme"].astype(object)
    return out[(keys or []) + ["theme", "n", "total", "share"]]
