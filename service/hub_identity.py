"""Who is asking: the hub's answer for a token, kept so that 1,000 officers' re-checks never pile up at the hub.

Stock ``HubOAuth`` keeps the hub's answer for a token ``cache_max_age`` seconds (300), then the next request asks the
hub again — and so does every request of that token that arrives before the hub has answered. Officers who opened
their exam together have tokens that expire together: measured at 1,000 officers and 200 clicks/s, the hub (one
process, ~170 lookups/s idle, 24–81/s on a loaded machine) fell behind, the lookups piled up, the service's clicks waited
for them and the proxy gave up on the connections it could not hand over (503: the page says 「本次作答未被记录」).

Here, per process:

- **jitter**: an answer is fresh for a random time between ``(1 - refresh_jitter) × cache_max_age`` and
  ``cache_max_age``, so tokens cached together are re-checked spread over that window, not in the same second;
- **re-check ahead**: a request whose entry is no longer fresh is served the answer it has while one re-check runs in
  the background; the next requests find the new answer. A request waits for the hub only for a token it has never seen
  (or one whose answer is older than ``cache_max_age + stale_grace``, e.g. while the hub is down);
- **single flight**: at most one hub lookup per token at a time; requests for the same token wait for it;
- **bounded**: at most ``max_lookups`` lookups at the hub at a time; the others queue here, not at the hub.

Bound on revocation: a token that the hub no longer knows (token revoked, user deleted or removed from the site) is
refused at most ``cache_max_age`` seconds after the service last asked, plus the time of one hub lookup, and never later
than ``cache_max_age + stale_grace`` (default 300 + 60 s). A refusal (the hub does not know the token) is kept like an
answer.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from jupyterhub.services.auth import HubOAuth
from tornado.log import app_log
from traitlets import Float, Integer


class AcademyHubAuth(HubOAuth):
    refresh_jitter = Float(0.5, help="答案保鲜期的随机缩短比例（0–1）：一起取得的令牌分散在这段时间里重新核对").tag(config=True)
    stale_grace = Float(60, help="保鲜期过后、后台重新核对期间，旧答案最多再用几秒（中心无响应时）").tag(config=True)
    max_lookups = Integer(8, help="每个进程同时向中心核对令牌的最大数").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._answers: dict[str, tuple[float, float, dict | None]] = {}  # key: (fresh until, usable until, model)
        self._flights: dict[str, asyncio.Task] = {}
        self._slots: asyncio.Semaphore | None = None
        self._purged = time.monotonic()

    async def _check_hub_authorization(self, url: str, api_token: str, cache_key: str | None = None,
                                       use_cache: bool = True) -> dict | None:
        if not use_cache or cache_key is None:
            return await self._ask_hub(url, api_token)
        now = time.monotonic()
        fresh, usable, model = self._answers.get(cache_key, (0.0, 0.0, None))
        if now < fresh:
            return model
        if now < usable:
            self._flight(cache_key, url, api_token)  # re-check in the background; this request goes on
            return model
        return await asyncio.shield(self._flight(cache_key, url, api_token))

    def _flight(self, key: str, url: str, api_token: str) -> asyncio.Task:
        """The one lookup of ``key`` under way, started if there is none."""
        task = self._flights.get(key)
        if task is None:
            task = self._flights[key] = asyncio.ensure_future(self._refresh(key, url, api_token))
            task.add_done_callback(lambda done: self._landed(key, done))
        return task

    def _landed(self, key: str, done: asyncio.Task) -> None:
        self._flights.pop(key, None)
        if not done.cancelled() and done.exception() is not None:  # a failed re-check: the old answer stays usable
            app_log.warning("向中心核对令牌失败：%s", done.exception())

    async def _refresh(self, key: str, url: str, api_token: str) -> dict | None:
        model = await self._ask_hub(url, api_token)
        now = time.monotonic()
        fresh = now + self.cache_max_age * (1 - self.refresh_jitter * random.random())
        self._answers[key] = (fresh, now + self.cache_max_age + self.stale_grace, model)
        self._purge(now)
        return model

    async def _ask_hub(self, url: str, api_token: str) -> dict | None:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_lookups)
        async with self._slots:
            return await super()._check_hub_authorization(url, api_token, use_cache=False)

    def _purge(self, now: float) -> None:
        """Forget answers past use (tokens not seen for a while), at most once per ``cache_max_age``."""
        if now - self._purged < self.cache_max_age:
            return
        self._purged = now
        for key in [k for k, (_, usable, _) in self._answers.items() if usable <= now]:
            del self._answers[key]
