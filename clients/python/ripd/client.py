"""The blocking client: one connection that any number of threads share."""
from __future__ import annotations

import _thread
import itertools
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any, BinaryIO

from google.protobuf.message import Message

from . import _artifacts, _files
from ._stream import Stream
from ._wire import (MAX_FRAME_BYTES, FrameSplitter, build_request, cancel_frame, default_socket_path, method_at, open_socket,
                    request_frame)
from .errors import Cancelled, FailedPrecondition, Internal, RipError, Unavailable
from .proto import admin_pb2, artifact_pb2, envelope_pb2
from .proto.methods import Method, SyncMethods

_Response = envelope_pb2.Response


class _Call:
    """A call awaiting responses. Its thread sleeps on `lock`, which whoever reads its response
    releases; a stream's messages queue up in `messages`."""

    __slots__ = ("lock", "done", "error", "payload", "messages")

    def __init__(self, stream: bool) -> None:
        self.lock = _thread.allocate_lock()
        self.lock.acquire()
        self.done = False
        self.error: RipError | None = None
        self.payload = b""
        self.messages: deque[bytes] | None = deque() if stream else None

    def ready(self) -> bool:
        return self.done or bool(self.messages)

    def wake(self) -> None:
        try:
            self.lock.release()
        except RuntimeError:  # already awake
            pass


class Client(SyncMethods):
    """A blocking client of ripd over one Unix-socket connection, safe to share between threads.

    Every rpc is a snake_case method taking the request message or its fields as keywords
    (`client.create_session(name="crawl", tags=["prod"])`) and returning the reply message;
    server streams (`watch_sessions`, `watch_job`, `watch_events`) return a `Stream` to iterate.
    Failures raise a `RipError` subclass: the daemon's status, or `Unavailable` when nothing
    listens or the connection drops (every call in flight then fails so).

    Calls from many threads share the connection: each has an id and replies are matched to
    calls by it. There is no reader thread to hand replies over: whichever waiting thread gets
    the socket first reads for all of them (a thread handoff would double a round trip), and
    hands the reading on when its own reply is in.

    `socket`: the daemon's socket (default: `$RIPD_SOCKET`, `$XDG_RUNTIME_DIR/ripd/ripd.sock`,
    `/tmp/ripd-$UID/ripd.sock`, as ripctl). `timeout`: seconds to connect (to the descriptor
    socket too). `trust_uids`: uids besides yours and root's whose ripd this may talk to
    (default: `$RIPD_TRUST_UID`, as ripctl).
    """

    def __init__(self, socket: str | None = None, timeout: float | None = 5.0,
                 trust_uids: Iterable[int] | None = None, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self._path = socket or default_socket_path()
        self._sock = open_socket(self._path, timeout, trust_uids)
        self._timeout = timeout  # also to connect to the descriptor socket
        self._max_frame_bytes = max_frame_bytes
        self._ids = itertools.count(1)
        self._calls: dict[int, _Call] = {}
        self._send_lock = threading.Lock()
        self._reading = threading.Lock()
        self._idle: set[_Call] = set()  # calls whose threads wait for someone else to read
        self._frames = FrameSplitter()
        self._read_buffer = bytearray(1 << 18)
        self._read_view = memoryview(self._read_buffer)
        self._closed: RipError | None = None
        self._connection_error: RipError | None = None  # a response with id 0
        self._late_cancels: deque[bytes] = deque()  # from streams collected while the socket was busy

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection; calls still in flight fail with Unavailable."""
        self._fail_all(Unavailable("the client was closed"))

    @property
    def closed(self) -> bool:
        return self._closed is not None

    # Calls

    def call(self, path: str, request: Message | None = None, /, **fields: Any) -> Any:
        """Calls any method by its path ("/rip.v1.SessionService/GetSession"): the reply, or a
        `Stream` for a streaming method."""
        method = method_at(path, request)
        return self._stream(method, request, fields) if method.server_streaming else self._unary(method, request, fields)

    def _unary(self, method: Method, request: Message | None, fields: dict[str, Any]) -> Any:
        call = self._start(method, build_request(method, request, fields), stream=False)[1]
        return self._reply(method, call)

    def _stream(self, method: Method, request: Message | None, fields: dict[str, Any]) -> Stream:
        call_id, call = self._start(method, build_request(method, request, fields), stream=True)
        return Stream(self, call_id, call, method.response_type)

    def _start(self, method: Method, request: Message, stream: bool) -> tuple[int, _Call]:
        frame_id = next(self._ids)
        frame = request_frame(frame_id, method.path, request.SerializeToString(), self._max_frame_bytes)
        if self._closed is not None:
            raise self._closed.again()
        call = _Call(stream)
        self._calls[frame_id] = call
        self._send(frame)
        return frame_id, call

    def _reply(self, method: Method, call: _Call) -> Any:
        self._wait(call)
        if call.error is not None:
            raise call.error
        return method.response_type.FromString(call.payload)

    def _drive(self, steps: _artifacts.Steps) -> Any:
        """Runs a sequence of calls (see _artifacts): each batch is sent at once, then awaited."""
        done, value, error = False, None, None
        while not done:
            done, value = _artifacts.advance(steps, value, error)
            if not done:
                value, error = self._batch(value)
        return value

    def _batch(self, batch: list) -> tuple[list | None, RipError | None]:
        try:
            started = [(method, self._start(method, request, stream=False)[1]) for method, request in batch]
            return [self._reply(method, call) for method, call in started], None
        except RipError as failure:
            return None, failure

    # Artifacts

    def put_artifact(self, *, session: str | None = None, job: str | None = None, data: bytes | None = None,
                     file: _artifacts.FileArg | None = None, name: str | None = None, type: int | str = 0,
                     content_type: str = "", tags: Iterable[str] = (), metadata: dict[str, str] | None = None,
                     chunked: bool = False) -> artifact_pb2.Artifact:
        """Uploads `data` or `file` (a path or a binary file object) as an artifact of `session`
        or `job`; returns the artifact. `type`: an ArtifactType, or its name ("tool_result");
        `name` defaults to the file's.

        A regular file (a path, or a file `open()` made, at its start) goes as a descriptor:
        ripd reads it itself (`put_artifact_file`; a file object's position is left alone).
        Anything else, everything with `chunked`, and a file ripd cannot take so (FailedPrecondition:
        it serves no descriptor socket) go in 4 MiB chunks, read from the file's position, with
        their SHA-256 checked by the daemon."""
        commit = _artifacts.commit_request(name, file, type, content_type, tags, metadata)
        owner = _artifacts.owner(session, job)
        source = _artifacts.Source(data, file)
        try:
            descriptor = None if chunked else source.descriptor()
            if descriptor is not None:
                try:
                    return _files.put(self._served(), owner, commit, descriptor, self._timeout)
                except FailedPrecondition:
                    pass
            return self._drive(_artifacts.put(owner, source.chunks(), commit))
        finally:
            source.close()

    def _served(self) -> admin_pb2.InfoResponse:
        """This daemon's Info, its pid as the kernel names it here (`_files.served`)."""
        return _files.served(self.info(), self._sock, self._path)

    def put_artifact_file(self, *, session: str | None = None, job: str | None = None, file: _artifacts.PutFileArg,
                          name: str | None = None, type: int | str = 0, content_type: str = "",
                          tags: Iterable[str] = (), metadata: dict[str, str] | None = None,
                          expected_sha256: str = "") -> artifact_pb2.Artifact:
        """Records a regular file as an artifact of `session` or `job` through ripd's descriptor
        socket (PROTOCOL.md, "The descriptor socket"): `file` (a path, a descriptor, or a file
        object's descriptor, flushed first) is handed to ripd, which reads it itself from offset 0
        to its end, so no bytes go through frames; its offset is left alone and it stays open.
        `expected_sha256`, when given, is checked (DataLoss). Other arguments as `put_artifact`,
        which falls back to chunks where this raises FailedPrecondition (ripd serves no
        descriptor socket). A pipe, socket or device, or a descriptor not open for reading, is
        InvalidArgument; Unavailable when the descriptor socket is not the daemon's (its pid)."""
        commit = _artifacts.commit_request(name, file, type, content_type, tags, metadata, "put_artifact_file")
        commit.expected_sha256 = expected_sha256
        owner = _artifacts.owner(session, job)
        opened = _artifacts.PutFile(file)
        try:
            return _files.put(self._served(), owner, commit, opened.descriptor, self._timeout)
        finally:
            opened.close()

    def open_artifact_file(self, artifact_id: str, *, session: str | None = None,
                           job: str | None = None) -> tuple[artifact_pb2.Artifact, BinaryIO]:
        """An artifact of `session` or `job` and its content as a read-only file that ripd hands
        over through its descriptor socket (the content's own file, which stays readable after the
        artifact is deleted): read `artifact.size` bytes from its start (`os.copy_file_range`,
        `os.sendfile` on its `fileno()`), and close it (`with`). FailedPrecondition when ripd
        serves no descriptor socket or keeps the content otherwise than as a plain file (stored
        deflated, or on a shared store): `get_artifact` reads it in ranges then."""
        artifact, descriptor = _files.open_file(self._served(), artifact_id, _artifacts.owner(session, job), self._timeout)
        return artifact, _files.reader(descriptor)

    def get_artifact(self, artifact_id: str, *, session: str | None = None, job: str | None = None,
                     file: _artifacts.FileArg | None = None, chunked: bool = False) -> Any:
        """Downloads an artifact of `session` or `job`. Without `file`, returns the content as
        bytes; with `file` (a path or a writable binary file object), writes it there and returns
        the artifact's metadata. `get_artifact_info` is the metadata alone.

        Into a regular file (a path, or a file `open()` made for writing), the kernel copies the
        content from a descriptor ripd hands over (`open_artifact_file`; its size checked).
        Otherwise, with `chunked`, and where ripd cannot (FailedPrecondition: no descriptor socket,
        a content stored deflated or on a shared store), it comes in ranged reads (a few 4 MiB
        chunks in memory at most) with its SHA-256 checked (DataLoss otherwise)."""
        owner = _artifacts.owner(session, job)
        sink = _artifacts.Download(file)
        info = None
        try:
            target = None if chunked else sink.descriptor()
            if target is not None:
                info = _files.copy_artifact(self._served(), artifact_id, owner, target, self._timeout)
            if info is None:
                info = self._drive(_artifacts.get(artifact_id, owner, sink.handle.write))
        finally:
            result = sink.finish(info is not None, info)
        return result

    # The connection

    def _send(self, frame: bytes) -> None:
        with self._send_lock:
            try:
                self._sock.sendall(frame)
            except OSError as error:
                self._fail_all(self._connection_error or Unavailable(f"cannot send to ripd: {error}"))
                raise self._closed.again() from None  # type: ignore[union-attr]
        if self._late_cancels:
            self._send_late_cancels()

    def _cancel(self, call_id: int) -> None:
        """Cancels a stream: its call is forgotten here and the daemon is told."""
        if self._calls.pop(call_id, None) is None or self._closed is not None:
            return
        self._late_cancels.append(cancel_frame(call_id))
        self._send_late_cancels()

    def _send_late_cancels(self) -> None:
        # A stream garbage-collected inside _send, on the very thread that holds the lock, must
        # not wait for it: its cancel stays queued, and whoever holds the lock sends it after.
        if self._send_lock.acquire(blocking=False):
            try:
                while self._late_cancels:
                    self._sock.sendall(self._late_cancels.popleft())
            except OSError:
                pass  # the connection is gone, which cancels everything anyway
            finally:
                self._send_lock.release()

    def _wait(self, call: _Call) -> None:
        """Returns once `call` has a response (or a stream message), reading the socket for
        every call while no other thread does."""
        try:
            while not call.ready():
                if self._reading.acquire(blocking=False):
                    self._read_until(call)
                    continue
                self._idle.add(call)
                # Whoever held the socket may have let go before it could see us idle: try again.
                if self._reading.acquire(blocking=False):
                    self._idle.discard(call)
                    self._read_until(call)
                    continue
                call.lock.acquire()
                self._idle.discard(call)
        except BaseException:
            self._idle.discard(call)
            raise

    def _read_until(self, call: _Call) -> None:
        """Reads responses until `call` has one (holding `_reading`), then hands the reading to a
        thread still waiting."""
        try:
            while not call.ready():
                self._read_some()
        finally:
            self._reading.release()
            if self._idle:
                for other in list(self._idle):
                    if not other.ready():
                        other.wake()
                        break

    def _read_some(self) -> None:
        # Into one buffer kept for the connection: recv(n) would allocate n bytes per call, and
        # past 128 KiB every allocation is an mmap (a third of a round trip).
        try:
            size = self._sock.recv_into(self._read_buffer)
        except OSError as error:
            size, reason = 0, f"connection to ripd failed: {error}"
        else:
            reason = "connection to ripd closed"
        if not size:
            self._fail_all(self._connection_error or Unavailable(reason))
            return
        for body in self._frames.feed(self._read_view[:size]):
            try:
                response = _Response.FromString(body)
            except Exception:
                self._fail_all(Internal("ripd sent a frame that is not a rip.v1.Response"))
                return
            self._deliver(response)

    def _deliver(self, response: Any) -> None:
        call_id, code = response.id, response.code
        if call_id == 0:  # about the connection: reported to every call if it then closes
            self._connection_error = RipError.of(code, response.message) if code else None
            return
        call = self._calls.pop(call_id, None) if response.end_of_stream else self._calls.get(call_id)
        if call is None:
            return  # a stream cancelled here; the daemon's late messages are dropped
        if call.messages is None:
            if code:
                call.error = RipError.of(code, response.message)
            else:
                call.payload = response.payload
            call.done = True
        else:
            if response.payload or not response.end_of_stream:
                call.messages.append(response.payload)
            if response.end_of_stream:
                if code and code != Cancelled.code:
                    call.error = RipError.of(code, response.message)
                call.done = True
        call.wake()

    def _fail_all(self, error: RipError) -> None:
        """Closes the connection: every call in flight, and every later one, fails with `error`."""
        if self._closed is None:
            self._closed = error
            try:
                self._sock.shutdown(2)
            except OSError:
                pass
            self._sock.close()
        while self._calls:
            _, call = self._calls.popitem()
            call.error = call.error or self._closed.again()
            call.done = True
            call.wake()
