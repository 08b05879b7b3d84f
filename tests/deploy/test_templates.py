"""The hub's pages in Chinese (deploy/templates/).

Every page is rendered with the Jinja environment JupyterHub 6 builds (``JupyterHub.init_tornado_settings``: the
``templates/`` prefix for its own originals, then ``template_paths``, with nativeauthenticator's folder behind, as its
handlers add it) and scanned for English words in what a reader sees. The overrides must keep the ids and form fields of
the originals (JupyterHub's JavaScript and the login handlers rely on them). A real hub, started with the project's
configuration, then serves the login page, a failed login, the home page and a missing page, and Chromium takes a
screenshot of the login page (test-artifacts/hub-login.png).
"""

from __future__ import annotations

import json
import os
import re
import sys
import urllib.request
from contextlib import contextmanager
from datetime import datetime
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup, Comment
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jupyterhub.app import JupyterHub
from nativeauthenticator import handlers as native_handlers

from ground.settings import PROJECT_ROOT
from tests.deploy.hubconfig import HUB_CONFIG, load_hub_config

OURS = PROJECT_ROOT / "deploy" / "templates"
ENGLISH = re.compile(r"[A-Za-z]{3,}")
ALLOWED = {"HTTP", "HTTPS", "JavaScript"}  # names of things, as Chinese texts write them
SEEN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def hub_loader(template_paths: list[str]):
    """The loader JupyterHub.init_tornado_settings builds (jupyterhub 6.1.1, app.py), with nativeauthenticator's
    template folder appended the way its LocalBase handler appends it."""
    base_path = JupyterHub()._template_paths_default()[0]
    paths = list(template_paths) + ([base_path] if base_path not in template_paths else [])
    loader = ChoiceLoader([PrefixLoader({"templates": FileSystemLoader([base_path])}, "/"), FileSystemLoader(paths)])
    return ChoiceLoader([loader, FileSystemLoader([native_handlers.TEMPLATE_DIR])]), base_path


@pytest.fixture
def hub_env() -> Environment:
    config = load_hub_config()
    assert config.JupyterHub.template_paths == [str(OURS)]  # the site really uses these templates
    loader, _ = hub_loader(config.JupyterHub.template_paths)
    return Environment(loader=loader, autoescape=True)


@pytest.fixture(scope="module")
def original_env() -> Environment:
    """The installed originals only: JupyterHub's own and nativeauthenticator's."""
    base_path = JupyterHub()._template_paths_default()[0]
    loader = ChoiceLoader([PrefixLoader({"templates": FileSystemLoader([base_path])}, "/"),
                           FileSystemLoader([native_handlers.TEMPLATE_DIR, base_path])])
    return Environment(loader=loader, autoescape=True)


def officer(name="zf001234", active=False, admin=False):
    spawner = SimpleNamespace(options_form="", active=active, ready=active, pending=None, name="", display_name="",
                              last_activity=None)
    return SimpleNamespace(name=name, json_escaped_name=json.dumps(name)[1:-1], admin=admin, spawner=spawner,
                           all_spawners=lambda include_default=False: [])


def namespace(user=None, **extra) -> dict:
    """What BaseHandler.template_namespace and render_template give every page, plus the site's template_vars."""
    ns = dict(base_url="/hub/", prefix="/", user=user, login_url="/hub/login", login_service="", logout_url="/hub/logout",
              static_url=lambda path, include_version=True: f"/hub/static/{path}", version_hash="", services=[],
              parsed_scopes={"self"}, expanded_scopes=set(), xsrf="x", xsrf_token="x", site_name="执法学堂")
    ns.update(extra)
    return ns


NOW = datetime(2026, 11, 29, 8, 0)
TOKEN = SimpleNamespace(api_id="a1", note="Server at /user/zf001234/", scopes=["access:servers!user"], last_activity=NOW, created=NOW,
                        expires_at=None)
ADMIN_USERS = [SimpleNamespace(username="zf001234", email="", has_2fa=False, is_authorized=True),
               SimpleNamespace(username="zf001235", email="", has_2fa=False, is_authorized=False)]
AUTHENTICATOR = SimpleNamespace(request_otp=False, otp_prompt="")

# page → the contexts the hub renders it with (English messages from the handlers where they pass any)
PAGES = {
    "native-login.html": [dict(next="", username="", login_error=None, enable_signup=False, two_factor_auth=False),
                          dict(next="%2Fhub%2Fhome", username="zf001234", login_error="人员编号或密码不正确。",
                               enable_signup=True, two_factor_auth=True),
                          dict(next="", username="", login_error="Login form invalid or expired. Try again.")],
    "login.html": [dict(authenticator_login_url="/hub/login", authenticator=AUTHENTICATOR, username=""),
                   dict(authenticator_login_url="/hub/oauth_login", authenticator=AUTHENTICATOR,
                        login_service="省统一身份认证", login_term_url="/terms"),
                   dict(authenticator_login_url="/hub/login", authenticator=AUTHENTICATOR, username="001234",
                        login_error="Invalid username or password")],
    "home.html": [dict(user=officer(), default_server=officer().spawner, url="/hub/spawn/zf001234", allow_named_servers=False),
                  dict(user=officer(active=True), default_server=officer(active=True).spawner, url="/user/zf001234/",
                       allow_named_servers=True, named_server_limit_per_user=2, invalid_server_names=[])],
    "spawn_pending.html": [dict(user=officer(), progress_url="/hub/api/users/zf001234/server/progress")],
    "stop_pending.html": [dict(user=officer())],
    "not_running.html": [dict(user=officer(), failed=False, server_name="", spawn_url="/hub/spawn/zf001234",
                              implicit_spawn_seconds=0),
                         dict(user=officer(), failed=True, server_name="", spawn_url="/hub/spawn/zf001234",
                              failed_message="启动超时", implicit_spawn_seconds=5)],
    "error.html": [dict(status_code=500, status_message="Internal Server Error",
                        message="Unhandled error starting server zf001234"),
                   dict(user=officer(), status_code=403, status_message="Forbidden",
                        message_html="Action is not authorized with current scopes; requires any of [admin-ui]"),
                   dict(status_code=418, status_message="I'm a teapot")],
    "404.html": [dict(status_code=404, status_message="Not Found", message="No such page: /hub/nothing")],
    "logout.html": [dict()],
    "oauth.html": [dict(user=officer(), oauth_client=SimpleNamespace(description="JupyterHub service academy",
                                                                     redirect_uri="/services/academy/oauth_callback"),
                        scope_descriptions=[{"scope": "", "description": "Identify you", "filter": ""}],
                        allowed_scopes=["identify"])],
    "token.html": [dict(user=officer(), api_tokens=[TOKEN], token_expires_in_max_seconds=0, token_expires_in_options_html="",
                        oauth_clients=[{"token_id": "o1", "description": "Server at /user/zf001234/", "tokens": [TOKEN],
                                        "last_activity": NOW, "created": NOW}]),
                   dict(user=officer(), api_tokens=[], oauth_clients=[], token_expires_in_max_seconds=7200,
                        token_expires_in_options_html="")],
    "spawn.html": [dict(user=officer(admin=True), for_user=officer("zf000009"), error_message="Timeout", url="/hub/spawn",
                        spawner_options_form="")],
    "change-password.html": [dict(user=officer(), user_name="zf001234", post_url="/hub/change-password")]
    + [dict(user=officer(), user_name="zf001234", post_url="", alert="alert-danger", result_message=message) for message in (
        "Your current password was incorrect. Please try again.",
        "Your new password didn't match the confirmation. Please try again.",
        "Your password has been changed successfully!",
        "Something went wrong!\nBe sure your new password has at least 8 characters and is not too common.")],
    "change-password-admin.html": [dict(user=officer(admin=True), user_name="zf001235", post_url="", alert="alert-success",
                                        result_message="The password for zf001235 has been changed successfully")],
    "authorization-area.html": [dict(user=officer(admin=True), users=ADMIN_USERS, ask_email=False)],
    "signup.html": [dict(post_url="/hub/signup", alert="alert-danger", ask_email=True, two_factor_auth=True, tos="",
                         result_message="Your password did not match the confirmation. Please try again.")],
    "my_message.html": [dict(message="zf001235 has been authorized!")],
}
# ids left out on purpose: the login page has no 登录 button in the nav bar (as JupyterHub's own login.html)
DROPPED = {"native-login.html": {"login", "login_widget"}}
# what the brief calls an officer's pages: these must be overridden here, not inherited in English
OFFICER_PAGES = ("native-login.html", "login.html", "home.html", "spawn_pending.html", "stop_pending.html",
                 "not_running.html", "error.html", "404.html", "logout.html", "page.html", "change-password.html")


def visible_text(html: str) -> str:
    """What a reader sees or hears: the text outside script/style/code, and the titles, placeholders, labels and
    button captions."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup(["script", "style", "code", "pre"]):
        element.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    seen = [soup.get_text(" ")]
    for tag in soup.find_all(True):
        seen += [str(tag[a]) for a in SEEN_ATTRIBUTES if tag.has_attr(a)]
        if tag.name == "input" and tag.get("type") in ("submit", "button") and tag.has_attr("value"):
            seen.append(tag["value"])
    return "\n".join(seen)


def english_words(html: str) -> list[str]:
    return [word for word in ENGLISH.findall(visible_text(html)) if word not in ALLOWED]


def render(env, name, context):
    return env.get_template(name).render(**namespace(**context))


def test_the_scan_finds_english_in_the_originals(original_env):
    """The word scan is not blind: the installed English pages fail it."""
    for name in ("login.html", "home.html", "spawn_pending.html", "error.html", "native-login.html"):
        assert english_words(render(original_env, name, PAGES[name][0])), name


def test_every_officer_page_is_overridden():
    for name in OFFICER_PAGES:
        assert (OURS / name).is_file(), name


@pytest.mark.parametrize("name,context", [(name, context) for name, contexts in PAGES.items() for context in contexts],
                         ids=lambda value: value if isinstance(value, str) else "")
def test_pages_read_in_chinese(hub_env, name, context):
    html = render(hub_env, name, context)
    assert '<html lang="zh-CN">' in html
    assert english_words(html) == [], f"{name} 中还有英文"
    assert re.search(r"[\u4e00-\u9fff]", visible_text(html))


@pytest.mark.parametrize("name", list(PAGES))
def test_ids_and_form_fields_are_kept(hub_env, original_env, name):
    """Everything JavaScript, CSS and the handlers find by id, name or class-hook in the original is in ours."""
    for context in PAGES[name]:
        ours = BeautifulSoup(render(hub_env, name, context), "html.parser")
        original = BeautifulSoup(render(original_env, name, context), "html.parser")
        for attribute in ("id", "name"):
            want = {tag[attribute] for tag in original.find_all(attrs={attribute: True})} - DROPPED.get(name, set())
            have = {tag[attribute] for tag in ours.find_all(attrs={attribute: True})}
            assert want - have == set(), f"{name}：缺少 {attribute} {sorted(want - have)}"
        for form in original.find_all("form"):
            assert ours.find("form", attrs={"action": form.get("action"), "method": form.get("method")}), name


def test_error_page_keeps_the_hub_message_for_administrators(hub_env):
    html = render(hub_env, "error.html", PAGES["error.html"][0])
    soup = BeautifulSoup(html, "html.parser")
    assert "500：服务器内部错误" in soup.h1.get_text()
    assert "Unhandled error starting server zf001234" in soup.find("details").code.get_text()


def test_error_page_shows_the_sites_own_refusal_in_chinese(hub_env):
    from service.spawner import NoAccount, account

    with pytest.raises(NoAccount) as refused:
        account("e2e-nobody-on-the-roster")  # a login (LDAP, sign-on) with no unix account
    exc = refused.value
    html = render(hub_env, "error.html", dict(status_code=exc.status_code, status_message="Forbidden",
                                              message=exc.message, exception=exc))
    soup = BeautifulSoup(html, "html.parser")
    assert "403：没有权限" in soup.h1.get_text()
    assert soup.find(class_="site-refusal").get_text() == exc.jupyterhub_message
    assert "不在执法人员名册中" in exc.jupyterhub_message and "e2e-nobody-on-the-roster" in exc.jupyterhub_message


def test_nav_bar_offers_password_change_only_with_site_accounts(hub_env):
    context = PAGES["home.html"][0]
    assert "修改密码" in render(hub_env, "home.html", context)
    assert "修改密码" not in render(hub_env, "home.html", {**context, "password_change": False})
    admin = render(hub_env, "home.html", {**context, "parsed_scopes": {"admin-ui"}})
    assert "站点管理" in admin and "账户审核" in admin


# --- a real hub ------------------------------------------------------------------------------------------------------

def free_ports(count: int) -> int:
    """A port p with p .. p+count-1 all free (the site uses PORT and PORT+1..+3)."""
    import socket

    from tests.e2e.browser import free_port

    for _ in range(50):
        port = free_port()
        try:
            sockets = []
            for offset in range(count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port + offset))
            return port
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("找不到连续的空闲端口")


@contextmanager
def running_hub(tmp_path, monkeypatch, **env):
    """JupyterHub started with the project's configuration (and configurable-http-proxy, the 学堂服务, the culler)."""
    from service import site
    from tests.e2e.browser import server

    port = free_ports(4)
    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "academy-home"))
    monkeypatch.setenv("PORT", str(port))
    for name in ("ACADEMY_HUB_AUTH", "ACADEMY_HUB_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    hub_home = site.hub_home()
    command = [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)]
    url = f"http://127.0.0.1:{port}"
    os.chdir(hub_home)
    try:
        with server(command, {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}, f"{url}/hub/login", tmp_path / "hub.log",
                    timeout=120):
            yield url, hub_home
    finally:
        os.chdir(PROJECT_ROOT)


def test_a_real_hub_serves_the_pages_in_chinese(tmp_path, monkeypatch):
    from service import site
    from tests.e2e.browser import browser_page, screenshot

    with running_hub(tmp_path, monkeypatch) as (url, hub_home):
        html = urllib.request.urlopen(f"{url}/hub/login").read().decode()
        assert english_words(html) == [] and "人员编号" in html and "密码" in html
        try:
            urllib.request.urlopen(f"{url}/hub/no-such-page")
            raise AssertionError("不存在的页面应当返回 404")
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
            page = missing.read().decode()
            assert english_words(page) == [] and "页面不存在" in page
        report = site.sync_users(url, [("ZF001234", True)], {}, unix_accounts=False,
                                 hub_db_url=f"sqlite:///{hub_home / 'jupyterhub.sqlite'}")
        password = report.passwords["zf001234"]
        with browser_page(tmp_path) as page:
            page.goto(f"{url}/hub/login?next=%2Fhub%2Fhome")
            page.get_by_label("人员编号").wait_for()
            shot = screenshot(page, "hub-login.png")
            assert shot.stat().st_size > 5000
            assert english_words(page.content()) == []
            page.get_by_label("人员编号").fill("zf001234")
            page.locator("#password_input").fill("wrong-password")
            page.locator("#login_submit").click()
            page.get_by_text("人员编号或密码不正确。").wait_for()
            page.get_by_label("人员编号").fill("zf001234")
            page.locator("#password_input").fill(password)
            page.locator("#login_submit").click()
            page.get_by_role("button", name="启动我的学习空间").wait_for()
            screenshot(page, "hub-home.png")
            assert english_words(page.content()) == []
            page.get_by_role("link", name="修改密码").click()
            page.locator("#old_password_input").fill("wrong-password")
            page.locator("#new_password_input").fill("Xuetang-2026-new")
            page.locator("#new_password_confirmation_input").fill("Xuetang-2026-new")
            page.locator("#signup_submit").click()
            page.get_by_text("当前密码不正确，请重试。").wait_for()
            assert english_words(page.content()) == []
            # start the server: the officer has no unix account here, so the spawner refuses, and says why in Chinese
            page.get_by_role("link", name="首页").click()
            page.get_by_role("button", name="启动我的学习空间").click()
            page.locator(".site-refusal", has_text="不在执法人员名册中").wait_for()
            assert "403：没有权限" in page.locator("h1").inner_text()
            screenshot(page, "hub-spawn-failed.png")
            assert english_words(page.content()) == []
            assert page.get_by_role("link", name="返回首页").count() == 1
            page.locator("details.error-technical summary").click()
            assert page.locator("details.error-technical code").inner_text().strip()  # the hub's own words, for administrators


def test_a_real_hub_with_ldap_shows_jupyterhubs_login_page_in_chinese(tmp_path, monkeypatch):
    """ACADEMY_HUB_AUTH=ldap: JupyterHub's own login page (login.html), no 修改密码; a login while the directory
    cannot be reached (ldapauthenticator raises, the hub answers 500 on the login form) is reported in Chinese."""
    from tests.e2e.browser import browser_page, free_port

    closed = free_port()
    with running_hub(tmp_path, monkeypatch, ACADEMY_HUB_AUTH="ldap", ACADEMY_LDAP_SERVER=f"127.0.0.1:{closed}",
                     ACADEMY_LDAP_TLS="insecure", ACADEMY_LDAP_BIND_TEMPLATE="uid={username},ou=people,dc=example") as (url, _):
        with browser_page(tmp_path) as page:
            page.goto(f"{url}/hub/login")
            assert page.locator("#login_submit").get_attribute("value") == "登录"
            assert english_words(page.content()) == [] and "修改密码" not in page.content()
            page.get_by_label("人员编号").fill("001234")
            page.locator("#password_input").fill("anything")
            page.locator("#login_submit").click()
            page.get_by_text("连不上目录服务器").wait_for()
            assert english_words(page.content()) == []
