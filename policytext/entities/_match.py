"""A fast dictionary matcher: every occurrence of many strings in a text.

Two implementations with the same result. :meth:`DictMatcher.find_all` walks the text in Python: at each position
whose first two characters start an entry, the entry lengths starting with them are tried longest first with one
dict lookup each. :meth:`DictMatcher.find_all_many` tags many texts at once with numpy: the texts are joined,
and a rolling hash of every position is extended one character at a time while it is the hash of some entry's
prefix (most positions drop out after one or two characters); only the positions whose hash equals an entry's
are checked against the dict in Python, so the per-character work runs in C.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

__all__ = ["DictMatcher"]

_MULT = 0x9E3779B97F4A7C15  # odd 64-bit multiplier of the rolling hash (arithmetic mod 2**64)
_MULT2 = 0xC2B2AE3D27D4EB4F  # multiplier that spreads a hash over the filter table's slots
_TABLE_BITS = 23  # filter table of 8 MB: few false positives for some 10**5 entry prefixes
_SEP = "\x00"  # joins the texts in find_all_many; no entry may contain it
_CHUNK = 1 << 20  # characters per numpy pass (bounds the memory of the hash arrays)


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
        self._table: tuple[Any, int] | None = None  # built on first use of find_all_many
        self._joinable = not any(_SEP in key for key in self.entries)

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

    def find_all_many(self, texts: Sequence[str]) -> list[list[tuple[int, int, Any]]]:
        """:meth:`find_all` of each text (the same lists), computed in a few numpy passes over all of them.

        >>> DictMatcher({"汉滨区": 1, "汉滨": 2, "委": 3}).find_all_many(["汉滨区委", "", "在汉滨"])
        [[(0, 3, 1), (0, 2, 2), (3, 4, 3)], [], [(1, 3, 2)]]
        """
        out: list[list[tuple[int, int, Any]]] = [[] for _ in texts]
        if not self.entries:
            return out
        if not self._joinable:
            return [self.find_all(t) for t in texts]
        batch: list[int] = []
        size = 0
        for k, text in enumerate(texts):
            batch.append(k)
            size += len(text) + 1
            if size >= _CHUNK:
                self._find_joined(texts, batch, out)
                batch, size = [], 0
        if batch:
            self._find_joined(texts, batch, out)
        return out

    def _find_joined(self, texts: Sequence[str], which: list[int], out: list[list]) -> None:
        """Matches of ``texts[k]`` for ``k`` in ``which`` into ``out[k]``, from one scan of the joined texts."""
        import numpy as np

        joined = _SEP.join([texts[k] for k in which])
        offsets = np.cumsum([0] + [len(texts[k]) + 1 for k in which[:-1]], dtype=np.int64)
        starts, lengths = self._candidates(joined)
        if not len(starts):
            return
        order = np.lexsort((-lengths, starts))  # by start, longest first at a start
        starts, lengths = starts[order], lengths[order]
        owner = np.searchsorted(offsets, starts, side="right") - 1
        get = self.entries.get
        for i, length, t in zip(starts.tolist(), lengths.tolist(), owner.tolist()):
            j = i + length
            payload = get(joined[i:j])
            if payload is not None:
                off = int(offsets[t])
                out[which[t]].append((i - off, j - off, payload))

    def _hash_table(self) -> tuple[Any, int]:
        """A filter over the entries' rolling hashes: ``table[slot(h)]`` has bit 1 when ``h`` may be the hash of an
        entry and bit 2 when it may be the hash of a proper prefix of one (false positives only cost time), and
        the length of the longest entry."""
        if self._table is None:
            import numpy as np

            table = np.zeros(1 << _TABLE_BITS, dtype=np.uint8)
            mult, mult2, shift = np.uint64(_MULT), np.uint64(_MULT2), np.uint64(64 - _TABLE_BITS)
            by_length: dict[int, list[str]] = {}
            for key in self.entries:
                by_length.setdefault(len(key), []).append(key)
            for length, keys in by_length.items():
                codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32).reshape(len(keys), length)
                h = np.zeros(len(keys), dtype=np.uint64)
                for pos in range(length):  # the rolling hash of each prefix, as in _candidates
                    h = h * mult + codes[:, pos].astype(np.uint64)
                    table[(h * mult2) >> shift] |= 1 if pos == length - 1 else 2
            self._table = (table, max(by_length))
        return self._table

    def _candidates(self, text: str) -> tuple[Any, Any]:
        """``(starts, lengths)`` of every substring whose rolling hash may be an entry's (a superset of the
        matches, checked exactly by the caller)."""
        import numpy as np

        table, longest = self._hash_table()
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
        n = len(codes)
        mult, mult2, shift = np.uint64(_MULT), np.uint64(_MULT2), np.uint64(64 - _TABLE_BITS)
        found_s, found_l = [], []
        if self._singles:  # one-character entries: the hash of a character is its code
            where = np.flatnonzero(np.isin(codes, [ord(ch) for ch in self._singles]))
            found_s.append(where)
            found_l.append(np.ones(len(where), dtype=np.int64))
        # every position starts as a candidate of two characters or more
        alive = np.arange(max(n - 1, 0), dtype=np.int64)
        h = codes[: len(alive)]
        for length in range(2, longest + 1):
            ok = alive + length <= n
            if len(ok) and not ok[-1]:
                alive, h = alive[ok], h[ok]
            h = h * mult + codes[alive + (length - 1)]
            flags = table[(h * mult2) >> shift]
            hit = (flags & 1).astype(bool)
            if hit.any():
                found_s.append(alive[hit])
                found_l.append(np.full(len(found_s[-1]), length, dtype=np.int64))
            keep = (flags & 2).astype(bool)
            alive, h = alive[keep], h[keep]
            if not len(alive):
                break
        if not found_s:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(found_s), np.concatenate(found_l)

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
