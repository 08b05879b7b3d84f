"""deploy/auth/: the LDAP and single-sign-on configurations, loaded through deploy/jupyterhub_config.py as JupyterHub
loads it (ACADEMY_HUB_AUTH=ldap|oidc), given to the authenticator classes they name (no directory or provider needed)."""

from __future__ import annotations

import asyncio

import pytest
from traitlets.utils.importstring import import_item

from service.site import GROUPS
from tests.deploy.hubconfig import load_hub_config

HR_DN = "cn=rsc,ou=groups,dc=example,dc=gov,dc=cn"
OFFICERS_DN = "cn=zfry,ou=groups,dc=example,dc=gov,dc=cn"
LDAP_ENV = {
    "ACADEMY_HUB_AUTH": "ldap",
    "ACADEMY_LDAP_SERVER": "ldap.example.gov.cn",
    "ACADEMY_LDAP_SEARCH_BASE": "ou=people,dc=example,dc=gov,dc=cn",
    "ACADEMY_LDAP_SEARCH_USER": "cn=xuetang,ou=services,dc=example,dc=gov,dc=cn",
    "ACADEMY_LDAP_SEARCH_PASSWORD": "只读账户的密码",
    "ACADEMY_LDAP_GROUPS": f"执法人员={OFFICERS_DN};人事={HR_DN}",
}
OIDC_ENV = {
    "ACADEMY_HUB_AUTH": "oidc",
    "ACADEMY_OIDC_AUTHORIZE_URL": "https://sso.example.gov.cn/oauth2/authorize",
    "ACADEMY_OIDC_TOKEN_URL": "https://sso.example.gov.cn/oauth2/token",
    "ACADEMY_OIDC_USERDATA_URL": "https://sso.example.gov.cn/oauth2/userinfo",
    "ACADEMY_OIDC_CLIENT_ID": "zhifa-xuetang",
    "ACADEMY_OIDC_CLIENT_SECRET": "s3cret",
    "ACADEMY_OIDC_CALLBACK_URL": "https://xuetang.example.gov.cn/hub/oauth_callback",
    "ACADEMY_OIDC_USERNAME_CLAIM": "ryb h",
    "ACADEMY_OIDC_GROUPS_CLAIM": "groups",
    "ACADEMY_OIDC_GROUPS": "执法人员=zfry;考试管理员=ksgl",
}


def configured(monkeypatch, env: dict, instantiate: bool = True):
    for name in [n for n in {**LDAP_ENV, **OIDC_ENV} if n.startswith(("ACADEMY_LDAP_", "ACADEMY_OIDC_"))]:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_hub_config()
    if not instantiate:
        return config, None
    return config, import_item(config.JupyterHub.authenticator_class)(config=config)


def test_ldap_with_a_search_account_and_group_mapping(monkeypatch):
    config, auth = configured(monkeypatch, LDAP_ENV)
    assert type(auth).__name__ == "LDAPAuthenticator"
    assert (auth.server_address, auth.server_port, auth.tls_strategy.name) == ("ldap.example.gov.cn", 636, "on_connect")
    assert auth.lookup_dn and not auth.bind_dn_template
    assert auth.user_search_base == "ou=people,dc=example,dc=gov,dc=cn"
    assert auth.user_attribute == auth.lookup_dn_user_dn_attribute == "employeeNumber"
    assert auth.lookup_dn_search_user.startswith("cn=xuetang") and auth.lookup_dn_search_password == "只读账户的密码"
    assert auth.allowed_groups == [OFFICERS_DN, HR_DN] and auth.manage_groups
    # settings shared with every authenticator come through from the main config
    assert auth.allow_existing_users is True
    assert config.JupyterHub.template_vars["password_change"] is False
    assert config.JupyterHub.template_vars["site_name"] == "执法学堂"
    # 人员编号 that begin with a digit are valid login names
    import re
    assert re.match(auth.valid_username_regex, "001234") and not re.match(auth.valid_username_regex, "a,b")
    model = auth.post_auth_hook(auth, None, {"name": "001234", "auth_state": {"ldap_groups": [HR_DN, OFFICERS_DN]}})
    assert model["groups"] == sorted(["人事", "执法人员"])
    assert auth.post_auth_hook(auth, None, {"name": "x", "auth_state": {"ldap_groups": []}})["groups"] == []


def test_ldap_with_a_bind_template_and_starttls(monkeypatch):
    env = {"ACADEMY_HUB_AUTH": "ldap", "ACADEMY_LDAP_SERVER": "10.1.2.3:1389", "ACADEMY_LDAP_TLS": "starttls",
           "ACADEMY_LDAP_BIND_TEMPLATE": "uid={username},ou=people,dc=a;uid={username},ou=retired,dc=a"}
    config, auth = configured(monkeypatch, env)
    assert (auth.server_address, auth.server_port, auth.tls_strategy.name) == ("10.1.2.3", 1389, "before_bind")
    assert auth.bind_dn_template == ["uid={username},ou=people,dc=a", "uid={username},ou=retired,dc=a"]
    assert not auth.lookup_dn
    # without a group mapping the roster sync keeps the groups, as with the site's own accounts
    assert not auth.manage_groups and not auth.allowed_groups
    assert list(config.JupyterHub.load_groups) == list(GROUPS)


def test_ldap_settings_that_cannot_work_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="ACADEMY_LDAP_GROUPS"):
        configured(monkeypatch, {**LDAP_ENV, "ACADEMY_LDAP_GROUPS": "领导=cn=x"})
    with pytest.raises(ValueError, match="ACADEMY_LDAP_TLS"):
        configured(monkeypatch, {**LDAP_ENV, "ACADEMY_LDAP_TLS": "ssl"})


def test_oidc_with_the_provincial_sso(monkeypatch):
    config, auth = configured(monkeypatch, OIDC_ENV)
    assert type(auth).__name__ == "GenericOAuthenticator"
    assert auth.authorize_url == OIDC_ENV["ACADEMY_OIDC_AUTHORIZE_URL"]
    assert auth.token_url == OIDC_ENV["ACADEMY_OIDC_TOKEN_URL"]
    assert auth.userdata_url == OIDC_ENV["ACADEMY_OIDC_USERDATA_URL"]
    assert (auth.client_id, auth.client_secret) == ("zhifa-xuetang", "s3cret")
    assert auth.oauth_callback_url == OIDC_ENV["ACADEMY_OIDC_CALLBACK_URL"]
    assert auth.login_service == "省统一身份认证" and auth.enable_pkce
    assert auth.username_claim == "ryb h"
    assert auth.user_info_to_username({"ryb h": "ZF001234", "name": "张三"}) == "ZF001234"
    assert auth.manage_groups and auth.allowed_groups == set(GROUPS)
    assert auth.allow_existing_users is True
    assert config.JupyterHub.template_vars["password_change"] is False
    state = {"oauth_user": {"ryb h": "ZF001234", "groups": ["zfry", "ksgl", "领导小组"]}}
    assert asyncio.run(auth.get_user_groups(state)) == {"执法人员", "考试管理员"}
    assert asyncio.run(auth.get_user_groups({"oauth_user": {"groups": "zfry"}})) == {"执法人员"}
    assert asyncio.run(auth.get_user_groups({"oauth_user": {}})) == set()


def test_oidc_without_groups_uses_the_roster(monkeypatch):
    env = {k: v for k, v in OIDC_ENV.items() if k not in ("ACADEMY_OIDC_GROUPS_CLAIM", "ACADEMY_OIDC_GROUPS",
                                                          "ACADEMY_OIDC_USERNAME_CLAIM", "ACADEMY_OIDC_CALLBACK_URL")}
    config, auth = configured(monkeypatch, env)
    assert not auth.manage_groups and auth.username_claim == "employee_number"
    assert list(config.JupyterHub.load_groups) == list(GROUPS)


def test_native_stays_the_default(monkeypatch):
    config, _ = configured(monkeypatch, {}, instantiate=False)  # nativeauthenticator needs the hub's database
    assert config.JupyterHub.authenticator_class == "service.native_auth.AcademyNativeAuthenticator"
    assert "password_change" not in config.JupyterHub.template_vars


@pytest.mark.parametrize("env", [LDAP_ENV, OIDC_ENV], ids=["ldap", "oidc"])
def test_directory_managed_groups_leave_load_groups_empty(monkeypatch, env):
    config, auth = configured(monkeypatch, env)
    assert auth.manage_groups
    assert config.JupyterHub.load_groups == {}
