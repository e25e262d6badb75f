"""PROGRAM names written without quotation marks.

Rules (spec/entities.md, PROGRAM: a named, specific program, campaign, initiative, brand, project or pilot):

* the object of a verb that launches a programme, ending in a programme head noun: 深入开展[城乡清洁工程],
  实施[新型职业农民培育工程], 打好[污染防治攻坚战] (``program_verbs.txt``; the name has at least three characters
  before the head noun and no function word, so 实施重大工程 and 实施生态工程 are not names);
* the items of a list closed by 等 and a head noun: 推进[沿江化工污染整治]、[饮用水水源地安全检查和达标建设]等行动;
  建成[广投数字经济产业基地]、[浪潮南宁生产基地]等项目 (等 separates the head noun, as in the spec's example);
* a project named after a place: [滇池环湖截污工程];
* a hotline number: [12345热线] (the number belongs to the PROGRAM span).

Quoted programme names are handled in :mod:`policytext.entities.quoted`, lexicon programmes in the tagger.
"""

from __future__ import annotations

import functools
import re

from ._data import read_list
from ._span import Span
from ._text import HAN

__all__ = ["find_programs"]

_VERB_HEADS = tuple(
    sorted(
        ("工程", "专项行动", "攻坚行动", "三年行动", "三年行动计划", "行动计划", "攻坚战", "保卫战", "专项斗争", "行动", "计划"),
        key=len,
        reverse=True,
    )
)
_VERB_HEAD_RE = re.compile("|".join(map(re.escape, _VERB_HEADS)))  # longest first
# what may follow the head noun of a programme name: the end of the phrase, not a noun it modifies
# (实施中小学校舍安全工程，… but not 深化国有水利工程管理体制改革)
_AFTER_HEAD = re.compile(rf"(?:[^{HAN}]|[和及与等并的、]|建设|项目|工作|$)")
_LIST_HEADS = ("项目", "工程", "行动", "专项行动", "攻坚行动", "攻坚战", "计划", "重点项目", "重大项目", "重点工程")
_FUNCTION = set("的和与及等或在对为是将把被从向了着于以其、")
_BAD_START = re.compile(
    r"^(?:新一轮|新一批|一批|一系列|各类|各项|各种|有关|相关|更多|这些|以下|上述|重大|重点|若干|多项|[0-9一二三四五六七八九十百千两]+[大项个批类])"
)
# a run of name characters: no function word, no punctuation
_NAME_RUN = re.compile(rf"(?:(?![{re.escape(''.join(sorted(_FUNCTION)))}])[{HAN}A-Za-z0-9·\-])*")
_LIST_END = re.compile("等(?:系列)?(?:" + "|".join(sorted(_LIST_HEADS, key=len, reverse=True)) + ")")
_HOTLINE = re.compile(rf"(?<![0-9])(?:12345|96\d{{3}}|12\d{{3}})[{HAN}]{{0,6}}?热线")


@functools.cache
def _verbs_re() -> re.Pattern[str]:
    verbs = sorted(read_list("program_verbs.txt"), key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(v) for v in verbs) + ")")


def _np_before(norm: str, head_start: int, left_limit: int) -> int | None:
    """Start of a name that runs from ``left_limit`` to ``head_start`` without function words, or None."""
    for k in range(left_limit, head_start):
        if norm[k] in _FUNCTION or not re.match(f"[{HAN}A-Za-z0-9·\\-]", norm[k]):
            return None
    return left_limit


def find_programs(norm: str, places: list[Span] = ()) -> list[Span]:
    """Unquoted PROGRAM candidates in normalized text; ``places`` are PLACE candidates (a project named after a
    place: [滇池环湖截污工程]).

    >>> t = "深入开展城乡清洁工程，实施重大工程，大力推进沿江化工污染整治、饮用水水源地安全检查和达标建设等行动，开通12345热线。"
    >>> [t[s.start:s.end] for s in find_programs(t)]
    ['城乡清洁工程', '沿江化工污染整治', '饮用水水源地安全检查和达标建设', '12345热线']
    """
    spans: list[Span] = []
    verbs = _verbs_re()
    # 1. verb + name + head noun
    for vm in verbs.finditer(norm):
        s = vm.end()
        k = _NAME_RUN.match(norm, s, min(len(norm), s + 16)).end()
        stretch = norm[s:k]
        # the first head noun at offset >= 3 that ends the phrase
        best = None
        m = _VERB_HEAD_RE.search(stretch, 3)
        while m is not None:
            if _AFTER_HEAD.match(norm, s + m.end()):
                best = m.span()
                break
            m = _VERB_HEAD_RE.search(stretch, m.start() + 1)
        if best is None:
            continue
        name = stretch[: best[1]]
        if _BAD_START.match(name) or len(name) - (best[1] - best[0]) < 3:
            continue
        spans.append(Span(s, s + best[1], "PROGRAM", 1, {"canonical": name}))
    # 2. A、B等 + head noun
    for m in _LIST_END.finditer(norm):
        end = m.start()
        clause_start = max(
            (norm.rfind(p, 0, end) for p in "，,。；;：:！？!?（(）)\n“”\"《》"), default=-1
        ) + 1
        clause = norm[clause_start:end]
        if "、" not in clause and len(clause) > 24:
            continue
        sep = clause.find("、")
        first_item_end = sep if sep != -1 else len(clause)
        vms = [v for v in verbs.finditer(clause) if v.end() <= first_item_end - 3]
        first = clause_start + (vms[-1].end() if vms else 0)
        items_text = norm[first:end]
        pos = first
        for item in items_text.split("、"):
            s, e = pos, pos + len(item)
            pos = e + 1
            usable = 3 <= len(item) <= 24 and not any(ch in _FUNCTION - {"和"} for ch in item)
            if usable and not _BAD_START.match(item):
                spans.append(Span(s, e, "PROGRAM", 1, {"canonical": item}))
    # 3. a place + a name ending in 工程: 滇池环湖截污工程
    for p in places:
        if p.label != "PLACE":
            continue
        k = _NAME_RUN.match(norm, p.end, min(len(norm), p.end + 12)).end()
        i = norm.find("工程", p.end, k)
        if i - p.end >= 3 and norm[i + 2 : i + 3] not in ("点", "站", "室", "处", "部", "费", "款", "量", "师", "院", "局"):
            spans.append(Span(p.start, i + 2, "PROGRAM", 1, {"canonical": norm[p.start : i + 2]}))
    # 4. hotlines
    for m in _HOTLINE.finditer(norm) if "热线" in norm else ():
        spans.append(Span(m.start(), m.end(), "PROGRAM", 2, {"canonical": m.group(0)}))
    return spans
