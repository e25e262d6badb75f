"""Run the per-document stages over a whole corpus: in-process, on a process pool or on Dask, with a disk cache.

:func:`annotate` takes a :class:`~policytext.Corpus` through

``structure``
    sections, enumerated points and sentences (:func:`policytext.split_document`);
``tokens``
    a :class:`~policytext.stats.TokenTable` (:func:`policytext.stats.tokenize_corpus`);
``entities``
    the entity table (:class:`policytext.EntityTagger`), each document tagged with its own region;
``themes``
    a zero-label :class:`policytext.ThemeClassifier` fitted on the corpus sentences (or a fitted model you pass),
    then ``theme, theme2, score`` for every sentence,

and returns an :class:`Annotations` with the tables. The results are identical whatever the execution:

* ``n_jobs=1``: in this process;
* ``n_jobs=N``: ``N`` worker processes, documents sent in chunks, results put back in corpus order;
* ``scheduler="dask"``: the same chunks as tasks of a Dask bag, on the current Dask client (a
  ``distributed.Client`` / ``LocalCluster`` or a cluster) — install with ``pip install "policytext[dask]"``.

With a cache (default: ``$POLICYTEXT_CACHE`` or ``~/.cache/policytext``; ``cache=False`` disables it) each
stage's output is stored per document, keyed by the document's text (and region, for entities) and by a
fingerprint of everything else the output depends on (policytext version, tokenizer backend and dictionaries,
lexicon, gazetteer, entity rules, codebook, fitted theme model). A second run on an unchanged corpus reads the
cache; changing one document recomputes that document; changing the codebook recomputes themes only.

:func:`annotate_files` processes a corpus too large for memory batch by batch and writes partitioned Parquet.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cache import (
    AnnotationCache,
    _code_fingerprint,
    _package_version,
    content_key,
    file_digest,
    fingerprint,
    resource_fingerprint,
)
from .errors import BackendNotAvailableError, InputError, ParameterError, check_choice
from .perf import release_memory

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .corpus import Corpus

__all__ = ["annotate", "annotate_files", "Annotations", "resource_fingerprint"]


# --------------------------------------------------------------------------------------------- fingerprints


def _tagger_config(tagger) -> dict:
    user = tagger.user_entities
    if isinstance(user, (str, os.PathLike)) and Path(user).is_file():
        user = file_digest(user)
    elif user is not None and not isinstance(user, (str, os.PathLike)):
        user = sorted(map(str, dict(user).items() if hasattr(user, "items") else user))
    return {
        "labels": list(tagger.labels),
        "user_entities": user,
        "villages": tagger.villages,
        "indicators": tagger.indicators,
        "gazetteer": "default" if tagger.gazetteer is None else repr(tagger.gazetteer),
        "resources": resource_fingerprint("entities", "lexicon"),
        "jionlp": _package_version("jionlp"),
        "code": _code_fingerprint("entities", "gazetteer", "lexicon"),
    }


def _structure_config(semicolons: bool) -> dict:
    return {"semicolons": semicolons, "code": _code_fingerprint("structure")}


# --------------------------------------------------------------------------------------------- execution


def _chunks(n: int, size: int) -> list[range]:
    return [range(i, min(i + size, n)) for i in range(0, n, size)]


_SHARED: Any = None


def _install_shared(shared: Any) -> None:
    """Pool initializer: keep the stage's heavy object (tagger, model) in the worker, sent once per worker."""
    global _SHARED
    _limit_threads()
    _SHARED = shared


def _call_shared(job: tuple[Callable, Any]) -> Any:
    func, payload = job
    return func(_SHARED, payload)


class _Runner:
    """Map ``func(shared, payload)`` over payloads, in order: in-process, on a process pool, or on Dask.

    ``shared`` (a tagger, a model) is sent once per worker process (pool initializer) or once per Dask graph
    (a delayed object), not with every payload.
    """

    def __init__(self, n_jobs: int = 1, scheduler: str = "processes", progress: bool = False) -> None:
        if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
            raise ParameterError(f"n_jobs must be a positive integer or -1 (all CPUs); got {n_jobs!r}.")
        check_choice("scheduler", scheduler, ("processes", "dask"))
        self.n_jobs = (os.cpu_count() or 1) if n_jobs == -1 else n_jobs
        self.scheduler = scheduler
        self.progress = progress

    @property
    def parallel(self) -> bool:
        """True when work leaves this process (a pool of several workers, or Dask)."""
        return self.scheduler == "dask" or self.n_jobs > 1

    def map(self, func: Callable, payloads: list, shared: Any = None, desc: str = "") -> list:
        if not payloads:
            return []
        bar = None
        if self.progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(payloads), desc=desc, unit="chunk", leave=False, file=sys.stderr)
        try:
            if self.scheduler == "dask":
                out = self._dask(func, payloads, shared)
                if bar is not None:
                    bar.update(len(payloads))
                return out
            if self.n_jobs == 1 or len(payloads) == 1:
                out = []
                for p in payloads:
                    out.append(func(shared, p))
                    if bar is not None:
                        bar.update(1)
                return out
            out = []
            with _worker_pool(min(self.n_jobs, len(payloads)), shared) as pool:
                for result in pool.imap(_call_shared, [(func, p) for p in payloads], chunksize=1):
                    out.append(result)
                    if bar is not None:
                        bar.update(1)
            return out
        finally:
            if bar is not None:
                bar.close()

    @staticmethod
    def _dask(func, payloads, shared):
        try:
            import dask
            import dask.bag as db
        except ImportError as exc:
            raise BackendNotAvailableError(
                'scheduler="dask" needs Dask: pip install "policytext[dask]" (dask[dataframe] and distributed).'
            ) from exc
        bag = db.from_sequence(payloads, npartitions=len(payloads))
        return list(bag.map(_dask_call, stage_func=func, shared=dask.delayed(shared, pure=True)).compute())


def _can_fork() -> bool:
    """Whether worker processes are forked (Linux): they then inherit objects instead of receiving pickles."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods() and sys.platform.startswith("linux")


@contextmanager
def _worker_pool(processes: int, shared: Any):
    """A process pool whose workers hold ``shared``; run ``func(shared, payload)`` there with
    ``pool.imap(_call_shared, [(func, payload), ...])``.

    Where workers are forked (:func:`_can_fork`) they inherit the parent's object as it is — a tagger with its
    matchers built, a fitted model, closures — at no cost; elsewhere it is pickled once per worker. Before the
    fork the parent hands its free heap pages back (:func:`~policytext.perf.release_memory`) and moves its objects
    to a permanent generation of the garbage collector: the workers' collections neither scan them nor write to
    their headers, so the pages a worker inherits stay shared (copy-on-write) instead of being copied into every
    worker.
    """
    import gc
    import multiprocessing

    global _SHARED
    release_memory()
    gc.freeze()
    try:
        if _can_fork():
            _SHARED = shared
            pool = multiprocessing.get_context("fork").Pool(processes, initializer=_limit_threads)
        else:
            pool = multiprocessing.get_context().Pool(processes, initializer=_install_shared, initargs=(shared,))
        with pool:
            yield pool
    finally:
        _SHARED = None
        gc.unfreeze()


def _dask_call(payload, stage_func, shared):
    return stage_func(shared, payload)


def _limit_threads() -> None:
    """Worker processes use one thread each (BLAS/OpenMP/torch threads would oversubscribe the cores)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    try:  # the libraries are already loaded in a forked worker: limit their pools directly
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    if "torch" in sys.modules:  # pragma: no cover - only with the HanLP backend
        sys.modules["torch"].set_num_threads(1)


# --------------------------------------------------------------------------------------------- stage workers


def _structure_chunk(semicolons, texts):
    from .perf import paused_gc
    from .structure import _rows

    with paused_gc():
        return [_rows(t, semicolons) for t in texts]


def _entity_chunk(tagger, docs):
    """Tag the sentences of some documents in one call (the tagger's batch path): ``docs`` =
    [(doc_key, text, region, sent_ids, starts, ends)]; the table's ``doc_id`` column holds the document keys."""
    import numpy as np
    import pandas as pd

    keys, texts, regions = [], [], []
    for key, text, region, sent_ids, starts, ends in docs:
        n = len(sent_ids)
        keys += [key] * n
        regions += [region if isinstance(region, str) else None] * n
        texts += [text[a:b] for a, b in zip(starts.tolist(), ends.tolist())]
    sents = pd.DataFrame({
        "doc_id": np.array(keys, dtype=object),
        "sent_id": np.concatenate([d[3] for d in docs]),
        "start": np.concatenate([d[4] for d in docs]),
        "end": np.concatenate([d[5] for d in docs]),
        "text": np.array(texts, dtype=object),
        "region": np.array(regions, dtype=object),
    })
    return tagger.tag_sentences(sents)


def _theme_chunk(shared, rows):
    """Themes of the sentences ``rows`` (a range) of the shared sentence table: the workers read the rows from the
    table they inherited instead of receiving them."""
    model, frame = shared
    pred = model.predict_frame(frame.iloc[rows.start : rows.stop])
    return pred[["theme", "theme2", "score"]]


# --------------------------------------------------------------------------------------------- annotations


@dataclass
class Annotations:
    """The tables :func:`annotate` produced, aligned with ``corpus.docs``.

    Attributes
    ----------
    corpus : Corpus
        The annotated corpus (its ``sections``/``points``/``sentences`` are the ones computed here).
    sentences : DataFrame
        ``corpus.sentences`` plus ``theme, theme2, score`` when themes were asked for.
    tokens : TokenTable or None
    entities : DataFrame or None
        :meth:`policytext.EntityTagger.tag_corpus` columns (``doc_id, sent_id, start, end, label, text`` …).
    model : ThemeClassifier or None
        The fitted theme model.
    log : DataFrame
        Per stage: documents computed, documents read from the cache, seconds.
    """

    corpus: Any
    sentences: Any
    tokens: Any = None
    entities: Any = None
    model: Any = None
    log: Any = None


def _as_cache(cache) -> AnnotationCache | None:
    if cache is False or cache is None and os.environ.get("POLICYTEXT_NO_CACHE"):
        return None
    if cache is None or cache is True:
        return AnnotationCache()
    if isinstance(cache, AnnotationCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return AnnotationCache(cache)
    raise ParameterError(f"cache must be True, False, a folder or an AnnotationCache; got {type(cache).__name__}.")


def _assemble(cached: pd.DataFrame | None, computed: pd.DataFrame | None, order: pd.DataFrame) -> pd.DataFrame:
    """Rows of every document in corpus order: ``order`` has ``doc_id, doc_key``; parts carry ``doc_key``."""
    import pandas as pd

    parts = [p for p in (cached, computed) if p is not None and len(p)]
    if not parts:
        columns = list((cached if cached is not None else computed).columns) if (cached is not None or computed
                                                                                 is not None) else ["doc_key"]
        return order[["doc_id"]].iloc[:0].join(pd.DataFrame(columns=[c for c in columns if c != "doc_key"]))
    rows = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    merged = order[["doc_id", "doc_key"]].merge(rows, on="doc_key", how="inner", sort=False)
    return merged.drop(columns="doc_key")


def _structure(corpus, runner: _Runner, cache: AnnotationCache | None, log: list, chunk_size: int):
    """Sections, points and sentences of every document (parallel, cached), installed on the corpus."""
    import pandas as pd

    from .structure import POINT_COLUMNS, SECTION_COLUMNS, SENTENCE_COLUMNS, DocumentParts, _frame

    if "_parts" in corpus.__dict__:
        log.append(("structure", 0, len(corpus), 0.0))
        return corpus._parts
    t0 = time.perf_counter()
    docs = corpus.docs
    texts = docs["text"].tolist()
    keys = _text_keys(corpus)
    order = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy(), "doc_key": keys})
    names = {"sections": SECTION_COLUMNS, "points": POINT_COLUMNS, "sentences": SENTENCE_COLUMNS}
    fp = cached_tables = None
    todo = list(dict.fromkeys(keys))
    if cache is not None:
        fp = cache.register("structure", _structure_config(corpus.semicolons))
        missing = cache.missing("structure", fp, todo)
        present = [k for k in todo if k not in missing]
        todo = [k for k in todo if k in missing]
        cached_tables = {name: cache.get(f"structure_{name}", fp, present) if present else None for name in names}
    first = {k: i for i, k in reversed(list(enumerate(keys)))}
    todo_idx = [first[k] for k in todo]
    results = []
    if todo_idx:
        payloads = [[texts[todo_idx[j]] for j in r] for r in _chunks(len(todo_idx), chunk_size)]
        for chunk in runner.map(_structure_chunk, payloads, shared=corpus.semicolons, desc="structure"):
            results.extend(chunk)
    tables = {}
    for n, (name, columns) in enumerate(names.items()):
        rows, doc_keys = [], []
        for k, triple in zip(todo, results):
            rows.extend(triple[n])
            doc_keys.extend([k] * len(triple[n]))
        computed = _frame(rows, columns)
        computed.insert(0, "doc_key", doc_keys)
        if cache is not None and todo:
            cache.put(f"structure_{name}", fp, computed)
        cached = cached_tables.get(name) if cached_tables else None
        tables[name] = _assemble(cached, computed, order)
        tables[name] = _restore_types(tables[name], columns)
    if cache is not None and todo:
        cache.put("structure", fp, pd.DataFrame({"doc_key": todo}))  # marks the documents as complete
    parts = DocumentParts(tables["sections"], tables["points"], tables["sentences"])
    corpus.__dict__["_parts"] = parts
    log.append(("structure", len(todo), len(set(keys)) - len(todo), round(time.perf_counter() - t0, 2)))
    return parts


def _restore_types(frame, columns):
    """Cached Parquet round trips keep values; make dtypes match a freshly computed table."""
    from .structure import _INT_COLUMNS

    for col in columns:
        if col in _INT_COLUMNS and col in frame:
            frame[col] = frame[col].astype("int64")
        elif col == "item_no" and col in frame:
            frame[col] = frame[col].astype("Int64")
        elif col == "is_heading" and col in frame:
            frame[col] = frame[col].astype(bool)
        elif col in frame and frame[col].dtype != object and col in ("text", "title", "section_path",
                                                                      "section_title", "marker", "kind"):
            frame[col] = frame[col].astype(object)
    frame["doc_id"] = frame["doc_id"].astype(object)
    return frame


def _entities(corpus, tagger, runner: _Runner, cache: AnnotationCache | None, log: list, chunk_size: int):
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    docs = corpus.docs
    texts = docs["text"].tolist()
    regions = docs["region"].tolist()
    keys = [content_key(t, r if isinstance(r, str) else "") for t, r in zip(texts, regions)]
    order = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy(), "doc_key": keys})
    todo = list(dict.fromkeys(keys))
    cached = None
    if cache is not None:
        fp = cache.register("entities", _tagger_config(tagger))
        missing = cache.missing("entities", fp, todo)
        present = [k for k in todo if k not in missing]
        cached = cache.get("entities", fp, present) if present else None
        todo = [k for k in todo if k in missing]
    computed = None
    if todo:
        sents = corpus.sentences
        # sentence rows of each document (the sentence table is in corpus order)
        doc_pos = {d: i for i, d in enumerate(docs["doc_id"])}
        starts_col = sents["start"].to_numpy()
        ends_col = sents["end"].to_numpy()
        sid_col = sents["sent_id"].to_numpy()
        codes = sents["doc_id"].map(doc_pos).to_numpy()
        edges = np.searchsorted(codes, np.arange(len(docs) + 1), side="left")
        first = {}
        for i, k in enumerate(keys):
            first.setdefault(k, i)
        items = []
        for k in todo:
            i = first[k]
            a, b = edges[i], edges[i + 1]
            items.append((k, texts[i], regions[i], sid_col[a:b], starts_col[a:b], ends_col[a:b]))
        payloads = [[items[j] for j in r] for r in _chunks(len(items), chunk_size)]
        frames = runner.map(_entity_chunk, payloads, shared=tagger, desc="entities")
        computed = pd.concat(frames, ignore_index=True) if frames else None
        if computed is not None:
            computed = computed.rename(columns={"doc_id": "doc_key"})
            if cache is not None:  # every tagged document is complete, also those without any entity
                cache.put("entities", fp, computed, keys=todo)
    table = _assemble(cached, computed, order)
    log.append(("entities", len(todo), len(set(keys)) - len(todo), round(time.perf_counter() - t0, 2)))
    return table


def _text_keys(corpus) -> list[str]:
    """:func:`~policytext.cache.content_key` of every document text, computed once per corpus (like its parts)."""
    keys = corpus.__dict__.get("_text_keys")
    if keys is None:
        keys = corpus.__dict__["_text_keys"] = [content_key(t) for t in corpus.docs["text"].tolist()]
    return keys


def _corpus_key(corpus) -> str:
    """Hash of the documents' texts, in order, and of how they were split (what the theme fit saw)."""
    import hashlib

    h = hashlib.blake2b(digest_size=10)
    for key in _text_keys(corpus):
        h.update(key.encode("ascii"))
    h.update(repr(_structure_config(corpus.semicolons)).encode("utf-8"))
    return h.hexdigest()


def _fit_themes(sentences, themes, cache: AnnotationCache | None, log: list, corpus_key: str):
    """A fitted model: the one given, a cached one for the same sentences and codebook, or a new fit."""
    import hashlib
    import pickle

    from .codebook import Codebook, load_codebook
    from .themes import ThemeClassifier

    t0 = time.perf_counter()
    if hasattr(themes, "predict_frame") and getattr(themes, "classes_", None) is not None:
        log.append(("themes_fit", 0, 0, 0.0))
        return themes, _model_fingerprint(themes)
    estimator = themes if isinstance(themes, ThemeClassifier) else ThemeClassifier(themes)
    codebook = estimator.codebook
    if isinstance(codebook, (str, os.PathLike)) and Path(codebook).is_file():
        book_id = file_digest(codebook)
    elif isinstance(codebook, Codebook):
        book_id = hashlib.blake2b(pickle.dumps(codebook), digest_size=10).hexdigest()
    else:
        load_codebook(codebook)  # validates the name early, with the codebook error message
        book_id = f"{codebook}:{resource_fingerprint('codebooks')}"
    params = {k: v for k, v in estimator.get_params().items() if k != "codebook"}
    config = {"codebook": book_id, "params": params, "corpus": corpus_key,
              "code": _code_fingerprint("themes", "codebook"), "sklearn": _package_version("scikit-learn")}
    path = None
    fp = cache.register("themes_model", config) if cache is not None else fingerprint("themes_model", config)
    if cache is not None:
        path = cache.annotations / "themes_model" / fp / "model.pkl"
        if path.is_file():
            try:
                with open(path, "rb") as fh:
                    model = pickle.load(fh)
                log.append(("themes_fit", 0, 1, round(time.perf_counter() - t0, 2)))
                return model, fp
            except Exception:  # a stale or broken pickle: refit
                pass
    model = estimator.fit(sentences)
    if path is not None:
        try:
            tmp = path.with_suffix(".tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass
    log.append(("themes_fit", 1, 0, round(time.perf_counter() - t0, 2)))
    return model, fp


def _model_fingerprint(model) -> str:
    import hashlib
    import pickle

    return hashlib.blake2b(pickle.dumps(model, protocol=4), digest_size=10).hexdigest()


def _themes(corpus, model, model_fp: str, runner: _Runner, cache: AnnotationCache | None, log: list,
            chunk_size: int):
    import numpy as np
    import pandas as pd

    t0 = time.perf_counter()
    sents = corpus.sentences
    docs = corpus.docs
    keys = _text_keys(corpus)
    key_of = dict(zip(docs["doc_id"], keys))
    sent_keys = sents["doc_id"].map(key_of).to_numpy()
    cached = None
    todo = set(keys)
    if cache is not None:
        fp = cache.register("themes", {"model": model_fp})
        todo = cache.missing("themes", fp, set(keys))
        present = set(keys) - todo
        cached = cache.get("themes", fp, present) if present else None
    # one computation per distinct document text
    first_doc = {}
    for d, k in zip(docs["doc_id"], keys):
        first_doc.setdefault(k, d)
    # (pandas' hash-based isin: numpy's isin sorts the 705k object ids of a large corpus, ~15 s)
    take = sents["doc_id"].isin({first_doc[k] for k in todo}).to_numpy() if todo else np.zeros(len(sents), bool)
    frame = sents[take]
    computed = None
    if len(frame):
        size = max(2000, chunk_size * 400)
        preds = pd.concat(runner.map(_theme_chunk, _chunks(len(frame), size), shared=(model, frame), desc="themes"),
                          ignore_index=True)
        computed = pd.DataFrame({"doc_key": sent_keys[take], "sent_id": frame["sent_id"].to_numpy(),
                                 "theme": preds["theme"].to_numpy(), "theme2": preds["theme2"].to_numpy(),
                                 "score": preds["score"].to_numpy()})
        if cache is not None:
            cache.put("themes", fp, computed)
    parts = [p for p in (cached, computed) if p is not None and len(p)]
    labels = (pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]) if parts else \
        pd.DataFrame({"doc_key": [], "sent_id": [], "theme": [], "theme2": [], "score": []})
    labels["sent_id"] = labels["sent_id"].astype("int64")
    out = sents.assign(doc_key=sent_keys).merge(labels, on=["doc_key", "sent_id"], how="left", sort=False)
    out = out.drop(columns="doc_key")
    for col in ("theme", "theme2"):  # plain Python strings: fast to group and to iterate over
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    log.append(("themes", len(todo), len(set(keys)) - len(todo), round(time.perf_counter() - t0, 2)))
    return out


def annotate(
    corpus: Corpus,
    *,
    tokenizer: Any = None,
    entities: Any = True,
    themes: Any = "rule_of_law",
    n_jobs: int = 1,
    scheduler: str = "processes",
    cache: Any = None,
    progress: bool = False,
    chunk_size: int = 16,
) -> Annotations:
    """Structure, tokenize, tag and classify a whole corpus (in parallel, with a disk cache).

    Parameters
    ----------
    corpus : Corpus
    tokenizer : Tokenizer, optional
        Default ``policytext.Tokenizer()``. ``False`` skips tokenization.
    entities : bool or EntityTagger, default True
        ``True``: ``EntityTagger()``; ``False``: skip.
    themes : str, path, Codebook, ThemeClassifier or None, default "rule_of_law"
        A codebook (a zero-label :class:`~policytext.ThemeClassifier` is fitted on the corpus sentences), an
        unfitted classifier (fitted here), a fitted one (used as is), or None to skip.
    n_jobs : int, default 1
        Worker processes (``-1``: all CPUs). Results are identical to ``n_jobs=1``.
    scheduler : {"processes", "dask"}, default "processes"
        ``"dask"`` runs the document chunks as tasks on the current Dask scheduler (e.g. a
        ``distributed.Client(LocalCluster(...))`` created beforehand).
    cache : bool, str, path or AnnotationCache, optional
        Where to cache per-document results (default ``$POLICYTEXT_CACHE`` or ``~/.cache/policytext``;
        ``False``: no cache; the environment variable ``POLICYTEXT_NO_CACHE=1`` disables the default).
    progress : bool, default False
        Progress bars on stderr.
    chunk_size : int, default 16
        Documents per task.

    Returns
    -------
    Annotations

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["一、深化“放管服”改革。确定大竹园镇为试点镇。"], metadata={"region": ["汉滨区"]})
    >>> ann = pt.annotate(corpus, cache=False)
    >>> ann.sentences[["text", "theme"]].values.tolist()[:2]
    [['一、深化“放管服”改革。', 'service_reform'], ['确定大竹园镇为试点镇。', 'other']]
    >>> ann.entities[["text", "label"]].values.tolist()
    [['放管服', 'SLOGAN'], ['大竹园镇', 'PLACE']]
    """
    from .corpus import Corpus

    if not isinstance(corpus, Corpus):  # (hasattr(corpus, "sentences") would compute the structure)
        raise InputError(f"annotate expects a policytext Corpus; got {type(corpus).__name__}. "
                         "Load one with policytext.load_corpus(path).")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise ParameterError(f"chunk_size must be a positive integer; got {chunk_size!r}.")
    runner = _Runner(n_jobs, scheduler, progress)
    store = _as_cache(cache)
    log: list[tuple] = []
    _structure(corpus, runner, store, log, chunk_size)
    tokens = None
    if tokenizer is not False:
        from .stats.tokens import tokenize_corpus

        t0 = time.perf_counter()
        tokens = tokenize_corpus(corpus, tokenizer, progress=progress, disk_cache=store,
                                 executor=runner.map if runner.parallel else None)
        stats = getattr(tokens, "load_stats", {"computed": len(corpus), "cached": 0})
        log.append(("tokens", stats["computed"], stats["cached"], round(time.perf_counter() - t0, 2)))
    ents = None
    if entities is not False and entities is not None:
        from .entities import EntityTagger

        tagger = EntityTagger() if entities is True else entities
        if not hasattr(tagger, "tag_sentences"):
            raise ParameterError(f"entities must be True, False or an EntityTagger; got {type(entities).__name__}.")
        ents = _entities(corpus, tagger, runner, store, log, chunk_size)
    sentences = corpus.sentences
    model = None
    if themes is not None and themes is not False:
        model, model_fp = _fit_themes(sentences, themes, store, log, _corpus_key(corpus))
        sentences = _themes(corpus, model, model_fp, runner, store, log, chunk_size)
    release_memory()  # the stages' intermediate tables are gone
    import pandas as pd

    return Annotations(corpus=corpus, sentences=sentences, tokens=tokens, entities=ents, model=model,
                       log=pd.DataFrame(log, columns=["stage", "computed", "cached", "seconds"]))


def annotate_files(
    source: Any,
    out: str | os.PathLike,
    *,
    batch_size: int = 200,
    themes: Any = None,
    tokenizer: Any = None,
    entities: Any = True,
    n_jobs: int = 1,
    cache: Any = None,
    progress: bool = False,
    **load_options: Any,
) -> dict:
    """Process a corpus larger than memory file by file and write partitioned Parquet.

    Documents are read ``batch_size`` at a time (:func:`policytext.corpus.iter_corpus`), annotated with
    :func:`annotate` and written as one Parquet file per batch and table:
    ``out/documents/part-00000.parquet``, ``out/sentences/…``, ``out/tokens/…``, ``out/entities/…``. Read them
    back with ``pandas.read_parquet(out / "sentences")`` or ``dask.dataframe.read_parquet``.

    Parameters
    ----------
    source : folder, file, or list of paths
    out : folder
    batch_size : int, default 200
        Documents held in memory at a time.
    themes : ThemeClassifier, str or None
        Themes need one model for every batch: pass a fitted classifier, or a codebook name to fit a zero-label
        model on the first batch. None skips themes.
    **load_options
        Options of :func:`policytext.load_corpus` (``pattern``, ``manifest`` …).

    Returns
    -------
    dict
        Counts: ``documents``, ``batches``, ``sentences``, ``tokens``, ``entities``, and the load ``report``.
    """
    import pandas as pd

    from .corpus import iter_corpus

    out = Path(out)
    model = themes if hasattr(themes, "predict_frame") else None
    totals = {"documents": 0, "batches": 0, "sentences": 0, "tokens": 0, "entities": 0}
    reports = []
    for i, batch in enumerate(iter_corpus(source, batch_size=batch_size, **load_options)):
        ann = annotate(batch, tokenizer=tokenizer, entities=entities,
                       themes=model if model is not None else themes, n_jobs=n_jobs, cache=cache, progress=progress)
        if model is None and ann.model is not None:
            model = ann.model
        tables = {
            "documents": batch.docs.drop(columns=[c for c in ("raw_text",) if c in batch.docs.columns]),
            "sentences": ann.sentences,
        }
        if ann.tokens is not None:
            tables["tokens"] = ann.tokens.to_frame()
        if ann.entities is not None:
            tables["entities"] = ann.entities
        for name, table in tables.items():
            folder = out / name
            folder.mkdir(parents=True, exist_ok=True)
            table.to_parquet(folder / f"part-{i:05d}.parquet", index=False)
        totals["documents"] += len(batch)
        totals["batches"] += 1
        totals["sentences"] += len(ann.sentences)
        totals["tokens"] += 0 if ann.tokens is None else ann.tokens.n_tokens
        totals["entities"] += 0 if ann.entities is None else len(ann.entities)
        reports.append(batch.report.entries)
    if reports:
        report = pd.concat(reports, ignore_index=True).drop_duplicates()
        report.to_csv(out / "load_report.csv", index=False)
        totals["report"] = report["status"].value_counts().to_dict()
    return totals

