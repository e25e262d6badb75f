"""PLACE: administrative divisions, development zones and named areas, resolved against the gazetteer.

Rules (spec/entities.md, PLACE):

* administrative divisions from province down to township (and villages or communities, when the tagger is built
  with ``villages=True``) by full name (陕西省, 汉滨区, 大竹园镇) or short form (陕西, 汉滨, 深圳), from
  :func:`policytext.gazetteer.load_gazetteer`;
* development zones, parks and new areas: the gazetteer's zones, and names that start with a place (or 国家,
  中国, a pair of country or province abbreviations) and end with a zone ending from ``place_suffixes.txt``
  (苏州工业园区, 中以（常州）创新园, 黄河三角洲国家农业高新技术开发区), but not honorary titles (创建…示范区);
* rivers, lakes, mountains, regions, countries and world regions: the lexicon's ``geo`` entries and
  ``geo_extra.txt`` (长江, 东盟, 欧美, 中西部); a region name followed by 地区 takes it in (台港澳地区);
* branding phrases that join a value and a place (法治汉滨, 平安柳州) are one SLOGAN (``brand_values.txt``).

Ambiguous forms (``place_ambiguous.tsv``): generic zone and district names are never matched alone; short forms
that collide with ordinary words count only in documents of their own province, and every short form must fall on
word boundaries of the sentence (so 新增城镇 does not contain the district 增城).

Each PLACE carries ``level``, ``adcode``, ``parent`` and ``canonical`` (the full name). Candidates are narrowed to
the document's region (its county, then city, then province); ``adcode``/``parent``/``canonical`` stay empty when
several divisions remain, ``level`` is kept when they all share it.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple

from ._data import read_list, read_table
from ._match import DictMatcher
from ._resources import lexicon_index
from ._span import Span
from ._text import HAN

__all__ = ["PlaceIndex", "Scope"]

_TOWN_SUFFIX = re.compile(r"(?:镇|乡|街道|苏木|街道办事处)$")
_COUNTY_SUFFIX = re.compile(r"(?:自治县|自治旗|新区|林区|特区|区|县|市|旗)$")
_CITY_SUFFIX = re.compile(r"(?:自治州|地区|盟|市|州)$")
_PROVINCE_SUFFIX = re.compile(r"(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$")
_HONOR_BEFORE = re.compile(
    r"(?:荣获|获得|获评|评为|授予|命名为|入选|荣膺|争创|创建|成功创建|蝉联|列入|跻身|打造|建成|认定为|成为)[“‘\"']?$"
)
_TITLE_START = re.compile(r"^(?:省级|市级|县级|国家级|全国|全省|全市)")
_PAIR_FIRST = "苏粤浙鲁豫川渝沪京津冀晋辽吉黑皖闽赣湘鄂桂琼黔滇藏陕甘青宁新港澳台深"
_PAIR_SECOND = "港澳台苏粤浙鲁豫川渝沪京津冀晋辽吉黑皖闽赣湘鄂桂琼黔滇藏陕甘青宁新深"
# 国家, 中国, 中以 …, or a pair of province abbreviations before 合作 (苏港合作); every alternative starts with a
# literal character, so the regex engine scans for those characters at C speed
_ZONE_START_EXTRA = re.compile(
    "国家|中国|中[以韩德新欧俄美日法意瑞英澳荷比奥匈捷白哈吉乌塔土巴印泰马越老柬缅菲]|"
    + "|".join(f"{c}[{_PAIR_SECOND}](?=合作)" for c in _PAIR_FIRST)
)
_HAN_CHAR = re.compile(f"[{HAN}]")
_ZONE_VERB = re.compile(r"建设|打造|推进|加快|支持|创建|争创|申报|获批|设立|实施|开展|依托|围绕|成为|作为|形成")
_RELATIVE_REGION = re.compile(r"^[东西南北中]部地区$")
_ZONE_STRETCH = re.compile(rf"[{HAN}0-9A-Za-z()（）\-—·]")
_ZONE_STOP = set("的和与及等或在对为是将把被从向了、，,。；;：:！？!?“”‘’\"《》")
# a run of _ZONE_STRETCH characters that are not _ZONE_STOP characters
_ZONE_RUN = re.compile(rf"(?:(?![{re.escape(''.join(sorted(_ZONE_STOP)))}]){_ZONE_STRETCH.pattern})*")
_MAX_ZONE_STRETCH = 18


class Scope(NamedTuple):
    """Where a document comes from: names of its province, city and county ("" when unknown or not applicable)
    and the extra surface forms allowed there (short forms of its own divisions)."""

    province: str = ""
    city: str = ""
    county: str = ""
    local_forms: frozenset[str] = frozenset()


_NO_SCOPE = Scope()


class _Row(NamedTuple):
    name: str
    level: str
    adcode: Any
    parent: Any
    province: str
    city: str
    county: str


def _na(x: Any) -> Any:
    try:
        import pandas as pd

        return None if x is None or (not isinstance(x, str) and pd.isna(x)) else x
    except (TypeError, ValueError):
        return x


def _stem(name: str, level: str) -> str:
    pat = {"province": _PROVINCE_SUFFIX, "city": _CITY_SUFFIX, "county-district": _COUNTY_SUFFIX}.get(level)
    if pat is None:
        return name
    return pat.sub("", name)


@functools.cache
def _ambiguous() -> dict[str, str]:
    return {form: action for form, action, _rate in read_table("place_ambiguous.tsv")}


@functools.cache
def _zone_suffix_re() -> re.Pattern[str]:
    words = sorted(read_list("place_suffixes.txt"), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


@functools.cache
def _zone_suffix_firsts() -> frozenset[str]:
    return frozenset(w[0] for w in read_list("place_suffixes.txt"))


@functools.cache
def _brand_values() -> tuple[str, ...]:
    return tuple(sorted(read_list("brand_values.txt"), key=len, reverse=True))


@functools.cache
def _brand_value_set() -> tuple[frozenset[str], tuple[int, ...]]:
    """The brand values and their lengths, longest first."""
    values = _brand_values()
    return frozenset(values), tuple(sorted({len(v) for v in values}, reverse=True))


class PlaceIndex:
    """Surface forms of places and their gazetteer rows, with a matcher over them.

    Parameters
    ----------
    gazetteer : policytext.gazetteer.Gazetteer
        The divisions (``load_gazetteer()``; pass ``load_gazetteer(villages=True)`` and ``villages=True`` to
        match villages and communities inside a document's county).
    villages : bool
        Match village and community names, only inside the document's own county.
    user_places : iterable of str
        Extra place names (user entity lists).
    """

    def __init__(self, gazetteer: Any, villages: bool = False, user_places: Iterable[str] = ()) -> None:
        t = gazetteer.table
        names = t["name"].tolist()
        aliases = t["aliases"].tolist() if "aliases" in t.columns else t["short"].fillna("").tolist()
        levels = t["level"].astype(str).tolist()
        cols = [t[c].tolist() for c in ("adcode", "parent", "province", "city", "county")]
        self.rows: list[_Row] = [
            _Row(n, lv, _na(a), _na(p), pr or "", ci or "", co or "")
            for n, lv, a, p, pr, ci, co in zip(names, levels, *cols)
        ]
        amb = _ambiguous()
        forms: dict[str, list[int]] = {}
        flags: dict[str, str] = {}  # form -> "" (plain), "check" (word boundaries), "local" (own province + check)
        village_rows: dict[tuple[str, str, str], list[int]] = {}
        for i, (name, alias, level) in enumerate(zip(names, aliases, levels)):
            if level == "village-community":
                if villages:
                    r = self.rows[i]
                    village_rows.setdefault((r.province, r.city, r.county), []).append(i)
                continue
            if not self._usable_name(name, level):
                continue
            forms.setdefault(name, []).append(i)
            if level == "county-district" and len(_stem(name, level)) < 2:
                flags[name] = "check"
            for form in str(alias or "").split("|"):
                form = form.strip()
                if len(form) >= 2 and form != name:
                    lst = forms.setdefault(form, [])
                    if i not in lst:
                        lst.append(i)
                    flags.setdefault(form, "check")
        for form, action in amb.items():
            if form in forms:
                if action == "never":
                    del forms[form]
                else:
                    flags[form] = "local"
        for form in read_list("township_ambiguous.txt"):
            if form in forms:
                flags[form] = "local"
        self.forms = forms
        self.flags = flags
        self._village_rows = village_rows
        self._village_matchers: dict[tuple[str, str, str], DictMatcher] = {}
        geo: dict[str, str] = {}
        for term, entry in lexicon_index().items():
            if entry.type == "geo":
                geo[term] = "geo"
        for term in read_list("geo_extra.txt"):
            geo.setdefault(term, "geo")
        for term in user_places:
            geo[term] = "user"
        self.geo = geo
        payload: dict[str, tuple[str, str]] = {}
        for form in forms:
            payload[form] = ("gaz", form)
        for form, kind in geo.items():
            if kind == "user" or form not in payload:
                payload[form] = (kind, form)
        self.payload = payload
        self.matcher = DictMatcher(payload)
        self._scopes: dict[str, Scope] = {}
        self._township_cache: dict[str, bool] = {}
        self._resolve_cache: dict[tuple[str, Scope], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._gazetteer = gazetteer

    @staticmethod
    def _usable_name(name: str, level: str) -> bool:
        if len(name) < 2:
            return False
        if level == "township":
            m = _TOWN_SUFFIX.search(name)
            return bool(m) and m.start() >= 2
        if level == "zone":
            return len(name) >= 4
        return True

    # ------------------------------------------------------------------------------------------ scope

    def scope(self, region: str | None) -> Scope:
        """The :class:`Scope` of a document from its ``region`` metadata (汉滨区, 江西省南昌县, 昆明市)."""
        if not region or not isinstance(region, str):
            return _NO_SCOPE
        hit = self._scopes.get(region)
        if hit is not None:
            return hit
        scope = _NO_SCOPE
        try:
            found = self._gazetteer.lookup(region.strip())
        except Exception:  # noqa: BLE001 - an unparsable region only loses disambiguation
            found = None
        if found is not None and len(found):
            r = found.iloc[0]
            lvl = str(r["level"])
            province = str(r["province"] or "")
            city = str(r["city"] or "") if lvl != "province" else ""
            county = str(r["county"] or "") if lvl in ("county-district", "zone", "township") else ""
            local = set()
            for name, level in ((province, "province"), (city, "city"), (county, "county-district")):
                stem = _stem(name, level) if name else ""
                if len(stem) >= 2 and stem not in self.forms:
                    local.add(stem)
            scope = Scope(province, city, county, frozenset(local))
        with self._lock:
            self._scopes[region] = scope
        return scope

    def _village_matcher(self, scope: Scope) -> DictMatcher | None:
        if not self._village_rows or not scope.county:
            return None
        key = (scope.province, scope.city, scope.county)
        m = self._village_matchers.get(key)
        if m is None:
            entries: dict[str, tuple[str, str]] = {}
            for i in self._village_rows.get(key, ()):
                name = self.rows[i].name
                if len(name) >= 3 and name[-1] in "村区" or name.endswith("社区"):
                    entries[name] = ("village", name)
            m = DictMatcher(entries)
            with self._lock:
                self._village_matchers[key] = m
        return m

    # ------------------------------------------------------------------------------------ resolution

    def resolve(self, form: str, scope: Scope = _NO_SCOPE) -> dict[str, Any]:
        """``level``, ``adcode``, ``parent`` and ``canonical`` of a place form near ``scope``."""
        key = (form, scope)
        hit = self._resolve_cache.get(key)
        if hit is not None:
            return hit
        if form in self.geo and form not in self.forms:
            out = {"level": "geo", "adcode": None, "parent": None, "canonical": form}
        else:
            rows = [self.rows[i] for i in self.forms.get(form, [])]
            if not rows and scope.county:
                key_v = (scope.province, scope.city, scope.county)
                rows = [self.rows[i] for i in self._village_rows.get(key_v, []) if self.rows[i].name == form]
            if not rows and form in scope.local_forms:
                rows = [
                    r
                    for r in (self.rows[i] for name in (scope.province, scope.city, scope.county) if name
                              for i in self.forms.get(name, []))
                    if _stem(r.name, r.level) == form
                ]
            rows = self._narrow(rows, scope)
            if len(rows) == 1:
                r = rows[0]
                out = {"level": r.level, "adcode": r.adcode, "parent": r.parent, "canonical": r.name}
            else:
                lv = {r.level for r in rows}
                out = {"level": lv.pop() if len(lv) == 1 else None, "adcode": None, "parent": None, "canonical": None}
        with self._lock:
            self._resolve_cache[key] = out
        return out

    def _township_only(self, form: str) -> bool:
        hit = self._township_cache.get(form)
        if hit is None:
            hit = all(self.rows[i].level in ("township", "village-community") for i in self.forms.get(form, [0]))
            self._township_cache[form] = hit
        return hit

    def _is_local(self, form: str, scope: Scope) -> bool:
        """A division called ``form`` lies in the document's province (township: in its city)."""
        if not scope.province:
            return False
        for i in self.forms.get(form, []):
            r = self.rows[i]
            if r.province != scope.province:
                continue
            if r.level in ("township", "village-community") and scope.city and r.city != scope.city:
                continue
            return True
        return False

    @staticmethod
    def _narrow(rows: list[_Row], scope: Scope) -> list[_Row]:
        if len(rows) <= 1 or not scope.province:
            return rows
        tiers = []
        if scope.county:
            tiers.append([r for r in rows if r.province == scope.province and r.city == scope.city
                          and (r.county == scope.county or (r.level == "county-district" and r.name == scope.county))])
        if scope.city:
            tiers.append([r for r in rows if r.province == scope.province and r.city == scope.city])
        tiers.append([r for r in rows if r.province == scope.province])
        for tier in tiers:
            if tier:
                return tier
        return rows

    # ---------------------------------------------------------------------------------------- finding

    def find(
        self, norm: str, scope: Scope = _NO_SCOPE, tokens: Any = None, matches: list | None = None
    ) -> list[Span]:
        """PLACE (and branding SLOGAN) candidates in normalized text.

        ``tokens`` is a callable returning the word boundaries of the text (a set of offsets), used for short
        forms; by default rjieba segments the text on first use. ``matches`` are the ``(start, end, payload)``
        of :attr:`payload` entries in the text when the caller has already matched them (all of them,
        overlapping).
        """
        local_forms = scope.local_forms
        if matches is None:
            matches = list(self.matcher.finditer(norm, overlapping=True))
        else:
            matches = list(matches)
        if local_forms:
            matches.extend((s, e, ("local", f)) for s, e, f in _find_all(norm, local_forms))
        if self._village_rows:
            vm = self._village_matcher(scope)
            if vm is not None:
                matches.extend(vm.finditer(norm))
        if not matches:  # no place: no brand either, and a zone needs one of these
            return self._zones(norm, []) if _may_start_zone(norm) else []

        boundaries: set[int] | None = None
        contains = getattr(tokens, "contains", None)  # the tagger's lazy boundaries: one clause at a time

        def on_boundaries(s: int, e: int) -> bool:
            nonlocal boundaries
            if contains is not None:
                return contains(s) and contains(e)
            if boundaries is None:
                boundaries = tokens(norm) if tokens is not None else _jieba_boundaries(norm)
            return s in boundaries and e in boundaries if e != s else s in boundaries

        spans: list[Span] = []
        place_ends = {e for s, e, (kind, form) in matches if kind == "gaz" and self.flags.get(form, "") == ""}
        for s, e, (kind, form) in matches:
            flag = self.flags.get(form, "") if kind == "gaz" else ("check" if kind == "local" else "")
            if flag == "local" and not self._is_local(form, scope):
                continue
            if kind == "geo" and scope.city and _RELATIVE_REGION.match(form):
                continue  # 东部地区 in a city report is a part of the city, not a named region
            if flag and not on_boundaries(s, e):
                continue
            if (
                kind == "gaz"
                and not flag
                and s > 0
                and s not in place_ends
                and _HAN_CHAR.match(norm[s - 1])
                and self._township_only(form)
                and not on_boundaries(s, s)
            ):
                continue  # 文明村镇 does not contain the township 明村镇 (but 汉滨区大竹园镇 has two places)
            attrs = self.resolve(form, scope)
            end = e
            if kind == "geo" and norm.startswith("地区", e) and not form.endswith("地区"):
                end = e + 2
            spans.append(Span(s, end, "PLACE", 1, dict(attrs)))
        spans.extend(self._zones(norm, spans))
        spans.extend(self._brands(norm, spans))
        return spans

    def may_find_unmatched(self, norm: str, scope: Scope = _NO_SCOPE) -> bool:
        """False when :meth:`find` finds nothing in ``norm`` if no entry of :attr:`payload` occurs in it: no short
        form of the document's own divisions, no village list to search, no possible start of a zone name."""
        if _may_start_zone(norm) or self._village_rows and scope.county:
            return True
        return bool(scope.local_forms) and any(f in norm for f in scope.local_forms)

    def _zones(self, norm: str, places: list[Span]) -> list[Span]:
        out: list[Span] = []
        suffix = _zone_suffix_re()
        starts = {p.start for p in places if p.label == "PLACE"}
        if _may_start_zone(norm):
            starts.update(m.start() for m in _ZONE_START_EXTRA.finditer(norm))
        if not starts:
            return out
        firsts = _zone_suffix_firsts()
        for s in sorted(starts):
            # the zone ending that starts last inside the stretch of name characters after s
            stretch_end = _ZONE_RUN.match(norm, s, min(len(norm), s + _MAX_ZONE_STRETCH + 6)).end()
            last_end = None
            for k in range(stretch_end - 1, s, -1):
                if norm[k] in firsts:
                    m = suffix.match(norm, k)
                    if m:
                        last_end = m.end()
                        break
            if last_end is None or last_end - s < 4:
                continue
            name = norm[s:last_end]
            if _ZONE_VERB.search(name):
                continue  # 支持鄂尔多斯建设…示范区: a clause, not a name
            if _TITLE_START.match(name):
                continue
            if "示范" in name[-5:] and _HONOR_BEFORE.search(norm[max(0, s - 8) : s]):
                continue  # 创建…示范区 is an honorary title
            if name.count("(") != name.count(")") or name.count("（") != name.count("）"):
                continue
            out.append(Span(s, last_end, "PLACE", 1, {"level": "zone", "adcode": None, "parent": None,
                                                       "canonical": name}))
        return out

    def _brands(self, norm: str, places: list[Span]) -> list[Span]:
        out: list[Span] = []
        values, lengths = _brand_value_set()
        for p in places:
            if p.label != "PLACE" or (p.attrs or {}).get("level") in ("township", "village-community", "zone"):
                continue
            for n in lengths:  # longest value first, as in _brand_values()
                s = p.start - n
                if s >= 0 and norm[s : p.start] in values:
                    v = norm[s : p.start]
                    name = norm[s : p.end]
                    if name in ("新中国",):
                        break
                    if v == "新" and (p.attrs or {}).get("level") not in ("province", "city", "geo"):
                        break
                    out.append(Span(s, p.end, "SLOGAN", 1, {"canonical": name}))
                    break
        return out


def _may_start_zone(norm: str) -> bool:
    """Whether ``_ZONE_START_EXTRA`` can match in ``norm`` (each of its matches has one of these)."""
    return "中" in norm or "国家" in norm or "合作" in norm


def _find_all(text: str, forms: Iterable[str]):
    for f in forms:
        start = 0
        while True:
            k = text.find(f, start)
            if k == -1:
                break
            yield k, k + len(f), f
            start = k + 1


def _jieba_boundaries(text: str) -> set[int]:
    import rjieba

    out = {0, len(text)}
    for _w, s, e in rjieba.tokenize(text):
        out.add(s)
        out.add(e)
    return out
