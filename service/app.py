"""The 学堂服务 application (``academy serve``; the hub starts it as a managed service).

Like ``jupyterhub_idle_culler``: a traitlets Application whose settings default from the environment the hub gives a
managed service (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``, ``JUPYTERHUB_API_TOKEN``).
"""

from __future__ import annotations

import gc
import hashlib
import os
from urllib.parse import urlparse

from tornado import httpserver, ioloop, web
from traitlets import Unicode, default
from traitlets.config import Application

from service.handlers import NotFoundHandler, default_handlers
from service.pages import page_handlers


class AcademyService(Application):
    name = "academy-service"
    description = "学堂服务：保管题库答案和学时台账，为测验评分、判定模块完成、记录学时，提供人事报表。"

    url = Unicode(help="服务监听的地址（默认取 JUPYTERHUB_SERVICE_URL）").tag(config=True)
    prefix = Unicode(help="服务的 URL 前缀（默认取 JUPYTERHUB_SERVICE_PREFIX）").tag(config=True)

    @default("url")
    def _url(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")

    @default("prefix")
    def _prefix(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/academy/")

    def make_app(self) -> web.Application:
        return web.Application(page_handlers(self.prefix) + default_handlers(self.prefix), prefix=self.prefix,
                               cookie_secret=self.cookie_secret(),
                               xsrf_cookies=False, default_handler_class=NotFoundHandler)

    @staticmethod
    def cookie_secret() -> bytes:
        """The same in every process and replica of the service: derived from its hub token (a secret already)."""
        token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
        return hashlib.sha256(f"academy-cookie:{token}".encode()).digest() if token else os.urandom(32)

    def warm_up(self) -> None:
        """Read the catalog, the bank and every quiz before the first officer asks, then move those long-lived objects
        out of the garbage collector's way (``gc.freeze``): full collections no longer walk the whole bank, which
        otherwise shows up as the slowest answers under load."""
        from curriculum import catalog
        from service import quizzes

        for module in catalog.catalog():
            for quiz in module.quizzes:
                quizzes.public_quiz(module.id, quiz.id)
        gc.collect()
        gc.freeze()

    def start(self) -> None:
        self.warm_up()
        where = urlparse(self.url)
        server = httpserver.HTTPServer(self.make_app(), max_body_size=1024 * 1024, xheaders=True)
        server.listen(where.port or 80, where.hostname or "127.0.0.1")
        self.log.info("学堂服务已启动：%s%s", self.url, self.prefix)
        ioloop.IOLoop.current().start()


def main(argv: list[str] | None = None) -> None:
    app = AcademyService()
    app.initialize(argv)
    app.start()
