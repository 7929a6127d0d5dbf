"""The two kinds of failure the CLI turns into exit codes.

Library code raises these with a message that names the problem and a hint that
names the fix; `etl.cli` is the one place they become a line on stderr.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


class EtlError(Exception):
    """Base class: `message` says what went wrong, `hint` how to fix it."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UserInputError(EtlError):
    """Bad usage or input: exit code 2."""

    exit_code = 2


class RunFailure(EtlError):
    """A failure at run time (network, database, filesystem): exit code 1."""

    exit_code = 1


def _mount_point(path: Path) -> Path:
    path = path.absolute()
    while not (path.exists() and os.path.ismount(path)) and path.parent != path:
        path = path.parent
    return path


def _full_disk(where: str) -> str:
    disk = _mount_point(Path(where))
    try:
        return f"{disk}, {shutil.disk_usage(disk).free / 1e6:,.1f} MB free"
    except OSError:
        return str(disk)


def explain(error: BaseException) -> EtlError | None:
    """An error from below (the file system, the database server) that is not a bug of
    ours, as one line with its fix; None for anything else (then it is a real bug)."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT) and error.filename is None:
        return UserInputError(f"a disk is full ({error.strerror})",
                              hint="free space on the disk being written (df -h shows which) or write to another "
                                   "disk, then rerun the same command")
    if isinstance(error, OSError) and error.filename is not None:  # connection errors have none
        name = os.fsdecode(error.filename)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            return UserInputError(f"the disk is full writing {name} (file system {_full_disk(name)})",
                                  hint="free space there or write to another disk, then rerun the same command")
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            return UserInputError(f"cannot write {name}: {error.strerror}",
                                  hint="choose a path you may write to")
        return None
    sqlstate = getattr(error, "sqlstate", None)  # asyncpg's server errors
    if sqlstate == "53100":
        return RunFailure(f"the database server's disk is full: {error}",
                          hint="free space on the disk of the database's data directory, then rerun the same command")
    if sqlstate == "53400":
        return RunFailure(f"the database server refused a query over one of its limits: {error}",
                          hint="see the server's settings (temp_file_limit); the input may be far larger than intended")
    return None
