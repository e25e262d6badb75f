"""The entity tagger: runs every recognizer over a text and keeps the non-overlapping winners."""

from __future__ import annotations

import functools
import math
import operator
import os
import re
import threading
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import accumulate, compress, repeat
from typing import TYPE_CHECKING, Any

from ..errors import InputError, ParameterError
from ..perf import paused_gc
from ._match import DictMatcher
from ._resources import canonical_form, lexicon_index
from ._span import Span, resolve
from ._text import normalize
from .document import find_documents
from .metric import find_dates, find_metrics, indicator, metric_fields
from .org import find_orgs
from .program import find_programs
from .quoted import find_quoted

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["COLUMNS", "LABELS", "EntityTagger", "tag_entities"]

#: Entity labels, in the order of spec/entities.md (DATE is tagged but not part of the evaluation).
LABELS: tuple[str, ...] = ("PLACE", "ORG", "PROGRAM", "SLOGAN", "DOCUMENT", "METRIC", "DATE")

#: Label-specific columns of every entity table, after ``start, end, label, text``.
ATTR_COLUMNS: tuple[str, ...] = (
    "canonical", "level", "adcode", "parent", "value", "unit", "is_percent", "indicator",
)
#: Fields of an entity row (EntityTagger._rows).
ROW_FIELDS: tuple[str, ...] = ("start", "end", "label", "text") + ATTR_COLUMNS
# label -> indices of the ROW_FIELDS its entity dicts carry, in order (the last METRIC one: the indicator)
_LABEL_FIELDS = {
    **dict.fromkeys(("SLOGAN", "PROGRAM", "DOCUMENT"), (4,)),
    "PLACE": (4, 5, 6, 7),
    "METRIC": (8, 9, 10, 11),
}
_BATCH = 20_000  # sentences matched at once by tag_sentences
_STR_FIELDS = frozenset({"canonical", "level", "unit", "indicator"})  # always a str or None
#: Columns of :meth:`EntityTagger.tag_sentences` and :meth:`EntityTagger.tag_corpus`.
COLUMNS: tuple[str, ...] = ("doc_id", "sent_id", "start", "end", "sent_start", "sent_end", "label", "text") + ATTR_COLUMNS

_DIGIT = re.compile(r"[0-9]")
_DOC_HINT = re.compile(r"《|》|条例|法")  # alternatives starting with a literal: scanned at C speed
_QUOTE_HINT = re.compile("[“”‘’「」『』\"']")
_CLAUSE_MARKS = re.compile("[，。、；;：:？?！!]")  # never inside a word of rjieba (see _Boundaries)
_CONNECTORS = {"和", "及", "与", "、", "或", "至", "到", "-", "—", "~", "－", "～"}
_COUNTERS = set("个座所家项支批名户处间套台辆条")
_FOUND_HINT = re.compile(r"成立|设立|组建|挂牌|筹建|新设")
_PROGRAM_HINT = re.compile(r"工程|行动|攻坚战|保卫战|专项斗争|计划|项目|热线")
# which recognizers can find something in a text: (digits, document, quotation, founding, programme)
_HINTS = (_DIGIT, _DOC_HINT, _QUOTE_HINT, _FOUND_HINT, _PROGRAM_HINT)
_BLOCK_TYPES = {"doctrine", "honor", "period", "event"}
_UNQUOTED_TYPES = {"slogan": "SLOGAN", "program": "PROGRAM"}
_LOCK = threading.Lock()
_DEFAULT: dict[tuple, EntityTagger] = {}


def _check_labels(labels: Iterable[str] | str | None) -> tuple[str, ...]:
    if labels is None:
        return LABELS
    if isinstance(labels, str):
        labels = [x.strip() for x in labels.split(",") if x.strip()]
    out = []
    for lab in labels:
        if not isinstance(lab, str) or lab.upper() not in LABELS:
            raise ParameterError(f"labels must be among {', '.join(LABELS)}; got {lab!r}.")
        out.append(lab.upper())
    if not out:
        raise ParameterError(f"labels must name at least one of {', '.join(LABELS)}; got an empty list.")
    return tuple(dict.fromkeys(out))


def _read_user_entities(user_entities: Any) -> dict[str, str]:
    """Normalize the ``user_entities`` argument to ``{term: LABEL}``."""
    if user_entities is None:
        return {}
    from ..lexicon import load_user_words, parse_user_words

    allowed = set(LABELS) | {lab.lower() for lab in LABELS}
    if isinstance(user_entities, (str, os.PathLike)):
        words = load_user_words(user_entities, allowed_types=allowed)
        pairs = [(w.term, w.type) for w in words]
        source = str(user_entities)
    elif isinstance(user_entities, Mapping):
        pairs = list(user_entities.items())
        source = "user_entities"
    else:
        items = list(user_entities)
        if all(isinstance(x, str) for x in items):
            words = parse_user_words(items, source="user_entities", allowed_types=allowed)
            pairs = [(w.term, w.type) for w in words]
        else:
            pairs = []
            for x in items:
                if isinstance(x, (tuple, list)) and len(x) >= 2:
                    pairs.append((x[0], x[-1] if len(x) == 2 else x[1]))
                else:
                    raise InputError(
                        "user_entities must be a file path, a {term: label} mapping, lines 'term LABEL' or "
                        f"(term, label) pairs; got an item {x!r}."
                    )
        source = "user_entities"
    out: dict[str, str] = {}
    for term, label in pairs:
        if not isinstance(term, str) or not term.strip():
            raise InputError(f"{source}: expected a non-empty term; got {term!r}.")
        if label is None:
            raise InputError(
                f"{source}: the entry {term!r} has no label; write it as '{term} LABEL' with LABEL one of "
                f"{', '.join(LABELS)}."
            )
        if not isinstance(label, str) or label.upper() not in LABELS:
            raise InputError(f"{source}: label of {term!r} must be one of {', '.join(LABELS)}; got {label!r}.")
        out[term.strip()] = label.upper()
    return out


class EntityTagger:
    """Tag places, organizations, programmes, slogans, document titles, metrics and dates in policy text.

    The labels and their boundary rules are those of ``spec/entities.md``: PLACE, ORG, PROGRAM, SLOGAN,
    DOCUMENT and METRIC, plus DATE (tagged so that years are never METRIC; not part of the evaluation).
    Recognition is rule-based: gazetteer and lexicon matching, quotation-mark and 《》 patterns, head nouns and
    number grammars, all driven by data files in ``policytext/resources/entities/``. Spans never overlap: where
    candidates overlap the longer one wins.

    Parameters
    ----------
    labels : str or iterable of str, optional
        Labels to return (``"PLACE,ORG"`` or ``["PLACE", "ORG"]``); default all of :data:`LABELS`. All labels
        are still recognized internally, so boundaries do not change with this choice.
    user_entities : path, mapping or iterable, optional
        Your own entity list: a file in the user word-list format (one entry per line, ``term LABEL``, see
        :func:`policytext.lexicon.load_user_words`), a ``{term: label}`` mapping, or ``(term, label)`` pairs.
        A user entry wins over built-in candidates of the same length.
    villages : bool, default False
        Also match village and community names inside a document's own county (needs the full gazetteer,
        ``load_gazetteer(villages=True)``, which takes several seconds to load the first time).
    gazetteer : policytext.gazetteer.Gazetteer, optional
        The gazetteer to use; default :func:`policytext.gazetteer.load_gazetteer`.
    indicators : bool, default True
        Compute the ``indicator`` of each METRIC.

    Notes
    -----
    Output tables have one row per entity with columns

    ``doc_id, sent_id`` (sentence and corpus tables only)
        where the entity is;
    ``start, end``
        character offsets, end exclusive: into the text passed to :meth:`tag`, into the *document* text for
        :meth:`tag_sentences` (when the sentence table has a ``start`` column) and :meth:`tag_corpus`, so that
        ``doc.text[start:end] == text``;
    ``sent_start, sent_end`` (sentence and corpus tables only)
        the same offsets relative to the sentence;
    ``label, text``
        the label and the exact surface string;
    ``canonical``
        SLOGAN, PROGRAM and DOCUMENT: the name without quotation marks and with normalized spacing and
        full-width forms (the lexicon's main form when the phrase is a lexicon entry), so that counts across
        documents add up; PLACE: the full name of the division when it is resolved (汉滨 -> 汉滨区); else empty;
    ``level, adcode, parent``
        PLACE only: the gazetteer level (province, city, county-district, township, village-community, zone,
        or ``geo`` for rivers, regions and countries), the division code and the code of the parent division.
        The document's region decides between divisions of the same name (大河镇); ``adcode`` and ``parent`` are
        empty when the place stays ambiguous (``level`` is kept when all candidates share it). Townships have
        no code in the gazetteer: their ``parent`` is the county code;
    ``value, unit, is_percent, indicator``
        METRIC only: the number as a float with 万/亿 applied (20.56万件 -> 205600.0), the unit without the
        multiplier (件; "" for a bare number), whether it is a percentage, and the phrase it measures
        (全年办理行政审批服务事项20.56万件 -> 办理行政审批服务事项).

    Examples
    --------
    >>> from policytext import EntityTagger
    >>> tagger = EntityTagger()
    >>> df = tagger.tag("全年办理行政审批服务事项20.56万件，深入推进“放管服”改革。", region="汉滨区")
    >>> df[["text", "label", "value", "canonical"]].values.tolist()
    [['20.56万件', 'METRIC', 205600.0, None], ['放管服', 'SLOGAN', nan, '放管服']]
    >>> tagger.tag("确定大竹园镇和大河镇为改革试点镇", region="汉滨区")[["text", "level", "parent"]].values.tolist()
    [['大竹园镇', 'township', '610902'], ['大河镇', 'township', '610902']]
    """

    def __init__(
        self,
        labels: Iterable[str] | str | None = None,
        user_entities: Any = None,
        *,
        villages: bool = False,
        gazetteer: Any = None,
        indicators: bool = True,
    ) -> None:
        self.labels = _check_labels(labels)
        self.user_entities = user_entities
        self.villages = bool(villages)
        self.gazetteer = gazetteer
        self.indicators = bool(indicators)
        self._user = _read_user_entities(user_entities)
        self._places: Any = None
        self._combined: DictMatcher | None = None
        self._laws: dict[str, str] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        args = []
        if self.labels != LABELS:
            args.append(f"labels={list(self.labels)!r}")
        if self.user_entities is not None:
            args.append(f"user_entities=<{len(self._user)} entries>")
        if self.villages:
            args.append("villages=True")
        return f"EntityTagger({', '.join(args)})"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_places"] = None
        state["_combined"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ----------------------------------------------------------------------------------- resources

    def _place_index(self) -> Any:
        if self._places is None:
            with self._lock:
                if self._places is None:
                    from .place import PlaceIndex

                    gaz = self.gazetteer
                    if gaz is None:
                        from ..gazetteer import load_gazetteer

                        gaz = load_gazetteer(villages=self.villages)
                    user_places = [t for t, lab in self._user.items() if lab == "PLACE"]
                    self._places = PlaceIndex(gaz, villages=self.villages, user_places=user_places)
        return self._places

    def _combined_matcher(self) -> DictMatcher:
        """One matcher over every dictionary (places, bodies, lexicon, user entries): one pass per text.

        Payload: ``(place payload or None, body kind or None, lexicon payload or None, user label or None,
        law canonical form or None)``."""
        if self._combined is None:
            from .org import body_matcher

            places = self._place_index()
            lex = self._lexicon_entries()
            bodies = body_matcher().entries
            laws = self._laws
            combined: dict[str, tuple] = {}
            for form in set(places.payload) | set(bodies) | set(lex) | set(self._user) | set(laws):
                combined[form] = (places.payload.get(form), bodies.get(form), lex.get(form), self._user.get(form),
                                  laws.get(form))
            self._combined = DictMatcher(combined)
        return self._combined

    def _lexicon_entries(self) -> dict[str, tuple[str | None, str]]:
        """Unquoted lexicon matches: slogans and programmes as entities, doctrines, honours, periods and events as
        blockers (label None); law titles go to the DOCUMENT recognizer (``self._laws``)."""
        entries: dict[str, tuple[str | None, str]] = {}
        laws: dict[str, str] = {}
        for term, entry in lexicon_index().items():
            if entry.type in _BLOCK_TYPES:
                entries[term] = (None, entry.canonical)
            elif entry.type in _UNQUOTED_TYPES and not entry.ambiguous:
                entries[term] = (_UNQUOTED_TYPES[entry.type], entry.canonical)
            elif entry.type == "law":
                laws[term] = entry.canonical
        self._laws = laws
        return entries

    # ----------------------------------------------------------------------------------- core

    def _spans(self, text: str, region: str | None = None, norm: str | None = None,
               found: list | None = None, hints: tuple[bool, ...] | None = None) -> list[Span]:
        """Resolved spans (all labels) of one text; ``norm`` is ``normalize(text)``, ``found`` the
        combined matcher's ``find_all(norm)`` and ``hints`` which :data:`_HINTS` occur in ``norm`` when the
        caller has computed them for many texts at once."""
        if not text:
            return []
        if norm is None:
            norm = normalize(text)
        places = self._place_index()
        scope = places.scope(region)
        if found is None:
            found = self._combined_matcher().find_all(norm)
        place_m = body_m = lex_m = user_m = law_m = ()  # (most sentences match no dictionary entry)
        if found:
            place_m, body_m, lex_m, user_m, law_m = [], [], [], [], []
        for s, e, (pl, body, lx, user, law) in found:
            if pl is not None:
                place_m.append((s, e, pl))
            if body is not None:
                body_m.append((s, e, body))
            if lx is not None:
                lex_m.append((s, e, lx))
            if user is not None:
                user_m.append((s, e, user))
            if law is not None:
                law_m.append((s, e))
        if hints is None:
            hints = tuple(rx.search(norm) is not None for rx in _HINTS)
        if not found and not any(hints) and not places.may_find_unmatched(norm, scope):
            return []  # no recognizer can find anything (about half of all sentences)
        digit, doc, quote, founding, programme = hints
        cands: list[Span] = []
        if digit:
            cands += find_dates(norm)
            cands += find_metrics(norm)
        if doc:
            cands += find_documents(norm, self._laws, law_matches=law_m)
        if quote:
            cands += find_quoted(norm, is_place=lambda x: x in places.forms or x in places.geo)
        bounds = _Boundaries(norm)
        place_spans = places.find(norm, scope, tokens=bounds, matches=place_m)
        cands += place_spans
        if body_m or place_spans or founding:
            cands += find_orgs(norm, place_spans, bodies=body_m, boundaries=bounds)
        if programme:
            cands += find_programs(norm, place_spans)
        counted = {sp.end for sp in cands if sp.label == "METRIC" and norm[sp.end - 1] in _COUNTERS} if lex_m else ()
        for s, e, (label, canonical) in lex_m:
            if label and s in counted:
                continue  # 建成810个农家书屋: facilities being counted, not the programme's name
            cands.append(Span(s, e, label, 1 if label else 0, {"canonical": canonical} if label else None))
        for s, e, label in user_m:
            attrs: dict[str, Any] | None = None
            if label == "PLACE":
                attrs = dict(places.resolve(norm[s:e], scope))
            elif label in ("SLOGAN", "PROGRAM"):
                attrs = {"canonical": canonical_form(norm[s:e])}
            cands.append(Span(s, e, label, 10, attrs))
        return resolve(cands) if cands else []

    def _rows(self, text: str, region: str | None = None, norm: str | None = None,
              found: list | None = None, hints: tuple[bool, ...] | None = None) -> list[tuple]:
        """Entity rows of one text: the values of :data:`ROW_FIELDS` (None where a field does not apply)."""
        spans = self._spans(text, region, norm, found, hints)
        out: list[tuple] = []
        prev_end = 0
        last_metric: tuple[int, str] | None = None
        for sp in spans:
            label, start, end = sp.label, sp.start, sp.end
            surface = text[start:end]
            canonical = level = adcode = parent = value = unit = is_percent = ind = None
            attrs = sp.attrs or {}
            if label in ("SLOGAN", "PROGRAM", "DOCUMENT"):
                canonical = attrs.get("canonical") or canonical_form(surface)
            elif label == "PLACE":
                canonical = attrs.get("canonical")
                level = attrs.get("level")
                adcode = attrs.get("adcode")
                parent = attrs.get("parent")
            elif label == "METRIC":
                value, unit, is_percent = metric_fields(surface)
                if self.indicators:
                    between = text[last_metric[0] : start] if last_metric else None
                    if last_metric and between is not None and between.strip() in _CONNECTORS:
                        ind = last_metric[1]  # 分别达到8家和30家: the same indicator
                    else:
                        ind = indicator(text, start, end, unit, floor=prev_end)
                    last_metric = (end, ind)
            prev_end = end
            if label in self.labels:
                out.append((start, end, label, surface, canonical, level, adcode, parent, value, unit, is_percent, ind))
        return out

    def _records(self, text: str, region: str | None = None) -> list[dict[str, Any]]:
        """Entity dicts of one text: ``start, end, label, text`` and the label-specific keys that apply."""
        keys = dict(_LABEL_FIELDS)
        if not self.indicators:
            keys["METRIC"] = keys["METRIC"][:-1]
        out = []
        for row in self._rows(text, region):
            rec = dict(zip(ROW_FIELDS[:4], row))
            for k in keys.get(row[2], ()):
                rec[ROW_FIELDS[k]] = row[k]
            out.append(rec)
        return out

    def entities(self, text: str, region: str | None = None) -> list[dict[str, Any]]:
        """The entities of ``text`` as a list of dicts (the rows :meth:`tag` returns, without empty keys).

        >>> EntityTagger(labels="METRIC").entities("增长2.1个百分点")
        [{'start': 2, 'end': 9, 'label': 'METRIC', 'text': '2.1个百分点', 'value': 2.1, 'unit': '个百分点', \
'is_percent': False, 'indicator': '增长'}]
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str; got {type(text).__name__}.")
        return self._records(text, region)

    # ----------------------------------------------------------------------------------- tables

    def tag(self, text: str, region: str | None = None) -> pd.DataFrame:
        """Tag one text.

        Parameters
        ----------
        text : str
            A sentence, paragraph or whole document.
        region : str, optional
            The region the text comes from (汉滨区, 陕西省安康市汉滨区): decides between places of the same name
            and allows the region's own short names (汉滨, 上城).

        Returns
        -------
        pandas.DataFrame
            Columns ``start, end, label, text`` and the label-specific columns (see the class notes); one row per
            entity, in text order; offsets are into ``text``.

        Examples
        --------
        >>> from policytext import EntityTagger
        >>> EntityTagger().tag("印发《汉滨区2023年社会信用体系建设工作要点》")[["start", "end", "label"]].values.tolist()
        [[3, 23, 'DOCUMENT']]
        """
        if not isinstance(text, str):
            raise InputError(f"text must be a str; got {type(text).__name__}. Pass one string, or use "
                             "tag_sentences() for a table of sentences.")
        return _frame(self._records(text, region), ("start", "end", "label", "text") + ATTR_COLUMNS)

    def tag_sentences(
        self,
        sentences: pd.DataFrame,
        docs: pd.DataFrame | None = None,
        region: str | None = None,
    ) -> pd.DataFrame:
        """Tag a table of sentences (``Corpus.sentences`` or ``split_sentences(text)``).

        Parameters
        ----------
        sentences : pandas.DataFrame
            Needs a ``text`` column; uses ``doc_id``, ``sent_id`` and ``start`` (the sentence's offset in its
            document) when present, and a ``region`` column when present.
        docs : pandas.DataFrame, optional
            Document metadata with ``doc_id`` and ``region`` (``Corpus.docs``): each sentence is tagged with its
            document's region.
        region : str, optional
            One region for every sentence (when neither table gives one).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`COLUMNS`: ``start, end`` relative to the document (``doc.text[start:end] == text``)
            when the sentence table has a ``start`` column, else relative to the sentence; ``sent_start,
            sent_end`` always relative to the sentence.

        Notes
        -----
        The entities of each sentence are those :meth:`tag` finds in it, but the work that does not depend on
        one sentence is done for the whole table at once (dictionary matching, the checks that skip
        recognizers, building the table), so one call for many sentences is much faster than one call per
        sentence: about a million characters per CPU-second on a whole corpus.

        Examples
        --------
        >>> import policytext as pt
        >>> sents = pt.split_sentences("一、总体情况。确定大竹园镇为试点镇。")
        >>> pt.EntityTagger().tag_sentences(sents, region="汉滨区")[["sent_id", "start", "sent_start", "text"]].values.tolist()
        [[1, 9, 2, '大竹园镇']]
        """
        import numpy as np
        import pandas as pd

        if not isinstance(sentences, pd.DataFrame):
            raise InputError(f"sentences must be a pandas DataFrame with a 'text' column; got {type(sentences).__name__}.")
        if "text" not in sentences.columns:
            raise InputError(
                f"sentences must have a 'text' column; got columns {list(sentences.columns)}. Use "
                "Corpus.sentences or policytext.split_sentences(text)."
            )
        n = len(sentences)
        texts = sentences["text"].tolist()
        doc_ids = sentences["doc_id"].tolist() if "doc_id" in sentences.columns else [None] * n
        sent_ids = sentences["sent_id"].tolist() if "sent_id" in sentences.columns else list(range(n))
        offsets = sentences["start"].tolist() if "start" in sentences.columns else [0] * n
        if "region" in sentences.columns:
            regions = sentences["region"].tolist()
        elif docs is not None and "region" in docs.columns and "doc_id" in docs.columns:
            reg = dict(zip(docs["doc_id"].tolist(), docs["region"].tolist()))
            regions = [reg.get(d, region) for d in doc_ids]
        else:
            regions = [region] * n
        keep = list(map(isinstance, texts, repeat(str)))
        if not all(keep):  # skip missing texts, refuse other non-strings
            for text, doc_id, sent_id in zip(texts, doc_ids, sent_ids):
                if not (isinstance(text, str) or text is None or (isinstance(text, float) and math.isnan(text))):
                    raise InputError(
                        f"sentence {sent_id!r} of document {doc_id!r}: text must be a str; got {text!r}."
                    )
            texts, doc_ids, sent_ids, offsets, regions = (
                list(compress(col, keep)) for col in (texts, doc_ids, sent_ids, offsets, regions)
            )
        start_type = sentences["start"].dtype if "start" in sentences.columns else None
        if not (isinstance(start_type, np.dtype) and start_type.kind in "iu"):  # else: Python ints already
            offsets = [int(off) if off is not None and not (isinstance(off, float) and math.isnan(off)) else 0
                       for off in offsets]
        regions = [reg if isinstance(reg, str) else region for reg in regions]
        # (text, doc_id, sent_id, offset, region) of the sentences to tag
        todo = list(zip(texts, doc_ids, sent_ids, offsets, regions))
        rows: list[tuple] = []  # the entity rows of all sentences, in order
        counts: list[int] = []  # how many of them each sentence has
        matcher = self._combined_matcher()
        places = self._place_index()
        with paused_gc():
            for k in range(0, len(todo), _BATCH):  # batches: the matches of a batch are used while in cache
                batch = todo[k : k + _BATCH]
                norms = [normalize(item[0]) for item in batch]
                found_all = matcher.find_all_many(norms)
                for (text, _d, _s, _o, reg), norm, found, hints in zip(batch, norms, found_all, _batch_hints(norms)):
                    if not found and not any(hints) and not places.may_find_unmatched(norm, places.scope(reg)):
                        counts.append(0)  # the shortcut of _spans, without the calls
                        continue
                    found_rows = self._rows(text, reg, norm, found, hints)
                    rows += found_rows
                    counts.append(len(found_rows))
            return _sentence_frame(rows, counts, todo)

    def tag_corpus(self, corpus: Any) -> pd.DataFrame:
        """Tag every sentence of a :class:`policytext.Corpus`, using each document's region.

        Returns the table of :meth:`tag_sentences`; ``start, end`` index the document text.
        """
        sentences = getattr(corpus, "sentences", None)
        docs = getattr(corpus, "docs", None)
        if sentences is None or docs is None:
            raise InputError(
                f"corpus must be a policytext Corpus (with .docs and .sentences); got {type(corpus).__name__}. "
                "Load one with policytext.load_corpus(path)."
            )
        return self.tag_sentences(sentences, docs=docs)

    __call__ = tag


class _Boundaries:
    """Word boundaries of a text from rjieba, computed on first use (most sentences never need them), one
    clause at a time.

    rjieba (jieba-rs) segments each run of Chinese characters, letters and digits on its own, and every
    punctuation mark in :data:`_CLAUSE_MARKS` is a word by itself; so the words of the text between two such marks
    are those rjieba finds in the whole text there, and :meth:`contains` segments only the clause around an offset.
    """

    __slots__ = ("_clauses", "_marks", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._marks: list[int] | None = None  # offsets of the clause marks
        self._clauses: dict[int, set[int]] = {}  # clause start -> word boundaries inside the clause

    def contains(self, pos: int) -> bool:
        """Whether ``pos`` is a word boundary of the text."""
        text = self.text
        if pos <= 0 or pos >= len(text):
            return pos == 0 or pos == len(text)
        if self._marks is None:
            self._marks = [m.start() for m in _CLAUSE_MARKS.finditer(text)]
        marks = self._marks
        k = bisect_left(marks, pos)  # first mark at or after pos
        if k < len(marks) and marks[k] == pos or k and marks[k - 1] == pos - 1:
            return True  # before or after a mark
        start = marks[k - 1] + 1 if k else 0
        bounds = self._clauses.get(start)
        if bounds is None:
            import rjieba

            end = marks[k] if k < len(marks) else len(text)
            # the offsets between rjieba's words (cut gives the words of tokenize, without building offsets)
            bounds = set(accumulate(map(len, rjieba.cut(text[start:end])), initial=start))
            self._clauses[start] = bounds
        return pos in bounds

    def __call__(self, _text: str | None = None) -> set[int]:
        """All word boundaries of the text."""
        import rjieba

        out = {0, len(self.text)}
        out.update(accumulate(map(len, rjieba.cut(self.text))))
        return out


def _batch_hints(norms: list[str]) -> list[tuple[bool, ...]]:
    """``tuple(rx.search(norm) is not None for rx in _HINTS)`` for each text, from one scan per hint of the
    joined texts (no hint pattern matches the joining character)."""
    import numpy as np

    joined = "\x00".join(norms)
    starts = np.cumsum([0] + [len(t) + 1 for t in norms[:-1]], dtype=np.int64)
    flags = []
    for rx in _HINTS:
        if rx is _DIGIT:  # digits are many: find them with numpy
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            where = np.flatnonzero((codes >= 48) & (codes <= 57))
        else:
            where = np.array([m.start() for m in rx.finditer(joined)], dtype=np.int64)
        hit = np.zeros(len(norms), dtype=bool)
        hit[np.searchsorted(starts, where, side="right") - 1] = True
        flags.append(hit.tolist())
    return list(zip(*flags))


def _sentence_frame(rows: list[tuple], counts: list[int], todo: list[tuple]) -> pd.DataFrame:
    """The :data:`COLUMNS` table of the entity rows of many sentences; ``counts[k]`` rows belong to the
    sentence ``todo[k] = (text, doc_id, sent_id, offset, region)``.

    Builds each column with the type :func:`_frame_types` gives it: for a short document (the pipeline tags one
    at a time) the pandas conversions would cost as much as the tagging."""
    import numpy as np
    import pandas as pd

    if not rows:
        return _empty_frame()
    owner = np.repeat(np.arange(len(counts)), counts)
    offsets = np.array([item[3] for item in todo], dtype=np.int64)[owner]
    owner = owner.tolist()
    fields = {name: list(map(operator.itemgetter(i), rows)) for i, name in enumerate(ROW_FIELDS)}
    starts = np.array(fields["start"], dtype=np.int64)
    ends = np.array(fields["end"], dtype=np.int64)
    index = pd.RangeIndex(len(rows))
    sent_ids = [todo[k][2] for k in owner]
    columns: dict[str, Any] = {
        "doc_id": [todo[k][1] for k in owner],
        # _frame_types makes integer sentence ids int64
        "sent_id": np.array(sent_ids, dtype=np.int64) if all(type(x) is int for x in sent_ids) else sent_ids,
        "start": starts + offsets,
        "end": ends + offsets,
        "sent_start": starts,
        "sent_end": ends,
        "label": fields["label"],
        "text": fields["text"],
    }
    for c in ("canonical", "level", "adcode", "parent"):
        columns[c] = _object_column(fields[c], c in _STR_FIELDS, index)
    columns["value"] = np.array(fields["value"], dtype=np.float64)  # None -> NaN
    columns["unit"] = _object_column(fields["unit"], True, index)
    columns["is_percent"] = pd.array(fields["is_percent"], dtype="boolean")
    columns["indicator"] = _object_column(fields["indicator"], True, index)
    df = pd.DataFrame(columns, index=index)
    if df["sent_id"].dtype != np.int64 and df["sent_id"].notna().all():
        try:
            df["sent_id"] = df["sent_id"].astype("int64")
        except (TypeError, ValueError):
            pass
    return df


def _object_column(values: list, strings: bool, index: Any) -> Any:
    """An object column with None for missing values, as :func:`_frame_types` makes it."""
    import numpy as np
    import pandas as pd

    if strings or all(type(x) is str or x is None for x in values):
        return pd.Series(np.array(values, dtype=object), index=index, dtype=object)
    col = pd.Series(values, index=index)  # e.g. numeric codes of a custom gazetteer
    return col.astype(object).where(col.notna(), None)


@functools.cache
def _empty_template() -> pd.DataFrame:
    return _frame([], COLUMNS)


def _empty_frame() -> pd.DataFrame:
    """An empty :data:`COLUMNS` table (a copy of one built once)."""
    return _empty_template().copy()


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame.from_records(rows, columns=list(columns)) if rows else pd.DataFrame(columns=list(columns))
    return _frame_types(df)


def _frame_types(df: pd.DataFrame) -> pd.DataFrame:
    """The column types of every entity table."""
    for c in ("start", "end", "sent_start", "sent_end"):
        if c in df.columns:
            df[c] = df[c].astype("int64")
    if "sent_id" in df.columns and len(df) and df["sent_id"].notna().all():
        try:
            df["sent_id"] = df["sent_id"].astype("int64")
        except (TypeError, ValueError):
            pass
    if "value" in df.columns:
        df["value"] = df["value"].astype("float64")
    if "is_percent" in df.columns:
        df["is_percent"] = df["is_percent"].astype("boolean")
    for c in ("canonical", "level", "adcode", "parent", "unit", "indicator"):
        if c in df.columns:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df


def tag_entities(
    data: Any,
    labels: Iterable[str] | str | None = None,
    region: str | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Tag entities in a string, a sentence table or a Corpus with a default :class:`EntityTagger`.

    Parameters
    ----------
    data : str, pandas.DataFrame or Corpus
        What to tag: dispatches to :meth:`EntityTagger.tag`, :meth:`~EntityTagger.tag_sentences` or
        :meth:`~EntityTagger.tag_corpus`.
    labels : str or iterable of str, optional
        Labels to return; default all.
    region : str, optional
        Region of a string or of every sentence.
    **kwargs
        Other :class:`EntityTagger` parameters (``user_entities``, ``villages``).

    Examples
    --------
    >>> from policytext import tag_entities
    >>> tag_entities("群众回访满意率达到96.1%")[["text", "indicator"]].values.tolist()
    [['96.1%', '群众回访满意率']]
    """
    import pandas as pd

    key = (None if labels is None else _check_labels(labels),) + tuple(sorted(kwargs.items(), key=lambda kv: kv[0]))
    try:
        hash(key)
        cacheable = True
    except TypeError:
        cacheable = False
    tagger = None
    if cacheable:
        with _LOCK:
            tagger = _DEFAULT.get(key)
    if tagger is None:
        tagger = EntityTagger(labels=labels, **kwargs)
        if cacheable:
            with _LOCK:
                _DEFAULT[key] = tagger
    if isinstance(data, str):
        return tagger.tag(data, region=region)
    if isinstance(data, pd.DataFrame):
        return tagger.tag_sentences(data, region=region)
    if hasattr(data, "sentences") and hasattr(data, "docs"):
        return tagger.tag_corpus(data)
    raise InputError(
        f"data must be a str, a sentence DataFrame or a policytext Corpus; got {type(data).__name__}."
    )
