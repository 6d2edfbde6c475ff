"""One process-wide audit hook (PEP 578) that records what the hooks do while asked to.

Audit hooks cannot be removed, so :func:`recording` installs a single hook the first
time it is used; the hook only looks at events while a recording is active. A
recording collects every event that opens a file, lists a directory, touches the
network, starts a process or changes the file system, for the test to judge.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
NETWORK_PREFIXES = ("socket.", "urllib.", "http.client.", "ftplib.", "smtplib.", "poplib.", "imaplib.",
                    "nntplib.", "telnetlib.", "webbrowser.")
PROCESS_EVENTS = frozenset({
    "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
    "os.startfile", "pty.spawn", "os.kill", "os.killpg",
})
CHANGE_EVENTS = frozenset({
    "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.chflags",
    "os.lchmod", "os.lchown", "os.truncate", "os.symlink", "os.link", "os.utime", "os.mkfifo",
    "os.mknod", "os.setxattr", "os.removexattr", "shutil.copyfile", "shutil.copymode", "shutil.copystat",
    "shutil.copytree", "shutil.move", "shutil.rmtree", "shutil.chown", "shutil.make_archive",
    "shutil.unpack_archive", "tempfile.mkstemp", "tempfile.mkdtemp",
})
LISTING_EVENTS = frozenset({"os.listdir", "os.scandir", "os.walk", "glob.glob", "os.fwalk"})


class Event(NamedTuple):
    name: str
    args: tuple[Any, ...]


class Recording:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def opens(self) -> list[tuple[str, bool]]:
        """(path, for writing) of every file opened by name."""
        out = []
        for event in self.events:
            if event.name != "open":
                continue
            path, mode, flags = [*event.args, None, None, None][:3]
            if isinstance(path, int):
                continue  # an already open descriptor
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and bool(flags & WRITE_FLAGS)
            )
            out.append((os.fsdecode(path), writing))
        return out

    def listed(self) -> list[str]:
        return [os.fsdecode(e.args[0]) for e in self.events if e.name in LISTING_EVENTS and e.args
                and isinstance(e.args[0], (str, bytes, os.PathLike))]

    def forbidden(self) -> list[Event]:
        """Network, processes and changes to the file system."""
        return [
            e for e in self.events
            if e.name.startswith(NETWORK_PREFIXES) or e.name in PROCESS_EVENTS or e.name in CHANGE_EVENTS
        ]


_active: list[Recording] = []
_installed: list[bool] = []  # [True] once the hook is in place
_WATCHED = frozenset({"open"}) | PROCESS_EVENTS | CHANGE_EVENTS | LISTING_EVENTS


def _hook(name: str, args: tuple[Any, ...]) -> None:
    if not _active:
        return
    if name in _WATCHED or name.startswith(NETWORK_PREFIXES):
        _active[-1].events.append(Event(name, args))


@contextmanager
def recording() -> Iterator[Recording]:
    """Record the audited events raised inside the ``with`` block."""
    if not _installed:
        sys.addaudithook(_hook)
        _installed.append(True)
    record = Recording()
    _active.append(record)
    try:
        yield record
    finally:
        _active.remove(record)


PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(__file__))), "hooks")


def inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    root = os.path.realpath(root)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)
