"""The annual requirement as configuration (``tracker/rules/*.yaml``), and what counts towards it.

Supported: a split requirement (法律知识 + 专门业务, default 30 + 30) or a single total; minutes per 学时 for
sheets kept in minutes; a cap on online hours counted per year; carry-over of the previous year's surplus with a cap;
a reduced requirement for officers who joined or left during the year (by months served). Calendar years only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from ground.settings import settings

RULES_DIR = Path(__file__).resolve().parent / "rules"


@dataclass(frozen=True)
class Rules:
    name: str
    mode: str  # split | total
    legal: float
    operations: float
    total: float
    minutes_per_hour: float
    online_cap: float | None
    carry_over: bool
    carry_over_max: float
    proration: bool

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Rules":
        path = Path(path or settings.rules_file)
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        req = raw.get("requirement", {})
        mode = req.get("mode", "split")
        if mode not in ("split", "total"):
            raise ValueError(f"{path}：requirement.mode 应为 split 或 total，实际为 {mode}")
        carry = raw.get("carry_over") or {}
        return cls(
            name=str(raw.get("name", path.stem)),
            mode=mode,
            legal=float(req.get("legal", 30)),
            operations=float(req.get("operations", 30)),
            total=float(req.get("total", 60)),
            minutes_per_hour=float(raw.get("minutes_per_hour", 45)),
            online_cap=None if raw.get("online_cap") is None else float(raw["online_cap"]),
            carry_over=bool(carry.get("enabled", False)),
            carry_over_max=float(carry.get("max", 0)),
            proration=bool(raw.get("proration", True)),
        )

    def share_of_year(self, year: int, joined: dt.date | None, left: dt.date | None) -> float:
        """The part of the year the officer served, in whole months (a started month counts), 0–1."""
        if not self.proration:
            return 1.0
        start = max(dt.date(year, 1, 1), joined) if joined else dt.date(year, 1, 1)
        end = min(dt.date(year, 12, 31), left) if left else dt.date(year, 12, 31)
        if end < start:
            return 0.0
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return min(12, months) / 12

    def required(self, share: float = 1.0) -> dict[str, float]:
        """Hours required, by category (split) or as 'total'; rounded up to half hours."""
        def r(x: float) -> float:
            return math.ceil(x * share * 2) / 2

        if self.mode == "total":
            return {"total": r(self.total)}
        return {"legal": r(self.legal), "operations": r(self.operations)}

    def counted(self, online: dict[str, float], offline: dict[str, float]) -> dict[str, float]:
        """Hours that count, by category, after the online cap (per category, or on the sum in total mode)."""
        if self.online_cap is None:
            return {c: online.get(c, 0) + offline.get(c, 0) for c in ("legal", "operations")}
        if self.mode == "split":
            return {c: min(online.get(c, 0), self.online_cap) + offline.get(c, 0) for c in ("legal", "operations")}
        total_online = online.get("legal", 0) + online.get("operations", 0)
        factor = min(1.0, self.online_cap / total_online) if total_online > 0 else 1.0
        return {c: online.get(c, 0) * factor + offline.get(c, 0) for c in ("legal", "operations")}

    def hours_from_minutes(self, minutes: float) -> float:
        return round(minutes / self.minutes_per_hour, 2)

    def describe(self) -> str:
        if self.mode == "total":
            text = f"每年合计不少于 {self.total:g} 学时"
        else:
            text = f"每年法律知识不少于 {self.legal:g} 学时、专门业务不少于 {self.operations:g} 学时"
        if self.online_cap is not None:
            text += f"；线上学时每{'类' if self.mode == 'split' else '年'}最多计入 {self.online_cap:g} 学时"
        if self.carry_over:
            text += f"；上年超出部分最多结转 {self.carry_over_max:g} 学时"
        if self.proration:
            text += "；年中入职或离职按在岗月数折算"
        return text
