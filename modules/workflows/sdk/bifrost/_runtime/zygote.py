"""The warm process runs fork from.

It imports the SDK and the whole workspace once, reports what it found,
then waits for the worker: each "fork" request (with the run's socket and
output pipe passed as file descriptors) becomes a child process that runs
one workflow in a clean copy of this memory.

    fd 3 (SOCK_SEQPACKET, worker → zygote):  {"t": "fork", "run": id, "limits": {...}} + [run socket, output pipe]
    fd 4 (pipe, zygote → worker, JSON lines): {"t": "ready", "pid", "registry"}
                                              {"t": "forked", "run", "pid"}
                                              {"t": "exited", "pid", "code", "signal"}
"""

from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import socket
import sys
from typing import Any

from .._decorators import Definition
from . import child as _child_module  # imported here, so forks start warm
from . import discover as _discover

_definitions: dict[tuple[str, str], Definition] = {}


def definition(kind: str, name: str) -> Definition | None:
    return _definitions.get((kind, name))


def load(root: str) -> dict[str, Any]:
    """Imports the workspace and keeps its definitions for the runs."""
    result = _discover.discover(root)
    _definitions.clear()
    _definitions.update(_discover.definitions(result))
    for d in _definitions.values():
        d.arg_names  # noqa: B018 - computed once here rather than in every run
    return result


def limits(limits: dict[str, Any]) -> None:
    """Applies a run's resource limits (the run calls it once it knows them)."""
    mem = int(limits.get("memory_bytes") or 0)
    if mem > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = int(limits.get("cpu_seconds") or 0)
    if cpu > 0:
        # The soft limit sends SIGXCPU; the hard limit a second later, SIGKILL.
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    files = int(limits.get("open_files") or 0)
    if files > 0:
        resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))


try:  # resolved once here, so forks do not pay for it
    import ctypes

    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (ImportError, OSError, AttributeError):
    _prctl = None


def _die_with_parent() -> None:
    """Ends the run if the zygote ends (the worker went away)."""
    if _prctl is not None:
        _prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(msg: dict[str, Any], fds: list[int], keep_closed: list[int]) -> None:
    """In the forked child: become a run. Never returns."""
    try:
        os.setpgid(0, 0)  # a process group of its own: the worker signals the whole group
        _die_with_parent()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        for fd in keep_closed:
            try:
                os.close(fd)
            except OSError:
                pass
        sock_fd, out_fd = fds[0], fds[1]
        os.set_inheritable(sock_fd, False)  # programs the workflow starts get the output, not the socket
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.close(out_fd)
        _child_module.run(sock_fd)
    except BaseException:
        import traceback

        try:
            os.write(2, traceback.format_exc().encode("utf-8", "replace"))
        finally:
            os._exit(70)
    os._exit(0)


def main(root: str) -> None:
    control = socket.socket(fileno=3)
    events = os.fdopen(4, "w", buffering=1)

    def send(msg: dict[str, Any]) -> None:
        events.write(json.dumps(msg, separators=(",", ":")) + "\n")

    # Imports print to stdout; the worker captures it as the zygote's output.
    registry = load(root)
    # What is loaded now is shared by every fork: keep the collector off it,
    # so runs neither scan it nor copy the pages it would touch.
    gc.collect()
    gc.freeze()
    send({"t": "ready", "pid": os.getpid(), "registry": registry})

    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    def reap() -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            code = os.waitstatus_to_exitcode(status)
            send({"t": "exited", "pid": pid, "code": code if code >= 0 else None, "signal": -code if code < 0 else None})

    while True:
        try:
            ready, _, _ = select.select([control, wake_r], [], [])
        except InterruptedError:
            continue
        if wake_r in ready:
            try:
                os.read(wake_r, 512)
            except BlockingIOError:
                pass
            reap()
        if control not in ready:
            continue
        data, fds, _, _ = socket.recv_fds(control, 65536, 4)
        if not data:
            return  # the worker went away
        try:
            msg = json.loads(data)
        except ValueError:
            for fd in fds:
                os.close(fd)
            continue
        if msg.get("t") != "fork" or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        pid = os.fork()
        if pid == 0:
            _child(msg, fds, [control.fileno(), events.fileno(), wake_r, wake_w])
        for fd in fds:
            os.close(fd)
        send({"t": "forked", "run": msg.get("run"), "pid": pid})


if __name__ == "__main__":
    main(sys.argv[1])
