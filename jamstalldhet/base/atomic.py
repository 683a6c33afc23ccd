"""Atomic file replacement: a temporary file in the same folder, fsync, rename, fsync the folder.

A reader (or a crash) sees the old file or the new one, never half of one. Used by the store
(manifest, batches, person register) and by the narrative texts. Writers that read, change and
write a store's files hold the store's lock (:func:`locked`) meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

LOCK: Final = ".lock"  # a store folder's one writer lock: both batch stores and the event log take it


def replace_with(target: Path, write: Callable[[Path], object], suffix: str = "") -> None:
    """Write ``target`` through ``write(temporary path)`` and swap it in atomically."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=suffix)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        folder = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(target: Path, data: bytes) -> None:
    replace_with(target, lambda p: p.write_bytes(data))


@contextlib.contextmanager
def locked(store: Path) -> Iterator[None]:
    """Hold the writer lock of ``store`` (``fcntl.flock`` on ``store/.lock``, made with the folder if need be)."""
    store.mkdir(parents=True, exist_ok=True)
    with open(store / LOCK, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
