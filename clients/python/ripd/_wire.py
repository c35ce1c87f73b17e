"""What both clients share below the calls: where the socket is, connecting to it and checking
who serves it (as ripctl does), and the frames of PROTOCOL.md."""
from __future__ import annotations

import os
import re
import socket
import struct
from collections.abc import Iterable, Mapping

from .errors import PermissionDenied, ResourceExhausted, Unavailable
from .proto.methods import METHODS, Method

#: The largest frame either side accepts unless ripd was started with --max-frame-bytes.
MAX_FRAME_BYTES = 16 * 1024 * 1024


def default_socket_path(environ: Mapping[str, str] = os.environ) -> str:
    """`$RIPD_SOCKET`, else `$XDG_RUNTIME_DIR/ripd/ripd.sock`, else `/tmp/ripd-$UID/ripd.sock`:
    where ripd listens unless told otherwise (RipDefaults.socketPath)."""
    if environ.get("RIPD_SOCKET"):
        return environ["RIPD_SOCKET"]
    if environ.get("XDG_RUNTIME_DIR"):
        return environ["XDG_RUNTIME_DIR"] + "/ripd/ripd.sock"
    return f"/tmp/ripd-{os.getuid()}/ripd.sock"


def trusted_uids(trust_uids: Iterable[int] | None, environ: Mapping[str, str] = os.environ) -> set[int]:
    """The uids besides our own and root whose ripd we talk to: `trust_uids` when given, else
    the one uid in `$RIPD_TRUST_UID` (as ripctl reads it: a decimal uid, anything else none)."""
    if trust_uids is not None:
        return set(trust_uids)
    value = environ.get("RIPD_TRUST_UID", "")
    if re.fullmatch(r"\+?[0-9]+", value) and int(value) < 2**32:
        return {int(value)}
    return set()


def open_socket(path: str | None, timeout: float | None, trust_uids: Iterable[int] | None) -> socket.socket:
    """A blocking socket connected to the ripd at `path` (by default the default one), whose
    daemon runs as this process's user, root, or a trusted uid (SO_PEERCRED): whoever serves
    the socket sees every session, cookie and job stored through it."""
    path = path or default_socket_path()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(path)
        sock.settimeout(None)
        _pid, uid, _gid = struct.unpack("iII", sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    except FileNotFoundError:
        sock.close()
        raise Unavailable(f"no ripd socket at {path}; start ripd, or point socket= / RIPD_SOCKET at it") from None
    except ConnectionRefusedError:
        sock.close()
        raise Unavailable(f"nothing is listening on {path} (a stale socket?); start ripd") from None
    except PermissionError:
        sock.close()
        raise PermissionDenied(
            f"no permission to connect to {path}; ripd admits only its own user unless started with --allow-uid"
        ) from None
    except OSError as error:
        sock.close()
        raise Unavailable(f"cannot reach ripd at {path}: {error}") from None
    if uid != 0 and uid != os.getuid() and uid not in trusted_uids(trust_uids):
        sock.close()
        raise PermissionDenied(
            f"the ripd at {path} runs as uid {uid}, not as you (uid {os.getuid()}) or root; trust it explicitly "
            f"(trust_uids=[{uid}] or RIPD_TRUST_UID={uid}) only if you know who runs it"
        )
    return sock


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


_method_fields: dict[str, bytes] = {}


def request_frame(call_id: int, path: str, payload: bytes, max_frame_bytes: int = MAX_FRAME_BYTES) -> bytes:
    """One framed `rip.v1.Request`, encoded by hand (field 1 id, 2 method, 3 payload): the
    envelope is three fields, and skipping a message object per call is most of a call's cost."""
    method = _method_fields.get(path)
    if method is None:
        encoded = path.encode()
        method = _method_fields[path] = b"\x12" + _varint(len(encoded)) + encoded
    head = b"\x08" + _varint(call_id) + method + (b"\x1a" + _varint(len(payload)) if payload else b"")
    size = len(head) + len(payload)
    if size > max_frame_bytes:
        raise ResourceExhausted(f"the request is {size} bytes, over the {max_frame_bytes}-byte frame limit")
    return b"".join((size.to_bytes(4, "big"), head, payload))  # one copy of the payload


def cancel_frame(call_id: int) -> bytes:
    """A framed `Request{id, cancel: true}`."""
    body = b"\x08" + _varint(call_id) + b"\x20\x01"
    return len(body).to_bytes(4, "big") + body


class FrameSplitter:
    """Cuts the bytes read from the socket into frame bodies."""

    __slots__ = ("_buffer",)

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes | memoryview) -> list[bytes]:
        buffer = self._buffer
        if not buffer and len(data) >= 4 and len(data) == 4 + int.from_bytes(data[:4], "big"):
            return [bytes(data[4:])]  # exactly one frame: the common case of a round trip
        buffer += data
        frames = []
        position, end = 0, len(buffer)
        with memoryview(buffer) as view:  # one copy per frame, not two
            while end - position >= 4:
                stop = position + 4 + int.from_bytes(view[position:position + 4], "big")
                if stop > end:
                    break
                frames.append(bytes(view[position + 4:stop]))
                position = stop
        del buffer[:position]
        return frames


def build_request(method, request, fields):
    """The request message of a call: `request` itself, or one built from the keyword `fields`."""
    if request is None:
        return method.request_type(**fields)
    if fields:
        raise TypeError(f"{method.name}() takes the request message or its fields as keywords, not both")
    if not isinstance(request, method.request_type):
        raise TypeError(f"{method.name}() takes a {method.request_type.DESCRIPTOR.full_name}, got {type(request).__name__}")
    return request


class _RawReply:
    """The reply of a method this client's catalog lacks: its serialized bytes."""

    FromString = staticmethod(bytes)


def method_at(path, request):
    """The method at `path` ("/rip.v1.SessionService/GetSession"). One this client does not know
    (a newer daemon's) is still called with `request`, and its reply is the serialized bytes."""
    method = METHODS.get(path)
    if method is None:
        if request is None:
            raise TypeError(f"{path} is not in ripd.proto.methods.METHODS: pass the request message")
        method = Method(path, path, type(request), _RawReply, False)
    return method
