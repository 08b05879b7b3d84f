"""Officers' servers on one machine: each runs as the officer's own unix account.

Hub user names are 人员编号 in lower case; a unix account name must start with a letter, so a number that starts with
a digit gets the prefix ``zf`` (``001234`` → ``zf001234``). ``unix_name`` is the one rule, used by the spawner and by
``academy hub sync-users``, which creates the accounts.
"""

from __future__ import annotations

import re

from jupyterhub.spawner import LocalProcessSpawner

UNIX_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def unix_name(hub_name: str) -> str:
    name = hub_name.strip().lower()
    if not UNIX_NAME.match(name):
        name = "zf" + re.sub(r"[^a-z0-9_-]", "", name)
    if not UNIX_NAME.match(name):
        raise ValueError(f"人员编号 {hub_name} 无法用作系统账户名")
    return name


class OfficerSpawner(LocalProcessSpawner):
    """LocalProcessSpawner, with the officer's unix account named by ``unix_name``."""

    def make_preexec_fn(self, name):
        return super().make_preexec_fn(unix_name(name))

    def user_env(self, env):
        import pwd

        account = pwd.getpwnam(unix_name(self.user.name))
        env["USER"] = account.pw_name
        env["HOME"] = account.pw_dir
        env["SHELL"] = account.pw_shell or "/bin/sh"
        return env
