"""A report's table files (``tables/*.csv``, ``tables.xlsx``, ``tables/*.xlsx``), made by a second
Python process while the kernel shows the document.

Writing them is pure Python (0,7 s of a month's bulletin) and the kernel has one interpreter lock: in
a thread they would only take turns with the charts. Once the document is outlined its tables are
final, so :func:`begin` (called by the notebook's first displayed step when a run saves files) hands
them to a worker process, which encodes them on the other core while the kernel draws the charts and
lays out the sections; :func:`take` (in ``save``) gets the bytes, or encodes them in place when no
worker has them, or not as they are now. Either way they are :func:`encode`'s bytes: the worker runs
the same function. (It runs the library as it was when it started, as the kernel does: after editing
the library, restart the kernel, and the worker goes with it.)

The worker is ``python -m chiso766.render.table_files``, started by :func:`warm` at the run's first
step (its imports overlap the build). It speaks over its stdin and stdout (length-prefixed pickles,
between this process and its own child) and ends when its stdin closes, so a kernel that is killed
leaves no worker behind. A worker that fails or dies costs only the time: the tables are encoded
here, and any error they hold is raised here, as without a worker.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from chiso766.core.files import write_atomic, write_files
from chiso766.render.tables import csv_files
from chiso766.render.workbooks import all_workbooks

__all__ = ["TableFiles", "aside", "begin", "encode", "take", "warm"]


@dataclass(frozen=True)
class TableFiles:
    """The bytes of every table file: ``tables/<name>.csv`` and ``tables/<name>.xlsx`` by file name,
    and ``tables.xlsx``."""

    tables: dict[str, bytes]
    workbook: bytes

    def write(self, folder: Path) -> list[Path]:
        """Write them into ``folder`` (the tables folder all or none); returns the paths written."""
        written = write_files(self.tables, folder / "tables")
        write_atomic(folder / "tables.xlsx", self.workbook)
        return [*written, folder / "tables.xlsx"]


def encode(frames: Mapping[str, pd.DataFrame]) -> TableFiles:
    """The table files of ``frames``: each as CSV (:func:`~chiso766.render.tables.to_csv_text`) and
    as a workbook of its own, and all of them in ``tables.xlsx``.

    Examples
    --------
    >>> files = encode({"units": pd.DataFrame({"unit_code": ["H44"]})})
    >>> sorted(files.tables), files.tables["units.csv"], files.workbook[:2]
    (['units.csv', 'units.xlsx'], b'\\xef\\xbb\\xbfunit_code\\nH44\\n', b'PK')
    """
    whole, each = all_workbooks(frames)
    return TableFiles(csv_files(frames) | {f"{name}.xlsx": data for name, data in each.items()}, whole)


def _pickled(frames: Mapping[str, pd.DataFrame]) -> bytes:
    return pickle.dumps(dict(frames), protocol=pickle.HIGHEST_PROTOCOL)


def _sent(frames: Mapping[str, pd.DataFrame], request: bytes) -> bool:
    """Whether ``frames``, as they are now, are what ``request`` sent."""
    try:
        return _pickled(frames) == request
    except Exception:  # a value that cannot travel: never sent
        return False


_SIZE = 8  # bytes of a message's length


def _send(stream: IO[bytes], data: bytes) -> None:
    stream.write(len(data).to_bytes(_SIZE, "big") + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> bytes:
    size = stream.read(_SIZE)
    data = stream.read(int.from_bytes(size, "big")) if len(size) == _SIZE else b""
    if not data:
        raise EOFError("the other end closed")
    return data


def _loads(data: bytes) -> Any:
    return pickle.loads(data)  # sent by this process's own child, or by its parent


class _Worker:
    """The worker process, and a thread that talks to it, so that the kernel never waits on the pipe.
    The thread only writes and reads: the caller pickles and unpickles (a thread that takes the
    interpreter lock back while a cell runs waits for it, each time)."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(  # this interpreter, a module of ours
            [sys.executable, "-m", "chiso766.render.table_files"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a failure is met again here, in words
        )
        self.talk = ThreadPoolExecutor(1, thread_name_prefix="chiso766-tables")
        self.pending: tuple[bytes, Future[bytes]] | None = None  # the tables as sent, and the answer

    def busy(self) -> bool:
        return self.pending is not None and not self.pending[1].done()

    def ask(self, frames: Mapping[str, pd.DataFrame]) -> None:
        self.pending = None
        try:
            request = _pickled(frames)
        except Exception:  # a value that cannot travel (pickle raises more than PicklingError): done here
            return
        self.pending = (request, self.talk.submit(self._exchange, request))

    def _exchange(self, request: bytes) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        _send(self.process.stdin, request)
        return _receive(self.process.stdout)  # read whole, taken or not: the next request's answer is next

    def close(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):  # its stdin closed, the worker ends
            with contextlib.suppress(OSError):
                if pipe is not None:
                    pipe.close()
        self.talk.shutdown(wait=False)


_LOCK = threading.Lock()
_worker: _Worker | None = None
_ASIDE = {"on": True}


def aside(on: bool) -> None:
    """Whether :func:`warm` starts a worker: not in a kernel whose process has no core to spare
    (``chiso766 run -j``, where every core runs a kernel); its tables are then encoded in place."""
    _ASIDE["on"] = on


def warm() -> None:
    """Start the worker process, unless it runs or :func:`aside` said not to (its imports take half a
    second)."""
    global _worker
    with _LOCK:
        if not _ASIDE["on"] or (_worker is not None and _worker.process.poll() is None):
            return
        if _worker is not None:
            _worker.close()
        try:
            _worker = _Worker()
        except OSError:  # no process to be had: the tables are encoded in place
            _worker = None


def begin(frames: Mapping[str, pd.DataFrame]) -> None:
    """Hand ``frames`` to the worker that :func:`warm` started; :func:`take` gets their files.

    With no worker running, or one still busy with other tables, :func:`take` encodes them in place."""
    with _LOCK:
        if _ASIDE["on"] and _worker is not None and _worker.process.poll() is None and not _worker.busy():
            _worker.ask(frames)


def take(frames: Mapping[str, pd.DataFrame]) -> TableFiles:
    """The files of ``frames``: the worker's, when :func:`begin` gave it these tables as they are now
    (pickled again, byte for byte what was sent: a table changed since, in place, is seen); else
    :func:`encode`'s, made here."""
    global _worker
    with _LOCK:
        worker = _worker
        pending = worker.pending if worker is not None else None
        if worker is not None:
            worker.pending = None
    if worker is None or pending is None or not _sent(frames, pending[0]):
        return encode(frames)
    try:
        answer = _loads(pending[1].result())
    except Exception:  # the worker died (or its answer did not arrive whole): replaced at the next warm
        with _LOCK:
            if _worker is worker:
                worker.close()
                _worker = None
        answer = None
    if not isinstance(answer, tuple):  # it could not encode them: here, the error is raised in full
        return encode(frames)
    return TableFiles(*answer)


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's loop: tables in, their files out (or what went wrong, in words), until stdin closes."""
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        try:
            files = encode(_loads(request))
            answer: object = (files.tables, files.workbook)
        except Exception as error:  # the kernel then encodes them itself, and raises it
            answer = f"{type(error).__name__}: {error}"
        _send(answers, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    # an interrupt of the kernel (JupyterLab's stop button, papermill's timeout) is sent to its whole
    # process group, this worker among them: it is the cell's, not the worker's to heed
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the answers go to a copy of stdout; stdout itself then leads where stderr does, so that nothing
    # printed along the way can come between an answer's length and its bytes
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _serve(sys.stdin.buffer, answers)
