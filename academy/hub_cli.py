"""``academy hub …`` and ``academy serve``: the site for many users (JupyterHub + 学堂服务)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ground.commands import Area
from ground.settings import settings
from service import site
from tracker import service as ledger_service


def cmd_sync_users(args) -> int:
    if not args.no_unix and hasattr(os, "geteuid") and os.geteuid() != 0:
        print("错误：创建系统账户需要 root 权限（或加 --no-unix 只同步站点账户）", file=sys.stderr)
        return 2
    officers = ledger_service.roster_accounts()
    if not officers:
        print("错误：名册为空，请先导入名册（academy hours import-roster 名册.xlsx）", file=sys.stderr)
        return 1
    hub_db = args.hub_db or (os.environ.get("ACADEMY_HUB_DB_URL") or f"sqlite:///{site.hub_home() / 'jupyterhub.sqlite'}")
    try:
        report = site.sync_users(args.hub_url, officers, site.site_roles(Path(args.roles)),
                                 unix_accounts=not args.no_unix, hub_db_url=None if args.no_passwords else hub_db)
    except (RuntimeError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(report.text())
    if report.passwords:
        path = Path(args.passwords)
        write_passwords(path, report.passwords)
        print(f"新账户的初始密码已写入 {path}（请交给本人，首次登录后在“修改密码”页面更改；此文件用后请销毁）")
    return 0


def write_passwords(path: Path, passwords: dict[str, str]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "初始密码"
    sheet.append(["登录名（人员编号）", "初始密码"])
    for name, password in sorted(passwords.items()):
        sheet.append([name, password])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    path.chmod(0o600)


def cmd_start(args) -> int:
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        print("错误：多人站点要以 root 启动（每位执法人员的服务器以本人的系统账户运行），请用 sudo make hub",
              file=sys.stderr)
        return 2
    site.proxy_command()
    for path in site.make_reachable():
        print(f"允许各执法人员账户通过（o+x，不可列目录）：{path}")
    for path in site.protect_private_files():
        print(f"执法人员不可读取：{path}")
    from grading.build import write_config

    course = settings.exam_course
    write_config(course)
    site.share_exam_course(course)
    print(f"考试课程（nbgrader，考试管理员组可读写）：{course}")
    print(f"nbgrader 交换区（发卷、交卷）：{site.make_exchange()}")
    home = site.hub_home()
    os.chdir(home)
    print(f"执法学堂站点：http://127.0.0.1:{os.environ.get('PORT') or 8000}/ （站点数据：{home}）")
    sys.stdout.flush()
    command = site.hub_command()
    os.execv(command[0], command)
    return 0


def cmd_serve(args) -> int:
    from service.app import main

    main(args.options)
    return 0


def register(subparsers) -> None:
    area = Area(subparsers, "hub", "多人站点：账户同步", "多人站点（JupyterHub）命令。站点用 hub start 命令启动。")
    p = area.add("sync-users", cmd_sync_users, "按名册同步站点账户：新增在职人员、停用离职人员、按角色分组、创建系统账户",
                 "academy hub sync-users --passwords 初始密码.xlsx")
    p.add_argument("--hub-url", default=f"http://127.0.0.1:{os.environ.get('PORT') or 8000}", help="站点地址")
    p.add_argument("--roles", default=str(site.ROLES_FILE), help="站点角色文件（人事、考试管理员）")
    p.add_argument("--passwords", default="初始密码.xlsx", help="新账户初始密码的输出文件")
    p.add_argument("--hub-db", help="JupyterHub 数据库（默认数据目录 hub/ 中的 SQLite 文件）")
    p.add_argument("--no-unix", action="store_true", help="不创建系统账户（例如在 Kubernetes 上）")
    p.add_argument("--no-passwords", action="store_true", help="不生成初始密码（使用 LDAP 或统一身份认证时）")
    area.add("start", cmd_start, "启动多人站点（JupyterHub、学堂服务、空闲服务器回收），需要 root",
             "sudo PORT=8000 academy hub start")
    serve = subparsers.add_parser("serve", help="启动学堂服务（通常由 JupyterHub 启动）",
                                  description="启动学堂服务（JupyterHub 托管服务）。", epilog="示例：\n  academy serve")
    serve.add_argument("options", nargs="*", help="传给服务的设置项（如 --AcademyService.url=…）")
    serve.set_defaults(func=cmd_serve)
