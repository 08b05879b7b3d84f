# 执法学堂 with the province's or county's LDAP directory (ldapauthenticator 2.0): ACADEMY_HUB_AUTH=ldap.
# Loaded by deploy/jupyterhub_config.py (load_subconfig), on Kubernetes by hub.extraConfig (deploy/k8s/values.yaml).
#
# Officers log in with their 人员编号 and their directory password. Settings (environment):
#   ACADEMY_LDAP_SERVER           the directory server, host or host:port (e.g. ldap.example.gov.cn:636)
#   ACADEMY_LDAP_TLS              ldaps (default: TLS from the first byte, port 636) | starttls (port 389) |
#                                 insecure (no TLS; only for a test directory)
#   ACADEMY_LDAP_BIND_TEMPLATE    how a 人员编号 becomes a DN, e.g. uid={username},ou=people,dc=example,dc=gov,dc=cn
#                                 (several separated by “;”); when empty, the DN is searched for:
#   ACADEMY_LDAP_SEARCH_BASE      where officers' entries are (e.g. ou=people,dc=example,dc=gov,dc=cn)
#   ACADEMY_LDAP_USER_ATTRIBUTE   the attribute that holds the 人员编号 (default employeeNumber)
#   ACADEMY_LDAP_SEARCH_USER      DN of the read-only account that searches, and
#   ACADEMY_LDAP_SEARCH_PASSWORD  its password
#   ACADEMY_LDAP_GROUPS           directory groups → the site's groups, “;”-separated, e.g.
#                                 执法人员=cn=zfry,ou=groups,dc=…;人事=cn=rsc,ou=groups,dc=…;考试管理员=cn=ks,ou=groups,dc=…
#                                 when set, the directory decides group membership at every login (manage_groups), and
#                                 only members of these groups may log in; when empty, the roster sync does.
from ground.settings import settings
from service.site import GROUPS

c = get_config()  # noqa: F821


def _env(name, default=""):
    return (settings.get(name) or default).strip()


def ldap_group_map(text):
    """“执法人员=DN;人事=DN” → {DN: 执法人员, …}; only the site's groups."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        group, _, dn = part.partition("=")
        if group.strip() not in GROUPS or not dn.strip():
            raise ValueError(f"ACADEMY_LDAP_GROUPS 写法不对：{part}（应为 组名=DN，组名是 {'、'.join(GROUPS)} 之一）")
        mapping[dn.strip()] = group.strip()
    return mapping


def ldap_groups_hook(authenticator, handler, auth_model):
    """The site's groups from the directory groups ldapauthenticator found the officer in (auth_state.ldap_groups)."""
    found = (auth_model.get("auth_state") or {}).get("ldap_groups") or []
    auth_model["groups"] = sorted({LDAP_GROUPS[dn] for dn in found if dn in LDAP_GROUPS})
    return auth_model


c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator"
host, _, port = _env("ACADEMY_LDAP_SERVER").partition(":")
c.LDAPAuthenticator.server_address = host
TLS = {"ldaps": ("on_connect", 636), "starttls": ("before_bind", 389), "insecure": ("insecure", 389)}
tls = _env("ACADEMY_LDAP_TLS", "ldaps")
if tls not in TLS:
    raise ValueError(f"ACADEMY_LDAP_TLS 只能是 {'、'.join(TLS)}，而不是 {tls}")
c.LDAPAuthenticator.tls_strategy = TLS[tls][0]
c.LDAPAuthenticator.server_port = int(port) if port else TLS[tls][1]
# 人员编号 may begin with a digit; the default pattern wants a letter first
c.LDAPAuthenticator.valid_username_regex = r"^[a-z0-9][.a-z0-9_-]*$"

templates = [t.strip() for t in _env("ACADEMY_LDAP_BIND_TEMPLATE").split(";") if t.strip()]
if templates:
    c.LDAPAuthenticator.bind_dn_template = templates
else:
    c.LDAPAuthenticator.lookup_dn = True
    c.LDAPAuthenticator.user_search_base = _env("ACADEMY_LDAP_SEARCH_BASE")
    attribute = _env("ACADEMY_LDAP_USER_ATTRIBUTE", "employeeNumber")
    c.LDAPAuthenticator.user_attribute = attribute
    c.LDAPAuthenticator.lookup_dn_user_dn_attribute = attribute  # the entry's 人员编号, one value
    c.LDAPAuthenticator.lookup_dn_search_user = _env("ACADEMY_LDAP_SEARCH_USER")
    c.LDAPAuthenticator.lookup_dn_search_password = _env("ACADEMY_LDAP_SEARCH_PASSWORD")

LDAP_GROUPS = ldap_group_map(_env("ACADEMY_LDAP_GROUPS"))
if LDAP_GROUPS:
    c.LDAPAuthenticator.allowed_groups = list(LDAP_GROUPS)
    c.LDAPAuthenticator.manage_groups = True
    c.LDAPAuthenticator.post_auth_hook = ldap_groups_hook
    c.JupyterHub.load_groups = {}  # the directory creates and fills them (JupyterHub refuses both at once)

# passwords are the directory's: no 修改密码 page on the site
c.JupyterHub.template_vars.update({"password_change": False})
