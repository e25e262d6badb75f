"""Split a report into sections, enumerated points and sentences, with exact character offsets.

Chinese government reports share a layout: numbered headings (一、 / （一） / 1. / （1） / 第一章 …), paragraphs
that enumerate their content as points (一是……二是……三是…… or 第一，……第二，……) and sentences ended by 。！？ (and, when
asked, ；). :func:`split_document` returns three tidy tables whose ``start``/``end`` columns are offsets into the
text that was passed in, so that ``text[start:end]`` always gives back the row's text.

Offsets refer to the exact string given; when it comes from :func:`policytext.load_corpus` that is the document's
clean ``text`` column.

Rules, in the order they are applied to each line (a line is a paragraph):

* **Headings.** A line opening with a heading marker starts a section. Markers rank, outermost first: 第X篇/部分,
  第X章, 第X节, 一、, （一）, 1. / 1、, （1）, ①. Sections nest by rank: a heading closes every open section of the
  same or a lower rank. The heading's title runs to the first 。！？ of the line, or to the first enumerated point
  when the punctuation is missing (``二、坚持转变职能,法治化营商环境优化升级一是……``), or to the end of the line.
  The title is a sentence of its own (``is_heading`` is True).
* **Points.** ``一是`` … ``十是`` and ``第一，`` … are enumerated points when they open a clause (after a line start,
  a heading or punctuation), or when they continue a sequence already open in the section (``……100%二是……``, a
  saved page that lost its full stop), or, for 一是, when 二是 follows in the same line.
* **Sentences** end after a run of 。！？!?（plus ；; with ``semicolons=True``), together with closing quotation
  marks and brackets that follow. Terminal punctuation inside a quotation ("……”) does not end a sentence unless the
  quotation closes right after it. A point that starts without punctuation before it also starts a sentence.
  Leading and trailing white space is never part of a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "split_document",
    "split_sentences",
    "DocumentParts",
    "SENTENCE_COLUMNS",
    "SECTION_COLUMNS",
    "POINT_COLUMNS",
    "chinese_numeral_to_int",
]

SENTENCE_COLUMNS = [
    "sent_id",
    "para_id",
    "section_id",
    "section_path",
    "section_title",
    "section_level",
    "is_heading",
    "item_no",
    "start",
    "end",
    "text",
]
SECTION_COLUMNS = [
    "section_id",
    "parent_id",
    "section_path",
    "level",
    "kind",
    "marker",
    "number",
    "title",
    "title_start",
    "title_end",
    "start",
    "end",
]
POINT_COLUMNS = ["point_id", "section_id", "section_path", "item_no", "marker", "start", "end", "text"]

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十百零〇两"


def chinese_numeral_to_int(numeral: str) -> int:
    """Convert a Chinese numeral below 1000 (一, 十二, 二十, 一百零五) to an int.

    >>> chinese_numeral_to_int("十二"), chinese_numeral_to_int("二十"), chinese_numeral_to_int("一百零五")
    (12, 20, 105)
    """
    total, current = 0, 0
    for ch in numeral:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + current


# Heading markers at the start of a line: (kind, rank, regex). The regex has a group "num".
_HEADING_KINDS = [
    ("part", 0, rf"第(?P<num>[{_CN}]+)(?:篇|部分)"),
    ("chapter", 1, rf"第(?P<num>[{_CN}]+)章"),
    ("section", 2, rf"第(?P<num>[{_CN}]+)节"),
    ("cn", 3, rf"(?P<num>[{_CN}]+)[、]"),
    ("cn_paren", 4, rf"[（(](?P<num>[{_CN}]+)[）)]"),
    ("num", 5, r"(?P<num>\d{1,2})(?:[、．]|\.(?!\d))"),
    ("num_paren", 6, r"[（(](?P<num>\d{1,2})[）)]"),
    ("circled", 7, r"(?P<num>[①-⑳])"),
]
_HEADING_RES = [(kind, rank, re.compile(r"[ \t\u3000]*" + rx)) for kind, rank, rx in _HEADING_KINDS]
_HEADING_FIRST = re.compile(rf"[ \t\u3000]*(?:第|[{_CN}（(①-⑳]|\d)")

_POINT_RE = re.compile(r"(?P<cn>[一二三四五六七八九十])是|第(?P<ord>[一二三四五六七八九十])[，,、：:]")
_CLAUSE_OPENERS = set("。！？!?；;：:，,、\n")
_TERMINAL = "。！？!?"
_CLOSERS = "”’」』）)】〕\"'"
_OPEN_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』"}
_QUOTE_CHARS_RE = re.compile("[“”‘’「」『』\"]")
_WS = " \t\r\u3000\xa0\u2002\u2003\u200b\ufeff"


def _terminal_re(semicolons: bool) -> re.Pattern[str]:
    chars = _TERMINAL + ("；;" if semicolons else "")
    return re.compile(f"[{re.escape(chars)}]+[{re.escape(_CLOSERS)}]*")


_TERMINAL_CHAR_RE = re.compile(f"[{_TERMINAL}]")
_TERMINAL_RES = {False: _terminal_re(False), True: _terminal_re(True)}


class DocumentParts(NamedTuple):
    """The three tables returned by :func:`split_document`."""

    sections: pd.DataFrame
    points: pd.DataFrame
    sentences: pd.DataFrame


@dataclass
class _Section:
    section_id: int
    parent_id: int
    path: str
    level: int
    rank: int
    kind: str
    marker: str
    number: int
    title: str
    title_start: int
    title_end: int
    start: int
    end: int = -1


def _marker_label(kind: str, num: str) -> str:
    return {
        "part": f"第{num}篇",
        "chapter": f"第{num}章",
        "section": f"第{num}节",
        "cn": num,
        "cn_paren": f"（{num}）",
        "num": num,
        "num_paren": f"({num})",
        "circled": num,
    }[kind]


def _marker_number(kind: str, num: str) -> int:
    if kind in ("num", "num_paren"):
        return int(num)
    if kind == "circled":
        return ord(num) - ord("①") + 1
    return chinese_numeral_to_int(num)


def _match_heading(text: str, pos: int, end: int):
    """Return (kind, rank, marker_match) if the line starting at pos opens with a heading marker."""
    if not _HEADING_FIRST.match(text, pos, end):
        return None
    for kind, rank, rx in _HEADING_RES:
        m = rx.match(text, pos, end)
        if m:
            # a heading needs some title text after the marker
            if m.end() < end or kind in ("part", "chapter", "section"):
                return kind, rank, m
    return None


def _quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Matched quotation pairs (open index, close index) inside text[start:end]; unmatched marks are ignored."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    straight_open = -1
    for m in _QUOTE_CHARS_RE.finditer(text, start, end):
        ch, i = m.group(), m.start()
        if ch == '"':
            if straight_open < 0:
                straight_open = i
            else:
                spans.append((straight_open, i))
                straight_open = -1
        elif ch in _OPEN_QUOTES:
            stack.append((ch, i))
        else:  # a closing mark: pop to its opener if one is open
            for k in range(len(stack) - 1, -1, -1):
                if _OPEN_QUOTES[stack[k][0]] == ch:
                    spans.append((stack[k][1], i))
                    del stack[k:]
                    break
    return spans


def _inside_quote(spans: list[tuple[int, int]], t: int, boundary: int) -> bool:
    """True when the terminal mark at t lies inside a quotation that has not closed by ``boundary``."""
    for o, c in spans:
        if o < t < c and boundary <= c:
            return True
    return False


def _points_in_line(text, ls, le, title_end, last_no):
    """Find enumerated points in text[ls:le]; returns ([(pos, end_of_marker, number, marker)], last_no)."""
    found: list[tuple[int, int, int, str]] = []
    start = max(ls, title_end) if title_end > 0 else ls
    if text.find("是", start, le) < 0 and text.find("第", start, le) < 0:
        return found, last_no
    cands = list(_POINT_RE.finditer(text, start, le))
    for idx, m in enumerate(cands):
        num = _CN_DIGITS.get(m.group("cn") or m.group("ord"), 10)
        if (m.group("cn") or m.group("ord")) == "十":
            num = 10
        p = m.start()
        prev = text[p - 1] if p > ls else "\n"
        at_opening = p == ls or p == title_end or prev in _CLAUSE_OPENERS or prev in _WS
        continues = last_no >= 1 and num == last_no + 1
        first_of_sequence = (
            num == 1
            and m.group("cn") is not None
            and any(c.group("cn") == "二" for c in cands[idx + 1 :])
        )
        if m.group("ord") is not None and not at_opening:
            continue
        if at_opening or continues or first_of_sequence:
            found.append((p, m.end(), num, m.group()))
            last_no = num
    return found, last_no


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _WS:
        s += 1
    while e > s and text[e - 1] in _WS:
        e -= 1
    return s, e


def _parse(text: str, semicolons: bool = False):
    """Core parser: returns lists of row tuples (sections, points, sentences)."""
    terminal_re = _TERMINAL_RES[semicolons]
    sections: list[_Section] = []
    open_stack: list[_Section] = []
    points: list[tuple] = []
    sentences: list[tuple] = []
    last_no = 0  # last point number in the current section
    current_point: list | None = None  # [point_id, start, end, item_no, marker, section]
    para_id = -1
    n = len(text)
    pos = 0
    while pos <= n:
        le = text.find("\n", pos)
        if le < 0:
            le = n
        ls = pos
        pos = le + 1
        s0, e0 = _trim(text, ls, le)
        if s0 >= e0:
            if le >= n:
                break
            continue
        para_id += 1
        ls, le = s0, e0

        heading = _match_heading(text, ls, le)
        title_end = -1
        if heading is not None:
            kind, rank, m = heading
            num = m.group("num")
            while open_stack and open_stack[-1].rank >= rank:
                closed = open_stack.pop()
                closed.end = ls
            parent = open_stack[-1] if open_stack else None
            label = _marker_label(kind, num)
            ts = m.end()
            while ts < le and text[ts] in _WS:
                ts += 1
            # title end: first terminal mark, else first point marker followed by more points, else line end
            tm = _TERMINAL_CHAR_RE.search(text, ts, le)
            cut = tm.end() if tm else le
            # a heading that lost its full stop runs straight into its first point (……优化升级一是……)
            pm = _POINT_RE.search(text, ts, cut)
            if pm and (pm.group("cn") or pm.group("ord")) == "一" and pm.start() > ts:
                cut = pm.start()
            while cut < le and text[cut] in _CLOSERS:
                cut += 1
            title_end = cut
            t_s, t_e = _trim(text, ts, cut)
            title_text = text[t_s:t_e].rstrip(_TERMINAL + "，,；;：:")
            sec = _Section(
                section_id=len(sections),
                parent_id=parent.section_id if parent else -1,
                path=(parent.path + "/" if parent else "") + label,
                level=(parent.level + 1) if parent else 1,
                rank=rank,
                kind=kind,
                marker=m.group().strip(_WS),
                number=_marker_number(kind, num),
                title=title_text,
                title_start=t_s,
                title_end=t_s + len(title_text),
                start=ls,
            )
            sections.append(sec)
            open_stack.append(sec)
            last_no = 0
            current_point = None

        section = open_stack[-1] if open_stack else None

        # enumerated points of this line
        line_points, last_no = _points_in_line(text, ls, le, title_end, last_no)
        point_starts = []
        for p, _pe, num, marker in line_points:
            if current_point is not None and current_point[2] < 0:
                current_point[2] = p
            current_point = [len(points), p, -1, num, marker, section]
            points.append(current_point)
            point_starts.append(p)
        if current_point is not None and current_point[2] < 0 and line_points:
            pass  # stays open until the next point, heading or the end of this paragraph

        # sentence boundaries of this line
        cuts = set()
        if title_end > 0:
            cuts.add(title_end)
        q = _quote_spans(text, ls, le) if _QUOTE_CHARS_RE.search(text, ls, le) else []
        for m in terminal_re.finditer(text, ls, le):
            if q and _inside_quote(q, m.start(), m.end()):
                continue
            cuts.add(m.end())
        for p in point_starts:
            if p > ls and text[p - 1] not in _CLAUSE_OPENERS and text[p - 1] not in _WS:
                cuts.add(p)
        cuts.add(le)
        s = ls
        heading_sentence = title_end > 0
        for c in sorted(cuts):
            if c <= s:
                continue
            a, b = _trim(text, s, c)
            if a < b:
                sentences.append((para_id, section, a, b, heading_sentence and a < title_end))
            s = c
        # a point ends with its paragraph
        if current_point is not None and current_point[2] < 0:
            current_point[2] = le
        if le >= n:
            break

    for sec in open_stack:
        sec.end = _trim(text, 0, n)[1]
    return sections, points, sentences


def _item_lookup(points):
    """Return a function mapping a character position to the point (item number) containing it."""
    import bisect

    starts = [p[1] for p in points]

    def find(pos: int):
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and points[i][1] <= pos < points[i][2]:
            return points[i][3]
        return None

    return find


def _rows(text: str, semicolons: bool):
    sections, points, sentences = _parse(text, semicolons)
    find_item = _item_lookup(points)
    sent_rows = []
    for sent_id, (para_id, sec, a, b, is_heading) in enumerate(sentences):
        sent_rows.append(
            (
                sent_id,
                para_id,
                sec.section_id if sec else -1,
                sec.path if sec else "",
                sec.title if sec else "",
                sec.level if sec else 0,
                is_heading,
                None if is_heading else find_item(a),
                a,
                b,
                text[a:b],
            )
        )
    sec_rows = [
        (
            s.section_id,
            s.parent_id,
            s.path,
            s.level,
            s.kind,
            s.marker,
            s.number,
            s.title,
            s.title_start,
            s.title_end,
            s.start,
            s.end,
        )
        for s in sections
    ]
    point_rows = []
    for pid, p, e, num, marker, sec in points:
        a, b = _trim(text, p, e)
        point_rows.append((pid, sec.section_id if sec else -1, sec.path if sec else "", num, marker, a, b, text[a:b]))
    return sec_rows, point_rows, sent_rows


_INT_COLUMNS = {"sent_id", "para_id", "section_id", "parent_id", "level", "section_level", "number", "point_id",
                "title_start", "title_end", "start", "end"}


_TEXT_COLUMNS = {"text", "title", "section_path", "section_title", "marker", "kind"}


def _frame(rows, columns, doc_ids=None):
    import pandas as pd

    data = {col: [r[i] for r in rows] for i, col in enumerate(columns)}
    # object columns: converting hundreds of thousands of sentences to Arrow strings costs more than it saves
    df = pd.DataFrame({c: pd.array(v, dtype=object) if c in _TEXT_COLUMNS else v for c, v in data.items()},
                      columns=columns)
    for col in columns:
        if col in _INT_COLUMNS:
            df[col] = df[col].astype("int64")
        elif col == "item_no":
            df[col] = df[col].astype("Int64")
        elif col == "is_heading":
            df[col] = df[col].astype(bool)
    if doc_ids is not None:
        df.insert(0, "doc_id", pd.array(doc_ids, dtype=object))
    return df


def split_document(text: str, doc_id: str | None = None, *, semicolons: bool = False) -> DocumentParts:
    """Split one report into sections, enumerated points and sentences.

    Parameters
    ----------
    text : str
        The document text. Offsets in the returned tables index into this exact string.
    doc_id : str, optional
        When given, a ``doc_id`` column is added as the first column of each table.
    semicolons : bool, default False
        Also end sentences at ；/; (useful for long enumerations).

    Returns
    -------
    DocumentParts
        Named tuple of three DataFrames:

        ``sections``: ``section_id, parent_id (-1 at top level), section_path ("二/（一）"), level (1 = top),
        kind (part/chapter/section/cn/cn_paren/num/num_paren/circled), marker ("二、"), number (2), title
        (without marker and final punctuation), title_start, title_end, start, end`` (``start``/``end`` span the
        section up to the next heading of the same or an outer rank).

        ``points``: ``point_id, section_id, section_path, item_no (1 for 一是), marker, start, end, text``.

        ``sentences``: ``sent_id, para_id, section_id, section_path, section_title, section_level, is_heading,
        item_no (nullable), start, end, text``.

        For every row of ``points`` and ``sentences``, ``text[start:end] == row.text``; for sections,
        ``text[title_start:title_end] == row.title``.

    Examples
    --------
    >>> parts = split_document("一、坚持党的领导。一是加强学习。二是落实责任。\\n二、强化监督\\n办结率100%。")
    >>> parts.sections[["section_path", "title"]].values.tolist()
    [['一', '坚持党的领导'], ['二', '强化监督']]
    >>> parts.sentences[["text", "item_no"]].astype(object).values.tolist()
    [['一、坚持党的领导。', <NA>], ['一是加强学习。', 1], ['二是落实责任。', 2], ['二、强化监督', <NA>], ['办结率100%。', <NA>]]
    """
    if not isinstance(text, str):
        from .errors import InputError

        raise InputError(f"split_document expects the document text as a str; got {type(text).__name__}.")
    sec_rows, point_rows, sent_rows = _rows(text, semicolons)
    ids = None if doc_id is None else [doc_id]
    return DocumentParts(
        sections=_frame(sec_rows, SECTION_COLUMNS, None if ids is None else ids * len(sec_rows)),
        points=_frame(point_rows, POINT_COLUMNS, None if ids is None else ids * len(point_rows)),
        sentences=_frame(sent_rows, SENTENCE_COLUMNS, None if ids is None else ids * len(sent_rows)),
    )


def split_sentences(text: str, *, semicolons: bool = False) -> pd.DataFrame:
    """Split ``text`` into sentences (the ``sentences`` table of :func:`split_document`).

    >>> split_sentences("他说：“要依法办事。”然后离开了。下一步！")["text"].tolist()
    ['他说：“要依法办事。”', '然后离开了。', '下一步！']
    """
    return split_document(text, semicolons=semicolons).sentences


def split_many(doc_ids, texts, *, semicolons: bool = False) -> DocumentParts:
    """Split many documents at once into three tables with a leading ``doc_id`` column (used by Corpus)."""
    from .perf import paused_gc

    all_sec, all_pts, all_sent = [], [], []
    sec_ids, pt_ids, sent_ids = [], [], []
    with paused_gc():
        for doc_id, text in zip(doc_ids, texts):
            sec_rows, point_rows, sent_rows = _rows(text, semicolons)
            all_sec.extend(sec_rows)
            all_pts.extend(point_rows)
            all_sent.extend(sent_rows)
            sec_ids.extend([doc_id] * len(sec_rows))
            pt_ids.extend([doc_id] * len(point_rows))
            sent_ids.extend([doc_id] * len(sent_rows))
    return DocumentParts(
        sections=_frame(all_sec, SECTION_COLUMNS, sec_ids),
        points=_frame(all_pts, POINT_COLUMNS, pt_ids),
        sentences=_frame(all_sent, SENTENCE_COLUMNS, sent_ids),
    )
