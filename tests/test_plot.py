"""policytext.plot: each plot draws Chinese text without missing glyphs and returns its Axes."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from policytext import plot  # noqa: E402
from policytext.errors import InputError  # noqa: E402


def _render(ax_or_axes) -> np.ndarray:
    """Draw the figure to PNG, fail on any missing-glyph warning, and return the pixels."""
    axes = np.atleast_1d(ax_or_axes)
    fig = axes.flat[0].figure
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=60)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]
    assert not missing, missing
    plt.close(fig)
    buf.seek(0)
    image = plt.imread(buf)
    assert image.shape[0] > 50 and image.shape[1] > 50
    assert image[..., :3].std() > 0.05  # not a blank canvas
    return image


def test_cjk_font_is_found():
    family = plot.use_cjk_font()
    assert family is not None
    from matplotlib.font_manager import FontProperties, findfont

    path = findfont(FontProperties(family=["sans-serif"]))
    assert plot._has_cjk_glyphs(path)


@pytest.fixture()
def keyness_table():
    return pd.DataFrame({
        "term": ["放管服", "营商环境", "枫桥经验", "一网通办", "乡村振兴", "脱贫攻坚"],
        "log_ratio": [2.5, 1.2, 0.8, -0.5, -1.7, -2.2],
        "g2": [30.0, 12.0, 4.0, 3.0, 15.0, 22.0],
    })


def test_keyness_bars(keyness_table):
    ax = plot.keyness_bars(keyness_table, top=2, target_label="汉滨区", reference_label="其他地区")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["脱贫攻坚", "乡村振兴", "营商环境", "放管服"]
    _render(ax)


def test_keyness_bars_signs_g2_by_log_ratio(keyness_table):
    ax = plot.keyness_bars(keyness_table, measure="g2", top=1)
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == [-22.0, 30.0]
    _render(ax)


def test_term_heatmap():
    freqs = pd.DataFrame({
        "region": ["汉滨区", "汉滨区", "安康市", "安康市", "陕西省"],
        "term": ["放管服", "法治", "放管服", "法治", "法治"],
        "per_10k": [3.0, 10.0, 1.0, 8.0, 7.0],
    })
    ax = plot.term_heatmap(freqs)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["法治", "放管服"]
    _render(ax)
    with pytest.raises(InputError, match="terms not in the table"):
        plot.term_heatmap(freqs, terms=["不存在"])


def test_trend_lines_single_and_small_multiples():
    years = list(range(2015, 2024))
    rows = [(r, t, y, float(i + (y - 2015) * (1 if t == "营商环境" else 0.3)))
            for i, r in enumerate(["北京市", "上海市", "广东省"]) for t in ["营商环境", "放管服"] for y in years]
    table = pd.DataFrame(rows, columns=["region", "term", "year", "per_10k"])
    ax = plot.trend_lines(table[table.region == "北京市"])
    assert len(ax.get_lines()) == 2
    _render(ax)
    axes = plot.trend_lines(table, facet="region", col_wrap=2)
    assert axes.shape == (2, 2) and not axes[1, 1].get_visible()
    assert axes[0, 0].get_title() == "北京市"
    _render(axes)


def test_theme_composition():
    shares = pd.DataFrame({
        "region": ["汉滨区"] * 3 + ["安康市"] * 3,
        "theme": ["service_reform", "enforcement", "other"] * 2,
        "share": [0.5, 0.3, 0.2, 0.2, 0.2, 0.6],
    })
    ax = plot.theme_composition(shares, exclude=["other"])
    total = sum(p.get_width() for p in ax.patches)
    assert total == pytest.approx(2.0)  # each group normalised to 1 after excluding `other`
    _render(ax)


def test_entity_counts_from_mentions_and_counts():
    mentions = pd.DataFrame({"label": ["PLACE", "PLACE", "PROGRAM", "PLACE"],
                             "text": ["大河镇", "大河镇", "“八点半帮您办”服务品牌", "大竹园镇"],
                             "canonical": [None, None, "八点半帮您办服务品牌", None]})
    ax = plot.entity_counts(mentions)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "大河镇 (PLACE)"
    _render(ax)
    ax = plot.entity_counts(mentions, label="PROGRAM")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["八点半帮您办服务品牌 (PROGRAM)"]
    _render(ax)


def test_bad_tables_get_clear_errors(keyness_table):
    with pytest.raises(InputError, match=r"no column\(s\) \['lrc'\]"):
        plot.keyness_bars(keyness_table, measure="lrc")
    with pytest.raises(InputError, match="empty"):
        plot.keyness_bars(keyness_table.iloc[:0])
    with pytest.raises(InputError, match="expects a pandas DataFrame"):
        plot.term_heatmap([1, 2])


def test_uses_given_axes(keyness_table):
    fig, ax = plt.subplots()
    assert plot.keyness_bars(keyness_table, ax=ax) is ax
    plt.close(fig)
