"""Who the current officer is, as far as the environment says: the one rule every package asks.

On JupyterHub the login is the 人员编号 (``JUPYTERHUB_USER``); on a single machine ``ACADEMY_OFFICER`` may name the
officer. Both are stripped; a blank value counts as unset. What a caller does when the environment names no one is
its own business (the learning page remembers the number in the data folder, the quiz asks once per kernel). The
*recorder* of an import (``tracker.service.current_user``: the OS account's full name) is a different person.
"""

from __future__ import annotations

import os

from ground.settings import settings

OFFICER_ENV = ("JUPYTERHUB_USER", "ACADEMY_OFFICER")  # in the order they are asked


def hub_user() -> str | None:
    """The JupyterHub login (the 人员编号 on the site), stripped; None when not on the hub."""
    return (os.environ.get("JUPYTERHUB_USER") or "").strip() or None


def officer_from_environment() -> str | None:
    """``JUPYTERHUB_USER``, else ``ACADEMY_OFFICER`` (``settings.officer``), stripped; None when neither is set."""
    return hub_user() or (settings.officer or "").strip() or None
