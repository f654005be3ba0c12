"""What a process makes once and keeps for its life (a compiler, a thread), made anew in a fork's child."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from typing import ParamSpec, TypeVar

__all__ = ["per_process"]

P = ParamSpec("P")
T = TypeVar("T")


def per_process(make: Callable[P, T]) -> Callable[P, T]:
    """``make``, called once and its result kept, until it is called with other arguments (then those).

    A child of ``fork()`` starts without it: it has none of its parent's threads, and a lock it holds
    may be held by one of them, so the child makes its own at its first call.

    Examples
    --------
    >>> @per_process
    ... def pool() -> list[int]:
    ...     return []
    >>> pool() is pool()
    True
    """
    kept = lru_cache(maxsize=1)(make)
    if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
        os.register_at_fork(after_in_child=kept.cache_clear)
    return kept  # type: ignore[return-value]  # lru_cache's wrapper keeps the call, not its typed signature
