"""Private temporary folders that a killed process does not leave behind for good.

`tempfile.TemporaryDirectory` removes its folder when the work ends, even on an exception, but
not when the process is killed (SIGKILL, a cancelled CI job, the out-of-memory killer). A
scratch folder's name carries its process id, so the next run can tell a leftover (its process
is gone) from a folder in use, and remove it.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pumpsite.build.atomic import alive


@contextmanager
def scratch_folder(purpose: str) -> Iterator[Path]:
    """A new private folder `pumpsite-<purpose>-<pid>-<random>` in the system's temporary
    folder, removed afterwards; the leftovers of killed processes go first."""
    remove_leftovers(purpose)
    with tempfile.TemporaryDirectory(prefix=f"pumpsite-{purpose}-{os.getpid()}-") as folder:
        yield Path(folder)


def remove_leftovers(purpose: str) -> list[Path]:
    """Delete the scratch folders of `purpose` whose process no longer runs; those deleted."""
    name = re.compile(rf"pumpsite-{re.escape(purpose)}-(\d+)-\w+")
    removed = []
    for path in Path(tempfile.gettempdir()).glob(f"pumpsite-{purpose}-*"):
        match = name.fullmatch(path.name)
        if match and not alive(int(match[1])) and _own_folder(path):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _own_folder(path: Path) -> bool:
    """A folder (not a link) of this user: a shared temporary folder holds other users' files."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
