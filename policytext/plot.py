"""Comparison plots for policytext tables (matplotlib).

Every function takes a tidy table produced by :mod:`policytext.stats`, :mod:`policytext.themes` or
:mod:`policytext.entities`, draws on ``ax`` when one is given (else on a new figure), returns the Axes (or an array of
Axes for small multiples) and never calls ``plt.show()``.

Chinese labels need a font with CJK glyphs. :func:`use_cjk_font` (called by every plot function) picks, in order, a
CJK font already configured in ``rcParams``, one installed on the system (Noto Sans CJK, Source Han Sans, WenQuanYi,
SimHei, Microsoft YaHei, PingFang …) and the Noto Sans SC font that ships with the ``pylopdf-fonts-zh-cn``
dependency; when none is found it warns with the fix instead of drawing empty boxes.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import InputError, ParameterError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes

__all__ = [
    "use_cjk_font",
    "keyness_bars",
    "term_heatmap",
    "trend_lines",
    "theme_composition",
    "entity_counts",
    "CJKFontWarning",
]

# Families with Chinese glyphs, most preferred first.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "SimHei",
    "Sarasa Gothic SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "AR PL UMing CN",
)
_PROBE = "法治政府建设汉滨区"
_chosen: str | None = None


class CJKFontWarning(UserWarning):
    """No font with Chinese glyphs was found: labels would be drawn as empty boxes."""


def _has_cjk_glyphs(path: str) -> bool:
    try:
        from matplotlib.ft2font import FT2Font

        font = FT2Font(path)
        return all(font.get_char_index(ord(ch)) for ch in _PROBE)
    except Exception:
        return False


def _packaged_font() -> str | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(pylopdf_fonts_zh_cn.__file__), "NotoSansSC-Regular.otf")
    return path if os.path.isfile(path) else None


def use_cjk_font(family: str | None = None, *, quiet: bool = False) -> str | None:
    """Make matplotlib draw Chinese text; return the font family used (None when there is none).

    Parameters
    ----------
    family : str, optional
        A font family to use (it must be known to matplotlib). By default the first available of
        :data:`CJK_FAMILIES`, then the packaged Noto Sans SC.
    quiet : bool
        Do not warn when no CJK font is found.

    Notes
    -----
    The chosen family is put first in ``rcParams["font.sans-serif"]`` and ``font.family`` is set to sans-serif.
    If you installed a system font after matplotlib built its font cache, the cache may not list it: remove
    ``~/.cache/matplotlib/fontlist-*.json`` or call ``matplotlib.font_manager.fontManager.addfont(path)``.
    """
    global _chosen
    import matplotlib
    from matplotlib import font_manager

    chosen = None
    if family is None and _chosen is not None:
        chosen = _chosen  # found before: re-apply it (rcParams may have been reset since)
    names = {f.name: f.fname for f in font_manager.fontManager.ttflist} if chosen is None else {}
    if family is not None:
        if family not in names:
            raise ParameterError(
                f"use_cjk_font: family {family!r} is not known to matplotlib; installed CJK families: "
                f"{[f for f in CJK_FAMILIES if f in names] or 'none'}."
            )
        chosen = family
    elif chosen is None:
        for candidate in CJK_FAMILIES:
            if candidate in names and _has_cjk_glyphs(names[candidate]):
                chosen = candidate
                break
        if chosen is None:
            path = _packaged_font()
            if path is not None:
                font_manager.fontManager.addfont(path)
                chosen = font_manager.FontProperties(fname=path).get_name()
    if chosen is None:
        if not quiet:
            warnings.warn(
                "No font with Chinese glyphs found: Chinese labels will show as boxes. Fix: "
                "pip install pylopdf-fonts-zh-cn (installed with policytext), or install a system font "
                "(Debian/Ubuntu: apt-get install fonts-noto-cjk) and delete ~/.cache/matplotlib/fontlist-*.json.",
                CJKFontWarning,
                stacklevel=2,
            )
        return None
    rc = matplotlib.rcParams
    rc["font.sans-serif"] = [chosen] + [f for f in rc["font.sans-serif"] if f != chosen]
    rc["font.family"] = ["sans-serif"]
    rc["axes.unicode_minus"] = False
    _chosen = chosen
    return chosen


# ------------------------------------------------------------------------- helpers


def _check_columns(table, columns: Sequence[str], func: str) -> None:
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise InputError(f"{func} expects a pandas DataFrame; got {type(table).__name__}.")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"{func}: the table has no column(s) {missing}; it has {list(table.columns)}.")
    if table.empty:
        raise InputError(f"{func}: the table is empty; nothing to plot.")


def pd_is_integer(values) -> bool:
    """True when a column holds whole numbers (years), so axis ticks should be integers."""
    import pandas as pd

    return pd.api.types.is_integer_dtype(values) or (
        pd.api.types.is_float_dtype(values) and bool((values.dropna() % 1 == 0).all()))


def _axes(ax, figsize):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


# ------------------------------------------------------------------------- plots


def keyness_bars(
    table: pd.DataFrame,
    measure: str = "log_ratio",
    *,
    top: int = 15,
    term: str = "term",
    target_label: str = "target",
    reference_label: str = "reference",
    ax: Axes | None = None,
    colors: tuple[str, str] = ("#c0392b", "#2c7fb8"),
) -> Axes:
    """Two-sided bar chart of the most distinctive terms of a keyness table.

    The ``top`` terms with the largest positive ``measure`` (over-used in the target) are drawn to the right, the
    ``top`` most negative (over-used in the reference) to the left.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`policytext.keyness` (columns ``term`` and the measure, e.g. ``log_ratio``, ``log_odds_z``,
        ``g2`` signed by ``log_ratio``).
    measure : str
        Column to plot. ``g2`` and ``chi2`` are signed by ``log_ratio`` when that column exists.
    """
    import numpy as np

    _check_columns(table, [term, measure], "keyness_bars")
    use_cjk_font()
    values = table[measure].astype(float)
    if measure in ("g2", "chi2") and "log_ratio" in table.columns:
        values = values * np.sign(table["log_ratio"].astype(float))
    frame = table.assign(plot_value=values).dropna(subset=["plot_value"])
    pos = frame[frame["plot_value"] > 0].nlargest(top, "plot_value")
    neg = frame[frame["plot_value"] < 0].nsmallest(top, "plot_value")
    data = [*pos.itertuples(), *neg.itertuples()]
    data.sort(key=lambda r: r.plot_value)
    ax = _axes(ax, (7, max(3, 0.28 * len(data) + 1)))
    y = np.arange(len(data))
    ax.barh(y, [r.plot_value for r in data], color=[colors[0] if r.plot_value > 0 else colors[1] for r in data])
    ax.set_yticks(y, [getattr(r, term) for r in data])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(f"← {reference_label}    {measure}    {target_label} →")
    ax.set_title(f"{target_label} vs {reference_label}")
    ax.grid(axis="x", alpha=0.3)
    return ax


def term_heatmap(
    freqs: pd.DataFrame,
    *,
    group: str = "region",
    term: str = "term",
    value: str = "per_10k",
    terms: Sequence[str] | None = None,
    top: int = 25,
    ax: Axes | None = None,
    cmap: str = "YlOrRd",
    annotate: bool | None = None,
) -> Axes:
    """Heatmap of terms × groups (e.g. per-10k frequencies of terms by region).

    Parameters
    ----------
    freqs : DataFrame
        Long table with ``group``, ``term`` and ``value`` columns, e.g. :func:`policytext.term_frequencies`.
    terms : list of str, optional
        Terms to show (rows, in this order); by default the ``top`` terms with the largest total ``value``.
    annotate : bool, optional
        Write the values in the cells (default: when the grid is small).
    """
    import numpy as np

    _check_columns(freqs, [group, term, value], "term_heatmap")
    use_cjk_font()
    wide = freqs.pivot_table(index=term, columns=group, values=value, aggfunc="sum", fill_value=0)
    if terms is None:
        terms = wide.sum(axis=1).nlargest(top).index.tolist()
    else:
        unknown = [t for t in terms if t not in wide.index]
        if unknown:
            raise InputError(f"term_heatmap: terms not in the table: {unknown[:5]}.")
    wide = wide.loc[list(terms)]
    ax = _axes(ax, (max(5, 0.45 * wide.shape[1] + 3), max(3, 0.3 * len(wide) + 1.5)))
    im = ax.imshow(wide.to_numpy(dtype=float), aspect="auto", cmap=cmap)
    ax.set_xticks(np.arange(wide.shape[1]), [str(c) for c in wide.columns], rotation=60, ha="right")
    ax.set_yticks(np.arange(len(wide)), wide.index.tolist())
    ax.figure.colorbar(im, ax=ax, label=value, shrink=0.8)
    if annotate is None:
        annotate = wide.size <= 150
    if annotate:
        vmax = float(np.nanmax(wide.to_numpy())) or 1.0
        for i in range(wide.shape[0]):
            for j in range(wide.shape[1]):
                v = float(wide.iat[i, j])
                ax.text(j, i, f"{v:.1f}", ha="center", va="center", fontsize=7,
                        color="white" if v > 0.6 * vmax else "black")
    ax.set_xlabel(group)
    return ax


def trend_lines(
    table: pd.DataFrame,
    *,
    x: str = "year",
    y: str = "per_10k",
    hue: str = "term",
    facet: str | None = None,
    col_wrap: int = 4,
    ax: Axes | None = None,
    sharey: bool = True,
    marker: str = "o",
):
    """Lines of a value over time, one per ``hue`` (term or theme), with small multiples by ``facet`` (region).

    Parameters
    ----------
    table : DataFrame
        Long table with ``x`` (year), ``y`` (per_10k, share …), ``hue`` and optionally ``facet`` columns, e.g.
        :func:`policytext.trends` output.
    facet : str, optional
        Column whose values get one panel each (small multiples). Without it, one Axes is drawn.

    Returns
    -------
    Axes, or a numpy array of Axes when ``facet`` is given.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    cols = [x, y, hue] + ([facet] if facet else [])
    _check_columns(table, cols, "trend_lines")
    use_cjk_font()
    hues = list(dict.fromkeys(table[hue].tolist()))
    colors = plt.get_cmap("tab10" if len(hues) <= 10 else "tab20")

    integer_x = pd_is_integer(table[x])

    def draw(axis, frame):
        if integer_x:
            from matplotlib.ticker import MaxNLocator

            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        for i, h in enumerate(hues):
            part = frame[frame[hue] == h].sort_values(x)
            if not part.empty:
                axis.plot(part[x], part[y], marker=marker, markersize=3, label=str(h), color=colors(i % colors.N))
        axis.grid(alpha=0.3)

    if facet is None:
        ax = _axes(ax, (7, 4))
        draw(ax, table)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        ax.legend(fontsize=8, ncol=2 if len(hues) > 6 else 1)
        return ax
    if ax is not None:
        raise ParameterError("trend_lines: ax cannot be given together with facet (small multiples make a figure).")
    panels = list(dict.fromkeys(table[facet].tolist()))
    ncols = min(col_wrap, len(panels))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.2 * ncols, 2.4 * nrows + 0.6), sharex=True, sharey=sharey,
                             squeeze=False, layout="constrained")
    for axis, panel in zip(axes.flat, panels):
        draw(axis, table[table[facet] == panel])
        axis.set_title(str(panel), fontsize=10)
    for axis in axes.flat[len(panels):]:
        axis.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=min(len(hues), 6), fontsize=8, frameon=False)
    fig.supxlabel(x)
    fig.supylabel(y)
    return axes


def theme_composition(
    shares: pd.DataFrame,
    *,
    by: str = "region",
    theme: str = "theme",
    value: str = "share",
    order: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    horizontal: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Stacked bars of theme composition per group (region or year).

    Parameters
    ----------
    shares : DataFrame
        Long table with ``by``, ``theme`` and ``value`` columns (e.g. the theme shares of
        :mod:`policytext.themes`); shares are normalised to 1 within each group after ``exclude`` is removed.
    order : list of str, optional
        Theme order in the stack (default: by overall share).
    exclude : list of str
        Themes to leave out (e.g. ``["other"]``).
    """
    import matplotlib.pyplot as plt
    import numpy as np

    _check_columns(shares, [by, theme, value], "theme_composition")
    use_cjk_font()
    frame = shares[~shares[theme].isin(list(exclude))]
    wide = frame.pivot_table(index=by, columns=theme, values=value, aggfunc="sum", fill_value=0)
    totals = wide.sum(axis=1).replace(0, np.nan)
    wide = wide.div(totals, axis=0).fillna(0)
    if order is None:
        order = wide.sum().sort_values(ascending=False).index.tolist()
    wide = wide[[t for t in order if t in wide.columns]]
    n = len(wide)
    ax = _axes(ax, (8, max(3, 0.3 * n + 1.5)) if horizontal else (max(6, 0.4 * n + 2), 5))
    cmap = plt.get_cmap("tab20" if wide.shape[1] > 10 else "tab10")
    left = np.zeros(n)
    pos = np.arange(n)
    for i, col in enumerate(wide.columns):
        vals = wide[col].to_numpy()
        if horizontal:
            ax.barh(pos, vals, left=left, label=str(col), color=cmap(i % cmap.N))
        else:
            ax.bar(pos, vals, bottom=left, label=str(col), color=cmap(i % cmap.N))
        left += vals
    labels = [str(i) for i in wide.index]
    if horizontal:
        ax.set_yticks(pos, labels)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"{value} of sentences")
        ax.invert_yaxis()
    else:
        ax.set_xticks(pos, labels, rotation=60, ha="right")
        ax.set_ylim(0, 1)
        ax.set_ylabel(f"{value} of sentences")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    return ax


def entity_counts(
    entities: pd.DataFrame,
    *,
    label: str | Sequence[str] | None = None,
    text: str | None = None,
    count: str | None = None,
    top: int = 20,
    ax: Axes | None = None,
) -> Axes:
    """Horizontal bars of the most frequent entities.

    Parameters
    ----------
    entities : DataFrame
        Either an entity table (one row per mention, columns ``label`` and ``text``/``canonical``) or a count
        table with a ``count`` column.
    label : str or list of str, optional
        Keep only these labels (PLACE, PROGRAM …).
    text : str, optional
        Column naming the entity; default ``canonical`` when present, else ``text``.
    """
    import numpy as np

    if text is None:
        text = "canonical" if "canonical" in entities.columns else "text"
    _check_columns(entities, [text], "entity_counts")
    use_cjk_font()
    frame = entities
    if label is not None:
        if "label" not in frame.columns:
            raise InputError("entity_counts: label= needs a 'label' column.")
        labels = [label] if isinstance(label, str) else list(label)
        frame = frame[frame["label"].isin(labels)]
    if frame.empty:
        raise InputError("entity_counts: no entities left to plot" + (f" for label {label!r}." if label else "."))
    given = frame[text]
    name = given.where(given.notna() & (given != ""), frame.get("text", given))  # empty canonical form: the text
    if count is None and "count" in frame.columns:
        count = "count"
    keys = [name] + ([frame["label"]] if "label" in frame.columns else [])
    if count is None:
        counts = frame.groupby(keys).size()
    else:
        counts = frame.groupby(keys)[count].sum()
    counts = counts.sort_values(ascending=False).head(top)[::-1]
    ax = _axes(ax, (7, max(3, 0.3 * len(counts) + 1)))
    y = np.arange(len(counts))
    labels = [k if isinstance(k, str) else (f"{k[0]} ({k[1]})" if len(k) > 1 else str(k[0])) for k in counts.index]
    ax.barh(y, counts.to_numpy(), color="#2c7fb8")
    ax.set_yticks(y, labels)
    ax.set_xlabel("mentions")
    ax.grid(axis="x", alpha=0.3)
    return ax
