"""METRIC and DATE: quantities written with Arabic digits, and calendar dates.

Rules (spec/entities.md, METRIC):

* a METRIC is an Arabic number with its unit, counter, percentage, multiplier or ratio: 20.56万件, 540多亿元,
  100%, 2.1个百分点, 1/3, 0.9:68.2:30.9;
* 多 and 余 inside the number stay in the span (540多亿元, 200余件); qualifiers after it (以上, 左右) and before it
  (近, 超, 约) stay out;
* a bare number coordinated with a metric is a metric too (1和2个百分点 gives 1 and 2个百分点);
* numbers written only in Chinese numerals are not metrics; ordinals (第3批) are not metrics;
* years and dates (2023年, 2024年04月02日, 1-3月) are DATE, not METRIC.

Each metric carries ``value`` (float, 万/亿 applied, 多/余 ignored), ``unit`` (without the multiplier),
``is_percent`` and ``indicator`` (the phrase the number measures, see :func:`indicator`).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator

from ._data import read_table
from ._span import Span
from ._text import HAN

__all__ = ["find_dates", "find_metrics", "indicator", "metric_fields", "parse_metric"]

#: Chinese multipliers written after Arabic digits, longest first.
MULTIPLIERS = {
    "万亿": 1e12,
    "千亿": 1e11,
    "百亿": 1e10,
    "十亿": 1e9,
    "亿": 1e8,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "万": 1e4,
    "千": 1e3,
    "百": 1e2,
}

# \d{1,3}(?:,\d{3})+ or \d+, written to start with \d so that the regex engine scans for digits at C speed
_NUM = r"\d(?:\d{0,2}(?:,\d{3})+|\d*)(?:\.\d+)?"
# 千 before 瓦/克/米… starts a unit (千瓦, 千克), 百 before 分 starts 百分点
_MULT = r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千(?![瓦克米伏帕卡焦])|百(?!分))"
_APPROX = r"[多余]"
# not part of a code (PM2.5, G20), a ratio, a fraction or an ordinal: checked in Python by _finditer/_search
# (a regex starting with this lookbehind is tried at every position; one starting with a digit is not)
_BEFORE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:/第")
_CONNECTOR_CHARS = "和、至到或及与-~—–－～"
_CONNECTOR = "(?:" + "|".join(map(re.escape, _CONNECTOR_CHARS)) + ")"


@functools.cache
def _units() -> dict[str, str]:
    return {unit: kind for unit, kind in read_table("units.tsv")}


@functools.cache
def _patterns() -> dict[str, re.Pattern[str]]:
    units = sorted(_units(), key=len, reverse=True)
    unit_re = "|".join(re.escape(u) for u in units)
    han = f"[{HAN}]"
    # each starts with a digit, not preceded by one of _BEFORE_CHARS (use _finditer and _search)
    return {
        # number, 多/余, multiplier, 多/余, unit, optional (alternative unit), optional /unit
        "metric": re.compile(
            rf"(?P<num>{_NUM})(?P<a1>{_APPROX})?(?P<mult>{_MULT})?(?P<a2>{_APPROX})?"
            rf"[ \u3000]?(?P<unit>{unit_re})(?P<alt>\((?:{unit_re})\))?(?P<per>/(?:{unit_re}))?"
        ),
        # a number with a multiplier and no unit: 1.2万亿
        "mult_only": re.compile(rf"(?P<num>{_NUM})(?P<a1>{_APPROX})?(?P<mult>{_MULT})(?P<a2>{_APPROX})?"),
        "fraction": re.compile(r"(?P<a>\d\d*)/(?P<b>\d+)(?![\d/.])"),
        "ratio": re.compile(r"(?P<num>\d\d*(?:\.\d+)?(?::\d+(?:\.\d+)?)+)(?![\d:])"),
        "bare_before": re.compile(rf"(?P<num>{_NUM}){_CONNECTOR}$"),
        "han": re.compile(han),
    }


# characters one of which each pattern needs: a pattern is not run on a text without them
_NEEDS = {"mult_only": re.compile("[万亿千百十]"), "fraction": re.compile("/"), "ratio": re.compile(":")}


def _finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern that must not start right after one of ``_BEFORE_CHARS``."""
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            return
        s = m.start()
        if s and text[s - 1] in _BEFORE_CHARS:
            pos = s + 1  # the lookbehind fails here: try the next position, as the regex engine would
            continue
        yield m
        pos = m.end()


def _search(pattern: re.Pattern[str], text: str, pos: int, endpos: int) -> re.Match[str] | None:
    """``pattern.search(text, pos, endpos)`` with the same condition as :func:`_finditer`."""
    while True:
        m = pattern.search(text, pos, endpos)
        if m is None:
            return None
        s = m.start()
        if not (s and text[s - 1] in _BEFORE_CHARS):
            return m
        pos = s + 1


_YEAR = r"(?:1[6-9]|20)\d{2}"
_MONTH = r"(?:1[0-2]|0?[1-9])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_DATE_RE = re.compile(
    "|".join(
        [
            rf"{_YEAR}(?:[-—–~至到]{_YEAR})年(?:度)?",
            rf"{_YEAR}年(?:度|{_MONTH}月(?:{_DAY}[日号])?(?:[-—–~至到]{_MONTH}月)?)?",
            rf"{_YEAR}[-/.]{_MONTH}[-/.]{_DAY}(?!\d)",
            rf"{_MONTH}月{_DAY}[日号]",
            rf"{_MONTH}(?:[-—–~至到]{_MONTH})?月(?:份)?",
            r"\d{2}世纪(?:\d{2}年代)?",
            r"\d{2}年代",
            r"[〇零一二三四五六七八九]{4}年",
        ]
    )
)
# every date starts with one of these (_DATE_RE starts with no literal, so the regex engine would try it everywhere)
_DATE_START = re.compile(r"[\d〇零一二三四五六七八九]")
_NUMERIC_DATE = re.compile(r"\d[-/.]\d")  # in 2024-04-02, 2024/4/2, 2024.4.2
_DATE_BEFORE = re.compile(r"[A-Za-z0-9_.第]$")


def _date_finditer(norm: str) -> Iterator[re.Match[str]]:
    """``_DATE_RE.finditer(norm)``, trying the regex only where a date can start (every match is non-empty)."""
    pos = 0
    while True:
        first = _DATE_START.search(norm, pos)
        if first is None:
            return
        m = _DATE_RE.match(norm, first.start())
        if m is None:
            pos = first.start() + 1
        else:
            yield m
            pos = m.end()


def find_dates(norm: str) -> list[Span]:
    """DATE spans in normalized text.

    >>> [norm[s.start:s.end] for norm in ["2019年1月7日审议通过，1-3月增长，2021—2025年"] for s in find_dates(norm)]
    ['2019年1月7日', '1-3月', '2021—2025年']
    """
    out: list[Span] = []
    if not ("年" in norm or "月" in norm or "世纪" in norm or _NUMERIC_DATE.search(norm)):
        return out  # every date form has one of these
    for m in _date_finditer(norm):
        s, e = m.span()
        if s and _DATE_BEFORE.search(norm[s - 1]):
            continue
        if norm.startswith("个月", e - 1):  # "3个月": handled as a METRIC
            continue
        out.append(Span(s, e, "DATE", 0, None))
    return out


def _to_float(num: str) -> float:
    return float(num.replace(",", ""))


def parse_metric(text: str) -> dict[str, object]:
    """Parse a METRIC surface string into ``value``, ``unit`` and ``is_percent``.

    ``value`` applies the multiplier (万, 亿 …) and ignores 多/余; ``unit`` is the unit without the multiplier
    ("" for a bare number, "ratio" for a ratio, "fraction" for a fraction); ``is_percent`` is True for a number
    with ``%``. Full-width characters are accepted.

    >>> parse_metric("20.56万件")
    {'value': 205600.0, 'unit': '件', 'is_percent': False}
    >>> parse_metric("540多亿元")["value"], parse_metric("96.1%")
    (54000000000.0, {'value': 96.1, 'unit': '%', 'is_percent': True})
    >>> parse_metric("2.1个百分点")["unit"], parse_metric("1/3")["value"] == 1 / 3
    ('个百分点', True)
    """
    value, unit, is_percent = metric_fields(text)
    return {"value": value, "unit": unit, "is_percent": is_percent}


@functools.lru_cache(maxsize=1 << 18)
def metric_fields(text: str) -> tuple[float, str, bool]:
    """:func:`parse_metric` as a tuple ``(value, unit, is_percent)``, cached (metric strings recur in a corpus).

    >>> metric_fields("20.56万件")
    (205600.0, '件', False)
    """
    from ._text import normalize

    norm = normalize(text)
    pats = _patterns()
    m = pats["metric"].fullmatch(norm)
    if m:
        value = _to_float(m["num"]) * MULTIPLIERS.get(m["mult"] or "", 1.0)
        unit = m["unit"] + (m["per"] or "")
        return value, unit, unit == "%"
    m = pats["mult_only"].fullmatch(norm)
    if m:
        return _to_float(m["num"]) * MULTIPLIERS[m["mult"]], "", False
    m = pats["fraction"].fullmatch(norm)
    if m:
        return int(m["a"]) / int(m["b"]), "fraction", False
    if pats["ratio"].fullmatch(norm):
        return math.nan, "ratio", False
    try:
        return _to_float(norm), "", False
    except ValueError:
        return math.nan, "", False


def _is_year(num: str) -> bool:
    return bool(re.fullmatch(r"(?:1[6-9]|20)\d{2}", num))


def find_metrics(norm: str) -> list[Span]:
    """METRIC candidates in normalized text (see the module docstring for the rules).

    >>> norm = "办理事项20.56万件，增长1和2个百分点，占1/3，比例0.9:68.2:30.9，2023年"
    >>> [norm[s.start:s.end] for s in find_metrics(norm)]
    ['20.56万件', '1', '2个百分点', '1/3', '0.9:68.2:30.9']
    """
    pats = _patterns()
    units = _units()
    spans: list[Span] = []
    for m in _finditer(pats["metric"], norm):
        s, e = m.span()
        unit = m["unit"]
        if units.get(unit) == "time" and unit == "年" and not m["mult"] and _is_year(m["num"]):
            continue  # a calendar year: DATE
        if unit in ("次", "届", "期", "批", "轮") and s and norm[s - 1] == "第":
            continue
        spans.append(Span(s, e, "METRIC", 1, None))
    covered = bytearray(len(norm) + 1)
    for sp in spans:
        covered[sp.start : sp.end] = b"\x01" * (sp.end - sp.start)
    for key in ("mult_only", "fraction", "ratio"):
        if _NEEDS[key].search(norm) is None:
            continue
        for m in _finditer(pats[key], norm):
            s, e = m.span()
            if covered.find(1, s, e) != -1:
                continue
            if key == "fraction" and not int(m["a"]) < int(m["b"]):
                continue
            if key == "ratio":
                parts = m["num"].split(":")
                if len(parts) < 3 and "." not in m["num"]:
                    continue  # 8:30 is a time
            if key == "mult_only" and e < len(norm) and norm[e] in "年月日":
                continue
            spans.append(Span(s, e, "METRIC", 1, None))
            covered[s:e] = b"\x01" * (e - s)
    # bare numbers coordinated with a metric: 1和2个百分点, 3-5个
    spans.sort()
    extra: list[Span] = []
    for sp in spans:
        end = sp.start
        # bare_before ends with a connector (and $ also matches before a final newline)
        while end and norm[end - 1] in _CONNECTOR_CHARS + "\n":
            m = _search(pats["bare_before"], norm, max(0, end - 24), end)
            if not m or covered.find(1, m.start(), m.end()) != -1:
                break
            s, e = m.start("num"), m.end("num")
            if _is_year(m["num"]) and norm.startswith("年", sp.end - 1):
                break
            extra.append(Span(s, e, "METRIC", 1, None))
            covered[s:e] = b"\x01" * (e - s)
            end = s
    return sorted(spans + extra)


@functools.cache
def _context_words() -> dict[str, tuple[str, ...]]:
    roles: dict[str, list[str]] = {}
    for word, role in read_table("metric_context.tsv"):
        roles.setdefault(role, []).append(word)
    return {role: tuple(sorted(words, key=len, reverse=True)) for role, words in roles.items()}


def _alternation(words: tuple[str, ...]) -> str:
    return "(?:" + "|".join(re.escape(w) for w in words) + ")" if words else "(?!x)x"


@functools.cache
def _context_res() -> dict[str, re.Pattern[str]]:
    words = _context_words()
    return {
        "lead": re.compile(_alternation(words.get("lead", ())) + "+"),
        "link": re.compile("(?<=.)" + _alternation(words.get("link", ())) + "$"),
        "only_verbs": re.compile(_alternation(words.get("verb", ()) + words.get("link", ())) + "*"),
        "stop": re.compile(_alternation(words.get("stop", ()))),
    }


_BOUNDARY = re.compile(r"[，,。；;：:、！？!?()（）“”‘’\"《》\[\]【】\s]")
_UP_TO_LAST_BOUNDARY = re.compile(r"(?s).*" + _BOUNDARY.pattern)
_LEFT_DATES = re.compile(r"^(?:(?:1[6-9]|20)\d{2}年(?:度|底|初|末)?|\d{1,2}月(?:份|底)?)+")


def indicator(text: str, start: int, end: int, unit: str = "", floor: int = 0) -> str:
    """The phrase a metric at ``text[start:end]`` measures.

    The phrase before the number back to the previous punctuation mark (or ``floor``, the end of the previous
    entity), without leading scope and time words (全年, 累计 …) and trailing linking words (为, 达到 …). When
    nothing but a verb remains and the metric counts things (件, 个 …), the noun phrase after it is used instead.

    >>> t = "全年办理行政审批服务事项20.56万件，按期办结率100%。"
    >>> indicator(t, 12, 19, "件"), indicator(t, 25, 29, "%")
    ('办理行政审批服务事项', '按期办结率')
    >>> indicator("建成810个农家书屋、411个点。", 2, 6, "个")
    '农家书屋'
    """
    res = _context_res()
    m = _UP_TO_LAST_BOUNDARY.match(text, floor, start)
    left_start = m.end() if m else floor  # just after the last boundary mark before the number
    left = _LEFT_DATES.sub("", text[left_start:start])
    while True:  # strip scope words in front and linking words behind, until nothing changes
        before = left
        m = res["lead"].match(left)
        if m:
            left = left[m.end() :]
        m = res["link"].search(left)
        if m:
            left = left[: m.start()]
        if left == before:
            break
    if _units().get(unit, "") == "counter" and (len(left) <= 1 or res["only_verbs"].fullmatch(left)):
        right = text[end:]
        m = _BOUNDARY.search(right)
        right = right[: m.start()] if m else right
        m = res["stop"].search(right)
        right = (right[: m.start()] if m else right)[:16]
        if len(right) >= 2:
            return right
    if left in _context_words().get("link", ()):
        return ""
    return left
