"""Corpus-level summaries of entity tables: counts by label and metadata, and the places each document names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..errors import InputError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["entity_counts", "places_by_document"]


def _as_list(by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _with_metadata(entities: pd.DataFrame, docs: pd.DataFrame | None, by: list[str]) -> pd.DataFrame:
    missing = [c for c in by if c not in entities.columns]
    if not missing:
        return entities
    if docs is None:
        raise InputError(
            f"by names {missing}, which the entity table does not have; pass docs= (for example corpus.docs) with "
            "a doc_id column and those metadata columns."
        )
    if "doc_id" not in entities.columns or "doc_id" not in docs.columns:
        raise InputError("entities and docs must both have a doc_id column to join metadata.")
    absent = [c for c in missing if c not in docs.columns]
    if absent:
        raise InputError(f"by names {absent}, which neither the entity table nor docs has; docs has {list(docs.columns)}.")
    meta = docs[["doc_id"] + missing].drop_duplicates("doc_id")
    return entities.merge(meta, on="doc_id", how="left")


def entity_counts(
    entities: pd.DataFrame,
    docs: pd.DataFrame | None = None,
    by: str | Sequence[str] | None = None,
    labels: str | Iterable[str] | None = None,
    per: str = "label",
) -> pd.DataFrame:
    """Count entities by label (or by entity) and by metadata columns.

    Parameters
    ----------
    entities : pandas.DataFrame
        An entity table from :meth:`EntityTagger.tag_corpus` or :meth:`~EntityTagger.tag_sentences`
        (columns ``doc_id``, ``label``, ``text`` and, for ``per="entity"``, ``canonical``).
    docs : pandas.DataFrame, optional
        Document metadata (``corpus.docs``) joined on ``doc_id`` for the ``by`` columns the entity table lacks.
    by : str or list of str, optional
        Metadata columns to group by (``["region", "year"]``); default none (corpus totals).
    labels : str or iterable of str, optional
        Keep only these labels.
    per : {"label", "entity"}, default "label"
        ``"label"`` counts mentions per label; ``"entity"`` per named entity (its ``canonical`` form when there is
        one, else its text), so that “放管服” and 放管服 add up.

    Returns
    -------
    pandas.DataFrame
        Columns ``*by, label[, entity], mentions, documents`` (number of mentions and of distinct documents),
        sorted by the ``by`` columns, then by descending ``mentions``.

    Examples
    --------
    >>> import pandas as pd
    >>> from policytext.entities import entity_counts
    >>> ents = pd.DataFrame({"doc_id": ["a", "a", "b"], "label": ["SLOGAN", "SLOGAN", "PLACE"],
    ...                      "text": ["放管服", "放、管、服", "汉滨区"], "canonical": ["放管服", "放管服", "汉滨区"]})
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "year": [2022, 2023]})
    >>> entity_counts(ents, docs, by="year").values.tolist()
    [[2022, 'SLOGAN', 2, 1], [2023, 'PLACE', 1, 1]]
    >>> entity_counts(ents, per="entity", labels="SLOGAN").values.tolist()
    [['SLOGAN', '放管服', 2, 1]]
    """
    import pandas as pd

    if not isinstance(entities, pd.DataFrame) or "label" not in entities.columns:
        raise InputError("entities must be an entity table (a DataFrame with a 'label' column) from EntityTagger.")
    if per not in ("label", "entity"):
        raise ParameterError(f"per must be 'label' or 'entity'; got {per!r}.")
    by_cols = _as_list(by)
    df = _with_metadata(entities, docs, by_cols)
    if labels is not None:
        wanted = [labels] if isinstance(labels, str) else list(labels)
        df = df[df["label"].isin([w.upper() for w in wanted])]
    keys = by_cols + ["label"]
    if per == "entity":
        name = df["text"]
        if "canonical" in df.columns:
            name = df["canonical"].where(df["canonical"].notna() & (df["canonical"].astype(object) != ""), df["text"])
        df = df.assign(entity=name)
        keys.append("entity")
    doc_col = df["doc_id"] if "doc_id" in df.columns else pd.Series(0, index=df.index)
    df = df.assign(_doc=doc_col)
    out = (
        df.groupby(keys, dropna=False, sort=False)
        .agg(mentions=("label", "size"), documents=("_doc", "nunique"))
        .reset_index()
    )
    out = out.sort_values(by_cols + ["mentions"], ascending=[True] * len(by_cols) + [False], kind="stable")
    return out.reset_index(drop=True)


def places_by_document(
    entities: pd.DataFrame,
    level: str | Iterable[str] | None = "township",
    lists: bool = False,
) -> pd.DataFrame:
    """The places each document names, at one gazetteer level (default: townships).

    Parameters
    ----------
    entities : pandas.DataFrame
        An entity table from :meth:`EntityTagger.tag_corpus` (PLACE rows with ``level``, ``canonical``,
        ``adcode``, ``parent``).
    level : str or iterable of str, optional
        Keep places of these levels (``"township"``, ``["township", "village-community"]``); None keeps all.
    lists : bool, default False
        Return one row per document with a list of place names instead of one row per (document, place).

    Returns
    -------
    pandas.DataFrame
        ``lists=False``: columns ``doc_id, place, level, parent, mentions, first_start`` (``place`` is the full
        name when the gazetteer resolved it, else the text; ``parent`` the county code when known), in order of
        first mention. ``lists=True``: columns ``doc_id, places, n_places``.

    Examples
    --------
    >>> import pandas as pd
    >>> from policytext.entities import places_by_document
    >>> ents = pd.DataFrame({"doc_id": ["a", "a", "a"], "label": ["PLACE"] * 3, "text": ["大河镇", "汉滨区", "大河镇"],
    ...     "canonical": ["大河镇", "汉滨区", "大河镇"], "level": ["township", "county-district", "township"],
    ...     "parent": ["610902", "610900", "610902"], "start": [5, 0, 9]})
    >>> places_by_document(ents).values.tolist()
    [['a', '大河镇', 'township', '610902', 2, 5]]
    >>> places_by_document(ents, lists=True).values.tolist()
    [['a', ['大河镇'], 1]]
    """
    import pandas as pd

    need = {"doc_id", "label", "text"}
    if not isinstance(entities, pd.DataFrame) or not need <= set(entities.columns):
        raise InputError(f"entities must be an entity table with columns {sorted(need)} (EntityTagger.tag_corpus).")
    df = entities[entities["label"] == "PLACE"]
    if level is not None:
        levels = [level] if isinstance(level, str) else list(level)
        if "level" not in df.columns:
            raise InputError("entities has no 'level' column; tag with EntityTagger to get PLACE levels.")
        df = df[df["level"].isin(levels)]
    name = df["text"]
    if "canonical" in df.columns:
        name = df["canonical"].where(df["canonical"].notna(), df["text"])
    df = df.assign(
        place=name,
        _start=df["start"] if "start" in df.columns else 0,
        _level=df["level"] if "level" in df.columns else None,
        _parent=df["parent"] if "parent" in df.columns else None,
    )
    out = (
        df.groupby(["doc_id", "place"], sort=False, dropna=False)
        .agg(level=("_level", "first"), parent=("_parent", "first"), mentions=("label", "size"),
             first_start=("_start", "min"))
        .reset_index()
        .sort_values(["doc_id", "first_start"], kind="stable")
        .reset_index(drop=True)
    )
    if lists:
        grouped = out.groupby("doc_id", sort=False)["place"].agg(list).reset_index(name="places")
        grouped["n_places"] = grouped["places"].str.len()
        return grouped
    return out
