import gc
import subprocess
import sys
import weakref

import pytest

from pumpsite.build.engine_memory import engine_memory


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_what_lives_at_the_start_is_frozen_for_the_step_and_only_then() -> None:
    alive = Node()
    with engine_memory():
        assert gc.get_freeze_count() > 0
        garbage = Node()
        gone = weakref.ref(garbage)
        del garbage
        gc.collect()
        assert gone() is None  # what the engine leaves is still collected
    assert gc.get_freeze_count() == 0
    assert any(o is alive for o in gc.get_objects(generation=2))


def test_the_collector_is_unfrozen_when_the_step_fails() -> None:
    with pytest.raises(RuntimeError), engine_memory():
        raise RuntimeError("the engine failed")
    assert gc.get_freeze_count() == 0


FREED_BETWEEN_LIVE_BLOCKS = """
from pumpsite.build.engine_memory import release_freed_memory

def rss_mb():
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20

held = []
for i in range(800):  # 60 KB blocks, each followed by one that stays (both malloc's own)
    held += ["x" * 60_000 + str(i), "y" * 600 + str(i)]
del held[::2]
before = rss_mb()
release_freed_memory()
print(before - rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_freed_memory_between_live_blocks_goes_back_to_the_system() -> None:
    """In a fresh process, whose heap holds only these blocks: a test session's heap has room
    for them elsewhere."""
    done = subprocess.run(
        [sys.executable, "-c", FREED_BETWEEN_LIVE_BLOCKS], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 20  # about 46 MB, kept by the allocator until trimmed
