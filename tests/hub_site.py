"""The real site without unix accounts, for tests and benchmarks of the 学堂服务 behind the hub: JupyterHub with the
project's config, configurable-http-proxy, the 学堂服务; officers from a roster, each with a hub token of his own
(made through an extra service ``bench`` holding the admin scopes)."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

from service import site
from tests.e2e.browser import free_port, server
from tests.sheets import write_csv
from tracker import service as ledger_service

# the hub's extra config: a service whose token may make users and their tokens (given its token)
ADMIN_SERVICE = '''c.JupyterHub.services.append({"name": "bench", "api_token": %r})
c.JupyterHub.load_roles.append({"name": "bench", "services": ["bench"],
                                "scopes": ["tokens", "admin:users", "admin:groups", "list:users", "servers"]})
'''


def make_tokens(base: str, admin: str, names: list[str]) -> dict[str, str]:
    """A hub token (an hour) for each of ``names``."""
    tokens = {}
    for name in names:
        request = urllib.request.Request(f"{base}/hub/api/users/{name}/tokens", method="POST",
                                         data=json.dumps({"note": "bench", "expires_in": 3600}).encode(),
                                         headers={"Authorization": f"token {admin}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            tokens[name] = json.loads(response.read())["token"]
    return tokens


def wait_for_service(base: str, seconds: float = 120) -> None:
    """Until the 学堂服务 answers behind the proxy (its own JSON refusal of a request without a token)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{base}/services/academy/api/me/progress", timeout=5).close()
            return
        except urllib.error.HTTPError as exc:
            if exc.headers.get("Content-Type", "").startswith("application/json"):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("学堂服务没有响应")
        time.sleep(0.5)


@contextmanager
def hub_site(tmp: Path, numbers: list[str], tracker_url: str, service_config: str = ""):
    """The site on a free port, ``numbers`` on the roster and in the hub; yields base URL, admin token, each officer's
    token (by hub name) and the hub's log. ``service_config``: the 学堂服务's config file in the data folder."""
    admin = uuid.uuid4().hex
    extra = tmp / "hub_extra_config.py"
    extra.write_text(ADMIN_SERVICE % admin, encoding="utf-8")
    (tmp / "home").mkdir(exist_ok=True)
    (tmp / "home" / "academy_service_config.py").write_text(service_config, encoding="utf-8")
    port = free_port()
    env = {**os.environ, "PORT": str(port), "ACADEMY_HOME": str(tmp / "home"), "ACADEMY_DB_URL": tracker_url,
           "ACADEMY_HUB_EXTRA_CONFIG": str(extra)}
    env.pop("ACADEMY_OFFICER", None)
    rows = [["人员编号", "姓名", "单位"]] + [[n, f"人员{i}", "某县市场监督管理局"] for i, n in enumerate(numbers)]
    ledger_service.import_roster_file(write_csv(tmp / "名册.csv", rows), recorded_by="测试", url=tracker_url)
    base = f"http://127.0.0.1:{port}"
    log = tmp / "hub.log"
    with server(site.hub_command(), env, f"{base}/hub/login", log, timeout=180):
        site.sync_users(base, [(n, True) for n in numbers], {}, token=admin, unix_accounts=False)
        tokens = make_tokens(base, admin, [n.lower() for n in numbers])
        wait_for_service(base)
        yield {"base": base, "admin": admin, "tokens": tokens, "log": log}
