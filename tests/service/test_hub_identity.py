"""How the 学堂服务 asks the hub who a token belongs to (service/hub_identity.py), on the real site (JupyterHub, the
proxy, the 学堂服务 on SQLite: one process) with a short cache age in the service's config file. What the hub
was asked is read from the hub's own log: one line per ``GET /hub/api/user`` with the token's user and the time.

Many requests of one token at once make one hub lookup; a deleted user is refused within ``cache_max_age`` plus one
lookup (never later than ``cache_max_age + stale_grace``); tokens looked up together are re-checked spread over the
jitter window, not together."""

from __future__ import annotations

import datetime as dt
import re
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.hub_site import hub_site

MAX_AGE, GRACE, JITTER = 8.0, 3.0, 0.5
NUMBERS = [f"HI{i:03d}" for i in range(14)]
LOOKUP = re.compile(r"\[\w (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) JupyterHub log:\d+\] (\d{3}) GET /hub/api/user \((\w*)@")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hub-identity")
    config = (f"c.AcademyHubAuth.cache_max_age = {MAX_AGE:g}\nc.AcademyHubAuth.stale_grace = {GRACE:g}\n"
              f"c.AcademyHubAuth.refresh_jitter = {JITTER:g}\n")
    with hub_site(tmp, NUMBERS, f"sqlite:///{tmp / 'tracker.sqlite3'}", config) as running:
        yield running


def progress(site, name: str) -> int:
    """The status of the officer's progress request with his token (200: identified; 403: not)."""
    request = urllib.request.Request(f"{site['base']}/services/academy/api/me/progress",
                                     headers={"Authorization": f"token {site['tokens'][name]}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def lookups(site, name: str) -> list[tuple[float, int]]:
    """(time, status) of each hub lookup of ``name``'s token so far."""
    out = []
    for stamp, status, who in LOOKUP.findall(site["log"].read_text(encoding="utf-8", errors="replace")):
        if who == name:
            out.append((dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp(), int(status)))
    return out


def test_many_requests_of_one_token_at_once_make_one_hub_lookup(site):
    name = NUMBERS[0].lower()
    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: progress(site, name), range(20)))
    assert statuses == [200] * 20
    assert len(lookups(site, name)) == 1


def test_a_deleted_user_is_refused_within_the_cache_age_plus_one_lookup(site):
    name = NUMBERS[1].lower()
    assert progress(site, name) == 200
    asked = time.monotonic()  # the hub was asked just before
    request = urllib.request.Request(f"{site['base']}/hub/api/users/{name}", method="DELETE",
                                     headers={"Authorization": f"token {site['admin']}"})
    urllib.request.urlopen(request, timeout=30).close()
    assert progress(site, name) == 200  # the hub's answer is still kept (at least (1 - jitter) × cache_max_age)
    while progress(site, name) == 200:
        assert time.monotonic() - asked < MAX_AGE + GRACE, "被删除的用户超过时限仍被服务认出"
        time.sleep(0.2)
    refused = time.monotonic() - asked
    assert refused <= MAX_AGE + 1.0  # a re-check is one hub lookup (well under a second here)
    assert progress(site, name) == 403  # and stays refused (the refusal is kept like an answer)


def test_tokens_looked_up_together_are_re_checked_spread_over_the_jitter_window(site):
    names = [n.lower() for n in NUMBERS[2:]]
    with ThreadPoolExecutor(len(names)) as pool:
        assert list(pool.map(lambda n: progress(site, n), names)) == [200] * len(names)
        until = time.monotonic() + MAX_AGE + 2

        def keep_asking(name: str) -> set[int]:  # each officer keeps clicking, each on his own
            statuses = set()
            while time.monotonic() < until:
                statuses.add(progress(site, name))
                time.sleep(0.25)
            return statuses

        assert list(pool.map(keep_asking, names)) == [{200}] * len(names)
    again = []  # how long after its first lookup each token was looked up again
    for name in names:
        seen = lookups(site, name)
        assert len(seen) >= 2, f"{name} 的令牌在 {MAX_AGE} 秒后没有重新核对"
        again.append(seen[1][0] - seen[0][0])
    # never before its fresh time; the re-check is made by the first request after it (how soon depends on how fast
    # this machine answers the officers' requests, so no upper bound tighter than the answer's last usable moment)
    assert all((1 - JITTER) * MAX_AGE - 0.3 <= delay <= MAX_AGE + GRACE for delay in again), again
    # spread over the window, not all at MAX_AGE as stock HubOAuth does (which never re-checks before MAX_AGE); a
    # re-check waits for the officer's next request, up to a second later on a loaded machine
    assert sum(delay < MAX_AGE - 1.0 for delay in again) >= 2, again
    assert max(again) - min(again) >= 0.4 * JITTER * MAX_AGE, again
