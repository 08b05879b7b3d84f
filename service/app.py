"""The 学堂服务 application (``academy serve``; the hub starts it as a managed service).

Like ``jupyterhub_idle_culler``: a traitlets Application whose settings default from the environment the hub gives a
managed service (``JUPYTERHUB_SERVICE_URL``, ``JUPYTERHUB_SERVICE_PREFIX``, ``JUPYTERHUB_API_TOKEN``).
"""

from __future__ import annotations

import gc
import hashlib
import os
import signal
from urllib.parse import urlparse

from tornado import httpserver, ioloop, netutil, process, web
from traitlets import Integer, Unicode, default
from traitlets.config import Application

from service.exam_handlers import exam_handlers
from service.handlers import NotFoundHandler, default_handlers
from service.hub_identity import AcademyHubAuth
from service.pages import page_handlers
from service.practice_handlers import practice_handlers

# connections waiting to be accepted (tornado's default 128 is under a second of clicks at 200/s; the kernel caps it at
# net.core.somaxconn); when it overflows, the proxy's connection attempts time out and the officer gets a 503
BACKLOG = 2048


class AcademyService(Application):
    name = "academy-service"
    description = "学堂服务：保管题库答案和学时台账，为测验评分、判定模块完成、记录学时，提供人事报表。"

    url = Unicode(help="服务监听的地址（默认取 JUPYTERHUB_SERVICE_URL）").tag(config=True)
    prefix = Unicode(help="服务的 URL 前缀（默认取 JUPYTERHUB_SERVICE_PREFIX）").tag(config=True)
    processes = Integer(help="处理请求的进程数（默认：SQLite 一个——它一次只允许一个写入者，多进程只会互相等锁；"
                             "PostgreSQL 每个处理器核一个，最多 4 个）").tag(config=True)

    @default("processes")
    def _processes(self) -> int:
        from ground.settings import settings

        if settings.db_url.startswith("sqlite"):
            return 1
        return max(1, min(4, os.cpu_count() or 1))

    @default("url")
    def _url(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")

    @default("prefix")
    def _prefix(self) -> str:
        return os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/academy/")

    classes = [AcademyHubAuth]
    config_file_name = Unicode("academy_service_config.py", help="站点数据目录中服务的配置文件（traitlets 格式，可选）")

    def initialize(self, argv: list[str] | None = None) -> None:
        """The command line, then the site's optional config file in the data folder (``ACADEMY_HOME``), e.g.
        ``c.AcademyHubAuth.cache_max_age = 120``; the command line wins."""
        from ground.settings import settings

        self.parse_command_line(argv)
        given = self.config.copy()
        self.load_config_file(self.config_file_name, path=[str(settings.home)])
        self.update_config(given)

    def make_app(self) -> web.Application:
        return web.Application(page_handlers(self.prefix) + practice_handlers(self.prefix) + exam_handlers(self.prefix)
                               + default_handlers(self.prefix), prefix=self.prefix,
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
        from service import exams, quizzes

        for module in catalog.catalog():
            for quiz in module.quizzes:
                quizzes.public_quiz(module.id, quiz.id)
        exams.warm_up()
        gc.collect()
        gc.freeze()

    def start(self) -> None:
        """Bind, then fork ``processes`` workers sharing the socket (each answer is one database transaction, so
        workers share nothing else); a worker ends when the process the hub started ends. Measured with
        bench/service_load.py on 2 cores, 2,000 officers at 200 answers/s: on PostgreSQL one process gave a p95 of 1.2 s,
        two 0.14–0.24 s; on SQLite one process is faster (p95 58 ms against 266 ms with two)."""
        self.warm_up()
        AcademyHubAuth.instance(parent=self)  # its settings from this application's (--AcademyHubAuth.cache_max_age=…)
        where = urlparse(self.url)
        sockets = netutil.bind_sockets(where.port or 80, where.hostname or "127.0.0.1", backlog=BACKLOG)
        if self.processes > 1:
            process.fork_processes(self.processes, max_restarts=100)
            _end_with_parent()
        server = httpserver.HTTPServer(self.make_app(), max_body_size=1024 * 1024, xheaders=True)
        server.add_sockets(sockets)
        self.log.info("学堂服务已启动：%s%s（%d 个进程）", self.url, self.prefix, self.processes)
        ioloop.IOLoop.current().start()


def _end_with_parent() -> None:
    """Linux: a worker gets SIGTERM when the parent (the process JupyterHub watches and stops) dies."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def main(argv: list[str] | None = None) -> None:
    app = AcademyService()
    app.initialize(argv)
    app.start()
