"""Artifacts moved as file descriptors through the daemon's descriptor socket (PROTOCOL.md, "The
descriptor socket"), written once for both clients as blocking functions (`aio.Client` runs them
in a thread): no bytes go through frames, so a local file moves at the speed of the disk.

Each call connects to the socket `Info` reported (`descriptor_socket`) and checks that the process
serving the main socket (its pid, SO_PEERCRED: `served`) serves it too, then sends one `Request` frame and reads one `Response`
frame, either of which may carry one descriptor (SCM_RIGHTS). A daemon that serves no descriptor
socket, or keeps a content otherwise than as a plain file, answers FAILED_PRECONDITION: move the
artifact in chunks then."""
from __future__ import annotations

import errno
import fcntl
import os
import socket
import stat
import struct
from typing import Any, BinaryIO

from google.protobuf.message import DecodeError, Message

from ._wire import MAX_FRAME_BYTES, request_frame
from .errors import DataLoss, FailedPrecondition, Internal, ResourceExhausted, RipError, Unavailable
from .proto import admin_pb2, artifact_pb2, envelope_pb2

PUT = "/rip.v1.ArtifactFiles/Put"
OPEN = "/rip.v1.ArtifactFiles/Open"
#: Seconds a send or a receive on the descriptor socket may take before the call fails with
#: Unavailable: the daemon reads a whole file before it answers a Put.
TIMEOUT = 600.0
#: Room for the descriptors of one frame: any beyond the first are closed, not leaked.
_MAX_DESCRIPTORS = 8
_RECEIVE_FLAGS = getattr(socket, "MSG_CMSG_CLOEXEC", 0)


def served(info: admin_pb2.InfoResponse, main: socket.socket, path: str) -> admin_pb2.InfoResponse:
    """The daemon as this process sees it: its `info` with `pid` replaced by the main socket's
    peer as the kernel names it here (SO_PEERCRED), which the descriptor socket's peer must be
    (Info's own pid is the daemon's view, another number in a container's pid namespace), and,
    when it serves one, `descriptor_socket` beside `path`, the socket this client reached it by."""
    daemon = admin_pb2.InfoResponse()
    daemon.CopyFrom(info)
    daemon.pid = _peer_pid(main)
    if daemon.descriptor_socket:
        daemon.descriptor_socket = path + ".fd"
    return daemon


def _peer_pid(sock: socket.socket) -> int:
    return struct.unpack("iII", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0]


def call(daemon: admin_pb2.InfoResponse, path: str, request: Message, attach: int | None,
         connect_timeout: float | None) -> tuple[bytes, int | None]:
    """Calls `path` on the descriptor socket of `daemon` (its `Info`) with `attach` riding on the
    request's frame (the descriptor stays open here: the daemon gets its own): the reply's payload
    and the descriptor that came with it, which the caller closes. The daemon's status raises
    its RipError. FailedPrecondition for whatever fails before the daemon took the request (no
    descriptor socket, another process's, a refused connection); Unavailable for a failure after."""
    where = daemon.descriptor_socket
    if not where:
        raise FailedPrecondition("this ripd serves no descriptor socket; move the artifact in chunks")
    limit = daemon.max_frame_bytes or MAX_FRAME_BYTES
    frame = request_frame(1, path, request.SerializeToString(), limit)
    # What fails before the daemon took the request did nothing: the chunked calls can do it.
    try:
        sock = _connect(where, connect_timeout)
    except Unavailable as error:
        raise FailedPrecondition(f"{error}; move the artifact in chunks") from None
    with sock:
        try:
            pid = _peer_pid(sock)
            if pid != daemon.pid:
                raise FailedPrecondition(f"{where} is served by pid {pid}, not by the ripd this client talks to "
                                         f"(pid {daemon.pid}); not using it, move the artifact in chunks")
            try:
                _send(sock, frame, attach)
            except OSError as error:
                raise FailedPrecondition(f"cannot send on the descriptor socket {where}: {_reason(error)}; "
                                         "move the artifact in chunks") from None
            body, received = _receive(sock, limit)
        except OSError as error:
            raise Unavailable(f"the descriptor socket {where} failed: {_reason(error)}") from None
    try:
        response = envelope_pb2.Response.FromString(body)
        if response.code and response.id == 0:
            # Refused as a connection (8 served at once, the peer not admitted).
            raise FailedPrecondition(f"the descriptor socket refused the connection ({response.message}); "
                                     "move the artifact in chunks")
        if response.code:
            raise RipError.of(response.code, response.message)
        return response.payload, received
    except BaseException as error:
        if received is not None:
            os.close(received)
        if isinstance(error, DecodeError):
            raise Internal("ripd sent a frame that is not a rip.v1.Response") from None
        raise


def put(daemon: admin_pb2.InfoResponse, owner: artifact_pb2.ArtifactOwner, commit: artifact_pb2.CommitUploadRequest,
        descriptor: int, connect_timeout: float | None) -> artifact_pb2.Artifact:
    """Has the daemon record the file open at `descriptor` (read from offset 0 to its end with
    pread: its offset is left alone) as an artifact of `owner`, named as `commit` says."""
    request = artifact_pb2.PutArtifactFileRequest(owner=owner, commit=commit)
    payload, extra = call(daemon, PUT, request, descriptor, connect_timeout)
    if extra is not None:
        os.close(extra)
    return _parse(artifact_pb2.Artifact, payload)


def open_file(daemon: admin_pb2.InfoResponse, artifact_id: str, owner: artifact_pb2.ArtifactOwner,
              connect_timeout: float | None) -> tuple[artifact_pb2.Artifact, int]:
    """The artifact and a read-only descriptor of its content (`artifact.size` bytes from offset
    0), which the caller closes."""
    request = artifact_pb2.OpenArtifactFileRequest(artifact_id=artifact_id, owner=owner)
    payload, descriptor = call(daemon, OPEN, request, None, connect_timeout)
    if descriptor is None:
        raise Internal("ripd's Open reply carried no descriptor")
    try:
        return _parse(artifact_pb2.OpenArtifactFileResponse, payload).artifact, descriptor
    except BaseException:
        os.close(descriptor)
        raise


def reader(descriptor: int) -> BinaryIO:
    """A binary file object that owns `descriptor` (closed if it cannot be made)."""
    try:
        return open(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def copy_artifact(daemon: admin_pb2.InfoResponse, artifact_id: str, owner: artifact_pb2.ArtifactOwner, sink: int,
                  connect_timeout: float | None) -> artifact_pb2.Artifact | None:
    """Copies an artifact's content into `sink` (at its offset) from a descriptor the daemon
    hands over, as `ripctl artifact get` does: the artifact; None when the daemon cannot
    (FAILED_PRECONDITION: no descriptor socket, or the content is not a plain file), so read it
    in ranges then. DataLoss when the file ends before the artifact's size."""
    try:
        artifact, source = open_file(daemon, artifact_id, owner, connect_timeout)
    except FailedPrecondition:
        return None
    try:
        copied = copy(source, sink, artifact.size)
    finally:
        os.close(source)
    if copied != artifact.size:
        raise DataLoss(f"the file of artifact {artifact_id} ended after {copied} of its {artifact.size} bytes")
    return artifact


def copy(source: int, sink: int, length: int) -> int:
    """Copies `length` bytes from offset 0 of the file `source` to `sink` at its offset, in the
    kernel where the two allow it (copy_file_range between files, sendfile to anything, else
    pread and write): the bytes copied, fewer when `source` ended first. OSError on failure."""
    copied = 0
    if hasattr(os, "copy_file_range"):  # file to file (EXDEV, EINVAL, an O_APPEND sink: try the next)
        while copied < length:
            try:
                count = os.copy_file_range(source, sink, length - copied, copied)
            except InterruptedError:
                continue
            except OSError:
                break
            if count <= 0:
                break
            copied += count
    if hasattr(os, "sendfile"):  # to any descriptor: a pipe or a socket too
        while copied < length:
            try:
                count = os.sendfile(sink, source, copied, length - copied)
            except InterruptedError:
                continue
            except OSError as error:
                if copied == 0 and error.errno in (errno.EINVAL, errno.ENOSYS):
                    break
                raise
            if count == 0:
                return copied
            copied += count
    while copied < length:
        data = os.pread(source, min(length - copied, 1 << 20), copied)
        if not data:
            break
        with memoryview(data) as view:
            written = 0
            while written < len(view):
                written += os.write(sink, view[written:])
        copied += len(data)
    return copied


def is_regular_file(descriptor: int) -> bool:
    """Whether `descriptor` is open on a regular file, which ripd can read itself (`put`)."""
    try:
        return stat.S_ISREG(os.fstat(descriptor).st_mode)
    except OSError:
        return False


def is_writable(descriptor: int) -> bool:
    """Whether `descriptor` was opened for writing."""
    try:
        return fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
    except OSError:
        return False


def _connect(path: str, timeout: float | None) -> socket.socket:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.settimeout(TIMEOUT)
    except FileNotFoundError:
        sock.close()
        raise Unavailable(f"no descriptor socket at {path}, which ripd reported (did it stop?)") from None
    except PermissionError:
        sock.close()
        raise Unavailable(f"no permission to connect to the descriptor socket {path}") from None
    except OSError as error:
        sock.close()
        raise Unavailable(f"cannot connect to the descriptor socket {path}: {_reason(error)}") from None
    return sock


def _send(sock: socket.socket, frame: bytes, attach: int | None) -> None:
    """Sends `frame` whole, `attach` riding on its first bytes."""
    view = memoryview(frame)
    if attach is not None:
        view = view[socket.send_fds(sock, [view], [attach]):]
    if view:
        sock.sendall(view)


def _receive(sock: socket.socket, limit: int) -> tuple[bytes, int | None]:
    """One frame's body and the descriptor that came with it (the caller's to close)."""
    kept: list[int] = []
    try:
        header = _read(sock, 4, kept, at_start=True)
        length = int.from_bytes(header, "big")
        if length > limit:
            raise ResourceExhausted(f"ripd sent a frame of {length} bytes, over the limit of {limit}")
        body = _read(sock, length, kept, at_start=False) if length else b""
    except BaseException:
        for descriptor in kept:
            os.close(descriptor)
        raise
    return body, (kept[0] if kept else None)


def _read(sock: socket.socket, size: int, kept: list[int], at_start: bool) -> bytes:
    """Exactly `size` bytes; the first descriptor that comes with them goes to `kept`, any other
    is closed."""
    parts: list[bytes] = []
    got = 0
    while got < size:
        data, descriptors, _flags, _address = socket.recv_fds(sock, size - got, _MAX_DESCRIPTORS, _RECEIVE_FLAGS)
        for descriptor in descriptors:
            if kept:
                os.close(descriptor)
            else:
                kept.append(descriptor)
        if not data:
            if at_start and got == 0:
                raise Unavailable("the descriptor socket closed before its reply")
            raise Unavailable("the descriptor socket closed in the middle of a frame")
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def _parse(message_type: Any, payload: bytes) -> Any:
    try:
        return message_type.FromString(payload)
    except DecodeError:
        raise Internal(f"ripd's reply is not a {message_type.DESCRIPTOR.full_name}") from None


def _reason(error: OSError) -> str:
    return "timed out" if isinstance(error, TimeoutError) else (error.strerror or str(error))

