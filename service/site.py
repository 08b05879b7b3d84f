"""The site on one machine: where the hub keeps its state, its secrets, and the roster → accounts sync.

``sync_users`` makes the hub's accounts follow the tracker's roster (DESIGN.md: identity comes from the hub login):
every officer in service gets a hub user named by his 人员编号 (lower case), a unix account (``unix_name``) and the
group 执法人员; roles from ``deploy/site_roles.yaml`` add 人事 / 考试管理员; an officer who left loses his hub
user (he can no longer log in; his records stay in the ledger) and his unix account is locked. With the native
authenticator, a new account gets a first password, returned for HR to hand out; officers change it themselves.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import yaml

from ground.settings import PROJECT_ROOT, settings
from service.spawner import unix_name

GROUPS = ("执法人员", "人事", "考试管理员")
OFFICERS, HR_GROUP = "执法人员", "人事"
ROLES_FILE = PROJECT_ROOT / "deploy" / "site_roles.yaml"


def hub_home() -> Path:
    home = settings.home / "hub"
    home.mkdir(parents=True, exist_ok=True)
    home.chmod(0o700)
    return home


def admin_token() -> str:
    """The token of the ``academy-admin`` service (the sync command's), kept in the hub folder, mode 0600."""
    path = hub_home() / "admin-token"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def proxy_command() -> Path:
    """configurable-http-proxy as installed by ``make hub`` (npm, into .hub/), else the one on PATH."""
    local = PROJECT_ROOT / ".hub" / "node_modules" / ".bin" / "configurable-http-proxy"
    found = local if local.exists() else shutil.which("configurable-http-proxy")
    if not found:
        raise FileNotFoundError("没有找到 configurable-http-proxy：请用 make hub 启动（会用 npm 安装它）")
    return Path(found)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)  # new accounts' first passwords (native authenticator)
    groups: dict[str, list[str]] = field(default_factory=dict)

    def text(self) -> str:
        lines = [f"新增账户 {len(self.added)} 个，停用 {len(self.disabled)} 个。"]
        lines += [f"{group}：{len(members)} 人" for group, members in self.groups.items()]
        return "\n".join(lines)


class HubAPI:
    """The few hub REST calls the sync needs, with the academy-admin token."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url.rstrip("/"), token

    def call(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.url}/hub/api{quote(path, safe='/?=&')}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and method in ("DELETE", "GET"):
                return None
            raise RuntimeError(f"JupyterHub 拒绝了请求 {method} {path}（{exc.code}）：{exc.read()[:200]!r}") from None
        except urllib.error.URLError as exc:
            raise RuntimeError(f"连不上 JupyterHub（{self.url}）：{exc.reason}；请先用 make hub 启动站点") from None
        return json.loads(raw) if raw else None


def site_roles(path: Path = ROLES_FILE) -> dict[str, set[str]]:
    """人事 / 考试管理员 membership by 人员编号 (lower case), from ``deploy/site_roles.yaml``."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {group: {str(n).strip().lower() for n in (raw or {}).get(group) or []} for group in GROUPS[1:]}


def sync_users(hub_url: str, officers: list[tuple[str, bool]], roles: dict[str, set[str]], token: str | None = None,
               unix_accounts: bool = True, hub_db_url: str | None = None) -> SyncReport:
    """Make the hub follow the roster: ``officers`` is (人员编号, in service) for everyone on the roster."""
    api = HubAPI(hub_url, token or admin_token())
    report = SyncReport()
    existing = {u["name"] for u in api.call("GET", "/users?limit=100000") or []}
    active = {number.strip().lower() for number, in_service in officers if in_service}
    left = {number.strip().lower() for number, in_service in officers if not in_service} - active
    for name in sorted(active - existing):
        api.call("POST", f"/users/{name}")
        report.added.append(name)
    for name in sorted(left & existing):
        api.call("DELETE", f"/users/{name}/server")
        api.call("DELETE", f"/users/{name}")
        report.disabled.append(name)
    wanted = {OFFICERS: active} | {group: members & active for group, members in roles.items()}
    for group, members in wanted.items():
        model = api.call("GET", f"/groups/{group}") or api.call("POST", f"/groups/{group}") or {"users": []}
        current = set(model.get("users", []))
        if members - current:
            api.call("POST", f"/groups/{group}/users", {"users": sorted(members - current)})
        if current - members:
            api.call("DELETE", f"/groups/{group}/users", {"users": sorted(current - members)})
        report.groups[group] = sorted(members)
    if unix_accounts:
        for name in report.added + sorted(active - set(report.added)):
            ensure_unix_account(name)
        for name in report.disabled:
            lock_unix_account(name)
        set_group_members(wanted[EXAM_GROUP], active | left)
    if hub_db_url is not None:
        report.passwords = first_passwords(hub_db_url, active)
    return report


def ensure_unix_account(name: str) -> None:
    account = unix_name(name)
    if subprocess.run(["id", "-u", account], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", account], check=True)
    Path(f"/home/{account}").chmod(0o700)
    subprocess.run(["usermod", "--unlock", account], capture_output=True)


def lock_unix_account(name: str) -> None:
    subprocess.run(["usermod", "--lock", unix_name(name)], capture_output=True)


def first_passwords(hub_db_url: str, names: set[str]) -> dict[str, str]:
    """Native authenticator: an authorised login with a random first password for each name that has none."""
    import bcrypt
    from jupyterhub.orm import new_session_factory
    from nativeauthenticator.orm import UserInfo

    session = new_session_factory(hub_db_url)()
    try:
        have = {u.username for u in session.query(UserInfo).all()}
        passwords = {}
        for name in sorted(names - have):
            password = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(10))
            session.add(UserInfo(username=name, password=bcrypt.hashpw(password.encode(), bcrypt.gensalt()),
                                 is_authorized=True))
            passwords[name] = password
        session.commit()
        return passwords
    finally:
        session.close()


EXAM_GROUP = "考试管理员"  # the hub group, and the unix group that owns the exam material on one machine
COURSE_ID = "academy"  # the exam course's nbgrader course id (grading.build.COURSE_ID; a test checks they agree)
# exam material: the 考试管理员 group reads it (the keys to grade with, blueprints to assemble from), officers do not
PRIVATE = ("questionbank/items", "questionbank/stats", "grading/blueprints")


def unix_group(name: str = EXAM_GROUP) -> int:
    """The unix group's id, the group made when missing."""
    import grp

    try:
        return grp.getgrnam(name).gr_gid
    except KeyError:
        subprocess.run(["groupadd", name], check=True, capture_output=True)
        return grp.getgrnam(name).gr_gid


def set_group_members(names: set[str], managed: set[str], group: str = EXAM_GROUP) -> None:
    """The unix accounts of ``names`` (hub names) join ``group``; those of ``managed`` - ``names`` leave it. Members
    the site does not manage (accounts of no roster officer) are left alone."""
    import grp

    unix_group(group)
    current = set(grp.getgrnam(group).gr_mem)
    wanted = {unix_name(n) for n in names}
    for account in sorted(wanted - current):
        subprocess.run(["gpasswd", "--add", account, group], check=True, capture_output=True)
    for account in sorted(({unix_name(n) for n in managed} - wanted) & current):
        subprocess.run(["gpasswd", "--delete", account, group], check=True, capture_output=True)


def protect_private_files(root: Path = PROJECT_ROOT, group: str = EXAM_GROUP) -> list[Path]:
    """What officers' accounts must not read on a shared machine: the bank's keys and exam material (root and the
    考试管理员 group read them), the data folder (root only). The code itself stays readable (officers' servers run it)."""
    gid = unix_group(group)
    done = []
    for relative in PRIVATE:
        path = root / relative
        if path.exists():
            os.chown(path, 0, gid)
            path.chmod(0o750)
            _group_readable(path, gid)
            done.append(path)
    settings.home.chmod(0o700)
    return done + [settings.home]


def _group_readable(top: Path, gid: int) -> None:
    """Everything under ``top`` readable by the group (the folder ``top`` keeps every other account out): a file
    written atomically (a temporary file renamed, mode 0600) would otherwise be readable by root alone."""
    for dirname, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(dirname, name)
            if os.path.islink(path):
                continue
            os.chown(path, -1, gid)
            mode = os.stat(path).st_mode
            os.chmod(path, mode | (0o050 if name in dirs else 0o040))


def share_exam_course(course: Path, group: str = EXAM_GROUP) -> Path:
    """The exam course for the 考试管理员 group, as nbgrader's ``CourseDirectory.groupshared`` expects it: every folder
    root:考试管理员 with the setgid bit (what an administrator makes stays the group's) and rwx for the group, every file
    read-write for the group, nothing for others; the gradebook made now (an empty file is an empty SQLite database)
    so that every administrator can write it, whoever grades first."""
    gid = unix_group(group)
    course.mkdir(parents=True, exist_ok=True)
    gradebook = course / "gradebook.db"
    if not gradebook.exists():
        gradebook.touch()
    for folder, _, files in os.walk(course):
        os.chown(folder, 0 if Path(folder) == course else -1, gid)
        os.chmod(folder, 0o2770)
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                continue
            os.chown(path, -1, gid)
            os.chmod(path, (os.stat(path).st_mode | 0o660) & 0o770)
    return course


def make_exchange(root: Path | None = None, group: str = EXAM_GROUP, course_id: str = COURSE_ID) -> Path:
    """nbgrader's exchange for many users on one machine. The root as nbgrader's documentation sets it (writable by
    everyone: ``chmod ugo+rw``; ``nbgrader release_assignment`` itself asks for 0777), plus the sticky bit so that no
    officer can remove or rename what is not his. The course's folders are made now, root:考试管理员, with the modes
    ``release_assignment`` gives them under ``groupshared``: outbound readable by all, inbound writable but not
    listable by officers (nobody sees another's submission), feedback reachable only by its hashed file names."""
    root = Path(root or settings.exchange)
    gid = unix_group(group)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o1777)
    course = root / course_id
    for path, mode in ((course, 0o2775), (course / "outbound", 0o2775), (course / "inbound", 0o2773),
                       (course / "feedback", 0o2771)):
        path.mkdir(exist_ok=True)
        os.chown(path, 0, gid)
        path.chmod(mode)
    return root


def server_root(course: Path | None = None) -> Path:
    """The folder the servers of 人事 and 考试管理员 open: the project (courses/ and dashboards/ in it) and, for
    formgrader, the exam course, which must lie inside the server's folder."""
    course = Path(course or settings.exam_course).resolve()
    return Path(os.path.commonpath([PROJECT_ROOT, course]))


def page_url(relative: str) -> str:
    """Voila's URL (in a 人事 or 考试管理员 server, whose folder is ``server_root``) of a notebook of the project."""
    return f"/voila/render/{(PROJECT_ROOT / relative).relative_to(server_root()).as_posix()}"


DASHBOARD = "dashboards/hours.ipynb"


def make_reachable() -> list[Path]:
    """Officers' servers run the project's Python and code as the officers' own accounts: every folder above the
    interpreter, its standard library and the project must let others pass (o+x; not list). Returns what changed."""
    import stat
    import sys
    import sysconfig

    targets = [Path(sys.executable).resolve(), Path(sysconfig.get_paths()["stdlib"]).resolve(), PROJECT_ROOT]
    changed = []
    for target in targets:
        for folder in [target, *target.parents] if target.is_dir() else target.parents:
            mode = folder.stat().st_mode
            if not mode & stat.S_IXOTH:
                folder.chmod(mode | stat.S_IXOTH)
                changed.append(folder)
    return changed


def hub_command(config: Path = PROJECT_ROOT / "deploy" / "jupyterhub_config.py") -> list[str]:
    import sys

    return [sys.executable, "-m", "jupyterhub", "-f", str(config)]
