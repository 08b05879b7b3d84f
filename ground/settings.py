"""Every setting of the system, in one place: the ``ACADEMY_*`` environment variables, their defaults and meaning.

``settings`` reads the environment each time a value is asked for, so a test (monkeypatch) or a command that sets a
variable before calling a function is honoured. Runtime state (SQLite files, logs, papers, reports) goes into one data
folder outside the source tree. ``VARIABLES`` is what the README lists; a test checks that the code reads no
``ACADEMY_*`` variable that is not declared here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ground", "academy", "curriculum", "questionbank", "grading", "tracker", "service")


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    meaning: str


VARIABLES = (
    Variable("ACADEMY_HOME", "~/.local/share/zhifa-xuetang（$XDG_DATA_HOME/zhifa-xuetang）",
             "数据目录：SQLite 数据库、试卷、报表、日志等运行时数据"),
    Variable("ACADEMY_DB_URL", "数据目录中的 academy.sqlite3",
             "学时台账数据库（SQLAlchemy URL，如 postgresql+psycopg://user@host/db）"),
    Variable("ACADEMY_LAWS_DIR", "源码目录旁的 ../shared/laws", "法律条文文本目录（条文核对用）"),
    Variable("ACADEMY_EXAM_COURSE", "grading/course", "nbgrader 课程目录（资格考试）"),
    Variable("ACADEMY_EXCHANGE", "/srv/nbgrader/exchange", "nbgrader 交换区（多人站点上发卷、交卷经过的共享目录）"),
    Variable("ACADEMY_RULES", "tracker/rules/default.yaml", "学时规则文件"),
    Variable("ACADEMY_CERT_RULES", "tracker/rules/certificates.yaml", "执法证发证、换证规则文件"),
    Variable("ACADEMY_ITEM_STATS", "数据目录中的 item_stats.json", "题目分析（难度、区分度）统计文件（组卷按实测难度时读取）"),
    Variable("ACADEMY_OFFICER", "无", "单机使用时的答题人人员编号（JupyterHub 上取登录用户）"),
    Variable("ACADEMY_HUB_DB_URL", "数据目录 hub/ 中的 SQLite 文件", "JupyterHub 自己的数据库（站点部署时用 PostgreSQL）"),
    Variable("ACADEMY_HUB_AUTH", "native", "站点登录方式：native（nativeauthenticator）、ldap 或 oidc（见 deploy/auth/）"),
    Variable("ACADEMY_HUB_ADMINS", "无", "JupyterHub 管理员的登录名，逗号分隔"),
    Variable("ACADEMY_HUB_IDLE_TIMEOUT", "3600", "执法人员的服务器空闲多少秒后自动停止（jupyterhub-idle-culler）"),
    Variable("ACADEMY_HUB_EXTRA_CONFIG", "无", "站点自己的 JupyterHub 配置文件，最后载入（本地覆盖项）"),
    Variable("ACADEMY_LDAP_SERVER", "无", "LDAP 登录：目录服务器（主机或 主机:端口）"),
    Variable("ACADEMY_LDAP_TLS", "ldaps", "LDAP 登录：加密方式 ldaps、starttls 或 insecure（仅测试目录）"),
    Variable("ACADEMY_LDAP_BIND_TEMPLATE", "无", "LDAP 登录：由人员编号得到 DN 的模板，如 uid={username},ou=people,…（多个用“;”分隔）"),
    Variable("ACADEMY_LDAP_SEARCH_BASE", "无", "LDAP 登录：不用模板时，查找人员条目的位置"),
    Variable("ACADEMY_LDAP_USER_ATTRIBUTE", "employeeNumber", "LDAP 登录：存放人员编号的属性"),
    Variable("ACADEMY_LDAP_SEARCH_USER", "无", "LDAP 登录：用于查找的只读账户 DN"),
    Variable("ACADEMY_LDAP_SEARCH_PASSWORD", "无", "LDAP 登录：只读账户的密码"),
    Variable("ACADEMY_LDAP_GROUPS", "无", "LDAP 登录：目录组与站点组的对应，如 执法人员=cn=…;人事=cn=…（设置后由目录决定组员）"),
    Variable("ACADEMY_OIDC_AUTHORIZE_URL", "无", "统一身份认证：授权端点"),
    Variable("ACADEMY_OIDC_TOKEN_URL", "无", "统一身份认证：令牌端点"),
    Variable("ACADEMY_OIDC_USERDATA_URL", "无", "统一身份认证：用户信息端点"),
    Variable("ACADEMY_OIDC_CLIENT_ID", "无", "统一身份认证：本站的客户端编号"),
    Variable("ACADEMY_OIDC_CLIENT_SECRET", "无", "统一身份认证：客户端密钥（放在密钥库，不写入文件）"),
    Variable("ACADEMY_OIDC_CALLBACK_URL", "无", "统一身份认证：回调地址 https://本站/hub/oauth_callback"),
    Variable("ACADEMY_OIDC_USERNAME_CLAIM", "employee_number", "统一身份认证：存放人员编号的声明"),
    Variable("ACADEMY_OIDC_GROUPS_CLAIM", "无", "统一身份认证：列出所属组的声明（设置后由认证方决定组员）"),
    Variable("ACADEMY_OIDC_GROUPS", "无", "统一身份认证：认证方组名与站点组的对应，如 执法人员=zfry;人事=rsc"),
    Variable("ACADEMY_SERVICE_URL", "无（单机模式）",
             "学堂服务的地址；设置后课程中的测验交给服务评分和记录学时（JupyterHub 上由站点配置设置）"),
)
NAMES = frozenset(v.name for v in VARIABLES)


def markdown_table() -> str:
    """The README's table of settings (a test checks the README holds exactly this)."""
    rows = [f"| `{v.name}` | {v.default} | {v.meaning} |" for v in VARIABLES]
    return "\n".join(["| 变量 | 默认 | 含义 |", "|---|---|---|", *rows])


class Settings:
    """The configured values; each property names the variable it reads."""

    @staticmethod
    def get(name: str) -> str | None:
        if name not in NAMES:
            raise KeyError(f"未声明的设置项：{name}")
        return os.environ.get(name) or None

    @property
    def home(self) -> Path:
        """ACADEMY_HOME: the data folder, created on first use, never inside a package directory."""
        configured = self.get("ACADEMY_HOME")
        if configured:
            home = Path(configured).expanduser()
        else:
            xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
            home = Path(xdg) / "zhifa-xuetang"
        home = home.resolve()
        if any(_inside(home, PROJECT_ROOT / package) for package in PACKAGES):
            raise ValueError(f"数据目录不能放在程序包目录内：{home}")
        home.mkdir(parents=True, exist_ok=True)
        return home

    @property
    def db_url(self) -> str:
        """ACADEMY_DB_URL, otherwise the embedded SQLite file in the data folder."""
        return self.get("ACADEMY_DB_URL") or f"sqlite:///{self.home / 'academy.sqlite3'}"

    @property
    def laws_dir(self) -> Path:
        """ACADEMY_LAWS_DIR, otherwise ``../shared/laws`` beside the checkout."""
        return Path(self.get("ACADEMY_LAWS_DIR") or PROJECT_ROOT.parent / "shared" / "laws")

    @property
    def exam_course(self) -> Path:
        return Path(self.get("ACADEMY_EXAM_COURSE") or PROJECT_ROOT / "grading" / "course")

    @property
    def exchange(self) -> Path:
        """ACADEMY_EXCHANGE, otherwise nbgrader's own default exchange folder."""
        return Path(self.get("ACADEMY_EXCHANGE") or "/srv/nbgrader/exchange")

    @property
    def rules_file(self) -> Path:
        return Path(self.get("ACADEMY_RULES") or PROJECT_ROOT / "tracker" / "rules" / "default.yaml")

    @property
    def cert_rules_file(self) -> Path:
        return Path(self.get("ACADEMY_CERT_RULES") or PROJECT_ROOT / "tracker" / "rules" / "certificates.yaml")

    @property
    def item_stats_file(self) -> Path:
        return Path(self.get("ACADEMY_ITEM_STATS") or self.home / "item_stats.json")

    @property
    def officer(self) -> str | None:
        return self.get("ACADEMY_OFFICER")

    @property
    def service_url(self) -> str | None:
        return self.get("ACADEMY_SERVICE_URL")


settings = Settings()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder.resolve())
    except ValueError:
        return False
    return True
