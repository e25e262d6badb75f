"""The whole pipeline in one call: :func:`analyze` writes tables, figures and a self-contained HTML report.

``policytext analyze CORPUS --out DIR`` (and :func:`analyze` in Python) loads nothing itself: it takes a
:class:`~policytext.Corpus`, runs structure → tokens → entities → themes → comparison, and writes to ``DIR``:

``tables/``
    ``documents.csv`` (metadata, no text), ``sentences.csv`` (with ``theme``, ``theme2``, ``score``),
    ``entities.csv``, ``entity_counts.csv``, ``places.csv`` (township-level places each document names),
    ``theme_shares.csv`` (by each grouping column and by all of them), ``keyness.csv`` (every group against the
    rest), ``term_frequencies.csv`` (the distinctive terms by group), ``theme_trends.csv`` and
    ``term_trends.csv`` (by year), ``skipped.csv`` (inputs that were not loaded, with the reason); the large
    tables also as Parquet when pyarrow is installed.
``figures/``
    PNG plots: theme composition, theme trends, keyness bars per group, a heatmap of distinctive terms, entity
    counts.
``index.html``
    A self-contained report (figures embedded) to open in a browser and send: corpus summary, theme shares,
    distinctive terms per group, trends, top entities, skipped inputs.
``summary.json``
    The figures of the report in machine-readable form, the duration of each step (``timings_s``) and, per
    annotation stage, how many documents were computed or read from the cache (``annotation``).

With a single group (one report, or one region), distinctive terms compare the report's top-level sections with
each other instead of groups.
"""

from __future__ import annotations

import base64
import html
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .corpus import Corpus

__all__ = ["analyze", "Analysis"]


@dataclass
class Analysis:
    """What :func:`analyze` computed: the tables (DataFrames), figure paths and summary."""

    out: Path
    tables: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    annotation_log: Any = None
    files: dict[str, list] = field(default_factory=dict)

    @property
    def html(self) -> Path:
        """Path of ``index.html``."""
        return self.out / "index.html"


class _Progress:
    """Step-by-step progress on stderr (one line per step, with its duration)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.timings: dict[str, float] = {}
        self._t0 = time.perf_counter()
        self._name: str | None = None
        self._start = 0.0

    def step(self, name: str) -> None:
        self.done()
        self._name, self._start = name, time.perf_counter()
        if self.enabled:
            print(f"[policytext] {name} …", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self._name is not None:
            took = time.perf_counter() - self._start
            self.timings[self._name] = round(took, 2)
            if self.enabled:
                print(f"[policytext]   {self._name}: {took:.1f} s", file=sys.stderr, flush=True)
            self._name = None

    def total(self) -> float:
        return round(time.perf_counter() - self._t0, 2)


def _groups_of(docs: pd.DataFrame, by: Sequence[str]) -> list[str]:
    missing = [c for c in by if c not in docs.columns]
    if missing:
        raise ParameterError(
            f"by: the corpus has no column(s) {missing}; available: {[c for c in docs.columns if c not in ('text', 'raw_text')]}."
        )
    return list(by)


def _section_corpus(corpus: Corpus):
    """One pseudo-document per top-level section (for distinctive terms inside a single report)."""
    from .corpus import Corpus as _Corpus

    sections = corpus.sections
    top = sections[sections["level"] == 1]
    texts = dict(zip(corpus.docs["doc_id"], corpus.docs["text"]))
    rows = []
    for r in top.itertuples(index=False):
        label = f"{r.section_path}、{r.title[:12]}"
        rows.append({"doc_id": f"{r.doc_id}#{r.section_path}", "section": label,
                     "text": texts[r.doc_id][r.start : r.end]})
    if len(rows) < 2:
        return None
    import pandas as pd

    return _Corpus(pd.DataFrame(rows))


def analyze(
    corpus: Corpus,
    out: str | Path,
    *,
    by: Sequence[str] | str = ("region", "year"),
    codebook: str = "rule_of_law",
    tokenizer: Any = None,
    n_jobs: int = 1,
    scheduler: str = "processes",
    cache: Any = None,
    top: int = 15,
    max_groups: int = 8,
    measure: str = "log_ratio",
    progress: bool = True,
    parquet: bool | None = None,
    command: str | None = None,
) -> Analysis:
    """Run the whole pipeline on a corpus and write tables, figures and an HTML report to ``out``.

    Parameters
    ----------
    corpus : Corpus
        From :func:`policytext.load_corpus`.
    out : str or path
        Output folder (created; existing files of the same names are replaced).
    by : str or list of str, default ("region", "year")
        Metadata columns to compare. The first one defines the groups of the keyness comparison; ``year``
        (when present) gives the trends.
    codebook : str, default "rule_of_law"
        Theme codebook (``rule_of_law``, ``work_report`` or a file path); fitted zero-label on the corpus.
    tokenizer : Tokenizer, optional
        Default: ``policytext.Tokenizer()``.
    n_jobs : int, default 1
        Worker processes for the per-document stages (``-1``: all CPUs); the tables do not depend on it.
    scheduler : {"processes", "dask"}, default "processes"
        Run the per-document stages on the current Dask scheduler instead (see :func:`policytext.annotate`).
    cache : bool, path or AnnotationCache, optional
        Annotation cache (default ``$POLICYTEXT_CACHE`` or ``~/.cache/policytext``; ``False``: none). A second
        run on an unchanged corpus reads structure, tokens, entities and themes from it.
    top : int, default 15
        Terms per group in the keyness tables and plots.
    max_groups : int, default 8
        Groups that get their own keyness plot (the largest ones); every group is in ``keyness.csv``.
    measure : str, default "log_ratio"
        Keyness measure plotted (``log_ratio``, ``lrc``, ``log_odds_z`` …); ``g2`` and ``log_ratio`` are always in
        the table.
    progress : bool, default True
        Print each step and its duration on stderr.
    parquet : bool, optional
        Also write large tables as Parquet (default: when pyarrow is installed).
    command : str, optional
        The command line to show in the report.

    Returns
    -------
    Analysis
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    import pandas as pd

    from . import plot
    from .corpus import Corpus
    from .entities import entity_counts, places_by_document
    from .stats import document_term_matrix, keyness, term_frequencies
    from .themes import theme_shares

    if not isinstance(corpus, Corpus):
        raise InputError(f"analyze expects a policytext Corpus; got {type(corpus).__name__}. "
                         "Load one with policytext.load_corpus(path).")
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ParameterError("by must name at least one metadata column, e.g. by=['region', 'year'].")
    _groups_of(corpus.docs, by)
    if parquet is None:
        try:
            import pyarrow  # noqa: F401

            parquet = True
        except ImportError:
            parquet = False
    out = Path(out)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    prog = _Progress(progress)
    result = Analysis(out=out)
    T = result.tables
    docs = corpus.docs

    from .pipeline import _as_cache

    store = _as_cache(cache)
    saved = None
    if store is not None:
        prog.step("looking for this analysis in the cache")
        key = _analysis_config(corpus, by=by, codebook=codebook, tokenizer=tokenizer, top=top,
                               max_groups=max_groups, measure=measure, parquet=parquet)
        saved = store.register("analysis", key)
        reused = _reuse_analysis(store.annotations / "analysis" / saved, out, result)
        if reused:
            prog.done()
            result.timings = {**prog.timings, "total": prog.total()}
            if progress:
                print(f"[policytext] same corpus and options as a cached analysis: copied its outputs to {out} "
                      f"({result.timings['total']:.1f} s); use --no-cache to recompute", file=sys.stderr)
            return result

    prog.step(f"annotate {len(corpus)} documents: structure, tokens, entities, themes ({codebook})")
    from .pipeline import annotate

    ann = annotate(corpus, tokenizer=tokenizer, themes=codebook, n_jobs=n_jobs, scheduler=scheduler, cache=cache,
                   progress=progress)
    tokens, entities, themed = ann.tokens, ann.entities, ann.sentences
    T["entities"] = entities
    T["sentences"] = themed
    result.annotation_log = ann.log

    prog.step("comparison")
    group_col = by[0]
    has_year = "year" in docs.columns and docs["year"].notna().any()
    n_groups = docs[group_col].nunique(dropna=True)
    shares = {}
    for col in dict.fromkeys(by):
        shares[col] = theme_shares(themed, docs, by=[col])
    shares_all = theme_shares(themed, docs, by=by)
    T["theme_shares"] = shares_all
    term_filters = {"stopwords": "policy", "remove_single": True}
    dtm = document_term_matrix(tokens, **term_filters)
    comparison = "groups"
    sections = None
    if n_groups >= 2:
        key = keyness(dtm, by=group_col, measures=("g2", "log_ratio", "lrc", "log_odds"), top=top * 4,
                      min_count=5 if dtm.matrix.sum() > 20000 else 2)
        compare_col = group_col
    else:
        key = None
        compare_col = "section"
        sections = _section_corpus(corpus)
        if sections is not None:
            comparison = "sections"
            sections = document_term_matrix(sections, **term_filters)
            key = keyness(sections, by="section", measures=("g2", "log_ratio", "lrc", "log_odds"), top=top * 4,
                          min_count=2)
    if key is not None:
        key = key[key["log_ratio"] > 0]
        T["keyness"] = key
        distinctive = key.sort_values(["group", measure], ascending=[True, False]).groupby("group").head(top)
        terms = list(dict.fromkeys(distinctive["term"]))
        if comparison == "groups":
            T["term_frequencies"] = term_frequencies(dtm, by=group_col, terms=terms)
    if has_year and docs["year"].nunique() >= 2:
        T["theme_trends"] = shares["year"] if "year" in shares else theme_shares(themed, docs, by=["year"])
        if key is not None and comparison == "groups":
            top_terms = (key.sort_values("g2", ascending=False)["term"].drop_duplicates().head(8).tolist())
            T["term_trends"] = term_frequencies(dtm, by="year", terms=top_terms)
    counts = entity_counts(entities, docs, by=None) if len(entities) else pd.DataFrame()
    T["entity_counts"] = counts
    T["places"] = places_by_document(entities, docs) if len(entities) else pd.DataFrame()
    T["skipped"] = corpus.report.skipped
    T["documents"] = docs.drop(columns=[c for c in ("text", "raw_text") if c in docs.columns])

    prog.step("figures and tables")
    # Each figure (drawn and saved) is one job; with n_jobs > 1 the figures are drawn in forked worker processes
    # while this process writes the small tables, else everything runs here, one after the other. The two large
    # tables are written afterwards: writing them next to the workers would add up the peaks of memory.
    jobs: list[tuple[str, Any]] = []

    def figure(name: str, draw) -> None:
        jobs.append((name, lambda: _save_figure(draw(), out / "figures" / f"{name}.png")))

    comp_by = group_col if n_groups >= 2 else ("year" if has_year and docs["year"].nunique() >= 2 else None)
    if comp_by is not None:
        figure("theme_composition", lambda: plot.theme_composition(shares[comp_by], by=comp_by, exclude=["other"]))
    else:
        figure("theme_composition", lambda: plot.theme_composition(theme_shares(themed, docs, by=["doc_id"]),
                                                                    by="doc_id", exclude=["other"]))
    if "theme_trends" in T:
        tt = T["theme_trends"]
        tt = tt[tt["theme"] != "other"]
        figure("theme_trends", lambda: plot.trend_lines(tt, x="year", y="share", hue="theme"))
    if "term_trends" in T:
        figure("term_trends", lambda: plot.trend_lines(T["term_trends"], x="year", y="per_10k", hue="term"))
    if key is not None and len(key):
        plot_measures = ("g2", "log_ratio") + (() if measure in ("g2", "log_ratio") else (measure,))
        source, source_by = (dtm, group_col) if comparison == "groups" else (sections, "section")
        sizes = docs[group_col].value_counts() if comparison == "groups" else key.groupby("group").size()
        reference_label = "其余" if comparison == "groups" else "其他部分"
        keyed = set(key["group"].unique().tolist())

        def keyness_plot(grp):
            full = keyness(source, by=source_by, target=grp, measures=plot_measures, min_count=2)
            return plot.keyness_bars(full, measure=measure, top=min(top, 12), target_label=str(grp),
                                     reference_label=reference_label)

        for i, grp in enumerate([g for g in sizes.index if g in keyed][:max_groups]):
            figure(f"keyness_{i + 1}", lambda grp=grp: keyness_plot(grp))
        if comparison == "groups" and "term_frequencies" in T and n_groups <= 60:
            figure("term_heatmap", lambda: plot.term_heatmap(T["term_frequencies"], group=group_col,
                                                             terms=terms[: min(len(terms), 30)]))
    if len(entities):
        figure("entities", lambda: plot.entity_counts(
            entities.loc[entities["label"] != "DATE", [c for c in ("label", "text", "canonical") if c in entities]],
            top=25))

    large = ("sentences", "entities")

    def write_tables(names) -> None:
        for name in names:
            if isinstance(T[name], pd.DataFrame):
                result.files[name] = _write_table(T[name], out / "tables" / name, parquet and name in large)

    parallel = n_jobs != 1 and scheduler == "processes" and len(jobs) > 1
    paths = _run_jobs([job for _, job in jobs], n_jobs if parallel else 1,
                      meanwhile=lambda: write_tables([n for n in T if n not in large]))
    result.figures.update(zip([name for name, _ in jobs], paths))
    write_tables([n for n in T if n in large])
    result.files = {name: result.files[name] for name in T if name in result.files}  # in the order of T

    prog.step("report")
    summary = _summary(corpus, themed, entities, T, by, codebook, comparison, compare_col)
    result.summary = summary
    result.timings = {**prog.timings, "total": prog.total()}
    summary["timings_s"] = result.timings
    (out / "index.html").write_text(_html(result, corpus, command), encoding="utf-8")
    prog.done()
    result.timings = {**prog.timings, "total": prog.total()}
    summary["timings_s"] = result.timings
    if ann.log is not None:  # per stage: documents computed, read from the cache, seconds
        summary["annotation"] = ann.log.to_dict("records")
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str),
                                      encoding="utf-8")
    if saved is not None:
        _save_analysis(out, store.annotations / "analysis" / saved, result)
    if progress:
        print(f"[policytext] wrote {out / 'index.html'} ({result.timings['total']:.1f} s)", file=sys.stderr)
    return result


# ------------------------------------------------------------------------- the analysis cache

_OUTPUTS = ("tables", "figures", "index.html", "summary.json")


def _analysis_config(corpus, **options) -> dict:
    """Everything the outputs of :func:`analyze` depend on: texts, metadata, options, code and resources."""
    import hashlib

    from .cache import _code_fingerprint, _package_version, resource_fingerprint
    from .pipeline import _corpus_key

    meta = corpus.docs.drop(columns=[c for c in ("text", "raw_text") if c in corpus.docs.columns])
    meta_hash = hashlib.blake2b(meta.to_json(orient="split", force_ascii=False, date_format="iso").encode("utf-8"),
                                digest_size=10).hexdigest()
    codebook = options.get("codebook")
    if isinstance(codebook, (str, Path)) and Path(codebook).is_file():
        from .cache import file_digest

        options["codebook"] = file_digest(codebook)
    tokenizer = options.pop("tokenizer", None)
    if tokenizer is not None:
        from .stats.tokens import _tokenizer_key

        key = _tokenizer_key(tokenizer)
        if len(key) != 3:
            return {"uncacheable": str(id(tokenizer)), "time": time.time()}  # a custom tokenizer: never reused
        options["tokenizer"] = repr(key)
    return {
        "corpus": _corpus_key(corpus),
        "metadata": meta_hash,
        "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()},
        "code": _code_fingerprint("report", "pipeline", "stats", "plot", "themes", "entities", "tokenize",
                                  "structure", "codebook", "lexicon", "gazetteer", "corpus", "readers"),
        "resources": resource_fingerprint("codebooks", "lexicon", "entities", "segmenter", "stopwords"),
        "versions": {p: _package_version(p) for p in ("pandas", "numpy", "matplotlib", "scikit-learn", "jionlp",
                                                       "rjieba", "jieba", "snownlp")},
    }


def _save_analysis(out: Path, folder: Path, result: Analysis) -> None:
    import shutil

    try:
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for name in _OUTPUTS:
            src = out / name
            if src.is_dir():
                shutil.copytree(src, tmp / name)
            elif src.exists():
                shutil.copy2(src, tmp / name)
        (tmp / "files.json").write_text(json.dumps({k: [p.name for p in v] for k, v in result.files.items()}),
                                        encoding="utf-8")
        for name in _OUTPUTS + ("files.json",):
            target = folder / name
            if target.is_dir():
                shutil.rmtree(target)
            if (tmp / name).exists():
                os.replace(tmp / name, target)
        shutil.rmtree(tmp, ignore_errors=True)
    except OSError:  # the analysis is written to `out`; caching it is a bonus
        pass


def _reuse_analysis(folder: Path, out: Path, result: Analysis) -> bool:
    """Copy a cached analysis into ``out`` and fill ``result``; False when there is none."""
    import shutil

    files_json = folder / "files.json"
    if not files_json.is_file() or not (folder / "summary.json").is_file():
        return False
    for name in _OUTPUTS:
        src = folder / name
        if src.is_dir():
            shutil.copytree(src, out / name, dirs_exist_ok=True)
        elif src.exists():
            shutil.copy2(src, out / name)
    result.summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    result.summary["from_cache"] = True
    files = json.loads(files_json.read_text(encoding="utf-8"))
    result.files = {k: [out / "tables" / n for n in v] for k, v in files.items()}
    result.tables = _LazyTables(result.files)
    result.figures = {p.stem: p for p in sorted((out / "figures").glob("*.png"))}
    return True


class _LazyTables(dict):
    """Tables of a reused analysis, read from their files on first access."""

    def __init__(self, files: dict[str, list[Path]]) -> None:
        super().__init__()
        self._files = files

    def __missing__(self, name: str):
        import pandas as pd

        paths = self._files.get(name)
        if not paths:
            raise KeyError(name)
        parquet = [p for p in paths if p.suffix == ".parquet"]
        table = pd.read_parquet(parquet[0]) if parquet else pd.read_csv(paths[0])
        self[name] = table
        return table

    def __contains__(self, name: object) -> bool:
        return name in self._files

    def __iter__(self):
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)

    def keys(self):
        return self._files.keys()

    def items(self):
        return ((k, self[k]) for k in self._files)

    def get(self, name, default=None):
        return self[name] if name in self._files else default


#: Tables with more rows than this are written as Parquet only (when pyarrow is installed): a CSV of every
#: sentence of 1,671 reports is 200 MB and slower to write than the whole comparison.
CSV_MAX_ROWS = 100_000


def _save_figure(ax_or_axes, path: Path) -> Path:
    """Save the figure of an Axes (or of the first of an array of Axes) as PNG and close it."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig = np.atleast_1d(ax_or_axes).flat[0].figure
    fig.savefig(path, dpi=110)  # constrained layout already fits the labels in the figure
    plt.close(fig)
    return path


def _run_job(jobs, i: int):
    return jobs[i]()


def _run_jobs(jobs: list, n_jobs: int, meanwhile) -> list:
    """Results of ``job()`` for each job, in order, after calling ``meanwhile()`` here.

    With ``n_jobs > 1`` where workers are forked, the jobs run in worker processes while this process runs
    ``meanwhile``: the jobs are closures over the analysis' tables, inherited by the workers, never pickled.
    """
    from .pipeline import _call_shared, _can_fork, _worker_pool

    if n_jobs == 1 or not _can_fork():
        meanwhile()
        return [job() for job in jobs]
    processes = min(len(jobs), (os.cpu_count() or 1) if n_jobs == -1 else n_jobs)
    with _worker_pool(processes, jobs) as pool:
        pending = pool.map_async(_call_shared, [(_run_job, i) for i in range(len(jobs))], chunksize=1)
        meanwhile()
        return pending.get()


def _write_table(table: pd.DataFrame, stem: Path, parquet: bool) -> list[Path]:
    """Write ``stem.csv`` (unless the table is large and Parquet is possible) and ``stem.parquet`` if asked."""
    written = []
    if parquet:
        try:
            table.to_parquet(stem.with_suffix(".parquet"), index=False)
            written.append(stem.with_suffix(".parquet"))
        except (ImportError, ValueError, TypeError):  # pragma: no cover - exotic column types
            parquet = False
    if not parquet or len(table) <= CSV_MAX_ROWS:
        table.to_csv(stem.with_suffix(".csv"), index=False)
        written.append(stem.with_suffix(".csv"))
    return written


def _summary(corpus, themed, entities, T, by, codebook, comparison, compare_col) -> dict:
    docs = corpus.docs
    info = {
        "documents": len(docs),
        "characters": int(docs["text"].str.len().sum()),
        "sentences": len(themed),
        "sections": len(corpus.sections),
        "points": len(corpus.points),
        "entities": int((entities["label"] != "DATE").sum()) if len(entities) else 0,
        "by": by,
        "codebook": codebook,
        "comparison": comparison,
        "compared_by": compare_col,
        "load_report": corpus.report.summary(),
    }
    shares = themed["theme"].value_counts(normalize=True).round(4).to_dict()
    info["theme_shares"] = shares
    if "keyness" in T:
        k = T["keyness"]
        info["distinctive_terms"] = {str(g): part.sort_values("log_ratio", ascending=False)["term"].head(10).tolist()
                                     for g, part in k.groupby("group")}
    return info


# ------------------------------------------------------------------------- HTML

_CSS = """
body{font-family:"policytext-cjk","Noto Sans SC","Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:0;color:#222;background:#fafafa;line-height:1.5}
header{background:#1f3b57;color:#fff;padding:1.2em 2em}
header h1{margin:0 0 .2em 0;font-size:1.6em} header p{margin:.2em 0;opacity:.85}
header code{background:rgba(255,255,255,.18);color:#fff}
main{max-width:1100px;margin:0 auto;padding:1em 2em 3em}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:1em 1.4em;margin:1.2em 0}
h2{color:#1f3b57;border-bottom:2px solid #e9eef3;padding-bottom:.2em}
table{border-collapse:collapse;font-size:.9em;margin:.6em 0}
th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f0f4f8} td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;height:auto;border:1px solid #eee;margin:.4em 0}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:1em}
.note{color:#666;font-size:.9em} code{background:#f0f0f0;padding:0 .3em;font-family:inherit}
.kpi{display:flex;flex-wrap:wrap;gap:1em} .kpi div{background:#f0f4f8;padding:.6em 1em;border-radius:6px}
.kpi b{display:block;font-size:1.4em;color:#1f3b57}
"""


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _table_html(frame, max_rows: int = 30, floatfmt: str = "{:.3g}") -> str:
    import numbers

    frame = frame.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, numbers.Number) and not isinstance(v, bool):
                txt = floatfmt.format(v) if isinstance(v, float) else (f"{v:,}" if abs(v) >= 10000 else str(v))
                cells.append(f'<td class="num">{html.escape(txt)}</td>')
            else:
                cells.append(f"<td>{html.escape('' if v is None or v != v else str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _html(result: Analysis, corpus, command: str | None) -> str:
    import pandas as pd

    from . import __version__

    S, T, F = result.summary, result.tables, result.figures
    docs = corpus.docs
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>policytext report</title>"
             f"<style>{_CSS}</style></head><body>"]
    title = docs["title"].dropna().iloc[0] if len(docs) == 1 and docs["title"].notna().any() else "Corpus analysis"
    parts.append(f"<header><h1>{html.escape(str(title))}</h1><p>policytext {__version__} · "
                 f"{time.strftime('%Y-%m-%d %H:%M')} · codebook <code>{html.escape(S['codebook'])}</code></p>"
                 + (f"<p><code>{html.escape(command)}</code></p>" if command else "") + "</header><main>")
    # corpus summary
    parts.append("<section><h2>Corpus</h2><div class='kpi'>")
    for label, key in [("documents", "documents"), ("characters", "characters"), ("sections", "sections"),
                       ("enumerated points", "points"), ("sentences", "sentences"), ("entities", "entities")]:
        parts.append(f"<div><b>{S[key]:,}</b>{label}</div>")
    parts.append("</div>")
    meta_cols = [c for c in ("doc_id", "title", "region", "level", "year") if c in docs.columns]
    if len(docs) <= 30:
        parts.append(_table_html(docs[meta_cols]))
    else:
        for col in ("level", "region", "year"):
            if col in docs.columns and docs[col].notna().any():
                vc = docs[col].value_counts().rename_axis(col).reset_index(name="documents")
                if col == "year":
                    vc = vc.sort_values("year")
                parts.append(f"<p><b>by {col}</b></p>" + _table_html(vc, max_rows=60))
    skipped = T.get("skipped")
    if skipped is not None and len(skipped):
        parts.append(f"<p><b>Inputs not loaded: {len(skipped)}</b></p>" + _table_html(skipped, max_rows=50))
    else:
        parts.append("<p class='note'>Every input file was loaded.</p>")
    parts.append("</section>")
    # themes
    parts.append("<section><h2>Themes</h2>")
    parts.append(f"<p class='note'>Each sentence is classified with the <code>{html.escape(S['codebook'])}</code> "
                 "codebook, fitted without labels on this corpus (seed terms, section headings, self-training).</p>")
    if "theme_composition" in F:
        parts.append(_img(F["theme_composition"], "theme composition"))
    overall = pd.Series(S["theme_shares"], name="share").rename_axis("theme").reset_index()
    parts.append(_table_html(overall))
    if "theme_trends" in F:
        parts.append("<h3>Theme shares by year</h3>" + _img(F["theme_trends"], "theme trends"))
    parts.append("</section>")
    # distinctive terms
    parts.append("<section><h2>Distinctive terms</h2>")
    if "keyness" in T:
        what = ("each group against all the others" if S["comparison"] == "groups"
                else "each top-level section of the report against the rest of the report")
        parts.append(f"<p class='note'>Keyness of {what} (by <code>{html.escape(S['compared_by'])}</code>): "
                     "Log Ratio (effect size), G² (log-likelihood), LRC (conservative Log Ratio) and the "
                     "log-odds z-score with an informative Dirichlet prior.</p><div class='grid'>")
        for name in sorted(k for k in F if k.startswith("keyness_")):
            parts.append(f"<div>{_img(F[name], name)}</div>")
        parts.append("</div>")
        if "term_heatmap" in F:
            parts.append("<h3>Distinctive terms by group (per 10,000 tokens)</h3>" + _img(F["term_heatmap"], "heatmap"))
        k = T["keyness"]
        cols = [c for c in ("group", "term", "count_target", "count_reference", "log_ratio", "g2", "lrc",
                            "log_odds_z") if c in k.columns]
        parts.append(_table_html(k.sort_values(["group", "log_ratio"], ascending=[True, False])
                                 .groupby("group").head(5)[cols], max_rows=80))
    else:
        parts.append("<p class='note'>Not enough groups or sections to compare.</p>")
    if "term_trends" in F:
        parts.append("<h3>Trends of the most distinctive terms</h3>" + _img(F["term_trends"], "term trends"))
    parts.append("</section>")
    # entities
    parts.append("<section><h2>Entities</h2>")
    if "entities" in F:
        parts.append(_img(F["entities"], "entities"))
    ents = T.get("entities")
    if ents is not None and len(ents):
        ents = ents[ents["label"] != "DATE"]
        name_col = "canonical" if "canonical" in ents.columns else "text"
        names = ents[name_col].where(ents[name_col].notna(), ents["text"])
        topn = (ents.assign(name=names).groupby(["label", "name"]).size().rename("mentions").reset_index()
                .sort_values(["label", "mentions"], ascending=[True, False]).groupby("label").head(8))
        parts.append(_table_html(topn, max_rows=60))
        metrics = ents[ents["label"] == "METRIC"]
        if len(metrics) and "indicator" in metrics.columns:
            show = [c for c in ("text", "value", "unit", "indicator") if c in metrics.columns]
            parts.append("<h3>Metrics and what they measure</h3>"
                         + _table_html(metrics[metrics["indicator"].fillna("") != ""][show], max_rows=15))
    places = T.get("places")
    if places is not None and len(places):
        parts.append("<h3>Places named (township level and below)</h3>" + _table_html(places, max_rows=20))
    parts.append("</section>")
    # files
    parts.append("<section><h2>Files</h2><ul>")
    for stem in sorted(result.files):
        links = " · ".join(f"<a href='tables/{p.name}'>tables/{p.name}</a>" for p in result.files[stem])
        parts.append(f"<li>{links} ({len(T[stem]):,} rows)</li>")
    parts.append("</ul>")
    timing = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
    parts.append(f"<p class='note'>Timings: {html.escape(timing)}</p></section></main></body></html>")
    page = "".join(parts)
    return page.replace("</style>", _embedded_font_css(page) + "</style>", 1)


def _embedded_font_css(page: str) -> str:
    """An @font-face rule with the packaged Noto Sans SC cut down to the characters of the page.

    The report then reads the same on a machine without Chinese fonts (about 100-500 KB, depending on how many
    distinct characters the page uses). Empty when the font or fontTools is not available.
    """
    import io

    from .plot import _packaged_font

    path = _packaged_font()
    if path is None:
        return ""
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:  # pragma: no cover - fontTools comes with matplotlib
        return ""
    chars = "".join(sorted({ch for ch in page if ord(ch) > 0x2000}))
    if not chars:
        return ""
    import hashlib

    from .cache import default_cache_root

    cached = default_cache_root() / "fonts" / (hashlib.blake2b(
        (path + chars).encode("utf-8"), digest_size=10).hexdigest() + ".woff")
    if cached.is_file():
        data = base64.b64encode(cached.read_bytes()).decode("ascii")
        return ("@font-face{font-family:'policytext-cjk';font-weight:normal;"
                f"src:url(data:font/woff;base64,{data}) format('woff');}}")
    options = subset.Options()
    options.flavor = "woff"
    font = TTFont(path)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    try:  # the same characters next time (a re-run of the same analysis): reuse the subset
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(buf.getvalue())
    except OSError:
        pass
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return ("@font-face{font-family:'policytext-cjk';font-weight:normal;"
            f"src:url(data:font/woff;base64,{data}) format('woff');}}")
