"""On-disk cache of per-document annotations (Parquet).

Expensive stages (structure, tokens, entities, themes) store their output per document, keyed by

* the document's **content key**: a hash of its clean text (plus, for stages that use it, its region), and
* the stage's **fingerprint**: a hash of everything else that determines the output — the policytext version, the
  backend and its version, the model, the resource files used (lexicon, gazetteer, codebook …) and the parameters.

A re-run on an unchanged corpus reads the cache; editing one document recomputes that document only; changing a
lexicon or codebook changes the fingerprints of exactly the stages that read it.

Layout::

    $POLICYTEXT_CACHE/annotations/<stage>/<fingerprint>/
        meta.json                  what the fingerprint stands for (for ``policytext cache info``)
        part-<id>.parquet          rows of many documents, with a ``doc_key`` column
        part-<id>.keys             the document keys in that part, one per line (written last)

The cache location is ``$POLICYTEXT_CACHE`` (default ``~/.cache/policytext``) or the ``path`` argument.
Writes are atomic (temporary file + rename); a part whose ``.keys`` file is missing is ignored, so an
interrupted run never yields a half-written entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["AnnotationCache", "default_cache_root", "content_key", "fingerprint", "file_digest"]

_FORMAT = 1


def default_cache_root() -> Path:
    """``$POLICYTEXT_CACHE`` or ``~/.cache/policytext`` (``$XDG_CACHE_HOME/policytext`` when set)."""
    env = os.environ.get("POLICYTEXT_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "policytext"


def content_key(text: str, *extra: object) -> str:
    """Hash of a document's text and any extra inputs (e.g. its region), 20 hex digits.

    >>> content_key("依法行政。") == content_key("依法行政。") != content_key("依法行政。", "汉滨区")
    True
    """
    h = hashlib.blake2b(text.encode("utf-8"), digest_size=10)
    for value in extra:
        h.update(b"\x00" + str(value).encode("utf-8"))
    return h.hexdigest()


def file_digest(path: str | os.PathLike) -> str:
    """Hash of a file's bytes (used to fingerprint resources such as a lexicon or a user dictionary)."""
    h = hashlib.blake2b(digest_size=10)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fingerprint(stage: str, config: Mapping[str, Any]) -> str:
    """Hash of a stage's configuration (policytext version included), 16 hex digits."""
    from . import __version__

    payload = json.dumps({"stage": stage, "policytext": __version__, "format": _FORMAT, **config},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=8).hexdigest()


class AnnotationCache:
    """Read and write per-document stage outputs.

    Parameters
    ----------
    path : str or path, optional
        Cache root; default :func:`default_cache_root`. Annotations go to ``<path>/annotations``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> cache = AnnotationCache(tempfile.mkdtemp())
    >>> fp = cache.register("tokens", {"backend": "default"})
    >>> cache.put("tokens", fp, pd.DataFrame({"doc_key": ["k1", "k1"], "token": ["依法", "行政"]}))
    >>> cache.get("tokens", fp, ["k1", "k2"])[["doc_key", "token"]].values.tolist()
    [['k1', '依法'], ['k1', '行政']]
    >>> sorted(cache.missing("tokens", fp, ["k1", "k2"]))
    ['k2']
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.root = Path(path).expanduser() if path is not None else default_cache_root()
        self.annotations = self.root / "annotations"

    def __repr__(self) -> str:
        return f"AnnotationCache({str(self.root)!r})"

    # -- keys
    def _dir(self, stage: str, fp: str) -> Path:
        if not stage.isidentifier():
            raise ParameterError(f"stage must be an identifier like 'tokens'; got {stage!r}.")
        return self.annotations / stage / fp

    def register(self, stage: str, config: Mapping[str, Any]) -> str:
        """Fingerprint of ``config`` for ``stage``; records the configuration in ``meta.json``."""
        fp = fingerprint(stage, config)
        folder = self._dir(stage, fp)
        meta = folder / "meta.json"
        if not meta.exists():
            try:
                folder.mkdir(parents=True, exist_ok=True)
                _atomic_write(meta, json.dumps({"stage": stage, "config": dict(config), "created": time.time()},
                                               ensure_ascii=False, indent=1, default=str).encode("utf-8"))
            except OSError:
                pass  # a read-only cache still works for reading
        return fp

    def keys(self, stage: str, fp: str) -> dict[str, Path]:
        """Document keys present for (stage, fingerprint), mapped to the part file holding them."""
        folder = self._dir(stage, fp)
        out: dict[str, Path] = {}
        if not folder.is_dir():
            return out
        for keys_file in sorted(folder.glob("part-*.keys")):
            part = keys_file.with_suffix(".parquet")
            if not part.exists():
                continue
            for key in keys_file.read_text(encoding="ascii").split():
                out[key] = part
        return out

    def missing(self, stage: str, fp: str, keys: Iterable[str]) -> set[str]:
        """The keys among ``keys`` that are not cached."""
        present = self.keys(stage, fp)
        return {k for k in keys if k not in present}

    # -- data
    def get_arrow(self, stage: str, fp: str, keys: Iterable[str]):
        """Like :meth:`get`, as a ``pyarrow.Table`` (no conversion to pandas; for large token tables)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        wanted = set(keys)
        present = self.keys(stage, fp)
        keys_of: dict[Path, set[str]] = {}
        for k, p in present.items():
            keys_of.setdefault(p, set()).add(k)
        parts = sorted({present[k] for k in wanted if k in present})
        if not parts:
            return None
        tables = []
        for part in parts:
            # keep dictionary-encoded string columns encoded (token tables: millions of rows, few types)
            schema = pq.read_schema(part)
            encoded = [f.name for f in schema if pa.types.is_dictionary(f.type)]
            table = pq.read_table(part, read_dictionary=encoded or None)
            part_keys = keys_of[part]
            if not part_keys <= wanted:
                mask = pc.is_in(table["doc_key"].cast(pa.string()), value_set=pa.array(sorted(wanted & part_keys)))
                table = table.filter(mask)
            tables.append(table)
        # parts without rows (documents without any entity) add nothing, and their columns may have no type
        tables = [t for t in tables if t.num_rows] or tables[:1]
        if len(tables) == 1:
            return tables[0]
        return pa.concat_tables([t.cast(tables[0].schema) for t in tables], promote_options="default")

    def get(self, stage: str, fp: str, keys: Iterable[str]) -> pd.DataFrame | None:
        """Rows of the cached documents among ``keys`` (with their ``doc_key`` column); None if none are cached."""
        table = self.get_arrow(stage, fp, keys)
        if table is None:
            return None
        dtypes = json.loads((table.schema.metadata or {}).get(b"policytext_dtypes", b"{}"))
        return _restore_dtypes(table.to_pandas(), dtypes)

    def put(self, stage: str, fp: str, frame: pd.DataFrame, keys: Iterable[str] | None = None) -> None:
        """Store ``frame`` (which has a ``doc_key`` column) as one new part.

        ``keys``: the documents this part completes, when some of them have no row (a document without any
        entity); default: the keys found in ``frame``.
        """
        import pyarrow as pa

        if "doc_key" not in frame.columns:
            raise ParameterError("AnnotationCache.put needs a 'doc_key' column.")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        dtypes = json.dumps({c: str(t) for c, t in frame.dtypes.items()}).encode("utf-8")
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"policytext_dtypes": dtypes})
        self.put_arrow(stage, fp, table, keys)

    def put_arrow(self, stage: str, fp: str, table, keys: Iterable[str] | None = None) -> None:
        """Store a ``pyarrow.Table`` with a ``doc_key`` column as one new part (``keys`` as in :meth:`put`)."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        folder = self._dir(stage, fp)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            name = f"part-{int(time.time())}-{uuid.uuid4().hex[:8]}"
            tmp = folder / f".{name}.parquet.tmp"
            pq.write_table(table, tmp, compression="zstd")
            os.replace(tmp, folder / f"{name}.parquet")
            done = pc.unique(table["doc_key"]).to_pylist() if keys is None else list(dict.fromkeys(keys))
            _atomic_write(folder / f"{name}.keys", "\n".join(map(str, done)).encode("ascii"))
        except OSError as exc:  # a full or read-only disk must not break an analysis
            import warnings

            warnings.warn(f"policytext cache: could not write to {folder} ({exc}); continuing without caching.",
                          stacklevel=2)

    # -- maintenance
    def info(self) -> pd.DataFrame:
        """One row per (stage, fingerprint): ``stage, fingerprint, documents, parts, bytes, created, config``."""
        import pandas as pd

        rows = []
        if self.annotations.is_dir():
            for stage_dir in sorted(p for p in self.annotations.iterdir() if p.is_dir()):
                for fp_dir in sorted(p for p in stage_dir.iterdir() if p.is_dir()):
                    meta = {}
                    try:
                        meta = json.loads((fp_dir / "meta.json").read_text(encoding="utf-8"))
                    except (OSError, ValueError):
                        pass
                    files = list(fp_dir.iterdir())
                    rows.append({
                        "stage": stage_dir.name,
                        "fingerprint": fp_dir.name,
                        "documents": len(self.keys(stage_dir.name, fp_dir.name)),
                        "parts": sum(f.suffix == ".parquet" for f in files),
                        "bytes": sum(f.stat().st_size for f in files if f.is_file()),
                        "created": pd.to_datetime(meta.get("created"), unit="s") if meta.get("created") else pd.NaT,
                        "config": json.dumps(meta.get("config", {}), ensure_ascii=False, sort_keys=True),
                    })
        return pd.DataFrame(rows, columns=["stage", "fingerprint", "documents", "parts", "bytes", "created",
                                           "config"])

    def clear(self, stage: str | None = None) -> int:
        """Delete cached annotations (of one stage, or all); returns the number of bytes freed."""
        target = self.annotations if stage is None else self.annotations / stage
        if not target.exists():
            return 0
        freed = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
        shutil.rmtree(target)
        return freed

    def compact(self, stage: str, fp: str) -> None:
        """Merge the parts of one (stage, fingerprint) into a single part (fewer files to open on warm runs)."""
        import pandas as pd

        present = self.keys(stage, fp)
        parts = sorted(set(present.values()))
        if len(parts) <= 1:
            return
        frame = self.get(stage, fp, present)
        self.put(stage, fp, frame if frame is not None else pd.DataFrame({"doc_key": []}))
        for part in parts:
            part.with_suffix(".keys").unlink(missing_ok=True)
            part.unlink(missing_ok=True)


def _restore_dtypes(frame: pd.DataFrame, dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Give a frame read from Parquet the dtypes it was written with (object columns keep None, not NaN)."""
    for col, dtype in dtypes.items():
        if col not in frame.columns or str(frame[col].dtype) == dtype:
            continue
        if dtype == "object":
            values = frame[col].astype(object)
            frame[col] = values.where(values.notna(), None)
        else:
            try:
                frame[col] = frame[col].astype(dtype)
            except (TypeError, ValueError):
                pass
    return frame


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------- fingerprints

_PACKAGE = Path(__file__).resolve().parent


def resource_fingerprint(*parts: str) -> str:
    """Digest of the resource files under ``policytext/resources/<part>`` (names and bytes).

    >>> len(resource_fingerprint("codebooks")) == 20
    True
    """
    import hashlib

    h = hashlib.blake2b(digest_size=10)
    for part in parts:
        base = _PACKAGE / "resources" / part
        files = sorted(base.rglob("*")) if base.is_dir() else [base] if base.exists() else []
        for f in files:
            if f.is_file():
                h.update(f.relative_to(_PACKAGE).as_posix().encode("utf-8") + b"\0" + file_digest(f).encode())
    return h.hexdigest()


def _code_fingerprint(*modules: str) -> str:
    """Digest of policytext source files (a change in the code of a stage invalidates its cache)."""
    import hashlib

    h = hashlib.blake2b(digest_size=10)
    for mod in modules:
        path = _PACKAGE / mod
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path.with_suffix(".py")]
        for f in files:
            if f.is_file():
                h.update(file_digest(f).encode())
    return h.hexdigest()


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"
