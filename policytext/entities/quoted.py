"""SLOGAN and PROGRAM (and a few ORG and PLACE) names written in quotation marks.

Rules (spec/entities.md, quotation marks):

* the span excludes the outer quotation marks: “放管服”改革 gives SLOGAN 放管服;
* except that a PROGRAM runs from the opening mark through its head noun when a head noun naming the programme
  follows the closing mark (“八点半帮您办”服务品牌, “365”全过程法治工作法, “七五”普法); an organization head
  works the same way for ORG (“火眼”实验室);
* a generic word after the closing mark (改革, 模式, 机制 …) is never part of the span: “四办”模式 gives SLOGAN 四办;
* a quoted name followed by 等 and a head noun, or listed before a quoted name with a head noun, is a PROGRAM
  without the marks: “三秦锐士·2023涉民营企业积案集中执行”等行动;
* quoted everyday words, evaluations, problems, honorary titles, plan periods, doctrines and events are not
  entities (“最后一公里”, “一刀切”, “十四五”, “全国文明城市”);
* when a quotation contains another one, only the inner one is tagged (“全力打造‘五个新高地’…” gives 五个新高地).

Head nouns, generic words and excluded phrases are data files (``heads.tsv``, ``quoted_exclude.txt``) and the
policy lexicon's types.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from ._resources import canonical_form, head_regex, heads, lookup, quoted_exclude
from ._span import Span
from ._text import HAN, quote_pairs

__all__ = ["find_quoted", "quoted_is_excluded"]

_NOT_ENTITY_TYPES = {"doctrine", "honor", "period", "event"}
_HAN_RUN = re.compile(f"[{HAN}A-Za-z0-9]+")
# characters that end the stretch between a closing mark and a head noun
_STRETCH_STOP = set("等和及与的或并在对为是指将把被从向了着于以其、，,。；;：:！？!?()（）《》“”‘’\"' ")
_MAX_STRETCH = 14
_CLAUSE = re.compile(r"[^，,。；;：:！？!?]*")

_HONOR_RE = re.compile(
    r"(?:^(?:全国|国家|中国|省级|全省|世界|国际|全球)\S*(?:城市|城区|县城|名城|名镇|名村|先进市|先进县|先进区|示范市|"
    r"示范县|示范区|示范城市|示范村|百强县|百强|强县|强市|单位|称号))$|(?:之都|之城|之乡|连冠|连增|连冠军|金奖|奖|杯)$"
)
_PERIOD_RE = re.compile(r"^[一二三四五六七八九十]{1,3}五$")
_EVENT_RE = re.compile(
    r"(?:运会|博会|洽会|交会|城会|大会|会议|论坛|峰会|博览会|交易会|展览会|洽谈会|运动会|艺术节|文化节|旅游节|电影节|音乐节|"
    r"马拉松|锦标赛|大赛|比赛|联赛)$"
)
# a quoted sentence reporting figures (…3个国家扶贫开发工作重点县和101个贫困村摘帽)
_LONG_WITH_NUMBERS = re.compile(r"^(?=.{11,})(?=.*\d(?:\.\d+)?[多余]?[万亿]?[个件项名家户座所次元%人])")
_DATE_NAME_RE = re.compile(r"^[\d.·・\-—年月日]+$")
_NUMBER_RE = re.compile(r"^[\d.]+$")
_PROBLEM_RE = re.compile(r"^[^、，,]{1,4}难(?:[、，,][^、，,]{1,4}[难贵])*$")
_PROBLEM_AFTER = re.compile(r"^(?:的)?(?:问题|现象|难题|顽疾|乱象|怪圈|弊端|顽症|陋习|误区)")
_PROBLEM_BEFORE = re.compile(r"(?:破解|解决|防止|反对|杜绝|避免|克服|根治|消除|打破|纠正|遏制|摒弃|破除)$")
_HONOR_BEFORE = re.compile(
    r"(?:荣获|获得|获评|评为|授予|命名为|入选|荣膺|争创|创建|成功创建|蝉联|夺得|摘得|被评为|列入|跻身)$"
)


def quoted_is_excluded(content: str, before: str = "", after: str = "") -> bool:
    """True when a quoted phrase is not an entity by itself (see the module docstring).

    ``before`` and ``after`` are the text just before the opening and after the closing mark.

    >>> [quoted_is_excluded(x) for x in ["最后一公里", "十四五", "放管服", "全国文明城市", "看病难、看病贵"]]
    [True, True, False, True, True]
    >>> quoted_is_excluded("公章四面围城、审批长途旅行", after="的问题")
    True
    """
    content = content.strip()
    if len(content) < 2:
        return True
    entry = lookup(content)
    if entry is not None:
        if entry.type in _NOT_ENTITY_TYPES:
            return True
        if entry.entity is not None:
            return False  # a lexicon slogan or programme is an entity whatever the context
    if content in quoted_exclude():
        return True
    if "的" in content and len(content) <= 6:  # an everyday phrase: “一时的政绩”, “长期的包袱”
        return True
    if _NUMBER_RE.match(content) or _DATE_NAME_RE.match(content):
        return True
    if _PERIOD_RE.match(content) or _HONOR_RE.search(content) or _EVENT_RE.search(content):
        return True
    if _LONG_WITH_NUMBERS.match(content):
        return True
    if _PROBLEM_RE.match(content) or _PROBLEM_AFTER.match(after) or _PROBLEM_BEFORE.search(before):
        return True
    return bool(_HONOR_BEFORE.search(before))


def _head_at(norm: str, pos: int, roles: tuple[str, ...]) -> str | None:
    m = head_regex(roles).match(norm, pos)
    return m.group(0) if m else None


def _stretch_head(norm: str, pos: int) -> tuple[int, str] | None:
    """A programme or organization head noun within a short stretch of words after ``pos`` (no punctuation or
    function words between): returns ``(end, role)``."""
    end = pos
    limit = min(len(norm), pos + _MAX_STRETCH + 6)
    while end < limit and norm[end] not in _STRETCH_STOP and (norm[end].isalnum()):
        end += 1
    if end == pos:
        return None
    stretch = norm[pos:end]
    if _head_at(stretch, 0, ("generic",)):
        return None
    # the first head noun starting at offset 1.._MAX_STRETCH of the stretch
    m = head_regex(("program", "org")).search(stretch, 1)
    if m is None or m.start() > _MAX_STRETCH:
        return None
    return pos + m.end(), heads()[m.group(0)]


def _content_span(norm: str, o: int, c: int) -> tuple[int, int]:
    s, e = o + 1, c
    while s < e and norm[s].isspace():
        s += 1
    while e > s and norm[e - 1].isspace():
        e -= 1
    return s, e


def find_quoted(norm: str, is_place: Callable[[str], bool] | None = None) -> list[Span]:
    """Entity candidates from quotation marks in normalized text.

    ``is_place`` tells whether a quoted phrase is a place name (the tagger passes its gazetteer test).

    >>> t = "打造“八点半帮您办”服务品牌，深化“放管服”改革，探索“四办”模式，开展“三秦锐士·2023执行”等行动。"
    >>> [(t[s.start:s.end], s.label) for s in find_quoted(t)]
    [('“八点半帮您办”服务品牌', 'PROGRAM'), ('放管服', 'SLOGAN'), ('四办', 'SLOGAN'), ('三秦锐士·2023执行', 'PROGRAM')]
    """
    pairs = quote_pairs(norm)
    if not pairs:
        return []
    pairs.sort()
    has_inner = {
        (o, c) for (o, c, _d) in pairs for (o2, c2, _d2) in pairs if o < o2 and c2 < c
    }
    spans: list[Span] = []
    # right to left, so a name listed before a quoted programme name knows what follows it
    program_at: dict[int, bool] = {}  # opening offset -> the pair is (part of) a programme name
    for o, c, _depth in sorted(pairs, key=lambda p: -p[0]):
        s, e = _content_span(norm, o, c)
        if e <= s:
            continue
        content = norm[s:e]
        after_pos = c + 1
        # 1. a head noun directly after the closing mark
        head = _head_at(norm, after_pos, ("program", "org", "place", "generic"))
        role = heads().get(head) if head else None
        if role in ("program", "org", "place"):
            label = {"program": "PROGRAM", "org": "ORG", "place": "PLACE"}[role]
            end = after_pos + len(head)
            if _PERIOD_RE.match(content) and head != "普法":
                continue  # “十五”计划 is the plan period, “七五”普法 a programme
            spans.append(Span(o, end, label, 3, {"canonical": canonical_form(content + head)}))
            program_at[o] = role == "program"
            continue
        # 2. a head noun after a few modifying words: “365”全过程法治工作法
        if role != "generic":
            found = _stretch_head(norm, after_pos)
            if found:
                end, hrole = found
                label = "PROGRAM" if hrole == "program" else "ORG"
                spans.append(Span(o, end, label, 3, {"canonical": canonical_form(norm[o:end])}))
                program_at[o] = hrole == "program"
                continue
        if (o, c) in has_inner:
            continue
        # 3. the quoted phrase alone
        before = norm[max(0, o - 6) : o]
        after = norm[after_pos : after_pos + 12]
        if quoted_is_excluded(content, before, after):
            spans.append(Span(s, e, None, 0, None))  # a blocker: no PLACE inside “中国钢结构金奖”
            continue
        entry = lookup(content)
        canonical = canonical_form(content)
        label = "SLOGAN"
        if entry is not None and entry.entity is not None:
            label = entry.entity
        elif is_place is not None and is_place(content) or _ends_with_role(content, "place"):
            label = "PLACE"
        elif _ends_with_role(content, "program") or _program_context(norm, after_pos, program_at):
            label = "PROGRAM"
        if label == "SLOGAN" and _program_context(norm, after_pos, program_at):
            label = "PROGRAM"
        program_at[o] = label == "PROGRAM"
        attrs = {"canonical": canonical} if label in ("SLOGAN", "PROGRAM") else None
        spans.append(Span(s, e, label, 2, attrs))
    return sorted(spans)


@functools.lru_cache(maxsize=1 << 16)
def _ends_with_role(content: str, role: str) -> bool:
    """``content`` ends with a head word of ``role`` and has something before it."""
    words, longest = _role_words(role)
    return any(content[-k:] in words for k in range(1, min(longest, len(content) - 1) + 1))


@functools.cache
def _role_words(role: str) -> tuple[frozenset[str], int]:
    words = frozenset(w for w, r in heads().items() if r == role)
    return words, max(map(len, words), default=0)


def _program_context(norm: str, pos: int, program_at: dict[int, bool]) -> bool:
    """The quoted name at ``pos`` (just after its closing mark) is listed as a programme: followed by 等 and a
    programme head noun, by 系列, or by another quoted programme name."""
    k = pos
    while k < len(norm) and norm[k] in "、和与及 ":
        k += 1
    if k < len(norm) and norm[k] in "“‘\"'" and program_at.get(k):
        return True
    if norm.startswith("系列", pos):
        return True
    clause = _CLAUSE.match(norm, pos, pos + 30).group(0)
    i = clause.find("等")
    return i != -1 and i <= 12 and head_regex(("program",)).search(clause, i + 1) is not None
