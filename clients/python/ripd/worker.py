"""Workers: claim jobs from ripd, run a handler for each, keep their leases alive, report."""
from __future__ import annotations

import json
import logging
import os
import select
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import FailedPrecondition, NotFound, RipError
from .proto import job_pb2

__all__ = ["Context", "Job", "JobCancelled", "PermanentFailure", "Worker"]

log = logging.getLogger("ripd.worker")

_LEVELS = {"debug": job_pb2.LOG_LEVEL_DEBUG, "info": job_pb2.LOG_LEVEL_INFO, "warn": job_pb2.LOG_LEVEL_WARN,
           "warning": job_pb2.LOG_LEVEL_WARN, "error": job_pb2.LOG_LEVEL_ERROR}
#: ripd's bound on FailJob.error (characters).
_MAX_ERROR = 4096


class JobCancelled(Exception):
    """Raised by a `Context` call once the job should stop: a client requested its cancel, its
    lease is gone, or the worker is stopping (SIGTERM/SIGINT, `Worker.stop`). Let it propagate:
    the worker hands the job back (a cancel requested then cancels it)."""


class PermanentFailure(Exception):
    """Raise from a handler to fail the job without a retry; its message is the job's error."""


@dataclass
class Job:
    """A claimed job as a handler sees it."""

    id: str
    urls: list[str]
    method: str
    name: str
    #: The job's JSON config, parsed ({} when none).
    config: dict[str, Any]
    #: The bound session's user agent and default headers (empty without a session).
    user_agent: str
    headers: dict[str, str]
    #: The last checkpoint an earlier attempt saved, or None.
    checkpoint: bytes | None
    #: 1 for the first attempt.
    attempt: int
    tags: list[str] = field(default_factory=list)
    #: The whole `job_pb2.Job`.
    message: job_pb2.Job = field(default_factory=job_pb2.Job, repr=False)


class Context:
    """What a handler reports through while it works one job. Every call raises `JobCancelled`
    once the job should stop; `cancelled` and `wait` ask without raising."""

    def __init__(self, worker: Worker, claimed: job_pb2.ClaimedJob) -> None:
        message = claimed.job
        self.job = Job(
            id=message.id, urls=list(message.urls), method=message.method, name=message.name,
            config=json.loads(message.config_json) if message.config_json else {}, user_agent=claimed.user_agent,
            headers=dict(claimed.headers), checkpoint=message.checkpoint.data if message.HasField("checkpoint") else None,
            attempt=message.attempt, tags=list(message.tags), message=message)
        self._client = worker.client
        self._token = claimed.token
        self._lease_ms = worker.lease_ms
        self._progress = job_pb2.JobProgress()
        self._reported_progress = False
        self._metrics: dict[str, float] = {}
        self._stop: str | None = None  # why the job should stop: "cancel", "lease", "worker"
        self._interrupt = threading.Event()
        self._finished = threading.Event()

    # For handlers

    def log(self, level: str | int, message: str, url: str | None = None) -> None:
        """Appends a line to the job's log; `level` is debug, info, warn or error."""
        self._check()
        number: Any = _LEVELS[level.lower()] if isinstance(level, str) else level
        entry = job_pb2.LogEntry(level=number, message=message,
                                 url=url or "")
        entry.time.GetCurrentTime()
        self._call(self._client.append_logs, job_id=self.job.id, token=self._token, entries=[entry])

    def progress(self, completed: int | None = None, failed: int | None = None, current_url: str | None = None) -> None:
        """Records progress (URLs completed and failed so far, the URL at hand) in a heartbeat."""
        self._check()
        if completed is not None:
            self._progress.completed = completed
        if failed is not None:
            self._progress.failed = failed
        if current_url is not None:
            self._progress.current_url = current_url
        self._reported_progress = True
        self._heartbeat(raising=True)

    def checkpoint(self, data: bytes) -> None:
        """Saves `data` (at most 1 MiB) as the job's checkpoint: a later attempt gets it as
        `job.checkpoint`, so it can go on where this one stopped."""
        self._check()
        self._call(self._client.save_checkpoint, job_id=self.job.id, token=self._token, data=bytes(data))

    def metrics(self, **numbers: float) -> None:
        """Records free-form numbers (memory_mb=…, health=…) in a heartbeat."""
        self._check()
        self._metrics.update({name: float(value) for name, value in numbers.items()})
        self._heartbeat(raising=True)

    @property
    def cancelled(self) -> bool:
        """Whether the job should stop (the next call raises JobCancelled)."""
        return self._stop is not None

    def wait(self, timeout: float) -> bool:
        """Sleeps up to `timeout` seconds, less if the job should stop; returns `cancelled`."""
        return self._interrupt.wait(timeout)

    # For the worker

    def _check(self) -> None:
        if self._stop is not None:
            raise JobCancelled({"cancel": f"job {self.job.id}: cancel requested",
                                "lease": f"job {self.job.id}: lease lost",
                                "worker": f"job {self.job.id}: the worker is stopping"}[self._stop])

    def _halt(self, reason: str) -> None:
        if self._stop is None:
            self._stop = reason
        self._interrupt.set()

    def _call(self, method: Callable[..., Any], **fields: Any) -> Any:
        try:
            return method(**fields)
        except (FailedPrecondition, NotFound):
            self._halt("lease")
            self._check()
            raise

    def _heartbeat(self, raising: bool) -> None:
        """Renews the lease with the progress and metrics so far; notes a requested cancel."""
        fields: dict[str, Any] = {"job_id": self.job.id, "token": self._token, "metrics": self._metrics}
        if self._reported_progress:
            fields["progress"] = self._progress
        try:
            reply = self._call(self._client.heartbeat, **fields)
        except JobCancelled:
            if raising:
                raise
            return
        except RipError as error:  # the daemon is busy or restarting: the next heartbeat tries again
            if raising:
                raise
            log.warning("job %s: heartbeat failed: %s", self.job.id, error)
            return
        if reply.cancel_requested:
            self._halt("cancel")
            if raising:
                self._check()

    def _heartbeats(self) -> None:
        """Every third of the lease until the job is done."""
        while not self._finished.wait(self._lease_ms / 3000):
            self._heartbeat(raising=False)


class Worker:
    """Claims jobs of `methods` (none = any) and runs `handler(job, context)` for each, at most
    `concurrency` at once, on `client` (a `ripd.Client`; its connection is shared by all).

        worker = ripd.Worker(client, methods=["scrape"], concurrency=4, lease_seconds=60)

        @worker.handler
        def scrape(job, ctx):
            for url in job.urls:
                ctx.progress(current_url=url)
                ...
            return "done"               # the job's summary

        worker.run()

    Leases are renewed by heartbeats every third of `lease_seconds`. The handler's return value
    (a string, or anything JSON can write) becomes the summary of a completed job; an exception
    fails the attempt as retryable (`PermanentFailure`: not retried), and `JobCancelled` from
    a context call hands the job back. `run()` works jobs until SIGTERM or SIGINT (when called
    from the main thread) or `stop()`: then it claims no more, makes the running handlers'
    next context call raise JobCancelled, hands their jobs back, and returns. A claim waits
    `claim_wait_seconds` for a job when none is ready, and the worker lets a waiting claim run
    out rather than cancel it, so stopping takes up to that long.
    """

    def __init__(self, client: Any, methods: Iterable[str] = (), concurrency: int = 1, lease_seconds: float = 60.0,
                 handler: Callable[[Job, Context], Any] | None = None, worker_id: str | None = None,
                 claim_wait_seconds: float = 1.0) -> None:
        if not 1 <= concurrency <= 100:
            raise ValueError("concurrency must be 1–100")
        if not 1 <= lease_seconds <= 3600:
            raise ValueError("lease_seconds must be 1–3600")
        self.client = client
        self.methods = list(methods)
        self.concurrency = concurrency
        self.lease_ms = int(lease_seconds * 1000)
        self.worker_id = worker_id or f"{socket.gethostname()}-{os.getpid()}"
        self.claim_wait_ms = int(claim_wait_seconds * 1000)
        self._handler = handler
        self._active: set[Context] = set()
        self._stopping = False
        self._worked = 0
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)

    def handler(self, function: Callable[[Job, Context], Any]) -> Callable[[Job, Context], Any]:
        """Decorator: `function(job, context)` works each job."""
        self._handler = function
        return function

    def stop(self) -> None:
        """Stops claiming and hands running jobs back; `run` returns once their handlers have.
        Safe from any thread and from a signal handler."""
        self._stopping = True
        for context in list(self._active):
            context._halt("worker")
        self._wake()

    def run(self, once: bool = False, wait_seconds: float = 30.0) -> int:
        """Works jobs until stopped; with `once`, claims one batch (up to `concurrency` jobs,
        waiting up to `wait_seconds` for the first), works it and returns. Returns the number of
        jobs worked."""
        if self._handler is None:
            raise TypeError("no handler: pass handler= or decorate one with @worker.handler")
        self._stopping = False
        self._worked = 0
        previous = self._install_signals()
        threads: list[threading.Thread] = []
        try:
            while not self._stopping:
                room = self.concurrency - len(self._active)
                if room <= 0:
                    self._sleep()
                    continue
                wait_ms = int(wait_seconds * 1000) if once else self.claim_wait_ms
                claimed = self.client.claim(worker_id=self.worker_id, methods=self.methods, lease_ms=self.lease_ms,
                                            wait_ms=min(wait_ms, 600_000), max_jobs=room).jobs
                for job in claimed:
                    if self._stopping:
                        self._report(job.job.id, job.token, self.client.release_job, {})
                        continue
                    context = Context(self, job)
                    self._active.add(context)
                    thread = threading.Thread(target=self._work, args=(context,), name=f"ripd-job-{job.job.id}",
                                              daemon=True)
                    threads.append(thread)
                    thread.start()
                if once:
                    break
        except BaseException:
            self.stop()  # a claim failed (the daemon went away): the running jobs stop too
            raise
        finally:
            for thread in threads:
                thread.join()
            for number, handler in previous.items():
                signal.signal(number, handler)
        return self._worked

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        previous: dict[int, Any] = {}
        for number in (signal.SIGTERM, signal.SIGINT):
            previous[number] = signal.signal(number, lambda *_: self.stop())
        return previous

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except BlockingIOError:
            pass  # already awake

    def _sleep(self) -> None:
        """Until a job finishes or the worker stops (a pipe: safe to wake from a signal handler)."""
        select.select([self._wake_r], [], [])
        os.read(self._wake_r, 4096)

    def _work(self, context: Context) -> None:
        job = context.job
        beats = threading.Thread(target=context._heartbeats, name=f"ripd-heartbeat-{job.id}", daemon=True)
        beats.start()
        report: Callable[..., Any]
        fields: dict[str, Any]
        try:
            summary = self._handler(job, context)  # type: ignore[misc]
            report, fields = self.client.complete_job, {"summary": _summary(summary)}
            if context._reported_progress:
                fields["progress"] = context._progress
        except JobCancelled:
            report, fields = self.client.release_job, {}
        except PermanentFailure as failure:
            report, fields = self.client.fail_job, {"error": _error(failure), "retryable": False}
        except Exception as failure:
            log.warning("job %s: attempt %d failed", job.id, job.attempt, exc_info=True)
            report, fields = self.client.fail_job, {"error": _error(failure), "retryable": True}
        finally:
            context._finished.set()
            beats.join()
        if context._stop == "lease":
            log.warning("job %s: lease lost; its outcome is not reported", job.id)
        else:
            self._report(job.id, context._token, report, fields)
        self._active.discard(context)
        self._worked += 1
        self._wake()

    def _report(self, job_id: str, token: str, method: Callable[..., Any], fields: dict[str, Any]) -> None:
        try:
            method(job_id=job_id, token=token, **fields)
        except RipError as error:
            log.warning("job %s: cannot report its outcome: %s", job_id, error)


def _summary(value: Any) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return json.dumps(value, default=str)


def _error(failure: BaseException) -> str:
    text = f"{type(failure).__name__}: {failure}" if not isinstance(failure, PermanentFailure) else str(failure)
    return (text or type(failure).__name__)[:_MAX_ERROR]
