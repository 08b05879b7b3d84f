"""Charts with a Chinese font (WenQuanYi Micro Hei or Noto CJK, installed by the set-up)."""

from __future__ import annotations

from functools import cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

PREFERRED = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC",
             "SimHei", "Microsoft YaHei")
from tracker.standing import COLOURS as COLORS  # noqa: E402


@cache
def chinese_font() -> str:
    """The family name of an installed CJK font; matplotlib is set to use it."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    if not names.intersection(PREFERRED):  # a font installed after matplotlib cached its font list
        for path in font_manager.findSystemFonts():
            if any(mark in path.lower() for mark in ("wqy", "wenquanyi", "notosanscjk", "sourcehansans")):
                font_manager.fontManager.addfont(path)
        names = {f.name for f in font_manager.fontManager.ttflist}
    for name in PREFERRED:
        if name in names:
            plt.rcParams["font.family"] = [name]
            plt.rcParams["axes.unicode_minus"] = False
            return name
    raise RuntimeError("没有找到中文字体：请安装 fonts-wqy-microhei（make test / make run 会自动安装）")


def unit_status_chart(units: pd.DataFrame, title: str):
    """Stacked horizontal bars: officers of each unit by status."""
    chinese_font()
    height = max(2.5, 0.45 * len(units) + 1.2)
    figure, axis = plt.subplots(figsize=(8, height), dpi=110)
    left = pd.Series(0, index=units.index, dtype=float)
    for status in COLORS:
        column = f"{status}人数"
        if column not in units:
            continue
        values = units[column].astype(float)
        axis.barh(units["单位"], values, left=left, color=COLORS[status], label=status)
        left += values
    for y, (rate, total) in enumerate(zip(units["达标率"], units["人数"])):
        axis.text(total, y, f"  {rate:.0%}", va="center", fontsize=9)
    axis.invert_yaxis()
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel("人数")
    axis.set_title(title)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 * 4 / height), ncol=4, frameon=False)
    axis.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def hours_histogram(table: pd.DataFrame, required: dict[str, float], title: str):
    """Distribution of hours per category, with the requirement marked."""
    chinese_font()
    columns = [c for c in ("法律知识", "专门业务") if c in table] if "total" not in required else ["合计"]
    figure, axes = plt.subplots(1, len(columns), figsize=(4.2 * len(columns), 3.2), dpi=110, squeeze=False)
    for axis, column in zip(axes[0], columns):
        axis.hist(table[column], bins=20, color="#1565c0", alpha=0.85)
        key = {"法律知识": "legal", "专门业务": "operations", "合计": "total"}[column]
        if key in required:
            axis.axvline(required[key], color="#c62828", linestyle="--", label=f"要求 {required[key]:g} 学时")
            axis.legend(frameon=False, fontsize=8)
        axis.yaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_title(column)
        axis.set_xlabel("学时")
        axis.set_ylabel("人数")
        axis.spines[["top", "right"]].set_visible(False)
    figure.suptitle(title)
    figure.tight_layout()
    return figure
