"""The messages of a server stream, for the blocking client."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .client import Client, _Call

T = TypeVar("T")


class Stream(Generic[T]):
    """The messages of one server-stream call, in order. Iteration ends when the daemon ends the
    stream (raising its status if it ended with an error). `close()`, leaving a `with` block,
    or dropping the stream (a `break` out of a `for` over it, garbage collection) cancels the
    call on the daemon; the connection goes on serving other calls."""

    def __init__(self, client: Client, call_id: int, call: _Call, message_type: Any) -> None:
        self._client = client
        self._id = call_id
        self._call = call
        self._type = message_type
        self._finished = False

    def __iter__(self) -> Stream[T]:
        return self

    def __next__(self) -> T:
        call = self._call
        while True:
            if call.messages:
                return self._type.FromString(call.messages.popleft())
            if call.done:
                self._finished = True
                if call.error is not None:
                    raise call.error
                raise StopIteration
            if self._finished:
                raise StopIteration
            self._client._wait(call)

    def close(self) -> None:
        """Cancels the call; messages already received are dropped."""
        if not self._finished:
            self._finished = True
            self._call.messages.clear()  # type: ignore[union-attr]
            self._client._cancel(self._id)

    cancel = close

    def __enter__(self) -> Stream[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        if not getattr(self, "_finished", True):
            self.close()
