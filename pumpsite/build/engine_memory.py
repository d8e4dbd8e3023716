"""Room for the engine in the build's process.

MkDocs holds every page's Markdown and HTML and the search index until its build ends, and
makes a Markdown parser (with reference cycles, freed only by Python's cyclic collector) for
every page. Measured at 2,000 measures (docs/performance.md), the engine step took the build
from about 280 MB to 810 MB, where the same engine alone peaks near 300 MB. Two causes, both
pumpsite's, and both dealt with here for the length of the engine step:

- **The collector waited.** CPython collects its oldest generation only when the objects that
  reached it since the last full collection number a quarter of those already there.
  pumpsite's own long-lived objects (the repository, its analyses: about 400,000) counted there,
  so the engine's cyclic garbage piled up for a long time between collections. Frozen
  (`gc.freeze`), they are left out of collections and out of that count until the step ends.
- **Freed memory was kept.** The rendered pages and charts are freed before the engine runs, but
  glibc's allocator keeps freed pages for reuse, and not all of them are: `malloc_trim` returns
  them to the system (a no-op where there is no glibc).
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager


def release_freed_memory() -> None:
    """Collect unreachable objects and ask glibc's allocator to return its free pages to the
    system. Nothing more where there is no glibc."""
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # musl and other C libraries have none
        return
    trim(0)


@contextmanager
def engine_memory() -> Iterator[None]:
    """For the engine step: freed memory returned, and the objects alive at its start kept out
    of the cyclic collector's work until it ends."""
    release_freed_memory()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
