"""Replacing a folder atomically: readers see the old folder or the new one, never a mix, and
never nothing. On Linux the two folders are exchanged in one `renameat2(RENAME_EXCHANGE)` call;
elsewhere two renames are used, and a build killed between them leaves `<name>.old`, which the
next build puts back (`recover`).
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths on the same filesystem in one step; False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no glibc 2.28 (musl, old systems)
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder `new` in the place of `target` (which may not exist), then delete the old."""
    if target.exists() and exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the old folder
        return
    old = target.with_name(target.name + ".old")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def staging_folder(target: Path) -> Path:
    """Where this process builds the next version of `target`."""
    return target.with_name(f"{target.name}.new-{os.getpid()}")


def _alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows: keep its folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover(target: Path) -> None:
    """Finish what a killed process left: put `<name>.old` back if `target` is missing, and
    delete leftover `.old` and staging folders of processes that no longer run."""
    old = target.with_name(target.name + ".old")
    if old.is_dir() and not target.exists():
        old.rename(target)
    shutil.rmtree(old, ignore_errors=True)
    for staging in target.parent.glob(f"{target.name}.new-*"):
        pid = staging.name.rsplit("-", 1)[-1]
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            shutil.rmtree(staging, ignore_errors=True)
