"""The 学堂服务's HTTP server takes a 人事 upload as large as the import pages allow (a training sheet of several MB):
the request reaches the handler, which answers in Chinese, instead of the connection being dropped at 1 MB."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

from tornado import ioloop, netutil

from service.app import AcademyService
from service.pages import MAX_UPLOAD


def test_a_large_upload_reaches_the_handler_and_a_too_large_one_is_refused():
    app = AcademyService()
    app.initialize([])
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    port = sockets[0].getsockname()[1]
    loop: dict = {}

    def serve():
        import asyncio

        asyncio.set_event_loop(asyncio.new_event_loop())
        loop["io"] = ioloop.IOLoop.current()
        app.http_server().add_sockets(sockets)
        loop["io"].start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}{app.prefix}api/hr/import?kind=training&name=a.xlsx"
    try:
        request = urllib.request.Request(url, data=b"x" * (3 * 1024 * 1024), method="POST")
        try:
            urllib.request.urlopen(request, timeout=60)
            raise AssertionError("没有令牌的导入应被拒绝")
        except urllib.error.HTTPError as refused:  # 3 MB arrived whole: the handler's own refusal (no token)
            assert refused.code == 403
            assert json.loads(refused.read())["message"] == "导入须由学时看板提交（缺少令牌）"
        too_big = urllib.request.Request(url, data=b"x" * (MAX_UPLOAD + 128 * 1024), method="POST")
        try:
            urllib.request.urlopen(too_big, timeout=60)
            raise AssertionError("超过上限的请求应被拒绝")
        except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError):
            pass  # tornado refuses it before any handler runs
    finally:
        loop["io"].add_callback(loop["io"].stop)
        thread.join(timeout=10)
