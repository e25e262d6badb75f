"""The candidate span every recognizer produces, and the overlap resolution of spec/entities.md."""

from __future__ import annotations

from operator import itemgetter
from typing import Any, NamedTuple

__all__ = ["Span", "resolve"]


class Span(NamedTuple):
    """A candidate entity: ``text[start:end]``, a label (None: a *blocker*, a known non-entity such as a doctrine
    name that hides shorter candidates inside it and is dropped afterwards), a priority that breaks ties between
    candidates of equal length, and label-specific attributes."""

    start: int
    end: int
    label: str | None
    priority: int = 0
    attrs: dict[str, Any] | None = None


def resolve(spans: list[Span]) -> list[Span]:
    """Select non-overlapping spans: the longer candidate wins, then the higher priority, then the earlier one.

    Blockers take part in the selection and are removed from the result.

    >>> [(s.start, s.end, s.label) for s in resolve([Span(0, 3, "PLACE"), Span(0, 7, "ORG"), Span(7, 9, "METRIC")])]
    [(0, 7, 'ORG'), (7, 9, 'METRIC')]
    >>> resolve([Span(2, 8, None), Span(2, 4, "PLACE")])
    []
    """
    if not spans:
        return []
    if len(spans) == 1:
        s = spans[0]
        return [s] if s.end > s.start and s.label is not None else []
    order = sorted(spans, key=_resolution_order)
    taken = bytearray(max(map(_END, spans)))
    chosen: list[Span] = []
    for s in order:
        if s.end <= s.start or taken.find(1, s.start, s.end) != -1:
            continue
        taken[s.start : s.end] = b"\x01" * (s.end - s.start)
        if s.label is not None:
            chosen.append(s)
    chosen.sort(key=_START)
    return chosen


_START = itemgetter(0)
_END = itemgetter(1)


def _resolution_order(s: Span) -> tuple[int, int, int]:
    return (s.start - s.end, -s.priority, s.start)
