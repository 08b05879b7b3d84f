"""The single-machine hub configuration (deploy/jupyterhub_config.py) as JupyterHub loads it: a traitlets
PyFileConfigLoader, which gives the file ``get_config`` and ``load_subconfig``."""

from __future__ import annotations

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from ground.settings import PROJECT_ROOT

HUB_CONFIG = PROJECT_ROOT / "deploy" / "jupyterhub_config.py"


def load_hub_config() -> Config:
    """Read the environment (PORT, ACADEMY_*) when called; set it before (monkeypatch)."""
    return PyFileConfigLoader(HUB_CONFIG.name, path=str(HUB_CONFIG.parent)).load_config()
