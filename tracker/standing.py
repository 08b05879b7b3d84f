"""The one definition of an officer's status for the year, its legend and its colours.

Every report, the dashboard and the 学时证明 take the status from here (through ``tracker.reports.compliance``):

- 达标: the required 学时 are met.
- 进度正常: not met yet, but at the pace so far the officer gets there by the end of the service period.
- 有风险: not met, and at the pace so far the officer will not get there.
- 未达标: final only — the year is over, or the officer has left — and the requirement was not met.
"""

from __future__ import annotations

import html

import numpy as np

MET, ON_TRACK, AT_RISK, MISSED = "达标", "进度正常", "有风险", "未达标"
STATUSES = (MET, ON_TRACK, AT_RISK, MISSED)
LEGEND = {
    MET: "本年度要求的学时已学满。",
    ON_TRACK: "尚未学满，按目前的进度到年底（或离岗时）能够学满。",
    AT_RISK: "尚未学满，按目前的进度到年底学不满，需要督促。",
    MISSED: "年度已结束或本人已离职，要求的学时没有学满（最终结论，年度中不会出现）。",
}
# text colour (charts, html) and cell fill (xlsx, html)
COLOURS = {MET: "#2e7d32", ON_TRACK: "#1565c0", AT_RISK: "#ef6c00", MISSED: "#c62828"}
FILLS = {MET: "C8E6C9", ON_TRACK: "BBDEFB", AT_RISK: "FFE0B2", MISSED: "FFCDD2"}


def decide(met: np.ndarray, behind: np.ndarray, final: np.ndarray) -> np.ndarray:
    """The status of each officer from three facts: requirement met, behind the pace, the period is over."""
    return np.select([met, final, behind], [MET, MISSED, AT_RISK], default=ON_TRACK)


def legend_lines() -> list[str]:
    return [f"{status}：{meaning}" for status, meaning in LEGEND.items()]


def legend_html() -> str:
    items = "".join(f'<li><span class="status status-{i}" style="{cell_style(s)}">{s}</span> {html.escape(m)}</li>'
                    for i, (s, m) in enumerate(LEGEND.items()))
    return f'<div class="legend"><b>状态说明</b><ul style="list-style:none;padding-left:0">{items}</ul></div>'


def cell_style(status: str) -> str:
    if status not in FILLS:
        return ""
    return f"background:#{FILLS[status]};color:{COLOURS[status]};font-weight:bold;padding:0 4px"
