"""A check run in a fork's child, for what a process keeps (threads, locks, a worker) across ``fork()``."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable


def in_fork_child(check: Callable[[], bool], seconds: float = 60) -> bool:
    """Whether ``check()`` holds in a fork's child of this process: ``False`` when it fails, raises,
    or does not end within ``seconds`` (stuck on a lock or a thread that is not there)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.write(writer, b"ok" if check() else b"no")
        finally:
            os._exit(0)
    os.close(writer)
    deadline = time.monotonic() + seconds
    while (done := os.waitpid(child, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    try:
        return done[0] == child and os.read(reader, 2) == b"ok"
    finally:
        os.close(reader)
