"""Reading an officer's submission without trusting it: the one place grading opens a submitted file.

A submission folder (``submitted/<officer>/<assignment>/``) is written by the officer's side, so any name in it may be
a symlink (to ``/dev/zero``, to itself, to another officer's answers), a directory, a named pipe, a device or a socket,
and any size reported for a special file means nothing. Here:

* the folder is opened with ``O_DIRECTORY | O_NOFOLLOW`` (a symlinked folder is refused) and every file is opened
  relative to it (``dir_fd``) with ``O_NOFOLLOW | O_NONBLOCK``: no symlink is followed, not even one inside the folder,
  and opening a pipe never waits for a writer;
* only a regular file is read (``fstat`` after opening, so the checked file is the read file), its size bounded
  before reading and the read itself bounded (at most ``limit + 1`` bytes);
* JSON is parsed so that no value can crash the caller (deep nesting, huge numbers, invalid UTF-8 → a refusal);
* :func:`copy_regular_files` copies a folder's regular files only (symlinks and special files are skipped), each read
  the same way.

Every refusal is a ``GradingError`` with a Chinese reason naming the file.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any, Callable

import orjson

from grading.errors import GradingError

_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
MAX_COPY_BYTES = 64 * 1024 * 1024  # any other submitted file copied to autograded/


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "是一个文件夹"
    if stat.S_ISFIFO(mode):
        return "是命名管道"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是设备文件"
    if stat.S_ISSOCK(mode):
        return "是套接字"
    if stat.S_ISLNK(mode):
        return "是符号链接"
    return "不是普通文件"


class SubmissionFolder:
    """One submission folder, opened once without following a symlink; files are read relative to it.

    Use as a context manager. ``SubmissionFolder(path)`` raises ``GradingError`` when the folder is missing, a
    symlink or not a directory.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.fd = os.open(self.path, _DIR_FLAGS)
        except FileNotFoundError:
            raise GradingError(f"提交文件夹 {self.path.name} 不存在") from None
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise GradingError(f"提交文件夹 {self.path.name} 是符号链接或不是文件夹，拒绝评分") from None
            raise GradingError(f"无法打开提交文件夹 {self.path.name}（{exc.strerror}）") from None

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> "SubmissionFolder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def read(self, name: str, limit: int, what: str = "") -> bytes | None:
        """The bytes of the regular file ``name`` (a plain name in this folder); None when it does not exist.

        Refused (``GradingError``): a symlink, anything but a regular file, more than ``limit`` bytes.
        """
        return read_at(self.fd, name, limit, what or name)

    def exists(self, name: str) -> bool:
        """Whether ``name`` is there at all (of any kind, a dangling symlink included)."""
        try:
            os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return True


def read_at(dir_fd: int, name: str, limit: int, what: str) -> bytes | None:
    """The file ``name`` relative to the open folder ``dir_fd`` (see :meth:`SubmissionFolder.read`)."""
    if not name or "/" in name or name in (".", ".."):
        raise ValueError(f"not a plain file name: {name!r}")
    try:
        fd = os.open(name, _FILE_FLAGS, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise GradingError(f"{what} 是符号链接（不会跟随），拒绝评分") from None
        if exc.errno == errno.ENXIO:
            raise GradingError(f"{what} 是套接字或设备，不是普通文件，拒绝评分") from None
        raise GradingError(f"无法读取 {what}（{exc.strerror}），拒绝评分") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise GradingError(f"{what} {_kind(info.st_mode)}，不是普通文件，拒绝评分")
        if info.st_size > limit:
            raise GradingError(f"{what} 过大（{info.st_size} 字节，上限 {limit}），拒绝评分")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise GradingError(f"{what} 过大（超过 {limit} 字节），拒绝评分")
        return data
    finally:
        os.close(fd)


def parse_json(data: bytes, what: str) -> Any:
    """JSON from untrusted bytes: anything that is not valid UTF-8 JSON within Python's limits is refused.

    orjson reads it (a notebook in a third of the time); what orjson declines (NaN, a lone surrogate escape, nesting
    over 1,024) is read by the standard library as before."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError, OverflowError):
        raise GradingError(f"{what} 已损坏（不是有效的 JSON），无法评分") from None


def copy_regular_files(src: SubmissionFolder, dest: Path, ignored: Callable[[str], bool],
                       limit: int = MAX_COPY_BYTES, skip_notebooks: bool = True) -> list[str]:
    """Copy every regular file of ``src`` (recursively, real folders only) into ``dest``; returns the relative paths
    skipped (symlinks, pipes, devices, sockets). ``ignored(path)`` as nbgrader's ``is_ignored`` with its ignore list;
    ``*.ipynb`` files are left out (the graded notebooks are written separately), as nbgrader's autograde does."""
    skipped: list[str] = []
    _copy_dir(src.fd, "", dest, ignored, limit, skip_notebooks, skipped, depth=0)
    return skipped


def _copy_dir(dir_fd: int, rel: str, dest: Path, ignored, limit: int, skip_notebooks: bool, skipped: list[str],
              depth: int) -> None:
    if depth > 16:
        skipped.append(rel)
        return
    for name in sorted(os.listdir(dir_fd)):
        path = f"{rel}/{name}" if rel else name
        if ignored(path) or (skip_notebooks and name.endswith(".ipynb")):
            continue
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if stat.S_ISDIR(info.st_mode):
            try:
                sub = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
            except OSError:
                skipped.append(path)
                continue
            try:
                _copy_dir(sub, path, dest, ignored, limit, skip_notebooks, skipped, depth + 1)
            finally:
                os.close(sub)
        elif stat.S_ISREG(info.st_mode):
            data = read_at(dir_fd, name, limit, path)
            if data is None:
                continue
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        else:
            skipped.append(path)
