"""Who is answering on a single machine (``make run``): the 人员编号 typed, checked against the roster, remembered.

On the site the login is the officer (``ground.identity.hub_user``) and nothing here is asked. On one machine shared by
several officers, the page asks for the 人员编号, normalises it the way people type it (spaces, full-width characters,
lower case: 「ａ ０００１」 is A0001), looks it up in the roster of the local ledger and asks 「您是 张伟（某县市场监督管理局）
吗？」 before anything is recorded. A number that is not on the roster is refused: officers are never created by typing.
The choice is kept in the data folder (never in ``courses/``), so every module page knows it; 切换答题人 changes it.
``ACADEMY_OFFICER`` (or the hub login) fixes the officer for the machine's configuration: then there is nothing to switch;
an ``ACADEMY_OFFICER`` not on the roster is not used (the page asks, as it does when a confirmed officer has left).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

import ipywidgets as w

from ground.files import write_text_atomic
from ground.identity import hub_user, officer_from_environment
from ground.settings import settings
from tracker import db, study

OFFICER_FILE = "officer.txt"
MAX_NUMBER_LENGTH = 64


class NotOnRoster(ValueError):
    """A 人员编号 that may not answer; the message says why, in words an officer reads."""


@dataclass(frozen=True)
class RosterOfficer:
    number: str  # 人员编号 as the roster writes it
    name: str
    unit: str

    @property
    def label(self) -> str:
        return f"{self.name}（{self.unit}）"

    def question(self) -> str:
        return f"您是 {self.label}吗？"


def normalise_number(text: str) -> str:
    """The 人员编号 as typed, without spaces of any width and in half-width characters (NFKC); case is kept here and
    ignored when looking up."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def look_up(text: str, url: str | None = None) -> RosterOfficer:
    """The officer on the roster with this 人员编号 (normalised, case ignored); ``NotOnRoster`` otherwise."""
    number = normalise_number(text)
    if not number:
        raise NotOnRoster("请输入人员编号。")
    if len(number) > MAX_NUMBER_LENGTH:
        raise NotOnRoster("人员编号太长，请核对后重新输入。")
    with db.session(url) as s:
        officer = study.find_officer(s, number)
        unit = officer.unit.name if officer is not None else ""
        if officer is None or unit == study.UNREGISTERED_UNIT:
            raise NotOnRoster(f"名册中没有人员编号 {number}。请核对后重新输入；如果您是新调入的执法人员，"
                              f"请先请人事部门把您登记到名册中。")
        if officer.status != "在职" or (officer.left_on is not None and officer.left_on <= dt.date.today()):
            raise NotOnRoster(f"名册中人员编号 {officer.officer_no}（{officer.name}）已不在职，不能在本机学习记学时。"
                              f"如有错误，请联系人事部门。")
        return RosterOfficer(officer.officer_no, officer.name, unit)


def describe(number: str, url: str | None = None) -> str:
    """「张伟（某县市场监督管理局）」 for a number on the roster, else the number itself."""
    try:
        return look_up(number, url).label
    except NotOnRoster:
        return number


def chosen_officer() -> str | None:
    """The 人员编号 confirmed on this machine, from the data folder."""
    path = settings.home / OFFICER_FILE
    return (path.read_text(encoding="utf-8").strip() or None) if path.exists() else None


def choose(number: str) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    write_text_atomic(settings.home / OFFICER_FILE, number)


def forget() -> None:
    (settings.home / OFFICER_FILE).unlink(missing_ok=True)


def page_officer(explicit: str | None = None) -> tuple[str | None, bool]:
    """Who answers on this machine's pages, and whether that is fixed (no 切换答题人): the argument; else the hub login;
    else ``ACADEMY_OFFICER`` when it is on the roster; else the officer confirmed on this machine while still on the
    roster; else nobody (the page asks)."""
    if explicit and explicit.strip():
        return explicit.strip(), True
    if hub_user():
        return hub_user(), True
    for candidate, fixed in ((officer_from_environment(), True), (chosen_officer(), False)):
        if candidate:
            try:
                return look_up(candidate).number, fixed
            except NotOnRoster:
                continue
    return None, False


ROW = {"flex_flow": "row wrap", "align_items": "center"}


class OfficerBar:
    """The 答题人 line at the top of every page: who is answering and 切换答题人, or the 人员编号 form with the roster's
    「您是 …吗？」 and 是 / 不是. ``on_change(number or None)`` is called when the officer changes."""

    def __init__(self, officer: str | None, fixed: bool, on_change: Callable[[str | None], None], local: bool = True):
        # local: the roster is in this machine's ledger (on the site the kernel has no database and shows the login)
        self.officer, self.fixed, self.on_change, self.local = officer, fixed, on_change, local
        spaced = {"width": "auto", "margin": "2px 8px 2px 0"}
        self.number = w.Text(placeholder="人员编号", layout=w.Layout(width="12em", margin="2px 8px 2px 0"))
        self.submit = w.Button(description="确定", button_style="primary", layout=w.Layout(**spaced))
        self.yes = w.Button(description="是", button_style="success", layout=w.Layout(**spaced))
        self.no = w.Button(description="不是", layout=w.Layout(**spaced))
        self.switch = w.Button(description="切换答题人", layout=w.Layout(**spaced))
        self.message = w.HTML()
        self.widget = w.VBox(layout=w.Layout(border="1px solid #d0d7de", padding="4px 10px", margin="6px 0"))
        self._candidate: RosterOfficer | None = None
        self.submit.on_click(lambda _: self.check())
        self.yes.on_click(lambda _: self.confirm())
        self.no.on_click(lambda _: self.ask())
        self.switch.on_click(lambda _: self.ask())
        self.show() if officer else self.ask()

    def show(self) -> None:
        label = describe(self.officer) if self.local else self.officer
        who = w.HTML(f"答题人：<b>{html.escape(label)}</b>", layout=w.Layout(margin="2px 8px 2px 0"))
        self.widget.children = [w.HBox([who] if self.fixed else [who, self.switch], layout=w.Layout(**ROW))]

    def ask(self, message: str = "") -> None:
        self._candidate = None
        self.number.value = ""
        self.message.value = message
        self.widget.children = [w.HTML("<b>请输入您的人员编号</b>（学习进度和学时记在这个编号下）"),
                                w.HBox([self.number, self.submit], layout=w.Layout(**ROW)),
                                self.message]

    def check(self) -> None:
        try:
            self._candidate = look_up(self.number.value)
        except NotOnRoster as exc:
            self.message.value = f"<span style='color:#c62828'>{html.escape(str(exc))}</span>"
            return
        self.message.value = ""
        self.widget.children = [w.HTML(f"<b>{html.escape(self._candidate.question())}</b>"),
                                w.HBox([self.yes, self.no], layout=w.Layout(**ROW))]

    def confirm(self) -> None:
        if self._candidate is None:
            return
        self.officer = self._candidate.number
        choose(self.officer)
        self.show()
        self.on_change(self.officer)
