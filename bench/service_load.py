"""Benchmark: officers answering quiz questions through the 学堂服务 at once, each with his own hub token.

Starts the real site (JupyterHub with the project's config, configurable-http-proxy, the 学堂服务) on SQLite and on
PostgreSQL, makes N officers (roster → ``sync_users`` without unix accounts), a hub token for each, then sends every
officer's answers through the proxy twice: arriving at R answers a second whatever the replies (officers do not wait
for one another: the latency at that load), then from C clients back to back (the capacity). Prints, for each
database: answers/s, p50/p95/p99 latency, and attempts lost or duplicated (compared with what the database holds; must
be 0), beside the target (200 answers/s with p95 ≤ 150 ms). Also: login to a running learning page for one officer (needs root and a unix
account; skipped otherwise).

    .venv/bin/python bench/service_load.py [--officers 2000] [--answers 5] [--rate 200] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from curriculum import catalog  # noqa: E402
from service import site  # noqa: E402
from tests.e2e.browser import free_port  # noqa: E402
from tests.hub_site import ADMIN_SERVICE, make_tokens  # noqa: E402
from tests.postgres import PostgresServer  # noqa: E402
from tests.sheets import write_csv  # noqa: E402
from tracker import db  # noqa: E402
from tracker import service as ledger_service  # noqa: E402
from tracker.models import QuizAttempt  # noqa: E402

MODULE, QUIZ = "legal-cf-hearing", "q1"


def wait(url: str, seconds: float = 120, json_error_ok: bool = False) -> None:
    """Until ``url`` answers 200 (or, with ``json_error_ok``, the service's own JSON error: its route is in place)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except urllib.error.HTTPError as exc:
            if json_error_ok and exc.headers.get("Content-Type", "").startswith("application/json"):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} 没有响应")
        time.sleep(0.5)


def plain_answers(n: int) -> list[tuple[str, dict]]:
    """n answers of single/judge questions of the quiz (half right, half wrong), cycling through them."""
    questions = [q for q in catalog.module(MODULE).quiz(QUIZ).select(list(catalog.bank_questions()))
                 if q.type in ("single", "judge")]
    out = []
    for i in range(n):
        q = questions[i % len(questions)]
        value = q.answer if i % 2 == 0 else (not q.answer if q.type == "judge" else
                                                next(k for k in q.options if k != q.answer))
        out.append((q.id, {"": value}))
    return out


async def run_load(base: str, tokens: dict[str, str], answers: int, rate: float | None,
                   concurrency: int, skip: int = 0) -> dict:
    """Send every officer's answers (``answers`` 0: open the quiz, as the learning page does first): at ``rate`` a
    second whatever the replies (officers do not wait for each other: the latency at that load), or, with ``rate``
    None, from ``concurrency`` clients back to back (capacity). ``skip``: the questions answered before (each question
    of a round is answered once; another answer to it is refused)."""
    url = f"{base}/services/academy/api/quizzes/{MODULE}/{QUIZ}"
    plan = plain_answers(skip + answers)[skip:]
    if answers:
        jobs = [(token, {"question": q, "responses": r, "request_id": uuid.uuid4().hex})
                for round_ in range(answers) for token in tokens.values() for q, r in [plan[round_]]]
    else:
        jobs = [(token, None) for token in tokens.values()]
    latencies: list[float] = []
    failed = 0

    async def send(session: aiohttp.ClientSession, token: str, body: dict) -> None:
        nonlocal failed
        start = time.perf_counter()
        call = session.request("POST" if body else "GET", url + ("/answers" if body else ""), json=body,
                               headers={"Authorization": f"token {token}"})
        try:
            async with call as response:
                await response.read()
                failed += response.status != 200
        except aiohttp.ClientError:
            failed += 1
        latencies.append(time.perf_counter() - start)

    connector = aiohttp.TCPConnector(limit=0 if rate else concurrency)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=300)) as session:
        if rate:
            tasks = []
            for i, (token, body) in enumerate(jobs):
                delay = started + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(send(session, token, body)))
            await asyncio.gather(*tasks)
        else:
            queue = list(reversed(jobs))

            async def worker() -> None:
                while queue:
                    await send(session, *queue.pop())

            await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"answers": len(jobs), "failed": failed, "seconds": elapsed, "rate": len(jobs) / elapsed,
            "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
            "requests": {body["request_id"] for _, body in jobs if body}}


def time_to_learning_page(base: str, admin: str, name: str, token: str) -> float | None:
    """Seconds from asking for an officer's server to his rendered 学习首页 (root only: it needs his unix account)."""
    if os.geteuid() != 0:
        return None
    site.ensure_unix_account(name)
    site.make_reachable()
    started = time.perf_counter()
    request = urllib.request.Request(f"{base}/hub/api/users/{name}/server", method="POST",
                                     headers={"Authorization": f"token {admin}"})
    urllib.request.urlopen(request, timeout=120).close()
    page = urllib.request.Request(f"{base}/user/{name}/voila/render/index.ipynb",
                                  headers={"Authorization": f"token {token}"})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(page, timeout=120) as response:
                if response.status == 200 and "学习" in response.read().decode("utf-8", "replace"):
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("学习首页在 180 秒内没有打开")


def one_database(label: str, tracker_url: str, hub_url: str | None, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="zhifa-bench-"))
    port = free_port()
    bench_token = uuid.uuid4().hex
    extra = tmp / "bench_config.py"
    extra.write_text(ADMIN_SERVICE % bench_token, encoding="utf-8")
    env = {**os.environ, "PORT": str(port), "ACADEMY_HOME": str(tmp / "home"), "ACADEMY_DB_URL": tracker_url,
           "ACADEMY_HUB_EXTRA_CONFIG": str(extra), "ACADEMY_HUB_IDLE_TIMEOUT": "36000"}
    if hub_url:
        env["ACADEMY_HUB_DB_URL"] = hub_url
    rows = [["人员编号", "姓名", "单位"]] + [[f"B{i:05d}", f"人员{i}", f"第{i % 20}执法单位"] for i in range(args.officers)]
    # (the first officer, b00000, also gets a unix account to time his learning page; removed afterwards)
    ledger_service.import_roster_file(write_csv(tmp / "名册.csv", rows), recorded_by="基准测试", url=tracker_url)
    base = f"http://127.0.0.1:{port}"
    log = open(tmp / "hub.log", "w")
    hub = subprocess.Popen(site.hub_command(), env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    try:
        wait(f"{base}/hub/login")
        wait(f"{base}/services/academy/api/hours", json_error_ok=True)
        started = time.perf_counter()
        officers = [(f"B{i:05d}", True) for i in range(args.officers)]
        site.sync_users(base, officers, {}, token=bench_token, unix_accounts=False)
        tokens = make_tokens(base, bench_token, [n.lower() for n, _ in officers])
        setup = time.perf_counter() - started
        opening = asyncio.run(run_load(base, tokens, 0, args.rate, args.concurrency))
        opening.pop("requests")
        at_rate = asyncio.run(run_load(base, tokens, args.answers, args.rate, args.concurrency))
        capacity = asyncio.run(run_load(base, tokens, 1, None, args.concurrency, skip=args.answers))
        first = next(iter(tokens))
        spawn = time_to_learning_page(base, bench_token, first, tokens[first])
    finally:
        os.killpg(hub.pid, 15)
        hub.wait(timeout=30)
        log.close()
        if os.geteuid() == 0:
            subprocess.run(["userdel", "--remove", "b00000"], capture_output=True)
    with db.session(tracker_url) as s:
        stored = s.scalar(select(func.count(QuizAttempt.id)))
        distinct = s.scalar(select(func.count(func.distinct(QuizAttempt.request_id))))
        stored_requests = set(s.scalars(select(QuizAttempt.request_id)))
    sent = at_rate.pop("requests") | capacity.pop("requests")
    return {"label": label, "opening": opening, "at_rate": at_rate, "capacity": capacity, "lost": len(sent - stored_requests),
            "duplicated": stored - distinct, "setup": setup, "spawn": spawn}


def on_databases(run, args) -> list[dict]:
    """``run(label, tracker_url, hub_url, args)`` on each of ``args.databases``: SQLite in a temporary folder (the hub
    on its own SQLite default), PostgreSQL on a throwaway server (tracker and hub each a database of it)."""
    results = []
    if "sqlite" in args.databases:
        tmp = Path(tempfile.mkdtemp(prefix="zhifa-bench-sqlite-"))
        results.append(run("SQLite", f"sqlite:///{tmp / 'tracker.sqlite3'}", None, args))
    if "postgresql" in args.databases:
        postgres = PostgresServer().start()
        try:
            results.append(run("PostgreSQL", postgres.new_database(), postgres.new_database(), args))
        finally:
            postgres.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=5, help="每人作答题数")
    parser.add_argument("--rate", type=float, default=200, help="每秒到达的答题数（不等回复）")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--concurrency", type=int, default=50, help="测容量时连续提交的并发数")
    args = parser.parse_args()
    results = on_databases(one_database, args)
    print(f"\n{args.officers} 名执法人员（各用本人令牌）经代理向学堂服务提交答案：")
    print(f"{'数据库':<12}{'方式':<22}{'答题数':>8}{'每秒':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'失败':>6}")
    for r in results:
        for key, how in (("opening", f"打开测验，每秒 {args.rate:g} 人"), ("at_rate", f"提交答案，每秒 {args.rate:g} 题"),
                         ("capacity", f"提交答案，{args.concurrency} 并发连续")):
            x = r[key]
            print(f"{r['label']:<12}{how:<22}{x['answers']:>8}{x['rate']:>8.0f}{x['p50']:>9.1f}{x['p95']:>9.1f}"
                  f"{x['p99']:>9.1f}{x['failed']:>6}")
        print(f"{'':<12}丢失 {r['lost']} 条，重复 {r['duplicated']} 条（与数据库核对）")
    print(f"{'目标':<12}{'每秒 200 题时':<22}{'':>8}{'≥ 200':>8}{'':>9}{'≤ 150':>9}{'':>9}{'0':>6}（丢失、重复均为 0）")
    for r in results:
        print(f"（{r['label']}：建账户与令牌 {r['setup']:.0f} 秒，不计入）")
        if r["spawn"] is not None:
            print(f"{r['label']}：从启动一名执法人员的服务器到学习首页显示 {r['spawn']:.1f} 秒")


if __name__ == "__main__":
    main()
