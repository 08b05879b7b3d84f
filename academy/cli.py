"""The one command-line entry point: ``academy <area> <command>``."""

from __future__ import annotations

import argparse
import sys

from questionbank import cli as bank_cli
from tracker import cli as hours_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="academy",
        description="执法学堂：行政执法人员培训与资格考试系统。",
        epilog="示例：\n  academy bank validate --strict\n  academy pages",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="area", required=True, metavar="功能")
    bank_cli.register(sub)
    hours_cli.register(sub)
    from academy import lab, pages

    pages.register(sub)
    lab.register(sub)
    lab.register_dashboard(sub)
    from academy import courses_cli

    courses_cli.register(sub)
    from academy import exam_cli

    exam_cli.register(sub)
    from academy import hub_cli

    hub_cli.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args) or 0
    except FileNotFoundError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
