"""ORG: government and Party bodies, courts, procuratorates and named organizations.

Rules (spec/entities.md, PLACE and ORG):

* a body named with its place is ORG as a whole (汉滨区人民政府, 中共汉滨区委, 安康市司法局); a bare place is PLACE;
* level-prefixed bodies are ORG (区委, 区政府, 区人大常委会, 县行政审批局, 市委办公厅), and so are bodies that need
  no prefix (国务院, 中共中央, 司法局, 人大 in 人大代表);
* generic references are not entities (全市, 各部门, 各级政府, 党委 on its own);
* meetings are not entities but the body named inside one is (县政府 in 县政府常务会议, 区委 in 区委常委会会议,
  市委 in 市委副书记): body names simply never include 常委会会议, 常务会议 or a job title;
* named companies, schools, hospitals and public institutions: a place name followed by a name ending in
  大学, 医院, 公司 … (``org_suffixes.txt``), or the object of 成立/设立/组建 ending in 委员会, 工作站, 志愿团 ….

Body names come from the policy lexicon (type ``org``) and ``org_bodies.tsv``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from ._data import read_list, read_table
from ._match import DictMatcher
from ._resources import lexicon_index
from ._span import Span
from ._text import HAN

__all__ = ["body_matcher", "find_orgs"]

LEVEL_CHARS = "省市区县州盟旗镇乡村"
# a character before a level character that makes a common word or a generic reference (城市, 社区, 全市, 各县)
_GUARD_BEFORE = set("城都超股上社园景辖郊矿山林牧灾库老湖乡村集全各本该我每两三四五六七八九十外跨分地级届发新港")
_GENERIC_BEFORE = set("各全本该每级届")


@functools.cache
def body_matcher() -> DictMatcher:
    """Body name -> kind ("top": starts with a level character, "unique", "standalone", "prefixed")."""
    kinds: dict[str, str] = {}
    for term, entry in lexicon_index().items():
        if entry.type == "org":
            kinds[term] = "standalone"
    for name, kind in read_table("org_bodies.tsv"):
        kinds[name] = kind
    out = {}
    for name, kind in kinds.items():
        if kind == "standalone" and (name[0] in LEVEL_CHARS or name.startswith("街道")) and len(name) > 1:
            kind = "top"
        out[name] = kind
    return DictMatcher(out)


@functools.cache
def _suffix_re() -> re.Pattern[str]:
    words = sorted(read_list("org_suffixes.txt"), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words))


_FOUND_VERBS = re.compile(r"(?:挂牌成立|揭牌成立|组织成立|成立了|成立|设立|组建|挂牌|筹建|新设)")
_STRETCH_CHARS = re.compile(f"[{HAN}A-Za-z]")
_HAN_RE = re.compile(f"[{HAN}]")
_FUNCTION_CHARS = set("的和与及等在对为是将把被从向了着于以其个")
_LEVEL_ADJ = re.compile(r"[省市县区镇乡]?级")  # 康平县级公立医院: a class of bodies, not a name
_NUMERAL = re.compile(r"[0-9一二三四五六七八九十两几多][个大项家所支批]")


def _guarded(norm: str, start: int) -> bool:
    """The level character at ``start`` is part of a word or of a generic or elliptical reference (城市, 全市,
    省、市党委)."""
    if start > 0 and norm[start - 1] in _GUARD_BEFORE:
        return True
    return start > 1 and norm[start - 1] in "、和及与" and norm[start - 2] in LEVEL_CHARS


def find_orgs(
    norm: str, places: Sequence[Span] = (), bodies: list | None = None, boundaries: Any = None
) -> list[Span]:
    """ORG candidates in normalized text; ``places`` are the PLACE candidates (used to attach place names);
    ``bodies`` the overlapping matches of :func:`body_matcher` entries when the caller has them;
    ``boundaries`` a callable returning the word boundaries of ``norm`` (a two-character body name after another
    Chinese character must start a word: 集中办公 does not contain 中办).

    >>> t = "在省委、省政府领导下，汉滨区人民政府和县行政审批局、市委办公厅，各级政府，主持召开区委常委会会议"
    >>> [t[s.start:s.end] for s in find_orgs(t, [Span(11, 14, "PLACE")])]
    ['省委', '省政府', '汉滨区人民政府', '县行政审批局', '市委办公厅', '区委']
    """
    matcher = body_matcher()
    place_end: dict[int, int] = {}  # end -> earliest start of a chain of adjacent places ending there
    for p in sorted(places, key=lambda s: (s.start, -s.end)):
        if p.label != "PLACE":
            continue
        start = place_end.get(p.start, p.start)
        if p.end not in place_end or start < place_end[p.end]:
            place_end[p.end] = start
    if bodies is None:
        matches = list(matcher.finditer(norm))
    else:
        matches = _leftmost_longest(bodies)
    spans: list[Span] = []
    i = 0
    while i < len(matches):
        s, e, kind = matches[i]
        start = None
        if s in place_end and kind != "top":
            start = place_end[s]  # 汉滨区 + 人民政府 (a level-prefixed body such as 省委 keeps its own level)
        elif kind == "top" and (s + 1) in place_end and place_end[s + 1] < s:
            start = place_end[s + 1]  # 汉滨区 + 区委 -> 汉滨区委
        elif kind == "top" and not _guarded(norm, s):
            start = s
        elif kind == "top":
            pass
        elif s > 0 and norm[s - 1] in LEVEL_CHARS and not _guarded(norm, s - 1):
            start = s - 1  # 县 + 行政审批局
            if start in place_end:
                start = place_end[start]
        elif (
            kind in ("standalone", "unique")
            and not (s > 0 and norm[s - 1] in _GENERIC_BEFORE)
            and (e - s > 2 or s == 0 or not _HAN_RE.match(norm[s - 1]) or _starts_word(norm, s, boundaries))
        ):
            start = s
        if start is None:
            i += 1
            continue
        if start >= 2 and norm[start - 2 : start] == "中共":
            start -= 2
        elif start >= 2 and norm[start] in "区州县旗" and norm[start - 2 : start] == "自治":
            start -= 2  # 自治区人民政府, 自治州委
        # chain sub-bodies: 市委 + 办公厅, 区委 + 全面依法治区委员会
        end = e
        j = i + 1
        while (
            j < len(matches)
            and matches[j][0] == end
            and matches[j][2] in ("prefixed", "standalone")
            and matches[j][1] - matches[j][0] >= 2
        ):
            end = matches[j][1]
            j += 1
        if end - start >= 2:
            spans.append(Span(start, end, "ORG", 2, None))
        i = j
    spans.extend(_named_orgs(norm, place_end, matches))
    return sorted(spans)


def _starts_word(norm: str, s: int, boundaries: Any) -> bool:
    if boundaries is None:
        import rjieba

        bounds = {a for _w, a, _b in rjieba.tokenize(norm)}
    elif hasattr(boundaries, "contains"):
        return boundaries.contains(s)  # the tagger's lazy boundaries: one clause at a time
    else:
        bounds = boundaries()
    return s in bounds


def _leftmost_longest(matches: list) -> list:
    out = []
    pos = 0
    for s, e, payload in sorted(matches, key=lambda m: (m[0], m[0] - m[1])):
        if s >= pos:
            out.append((s, e, payload))
            pos = e
    return out


def _named_orgs(norm: str, place_end: dict[int, int], bodies_all: list) -> list[Span]:
    out: list[Span] = []
    suffix = _suffix_re()
    # a place name + a name ending in an organization suffix
    for pend, pstart in place_end.items():
        end = _stretch_end(norm, pend, allow_list=False)
        m = _first_suffix(norm, pend, end, suffix, min_len=0)
        if m is None:
            continue
        stretch = norm[pend : m]
        if _NUMERAL.search(stretch) or _LEVEL_ADJ.match(stretch) or any(
            kind == "top" for _s, _e, kind in _leftmost_longest([b for b in bodies_all if pend <= b[0] and b[1] <= m])
        ):
            continue
        out.append(Span(pstart, m, "ORG", 1, None))
    # 成立/设立/组建 + a name ending in an organization suffix
    for vm in _FOUND_VERBS.finditer(norm):
        s = vm.end()
        end = _stretch_end(norm, s, allow_list=True)
        m = _first_suffix(norm, s, end, suffix, min_len=3)
        if m is None or _NUMERAL.search(norm[s:m]):
            continue
        out.append(Span(s, m, "ORG", 1, None))
    return out


# a run of _STRETCH_CHARS that are not _FUNCTION_CHARS (with list commas: a list of names)
_NAME_CHAR = rf"(?:(?![{''.join(sorted(_FUNCTION_CHARS))}]){_STRETCH_CHARS.pattern})"
_STRETCH_RUN = {False: re.compile(f"{_NAME_CHAR}*"), True: re.compile(f"(?:、|{_NAME_CHAR})*")}


def _stretch_end(norm: str, start: int, allow_list: bool) -> int:
    """End of the name-like stretch of at most 24 characters from ``start``."""
    return _STRETCH_RUN[allow_list].match(norm, start, min(len(norm), start + 24)).end()


def _first_suffix(norm: str, start: int, end: int, suffix: re.Pattern[str], min_len: int) -> int | None:
    """End of the first organization suffix starting at or after ``start + min_len`` and ending by ``end``."""
    m = suffix.search(norm, start + min_len, end)
    return m.end() if m else None
