"""Loading the entity tagger's data files (``policytext/resources/entities/``).

Two formats, both UTF-8 with ``#`` comment lines, blank lines ignored and a required ``# version: X.Y.Z`` line:

* ``*.txt``: one entry per line;
* ``*.tsv``: a header line naming the columns, then tab-separated rows (trailing empty fields may be omitted).

Malformed files raise :class:`policytext.errors.ResourceError` naming the file and line.
"""

from __future__ import annotations

import functools
import re
from importlib import resources as _resources
from pathlib import Path

from ..errors import ResourceError

__all__ = ["read_list", "read_table", "resource_path"]

_VERSION_RE = re.compile(r"^#\s*version\s*:\s*(\S+)\s*$", re.IGNORECASE)


def resource_path(name: str) -> Path:
    """Path of a data file in ``policytext/resources/entities``."""
    return Path(str(_resources.files("policytext").joinpath("resources", "entities", name)))


def _lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ResourceError(f"Expected the entity data file {path}; it is missing. Reinstall policytext.") from None
    except UnicodeDecodeError:
        raise ResourceError(f"{path}: expected UTF-8 text. Save the file as UTF-8.") from None
    out: list[tuple[int, str]] = []
    version = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            m = _VERSION_RE.match(line.strip())
            if m:
                version = m.group(1)
            continue
        out.append((lineno, line))
    if version is None:
        raise ResourceError(f"{path}: expected a '# version: X.Y.Z' comment line; found none. Add one at the top.")
    return out


@functools.cache
def read_list(name: str) -> tuple[str, ...]:
    """Entries of a one-entry-per-line data file, in file order.

    >>> "个百分点" in [row[0] for row in read_table("units.tsv")]
    True
    """
    path = resource_path(name)
    out: list[str] = []
    seen: dict[str, int] = {}
    for lineno, line in _lines(path):
        entry = line.strip()
        if "\t" in entry:
            raise ResourceError(f"{path}, line {lineno}: expected one entry per line; got a tab in {line!r}.")
        if entry in seen:
            raise ResourceError(
                f"{path}, line {lineno}: duplicate entry {entry!r} (first on line {seen[entry]}); remove one."
            )
        seen[entry] = lineno
        out.append(entry)
    return tuple(out)


@functools.cache
def read_table(name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of a TSV data file (header excluded), each padded to the header's width."""
    path = resource_path(name)
    rows = _lines(path)
    if not rows:
        raise ResourceError(f"{path}: expected a header line and rows; the file has no entries.")
    header = rows[0][1].split("\t")
    width = len(header)
    out: list[tuple[str, ...]] = []
    seen: dict[str, int] = {}
    for lineno, line in rows[1:]:
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) > width or not fields[0]:
            raise ResourceError(
                f"{path}, line {lineno}: expected up to {width} tab-separated fields ({', '.join(header)}) "
                f"starting with a non-empty {header[0]}; got {line!r}."
            )
        key = "\t".join(fields)
        if key in seen:
            raise ResourceError(f"{path}, line {lineno}: duplicate row {line!r} (first on line {seen[key]}).")
        seen[key] = lineno
        out.append(tuple(fields + [""] * (width - len(fields))))
    return tuple(out)
