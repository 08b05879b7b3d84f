"""``academy exam sit | submit | release-feedback | feedback``: the exam day on one machine (``grading.exchange``).

Officers sit one after another (or side by side on one account): the proctor hands each his form on his own desk
(``sit``, optionally opening JupyterLab on that desk only), the officer submits from the exam page (提交试卷) — or the
proctor with ``submit`` — under the 人员编号 of the desk; the administrator collects with nbgrader's own collect,
grades, and after grading releases the feedback (``release-feedback``) that ``feedback`` puts on each officer's desk.
Desks are in the data folder (``exam-desks/``) unless ``--desks`` names another place.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ground.settings import PROJECT_ROOT, settings


def desks_dir(args) -> Path:
    return Path(args.desks) if args.desks else settings.home / "exam-desks"


# nbgrader's own tools would fetch or submit under the OS account's name: off at the desk, the exam page submits
NBGRADER_TOOLS = ("formgrader", "course_list", "validate_assignment", "assignment_list")


def desk_lab_command(folder: Path, port: int) -> list[str]:
    """JupyterLab on one officer's desk only, opening his exam, with the officers' lab settings (Chinese), without
    nbgrader's tools (the exam page's 提交试卷 submits) and without a terminal."""
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder.parent}",
               f"--LabApp.default_url=/lab/tree/{folder.name}/exam.ipynb", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--ServerApp.terminals_enabled=False",
               *(f"--ServerApp.jpserver_extensions=nbgrader.server_extensions.{tool}=False" for tool in NBGRADER_TOOLS),
               f"--LabApp.app_settings_dir={PROJECT_ROOT / 'deploy' / 'officer-lab'}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command


def cmd_sit(args) -> int:
    from grading.exchange import ExchangeProblem, sit

    try:
        folder = sit(args.exam, args.officer, desks_dir(args), form=args.form)
    except ExchangeProblem as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.officer.strip()} 的试卷：{folder}（{folder.name}）。考生打开其中的 exam.ipynb 作答，计时从打开时开始。")
    if args.open:
        sys.stdout.flush()
        os.execv(sys.executable, desk_lab_command(folder, args.port))
    return 0


def cmd_submit(args) -> int:
    from grading.exchange import ExchangeProblem, submit

    try:
        officer = submit(args.folder)
    except ExchangeProblem as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已提交 {Path(args.folder).name}，考生 {officer}。")
    return 0


def cmd_release_feedback(args) -> int:
    from academy.exam_cli import course_root, paper_path
    from grading.exchange import ExchangeProblem, release_feedback
    from grading.paper import load_paper

    try:
        for form in load_paper(paper_path(args.exam)).forms:
            count = release_feedback(course_root(), form.assignment)
            print(f"{form.assignment}：已发布 {count} 份成绩反馈。")
    except (ExchangeProblem, FileNotFoundError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_feedback(args) -> int:
    from grading.exchange import ExchangeProblem, fetch_feedback

    try:
        pages = fetch_feedback(args.exam, args.officer, desks_dir(args))
    except ExchangeProblem as exc:
        print(exc, file=sys.stderr)
        return 1
    if not pages:
        print(f"{args.officer} 还没有已发布的 {args.exam} 成绩反馈。", file=sys.stderr)
        return 1
    print("\n".join(f"成绩反馈：{page}" for page in pages))
    return 0


def register_exam_day(add) -> None:
    """The one-machine exam-day commands, added to ``academy exam`` by ``academy.exam_cli.register``."""
    def desks(p):
        p.add_argument("--desks", metavar="目录", help="考生座位目录（默认为数据目录下的 exam-desks/）")

    p = add("sit", cmd_sit, "单机考场：为一名考生领取他的那套试卷（每人一套，放在他自己的座位目录）",
            "academy exam sit cert-2026-q4 A0001 --open")
    p.add_argument("exam")
    p.add_argument("officer", help="人员编号（监考人员核对身份后填写）")
    p.add_argument("--form", metavar="试卷", help="指定试卷（如 A；默认按人员编号固定分配）")
    desks(p)
    p.add_argument("--open", action="store_true", help="随即在该考生的座位目录上打开 JupyterLab")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8888")), help="JupyterLab 端口（默认取 PORT，否则 8888）")
    p = add("submit", cmd_submit, "以试卷文件夹中答案文件的人员编号提交试卷（与试卷上的“提交试卷”按钮相同）",
            "academy exam submit ~/.local/share/zhifa-xuetang/exam-desks/A0001/cert-2026-q4-a")
    p.add_argument("folder")
    p = add("release-feedback", cmd_release_feedback, "把评分后生成的成绩反馈发布到 nbgrader 交换目录",
            "academy exam release-feedback cert-2026-q4")
    p.add_argument("exam")
    p = add("feedback", cmd_feedback, "把一名考生已发布的成绩反馈取到他的座位目录",
            "academy exam feedback cert-2026-q4 A0001")
    p.add_argument("exam")
    p.add_argument("officer")
    desks(p)
