"""Changing questions in bank files in place: the rest of the file (comments, layout, other items) stays as it was.

Bank files are written by hand, with section comments and flow lists; loading and dumping them whole would
reformat every line. ruamel.yaml's round trip keeps them, so a command that stamps a review trail, flags an item
or re-orders options changes only the lines it means to change.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from questionbank.writing import write_files

Edit = Callable[[CommentedMap], None]
# (mapping indent, sequence indent, offset of the dash) of the layouts found in bank files; the first one is ours
LAYOUTS = ((2, 4, 2), (2, 2, 0))


def _yaml(layout: tuple[int, int, int]) -> YAML:
    yaml = YAML()
    yaml.width = 100_000
    yaml.preserve_quotes = True
    yaml.indent(mapping=layout[0], sequence=layout[1], offset=layout[2])
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _load(text: str) -> tuple[YAML, Any]:
    """The file's data, read with the layout that gives the file back unchanged (so an edit changes only its lines)."""
    for layout in LAYOUTS:
        yaml = _yaml(layout)
        data = yaml.load(text)
        if _dump(yaml, data) == text:
            return yaml, data
    yaml = _yaml(LAYOUTS[0])
    return yaml, yaml.load(text)


def edited_text(text: str, edits: dict[str, Edit]) -> tuple[str, set[str]]:
    """The file's text with each ``edits[id]`` applied to the mapping of that question; and the ids found.

    An edit changes existing keys in place (ruamel keeps their comments and style); a key it adds through
    ``set_key`` is written as text after the item's last line, so a section comment between two items stays
    above the next item where it belongs.
    """
    yaml, data = _load(text)
    found: set[str] = set()
    added: dict[str, CommentedMap] = {}
    for item in data.get("questions") or []:
        qid = str(item.get("id", "")) if isinstance(item, dict) else ""
        if qid in edits:
            _NEW[id(item)] = added.setdefault(qid, CommentedMap())
            try:
                edits[qid](item)
            finally:
                _NEW.pop(id(item), None)
            found.add(qid)
    out = _dump(yaml, data)
    for qid, keys in added.items():
        if keys:
            out = _append_keys(out, qid, keys)
    return out, found


_NEW: dict[int, CommentedMap] = {}  # item being edited -> keys it adds


def set_key(mapping: CommentedMap, key: str, value: Any) -> None:
    """Set a key of the question being edited: in place if it exists, else added after its last line."""
    if key in mapping:
        mapping[key] = _plain(value)
    elif id(mapping) in _NEW:
        _NEW[id(mapping)][key] = _plain(value)
    else:
        mapping[key] = _plain(value)


def _append_keys(text: str, qid: str, keys: CommentedMap) -> str:
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if re.fullmatch(rf"\s*- id: ['\"]?{re.escape(qid)}['\"]?\s*", line)), None)
    if start is None:
        raise KeyError(qid)
    dash = lines[start].index("-")
    indent = " " * (dash + 2)
    last = start
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(lines[i]) - len(lines[i].lstrip()) <= dash:
            break
        last = i
    block = _dump(_yaml(LAYOUTS[0]), keys).rstrip("\n").split("\n")
    return "\n".join(lines[: last + 1] + [indent + b for b in block] + lines[last + 1 :])


def edit_files(changes: dict[Path, dict[str, Edit]], dry_run: bool = False) -> dict[Path, str]:
    """Apply the edits (file → question id → edit); write every changed file at once (or none). The new texts."""
    contents: dict[Path, str] = {}
    for path, edits in changes.items():
        text = path.read_text(encoding="utf-8")
        new, found = edited_text(text, edits)
        missing = sorted(set(edits) - found)
        if missing:
            raise KeyError(f"{path} 中没有题目 {'、'.join(missing)}")
        if new != text:
            contents[path] = new
    if not dry_run:
        write_files(contents)
    return contents


def _plain(value: Any) -> Any:
    """Dicts and lists as ruamel nodes in block style."""
    if isinstance(value, dict):
        out = CommentedMap()
        for k, v in value.items():
            out[k] = _plain(v)
        return out
    if isinstance(value, list):
        return CommentedSeq([_plain(v) for v in value])
    return value
