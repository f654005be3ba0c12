"""Files and folders that appear whole or not at all: atomic writes, folder swaps, leftovers of a kill.

Each file is written beside its target and renamed into place, so a reader never sees half a file.
A folder (an output folder, the site) is built beside its final place and swapped in with one
atomic exchange of the two names (``renameat2(RENAME_EXCHANGE)`` on Linux, ``renamex_np(RENAME_SWAP)``
on macOS): the final path holds the old or the new folder at every instant, never nothing. What a
killed process leaves beside the final folder (``.<name>.partial-<pid>``, ``.<name>.build-<pid>``,
``.<name>.old-<pid>``) is removed, or restored, by the next start: :func:`recover_leftovers`.

``CHISO766_TEST_KILL_AT=<point>`` makes the process kill itself (SIGKILL) at a named point of a
swap, so that tests can check what a ``kill -9`` at that instant leaves: ``<what>:before-swap``,
``<what>:after-swap`` and, where the exchange is not available, ``<what>:between-renames``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

__all__ = [
    "files_under",
    "write_atomic",
    "write_files",
    "swap_folder",
    "recover_leftovers",
    "kill_point",
    "lock_folder",
    "read_regular",
    "is_within",
    "shown_path",
    "KILL_ENV",
    "FolderBusy",
]

KILL_ENV = "CHISO766_TEST_KILL_AT"
_UMASK = os.umask(0)
os.umask(_UMASK)
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>partial|build|old)-(?P<pid>\d+)$")
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_RENAME_SWAP = 2  # macOS renamex_np
_RENAME_EXCL = 4  # macOS renamex_np
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


class FolderBusy(OSError):
    """Another process holds the lock on a folder (see :func:`lock_folder`)."""


def kill_point(name: str) -> None:
    """The test hook: SIGKILL this process when ``CHISO766_TEST_KILL_AT`` names this point."""
    if os.environ.get(KILL_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def is_within(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both resolved by the caller)."""
    return path == folder or path.is_relative_to(folder)


def shown_path(path: str | Path, root: Path | None) -> str:
    """How an output names a file: relative to the project folder ``root`` where it lies under it
    (the same on every machine, and no one's home folder on the portal), else as it is.

    Examples
    --------
    >>> shown_path("/srv/du-an/data/hs.csv", Path("/srv/du-an")), shown_path("/tmp/hs.csv", Path("/srv/du-an"))
    ('data/hs.csv', '/tmp/hs.csv')
    """
    if not path or root is None:
        return str(path)
    given = Path(path)
    return given.relative_to(root).as_posix() if given.is_absolute() and given.is_relative_to(root) else str(path)


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are served and shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_files(files: Mapping[str, bytes], folder: Path) -> list[Path]:
    """Each ``name: bytes`` as ``<folder>/<name>`` (a name may go into a subfolder, ``tables/x.csv``),
    all or none: every file is written beside its target first, and renamed into place only when all
    were written (a full disk replaces no table, so the folder never mixes files of two runs).
    Returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            staged.append((tmp, target))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(tmp, 0o666 & ~_UMASK)  # as write_atomic's
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    return [target for _, target in staged]


def read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file, never following a symbolic link at its name.

    Raises ``OSError`` (``ELOOP``) for a link and ``IsADirectoryError``/``OSError`` for anything else.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "không phải tệp thường", str(path))
        return handle.read()


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:  # pragma: no cover - a platform without a C library loadable this way
        return None


def _rename2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2`` (Linux) or ``renamex_np`` (macOS) with ``flags``; False when not available here.

    ``flags`` is the Linux value; the macOS equivalent is chosen here.
    """
    libc = _libc()
    if libc is None:
        return False
    a, b = os.fsencode(src), os.fsencode(dst)
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        result = libc.renameat2(_AT_FDCWD, a, _AT_FDCWD, b, ctypes.c_uint(flags))
    elif sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        mac = _RENAME_SWAP if flags == _RENAME_EXCHANGE else _RENAME_EXCL
        result = libc.renamex_np(a, b, ctypes.c_uint(mac))
    else:
        return False
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(dst))


def _exchange(built: Path, final: Path) -> bool:
    """Exchange the two names atomically; False when the system or the file system cannot."""
    return _rename2(built, final, _RENAME_EXCHANGE)


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def swap_folder(built: Path, final: Path, what: str = "swap") -> None:
    """Put folder ``built`` at ``final``; ``final`` holds the old or the new folder at every instant.

    A new ``final`` is one rename (that never replaces a folder appearing meanwhile); an existing one
    is exchanged with ``built`` in one system call, and the old folder, now at ``built``, is removed.
    Where no exchange is available, two renames: a kill between them leaves the old folder at
    ``.<name>.old-<pid>``, which :func:`recover_leftovers` puts back.
    """
    kill_point(f"{what}:before-swap")
    if not _exists(final):
        try:
            done = _rename2(built, final, _RENAME_NOREPLACE)
            if not done:
                os.rename(built, final)  # an empty folder created meanwhile is replaced, a full one refused
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
        else:
            kill_point(f"{what}:after-swap")
            return
    if _exchange(built, final):
        kill_point(f"{what}:after-swap")
        shutil.rmtree(built, ignore_errors=True)  # the previous folder
        return
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    os.rename(final, old)
    kill_point(f"{what}:between-renames")
    try:
        os.rename(built, final)
    except BaseException:
        os.rename(old, final)
        raise
    kill_point(f"{what}:after-swap")
    shutil.rmtree(old, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def recover_leftovers(parent: Path) -> list[Path]:
    """Clean what killed runs and publishes left in ``parent``; return the paths removed or restored.

    Only folders named ``.<name>.partial-<pid>``, ``.<name>.build-<pid>`` or ``.<name>.old-<pid>``
    whose process is gone are touched (a run still working beside this one keeps its own). An
    ``.old`` folder whose final folder is missing (a kill between the two renames of the fallback
    swap) is renamed back into place; everything else is a copy being built or one already replaced,
    and is removed.
    """
    touched: list[Path] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return touched
    for entry in sorted(entries, key=lambda e: e.name):
        match = _LEFTOVER.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False) or _alive(int(match["pid"])):
            continue
        path = Path(entry.path)
        final = parent / match["name"]
        if match["kind"] == "old" and not _exists(final):
            os.rename(path, final)
        else:
            shutil.rmtree(path, ignore_errors=True)
        touched.append(path)
    return touched


@contextmanager
def lock_folder(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (the folder itself: no lock file is left behind).

    Raises :class:`FolderBusy` when another process holds it.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise FolderBusy(errno.EWOULDBLOCK, "thư mục đang được một tiến trình khác dùng", str(folder)) from None
        yield
    finally:
        os.close(fd)


def files_under(folder: Path) -> list[str]:
    """Every entry of ``folder`` that is not a folder (files and links, links not followed), as sorted
    ``/``-separated paths relative to it."""
    found = []
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        for name in names + [d for d in dirs if (base / d).is_symlink()]:
            found.append((base / name).relative_to(folder).as_posix())
    return sorted(found)
