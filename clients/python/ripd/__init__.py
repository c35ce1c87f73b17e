"""The Python client of ripd: sessions, cookie jars, jobs and artifacts over a Unix socket.

    import ripd
    client = ripd.Client()                      # $RIPD_SOCKET, $XDG_RUNTIME_DIR/ripd/ripd.sock, ...
    client.create_session(name="crawl", tags=["prod"])
    header = client.cookie_header(session="crawl", url="https://example.com/").header

`ripd.aio.Client` is the same for asyncio; `ripd.RipCookieJar` shares a session's cookie jar
with requests, httpx and urllib; `ripd.Worker` works jobs. Messages are in `ripd.proto`.
"""
from ._stream import Stream
from ._wire import default_socket_path
from .client import Client
from .cookiejar import RipCookieJar
from .errors import (Aborted, AlreadyExists, Cancelled, DataLoss, DeadlineExceeded, FailedPrecondition, Internal,
                     InvalidArgument, NotFound, OutOfRange, PermissionDenied, ResourceExhausted, RipError,
                     Unauthenticated, Unavailable, Unimplemented, Unknown)
from .proto import admin_pb2, artifact_pb2, cookie_pb2, envelope_pb2, job_pb2, session_pb2
from .worker import Context, Job, JobCancelled, PermanentFailure, Worker
from . import aio

__all__ = [
    "Aborted", "AlreadyExists", "Cancelled", "Client", "Context", "DataLoss", "DeadlineExceeded",
    "FailedPrecondition", "Internal", "InvalidArgument", "Job", "JobCancelled", "NotFound", "OutOfRange",
    "PermanentFailure", "PermissionDenied", "ResourceExhausted", "RipCookieJar", "RipError", "Stream",
    "Unauthenticated", "Unavailable", "Unimplemented", "Unknown", "Worker", "admin_pb2", "aio", "artifact_pb2",
    "cookie_pb2", "default_socket_path", "envelope_pb2", "job_pb2", "session_pb2",
]
