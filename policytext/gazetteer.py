"""Gazetteer of Chinese administrative divisions: provinces, prefectures, counties, townships (and villages).

The data come at run time from the location dictionary that ships inside the ``jionlp`` package (Apache-2.0;
``jionlp/dictionary/china_location.txt``: provinces, prefectures and counties with their division codes and short
forms, townships (镇/乡/街道) and villages/communities by name). jionlp is never imported (its import is slow);
its file is read in place, from the ``.zip`` it ships when the unzipped ``.txt`` is absent. Nothing is copied into
policytext: the first :func:`load_gazetteer` call parses the file (2-3 s; ~15 s with villages) and stores the
processed table in a cache directory, keyed by the jionlp version, a format number and a hash of the short-form
exclusion list; later calls, in any process, read the cache (~0.25 s after pandas is imported).

Cache directory: ``$POLICYTEXT_CACHE`` if set, else ``$XDG_CACHE_HOME/policytext``, else ``~/.cache/policytext``.
When it is not writable the table is rebuilt in memory on each new process.

Short forms are conservative: jionlp's short forms of provinces, prefectures and counties (陕西省 → 陕西, 安康市 →
安康, 汉滨区 → 汉滨, 内蒙古自治区 → 内蒙古), minus one-character forms, generic development-zone forms (高新区,
经开区) and the ordinary words listed in ``resources/lexicon/place_short_exclude.txt`` (平安区 → 平安 is dropped).
Townships and villages have no short form (大竹园镇 stays 大竹园镇).

Examples
--------
>>> from policytext.gazetteer import load_gazetteer
>>> gaz = load_gazetteer()
>>> gaz.resolve("大河镇", region="陕西省安康市汉滨区")[["name", "level", "county", "city"]].tolist()
['大河镇', 'township', '汉滨区', '安康市']
>>> len(gaz.lookup("大河镇")) > 1           # many counties have a 大河镇
True
>>> gaz.resolve("大河镇") is None           # ambiguous without a region
True
>>> gaz.resolve("汉滨")["name"]
'汉滨区'
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import threading
import time
import zipfile
from collections.abc import Iterable
from importlib import resources as _resources
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BackendNotAvailableError, ParameterError, ResourceError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Gazetteer", "load_gazetteer", "LEVELS", "COLUMNS", "GENERIC_NAMES", "cache_dir"]

#: Division levels, from the top down. ``zone`` = development zones, industrial parks, new areas and similar
#: functional areas listed among counties or townships (呼和浩特经济技术开发区, 嘉定工业区).
LEVELS: tuple[str, ...] = ("province", "city", "county-district", "township", "village-community", "zone")

#: Columns of :attr:`Gazetteer.table`.
COLUMNS: tuple[str, ...] = (
    "name", "short", "aliases", "level", "adcode", "parent", "parent_name",
    "province", "city", "county", "town",
)

_FORMAT = 8  # bump when the processed table changes shape or content rules
_LOCK = threading.Lock()
_CACHE: dict[tuple, Gazetteer] = {}

_ZONE_RE = re.compile(
    r"(开发区|开发园区|高新区|工业区|工业园区|工业园|产业园区|产业园|园区|示范区|试验区|实验区|实验基地|合作区|"
    r"保税区|保税港区|综合保税区|新区|管委会|管理委员会|管理区|旅游区|度假区|渡假区|风景区|风景名胜区|经济区|"
    r"集聚区|科技城|物流园|港区|空港|航空港)$"
)
_TOWN_SUFFIX_RE = re.compile(r"(镇|乡|街道|苏木|街道办事处|办事处)$")
# township-level entries whose whole name is a generic unit word (开发区, 农场, 良种场, 林业局, 城区 ...): they name
# no place and would turn ordinary words into PLACE entities, so they are left out of the table
_GENERIC_TOWN_RE = re.compile(
    r"^(县|市|区|省|州|盟|旗|国营|国有|第[一二三四五六七八九十]+|[一二三四五六七八九十]|新|老)?"
    r"(开发区|经济开发区|经济技术开发区|工业开发区|高新区|高新技术开发区|高新技术产业开发区|工业园区|工业区|工业园|"
    r"产业园|产业园区|保税区|旅游区|旅游度假区|度假区|风景区|开发区管委会|工业园区管委会|管委会|管理区|示范区|新区|新城|"
    r"农场|林场|牧场|马场|渔场|盐场|茶场|种畜场|原种场|良种场|园艺场|良种繁育场|良种繁殖场|种猪场|种羊场|种马场|种蜂场|"
    r"畜牧场|渔种场|蚕种场|苗圃|苗圃场|果林场|果树场|果树示范场|葡萄场|奶牛场|牛场|良凡场|农科所|棉科所|林业局|林业站|"
    r"渔业社|劳教所|监狱|社区|城区|街道|镇|乡|直辖行政区划|区直辖行政区划|县直辖行政区划|开发区类似乡级单位|"
    r"社区服务中心)$"
)
# county-level full names that are also generic words; left out of surface_forms() unless generic=True
GENERIC_NAMES = frozenset({"城区", "郊区", "矿区", "东区", "西区", "南区", "北区", "中区"})
_PSEUDO = {"省直辖行政区划", "市直辖行政区划", "自治区直辖县级行政区划", "县", "市辖区"}
_GENERIC_ZONE_SHORT = re.compile(r"(区|园|港|城|示范)$")
# county-level functional zones by name; 新区 is left out: 浦东新区 and 滨海新区 are ordinary districts
_COUNTY_ZONE_RE = re.compile(
    r"(开发区|开发园区|高新区|工业区|工业园区|工业园|产业园区|产业园|园区|示范区|试验区|实验区|合作区|保税区|"
    r"保税港区|管委会|管理委员会|旅游区|度假区|风景区|风景名胜区|经济区|集聚区)$"
)


def cache_dir() -> Path:
    """Where policytext caches derived data: ``$POLICYTEXT_CACHE`` or ``~/.cache/policytext``.

    The same folder as :func:`policytext.cache.default_cache_root`.
    """
    from .cache import default_cache_root

    return default_cache_root()


# ----------------------------------------------------------------------------------------- jionlp source


def _jionlp_source() -> tuple[str, str, Path]:
    """Return (jionlp version, text of china_location.txt, path) without importing jionlp (its import is slow)."""
    import importlib.metadata
    import importlib.util

    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise BackendNotAvailableError(
            "The gazetteer needs the 'jionlp' package, which ships the administrative-division data; it is not "
            "installed. Install it with: pip install jionlp"
        )
    try:
        version = importlib.metadata.version("jionlp")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - installed without metadata
        version = "unknown"
    root = Path(list(spec.submodule_search_locations)[0]) / "dictionary"
    txt, zpath = root / "china_location.txt", root / "china_location.zip"
    if txt.exists():
        return version, txt.read_text(encoding="utf-8"), txt
    if zpath.exists():  # a fresh install ships only the zip; jionlp unzips on import, we read it in place
        with zipfile.ZipFile(zpath) as zf:
            with zf.open("china_location.txt") as fh:
                return version, io.TextIOWrapper(fh, encoding="utf-8").read(), zpath
    raise ResourceError(
        f"jionlp {version} is installed but its location data is missing: expected {txt} or {zpath}. "
        "Reinstall it: pip install --force-reinstall jionlp"
    )


def _exclude_path() -> Path:
    return Path(str(_resources.files("policytext").joinpath("resources", "lexicon", "place_short_exclude.txt")))


def _read_exclude() -> tuple[frozenset[str], str]:
    path = _exclude_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ResourceError(f"Expected the short-form exclusion list at {path}; no such file.") from None
    words: set[str] = set()
    for lineno, raw in enumerate(data.decode("utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(line.split()) != 1:
            raise ResourceError(f"{path}, line {lineno}: expected one short form per line; got {line!r}.")
        if line in words:
            raise ResourceError(f"{path}, line {lineno}: duplicate short form {line!r}; remove one.")
        words.add(line)
    return frozenset(words), hashlib.sha1(data).hexdigest()[:10]


def _parse(text: str, exclude: frozenset[str], villages: bool) -> tuple[dict[str, list], dict[str, list]]:
    """Parse jionlp's tab-indented location file into column lists: divisions down to townships and zones, and
    (only when ``villages``) villages and communities."""
    core: dict[str, list] = {c: [] for c in COLUMNS}
    vill: dict[str, list] = {c: [] for c in COLUMNS}
    seen: set[tuple] = set()

    def add(name, short, aliases, level, adcode, parent, parent_name, province, city, county, town):
        key = (name, level, province, city, county, town)
        if key in seen:  # jionlp lists a few units twice under the same parent
            return
        seen.add(key)
        cols = vill if level == "village-community" else core
        for c, v in zip(COLUMNS, (name, short, aliases, level, adcode, parent, parent_name,
                                  province, city, county, town)):
            cols[c].append(v)

    def shorts(name: str, alias_field: str, level: str) -> list[str]:
        out = []
        for a in alias_field.split("/"):
            a = a.strip()
            if len(a) < 2 or a == name or a in exclude or a in out:
                continue
            if level == "zone" and _GENERIC_ZONE_SHORT.search(a):
                continue
            if a.endswith(("直辖", "行政区划")):
                continue
            out.append(a)
        return out

    prov = prov_code = None
    city = city_code = None
    county = county_code = None
    town = None
    for raw in text.splitlines():
        if not villages and raw.startswith("\t\t\t\t"):
            continue
        if not raw.strip():
            continue
        depth = len(raw) - len(raw.lstrip("\t"))
        fields = raw.strip().split("\t")
        name = fields[0].strip()
        code = fields[1].strip() if len(fields) > 1 and fields[1].strip() else None
        alias = fields[2].strip() if len(fields) > 2 else ""
        if depth == 0:
            prov, prov_code = name, code
            city = city_code = county = county_code = town = None
            s = shorts(name, alias, "province")
            add(name, s[0] if s else "", "|".join(s), "province", code, None, "", prov, "", "", "")
        elif depth == 1:
            county = county_code = town = None
            if name in _PSEUDO or code == prov_code or name == prov or prov.startswith(name):
                # municipality (上海市 under 上海市), 香港 under 香港特别行政区, 省直辖行政区划: no city row
                city = prov if (code == prov_code or prov.startswith(name)) else ""
                city_code = None
                continue
            city, city_code = name, code
            s = shorts(name, alias, "city")
            add(name, s[0] if s else "", "|".join(s), "city", code, prov_code, prov, prov, city, "", "")
        elif depth == 2:
            town = None
            if name in _PSEUDO:  # 市直辖行政区划 (东莞, 中山, 嘉峪关, 儋州): towns hang from the city
                county, county_code = "", None
                continue
            county, county_code = name, code
            # division codes: 01-20 districts, 21-70 counties, 71-79 functional zones, 81-99 county-level cities
            zone_code = bool(code) and len(code) == 6 and "71" <= code[4:6] <= "79"
            zone_name = len(name) >= 5 and _COUNTY_ZONE_RE.search(name)  # not 绿园区, 下花园区
            level = "zone" if zone_code or zone_name else "county-district"
            parent_code = city_code or prov_code
            parent_name = city if city_code else prov
            s = shorts(name, alias, level)
            add(name, s[0] if s else "", "|".join(s), level, code, parent_code, parent_name,
                prov, city or "", county, "")
        elif depth == 3:
            full = name
            for prefix in (county, city):
                if prefix and full.startswith(prefix):
                    rest = full[len(prefix):]
                    if len(rest) >= 3 and _TOWN_SUFFIX_RE.search(rest):
                        full = rest
                    break
            town = full
            if _GENERIC_TOWN_RE.match(full) or (len(full) <= 2 and not _TOWN_SUFFIX_RE.search(full)):
                # 开发区, 良种场, 林业局; bare two-character names (东城, 永安): no usable place name.
                # Villages below it keep their county; their town column is left empty.
                town = ""
                continue
            level = "zone" if _ZONE_RE.search(full) and not _TOWN_SUFFIX_RE.search(full) else "township"
            parent_code = county_code or city_code or prov_code
            parent_name = county or city or prov
            add(full, "", "", level, None, parent_code, parent_name, prov, city or "", county or "", full)
        else:
            parent_code = county_code or city_code or prov_code
            add(name, "", "", "village-community", None, parent_code, town or county or city or prov,
                prov, city or "", county or "", town or "")
    return core, vill


def _forms_index(names: list[str], aliases: list[str], offset: int = 0) -> dict[str, list[int]]:
    """Map every full name and short form to the row positions that carry it."""
    index: dict[str, list[int]] = {}
    for i, (n, a) in enumerate(zip(names, aliases), start=offset):
        lst = index.get(n)
        if lst is None:
            index[n] = [i]
        else:
            lst.append(i)
        if a:
            for form in a.split("|"):
                lst = index.setdefault(form, [])
                if i not in lst:
                    lst.append(i)
    return index


def _build(text: str, exclude: frozenset[str], villages: bool) -> dict:
    """Build the cached payload: the table and its name indexes (positions; villages come after all others)."""
    import pandas as pd

    core, vill = _parse(text, exclude, villages)
    index = _forms_index(core["name"], core["aliases"])
    region_index = {k: list(v) for k, v in index.items()}
    if villages:
        n = len(core["name"])
        for k, v in _forms_index(vill["name"], vill["aliases"], offset=n).items():
            index.setdefault(k, []).extend(v)
        cols = {c: core[c] + vill[c] for c in COLUMNS}
    else:
        cols = core
    df = pd.DataFrame(cols)
    for c in ("adcode", "parent"):
        df[c] = df[c].astype("string")
    df["level"] = pd.Categorical(df["level"], categories=list(LEVELS))
    # default surface_forms(): every level but villages, with short forms (highest level wins)
    rank = {lvl: i for i, lvl in enumerate(LEVELS)}
    forms: dict[str, str] = {}
    for n, a, lvl in zip(core["name"], core["aliases"], core["level"]):
        for form in [n] + (a.split("|") if a else []):
            cur = forms.get(form)
            if cur is None or rank[lvl] < rank[cur]:
                forms[form] = lvl
    for g in GENERIC_NAMES:
        forms.pop(g, None)
    return {"table": df, "index": index, "region_index": region_index, "forms": forms}


# -------------------------------------------------------------------------------------------- Gazetteer


class Gazetteer:
    """Administrative divisions of China with full names, short forms and the hierarchy above each unit.

    Build it with :func:`load_gazetteer` (cached) rather than directly.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per division, columns

        ``name``
            full name (陕西省, 安康市, 汉滨区, 大竹园镇, 五里工业园区);
        ``short``
            the usual short form (陕西, 安康, 汉滨), "" when none is safe;
        ``aliases``
            every accepted short form, ``|``-separated (克州|克孜勒苏), "" when none;
        ``level``
            one of :data:`LEVELS` (categorical);
        ``adcode``
            the 6-digit division code (string) for provinces, prefectures and counties, <NA> below;
        ``parent``
            the adcode of the nearest coded ancestor (the county for townships and villages);
        ``parent_name``
            the name of the direct parent (the township for villages);
        ``province``, ``city``, ``county``, ``town``
            the path of the division, itself included: 大竹园镇 has 陕西省 / 安康市 / 汉滨区 / 大竹园镇, 安康市 has
            陕西省 / 安康市 / "" / "" ("" where a level does not apply or is missing: 东莞市 has no county level;
            for the four municipalities ``city`` repeats the province: 北京市).
    version : str
        ``"jionlp-<version>"``: where the data come from.
    levels : tuple of str
        :data:`LEVELS`.
    """

    levels: tuple[str, ...] = LEVELS

    def __init__(
        self,
        table: pd.DataFrame,
        version: str = "",
        _index: dict[str, list[int]] | None = None,
        _region_index: dict[str, list[int]] | None = None,
        _forms: dict[str, str] | None = None,
    ) -> None:
        missing = [c for c in COLUMNS if c not in table.columns]
        if missing:
            raise ParameterError(f"table must have the columns {list(COLUMNS)}; missing {missing}.")
        self.table = table.reset_index(drop=True)
        self.version = version
        self._index = _index
        self._region_index = _region_index
        self._forms: dict[tuple, dict[str, str]] = {}
        if _forms is not None:
            self._forms[(frozenset(l for l in LEVELS if l != "village-community"), True, False)] = _forms
        self._rows: dict[int, tuple] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        counts = self.table["level"].value_counts()
        parts = ", ".join(f"{lvl}={counts.get(lvl, 0)}" for lvl in LEVELS)
        return f"Gazetteer({len(self.table)} divisions: {parts}; source {self.version})"

    def __len__(self) -> int:
        return len(self.table)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------ indexes (lazy)

    def _build_index(self) -> dict[str, list[int]]:
        with self._lock:
            if self._index is None:
                t = self.table
                self._index = _forms_index(t["name"].tolist(), t["aliases"].tolist())
        return self._index

    def _build_region_index(self) -> dict[str, list[int]]:
        """Surface forms of every division above villages, for parsing ``region`` strings."""
        index = self._build_index()
        with self._lock:
            if self._region_index is None:
                levels = self.table["level"].astype(str).tolist()
                self._region_index = {
                    k: kept for k, v in index.items() if (kept := [i for i in v if levels[i] != "village-community"])
                }
        return self._region_index

    # ------------------------------------------------------------------------------- region parsing

    def _parse_region(self, region: str) -> tuple[list[list[int]], int]:
        """Split ``region`` (陕西省安康市汉滨区) into consecutive known units.

        Returns the units (each a list of candidate rows, narrowed so that every unit lies inside the one before
        it when possible) and the number of characters they cover (unknown characters are skipped)."""
        index = self._build_region_index()
        parts: list[list[int]] = []
        covered = 0
        i, n = 0, len(region)
        while i < n:
            for j in range(min(n, i + 24), i + 1, -1):
                cand = index.get(region[i:j])
                if cand:
                    parts.append(list(cand))
                    covered += j - i
                    i = j
                    break
            else:
                i += 1
        for k in range(1, len(parts)):
            prev = parts[k - 1]
            inside = [r for r in parts[k] if any(self._contains(p, r) for p in prev)]
            if inside:
                parts[k] = inside
                outer = [p for p in prev if any(self._contains(p, r) for r in inside)]
                parts[k - 1] = outer
        return parts, covered

    def _row(self, i: int) -> tuple:
        hit = self._rows.get(i)
        if hit is None:
            t = self.table
            hit = tuple(t.iat[i, t.columns.get_loc(c)] for c in ("level", "name", "province", "city", "county", "town"))
            hit = (str(hit[0]),) + hit[1:]
            self._rows[i] = hit
        return hit

    def _contains(self, outer: int, inner: int) -> bool:
        """True when division ``outer`` encloses division ``inner`` (a division does not contain itself)."""
        if outer == inner:
            return False
        lo, no, po, co, ko, _ = self._row(outer)
        _, _, pi, ci, ki, ti = self._row(inner)
        if lo == "province":
            return pi == no
        if lo == "city":
            return pi == po and ci == no
        same = pi == po and ci == co
        if lo in ("county-district", "zone") and ko == no:  # county-level unit
            return same and ki == no
        if lo in ("township", "zone"):  # township-level unit
            return same and ki == ko and ti == no
        return False

    # ---------------------------------------------------------------------------------- lookups

    def lookup(self, name: str, region: str | None = None) -> pd.DataFrame:
        """Divisions called ``name`` (full name or short form), nearest to ``region`` first.

        Parameters
        ----------
        name : str
            A full name (大河镇, 安康市), a short form (安康, 汉滨) or a path (陕西省安康市汉滨区大竹园镇: the
            last unit is looked up inside the earlier ones).
        region : str, optional
            Where the document comes from, as a place name or path (汉滨区, 陕西省安康市汉滨区, 南昌县). When
            given, only candidates inside the most specific part of the region, or enclosing it, are kept; if
            there are none, the next broader part is tried; if still none, all candidates are returned.

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`table` (same columns, original index); empty when the name is unknown.

        Examples
        --------
        >>> from policytext.gazetteer import load_gazetteer
        >>> gaz = load_gazetteer()
        >>> gaz.lookup("大竹园镇")[["name", "county", "city"]].values.tolist()
        [['大竹园镇', '汉滨区', '安康市']]
        >>> gaz.lookup("大河镇", region="汉滨区")[["county", "city"]].values.tolist()
        [['汉滨区', '安康市']]
        >>> gaz.lookup("安康市汉滨区")["name"].tolist()
        ['汉滨区']
        """
        if not isinstance(name, str):
            raise ParameterError(f"name must be a str; got {type(name).__name__}.")
        if region is not None and not isinstance(region, str):
            raise ParameterError(f"region must be a str or None; got {type(region).__name__}.")
        name = name.strip()
        rows = list(self._build_index().get(name, []))
        if not rows and len(name) > 3:
            rows = self._lookup_path(name)
        if rows and region:
            rows = self._prefer_region(rows, region)
        return self.table.iloc[rows] if rows else self.table.iloc[0:0]

    def _lookup_path(self, name: str) -> list[int]:
        """Rows for a path such as 陕西省安康市汉滨区大竹园镇: the longest known suffix inside the known prefix."""
        index = self._build_index()
        for j in range(2, len(name) - 1):
            cand = index.get(name[j:])
            if not cand:
                continue
            parts, covered = self._parse_region(name[:j])
            if not parts or covered != j:
                continue
            inside = [r for r in cand if any(self._contains(p, r) for p in parts[-1])]
            if inside:
                return inside
        return []

    def _prefer_region(self, rows: list[int], region: str) -> list[int]:
        parts, _ = self._parse_region(region)
        for part in reversed(parts):
            near = [r for r in rows if any(r == p or self._contains(p, r) or self._contains(r, p) for p in part)]
            if near:
                return near
        return rows

    def resolve(self, name: str, region: str | None = None) -> pd.Series | None:
        """The one division ``name`` refers to near ``region``, or None when it is unknown or still ambiguous.

        Examples
        --------
        >>> from policytext.gazetteer import load_gazetteer
        >>> gaz = load_gazetteer()
        >>> gaz.resolve("汉滨区")["parent_name"]
        '安康市'
        >>> gaz.resolve("大河镇") is None
        True
        """
        found = self.lookup(name, region=region)
        return found.iloc[0] if len(found) == 1 else None

    def surface_forms(
        self, levels: Iterable[str] | None = None, shorts: bool = True, generic: bool = False
    ) -> dict[str, str]:
        """All names (and short forms) of the chosen levels, mapped to their level, for building dictionaries.

        Parameters
        ----------
        levels : iterable of str, optional
            Levels to include; default every level except ``village-community`` (600,000+ village names are
            rarely wanted in a segmentation dictionary; pass ``Gazetteer.levels`` to include them).
        shorts : bool, default True
            Include the short forms (安康, 汉滨).
        generic : bool, default False
            Include the full names that are also generic words (城区, 郊区, 矿区, 东区 …, see ``GENERIC_NAMES``).

        Returns
        -------
        dict of str to str
            Surface form -> level; a form shared by several levels maps to the highest (陕西 -> province).
            Cached per argument combination; do not mutate.

        Examples
        --------
        >>> from policytext.gazetteer import load_gazetteer
        >>> forms = load_gazetteer().surface_forms()
        >>> forms["大竹园镇"], forms["汉滨"], forms["陕西省"]
        ('township', 'county-district', 'province')
        """
        chosen = tuple(l for l in LEVELS if l != "village-community") if levels is None else tuple(levels)
        unknown = [l for l in chosen if l not in LEVELS]
        if unknown:
            raise ParameterError(f"levels must be among {', '.join(LEVELS)}; got unknown {unknown!r}.")
        key = (frozenset(chosen), bool(shorts), bool(generic))
        hit = self._forms.get(key)
        if hit is not None:
            return hit
        import pandas as pd

        t = self.table
        sub = t.loc[t["level"].isin(chosen), ["name", "aliases", "level"]]
        frames = [pd.DataFrame({"form": sub["name"].to_numpy(), "level": sub["level"].to_numpy()})]
        if shorts:
            al = sub[sub["aliases"] != ""]
            exploded = al.assign(form=al["aliases"].str.split("|")).explode("form")
            frames.append(pd.DataFrame({"form": exploded["form"].to_numpy(), "level": exploded["level"].to_numpy()}))
        both = pd.concat(frames, ignore_index=True)
        both["rank"] = both["level"].map({l: i for i, l in enumerate(LEVELS)}).astype(int)
        both = both.sort_values("rank", kind="stable").drop_duplicates("form")
        out = dict(zip(both["form"].tolist(), both["level"].astype(str).tolist()))
        if not generic:
            for g in GENERIC_NAMES:
                out.pop(g, None)
        self._forms[key] = out
        return out


# --------------------------------------------------------------------------------------------- loading


def _cache_file(version: str, exclude_hash: str, villages: bool) -> Path:
    safe = re.sub(r"[^0-9A-Za-z.]+", "_", version)
    part = "full" if villages else "towns"
    return cache_dir() / f"gazetteer-jionlp{safe}-f{_FORMAT}-{exclude_hash}-{part}.pkl"


def _jionlp_version() -> str:
    import importlib.metadata
    import importlib.util

    if importlib.util.find_spec("jionlp") is None:
        raise BackendNotAvailableError(
            "The gazetteer needs the 'jionlp' package, which ships the administrative-division data; it is not "
            "installed. Install it with: pip install jionlp"
        )
    try:
        return importlib.metadata.version("jionlp")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def load_gazetteer(villages: bool = False, refresh: bool = False) -> Gazetteer:
    """Load the gazetteer of administrative divisions (cached in memory and on disk).

    Parameters
    ----------
    villages : bool, default False
        Also load the ~656,000 villages and residential communities (村/社区). Without them the table has the
        ~46,000 divisions from provinces down to townships and zones and loads in a fraction of the time.
    refresh : bool, default False
        Rebuild from jionlp's data even when a cached table exists.

    Returns
    -------
    Gazetteer
        The same object on every call in a process (unless ``refresh``).

    Raises
    ------
    BackendNotAvailableError
        jionlp is not installed (the message gives the pip command).
    ResourceError
        jionlp's location file is missing or the exclusion list is malformed.

    Examples
    --------
    >>> from policytext.gazetteer import load_gazetteer
    >>> gaz = load_gazetteer()
    >>> gaz.table.loc[gaz.table["name"] == "安康市", ["short", "level", "adcode"]].values.tolist()
    [['安康', 'city', '610900']]
    """
    import pickle

    version = _jionlp_version()
    exclude, exclude_hash = _read_exclude()
    key = (version, exclude_hash, _FORMAT, bool(villages))
    if not refresh:
        with _LOCK:
            hit = _CACHE.get(key)
        if hit is not None:
            return hit
    path = _cache_file(version, exclude_hash, bool(villages))
    payload = None
    if not refresh and path.exists():
        try:
            with open(path, "rb") as fh:
                payload = pickle.load(fh)
            if list(payload["table"].columns) != list(COLUMNS):
                payload = None
        except Exception:  # a stale or corrupt cache is rebuilt, never fatal
            payload = None
    if payload is None:
        _, text, _ = _jionlp_source()
        payload = _build(text, exclude, bool(villages))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.{int(time.time() * 1e6)}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except OSError:
            pass  # read-only cache directory: keep the in-memory table
    gaz = Gazetteer(
        payload["table"], version=f"jionlp-{version}",
        _index=payload["index"], _region_index=payload["region_index"], _forms=payload.get("forms"),
    )
    with _LOCK:
        _CACHE[key] = gaz
    return gaz
