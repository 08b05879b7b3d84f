"""Writing questions to bank files in the style people read: block YAML, Chinese as is, long text as blocks."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import yaml

from questionbank.model import Question


class _Dumper(yaml.SafeDumper):
    pass


# strings that YAML 1.2 (how bank files are read) takes for numbers though PyYAML (YAML 1.1) writes them bare: 1e5, 449e53
_NUMBER_LIKE = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else ("'" if _NUMBER_LIKE.fullmatch(value) else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_file(topic: str, questions: list[Question]) -> str:
    data = {"topic": topic, "questions": [q.to_mapping() for q in questions]}
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)


def write_files(contents: dict[Path, str]) -> None:
    """Write several files so that a failure leaves none of them half-written: temp files first, then renames."""
    staged = []
    try:
        for path, text in contents.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            staged.append((Path(tmp), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                tmp.unlink()
