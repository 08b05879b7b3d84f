"""jupyterhub-nativeauthenticator as the site uses it: accounts from the roster, messages in Chinese.

Its login handler still times logins with ``self.statsd``, which JupyterHub 6 removed (jupyterhub PR #5407); this
subclass's login handler does the same work without it and answers in Chinese. Drop the override once a
nativeauthenticator release supports JupyterHub 6.
"""

from __future__ import annotations

from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.handlers import LoginHandler


class AcademyLoginHandler(LoginHandler):
    async def post(self) -> None:
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        username = data.get("username", "")
        error = "人员编号或密码不正确。"
        info = self.authenticator.get_user(username) if username else None
        if info is not None and self.authenticator.is_blocked(self.authenticator.normalize_username(username)):
            error = "密码连续输错次数过多，请五分钟后再试。"
        elif info is not None and info.is_valid_password(data.get("password", "")) and not info.is_authorized:
            error = "该账户已停用，请联系人事部门。"
        self.finish(await self._render(login_error=error, username=username))


class AcademyNativeAuthenticator(NativeAuthenticator):
    def get_handlers(self, app):
        return [(path, AcademyLoginHandler if handler is LoginHandler else handler)
                for path, handler in super().get_handlers(app)]
