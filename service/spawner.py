"""Officers' servers on one machine: each runs as the officer's own unix account.

Hub user names are 人员编号 in lower case; a unix account name must start with a letter, so a number that starts with
a digit gets the prefix ``zf`` (``001234`` → ``zf001234``). ``unix_name`` is the one rule, used by the spawner and by
``academy hub sync-users``, which creates the accounts. Someone who can log in (LDAP, the provincial sign-on) but is
not on the roster has no account: the spawner refuses him in Chinese (``NoAccount``) before anything starts.
"""

from __future__ import annotations

import re

from jupyterhub.spawner import LocalProcessSpawner, SpawnException

UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def unix_name(hub_name: str) -> str:
    name = hub_name.strip().lower()
    if not UNIX_NAME.match(name):
        name = "zf" + re.sub(r"[^a-z0-9_-]", "", name)
    if not UNIX_NAME.match(name):
        raise ValueError(f"人员编号 {hub_name} 无法用作系统账户名")
    return name


class NoAccount(SpawnException):
    """No unix account for this hub user: a policy refusal (JupyterHub logs no traceback), 403, with a Chinese
    ``jupyterhub_message`` that the error page shows."""

    def __init__(self, hub_name: str):
        self.jupyterhub_message = (f"登录名 {hub_name} 不在执法人员名册中，本站没有为您建立学习空间。"
                                   "请联系人事部门核对人员编号；加入名册并同步账户后即可使用。")
        super().__init__(self.jupyterhub_message, reason="no-account", status_code=403,
                         log_message=f"no unix account for hub user {hub_name!r}")


def account(hub_name: str):
    """The unix account (``pwd`` entry) of a hub user; ``NoAccount`` when there is none."""
    import pwd

    try:
        return pwd.getpwnam(unix_name(hub_name))
    except (KeyError, ValueError):
        raise NoAccount(hub_name) from None


class OfficerSpawner(LocalProcessSpawner):
    """LocalProcessSpawner, with the officer's unix account named by ``unix_name``."""

    async def start(self):
        account(self.user.name)  # refuse, in Chinese, before anything is started
        return await super().start()

    def make_preexec_fn(self, name):
        return super().make_preexec_fn(unix_name(name))

    def user_env(self, env):
        entry = account(self.user.name)
        env["USER"] = entry.pw_name
        env["HOME"] = entry.pw_dir
        env["SHELL"] = entry.pw_shell or "/bin/sh"
        return env
