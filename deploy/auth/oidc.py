# 执法学堂 with the provincial single sign-on over OAuth2 / OpenID Connect (oauthenticator 17, GenericOAuthenticator):
# ACADEMY_HUB_AUTH=oidc. Loaded by deploy/jupyterhub_config.py (load_subconfig), on Kubernetes by hub.extraConfig.
#
# The login page shows one button, “使用省统一身份认证登录”; the hub user name is the officer's 人员编号 from a claim.
# Settings (environment):
#   ACADEMY_OIDC_AUTHORIZE_URL   the provider's authorization endpoint
#   ACADEMY_OIDC_TOKEN_URL       its token endpoint
#   ACADEMY_OIDC_USERDATA_URL    its userinfo endpoint
#   ACADEMY_OIDC_CLIENT_ID       the site's client id at the provider, and
#   ACADEMY_OIDC_CLIENT_SECRET   its secret (from a secret store, never in a file)
#   ACADEMY_OIDC_CALLBACK_URL    https://<the site>/hub/oauth_callback, as registered with the provider
#   ACADEMY_OIDC_USERNAME_CLAIM  the claim that holds the 人员编号 (default employee_number)
#   ACADEMY_OIDC_GROUPS_CLAIM    the claim that lists the officer's groups (e.g. groups); when set, the provider decides
#                                group membership at every login (manage_groups), and only members may log in
#   ACADEMY_OIDC_GROUPS          the provider's group names → the site's groups, “;”-separated, e.g.
#                                执法人员=zfry;人事=rsc;考试管理员=ksgl (default: the provider uses the site's names)
from ground.settings import settings
from service.site import GROUPS

c = get_config()  # noqa: F821


def _env(name, default=""):
    return (settings.get(name) or default).strip()


def oidc_group_map(text):
    """“执法人员=zfry;人事=rsc” → {zfry: 执法人员, …}; without a mapping the provider's names are the site's."""
    mapping = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        group, _, theirs = part.partition("=")
        if group.strip() not in GROUPS or not theirs.strip():
            raise ValueError(f"ACADEMY_OIDC_GROUPS 写法不对：{part}（应为 组名=对方组名，组名是 {'、'.join(GROUPS)} 之一）")
        mapping[theirs.strip()] = group.strip()
    return mapping or {name: name for name in GROUPS}


def oidc_groups(auth_state):
    """The site's groups from the userinfo claim (a list, or one name); names the site does not know are dropped."""
    claimed = (auth_state.get("oauth_user") or {}).get(GROUPS_CLAIM) or []
    claimed = [claimed] if isinstance(claimed, str) else claimed
    return sorted({OIDC_GROUPS[name] for name in claimed if name in OIDC_GROUPS})


c.JupyterHub.authenticator_class = "oauthenticator.generic.GenericOAuthenticator"
c.GenericOAuthenticator.login_service = "省统一身份认证"
c.GenericOAuthenticator.authorize_url = _env("ACADEMY_OIDC_AUTHORIZE_URL")
c.GenericOAuthenticator.token_url = _env("ACADEMY_OIDC_TOKEN_URL")
c.GenericOAuthenticator.userdata_url = _env("ACADEMY_OIDC_USERDATA_URL")
c.GenericOAuthenticator.client_id = _env("ACADEMY_OIDC_CLIENT_ID")
c.GenericOAuthenticator.client_secret = _env("ACADEMY_OIDC_CLIENT_SECRET")
if _env("ACADEMY_OIDC_CALLBACK_URL"):
    c.GenericOAuthenticator.oauth_callback_url = _env("ACADEMY_OIDC_CALLBACK_URL")
c.GenericOAuthenticator.scope = ["openid", "profile"]
c.GenericOAuthenticator.enable_pkce = True
c.GenericOAuthenticator.username_claim = _env("ACADEMY_OIDC_USERNAME_CLAIM", "employee_number")

GROUPS_CLAIM = _env("ACADEMY_OIDC_GROUPS_CLAIM")
OIDC_GROUPS = oidc_group_map(_env("ACADEMY_OIDC_GROUPS"))
if GROUPS_CLAIM:
    c.GenericOAuthenticator.manage_groups = True
    c.GenericOAuthenticator.auth_state_groups_key = oidc_groups
    c.GenericOAuthenticator.allowed_groups = set(GROUPS)
    c.JupyterHub.load_groups = {}  # the provider creates and fills them (JupyterHub refuses both at once)

# passwords are the provider's: no 修改密码 page on the site
c.JupyterHub.template_vars.update({"password_change": False})
