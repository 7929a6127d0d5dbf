"""The --out folder of an export: checked, created only when the export may run, and
locked so that one export at a time writes into it.

Two exports into one folder would replace each other's files and remove each other's
temporary `.part` files; the second one is refused instead (an flock, released by the
kernel if the holder is killed, so a killed export never leaves the folder locked).
Holding the lock, an export may remove every `.part` file it finds: they are left by
killed runs. File-system failures in the folder (not writable, disk full) become one
clear line instead of a Python exception.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from etl.errors import UserInputError
from etl.export.atomic import remove_stale_parts

LOCK_NAME = ".mlyetl-export.lock"
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS}
NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST, errno.EISDIR}


def check_out(out: Path | str) -> Path:
    """`out` as a Path; an empty one is refused (it would mean the current folder)."""
    if not str(out).strip():
        raise UserInputError("--out is empty", hint="give the folder to write into, e.g. --out exports/europe")
    return Path(out)


def _mount_point(path: Path) -> Path:
    path = path.resolve()
    while not path.exists() or not os.path.ismount(path):
        if path.parent == path:
            break
        path = path.parent
    return path


def folder_error(error: OSError, out: Path) -> UserInputError | None:
    """The one-line error for a file-system failure in `out`, or None when it is not one."""
    if error.errno in FULL:
        disk = _mount_point(out)
        try:
            free = f"{shutil.disk_usage(disk).free / 1e6:,.1f} MB free"
        except OSError:
            free = "no space left"
        return UserInputError(f"the disk of --out {out} is full (file system {disk}, {free})",
                              hint=f"free space on {disk} or give an --out on another disk, then rerun the same "
                                   "command: finished files are kept")
    if error.errno in NOT_WRITABLE:
        return UserInputError(f"cannot write into --out {out}: {error.strerror}",
                              hint="give a folder you may write into")
    if error.errno in NOT_A_FOLDER and error.filename is not None and Path(error.filename) in (out, *out.parents):
        return UserInputError(f"--out {out} is not a folder ({error.filename} is a file)",
                              hint="give a folder path")
    if error.errno == errno.ENAMETOOLONG:
        return UserInputError(f"--out {out}: {error.strerror}", hint="give a shorter path")
    return None


def _lock(out: Path) -> int:
    """An exclusive lock on out/LOCK_NAME (held until _unlock); refused at once if taken."""
    path = out / LOCK_NAME
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
            os.close(fd)
            raise UserInputError(
                f"another export is writing into {out}" + (f" (process {holder})" if holder else ""),
                hint="wait until it ends, or give another --out") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # else the previous holder removed the file as we opened it: take the new one
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)


def _unlock(out: Path, fd: int) -> None:
    # removed while still held, so that no other export can hold a lock on a removed file
    with contextlib.suppress(OSError):
        (out / LOCK_NAME).unlink()
    os.close(fd)


@contextlib.contextmanager
def export_folder(out: Path) -> Iterator[Path]:
    """Create and lock `out` for one export; `.part` files of killed runs are removed,
    and so are this run's own when it fails."""
    out = check_out(out)
    fd = None
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = _lock(out)
        remove_stale_parts(out)
        try:
            yield out
        except BaseException:
            with contextlib.suppress(OSError):
                remove_stale_parts(out)
            raise
    except OSError as error:
        mapped = folder_error(error, out)
        if mapped is None:
            raise
        raise mapped from None
    finally:
        if fd is not None:
            _unlock(out, fd)
