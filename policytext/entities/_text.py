"""Character-level helpers shared by the entity recognizers.

All matching runs on a *normalized* copy of the text made with :func:`normalize`: a one-to-one character mapping
(full-width digits, letters and ASCII punctuation to half-width, except the full-width comma), so every offset found
in the normalized copy is an offset into the original text.
"""

from __future__ import annotations

import re

__all__ = ["CLOSE_QUOTES", "HAN", "OPEN_QUOTES", "is_han", "normalize", "quote_pairs"]

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if cp != 0xFF0C}  # keep ， (clause separator)
_FULLWIDTH.update({0x3000: 0x20, 0x2236: ord(":"), 0xFE6A: ord("%")})  # ideographic space, ∶ ratio, ﹪
_TABLE = str.maketrans(_FULLWIDTH)
_MAPPED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_FULLWIDTH)) + "]")


def normalize(text: str) -> str:
    """Return ``text`` with full-width forms mapped to half-width, one character for one character.

    >>> normalize("增长２０．５％（间）")
    '增长20.5%(间)'
    >>> len(normalize("１，２")) == 3
    True
    """
    if _MAPPED.search(text) is None:
        return text  # nothing to map (most sentences): a regex scan is much cheaper than translate
    return text.translate(_TABLE)


HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{HAN}]")


def is_han(ch: str) -> bool:
    """True when ``ch`` is one CJK ideograph."""
    return bool(ch) and _HAN_RE.match(ch) is not None


OPEN_QUOTES = "“‘「『"
CLOSE_QUOTES = "”’」』"
_PAIR = dict(zip(OPEN_QUOTES, CLOSE_QUOTES))
_STRAIGHT = "\"'"
_SENTENCE_END = "。！？!?;；\n"
# the only characters quote_pairs acts on
_QUOTE_EVENT = re.compile("[" + re.escape(OPEN_QUOTES + CLOSE_QUOTES + _STRAIGHT + _SENTENCE_END) + "]")
_CURLY_EVENT = re.compile("[" + re.escape(OPEN_QUOTES + CLOSE_QUOTES) + "]")


def quote_pairs(text: str, max_len: int = 80) -> list[tuple[int, int, int]]:
    """Find quotation-mark pairs: ``(open, close, depth)`` with ``text[open]`` the opening mark.

    Curly quotes nest (a stack per text); straight quotes ``"`` and ``'`` pair with the next identical mark in
    the same sentence. A pair whose content is longer than ``max_len`` characters, or an unmatched mark, is
    ignored. Depth 0 is the outermost level.

    >>> quote_pairs('深化“放管服”改革，打造“‘五个新高地’”')
    [(2, 6, 0), (13, 19, 1), (12, 20, 0)]
    >>> quote_pairs('推行"一网通办"和"就近办"')
    [(2, 7, 0), (9, 13, 0)]
    """
    pairs: list[tuple[int, int, int]] = []
    stack: list[tuple[str, int]] = []
    straight_open: dict[str, int] = {}
    # without straight quotes, sentence ends change nothing
    events = _QUOTE_EVENT if '"' in text or "'" in text else _CURLY_EVENT
    for m in events.finditer(text):
        i, ch = m.start(), m.group()
        if ch in _PAIR:
            stack.append((ch, i))
        elif ch in CLOSE_QUOTES:
            # close the innermost matching opener; drop unmatched inner openers
            for k in range(len(stack) - 1, -1, -1):
                if _PAIR[stack[k][0]] == ch:
                    o = stack[k][1]
                    del stack[k:]
                    if i - o - 1 <= max_len:
                        pairs.append((o, i, len(stack)))
                    break
        elif ch in _STRAIGHT:
            if ch in straight_open:
                o = straight_open.pop(ch)
                if 0 < i - o - 1 <= max_len:
                    pairs.append((o, i, len(stack)))
            else:
                straight_open[ch] = i
        elif ch in _SENTENCE_END:
            straight_open.clear()
    return pairs
