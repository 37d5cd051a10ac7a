"""Sending a batch: its messages handed over concurrently, each result recorded as it comes, and the
whole of it run by a process of its own that outlives the command which queued it.

Owns the worker pool, the detached sender process and what it reports back. Must not know the
ledger or the rules: ``delivery.send`` gives it the jobs and how to record.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, Literal

from snpctl.errors import SnpctlError

Result = tuple[int, int, "str | None"]  # message id, attempt, error code (None: handed over)
Job = tuple[int, int, Callable[[], "str | None"]]  # message id, attempt, the hand-over


def send_batch(
    ready: list[Result],
    jobs: list[Job],
    record: Callable[[list[Result]], tuple[int, int]],
    *,
    handed: Callable[[int], None] | None = None,
    workers: int = 8,
) -> dict[str, int]:
    """Hand ``jobs`` over, ``workers`` at a time; ``record`` what came in since the last record, as it comes.

    ``ready``: results known already (outbox-only messages, messages that could not be rendered),
    recorded with the first that comes in. ``handed(id)`` is told just before a message goes to its
    gateway. Returns how many were recorded sent and failed.
    """
    totals = {"sent": 0, "failed": 0}
    pending = list(ready)

    def flush(last: bool) -> None:
        try:
            sent, failed = record(pending)
        except SnpctlError:
            if last:
                raise
            return  # the ledger is busy: kept, recorded with the next ones
        totals["sent"] += sent
        totals["failed"] += failed
        pending.clear()

    if jobs:
        import queue
        from concurrent.futures import ThreadPoolExecutor

        results: queue.SimpleQueue[Result] = queue.SimpleQueue()

        def hand_over(job: Job) -> None:
            message_id, attempt, send = job
            error: str | None = "transport"
            try:
                if handed is not None:
                    handed(message_id)
                error = send()
            except Exception:  # a transport's bug: this message failed, the others go on
                pass
            finally:
                results.put((message_id, attempt, error))

        with ThreadPoolExecutor(max_workers=min(workers, len(jobs)), thread_name_prefix="snpctl-send") as pool:
            for job in jobs:
                pool.submit(hand_over, job)
            waiting = len(jobs)
            while waiting:
                pending.append(results.get())
                waiting -= 1
                while waiting:  # everything that came in meanwhile goes in the same lines
                    try:
                        pending.append(results.get_nowait())
                    except queue.Empty:
                        break
                    waiting -= 1
                flush(last=not waiting)
    if pending:
        flush(last=True)
    return totals


Status = Literal["done", "running", "interrupted"]


def detached(
    send: Callable[[], dict[str, int]], *, wait: float | None, before_wait: Callable[[], None] | None = None
) -> tuple[Status, dict[str, Any]] | None:
    """Run ``send`` in a forked process of its own session, then wait for it ``wait`` seconds (None: to the end).

    The sender ignores Ctrl-C and hang-ups, and outlives this process: it is in a new session, with
    /dev/null for standard streams. It writes its summary on a pipe when it is done. Returns
    ("done", summary), ("running", None) when the wait ran out, ("interrupted", None) after a
    Ctrl-C during the wait; None when this system cannot fork (then send here). ``summary`` is what
    ``send`` returned, or ``{"error": sentence}`` (a ``SnpctlError``), ``{"bug": text}``, or ``{"stopped": True}``
    when the sender died without a word.
    """
    if not hasattr(os, "fork"):
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    try:  # ignored before the fork, so that a Ctrl-C can never reach the sender before setsid
        saved = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGHUP)}
    except ValueError:  # not the main thread: signals cannot be set, send here
        os.close(read_end)
        os.close(write_end)
        return None
    try:
        pid = os.fork()
    except OSError:
        pid = -1
    if pid == 0:
        _sender(send, read_end, write_end)  # never returns
    for sig, handler in saved.items():
        signal.signal(sig, handler)
    os.close(write_end)
    if pid < 0:
        os.close(read_end)
        return None
    if before_wait is not None:
        before_wait()
    return _wait(pid, read_end, wait)


def _sender(send: Callable[[], dict[str, int]], read_end: int, write_end: int) -> None:
    """The forked sender: always ends with ``os._exit``, never returns into its caller (nor into a test runner)."""
    try:
        os.close(read_end)
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        try:
            summary: dict[str, Any] = send()
        except SnpctlError as error:
            summary = {"error": error.message}
        except BaseException as error:
            summary = {"bug": f"{type(error).__name__}: {error}"}
        with contextlib.suppress(OSError):  # the parent stopped listening: the ledger says it all
            os.write(write_end, json.dumps(summary).encode("utf-8") + b"\n")
    finally:
        os._exit(0)


def _wait(pid: int, read_end: int, wait: float | None) -> tuple[Status, dict[str, Any]]:
    deadline = None if wait is None else time.monotonic() + wait
    data = b""
    try:
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([read_end], [], [], left)[0]:
                return "running", {}
            chunk = os.read(read_end, 65536)
            if not chunk:
                break
            data += chunk
    except KeyboardInterrupt:
        return "interrupted", {}
    finally:
        os.close(read_end)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)  # it exits right after writing: reap it
    try:
        return "done", json.loads(data)
    except ValueError:
        return "done", {"stopped": True}  # killed, or out of memory: the registry tells tick the rest
