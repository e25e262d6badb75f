"""Load a collection of reports into a :class:`Corpus`.

``load_corpus`` reads a folder of ``.txt`` / ``.md`` / ``.html`` files (recursively), a single file, a table
(CSV, TSV, Parquet, JSON Lines) or a DataFrame, and returns a :class:`Corpus` whose ``docs`` attribute is a pandas
DataFrame with one row per document.

Metadata is merged from these sources, strongest first:

1. a manifest (``manifest=`` path or DataFrame, or a sidecar ``manifest.csv`` in the folder) joined on ``path``;
2. a path pattern such as ``"{collection}/{region}/{year}.md"``;
3. what the file carries: YAML front matter, a portal page's disclosure header (文件名称, 索引号, 成文日期 …),
   HTML ``<meta>`` tags;
4. inference: ``region`` from the portal's site name or the title, ``level`` from the region's suffix, ``year``
   from the title, else from the written or published date.

Nothing is dropped silently: every file appears in ``corpus.report`` as loaded, skipped (with the reason),
duplicate or empty.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import CorpusError, DecodeError, InputError, ParameterError, check_choice
from .readers import read_document
from .regions import infer_level, region_from_site, region_from_title, year_from_title

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .structure import DocumentParts

__all__ = ["load_corpus", "iter_corpus", "Corpus", "LoadReport", "DOC_COLUMNS", "DEFAULT_EXTENSIONS", "DEFAULT_EXCLUDE"]

#: Columns every ``Corpus.docs`` has, in this order (other metadata columns follow ``path``).
DOC_COLUMNS = ["doc_id", "title", "region", "level", "year", "path"]
DEFAULT_EXTENSIONS = {".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                      ".shtml": "html", ".xhtml": "html"}
#: File names never read as documents (they are reported as excluded).
DEFAULT_EXCLUDE = ("README*", "readme*", "LICENSE*", "manifest.csv", "manifest.tsv")
_TABLE_EXTENSIONS = {".csv", ".tsv", ".parquet", ".pq", ".jsonl", ".ndjson", ".json"}
_TEXT_COLUMNS = ("text", "content", "body", "fulltext", "full_text", "正文", "全文", "内容")
_ID_COLUMNS = ("doc_id", "id", "ID", "docid")
_REPORT_COLUMNS = ["path", "doc_id", "status", "reason", "duplicate_of"]


# --------------------------------------------------------------------------- the load report


@dataclass
class LoadReport:
    """What happened to every input of :func:`load_corpus`.

    Attributes
    ----------
    entries : pandas.DataFrame
        One row per input: ``path``, ``doc_id``, ``status`` (``loaded``, ``skipped``, ``empty``, ``duplicate``,
        ``excluded``, ``missing``), ``reason`` (why it was skipped, or a note such as "pattern did not match") and
        ``duplicate_of`` (the doc_id of the first document with the same clean text).
    """

    rows: list[tuple] = field(default_factory=list)

    def add(self, path: str | None, doc_id: str | None, status: str, reason: str = "", duplicate_of=None) -> None:
        self.rows.append((path, doc_id, status, reason, duplicate_of))

    @property
    def entries(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.rows, columns=_REPORT_COLUMNS)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r[2] == status)

    @property
    def n_loaded(self) -> int:
        """Documents in the corpus."""
        return self.count("loaded")

    @property
    def skipped(self) -> pd.DataFrame:
        """Inputs that did not become documents, with the reason."""
        e = self.entries
        return e[e["status"] != "loaded"].reset_index(drop=True)

    @property
    def duplicates(self) -> pd.DataFrame:
        """Documents whose clean text equals an earlier document's (``duplicate_of`` names it)."""
        e = self.entries
        return e[e["duplicate_of"].notna()].reset_index(drop=True)

    def summary(self) -> dict:
        """Counts by status and by skip reason, as a JSON-ready dict."""
        by_status: dict[str, int] = {}
        reasons: dict[str, int] = {}
        for _, _, status, reason, _ in self.rows:
            by_status[status] = by_status.get(status, 0) + 1
            if status != "loaded":
                key = reason.split(":")[0] if reason else status
                reasons[key] = reasons.get(key, 0) + 1
        dup = sum(1 for r in self.rows if r[4] is not None)
        return {"loaded": self.n_loaded, "by_status": by_status, "skip_reasons": reasons, "duplicates": dup}

    def __repr__(self) -> str:
        s = self.summary()
        parts = [f"{k}={v}" for k, v in s["by_status"].items()]
        return f"LoadReport({', '.join(parts) or 'empty'}; duplicates={s['duplicates']})"


# --------------------------------------------------------------------------- the corpus


class Corpus:
    """A collection of documents with metadata, and their structure.

    Parameters
    ----------
    docs : pandas.DataFrame
        One row per document with at least ``doc_id`` and ``text``; see :data:`DOC_COLUMNS`.
    report : LoadReport, optional
        How the documents were loaded.

    Attributes
    ----------
    docs : pandas.DataFrame
        ``doc_id, title, region, level, year, path``, other metadata columns, ``text`` (the clean text that every
        offset refers to) and ``raw_text`` (the decoded file before clean-up, when loaded from files).
    report : LoadReport
        Loaded, skipped, empty and duplicate inputs.

    Examples
    --------
    >>> import policytext as pt
    >>> corpus = pt.Corpus.from_texts(["一、总体情况\\n全年办结案件53件。", "二、下一步工作。"],
    ...                               metadata={"region": ["汉滨区", "安康市"], "year": [2023, 2023]})
    >>> len(corpus), corpus.docs["level"].tolist()
    (2, ['county-district', 'city'])
    >>> corpus.sentences[["doc_id", "section_path", "text"]].values.tolist()
    [['0', '一', '一、总体情况'], ['0', '一', '全年办结案件53件。'], ['1', '二', '二、下一步工作。']]
    """

    def __init__(self, docs: pd.DataFrame, report: LoadReport | None = None, *, semicolons: bool = False):
        import pandas as pd

        if not isinstance(docs, pd.DataFrame):
            raise InputError(f"Corpus expects a pandas DataFrame of documents; got {type(docs).__name__}.")
        missing = [c for c in ("doc_id", "text") if c not in docs.columns]
        if missing:
            raise InputError(
                f"Corpus docs need columns 'doc_id' and 'text'; missing {missing}. Use load_corpus(dataframe, "
                "text_column=...) to build one from any table."
            )
        if docs["doc_id"].duplicated().any():
            dups = docs.loc[docs["doc_id"].duplicated(), "doc_id"].head(3).tolist()
            raise InputError(f"doc_id values must be unique; repeated: {dups}.")
        self.docs = _order_columns(docs.reset_index(drop=True))
        self.report = report if report is not None else LoadReport()
        self.semicolons = semicolons

    # -- construction
    @classmethod
    def from_texts(
        cls,
        texts: Iterable[str],
        metadata: Mapping[str, Iterable] | pd.DataFrame | None = None,
        doc_ids: Iterable[str] | None = None,
    ) -> Corpus:
        """Build a corpus from strings; ``metadata`` columns (region, year, …) are aligned with ``texts``."""
        import pandas as pd

        texts = list(texts)
        frame = pd.DataFrame(metadata if metadata is not None else {}, index=range(len(texts)))
        frame["text"] = texts
        if doc_ids is not None:
            frame["doc_id"] = [str(d) for d in doc_ids]
        return load_corpus(frame)

    # -- basic protocol
    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Iterator[Any]:
        """Iterate over document rows (named tuples with the ``docs`` columns)."""
        return self.docs.itertuples(index=False)

    def __repr__(self) -> str:
        n = len(self.docs)
        chars = int(self.docs["text"].str.len().sum()) if n else 0
        levels = self.docs["level"].value_counts(dropna=True).to_dict() if n else {}
        level_txt = ", ".join(f"{k}: {v}" for k, v in levels.items())
        return f"<Corpus: {n} documents, {chars:,} characters{'; ' + level_txt if level_txt else ''}>"

    def __getitem__(self, key) -> Any:
        """``corpus["doc_id"]`` gives one document row; a boolean mask or a list of ids gives a sub-corpus."""
        import pandas as pd

        if isinstance(key, str):
            rows = self.docs[self.docs["doc_id"] == key]
            if rows.empty:
                raise KeyError(f"no document with doc_id {key!r}")
            return rows.iloc[0]
        if isinstance(key, (pd.Series, list, tuple)) and len(key) and isinstance(list(key)[0], str):
            wanted = list(key)
            return self._subset(self.docs[self.docs["doc_id"].isin(wanted)])
        return self._subset(self.docs[key])

    def _subset(self, docs: pd.DataFrame) -> Corpus:
        sub = Corpus(docs, self.report, semicolons=self.semicolons)
        if "_parts" in self.__dict__:  # reuse the structure already computed
            keep = set(sub.docs["doc_id"])
            parts = self.__dict__["_parts"]
            from .structure import DocumentParts

            sub.__dict__["_parts"] = DocumentParts(
                *(t[t["doc_id"].isin(keep)].reset_index(drop=True) for t in parts)
            )
        return sub

    def filter(self, mask=None, **equals) -> Corpus:
        """Sub-corpus of the documents matching ``mask`` and every ``column=value`` condition.

        A value may be a scalar, a list/set/range (membership) or a callable applied to the column.

        >>> import policytext as pt
        >>> c = pt.Corpus.from_texts(["甲。", "乙。", "丙。"], metadata={"year": [2019, 2020, 2021]})
        >>> len(c.filter(year=range(2020, 2022)))
        2
        """
        keep = match_rows(self.docs, mask, **equals)
        return self._subset(self.docs[keep])

    def text(self, doc_id: str) -> str:
        """The clean text of one document."""
        return self[doc_id]["text"]

    # -- structure
    @cached_property
    def _parts(self) -> DocumentParts:
        from .structure import split_many

        return split_many(self.docs["doc_id"].tolist(), self.docs["text"].tolist(), semicolons=self.semicolons)

    @property
    def sentences(self) -> pd.DataFrame:
        """Sentence table of the whole corpus (computed on first use, then cached).

        Columns: ``doc_id, sent_id, para_id, section_id, section_path, section_title, section_level, is_heading,
        item_no, start, end, text``; ``docs.text[start:end] == text`` for every row. See
        :func:`policytext.split_document`.
        """
        return self._parts.sentences

    @property
    def sections(self) -> pd.DataFrame:
        """Section table of the whole corpus (see :func:`policytext.split_document`)."""
        return self._parts.sections

    @property
    def points(self) -> pd.DataFrame:
        """Enumerated points (一是……二是……) of the whole corpus (see :func:`policytext.split_document`)."""
        return self._parts.points

    def sentences_with(self, columns: Iterable[str] = ("region", "level", "year")) -> pd.DataFrame:
        """The sentence table joined with document metadata columns (for grouping by region, year…)."""
        cols = ["doc_id"] + [c for c in columns if c != "doc_id"]
        missing = [c for c in cols if c not in self.docs.columns]
        if missing:
            raise ParameterError(f"sentences_with: no document column(s) {missing}; have {list(self.docs.columns)}.")
        return self.sentences.merge(self.docs[cols], on="doc_id", how="left")

    # -- summaries
    def summary(self) -> dict:
        """Documents by level, region and year, structure counts and skipped inputs, as a JSON-ready dict."""
        docs = self.docs

        def counts(col):
            if col not in docs.columns:
                return {}
            vc = docs[col].dropna().value_counts().sort_index()
            return {str(k): int(v) for k, v in vc.items()}

        return {
            "documents": len(docs),
            "characters": int(docs["text"].str.len().sum()) if len(docs) else 0,
            "sections": len(self.sections),
            "points": len(self.points),
            "sentences": len(self.sentences),
            "by_level": counts("level"),
            "by_region": counts("region"),
            "by_year": counts("year"),
            "missing_metadata": {
                c: int(docs[c].isna().sum()) for c in ("title", "region", "level", "year") if c in docs.columns
            },
            "report": self.report.summary(),
            "skipped": [
                {"path": r[0], "status": r[2], "reason": r[3]} for r in self.report.rows if r[2] != "loaded"
            ],
        }


def match_rows(docs: pd.DataFrame, mask=None, **equals) -> pd.Series:
    """Boolean Series: rows of ``docs`` matching ``mask`` and every ``column=value`` condition.

    A value may be a scalar, a list/set/range (membership) or a callable applied to the column; missing values
    never match. Used by :meth:`Corpus.filter` and :meth:`policytext.stats.DocumentTermMatrix.filter`.

    >>> import pandas as pd
    >>> match_rows(pd.DataFrame({"year": [2019, 2020, None]}), year=range(2019, 2021)).tolist()
    [True, True, False]
    """
    import numpy as np
    import pandas as pd

    keep = pd.Series(True, index=docs.index)
    if mask is not None:
        keep &= pd.Series(np.asarray(mask, dtype=bool), index=docs.index)
    for column, value in equals.items():
        if column not in docs.columns:
            raise ParameterError(f"filter: no column {column!r}; the documents have {list(docs.columns)}.")
        col = docs[column]
        if callable(value):
            keep &= col.map(value).astype(bool)
        elif isinstance(value, (list, tuple, set, frozenset, range)):
            keep &= col.isin(list(value))
        else:
            keep &= col == value
    return keep.fillna(False).astype(bool)


def _order_columns(docs: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    docs = docs.copy()
    for col in DOC_COLUMNS:
        if col not in docs.columns:
            docs[col] = None
    docs["doc_id"] = docs["doc_id"].astype(str).astype(object)  # plain strings: fast joins with sentence tables
    docs["year"] = pd.to_numeric(docs["year"], errors="coerce").astype("Int64")
    for col in ("title", "region", "level", "path"):
        docs[col] = docs[col].astype(object).where(docs[col].notna(), None)
    tail = [c for c in ("text", "raw_text") if c in docs.columns]
    middle = [c for c in docs.columns if c not in DOC_COLUMNS and c not in tail]
    return docs[DOC_COLUMNS + middle + tail]


# --------------------------------------------------------------------------- path patterns


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Compile ``"{collection}/{region}/{year}.md"`` into a regex with one named group per field."""
    out, pos = [], 0
    for m in re.finditer(r"\{(\w+)\}|\*\*|\*", pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        if m.group(1):
            name = m.group(1)
            out.append(rf"(?P<{name}>\d{{4}})" if name == "year" else rf"(?P<{name}>[^/]+?)")
        elif m.group() == "**":
            out.append(r".*")
        else:
            out.append(r"[^/]*")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out))


def _match_pattern(rx: re.Pattern[str], relpath: str) -> dict | None:
    target = relpath if "/" in rx.pattern or "\\/" in rx.pattern else relpath.rsplit("/", 1)[-1]
    m = rx.fullmatch(target)
    if not m and "/" not in rx.pattern:
        m = rx.fullmatch(relpath.rsplit("/", 1)[-1])
    return m.groupdict() if m else None


# --------------------------------------------------------------------------- loading


def _is_excluded(name: str, exclude: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, pat) for pat in exclude)


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _read_manifest(manifest, root: Path | None):
    import pandas as pd

    if isinstance(manifest, pd.DataFrame):
        frame = manifest.copy()
        where = "the manifest DataFrame"
    else:
        path = Path(manifest)
        if not path.is_file():
            raise CorpusError(f"manifest file not found: {path}. Pass manifest=None to use no manifest.")
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        frame = pd.read_csv(path, sep=sep, dtype={"path": str}, keep_default_na=True)
        where = str(path)
    key = next((c for c in ("path", "file", "filename", "relpath") if c in frame.columns), None)
    if key is None:
        raise CorpusError(
            f"{where} needs a 'path' column with file paths relative to the corpus folder; columns are "
            f"{list(frame.columns)}."
        )
    frame = frame.rename(columns={key: "path"})
    frame["path"] = frame["path"].astype(str).str.replace("\\", "/", regex=False)
    if root is not None:
        root_posix = root.resolve().as_posix() + "/"
        frame["path"] = frame["path"].map(lambda p: p[len(root_posix) :] if p.startswith(root_posix) else p)
    frame["path"] = frame["path"].map(lambda p: p[2:] if p.startswith("./") else p)
    if frame["path"].duplicated().any():
        raise CorpusError(f"{where}: repeated paths {frame.loc[frame['path'].duplicated(), 'path'].head(3).tolist()}.")
    return frame


def _missing(v) -> bool:
    """True for None, NaN, pandas NA and empty strings."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return True
    try:
        return bool(v != v) or v is __import__("pandas").NA
    except (TypeError, ValueError):
        return False


def _clean_meta_value(v):
    if isinstance(v, (list, tuple, set)):
        return "; ".join(map(str, v))
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _finish_metadata(meta: dict) -> dict:
    """Fill title/region/level/year from what is known (see the module docstring for the order)."""
    if not meta.get("title") and meta.get("html_title"):
        meta["title"] = meta["html_title"]
    if not meta.get("region"):
        meta["region"] = region_from_site(meta.get("site")) or region_from_title(meta.get("title"))
    if not meta.get("level"):
        meta["level"] = infer_level(meta.get("region"))
    year = meta.get("year")
    if year is None or (isinstance(year, float) and year != year) or year == "":
        year = year_from_title(meta.get("title"))
        if year is None:
            for key in ("written_date", "published_date", "date"):
                value = meta.get(key)
                if value:
                    m = re.search(r"(?:19|20)\d{2}", str(value))
                    if m:
                        year = int(m.group())
                        break
        meta["year"] = year
    return meta


def load_corpus(
    source,
    pattern: str | None = None,
    manifest=None,
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    extensions: Mapping[str, str] | Iterable[str] | None = None,
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
    encoding: str | None = None,
    drop_duplicates: bool = False,
    keep_raw: bool = True,
    on_error: str = "skip",
    semicolons: bool = False,
    root: str | os.PathLike | None = None,
) -> Corpus:
    """Load reports into a :class:`Corpus`.

    Parameters
    ----------
    source : str, path, pandas.DataFrame or list of paths
        A folder (read recursively), one file (``.txt``/``.md``/``.html`` document, or a ``.csv``/``.tsv``/
        ``.parquet``/``.jsonl``/``.json`` table with one document per row), a DataFrame with a text column, or a
        list of file paths.
    pattern : str, optional
        Metadata from each file's path relative to the folder, e.g. ``"{collection}/{region}/{year}.md"``.
        ``{name}`` captures one path component (``{year}`` four digits), ``*`` any characters but ``/``, ``**``
        anything. Files that do not match keep their other metadata and get a note in the report.
    manifest : str, path, pandas.DataFrame or False, optional
        A table with a ``path`` column (relative to the folder) and metadata columns, joined on path. By default a
        ``manifest.csv`` at the top of the folder is used when present; ``False`` disables that.
    text_column, id_column : str, optional
        For tables: the column with the text (default: the first of ``text``, ``content``, ``body``, ``正文`` …)
        and the one with ids (default ``doc_id`` or ``id``; else the row number).
    extensions : mapping or iterable, optional
        File extensions read as documents and their kind (``txt``, ``md``, ``html``); default
        :data:`DEFAULT_EXTENSIONS`. Other files are reported as skipped.
    exclude : iterable of str
        File-name glob patterns never read (README, LICENSE, the manifest); reported as excluded.
    encoding : str, optional
        Force an encoding; by default UTF-8 (with or without BOM), UTF-16 (BOM) and GB18030/GBK are detected.
    drop_duplicates : bool, default False
        Drop documents whose clean text repeats an earlier one. Duplicates are always listed in
        ``report.duplicates``.
    keep_raw : bool, default True
        Keep the decoded text before clean-up in a ``raw_text`` column.
    on_error : {"skip", "raise"}, default "skip"
        What to do with an unreadable file: record it in ``corpus.report`` or raise :class:`CorpusError`.
    semicolons : bool, default False
        Passed to the sentence splitter: also end sentences at ；.
    root : str or path, optional
        With a list of paths: the folder that paths, doc_ids, patterns and the manifest are relative to
        (default: the deepest folder containing them all).

    Returns
    -------
    Corpus

    Raises
    ------
    CorpusError
        The source does not exist, has an unknown format, yields no document at all, or (with
        ``on_error="raise"``) a file cannot be read.

    Examples
    --------
    >>> import policytext as pt, pandas as pd
    >>> corpus = pt.load_corpus(pd.DataFrame({"text": ["汉滨区2023年法治政府建设工作总结。"], "region": ["汉滨区"]}))
    >>> corpus.docs[["doc_id", "region", "level"]].values.tolist()
    [['0', '汉滨区', 'county-district']]
    """
    import pandas as pd

    check_choice("on_error", on_error, ("skip", "raise"))
    report = LoadReport()
    if isinstance(source, pd.DataFrame):
        frame = _from_table(source, text_column, id_column, "<DataFrame>")
        records, root = None, None
    else:
        records, frame = None, None
        if isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if not path.exists():
                raise CorpusError(f"corpus source not found: {str(path)!r}. Pass a folder, a file or a DataFrame.")
            if path.is_dir():
                root = path
                files = list(_walk(path))
            elif path.suffix.lower() in _TABLE_EXTENSIONS:
                frame = _from_table(_read_table(path), text_column, id_column, str(path))
                files = []
            else:
                root = path.parent
                files = [path]
        elif isinstance(source, Iterable):
            files = [Path(p) for p in source]
            if not files:
                raise CorpusError("load_corpus got an empty list of paths.")
            root = Path(root) if root is not None else Path(
                os.path.commonpath([str(p.resolve().parent) for p in files]))
        else:
            raise CorpusError(
                f"load_corpus expects a folder, a file, a list of paths or a DataFrame; got {type(source).__name__}."
            )
        if frame is None:
            records = _read_files(files, root, extensions, exclude, encoding, on_error, report)

    if frame is not None:
        records = frame.to_dict("records")
        for r in records:
            r.setdefault("path", None)

    # manifest
    man = None
    if manifest is None and root is not None and (root / "manifest.csv").is_file():
        manifest = root / "manifest.csv"
    if manifest is not None and manifest is not False:
        man = _read_manifest(manifest, root)
        by_path = {r.get("path"): r for r in records}
        listed = set()
        for row in man.to_dict("records"):
            rec = by_path.get(row["path"])
            listed.add(row["path"])
            if rec is None:
                report.add(row["path"], None, "missing", "listed in the manifest but not found")
                continue
            for k, v in row.items():
                if k != "path" and not (v is None or (isinstance(v, float) and v != v)):
                    rec["_manifest_" + k] = v

    # path pattern
    rx = _pattern_regex(pattern) if pattern else None
    out = []
    seen_hash: dict[str, str] = {}
    for rec in records:
        meta = {k: _clean_meta_value(v) for k, v in rec.pop("_meta", {}).items()}
        note = ""
        if rx is not None and rec.get("path"):
            fields = _match_pattern(rx, rec["path"])
            if fields is None:
                note = f"pattern did not match {pattern!r}"
            else:
                meta.update({k: (int(v) if k == "year" else v) for k, v in fields.items()})
        for k in [k for k in rec if k.startswith("_manifest_")]:
            meta[k[len("_manifest_") :]] = rec.pop(k)
        for k, v in rec.items():
            if k not in ("text", "raw_text", "doc_id", "path") and k not in meta:
                meta[k] = v
        meta = _finish_metadata({k: v for k, v in meta.items() if not _missing(v)})
        if meta.get("title") == meta.get("html_title"):
            meta.pop("html_title", None)
        doc_id = str(rec["doc_id"])
        text = rec["text"] if isinstance(rec["text"], str) else ""
        if not text.strip():
            report.add(rec.get("path"), doc_id, "empty", "no text after clean-up")
            continue
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        first = seen_hash.get(digest)
        if first is not None and drop_duplicates:
            report.add(rec.get("path"), doc_id, "duplicate", "same text as an earlier document", first)
            continue
        report.add(rec.get("path"), doc_id, "loaded", note, first)
        seen_hash.setdefault(digest, doc_id)
        row = {"doc_id": doc_id, "path": rec.get("path"), **meta, "text": text}
        if keep_raw and "raw_text" in rec:
            row["raw_text"] = rec["raw_text"]
        out.append(row)

    if not out:
        detail = report.summary()["skip_reasons"]
        raise CorpusError(
            f"no documents loaded from {source if not isinstance(source, pd.DataFrame) else 'the DataFrame'}"
            f" (skipped: {detail or 'no files found'}). Supported files: "
            f"{', '.join(sorted(_extensions(extensions)))}; tables: {', '.join(sorted(_TABLE_EXTENSIONS))}."
        )
    docs = pd.DataFrame(out)
    from .perf import release_memory

    release_memory()  # the raw files and intermediate strings are gone: give their pages back
    return Corpus(docs, report, semicolons=semicolons)


def iter_corpus(source, batch_size: int = 200, **options) -> Iterator[Corpus]:
    """Load a folder ``batch_size`` files at a time, for corpora larger than memory.

    Yields one :class:`Corpus` per batch, with doc_ids, paths, the ``pattern`` and the sidecar manifest all
    relative to ``source`` as in :func:`load_corpus`. Each batch has its own load report; duplicates are detected
    within a batch only. A table file (CSV, Parquet, JSONL) is read in one piece and yielded in batches of rows.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for i in range(5):
    ...     _ = (folder / f"{i}.txt").write_text(f"第{i}份报告。", encoding="utf-8")
    >>> [len(c) for c in iter_corpus(folder, batch_size=2)]
    [2, 2, 1]
    """
    import pandas as pd

    if not isinstance(batch_size, int) or batch_size < 1:
        raise ParameterError(f"batch_size must be a positive integer; got {batch_size!r}.")
    if isinstance(source, pd.DataFrame) or (isinstance(source, (str, os.PathLike)) and Path(source).is_file()):
        corpus = load_corpus(source, **options)
        for i in range(0, len(corpus), batch_size):
            yield corpus._subset(corpus.docs.iloc[i : i + batch_size])
        return
    path = Path(source)
    if not path.is_dir():
        raise CorpusError(f"corpus source not found: {str(path)!r}. Pass a folder, a file or a DataFrame.")
    exclude = options.get("exclude", DEFAULT_EXCLUDE)
    files = list(_walk(path))
    if options.get("manifest") is None and (path / "manifest.csv").is_file():
        options["manifest"] = path / "manifest.csv"
    if options.get("manifest") is not None and options.get("manifest") is not False:
        options["manifest"] = _read_manifest(options["manifest"], path)  # read once, not once per batch
    for i in range(0, len(files), batch_size):
        batch = files[i : i + batch_size]
        manifest = options.get("manifest")
        if isinstance(manifest, pd.DataFrame):  # only the rows of this batch, so others are not "missing"
            rel = {f.resolve().relative_to(path.resolve()).as_posix() for f in batch}
            options = {**options, "manifest": manifest[manifest["path"].isin(rel)]}
        try:
            yield load_corpus(batch, root=path, **{**options, "exclude": exclude})
        except CorpusError:
            if all(_is_excluded(f.name, exclude) or f.suffix.lower() not in _extensions(options.get("extensions"))
                   for f in batch):
                continue  # a batch of only non-document files: nothing to yield
            raise
        finally:
            options["manifest"] = manifest


def _extensions(extensions) -> dict[str, str]:
    if extensions is None:
        return dict(DEFAULT_EXTENSIONS)
    if isinstance(extensions, Mapping):
        return {k.lower(): v for k, v in extensions.items()}
    out = {}
    for ext in extensions:
        ext = ext.lower() if ext.startswith(".") else "." + ext.lower()
        if ext not in DEFAULT_EXTENSIONS:
            raise ParameterError(
                f"extensions: {ext!r} is not a known document type; known: {sorted(DEFAULT_EXTENSIONS)}. Pass a "
                "mapping like {'.xml': 'html'} to read other extensions as txt/md/html."
            )
        out[ext] = DEFAULT_EXTENSIONS[ext]
    return out


def _read_files(files, root, extensions, exclude, encoding, on_error, report) -> list[dict]:
    exts = _extensions(extensions)
    records = []
    for path in files:
        rel = path.resolve().relative_to(root.resolve()).as_posix() if root is not None else path.name
        if _is_excluded(path.name, exclude):
            report.add(rel, None, "excluded", "file name matches exclude patterns")
            continue
        kind = exts.get(path.suffix.lower())
        if kind is None:
            report.add(rel, None, "skipped", f"unsupported file type: {path.suffix or '(no extension)'}")
            continue
        try:
            data = path.read_bytes()
            parsed = read_document(data, kind, name=rel, encoding=encoding)
        except (OSError, DecodeError) as exc:
            if on_error == "raise":
                raise CorpusError(f"cannot read {rel}: {exc}") from exc
            report.add(rel, None, "skipped", f"unreadable: {exc}")
            continue
        doc_id = rel.rsplit(".", 1)[0] if "." in rel.rsplit("/", 1)[-1] else rel
        records.append(
            {"doc_id": doc_id, "path": rel, "text": parsed.text, "raw_text": parsed.raw,
             "_meta": {**parsed.metadata, "encoding": parsed.encoding}}
        )
    return records


def _read_table(path: Path):
    import pandas as pd

    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        if suffix == ".json":
            return pd.read_json(path, dtype=False)
        sep = "\t" if suffix == ".tsv" else ","
        raw = path.read_bytes()
        import io

        from .readers import decode_bytes

        text, _ = decode_bytes(raw, None, str(path))
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (ValueError, OSError) as exc:
        raise CorpusError(f"cannot read table {path}: {exc}") from exc


def _from_table(frame, text_column, id_column, where):

    if text_column is None:
        text_column = next((c for c in _TEXT_COLUMNS if c in frame.columns), None)
        if text_column is None:
            raise CorpusError(
                f"{where}: no text column found; columns are {list(frame.columns)}. Pass text_column=..."
            )
    elif text_column not in frame.columns:
        raise CorpusError(f"{where}: text_column={text_column!r} is not a column; columns are {list(frame.columns)}.")
    if id_column is None:
        id_column = next((c for c in _ID_COLUMNS if c in frame.columns), None)
    elif id_column not in frame.columns:
        raise CorpusError(f"{where}: id_column={id_column!r} is not a column; columns are {list(frame.columns)}.")
    out = frame.copy()
    raw = out[text_column].astype(object)
    from .readers import clean_plain_text

    out["raw_text"] = raw
    out["text"] = [clean_plain_text(t) if isinstance(t, str) else "" for t in raw]
    if text_column != "text":
        out = out.drop(columns=[text_column])
    if id_column is not None:
        ids = out[id_column].astype(str)
        if id_column != "doc_id":
            out = out.drop(columns=[id_column])
        out["doc_id"] = ids
    else:
        out["doc_id"] = [str(i) for i in range(len(out))]
    if out["doc_id"].duplicated().any():
        raise CorpusError(f"{where}: ids in {id_column!r} are not unique, e.g. "
                          f"{out.loc[out['doc_id'].duplicated(), 'doc_id'].head(3).tolist()}.")
    return out
