"""Benchmark: 1,000 officers sitting one exam on the site, every click through the 学堂服务 (each with his own hub token).

Starts the real site as bench/service_load.py does (JupyterHub with the project's config, configurable-http-proxy, the
学堂服务; officers from a roster, hub tokens, no unix accounts) on SQLite and on PostgreSQL, puts a paper in the data
folder, assigns every officer a sitting (balanced over the paper's forms), then: every officer opens his exam
(starting the server's clock) at R a second; the clicks arrive at the realistic rate (``--real-rate`` 20/s: 1,000
officers × 100 clicks in 90 minutes is ~18/s) for ``--real-seconds`` (400: the tokens all looked up at the opening come
up for their re-check at the hub in this phase), then ``--clicks`` per officer at R a second (200: ten times the real
rate), whatever the replies (officers do not wait for one another), cycling through the questions of his form with
changing answers; one click in a hundred is sent twice with the same request id (a retry after a lost reply). Prints,
for each database and phase: clicks/s, p50/p95/p99 latency, failed requests (not acknowledged: the page says the click
was not recorded) and their statuses, the hub's token lookups a second (average / most, from its log), the machine's
load before and after; then clicks lost (acknowledged but not in the database) or duplicated (one request stored twice)
— both must be 0 —, the answers collect would read against the last click acknowledged, the proxy's 503s by cause; and
the last stop's figures (stock ``HubOAuth``, before service/hub_identity.py) beside.

    .venv/bin/python bench/exam_clicks.py [--officers 1000] [--clicks 100] [--rate 200] [--real-rate 20] [--real-seconds 400]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
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
LOOKUP = re.compile(r"\[\w (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) JupyterHub log:\d+\] \d{3} GET /hub/api/user ")
PROXY_503 = re.compile(r"\[ConfigProxy\].*?503 \w+ /services/\S+ (?:Error: )?(?:\w+ )?(E[A-Z]+|socket hang up)")
# the last stop's run (README, before service/hub_identity.py): stock HubOAuth, 1,000 officers × 100 clicks at 200/s,
# load 5–10: opening p50/p95, clicks p50/p95/p99 (ms), not acknowledged
BASELINE = {"SQLite": ((20_000, 34_000), (8_100, 78_000, 231_000), "2,425（2.4%）"),
            "PostgreSQL": ((4_700, 7_200), (212, 53_000, 136_000), "4,244（4.2%）")}


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
    statuses: Counter = Counter()  # HTTP status of each reply (or the client's error)
    acknowledged: set[str] = set()  # request ids the service answered 200 (each must be in the database)

    async def send(session: aiohttp.ClientSession, token: str, path: str, body: dict | None) -> None:
        start = time.perf_counter()
        call = session.request("POST" if body else "GET", f"{base}/services/academy/{path}", json=body,
                               headers={"Authorization": f"token {token}"})
        try:
            async with call as response:
                await response.read()
                if response.status == 200 and body:
                    acknowledged.add(body["request_id"])
                statuses[response.status] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            statuses[type(exc).__name__] += 1
        latencies.append(time.perf_counter() - start)

    load_before = os.getloadavg()[0]
    wall = time.time()
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
    return {"requests": len(jobs), "failed": len(jobs) - statuses[200], "statuses": statuses, "seconds": elapsed,
            "rate": len(jobs) / elapsed, "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
            "acknowledged": acknowledged, "window": (wall, wall + elapsed), "load": (load_before, os.getloadavg()[0])}


def hub_lookups(log: Path, window: tuple[float, float]) -> tuple[int, float, int]:
    """(lookups, per second on average, most in one second) of tokens at the hub (``GET /hub/api/user`` in its log)
    within ``window`` (wall-clock seconds)."""
    per_second: Counter = Counter()
    for stamp in LOOKUP.findall(log.read_text(encoding="utf-8", errors="replace")):
        moment = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").timestamp()
        if window[0] <= moment <= window[1] + 1:
            per_second[int(moment)] += 1
    total = sum(per_second.values())
    return total, total / max(window[1] - window[0], 1e-9), max(per_second.values(), default=0)


def proxy_refusals(log: Path) -> Counter:
    """The proxy's 503s by cause (its log: ``503 POST /services/... connect ETIMEDOUT …``)."""
    causes = PROXY_503.findall(log.read_text(encoding="utf-8", errors="replace"))
    return Counter(cause for cause in causes)


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
        jobs: dict[str, list] = {"realistic": [], "clicks": []}
        real_rounds = math.ceil(args.real_rate * args.real_seconds / len(names)) if args.real_seconds else 0
        retried = 0
        for round_ in range(real_rounds + args.clicks):
            phase = jobs["realistic" if round_ < real_rounds else "clicks"]
            for n in names:
                key, kind, letters = items[form_of[n]][round_ % len(items[form_of[n]])]
                body = {"question": key, "value": value_for(kind, letters, rng), "request_id": uuid.uuid4().hex}
                phase.append((tokens[n.lower()], f"api/exams/{EXAM}/clicks", body))
                if rng.random() < 0.01:
                    phase.append(phase[-1])
                    retried += 1
        phases = {"opening": opening}
        if real_rounds:  # first: the tokens all looked up at the opening come up for their re-check in this phase
            phases["realistic"] = asyncio.run(run(base, tokens, jobs["realistic"], args.real_rate))
        if args.clicks:
            phases["clicks"] = asyncio.run(run(base, tokens, jobs["clicks"], args.rate))
    finally:
        os.killpg(hub.pid, 15)
        try:
            hub.wait(timeout=120)  # the hub with 1,000 users on a loaded machine may take more than half a minute
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, 9)
            hub.wait()
        log.close()
    for key, x in phases.items():
        x["lookups"] = hub_lookups(tmp / "hub.log", x["window"])
        print(f"{label} {key}: p50/p95/p99 {x['p50']:.0f}/{x['p95']:.0f}/{x['p99']:.0f} ms, {dict(x['statuses'])}, "
              f"hub lookups {x['lookups']}, load {x['load']}", flush=True)
    opening.pop("acknowledged")
    acknowledged = set().union(*(phases[k].pop("acknowledged") for k in ("realistic", "clicks") if k in phases))
    sent_in_order = jobs["realistic"] + jobs["clicks"]
    last = {}
    for token, _, body in sent_in_order:  # each officer's last acknowledged value per question, in sending order
        if body["request_id"] in acknowledged:
            last[(token, body["question"])] = body["value"]
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
    return {"label": label, "phases": phases, "setup": setup, "retried": retried, "proxy": proxy_refusals(tmp / "hub.log"),
            "lost": len(acknowledged - stored_requests),
            "unanswered": len({body["request_id"] for _, _, body in sent_in_order} - acknowledged),
            "duplicated": stored - distinct, "refused": refused, "differ": differ, "answers": len(last)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--officers", type=int, default=1000)
    parser.add_argument("--clicks", type=int, default=100, help="每人点选次数（每秒 --rate 次）")
    parser.add_argument("--rate", type=float, default=200, help="每秒到达的点选数（不等回复）；也是打开试卷的速度")
    parser.add_argument("--real-rate", type=float, default=20, help="实际考试的速度：每秒到达的点选数")
    parser.add_argument("--real-seconds", type=float, default=400,
                        help="按实际速度点选的秒数（须超过令牌重新核对的 5 分钟；0 为不测）")
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    results = on_databases(one_database, args)
    print(f"\n{args.officers} 名考生同场考试（各用本人令牌），经代理交给学堂服务；先按实际速度点选 {args.real_seconds:g} 秒"
          f"（跨过开考时一起取得的令牌的重新核对），再每人点选 {args.clicks} 次、每秒 {args.rate:g} 次：")
    print(f"{'数据库':<12}{'请求':<24}{'次数':>8}{'每秒':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'未确认':>7}"
          f"{'核验/秒 均/峰':>14}{'负载 前→后':>12}")
    names = {"opening": f"打开试卷，每秒 {args.rate:g} 人", "realistic": f"点选，每秒 {args.real_rate:g} 次（实际）",
             "clicks": f"点选，每秒 {args.rate:g} 次（10 倍）"}
    for r in results:
        for key, x in r["phases"].items():
            lookups, mean, peak = x["lookups"]
            print(f"{r['label']:<12}{names[key]:<24}{x['requests']:>8}{x['rate']:>6.0f}{x['p50']:>9.1f}{x['p95']:>9.1f}"
                  f"{x['p99']:>9.1f}{x['failed']:>7}{mean:>9.1f} /{peak:>3}{x['load'][0]:>7.1f}→{x['load'][1]:.1f}")
            others = {k: v for k, v in x["statuses"].items() if k != 200}
            if others:
                print(f"{'':<12}  未确认的回复：{dict(others)}")
        if r["label"] in BASELINE:
            (o50, o95), (c50, c95, c99), missed = BASELINE[r["label"]]
            print(f"{'':<12}{'上次（改前）打开试卷':<24}{'':>8}{'':>6}{o50:>9.0f}{o95:>9.0f}{'':>9}")
            print(f"{'':<12}{'上次（改前）点选 200/秒':<24}{'':>8}{'':>6}{c50:>9.0f}{c95:>9.0f}{c99:>9.0f}  {missed}"
                  f"（改前：JupyterHub 原样的令牌缓存，同机负载 5–10）")
        print(f"{'':<12}丢失 {r['lost']} 次（服务已确认而数据库中没有），重复 {r['duplicated']} 次（其中 {r['retried']} 次以同一"
              f"请求编号重发）；未获确认 {r['unanswered']} 次（页面会显示“未被记录”，考生再点一次），"
              f"被拒绝 {r['refused']} 次；收卷答案与最后一次获确认的点选不同 {r['differ']} / {r['answers']} 题"
              f"（同题两次点选同时在途、到达顺序不同）；代理的 503：{dict(r['proxy']) or 0}")
    for r in results:
        print(f"（{r['label']}：建账户与令牌 {r['setup']:.0f} 秒，不计入）")
    print(f"本机 {os.cpu_count()} 核；负载为 1 分钟平均（含同机其他人的进程），每阶段开始与结束时读取")


if __name__ == "__main__":
    main()
