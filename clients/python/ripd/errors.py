"""ripd's statuses as exceptions: `RipError` with one subclass per gRPC canonical code."""
from __future__ import annotations

from .proto import envelope_pb2


class RipError(Exception):
    """A call that failed: the daemon's status code (`envelope_pb2.StatusCode`) and its message,
    which says what to fix. `RipError.of(code, message)` builds the subclass for the code."""

    code: int = envelope_pb2.UNKNOWN

    def __init__(self, code: int | str | None = None, message: str = "") -> None:
        if isinstance(code, str):  # NotFound("no such session"): the class gives the code
            message = code
        elif code is not None:
            self.code = code
        self.message = message
        super().__init__(message)

    @property
    def code_name(self) -> str:
        """'NOT_FOUND', 'INVALID_ARGUMENT', …"""
        try:
            return envelope_pb2.StatusCode.Name(self.code)
        except ValueError:
            return str(self.code)

    def __str__(self) -> str:
        return f"{self.code_name}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code}, {self.message!r})"

    def __reduce__(self):  # picklable across processes (multiprocessing, concurrent.futures)
        return (RipError.of, (self.code, self.message))

    def again(self) -> RipError:
        """A new exception like this one: one error (a closed connection) fails many calls, and
        each raise gets its own traceback."""
        return RipError.of(self.code, self.message)

    @staticmethod
    def of(code: int, message: str) -> RipError:
        """The exception for `code`: `NotFound` for 5, and so on; `RipError` for unknown codes."""
        return _BY_CODE.get(code, RipError)(code, message)


class Cancelled(RipError):
    code = envelope_pb2.CANCELLED


class Unknown(RipError):
    code = envelope_pb2.UNKNOWN


class InvalidArgument(RipError):
    code = envelope_pb2.INVALID_ARGUMENT


class DeadlineExceeded(RipError):
    code = envelope_pb2.DEADLINE_EXCEEDED


class NotFound(RipError):
    code = envelope_pb2.NOT_FOUND


class AlreadyExists(RipError):
    code = envelope_pb2.ALREADY_EXISTS


class PermissionDenied(RipError):
    code = envelope_pb2.PERMISSION_DENIED


class ResourceExhausted(RipError):
    code = envelope_pb2.RESOURCE_EXHAUSTED


class FailedPrecondition(RipError):
    code = envelope_pb2.FAILED_PRECONDITION


class Aborted(RipError):
    code = envelope_pb2.ABORTED


class OutOfRange(RipError):
    code = envelope_pb2.OUT_OF_RANGE


class Unimplemented(RipError):
    code = envelope_pb2.UNIMPLEMENTED


class Internal(RipError):
    code = envelope_pb2.INTERNAL


class Unavailable(RipError):
    """No daemon listening, the connection dropped (every call in flight fails so), or the
    daemon is shutting down or could not write its log: retry later."""

    code = envelope_pb2.UNAVAILABLE


class DataLoss(RipError):
    code = envelope_pb2.DATA_LOSS


class Unauthenticated(RipError):
    code = envelope_pb2.UNAUTHENTICATED


_BY_CODE: dict[int, type[RipError]] = {cls.code: cls for cls in RipError.__subclasses__()}
