# 执法学堂 on one machine: JupyterHub, officers' servers as their own unix accounts, and the 学堂服务.
#
#   make hub            (as root: LocalProcessSpawner switches to each officer's account)
#
# Environment (all optional; declared in ground/settings.py and listed in the README):
#   PORT                      the site's port (default 8000); the hub's API, the proxy's API and the 学堂服务 listen
#                             on free ports of 127.0.0.1 chosen at start (reached only through the proxy)
#   ACADEMY_HOME              data folder; the hub keeps its state in ACADEMY_HOME/hub (mode 0700)
#   ACADEMY_DB_URL            the tracker's database, given to the 学堂服务 only (PostgreSQL in production)
#   ACADEMY_HUB_DB_URL        the hub's own database (default: SQLite in the hub folder)
#   ACADEMY_HUB_AUTH          native (default: jupyterhub-nativeauthenticator) | ldap | oidc — see deploy/auth/
#   ACADEMY_HUB_ADMINS        hub administrators' login names, comma-separated
#   ACADEMY_HUB_IDLE_TIMEOUT  seconds before an idle officer's server is stopped (default 3600)
#   ACADEMY_HUB_EXTRA_CONFIG  a config file of the site's own, loaded last (local overrides; the benchmark's tokens)
import os
import sys
from pathlib import Path

from jupyterhub.utils import random_port

from academy import pages
from ground.settings import PROJECT_ROOT, settings
from service import site

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)

port = int(os.environ.get("PORT") or 8000)
hub_home = site.hub_home()
venv_bin = Path(sys.executable).parent

c.JupyterHub.bind_url = f"http://:{port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = random_port()
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{random_port()}"
c.JupyterHub.db_url = settings.get("ACADEMY_HUB_DB_URL") or f"sqlite:///{hub_home / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(hub_home / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(hub_home / "jupyterhub.pid")
c.JupyterHub.template_paths = [str(PROJECT_ROOT / "deploy" / "templates")]
c.JupyterHub.template_vars = {"site_name": "执法学堂"}
c.JupyterHub.cleanup_servers = True
c.ConfigurableHTTPProxy.command = [str(site.proxy_command())]
c.ConfigurableHTTPProxy.pid_file = str(hub_home / "proxy.pid")

# the site's groups (before the login section: a directory or SSO that manages groups itself clears this)
c.JupyterHub.load_groups = {name: {"users": []} for name in site.GROUPS}

# --- who may log in ------------------------------------------------------------------------------------------
auth = settings.get("ACADEMY_HUB_AUTH") or "native"
if auth == "native":
    c.JupyterHub.authenticator_class = "service.native_auth.AcademyNativeAuthenticator"
    c.NativeAuthenticator.open_signup = False  # accounts come from the roster (academy hub sync-users)
    c.NativeAuthenticator.enable_signup = False
    c.NativeAuthenticator.minimum_password_length = 8
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.allowed_failed_logins = 5
    c.NativeAuthenticator.seconds_before_next_try = 300
else:
    load_subconfig(str(PROJECT_ROOT / "deploy" / "auth" / f"{auth}.py"))  # noqa: F821
c.Authenticator.admin_users = set(filter(None, (settings.get("ACADEMY_HUB_ADMINS") or "").split(",")))
c.Authenticator.allow_existing_users = True  # the roster sync adds users through the API

# --- officers' servers -----------------------------------------------------------------------------------------
c.JupyterHub.spawner_class = "service.spawner.OfficerSpawner"
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.notebook_dir = str(PROJECT_ROOT / "courses")
c.Spawner.default_url = "/voila/render/index.ipynb"  # learning pages, not a notebook editor
# officers never see nbgrader's instructor tools (formgrader, course list, validate); 考试管理员 get them back below
INSTRUCTOR_TOOLS = ("formgrader", "course_list", "validate_assignment")
# the pages look as under `make run` (academy/pages.py): its Voila template (Chinese loading page, local flow charts,
# no CDN), no JupyterLab extension that only fails inside a page
PAGE_ARGS = [*pages.voila_arguments(), "--ServerApp.language=zh_CN"]
c.Spawner.args = [*PAGE_ARGS,
                  *(f"--ServerApp.jpserver_extensions=nbgrader.server_extensions.{tool}=False" for tool in INSTRUCTOR_TOOLS),
                  f"--LabApp.app_settings_dir={PROJECT_ROOT / 'deploy' / 'officer-lab'}"]
# nbgrader's configuration for every server (deploy/nbgrader/): the exchange, the exam course's id; 考试管理员 also get
# the course itself (formgrader finds it only inside the server's folder: server_root)
NBGRADER = PROJECT_ROOT / "deploy" / "nbgrader"
SERVER_ROOT = site.server_root()
c.Spawner.environment = {
    "ACADEMY_SERVICE_URL": f"http://127.0.0.1:{port}/services/academy/",
    "ACADEMY_EXCHANGE": str(settings.exchange),
    "JUPYTER_CONFIG_PATH": str(NBGRADER / "site"),
    "JUPYTER_PATH": str(pages.PAGE_THEME),
    "LANG": "zh_CN.UTF-8",
    # the project's environment first: nbgrader (collect, formgrader) runs its `alembic` command from PATH
    "PATH": os.pathsep.join([str(venv_bin), os.environ.get("PATH") or "/usr/local/bin:/usr/bin:/bin"]),
}
c.Spawner.group_overrides = {
    "1-exam-administrators": {
        "groups": [site.EXAM_GROUP],
        "spawner_override": {
            "args": PAGE_ARGS,
            "notebook_dir": str(SERVER_ROOT),
            "default_url": site.page_url("courses/index.ipynb"),
            "environment": {"ACADEMY_EXAM_COURSE": str(settings.exam_course),
                            "JUPYTER_CONFIG_PATH": os.pathsep.join(str(NBGRADER / n) for n in ("exam-administrators", "site"))},
        },
    },
    # 人事 open the hours dashboard (Voila); its data come from the 学堂服务 with their own token (api/hr/…)
    "2-hr": {
        "groups": [site.HR_GROUP],
        "spawner_override": {
            "notebook_dir": str(SERVER_ROOT),
            "default_url": site.page_url(site.DASHBOARD),
        },
    },
}
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 90
# the server's token, and so every kernel, may call the 学堂服务 as its officer, and nothing more
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", "access:services!service=academy"]

# --- groups and roles ------------------------------------------------------------------------------------------
c.JupyterHub.load_roles = [
    {"name": "user", "scopes": ["self", "access:services!service=academy"]},
    {"name": "academy-service", "services": ["academy"],
     "scopes": ["read:users:name", "read:users:groups", "read:groups"]},
    {"name": "academy-admin", "services": ["academy-admin"],
     "scopes": ["admin:users", "admin:groups", "admin:servers", "list:users", "read:users"]},
    {"name": "idle-culler", "services": ["idle-culler"],
     "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]},
]

# --- the 学堂服务 and the idle culler ------------------------------------------------------------------------------
service_env = {"ACADEMY_HOME": str(settings.home), "ACADEMY_LAWS_DIR": str(settings.laws_dir),
               "ACADEMY_EXAM_COURSE": str(settings.exam_course)}
if settings.get("ACADEMY_DB_URL"):
    service_env["ACADEMY_DB_URL"] = settings.db_url
c.JupyterHub.services = [
    {"name": "academy", "url": f"http://127.0.0.1:{random_port()}", "display": False, "oauth_no_confirm": True,
     "command": [sys.executable, "-m", "service"], "environment": service_env, "cwd": str(PROJECT_ROOT)},
    {"name": "academy-admin", "api_token": site.admin_token()},
    {"name": "idle-culler", "display": False,
     "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                 f"--timeout={int(settings.get('ACADEMY_HUB_IDLE_TIMEOUT') or 3600)}"]},
]

# --- the site's own overrides, last ---------------------------------------------------------------------------------
if settings.get("ACADEMY_HUB_EXTRA_CONFIG"):
    load_subconfig(settings.get("ACADEMY_HUB_EXTRA_CONFIG"))  # noqa: F821
