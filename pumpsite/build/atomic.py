"""Replacing a folder atomically: readers see the old folder or the new one, never a mix, and
never nothing. On Linux the two folders are exchanged in one `renameat2(RENAME_EXCHANGE)` call;
elsewhere two renames are used, and a build killed between them leaves `<name>.old`, which the
next build puts back (`recover`).

Only pumpsite's own folders are replaced or deleted (`pumpsite.outputs`): the staging folder
`<name>.new-<pid>` is made and marked before the engine writes into it, and a `<name>.old` or
staging folder that is not a site pumpsite built (nor an empty one) is never touched.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import sys
from pathlib import Path

from pumpsite.build.outputs import SITE_MARKER, built_by_pumpsite, is_ours_to_replace, mark_site

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


def _old(target: Path) -> Path:
    return target.with_name(target.name + ".old")


def discard(folder: Path) -> None:
    """Delete a site folder pumpsite swapped out, marking it first (an older pumpsite's site has
    no marker) and deleting the marker last: a kill midway leaves a folder that the next build
    still knows as its own, and deletes."""
    with contextlib.suppress(OSError):  # what cannot be deleted now, the next build deletes
        with contextlib.suppress(FileExistsError):  # marked already, as it should be
            mark_site(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name == SITE_MARKER:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    os.unlink(entry.path)
        shutil.rmtree(folder)


def replace_folder(new: Path, target: Path) -> None:
    """Put the folder `new` in the place of `target` (which may not exist), then delete the old.
    Raises OSError, with `target` as it was, when neither way of swapping works (a mount point)."""
    if not target.exists():
        new.rename(target)
        return
    if exchange(new, target):
        discard(new)  # `new` now holds the old folder
        return
    old = _old(target)
    target.rename(old)  # fails on a `<name>.old` that is not empty: recover() left it
    try:
        new.rename(target)
    except OSError:
        old.rename(target)
        raise
    discard(old)


def staging_folder(target: Path) -> Path:
    """A new folder beside `target`, marked as pumpsite's, for this process to build the next
    version of `target` into. Never an existing folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    name, attempt = f"{target.name}.new-{os.getpid()}", 0
    while True:
        staging = target.with_name(f"{name}-{attempt}" if attempt else name)
        try:
            staging.mkdir()
        except FileExistsError:
            attempt += 1
            continue
        mark_site(staging)
        return staging


def alive(pid: int) -> bool:
    if os.name != "posix":
        return True  # os.kill(pid, 0) would end the process on Windows: keep its folder
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(staging: Path, target: Path) -> int | None:
    """The process id in a staging folder's name (`<name>.new-<pid>[-<n>]`)."""
    pid = staging.name.removeprefix(f"{target.name}.new-").split("-", 1)[0]
    return int(pid) if pid.isdigit() else None


def delete_if_ours(folder: Path) -> None:
    """Delete `folder` if it is pumpsite's: a site it built, or empty."""
    if is_ours_to_replace(folder):
        discard(folder)


def recover(target: Path) -> None:
    """Finish what a killed process left: put `<name>.old` back if `target` is missing, and
    delete leftover `.old` and staging folders of processes that no longer run — each only when
    it is a site pumpsite built, or empty."""
    old = _old(target)
    if built_by_pumpsite(old) and not os.path.lexists(target):
        old.rename(target)
    delete_if_ours(old)
    for staging in target.parent.glob(f"{target.name}.new-*"):
        pid = _owner(staging, target)
        if pid is not None and (pid == os.getpid() or not alive(pid)):
            delete_if_ours(staging)
