"""DOCUMENT: titles of laws, regulations, plans and policy documents.

Rules (spec/entities.md, DOCUMENT):

* the text inside 《》 when it is a law, regulation, plan, policy or report title (not a play, book or programme);
  the span is the text inside the brackets: 《[法治政府建设实施纲要(2021—2025)]》. A title is recognized by its
  ending (``document_types.txt``: 条例, 办法, 方案, 意见 …, ignoring a trailing parenthetical such as (试行)), by
  starting with 关于, or by ending with a year (中国制造2025);
* an unbracketed proper title of a law or regulation (企业信息公示条例): the policy lexicon's ``law`` entries, and
  中华人民共和国…法/条例 or …条例 after a verb that cites a law (违反, 依据, 贯彻 …).
"""

from __future__ import annotations

import functools
import re

from ._data import read_list
from ._span import Span
from ._text import HAN

__all__ = ["find_documents", "is_document_title"]

_TRAILING_PAREN = re.compile(r"(?:[(（][^()（）]{0,24}[)）]\s*)+$")


@functools.cache
def _title_end_re() -> re.Pattern[str]:
    words = sorted(read_list("document_types.txt"), key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(w) for w in words) + r"|(?:19|20)\d{2})$")


def is_document_title(title: str) -> bool:
    """True when the text inside 《》 names a document rather than a book, play or programme.

    >>> [is_document_title(t) for t in ["法治政府建设实施纲要(2021—2025)", "合作框架协议", "人民日报", "觉醒年代"]]
    [True, True, False, False]
    >>> is_document_title("关于加强知识产权检察协作的意见"), is_document_title("中国制造2025")
    (True, True)
    """
    t = title.strip()
    if not t:
        return False
    if re.match(r"^(?:中共\S{0,12}?)?关于", t):
        return True
    core = _TRAILING_PAREN.sub("", t) or t
    return bool(_title_end_re().search(core))


_BRACKET_EVENT = re.compile("[《》。！？!?\n]")  # the only characters _bracket_pairs acts on


def _bracket_pairs(norm: str) -> list[tuple[int, int]]:
    """Outermost 《…》 pairs (nested 《》 or 〈〉 inside a title stay inside it)."""
    pairs = []
    depth = 0
    start = -1
    for m in _BRACKET_EVENT.finditer(norm):
        i, ch = m.start(), m.group()
        if ch == "《":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                pairs.append((start, i))
        elif ch in "。！？!?\n" and depth:
            depth = 0  # an unclosed bracket does not run past the sentence
    return pairs


_CITING_VERBS = "|".join(
    sorted(
        ["违反", "违背", "依据", "根据", "按照", "依照", "遵照", "贯彻", "落实", "实施", "执行", "施行", "修订", "修改", "制定", "出台", "颁布", "学习", "宣传", "遵守", "对照", "贯彻落实", "学习贯彻", "宣传贯彻", "适用", "新修订的", "新修订"],
        key=len,
        reverse=True,
    )
)
_LAW_RE = re.compile(
    rf"(?P<prc>中华人民共和国[{HAN}]{{2,16}}?(?:法典|法|条例))(?![{HAN}])"
    rf"|(?:{_CITING_VERBS})(?P<reg>[{HAN}]{{2,14}}?条例)(?=(?:及|和|与|等|的|、|第|规定|有关|相关)|[^{HAN}]|$)"
)
# a law title used as the topic of an event rather than cited: 民法典大宣讲, 宪法宣传周
_TOPIC_AFTER = re.compile(r"(?:大?宣传|大?宣讲|知识|学习|讲座|主题|进|宣传月|宣传周|公园|广场|文化)")


def find_documents(
    norm: str, laws: dict[str, str] | None = None, law_matches: list[tuple[int, int]] | None = None
) -> list[Span]:
    """DOCUMENT candidates in normalized text; ``laws`` maps unbracketed law titles to their canonical form;
    ``law_matches`` are the ``(start, end)`` of every occurrence of those titles when the caller has found them
    (``laws`` is then not scanned).

    >>> t = "落实《法治政府建设实施纲要(2021—2025)》，违反企业信息公示条例，观看《觉醒年代》"
    >>> [t[s.start:s.end] for s in find_documents(t) if s.label]
    ['法治政府建设实施纲要(2021—2025)', '企业信息公示条例']
    """
    spans: list[Span] = []
    for o, c in _bracket_pairs(norm):
        s, e = o + 1, c
        while s < e and norm[s].isspace():
            s += 1
        while e > s and norm[e - 1].isspace():
            e -= 1
        if e > s and is_document_title(norm[s:e]):
            spans.append(Span(s, e, "DOCUMENT", 5, None))
        else:
            spans.append(Span(o, c + 1, None, 5, None))  # a book or play title hides what is inside it
    for m in _LAW_RE.finditer(norm):
        s, e = m.span("prc") if m.group("prc") else m.span("reg")
        if not _TOPIC_AFTER.match(norm, e):
            spans.append(Span(s, e, "DOCUMENT", 1, None))
    if law_matches is not None:
        for k, e in law_matches:
            if not _TOPIC_AFTER.match(norm, e):
                spans.append(Span(k, e, "DOCUMENT", 1, None))
    elif laws:
        for term in laws:
            start = 0
            while True:
                k = norm.find(term, start)
                if k == -1:
                    break
                e = k + len(term)
                if not _TOPIC_AFTER.match(norm, e):
                    spans.append(Span(k, e, "DOCUMENT", 1, None))
                start = k + 1
    return sorted(spans)
