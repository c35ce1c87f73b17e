"""The asyncio client: the same methods as `ripd.Client`, pipelined on one connection.

    async with ripd.aio.Client() as client:
        session = await client.get_session(session="crawl")
        async for event in client.watch_events(jobs=True):
            ...
"""
from __future__ import annotations

import asyncio
import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO, Generic, TypeVar

from google.protobuf.message import Message

from . import _artifacts, _files
from ._wire import (MAX_FRAME_BYTES, FrameSplitter, build_request, cancel_frame, default_socket_path, method_at, open_socket,
                    request_frame)
from .errors import Cancelled, FailedPrecondition, Internal, RipError, Unavailable
from .proto import artifact_pb2, envelope_pb2, job_pb2
from .proto.methods import CLAIM, RELEASE_JOB, AsyncMethods, Method

__all__ = ["AsyncStream", "Client", "connect"]

T = TypeVar("T")
_Response = envelope_pb2.Response


class _StreamCall:
    """What the connection keeps of a stream: messages received and how it ended. The stream
    object itself is the caller's alone, so dropping it cancels the call."""

    __slots__ = ("messages", "done", "error", "waiter")

    def __init__(self) -> None:
        self.messages: deque[bytes] = deque()
        self.done = False
        self.error: RipError | None = None
        self.waiter: asyncio.Future | None = None

    def push(self, payload: bytes | None, end: bool, error: RipError | None) -> None:
        if payload is not None:
            self.messages.append(payload)
        if end:
            self.done = True
            self.error = error
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)


class AsyncStream(Generic[T]):
    """The messages of one server-stream call, for `async for`. Iteration ends when the daemon
    ends the stream (raising its status if it ended with an error). `cancel()`/`aclose()`,
    leaving an `async with` block, or dropping the stream (a `break` out of its `async for`,
    garbage collection) cancels the call on the daemon."""

    def __init__(self, client: Client, call_id: int, call: _StreamCall, message_type: Any) -> None:
        self._client = client
        self._id = call_id
        self._call = call
        self._type = message_type

    def __aiter__(self) -> AsyncStream[T]:
        return self

    async def __anext__(self) -> T:
        call = self._call
        while True:
            if call.messages:
                return self._type.FromString(call.messages.popleft())
            if call.done:
                if call.error is not None:
                    raise call.error
                raise StopAsyncIteration
            call.waiter = self._client._loop.create_future()  # type: ignore[union-attr]
            try:
                await call.waiter
            finally:
                call.waiter = None

    def cancel(self) -> None:
        """Cancels the call; messages already received are dropped."""
        if not self._call.done:
            self._call.messages.clear()
            self._call.push(None, True, None)
            self._client._cancel(self._id)

    async def aclose(self) -> None:
        self.cancel()

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.cancel()

    def __del__(self) -> None:
        call = getattr(self, "_call", None)
        if call is not None and not call.done:
            loop = self._client._loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(self._client._cancel, self._id)


class _Protocol(asyncio.Protocol):
    def __init__(self, client: Client) -> None:
        self.client = client

    def data_received(self, data: bytes) -> None:
        self.client._received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.client._lost(exc)


class Client(AsyncMethods):
    """An asyncio client of ripd over one Unix-socket connection. Every rpc is a snake_case
    method taking the request message or its fields as keywords; a unary call is sent at once
    and returns a future of its reply (so `asyncio.gather` over many pipelines them), a stream
    an `AsyncStream`. Failures raise `RipError` subclasses, as `ripd.Client`'s do.

    Connect with `await Client.connect(...)`, `await ripd.aio.connect(...)` or `async with
    Client(...) as client`; the arguments are `ripd.Client`'s."""

    def __init__(self, socket: str | None = None, timeout: float | None = 5.0,
                 trust_uids: Iterable[int] | None = None, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self._options = (socket, timeout, trust_uids)
        self._max_frame_bytes = max_frame_bytes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._transport: asyncio.Transport | None = None
        self._ids = itertools.count(1)
        self._calls: dict[int, tuple[asyncio.Future, Any] | _StreamCall] = {}
        self._frames = FrameSplitter()
        self._out: list[bytes] = []
        self._closed: RipError | None = Unavailable("not connected: await client.connect() first")
        self._connection_error: RipError | None = None

    @classmethod
    async def open(cls, socket: str | None = None, timeout: float | None = 5.0,
                   trust_uids: Iterable[int] | None = None, max_frame_bytes: int = MAX_FRAME_BYTES) -> Client:
        """A connected client."""
        return await cls(socket, timeout, trust_uids, max_frame_bytes).connect()

    async def connect(self) -> Client:
        """Connects (checking who serves the socket, as `ripd.Client` does); returns the client."""
        sock = open_socket(*self._options)
        self._loop = asyncio.get_running_loop()
        self._transport, _ = await self._loop.create_unix_connection(lambda: _Protocol(self), sock=sock)
        self._closed = None
        return self

    async def __aenter__(self) -> Client:
        return await self.connect() if self._transport is None else self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the connection; calls still in flight fail with Unavailable."""
        self._fail_all(Unavailable("the client was closed"))

    @property
    def closed(self) -> bool:
        return self._closed is not None

    # Calls

    def call(self, path: str, request: Message | None = None, /, **fields: Any) -> Any:
        """Calls any method by its path: a future of the reply, or an `AsyncStream`."""
        method = method_at(path, request)
        return self._stream(method, request, fields) if method.server_streaming else self._unary(method, request, fields)

    def _unary(self, method: Method, request: Message | None, fields: dict[str, Any]) -> asyncio.Future:
        call_id = self._send_call(method, build_request(method, request, fields))
        future = self._loop.create_future()  # type: ignore[union-attr]
        self._calls[call_id] = (future, method)
        return future

    def _stream(self, method: Method, request: Message | None, fields: dict[str, Any]) -> AsyncStream:
        call_id = self._send_call(method, build_request(method, request, fields))
        call = self._calls[call_id] = _StreamCall()
        return AsyncStream(self, call_id, call, method.response_type)

    def _send_call(self, method: Method, request: Message) -> int:
        if self._closed is not None:
            raise self._closed.again()
        call_id = next(self._ids)
        self._write(request_frame(call_id, method.path, request.SerializeToString(), self._max_frame_bytes))
        return call_id

    def _write(self, frame: bytes) -> None:
        # Frames written in one turn of the loop go out in one write.
        if not self._out:
            self._loop.call_soon(self._flush)  # type: ignore[union-attr]
        self._out.append(frame)

    def _flush(self) -> None:
        if self._out and self._transport is not None and self._closed is None:
            self._transport.write(b"".join(self._out))
        self._out.clear()

    def _cancel(self, call_id: int) -> None:
        if self._calls.pop(call_id, None) is not None and self._closed is None:
            self._write(cancel_frame(call_id))

    async def _drive(self, steps: _artifacts.Steps) -> Any:
        """Runs a sequence of calls (see _artifacts): each batch pipelined, then awaited."""
        done, value, error = False, None, None
        while not done:
            done, value = _artifacts.advance(steps, value, error)
            if not done:
                value, error = await self._batch(value)
        return value

    async def _batch(self, batch: list) -> tuple[list | None, RipError | None]:
        try:
            return list(await asyncio.gather(*[self._unary(method, request, {}) for method, request in batch])), None
        except RipError as failure:
            return None, failure

    # Artifacts

    async def put_artifact(self, *, session: str | None = None, job: str | None = None, data: bytes | None = None,
                           file: _artifacts.FileArg | None = None, name: str | None = None, type: int | str = 0,
                           content_type: str = "", tags: Iterable[str] = (), metadata: dict[str, str] | None = None,
                           chunked: bool = False) -> artifact_pb2.Artifact:
        """`ripd.Client.put_artifact`, awaited: a regular file as a descriptor (the exchange on
        the descriptor socket runs in a thread), else in chunks (file reads block the loop
        briefly, 4 MiB at a time)."""
        commit = _artifacts.commit_request(name, file, type, content_type, tags, metadata)
        owner = _artifacts.owner(session, job)
        source = _artifacts.Source(data, file)
        try:
            descriptor = None if chunked else source.descriptor()
            if descriptor is not None:
                try:
                    return await self._put_file(owner, commit, descriptor)
                except FailedPrecondition:
                    pass
            return await self._drive(_artifacts.put(owner, source.chunks(), commit))
        finally:
            source.close()

    async def put_artifact_file(self, *, session: str | None = None, job: str | None = None,
                                file: _artifacts.PutFileArg, name: str | None = None, type: int | str = 0,
                                content_type: str = "", tags: Iterable[str] = (),
                                metadata: dict[str, str] | None = None,
                                expected_sha256: str = "") -> artifact_pb2.Artifact:
        """`ripd.Client.put_artifact_file`, awaited (the exchange on the descriptor socket runs
        in a thread, on a duplicate of the file's descriptor: cancelling the caller leaves the
        call to finish on its own)."""
        commit = _artifacts.commit_request(name, file, type, content_type, tags, metadata, "put_artifact_file")
        commit.expected_sha256 = expected_sha256
        return await self._put_file(_artifacts.owner(session, job), commit, file)

    async def open_artifact_file(self, artifact_id: str, *, session: str | None = None,
                                 job: str | None = None) -> tuple[artifact_pb2.Artifact, BinaryIO]:
        """`ripd.Client.open_artifact_file`, awaited: the artifact and a read-only file of its
        content, which the caller closes (reading it blocks, as any file does)."""
        owner = _artifacts.owner(session, job)
        daemon = _files.served(await self.info(), self._transport.get_extra_info("socket"),
                               self._options[0] or default_socket_path())
        timeout = self._options[1]

        def run() -> tuple[artifact_pb2.Artifact, BinaryIO]:
            artifact, descriptor = _files.open_file(daemon, artifact_id, owner, timeout)
            return artifact, _files.reader(descriptor)

        return await _in_thread(run, lambda opened: opened[1].close())

    async def get_artifact(self, artifact_id: str, *, session: str | None = None, job: str | None = None,
                           file: _artifacts.FileArg | None = None, chunked: bool = False) -> Any:
        """`ripd.Client.get_artifact`, awaited: bytes without `file`, else the artifact's metadata.
        Into a regular file the kernel copies it from a descriptor ripd hands over, in a thread
        (on a duplicate of the file's descriptor, so a cancelled caller cannot pull it away)."""
        owner = _artifacts.owner(session, job)
        sink = _artifacts.Download(file)
        info = None
        try:
            target = None if chunked else sink.descriptor()
            if target is not None:
                info = await self._copy_file(artifact_id, owner, target)
            if info is None:
                info = await self._drive(_artifacts.get(artifact_id, owner, sink.handle.write))
        finally:
            result = sink.finish(info is not None, info)
        return result

    async def _put_file(self, owner: artifact_pb2.ArtifactOwner, commit: artifact_pb2.CommitUploadRequest,
                        file: _artifacts.PutFileArg) -> artifact_pb2.Artifact:
        daemon = _files.served(await self.info(), self._transport.get_extra_info("socket"),
                               self._options[0] or default_socket_path())
        timeout = self._options[1]
        opened = _artifacts.PutFile(file, dup=True)  # the thread's own, closed when it is done

        def run() -> artifact_pb2.Artifact:
            try:
                return _files.put(daemon, owner, commit, opened.descriptor, timeout)
            finally:
                opened.close()

        return await _in_thread(run)

    async def _copy_file(self, artifact_id: str, owner: artifact_pb2.ArtifactOwner,
                         sink: int) -> artifact_pb2.Artifact | None:
        daemon = _files.served(await self.info(), self._transport.get_extra_info("socket"),
                               self._options[0] or default_socket_path())
        timeout = self._options[1]
        target = os.dup(sink)  # the thread's own, closed when it is done

        def run() -> artifact_pb2.Artifact | None:
            try:
                return _files.copy_artifact(daemon, artifact_id, owner, target, timeout)
            finally:
                os.close(target)

        return await _in_thread(run)

    # The connection

    def _received(self, data: bytes) -> None:
        calls = self._calls
        for body in self._frames.feed(data):
            try:
                response = _Response.FromString(body)
            except Exception:
                self._fail_all(Internal("ripd sent a frame that is not a rip.v1.Response"))
                return
            call_id, code = response.id, response.code
            if call_id == 0:
                self._connection_error = RipError.of(code, response.message) if code else None
                continue
            call = calls.pop(call_id, None) if response.end_of_stream else calls.get(call_id)
            if call is None:
                continue
            if type(call) is tuple:
                future, method = call
                if future.done():
                    if method is CLAIM and not code:
                        self._release_unwanted(response.payload)
                    continue
                if code:
                    future.set_exception(RipError.of(code, response.message))
                else:
                    future.set_result(method.response_type.FromString(response.payload))
            else:
                end = response.end_of_stream
                payload = response.payload if response.payload or not end else None
                error = RipError.of(code, response.message) if end and code and code != Cancelled.code else None
                call.push(payload, end, error)  # type: ignore[union-attr]

    def _release_unwanted(self, payload: bytes) -> None:
        """Hands back the jobs of a claim whose caller stopped waiting (a cancelled task, a
        timeout) but whose answer still came: the daemon cancels a parked claim, but one served
        before the cancel arrived would keep each job leased to nobody until its lease ran out
        (counting the attempt)."""
        for claimed in job_pb2.ClaimResponse.FromString(payload).jobs:
            self._unary(RELEASE_JOB, None, {"job_id": claimed.job.id, "token": claimed.token}).add_done_callback(
                lambda f: f.exception())  # best effort: a lease that cannot be released expires

    def _lost(self, exc: Exception | None) -> None:
        reason = f"connection to ripd failed: {exc}" if exc else "connection to ripd closed"
        self._fail_all(self._connection_error or Unavailable(reason))

    def _fail_all(self, error: RipError) -> None:
        if self._closed is None:
            self._closed = error
            if self._transport is not None:
                self._transport.abort()
        calls, self._calls = self._calls, {}
        for call in calls.values():
            if type(call) is tuple:
                if not call[0].done():
                    call[0].set_exception(self._closed.again())
            else:
                call.push(None, True, self._closed.again())  # type: ignore[union-attr]


async def _in_thread(function: Callable[[], T], discard: Callable[[T], Any] | None = None) -> T:
    """`function()` run in a thread to its end, even when the caller is cancelled (it owns
    descriptors that it closes): a result that came too late is handed to `discard`."""
    task = asyncio.ensure_future(asyncio.to_thread(function))
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        def finished(done: asyncio.Future) -> None:
            if not done.cancelled() and done.exception() is None and discard is not None:
                discard(done.result())

        task.add_done_callback(finished)
        raise


async def connect(socket: str | None = None, timeout: float | None = 5.0, trust_uids: Iterable[int] | None = None,
                  max_frame_bytes: int = MAX_FRAME_BYTES) -> Client:
    """A connected asyncio client; see `Client`."""
    return await Client.open(socket, timeout, trust_uids, max_frame_bytes)
