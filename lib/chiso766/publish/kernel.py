"""The Jupyter kernel a run's notebook executes in, kept for the consecutive runs of one thread.

This module imports neither the params nor pandas: ``chiso766 run`` of one bulletin starts the kernel
before it loads the rest of the runner, and the kernel's start and imports, the longest wait of a
run, overlap that loading.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import weakref
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["KeptKernel", "NOTEBOOKS", "keep", "kept", "kernel_manager", "kill_all", "release"]

NOTEBOOKS = Path(str(resources.files("chiso766").joinpath("notebooks")))
# how a kernel of this interpreter is started (publish.batch_kernel: ipykernel's, without its debugger)
_BATCH_KERNEL = [sys.executable, "-m", "chiso766.publish.batch_kernel"]


class _Preboot:
    """A kernel process started ahead, before this process imports jupyter_client (a quarter of a
    second) and before the manager has made its connection file: it imports ipykernel meanwhile
    (``batch_kernel``'s ``--chiso766-preboot``), then :meth:`launch` gives it the arguments the
    manager would have launched it with. It is started as jupyter_client's local
    launcher starts a kernel (in its own session, knowing its parent, in the notebooks' folder), and
    used only for the very launch it was made for (:meth:`fits`); else it is closed and ends."""

    def __init__(self) -> None:
        from chiso766.publish.batch_kernel import PREBOOT

        # what the launch's environment will be (jupyter_client's: ours, without PYTHONEXECUTABLE)
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONEXECUTABLE"}
        self.process = subprocess.Popen(  # this interpreter, a module of ours
            [*_BATCH_KERNEL, PREBOOT],
            stdin=subprocess.PIPE,
            cwd=NOTEBOOKS,
            env=self.env | {"JPY_PARENT_PID": str(os.getpid())},
            start_new_session=True,
        )
        with _LIVE_LOCK:
            _EARLY.add(self)

    def fits(self, kernel_cmd: list[str], kw: dict[str, Any]) -> bool:
        """Whether this launch is the one it was started for: our kernel, in the notebooks' folder,
        with the same environment and nothing else asked of the process; and it still runs."""
        return (
            kernel_cmd[: len(_BATCH_KERNEL)] == _BATCH_KERNEL
            and set(kw) <= {"env", "cwd", "kernel_id", "extra_arguments"}
            and Path(kw.get("cwd") or ".").resolve() == NOTEBOOKS.resolve()
            and kw.get("env") == self.env
            and self.process.poll() is None
        )

    def launch(self, arguments: list[str]) -> subprocess.Popen[bytes]:
        """The process, given its arguments; its stdin then closed, as the launcher leaves a kernel's."""
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(json.dumps(arguments).encode("utf-8") + b"\n")
        finally:
            self.close()
        return self.process

    def close(self) -> None:
        """Close its stdin: not yet launched, it ends (once its imports are done)."""
        with _LIVE_LOCK:
            _EARLY.discard(self)
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()


@functools.cache
def kernel_manager() -> type[Any]:
    """The kernel manager of a run's notebook: jupyter_client's, without its two messages on the terminal
    and quicker to hand a kernel over and to stop it.

    * The kernel talks to us over local TCP; unencrypted, ipykernel warns on stderr at every start
      ("Kernel is running over TCP without encryption"). The manager gives the kernel CurveZMQ keys
      (``transport_encryption``), as the kernelspec allows (``supported_encryption``), so the warning
      has no cause. (A pyzmq built without libsodium cannot encrypt; PyPI's wheels and conda-forge's
      builds have it.)
    * Shutting a kernel down starts with an interrupt (SIGINT); when it lands while the kernel is still
      answering the last request, ipykernel logs "KeyboardInterrupt caught in kernel". The notebook
      has finished by then: nothing is left to interrupt, so the shutdown request is sent alone.
    * Its clients are ready once the kernel has answered on the request and the broadcast channels
      (:class:`PromptClient`), where jupyter_client's then read the broadcast channel until nothing
      came for 0,2 s; and a killed kernel is seen gone in milliseconds, not at the next 0,1 s look.
    """
    import zmq
    from jupyter_client.asynchronous.client import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class PromptClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            """jupyter_client's wait for the kernel's first answer, on the request channel and on the
            broadcast one, without the last step: reading the broadcast channel until nothing came for
            0,2 s, a fifth of a second every run. nbclient skips the messages of other requests."""
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                with contextlib.suppress(queue.Empty):
                    reply = await self.shell_channel.get_msg(timeout=1)
                    if reply["msg_type"] == "kernel_info_reply":
                        # the broadcast channel answers too: it is connected
                        await self.iopub_channel.get_msg(timeout=0.2)
                        self._handle_kernel_info_reply(reply)
                        return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    class QuietKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("transport_encryption", "auto" if zmq.has("curve") else "disabled")
            super().__init__(**kwargs)
            self.client_factory = PromptClient
            self.handed_out: list[Any] = []

        def client(self, **kwargs: Any) -> Any:
            client = super().client(**kwargs)
            self.handed_out.append(client)
            return client

        def release_clients(self) -> None:
            """Close the clients handed out: nbclient leaves open the client of a kernel it did not
            start, with its ZeroMQ context (a dozen file descriptors a run, until a long session, such
            as JupyterLab or a test run, has none left)."""
            while self.handed_out:
                self.handed_out.pop().stop_channels()

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            command: list[str] = super().format_kernel_cmd(extra_arguments)
            # ipykernel's launcher in this interpreter (where chiso766 is): swapped for ours, the same
            # kernel without its debugger (batch_kernel); another interpreter's starts as its spec says
            if command[: len(_BATCH_KERNEL)] == [sys.executable, "-m", "ipykernel_launcher"]:
                command[: len(_BATCH_KERNEL)] = _BATCH_KERNEL
            return command

        async def _async_pre_start_kernel(self, **kw: Any) -> Any:
            # in the notebooks' folder, as papermill's cwd would put it: set here, never by changing
            # the process's working directory, which the runs side by side in threads share
            kw.setdefault("cwd", str(NOTEBOOKS))
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            early, self.preboot = getattr(self, "preboot", None), None
            provisioner = self.provisioner
            if early is not None and isinstance(provisioner, LocalProvisioner) and early.fits(kernel_cmd, kw):
                # the kernel started ahead becomes this one, as jupyter_client's local launcher leaves it
                provisioner.process = early.launch(kernel_cmd[len(_BATCH_KERNEL) :])
                provisioner.pid = provisioner.process.pid
                provisioner.pgid = os.getpgid(provisioner.pid)
                provisioner.cwd = kw.get("cwd")
                self._reconcile_connection_info(provisioner.connection_info)
            else:
                if early is not None:
                    early.close()
                await super()._async_launch_kernel(kernel_cmd, **kw)
            with _LIVE_LOCK:
                _LIVE.add(self)  # kept or papermill's own: kill_all finds it

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # a killed kernel is gone within milliseconds: looking every 0,1 s made each stop wait 0,1 s
            await super()._async_wait(pollinterval=min(pollinterval, 0.005))

    return QuietKernelManager


class KeptKernel:
    """One kernel kept for the consecutive runs of :func:`run_many` in a thread (one of its own, or
    the caller's): starting a kernel and importing the library in it cost more than a second a run.

    :meth:`boot` launches it (``chiso766 run`` of one file, before anything else);
    :meth:`start` launches it if need be and has it import the report's modules while this process
    goes on loading papermill and checking the run (two cores: the two overlap); :meth:`ready` waits for
    that, then resets the kernel as a new session: every name of the run before is gone and the
    cell numbers start again from 1, so the notebook and every output are what a fresh kernel makes
    (a test compares them byte for byte). Modules stay imported; the library keeps no state between
    runs but caches of its own data. A kernel that died is replaced.
    """

    def __init__(self) -> None:
        self.manager: Any = None
        self.client: Any = None
        self.warming: str | None = None  # the id of the import request not yet answered
        # whether its runs have a core to spare: then its process is started ahead (_Preboot) and its
        # tables are encoded by a worker on that core (render.table_files). Not when runs side by side
        # keep every core busy: there both only added work (measured, 1,03-1,05 of nine samples' -j time)
        self.spare_core = True

    def boot(self) -> None:
        """Start the kernel process, or keep the live one, without waiting for it. A kernel that cannot
        start is left to papermill, whose own start names what is wrong."""
        try:
            self._boot()
        except Exception:  # see above: papermill meets and reports it
            self.stop()

    def start(self, report: str) -> None:
        """Boot the kernel (or keep the live one) and have it import the report's modules."""
        try:
            self._boot()
            self._warm(report)
        except Exception:  # as in boot
            self.stop()

    def _boot(self) -> None:
        if self.manager is not None:
            from jupyter_core.utils import run_sync

            self.manager.release_clients()  # the run before's, left open by nbclient
            if run_sync(self.manager.is_alive)():
                return
        self.stop()
        # its imports begin now, while this process imports jupyter_client
        early = _Preboot() if self.spare_core else None
        try:
            from jupyter_core.utils import run_sync

            # kept before it starts: a start stopped midway (Ctrl+C) leaves a kernel process that
            # stop() must find, or it outlives us and warns on the terminal that its parent is gone
            self.manager = manager = kernel_manager()(kernel_name="python3")
            manager.preboot = early
            # as nbclient starts its own (in the notebooks' folder), with its history in memory
            run_sync(manager.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        finally:
            if early is not None:
                early.close()  # launched, or of no use

    def _warm(self, report: str) -> None:
        if self.client is None:
            self.client = self.manager.blocking_client()
            # requests and their replies only. No heartbeat, whose thread, stopped as it starts (a run
            # refused at once), reopens its socket in a loop until the process has no descriptor left.
            # No broadcast channel: subscribed long before a kernel started ahead binds it, it was at
            # times never joined, and a reset waiting there for its outputs waited a minute.
            self.client.start_channels(iopub=False, stdin=False, hb=False, control=False)
        # names the library's modules only (the report comes from checked params); zmq keeps the
        # request until the kernel is up to read it
        code = f"from chiso766.publish.batch_kernel import warm_up\nwarm_up({report!r}, {self.spare_core!r})"
        self.warming = self.client.execute(code, silent=True, store_history=False)

    def ready(self) -> Any:
        """The started kernel, its imports done, reset as a new session; None when it died or does
        not answer (papermill then starts a kernel of its own, as for a run alone)."""
        from jupyter_core.utils import run_sync

        client, deadline = self.client, time.monotonic() + 120
        if client is None:  # none started
            return None

        def answer(request: str) -> dict[str, Any]:
            while True:
                try:
                    reply: dict[str, Any] = client.get_shell_msg(timeout=1)
                except queue.Empty:
                    if time.monotonic() > deadline or not run_sync(self.manager.is_alive)():
                        raise RuntimeError("the kept kernel does not answer") from None
                    continue
                if reply["parent_header"].get("msg_id") == request:
                    return reply

        try:
            if self.warming is not None:
                answer(self.warming)
                self.warming = None
            reset = client.execute("get_ipython().reset(new_session=True)", silent=True, store_history=False)
            if answer(reset)["content"].get("status") != "ok":
                raise RuntimeError("the kept kernel could not be reset")
        except RuntimeError:
            self.stop()
            return None
        finally:
            if self.client is not None:
                self.client.stop_channels()  # until the next start
                self.client = None
        return self.manager

    def stop(self) -> None:
        manager, client, self.manager, self.client, self.warming = self.manager, self.client, None, None, None
        if client is not None:
            client.stop_channels()
        if manager is not None:
            from jupyter_core.utils import run_sync  # here: a run --if-changed skipped started no kernel

            manager.release_clients()
            # killed, not asked: every run's notebook has finished and its history is in memory, so the
            # kernel holds nothing to save, and asking waits half a second for it to wind down
            with contextlib.suppress(Exception):  # a kernel already gone has nothing to stop
                run_sync(manager.shutdown_kernel)(now=True)
            if manager._created_context:
                manager.context.destroy(linger=0)


# Each thread's kept kernel, between keep() and release(); and every manager that launched a kernel
# (a kept one, or papermill's own when none was kept), for Ctrl+C and the exit.
_KEPT = threading.local()
_LIVE: weakref.WeakSet[Any] = weakref.WeakSet()
_EARLY: set[_Preboot] = set()  # kernels started ahead, not yet launched
_LIVE_LOCK = threading.Lock()


def keep(boot: bool = False, spare_core: bool = True) -> KeptKernel:
    """The kernel this thread's runs share (made at the first call); ``boot``: start it now;
    ``spare_core``: whether its runs have a core to spare (:attr:`KeptKernel.spare_core`).

    It is stopped by :func:`release`, or when the process exits."""
    kept_kernel: KeptKernel | None = getattr(_KEPT, "kernel", None)
    if kept_kernel is None:
        kept_kernel = _KEPT.kernel = KeptKernel()
    kept_kernel.spare_core = spare_core
    if boot:
        kept_kernel.boot()
    return kept_kernel


def kept() -> KeptKernel | None:
    """This thread's kept kernel, if :func:`keep` made one; None: each run starts its own."""
    return getattr(_KEPT, "kernel", None)


def release() -> None:
    """Stop this thread's kept kernel; its runs after this start their own until :func:`keep` again."""
    kept_kernel: KeptKernel | None = getattr(_KEPT, "kernel", None)
    _KEPT.kernel = None
    if kept_kernel is not None:
        kept_kernel.stop()


def kill_all() -> None:
    """Kill every kernel this process launched and that still runs (Ctrl+C), here and now: not
    through its manager, whose event loop is its thread's. The thread then meets its run's failure
    and stops its own kernel as usual (its client, its ZeroMQ context); the run's folder stays a
    ``.partial`` one, which the next run in that folder removes, as after any killed run."""
    with _LIVE_LOCK:
        managers, early = list(_LIVE), list(_EARLY)
    for started in early:  # not yet handed its connection file: it would end after its imports
        started.close()
        with contextlib.suppress(Exception):
            started.process.kill()
            started.process.wait(timeout=5)
    for manager in managers:
        process = getattr(manager.provisioner, "process", None)
        if process is None or process.poll() is not None:
            continue
        group = getattr(manager.provisioner, "pgid", None)
        with contextlib.suppress(Exception):  # gone meanwhile
            if group and group != os.getpgrp():  # its own session: with what it started (a table worker)
                os.killpg(group, signal.SIGKILL)
            else:
                process.kill()
            process.wait(timeout=5)  # reaped, not left a zombie in a long session
        with contextlib.suppress(Exception):
            manager.cleanup_connection_file()  # the caller may leave at once (chiso766 run)


@atexit.register
def _at_exit() -> None:
    release()  # this thread's, stopped as usual
    kill_all()  # another thread's, left by a run stopped midway: a kernel left running warns on the
    # terminal a second later that its parent is gone
