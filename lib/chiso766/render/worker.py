"""A second Python process that makes a run's files on the other core while the kernel goes on: the
charts and the tables' files, made as the report makes them, while the kernel outlines the document
and shows it.

What it makes is pure Python, and the kernel has one interpreter lock: in a thread it would only take
turns with the kernel's own work. :func:`ask` hands it a job, a function of this package's
``render`` layer and its argument (``chiso766.render.charts:svg_of`` and a chart); :func:`answer`
gets what it made, when it was asked that very job (the argument as it is now, pickled again, byte for
byte what was sent: one changed since, in place, is seen), else ``None``, and the caller makes it in
place, where any error it holds is raised; :func:`steal` takes back a job it has not begun, for the
caller to make. Either way the bytes are the same function's. (It runs the library as the kernel
had it when the worker started: after editing the library, restart the kernel, and the worker goes
with it.)

The worker is started by :func:`warm` at a run's first step. On Linux it is a fork of the kernel
(:class:`_Child`): it has the kernel's pandas and library already, and imports only matplotlib,
while the kernel builds; elsewhere, or beside a debugger, it is ``python -m chiso766.render.worker``,
which imports them all. Either way the kernel itself never imports matplotlib while the worker draws.
It speaks over two pipes (length-prefixed pickles, between this process and its own child), is given
one job at a time (the urgent ones first, then in the order they were asked), and ends when its
requests' pipe closes, so a kernel that is killed leaves no worker behind. A worker that fails, dies
or hangs costs only the time.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from types import FrameType
from typing import IO, Any, NoReturn, Protocol

__all__ = ["answer", "ask", "aside", "forget", "import_charts", "running", "steal", "warm"]

# what the worker imports as it starts, so that its first jobs find them loaded
_PRELOADED = ("chiso766.render.charts", "chiso766.render.table_files")


def _job(function: str) -> Any:
    """The function a job names (``module:name``), of this package's render layer only."""
    module, _, name = function.partition(":")
    if not module.startswith("chiso766.render."):
        raise ValueError(f"not a job of the worker: {function}")
    return getattr(importlib.import_module(module), name)


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _job_key(function: str, value: object) -> tuple[str, bytes] | None:
    """A job as it is sent (its function, and the request's bytes), by which its answer is found;
    ``None`` for a value that cannot travel (pickle raises more than PicklingError): made in place."""
    try:
        return function, _pickled((function, value))
    except Exception:
        return None


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


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """An interrupt held back while inside, then let through: SIGINT blocked in this thread (and so in
    a process it starts meanwhile, until that one ignores it), and Python's handler deferred, for it
    runs in the main thread whichever thread took the signal (another of the kernel's, as it was
    blocked here): one that came meanwhile is handled as this ends, when what was started is in hand
    (a worker forked but not yet known by its number would be left behind)."""
    came: list[FrameType | None] = []
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    # only the main thread may set a handler; elsewhere no interrupt is raised anyway
    main = threading.current_thread() is threading.main_thread()
    handler = signal.getsignal(signal.SIGINT) if main else None
    if handler is not None:  # one set from Python, to be put back
        signal.signal(signal.SIGINT, lambda _signal, frame: came.append(frame))
    try:
        yield
    finally:
        if handler is not None:
            signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        if came and callable(handler):
            handler(signal.SIGINT, came[0])


class _Process(Protocol):
    """What the kernel holds of its worker: a ``subprocess.Popen``, or a :class:`_Child`."""

    pid: int
    stdin: IO[bytes] | None
    stdout: IO[bytes] | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


class _Child:
    """The worker as a fork of the kernel (Linux): it starts with what the kernel has imported already
    (pandas, pyarrow, the library), which a new interpreter would import again (0,4 s of the cores a
    run shares), and imports only matplotlib. It runs its jobs and nothing of the kernel's: it has
    none of its threads, leaves its sockets alone, and ends by ``os._exit`` (no kernel clean-up runs
    twice). A job it cannot make, or a lock it hangs on that a kernel's thread held as it was forked,
    costs only the time (:func:`answer`)."""

    def __init__(self) -> None:
        # every end a file at once, so that a failure anywhere below leaves no bare descriptor: a kept
        # end of a worker's requests would keep it alive, and be copied into every later fork
        fds = (*os.pipe(), *os.pipe())
        pipes: list[IO[bytes]] = [os.fdopen(fd, mode) for fd, mode in zip(fds, ("rb", "wb", "rb", "wb"), strict=True)]
        requests, to_child, from_child, answers = pipes  # the child reads requests, writes answers
        self.stdin: IO[bytes] | None = to_child
        self.stdout: IO[bytes] | None = from_child
        self.pid = 0
        self.returncode: int | None = None
        self._reaping = threading.Lock()
        try:
            self.pid = os.fork()
            if self.pid == 0:  # pragma: no cover - the child, measured through its answers
                _child(requests, answers, (to_child, from_child))
            requests.close()
            answers.close()
        except BaseException:  # no process to be had (or interrupted after all): nothing is left behind
            for pipe in pipes:
                pipe.close()
            if self.pid:
                self.kill()
                self.wait()
            raise

    def poll(self) -> int | None:
        with self._reaping:  # the thread that talks to it waits for it as the caller checks it
            if self.returncode is None:
                try:
                    pid, status = os.waitpid(self.pid, os.WNOHANG)
                except ChildProcessError:  # reaped by someone else: ended all the same
                    self.returncode = -1
                else:
                    if pid:
                        self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("chiso766-worker", timeout or 0)
            time.sleep(0.005)
        return code

    def kill(self) -> None:
        # never once reaped: its number may be another process's by now
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


def _child(requests: IO[bytes], answers: IO[bytes], kernels: tuple[IO[bytes], ...]) -> NoReturn:
    """The forked worker's life: its ends of the pipes kept, the kernel's closed (else its requests
    would never end when the kernel does), standard streams to nowhere (the kernel's are captured
    into the notebook), then the worker's loop; it never returns into the kernel's code."""
    try:
        for pipe in kernels:
            pipe.close()
        nowhere = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(nowhere, fd)
        sys.stdout = sys.stderr = open(nowhere, "w", encoding="utf-8")  # noqa: SIM115 - for the child's life
        with contextlib.suppress(OSError):  # its name in ps and top (its command line is the kernel's)
            Path("/proc/self/comm").write_text("chiso766-worker", encoding="ascii")
        _work(requests, answers)
    finally:
        os._exit(0)


# Python 3.12+ warns of any fork beside threads; this module's own is made knowing (see _Child). A
# filter set once, for this module alone: catch_warnings around the fork would change every
# thread's filters for that moment, and put back the list over one another thread set meanwhile.
warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"chiso766\.render\.worker\Z")
_FORKS = sys.platform == "linux"  # macOS's system libraries, for one, are not safe to fork beside threads


def _start() -> _Process:
    """The worker: a fork of this process on Linux, unless a debugger is loaded (JupyterLab's kernels
    load one, and it follows a fork into the child); else a new interpreter, ``python -m
    chiso766.render.worker``, which imports what it needs itself."""
    if _FORKS and sys.modules.get("debugpy") is None:  # chiso766's batch kernel marks it absent
        return _Child()
    return subprocess.Popen(  # this interpreter, a module of ours
        [sys.executable, "-m", "chiso766.render.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # a failure is met again here, in words
    )


class _Worker:
    """The worker process, and a thread that talks to it, so that the kernel never waits on the pipe.
    The thread only writes and reads, one job after another, the first-asked of the most urgent
    first: the caller pickles and unpickles (a thread that takes the interpreter lock back while a cell
    runs waits for it, each time)."""

    def __init__(self) -> None:
        # made by warm(), with interrupts held back (_interrupts_held): the process ignores them once
        # it runs (_work), and one sent to the kernel's process group before would end it
        self.pending: dict[tuple[str, bytes], Future[bytes]] = {}  # each job as sent, and its answer
        self.jobs: queue.PriorityQueue[tuple[int, int, bytes | None, Future[bytes]]] = queue.PriorityQueue()
        self.count = itertools.count()
        self.process = _start()
        try:
            threading.Thread(target=self._talk, name="chiso766-worker", daemon=True).start()
        except BaseException:  # no thread to be had: no process either
            self.process.kill()
            self.process.wait()
            raise

    def ask(self, function: str, value: object, first: bool) -> None:
        key = _job_key(function, value)
        if key is None or key in self.pending:  # cannot travel, or asked already and not yet taken
            return
        answer: Future[bytes] = Future()
        self.pending[key] = answer
        self.jobs.put((0 if first else 1, next(self.count), key[1], answer))

    def _talk(self) -> None:
        while True:
            _, _, request, answer = self.jobs.get()
            if request is None:  # closed, every job asked before answered (or failed): it ends, and is reaped
                self.process.wait()
                return
            if not answer.set_running_or_notify_cancel():  # taken back (steal)
                continue
            try:
                answer.set_result(self._exchange(request))
            except Exception as error:  # the pipe closed: the caller makes it in place
                answer.set_exception(error)

    def _exchange(self, request: bytes) -> bytes:
        assert self.process.stdin is not None and self.process.stdout is not None
        _send(self.process.stdin, request)
        return _receive(self.process.stdout)  # read whole, taken or not: the next job's answer is next

    def close(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):  # its stdin closed, the worker ends
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    pipe.close()
        self.jobs.put((2, next(self.count), None, Future()))


_PATIENCE = 60.0  # seconds a job's answer is waited for: a chart or a table takes well under one
_LOCK = threading.Lock()
_worker: _Worker | None = None
_ASIDE = {"on": True}


def _forsake() -> None:
    """In a fork's child: its parent's worker is not the child's to talk to (the talking thread did not
    survive the fork, and a lock may be held by a thread that is not there): the child makes its
    files in place, and its copies of the worker's pipes lead nowhere, so that the worker still ends
    when its kernel does."""
    global _LOCK, _worker
    _LOCK = threading.Lock()
    if _worker is not None:
        nowhere = os.open(os.devnull, os.O_RDWR)
        for pipe in (_worker.process.stdin, _worker.process.stdout):
            with contextlib.suppress(OSError, ValueError):
                if pipe is not None:
                    os.dup2(nowhere, pipe.fileno())
        os.close(nowhere)
    _worker = None


os.register_at_fork(after_in_child=_forsake)


def _live() -> _Worker | None:
    """The worker, when it runs (the caller holds ``_LOCK``)."""
    return _worker if _worker is not None and _worker.process.poll() is None else None


def running() -> bool:
    """Whether a worker runs, to be given jobs."""
    with _LOCK:
        return _ASIDE["on"] and _live() is not None


def aside(on: bool) -> None:
    """Whether :func:`warm` starts a worker: not in a kernel whose process has no core to spare
    (``chiso766 run -j``, where every core runs a kernel); its files are then made in place."""
    _ASIDE["on"] = on


def warm() -> bool:
    """Start the worker process, unless it runs or :func:`aside` said not to (its imports take most of
    a second); whether one runs."""
    global _worker
    with _LOCK:
        if not _ASIDE["on"]:
            return False
        if _live() is not None:
            return True
        if _worker is not None:
            _worker.close()
        try:
            # an interrupt meanwhile (the stop button as a run starts) is raised once the worker is
            # kept here, where the next run finds it: never one left running that nobody knows of
            with _interrupts_held():
                _worker = _Worker()
        except OSError:  # no process to be had: the files are made in place
            _worker = None
        return _worker is not None


def ask(function: str, value: object, *, first: bool = True) -> None:
    """Hand the worker that :func:`warm` started the job ``function(value)`` (once: asked again as it
    is, before it was taken, it is the same job); :func:`answer` gets it, or :func:`steal` takes it
    back. Jobs ``first`` go before the others not yet begun. With no worker running, nothing is asked."""
    with _LOCK:
        worker = _live() if _ASIDE["on"] else None
        if worker is not None:
            worker.ask(function, value, first)


def answer(function: str, value: object) -> Any | None:
    """What the worker made of ``function(value)``, when :func:`ask` gave it this job with ``value`` as
    it is now; else ``None`` (none asked, a worker that died, or could not make it: the caller makes
    it, and meets its error)."""
    global _worker
    key = _job_key(function, value)
    if key is None:  # never sent
        return None
    with _LOCK:
        worker = _worker
        pending = worker.pending.pop(key, None) if worker is not None else None
    if worker is None or pending is None:
        return None
    try:
        status, made = _loads(pending.result(timeout=_PATIENCE))
    except Exception:  # the worker died, hangs, or its answer did not arrive whole: replaced at the next warm
        # ended first: a read still waiting on one that hangs then ends, and its pipe can be closed
        worker.process.kill()
        with _LOCK:
            if _worker is worker:
                worker.close()
                _worker = None
        return None
    return made if status == "made" else None


def steal(function: str, value: object) -> bool:
    """Take the job ``function(value)`` back unless the worker has begun it: whether the caller makes
    it (taken back, or never asked); else :func:`answer` gets it. The caller, left waiting, takes
    the jobs still queued from the back while the worker goes on from the front."""
    key = _job_key(function, value)
    if key is None:  # never sent
        return True
    with _LOCK:
        pending = _worker.pending.get(key) if _worker is not None else None
        if pending is None or pending.cancel():
            if _worker is not None:
                _worker.pending.pop(key, None)
            return True
    return False


def forget() -> None:
    """Drop the jobs nobody took (a run that failed before its last step): those not begun are not
    made, the answers of the others are read and thrown away as they come."""
    with _LOCK:
        if _worker is not None:
            for answer in _worker.pending.values():
                answer.cancel()
            _worker.pending.clear()


def _no_help(_artist: object) -> str:
    return ""


def import_charts() -> None:
    """Import the chart machinery as a process that only draws: matplotlib's artists without the list
    of every property it writes into the docstring of each one's ``set`` method (``help(ax.set)``),
    about a tenth of a second of the imports, for help text nobody reads here. What is drawn does
    not change. (The kernels JupyterLab starts keep matplotlib's full help.)"""
    if "matplotlib.artist" not in sys.modules:
        # the artists' module, then the ones defined after it (lines, patches, text…), which ask
        # this function for their help text
        import matplotlib.artist

        matplotlib.artist.kwdoc = _no_help  # type: ignore[assignment]  # (mypy types it as that very function)
    importlib.import_module("chiso766.render.charts")


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The worker's loop: jobs in, what they made out (or what went wrong, in words), until stdin closes."""
    while True:
        try:
            request = _receive(requests)
        except EOFError:
            return
        try:
            function, value = _loads(request)
            reply: tuple[str, object] = ("made", _job(function)(value))
        except Exception as error:  # the kernel then makes it itself, and raises it
            reply = ("failed", f"{type(error).__name__}: {error}")
        _send(answers, _pickled(reply))


def _work(requests: IO[bytes], answers: IO[bytes]) -> None:
    """The worker, started: interrupts ignored, its imports made, then its loop."""
    # an interrupt of the kernel (JupyterLab's stop button, papermill's timeout) is sent to its whole
    # process group, this worker among them: it is the cell's, not the worker's to heed
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # held back as it was started
    import_charts()
    for module in _PRELOADED:
        importlib.import_module(module)
    _serve(requests, answers)


if __name__ == "__main__":
    # the answers go to a copy of stdout; stdout itself then leads where stderr does, so that nothing
    # printed along the way can come between an answer's length and its bytes
    _answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _work(sys.stdin.buffer, _answers)
