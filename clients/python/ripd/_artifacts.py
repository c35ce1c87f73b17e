"""Artifact uploads and downloads as sequences of calls, written once for both clients: each
step yields the calls to make (all at once: a download keeps a window of reads in flight) and
receives their replies; `Client._drive` and `aio.Client._drive` make the calls. `Source` and
`Download` also say when a local file can move as a descriptor instead (`_files`)."""
from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Callable, Generator, Iterator
from typing import Any, BinaryIO, Union

from . import _files
from .errors import DataLoss
from .proto import artifact_pb2
from .proto import methods as m

#: Bytes per AppendUpload and ReadArtifact: the daemon's largest chunk (4 MiB).
CHUNK_BYTES = 4 * 1024 * 1024
#: Ranged reads in flight during a download (at most this many chunks held at once).
READ_WINDOW = 4

Steps = Generator[list, list, Any]
FileArg = Union[str, os.PathLike, BinaryIO]
#: A file for put_artifact_file: a path, a binary file object, or a descriptor.
PutFileArg = Union[str, os.PathLike, BinaryIO, int]


def advance(steps: Steps, replies: list | None, error: BaseException | None) -> tuple[bool, Any]:
    """Hands `steps` the replies of its last batch (or the error one of them raised): (False,
    the next batch) or (True, the result)."""
    try:
        return False, steps.throw(error) if error is not None else steps.send(replies)  # type: ignore[arg-type]
    except StopIteration as stop:
        return True, stop.value


def owner(session: str | None, job: str | None) -> artifact_pb2.ArtifactOwner:
    """The owner of an artifact: exactly one of a session (name or id) and a job id."""
    if (session is None) == (job is None):
        raise TypeError("pass exactly one of session= and job=")
    return artifact_pb2.ArtifactOwner(session=session) if session is not None else artifact_pb2.ArtifactOwner(job_id=job)


def artifact_type(value: int | str) -> Any:
    """An ArtifactType from its number, its name, or its short name ("tool_result")."""
    if isinstance(value, str):
        name = value.upper()
        return artifact_pb2.ArtifactType.Value(name if name.startswith("ARTIFACT_TYPE_") else "ARTIFACT_TYPE_" + name)
    return value


class Source:
    """What put_artifact uploads: `data`, or `file`, a path (opened here; `close` closes it) or a
    binary file object, read from its position."""

    def __init__(self, data: bytes | None, file: FileArg | None) -> None:
        if (data is None) == (file is None):
            raise TypeError("pass exactly one of data= and file=")
        self.data = data
        self.opened = isinstance(file, (str, os.PathLike))
        self.handle: BinaryIO | None = open(file, "rb") if self.opened else file  # type: ignore[arg-type,assignment]

    def descriptor(self) -> int | None:
        """The descriptor ripd can read the content from itself (ArtifactFiles/Put reads from
        offset 0 to the end): a regular file opened here or by `open()`, at its start. None for
        data, a pipe or socket, a file object read partway or of another kind (a GzipFile's
        descriptor is not its content)."""
        handle = self.handle
        if handle is None or not _plain(handle):
            return None
        try:
            if handle.tell() != 0:
                return None
            handle.flush()
            descriptor = handle.fileno()
        except (OSError, ValueError):  # a pipe cannot tell, a closed file cannot do anything
            return None
        return descriptor if _files.is_regular_file(descriptor) else None

    def chunks(self) -> Iterator[bytes]:
        """The content in chunks of at most CHUNK_BYTES."""
        if self.data is not None:
            view = memoryview(self.data)
            return (bytes(view[i:i + CHUNK_BYTES]) for i in range(0, len(view), CHUNK_BYTES))
        read = self.handle.read  # type: ignore[union-attr]
        return iter(lambda: read(CHUNK_BYTES), b"")

    def close(self) -> None:
        if self.opened:
            self.handle.close()  # type: ignore[union-attr]


class PutFile:
    """The file of put_artifact_file as a descriptor: a path (opened read-only here, closed by
    `close`), a descriptor, or a file object's (flushed first); `dup` makes it one of its own,
    which `close` closes, for a call that may outlive its caller (aio)."""

    def __init__(self, file: PutFileArg, dup: bool = False) -> None:
        self.owned = isinstance(file, (str, os.PathLike)) or dup
        if isinstance(file, (str, os.PathLike)):
            self.descriptor = os.open(file, os.O_RDONLY | os.O_CLOEXEC)
            return
        if isinstance(file, int):
            descriptor = file
        else:
            try:
                file.flush()
                descriptor = file.fileno()
            except (OSError, ValueError, AttributeError):
                raise TypeError("put_artifact_file takes a path, a descriptor, or a file object with one "
                                "(fileno()); upload others with put_artifact") from None
        self.descriptor = os.dup(descriptor) if dup else descriptor

    def close(self) -> None:
        if self.owned:
            os.close(self.descriptor)


def _plain(handle: Any) -> bool:
    """Whether `handle` is a file `open()` made: its bytes are those of its descriptor."""
    if isinstance(handle, (io.BufferedReader, io.BufferedWriter, io.BufferedRandom)):
        handle = handle.raw
    return isinstance(handle, io.FileIO)


def put(owner: artifact_pb2.ArtifactOwner, content: Iterator[bytes], commit: artifact_pb2.CommitUploadRequest) -> Steps:
    """BeginUpload, one AppendUpload per chunk, CommitUpload with the SHA-256 computed here (the
    daemon refuses content that changed on the way); an upload that fails midway is aborted."""
    (begun,) = yield [(m.BEGIN_UPLOAD, artifact_pb2.BeginUploadRequest(owner=owner))]
    digest = hashlib.sha256()
    offset = 0
    try:
        for chunk in content:
            if chunk:
                digest.update(chunk)
                append = artifact_pb2.AppendUploadRequest(upload_id=begun.upload_id, offset=offset, data=chunk)
                (appended,) = yield [(m.APPEND_UPLOAD, append)]
                offset = appended.received
    except Exception:
        yield [(m.ABORT_UPLOAD, artifact_pb2.AbortUploadRequest(upload_id=begun.upload_id))]
        raise
    commit.upload_id = begun.upload_id
    commit.expected_sha256 = digest.hexdigest()
    (artifact,) = yield [(m.COMMIT_UPLOAD, commit)]
    return artifact


def get(artifact_id: str, owner: artifact_pb2.ArtifactOwner, sink: Callable[[bytes], Any]) -> Steps:
    """GetArtifact, then ranged ReadArtifact calls, READ_WINDOW in flight, each chunk handed to
    `sink` in order; the content's SHA-256 must be the artifact's (DataLoss otherwise)."""
    (info,) = yield [(m.GET_ARTIFACT_INFO, artifact_pb2.GetArtifactRequest(artifact_id=artifact_id, owner=owner))]
    digest = hashlib.sha256()
    received = 0
    while received < info.size:
        offsets = range(received, min(info.size, received + READ_WINDOW * CHUNK_BYTES), CHUNK_BYTES)
        reads = [artifact_pb2.ReadArtifactRequest(artifact_id=artifact_id, owner=owner, offset=o, length=CHUNK_BYTES)
                 for o in offsets]
        for offset, part in zip(offsets, (yield [(m.READ_ARTIFACT, r) for r in reads])):
            if offset != received:  # a short read: ask again from where it ended
                break
            if not part.data:
                raise DataLoss(f"artifact {artifact_id} ended at {received} of {info.size} bytes")
            digest.update(part.data)
            sink(part.data)
            received += len(part.data)
    if digest.hexdigest() != info.sha256:
        raise DataLoss(f"artifact {artifact_id}: content has SHA-256 {digest.hexdigest()}, not {info.sha256}")
    return info


class Download:
    """Where get_artifact writes: a buffer (returned as bytes), a path (written, removed again if
    the download fails) or a writable file object."""

    def __init__(self, file: FileArg | None) -> None:
        self.path = file if isinstance(file, (str, os.PathLike)) else None
        self.handle: BinaryIO
        if file is None:
            self.handle = io.BytesIO()
        elif self.path is not None:
            self.handle = open(self.path, "wb")
        else:
            self.handle = file  # type: ignore[assignment]
        self.buffered = file is None

    def descriptor(self) -> int | None:
        """The descriptor to copy the content into in the kernel (at its offset), flushed first:
        a regular file opened for writing, here or by `open()`. None for a buffer or anything else."""
        if self.buffered or not _plain(self.handle):
            return None
        try:
            self.handle.flush()
            descriptor = self.handle.fileno()
        except (OSError, ValueError):
            return None
        return descriptor if _files.is_regular_file(descriptor) and _files.is_writable(descriptor) else None

    def finish(self, ok: bool, info: artifact_pb2.Artifact | None) -> Any:
        if self.path is not None:
            self.handle.close()
            if not ok:
                os.unlink(self.path)
        if ok:
            return self.handle.getvalue() if self.buffered else info  # type: ignore[attr-defined]
        return None


def commit_request(name: str | None, file: PutFileArg | None, type: int | str, content_type: str,
                   tags: Any, metadata: Any, caller: str = "put_artifact") -> artifact_pb2.CommitUploadRequest:
    """The CommitUpload fields of put_artifact; the name defaults to the file's base name."""
    if name is None:
        if not isinstance(file, (str, os.PathLike)):
            raise TypeError(f"{caller} needs name= unless file= is a path")
        name = os.path.basename(os.fspath(file))
    return artifact_pb2.CommitUploadRequest(name=name, type=artifact_type(type), content_type=content_type,
                                            tags=list(tags or ()), metadata=dict(metadata or {}))
