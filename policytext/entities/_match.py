"""A fast dictionary matcher: longest match of many strings, in pure Python.

A regex character class of the entries' first characters finds candidate positions at C speed; at each one, the
entry lengths starting with that character are tried longest first with one dict lookup each.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["DictMatcher"]


class DictMatcher:
    """Find dictionary entries in a text.

    Parameters
    ----------
    entries : mapping of str to any
        Surface form -> payload (payloads must not be None).

    Examples
    --------
    >>> m = DictMatcher({"汉滨区": 1, "汉滨": 2, "大河镇": 3, "委": 4})
    >>> list(m.finditer("汉滨区大河镇和汉滨区委"))
    [(0, 3, 1), (3, 6, 3), (7, 10, 1), (10, 11, 4)]
    >>> list(m.finditer("汉滨区", overlapping=True))
    [(0, 3, 1), (0, 2, 2)]
    """

    def __init__(self, entries: Mapping[str, Any]) -> None:
        self.entries = {k: v for k, v in entries.items() if k}
        lens: dict[str, set[int]] = {}
        singles: dict[str, Any] = {}
        for key, value in self.entries.items():
            if len(key) == 1:
                singles[key] = value
            else:
                lens.setdefault(key[:2], set()).add(len(key))
        # candidate positions are found by the first two characters of the entries
        self._lens = {pre: tuple(sorted(v, reverse=True)) for pre, v in lens.items()}
        self._singles = singles

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def get(self, key: str, default: Any = None) -> Any:
        return self.entries.get(key, default)

    def find_all(self, text: str) -> list[tuple[int, int, Any]]:
        """Every entry at every position: ``[(start, end, payload)]``, by start, longest first at a start.

        The same matches as ``finditer(text, overlapping=True)``, built with a tighter loop.

        >>> DictMatcher({"汉滨区": 1, "汉滨": 2, "委": 3}).find_all("汉滨区委")
        [(0, 3, 1), (0, 2, 2), (3, 4, 3)]
        """
        entries = self.entries.get
        lens = self._lens.get
        out: list[tuple[int, int, Any]] = []
        append = out.append
        n = len(text)
        for i in range(n - 1):
            cand = lens(text[i : i + 2])
            if cand is not None:
                for length in cand:
                    j = i + length
                    if j <= n:
                        payload = entries(text[i:j])
                        if payload is not None:
                            append((i, j, payload))
        if self._singles:
            for ch, payload in self._singles.items():
                k = text.find(ch)
                while k != -1:
                    out.append((k, k + 1, payload))
                    k = text.find(ch, k + 1)
            out.sort(key=lambda m: (m[0], m[0] - m[1]))
        return out

    def finditer(self, text: str, overlapping: bool = False) -> Iterator[tuple[int, int, Any]]:
        """Yield ``(start, end, payload)``: leftmost-longest non-overlapping matches, or with ``overlapping`` every
        entry at every position (longest first at each position)."""
        entries = self.entries
        lens = self._lens.get
        singles = self._singles
        n = len(text)
        i = 0
        while i < n:
            cand = lens(text[i : i + 2])
            matched = 0
            if cand is not None:
                for length in cand:
                    if i + length > n:
                        continue
                    payload = entries.get(text[i : i + length])
                    if payload is not None:
                        yield (i, i + length, payload)
                        if not overlapping:
                            matched = length
                            break
            if singles and (overlapping or not matched):
                payload = singles.get(text[i])
                if payload is not None:
                    yield (i, i + 1, payload)
                    matched = matched or 1
            i += matched if (matched and not overlapping) else 1
