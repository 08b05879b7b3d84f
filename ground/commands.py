"""Building the ``academy <area> <command>`` parsers: every command gets a Chinese description and an example."""

from __future__ import annotations

import argparse
from collections.abc import Callable


class Area:
    """The subcommands of one area (``academy bank``, ``academy hours`` …)."""

    def __init__(self, subparsers, name: str, help_text: str, description: str | None = None):
        parser = subparsers.add_parser(name, help=help_text, description=description or help_text)
        self.sub = parser.add_subparsers(dest=f"{name}_command", required=True, metavar="命令")

    def add(self, name: str, func: Callable, help_text: str, example: str) -> argparse.ArgumentParser:
        parser = self.sub.add_parser(name, help=help_text, description=help_text, epilog=f"示例：\n  {example}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
        parser.set_defaults(func=func)
        return parser
