"""Every error class from a real failing call to ripd."""
from __future__ import annotations

import os
import signal

import pytest

import ripd
from ripd.proto import admin_pb2, artifact_pb2

from conftest import GUARD

NOBODY = 65534


def expect(error_class, call, *args, **fields):
    with pytest.raises(error_class) as caught:
        call(*args, **fields)
    assert type(caught.value) is error_class and isinstance(caught.value, ripd.RipError)
    assert caught.value.code == error_class.code and caught.value.message
    return caught.value


def test_session_errors(client, name):
    expect(ripd.NotFound, client.get_session, session=name)
    error = expect(ripd.InvalidArgument, client.create_session, name="")
    assert "1–128" in error.message and str(error).startswith("INVALID_ARGUMENT: ")
    client.create_session(name=name)
    expect(ripd.AlreadyExists, client.create_session, name=name)


def test_job_errors(client, name):
    job = client.submit_job(urls=["https://a.example/"], method=name)
    lease = client.claim(worker_id="w", methods=[name], lease_ms=30_000).jobs[0]
    expect(ripd.FailedPrecondition, client.heartbeat, job_id=job.id, token="0" * 32)
    expect(ripd.ResourceExhausted, client.save_checkpoint, job_id=job.id, token=lease.token, data=b"x" * (1024 * 1024 + 1))
    client.complete_job(job_id=job.id, token=lease.token)
    # A webhook this ripd (no --webhook-allow) does not allow.
    error = expect(ripd.PermissionDenied, client.submit_job, urls=["https://a.example/"], webhook="http://127.0.0.1:9/hook")
    assert "--webhook-allow" in error.message


def test_artifact_errors(client, name):
    client.create_session(name=name)
    owner = artifact_pb2.ArtifactOwner(session=name)
    upload = client.begin_upload(owner=owner).upload_id
    client.append_upload(upload_id=upload, offset=0, data=b"abc")
    expect(ripd.DataLoss, client.commit_upload, upload_id=upload, name="a", expected_sha256="0" * 64)
    artifact = client.put_artifact(session=name, data=b"abc", name="a")
    expect(ripd.OutOfRange, client.read_artifact, artifact_id=artifact.id, owner=owner, offset=10)


def test_unknown_method_is_unimplemented(client):
    expect(ripd.Unimplemented, client.call, "/rip.v1.SessionService/NoSuchMethod", admin_pb2.HealthRequest())


def test_unknown_method_of_a_newer_daemon_is_bytes_in_bytes_out(client):
    assert client.call("/rip.v1.AdminService/Health", admin_pb2.HealthRequest()).status == "SERVING"


def test_a_peer_of_another_uid_is_refused_by_the_daemon(own_daemon):
    os.chmod(own_daemon.socket, 0o666)  # let it reach the daemon, which checks SO_PEERCRED
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # as nobody: one call, then report what it raised
        try:
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                ripd.Client(own_daemon.socket).health()
                outcome = "no error"
            except ripd.RipError as error:
                outcome = f"{type(error).__name__}: {error.message}"
            os.write(write, outcome.encode())
        finally:
            os._exit(0)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            outcome = pipe.read()
    finally:
        os.kill(child, signal.SIGKILL) if _alive(child) else None
        os.waitpid(child, 0)
    assert outcome.startswith("PermissionDenied: "), outcome


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_dropped_connection_is_unavailable(own_daemon):
    client = ripd.Client(own_daemon.socket)
    own_daemon.process.send_signal(signal.SIGKILL)
    own_daemon.process.wait(GUARD)
    expect(ripd.Unavailable, client.health)
    expect(ripd.Unavailable, client.health)  # and every later call


def test_one_class_per_status():
    from ripd.proto import envelope_pb2
    for name, code in envelope_pb2.StatusCode.items():
        if code == envelope_pb2.OK:
            continue
        error = ripd.RipError.of(code, "m")
        assert type(error).__name__.lower() == name.replace("_", "").lower() and error.code == code
        assert isinstance(error, ripd.RipError) and error.code_name == name
    assert type(ripd.RipError.of(99, "m")) is ripd.RipError
    assert ripd.NotFound("gone").code == envelope_pb2.NOT_FOUND
