"""The connection: finding the socket, checking who serves it, streams cancelled and the
connection reused, many threads on one connection, and a connection that drops."""
from __future__ import annotations

import os
import signal
import socket
import threading

import pytest

import ripd
from ripd._wire import default_socket_path, trusted_uids
from ripd.proto import job_pb2

from conftest import DAEMON_ARGS, GUARD, running

NOBODY = 65534


def test_socket_discovery_as_ripctl(daemon, monkeypatch):
    assert default_socket_path({"RIPD_SOCKET": "/a.sock", "XDG_RUNTIME_DIR": "/run"}) == "/a.sock"
    assert default_socket_path({"RIPD_SOCKET": "", "XDG_RUNTIME_DIR": "/run/u"}) == "/run/u/ripd/ripd.sock"
    assert default_socket_path({}) == f"/tmp/ripd-{os.getuid()}/ripd.sock"
    monkeypatch.setenv("RIPD_SOCKET", daemon.socket)
    with ripd.Client() as client:
        assert client.health().status == "SERVING"


def test_nothing_listening_is_said_clearly(tmp_path):
    with pytest.raises(ripd.Unavailable, match="no ripd socket at .*missing.sock; start ripd"):
        ripd.Client(str(tmp_path / "missing.sock"))
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(tmp_path / "stale.sock"))
    stale.close()
    with pytest.raises(ripd.Unavailable, match="nothing is listening on .*stale.sock"):
        ripd.Client(str(tmp_path / "stale.sock"))


def test_trusted_uids_as_ripctl():
    assert trusted_uids(None, {"RIPD_TRUST_UID": "1000"}) == {1000}
    assert trusted_uids(None, {"RIPD_TRUST_UID": "x"}) == set()
    assert trusted_uids([5], {"RIPD_TRUST_UID": "1000"}) == {5}


def test_a_daemon_of_another_uid_is_refused_unless_trusted(monkeypatch):
    with running(*DAEMON_ARGS, user=NOBODY) as other:
        with pytest.raises(ripd.PermissionDenied, match=f"runs as uid {NOBODY}, not as you"):
            ripd.Client(other.socket)
        with ripd.Client(other.socket, trust_uids=[NOBODY]) as client:
            assert client.health().status == "SERVING"
        monkeypatch.setenv("RIPD_TRUST_UID", str(NOBODY))
        with ripd.Client(other.socket) as client:
            assert client.health().status == "SERVING"


def wait_streams(client: ripd.Client, count: int) -> None:
    """Until the daemon counts `count` open streams (each poll is a round trip; the guard is
    a hang guard)."""
    for _ in range(100_000):
        if client.info().streams_open == count:
            return
    raise AssertionError(f"streams_open stayed at {client.info().streams_open}, not {count}")


def test_stream_cancelled_midway_then_connection_reused(client, name):
    job = client.submit_job(urls=["https://a.example/"], method=name)
    base = client.info().streams_open
    for event in client.watch_job(job_id=job.id):  # dropped by the break: cancelled
        assert event.kind == job_pb2.JobEvent.KIND_CURRENT
        break
    assert client.get_job(job_id=job.id).id == job.id
    wait_streams(client, base)

    with client.watch_events(jobs=True) as events:
        client.pause_job(job_id=job.id)
        assert next(events).job.job.status == job_pb2.JOB_STATUS_PAUSED
    assert client.resume_job(job_id=job.id).status == job_pb2.JOB_STATUS_PENDING
    wait_streams(client, base)

    stream = client.watch_job(job_id=job.id)
    next(stream)
    stream.close()
    assert list(stream) == []
    wait_streams(client, base)
    assert not client._calls


def test_threads_share_one_connection(client, name):
    client.create_session(name=name)
    errors: list[BaseException] = []

    def calls() -> None:
        try:
            for _ in range(300):
                assert client.get_session(session=name).name == name
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(GUARD)
    assert not errors and not any(t.is_alive() for t in threads)


def test_dropped_connection_fails_every_call_in_flight(own_daemon, name):
    client = ripd.Client(own_daemon.socket)
    watcher = ripd.Client(own_daemon.socket)
    outcomes: dict[str, BaseException] = {}

    def claim() -> None:
        try:
            client.claim(worker_id="w", methods=[name], wait_ms=600_000)
        except BaseException as error:
            outcomes["claim"] = error

    def stream() -> None:
        try:
            for _ in client.watch_events(jobs=True):
                pass
        except BaseException as error:
            outcomes["stream"] = error

    threads = [threading.Thread(target=claim), threading.Thread(target=stream)]
    for t in threads:
        t.start()
    for _ in range(100_000):  # until both calls are in flight at the daemon
        info = watcher.info()
        if info.claims_waiting == 1 and info.streams_open == 1:
            break
    own_daemon.process.send_signal(signal.SIGKILL)
    for t in threads:
        t.join(GUARD)
    assert isinstance(outcomes["claim"], ripd.Unavailable), outcomes
    assert isinstance(outcomes["stream"], ripd.Unavailable), outcomes
    with pytest.raises(ripd.Unavailable):
        client.health()
    watcher.close()
    client.close()
