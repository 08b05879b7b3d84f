"""Benchmark: 1,000 officers sitting one exam on the site, every click through the 学堂服务 (each with his own hub token).

Starts the real site as bench/service_load.py does (JupyterHub with the project's config, configurable-http-proxy, the
学堂服务; officers from a roster, hub tokens, no unix accounts) on SQLite and on PostgreSQL, puts a paper in the data
folder, assigns every officer a sitting (balanced over the paper's forms), then: every officer opens his exam
(starting the server's clock), and the clicks arrive at R a second whatever the replies (officers do not wait for one
another), ``--clicks`` per officer, cycling through the questions of his form with changing answers; one click in a
hundred is sent twice with the same request id (a retry after a lost reply). Prints, for each database: clicks/s,
p50/p95/p99 latency, failed requests (not acknowledged: the page says the click was not recorded), and clicks lost
(acknowledged but not in the database) or duplicated (one request stored twice) — both must be 0 — and the answers
collect would read against the last click acknowledged.

    .venv/bin/python bench/exam_clicks.py [--officers 1000] [--clicks 100] [--rate 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp  # noqa: E402
from service_load import on_databases, wait  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from grading.paper import paper_from_mapping, write_paper  # noqa: E402
from service import site  # noqa: E402
from tests.e2e.browser import free_port  # noqa: E402
from tests.grading.test_build import SMALL_PAPER  # noqa: E402
from tests.hub_site import ADMIN_SERVICE, make_tokens  # noqa: E402
from tests.sheets import write_csv  # noqa: E402
from tracker import db  # noqa: E402
from tracker import service as ledger_service  # noqa: E402
from tracker.models import ExamClick  # noqa: E402
from tracker.sittings import assign, exam_record  # noqa: E402

EXAM = SMALL_PAPER["exam"]


def clickable(form: dict) -> list[tuple[str, str, list[str]]]:
    """(key, type, option letters) of every objective item of a form of the paper (letters from the bank)."""
    from curriculum.catalog import bank_questions

    bank = {q.id: q for q in bank_questions()}
    out = []
    for section in form["sections"]:
        for qid in section["questions"]:
            q = bank[qid]
            for key, item in ([(f"{qid}/{p.id}", p) for p in q.parts] if q.parts else [(qid, q)]):
                if item.type in ("single", "multiple", "judge"):
                    out.append((key, item.type, sorted(item.options) if item.options else []))
    return out


def value_for(kind: str, letters: list[str], rng: random.Random):
    if kind == "judge":
        return rng.random() < 0.5
    if kind == "single":
        return rng.choice(letters)
    return sorted(rng.sample(letters, rng.randint(1, len(letters))))


async def run(base: str, tokens: dict[str, str], jobs: list[tuple[str, str, dict | None]], rate: float) -> dict:
    """Send ``jobs`` (token, path, body or None for a GET) at ``rate`` a second whatever the replies."""
    latencies: list[float] = []
    failed = 0
    acknowledged: set[str] = set()  # request ids the service answered 200 (each must be in the database)

    async def send(session: aiohttp.ClientSession, token: str, path: str, body: dict | None) -> None:
        nonlocal failed
        start = time.perf_counter()
        call = session.request("POST" if body else "GET", f"{base}/services/academy/{path}", json=body,
                               headers={"Authorization": f"token {token}"})
        try:
            async with call as response:
                await response.read()
                if response.status == 200 and body:
                    acknowledged.add(body["request_id"])
                failed += response.status != 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            failed += 1
        latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=300)) as session:
        tasks = []
        for i, (token, path, body) in enumerate(jobs):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(session, token, path, body)))
        await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(jobs), "failed": failed, "seconds": elapsed, "rate": len(jobs) / elapsed,
            "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000, "acknowledged": acknowledged}


def one_database(label: str, tracker_url: str, hub_url: str | None, args) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="zhifa-bench-exam-"))
    home = tmp / "home"
    os.environ["ACADEMY_HOME"] = str(home)
    port = free_port()
    bench_token = uuid.uuid4().hex
    extra = tmp / "bench_config.py"
    extra.write_text(ADMIN_SERVICE % bench_token, encoding="utf-8")
    env = {**os.environ, "PORT": str(port), "ACADEMY_HOME": str(home), "ACADEMY_DB_URL": tracker_url,
           "ACADEMY_HUB_EXTRA_CONFIG": str(extra), "ACADEMY_HUB_IDLE_TIMEOUT": "36000"}
    if hub_url:
        env["ACADEMY_HUB_DB_URL"] = hub_url
    names = [f"X{i:05d}" for i in range(args.officers)]
    rows = [["人员编号", "姓名", "单位"]] + [[n, f"考生{i}", f"第{i % 20}执法单位"] for i, n in enumerate(names)]
    ledger_service.import_roster_file(write_csv(tmp / "名册.csv", rows), recorded_by="基准测试", url=tracker_url)
    paper = paper_from_mapping(SMALL_PAPER)
    write_paper(paper, home / "papers" / f"{EXAM}.yaml")
    forms = {f.form: f.assignment for f in paper.forms}
    with db.session(tracker_url) as s:
        assign(s, EXAM, forms, names, 90 * 60, "基准测试")
    items = {f["form"]: clickable(f) for f in SMALL_PAPER["forms"]}
    base = f"http://127.0.0.1:{port}"
    log = open(tmp / "hub.log", "w")
    hub = subprocess.Popen(site.hub_command(), env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    rng = random.Random(7)
    try:
        wait(f"{base}/hub/login")
        wait(f"{base}/services/academy/api/hours", json_error_ok=True)
        started = time.perf_counter()
        site.sync_users(base, [(n, True) for n in names], {}, token=bench_token, unix_accounts=False)
        tokens = make_tokens(base, bench_token, [n.lower() for n in names])
        setup = time.perf_counter() - started
        opening = asyncio.run(run(base, tokens, [(tokens[n.lower()], f"api/exams/{EXAM}", None) for n in names],
                                  args.rate))
        with db.session(tracker_url) as s:
            form_of = {r.officer_no: r.form for r in exam_record(s, EXAM)}
        jobs, sent, last = [], set(), {}
        retried = 0
        for round_ in range(args.clicks):
            for n in names:
                key, kind, letters = items[form_of[n]][round_ % len(items[form_of[n]])]
                body = {"question": key, "value": value_for(kind, letters, rng), "request_id": uuid.uuid4().hex}
                jobs.append((tokens[n.lower()], f"api/exams/{EXAM}/clicks", body))
                sent.add((n, body["request_id"]))
                if rng.random() < 0.01:
                    jobs.append(jobs[-1])
                    retried += 1
        clicks = asyncio.run(run(base, tokens, jobs, args.rate))
        opening.pop("acknowledged")
        acknowledged = clicks.pop("acknowledged")
        for token, _, body in jobs:  # each officer's last acknowledged value per question, in sending order
            if body["request_id"] in acknowledged:
                last[(token, body["question"])] = body["value"]
    finally:
        os.killpg(hub.pid, 15)
        hub.wait(timeout=30)
        log.close()
    with db.session(tracker_url) as s:
        stored = s.scalar(select(func.count(ExamClick.id)))
        distinct = s.scalar(select(func.count(func.distinct(ExamClick.request_id))))
        stored_requests = set(s.scalars(select(ExamClick.request_id)))
        refused = s.scalar(select(func.count(ExamClick.id)).where(ExamClick.accepted.is_(False)))
        record = {r.officer_no: r.answers for r in exam_record(s, EXAM)}
    by_token = {tokens[n.lower()]: n for n in names}
    # collect takes the last click the service accepted; an officer's two clicks on one question in flight at once
    # may arrive out of sending order, so count the differences rather than call them errors
    differ = sum(1 for (token, question), value in last.items()
                 if record[by_token[token]].get(question) != (sorted(value) if isinstance(value, list) else value))
    return {"label": label, "opening": opening, "clicks": clicks, "setup": setup, "retried": retried,
            "lost": len(acknowledged - stored_requests), "unanswered": len({r for _, r in sent} - acknowledged),
            "duplicated": stored - distinct, "refused": refused, "differ": differ, "answers": len(last)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=1000)
    parser.add_argument("--clicks", type=int, default=100, help="每人点选次数")
    parser.add_argument("--rate", type=float, default=200, help="每秒到达的点选数（不等回复）")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = on_databases(one_database, args)
    print(f"\n{args.officers} 名考生同场考试（各用本人令牌），每人点选 {args.clicks} 次，经代理交给学堂服务：")
    print(f"{'数据库':<12}{'请求':<22}{'次数':>8}{'每秒':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'失败':>6}")
    for r in results:
        for key, how in (("opening", f"打开试卷，每秒 {args.rate:g} 人"), ("clicks", f"点选，每秒 {args.rate:g} 次")):
            x = r[key]
            print(f"{r['label']:<12}{how:<22}{x['requests']:>8}{x['rate']:>8.0f}{x['p50']:>9.1f}{x['p95']:>9.1f}"
                  f"{x['p99']:>9.1f}{x['failed']:>6}")
        print(f"{'':<12}丢失 {r['lost']} 次（服务已确认而数据库中没有），重复 {r['duplicated']} 次（其中 {r['retried']} 次以同一"
              f"请求编号重发）；未获确认 {r['unanswered']} 次（页面会显示“未被记录”，考生再点一次），"
              f"被拒绝 {r['refused']} 次；收卷答案与最后一次获确认的点选不同 {r['differ']} / {r['answers']} 题"
              f"（同题两次点选同时在途、到达顺序不同）")
    for r in results:
        print(f"（{r['label']}：建账户与令牌 {r['setup']:.0f} 秒，不计入）")


if __name__ == "__main__":
    main()
