"""Artifacts through put_artifact/get_artifact: chunked both ways, SHA-256 checked; local files
as descriptors through the descriptor socket, with the chunked calls as the fallback."""
from __future__ import annotations

import asyncio
import collections
import errno
import fcntl
import hashlib
import io
import os
import shutil
import tempfile
import tracemalloc

import pytest

import ripd

from conftest import DAEMON_ARGS, GUARD, running

SIZES = [0, 1, 10 * 1024 * 1024]


@pytest.mark.parametrize("size", SIZES, ids=["0B", "1B", "10MiB"])
def test_round_trip_sync(client, name, size, tmp_path):
    data = os.urandom(size)
    client.create_session(name=name)
    artifact = client.put_artifact(session=name, data=data, name="blob", type="tool_result", tags=["t"],
                                   metadata={"k": "v"}, content_type="application/octet-stream")
    assert artifact.size == size and artifact.sha256 == hashlib.sha256(data).hexdigest()
    assert artifact.type == ripd.artifact_pb2.ARTIFACT_TYPE_TOOL_RESULT and artifact.metadata["k"] == "v"
    assert client.get_artifact(artifact.id, session=name) == data

    source = tmp_path / "in.bin"
    source.write_bytes(data)
    from_file = client.put_artifact(session=name, file=source, chunked=True)  # descriptors: test_file_round_trip
    assert from_file.name == "in.bin" and from_file.sha256 == artifact.sha256
    info = client.get_artifact(from_file.id, session=name, file=tmp_path / "out.bin", chunked=True)
    assert info.sha256 == artifact.sha256 and (tmp_path / "out.bin").read_bytes() == data
    sink = io.BytesIO()
    client.get_artifact(from_file.id, session=name, file=sink)
    assert sink.getvalue() == data


@pytest.mark.parametrize("size", SIZES, ids=["0B", "1B", "10MiB"])
def test_round_trip_asyncio(daemon, name, size):
    data = os.urandom(size)

    async def main():
        async with ripd.aio.Client(daemon.socket) as client:
            job = await client.submit_job(urls=["https://a.example/"], method=name)
            artifact = await client.put_artifact(job=job.id, data=data, name="blob")
            assert artifact.sha256 == hashlib.sha256(data).hexdigest()
            assert await client.get_artifact(artifact.id, job=job.id) == data

    asyncio.run(asyncio.wait_for(main(), GUARD))


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "descriptors"])
def test_memory_stays_bounded(client, name, tmp_path, chunked):
    size = 40 * 1024 * 1024
    source = tmp_path / "big.bin"
    with open(source, "wb") as f:
        for _ in range(size // (1 << 20)):
            f.write(os.urandom(1 << 20))
    client.create_session(name=name)
    tracemalloc.start()
    try:
        artifact = client.put_artifact(session=name, file=source, chunked=chunked)
        client.get_artifact(artifact.id, session=name, file=tmp_path / "copy.bin", chunked=chunked)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (tmp_path / "copy.bin").read_bytes() == source.read_bytes()
    # A window of four 4 MiB reads in flight, and the copies of one chunk; not the artifact.
    # As descriptors, the bytes never reach Python at all.
    limit = 30 * 1024 * 1024 if chunked else 1024 * 1024
    assert peak < limit, f"peak {peak} bytes for a {size}-byte artifact"


def test_owner_is_required(client):
    with pytest.raises(TypeError):
        client.put_artifact(data=b"x", name="x")
    with pytest.raises(TypeError):
        client.put_artifact(session="a", job="b", data=b"x", name="x")


# Files as descriptors (PROTOCOL.md, "The descriptor socket")

FILE_SIZES = [0, 1000, 9 * 1024 * 1024 + 7]
FILE_IDS = ["0B", "1000B", "9MiB"]


@pytest.fixture
def descriptor_calls(monkeypatch):
    """The client's calls on the descriptor socket, counted by method."""
    calls: collections.Counter = collections.Counter()
    real = ripd._files.call

    def spy(daemon, path, *rest):
        calls[path] += 1
        return real(daemon, path, *rest)

    monkeypatch.setattr(ripd._files, "call", spy)
    return calls


def write(path, data: bytes):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("size", FILE_SIZES, ids=FILE_IDS)
def test_file_round_trip(client, name, size, tmp_path, descriptor_calls):
    data = os.urandom(size)  # random bytes do not compress: kept as a plain file
    source = write(tmp_path / "in.bin", data)
    client.create_session(name=name)
    artifact = client.put_artifact_file(session=name, file=source, type="tool_result", tags=["t"], metadata={"k": "v"},
                                        expected_sha256=hashlib.sha256(data).hexdigest())
    assert artifact.name == "in.bin" and artifact.size == size and artifact.sha256 == hashlib.sha256(data).hexdigest()
    assert artifact.encoding == "identity" and artifact.metadata["k"] == "v" and list(artifact.tags) == ["t"]

    opened, content = client.open_artifact_file(artifact.id, session=name)
    with content:
        assert opened.id == artifact.id and opened.size == size
        assert content.read() == data

    # The helpers take the same path: a path or a file open() made, both ways.
    put = client.put_artifact(session=name, file=source)
    with open(source, "rb") as f:
        put_object = client.put_artifact(session=name, file=f, name="object")
    assert put.sha256 == put_object.sha256 == artifact.sha256
    info = client.get_artifact(put.id, session=name, file=tmp_path / "out.bin")
    assert info.id == put.id and (tmp_path / "out.bin").read_bytes() == data
    with open(tmp_path / "out2.bin", "wb") as sink:
        sink.write(b"head")
        client.get_artifact(put_object.id, session=name, file=sink)
        assert sink.tell() == 4 + size
        sink.write(b"tail")
    assert (tmp_path / "out2.bin").read_bytes() == b"head" + data + b"tail"
    assert descriptor_calls == {ripd._files.PUT: 3, ripd._files.OPEN: 3}

    # chunked=True: the frames alone.
    chunked = client.put_artifact(session=name, file=source, chunked=True)
    assert chunked.sha256 == artifact.sha256
    client.get_artifact(chunked.id, session=name, file=tmp_path / "out3.bin", chunked=True)
    assert (tmp_path / "out3.bin").read_bytes() == data
    assert descriptor_calls == {ripd._files.PUT: 3, ripd._files.OPEN: 3}


def test_put_file_leaves_the_offset_alone(client, name, tmp_path, descriptor_calls):
    data = os.urandom(100_000)
    source = write(tmp_path / "in.bin", data)
    client.create_session(name=name)
    descriptor = os.open(source, os.O_RDONLY)
    try:
        os.lseek(descriptor, 5, os.SEEK_SET)
        artifact = client.put_artifact_file(session=name, file=descriptor, name="fd")
        assert os.lseek(descriptor, 0, os.SEEK_CUR) == 5  # and still open
        assert artifact.size == len(data) and artifact.sha256 == hashlib.sha256(data).hexdigest()
    finally:
        os.close(descriptor)
    with open(source, "rb") as f:
        f.read(3)
        assert client.put_artifact_file(session=name, file=f, name="object").size == len(data)
        assert f.tell() == 3 and f.read(2) == data[3:5]
        # put_artifact of a file object read partway sends what is left, in chunks, as before.
        rest = client.put_artifact(session=name, file=f, name="rest")
        assert rest.sha256 == hashlib.sha256(data[5:]).hexdigest()
        f.seek(0)
        client.put_artifact(session=name, file=f, name="whole")  # at its start: as a descriptor
        assert f.tell() == 0
    assert descriptor_calls == {ripd._files.PUT: 3}


def test_opened_file_is_read_only(client, name):
    client.create_session(name=name)
    data = os.urandom(5000)
    artifact = client.put_artifact(session=name, data=data, name="x")
    opened, content = client.open_artifact_file(artifact.id, session=name)
    with content:
        assert fcntl.fcntl(content.fileno(), fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY
        with pytest.raises(OSError) as error:
            os.write(content.fileno(), b"x")
        assert error.value.errno == errno.EBADF
        client.delete_artifact(artifact_id=artifact.id, owner={"session": name})
        assert os.pread(content.fileno(), opened.size, 0) == data  # still readable once deleted
    with pytest.raises(ripd.NotFound):
        client.open_artifact_file(artifact.id, session=name)


def test_deflated_content_falls_back(client, name, tmp_path, descriptor_calls):
    text = b"".join(b"line %d of a text that compresses well\n" % i for i in range(2000))  # ~80 KiB
    source = write(tmp_path / "page.html", text)
    client.create_session(name=name)
    artifact = client.put_artifact(session=name, file=source)  # ripd reads it, and deflates it
    assert artifact.encoding == "deflate" and artifact.stored_size < artifact.size == len(text)
    with pytest.raises(ripd.FailedPrecondition):
        client.open_artifact_file(artifact.id, session=name)
    info = client.get_artifact(artifact.id, session=name, file=tmp_path / "out.html")  # Open refused: ranged reads
    assert info.sha256 == artifact.sha256 and (tmp_path / "out.html").read_bytes() == text
    with open(tmp_path / "out2.html", "wb") as sink:
        client.get_artifact(artifact.id, session=name, file=sink)
    assert (tmp_path / "out2.html").read_bytes() == text
    assert descriptor_calls == {ripd._files.PUT: 1, ripd._files.OPEN: 3}


def test_put_file_refuses_what_is_not_a_readable_file(client, name, tmp_path):
    client.create_session(name=name)
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"piped")
        with pytest.raises(ripd.InvalidArgument):
            client.put_artifact_file(session=name, file=read_end, name="pipe")
        os.close(write_end)
        write_end = -1
        with os.fdopen(os.dup(read_end), "rb") as pipe:  # put_artifact sends a pipe in chunks
            assert client.put_artifact(session=name, file=pipe, name="pipe").size == 5
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
    source = write(tmp_path / "w.bin", b"data")
    descriptor = os.open(source, os.O_WRONLY)
    try:
        with pytest.raises(ripd.InvalidArgument):
            client.put_artifact_file(session=name, file=descriptor, name="write-only")
    finally:
        os.close(descriptor)
    with pytest.raises(TypeError):
        client.put_artifact_file(session=name, file=io.BytesIO(b"x"), name="buffer")
    with open(source, "rb") as f, pytest.raises(TypeError):
        client.put_artifact_file(session=name, file=f.fileno())  # no name=
    assert client.query_artifacts(owner={"session": name}).artifacts[0].name == "pipe"  # nothing else kept


def test_open_file_of_another_owner_is_not_found(client, name, tmp_path):
    other = name + "-other"
    client.create_session(name=name)
    client.create_session(name=other)
    artifact = client.put_artifact_file(session=name, file=write(tmp_path / "a.bin", os.urandom(100)))
    with pytest.raises(ripd.NotFound):
        client.open_artifact_file(artifact.id, session=other)
    with pytest.raises(ripd.NotFound):
        client.get_artifact(artifact.id, session=other, file=tmp_path / "out.bin")
    assert not (tmp_path / "out.bin").exists()


def test_descriptor_socket_of_another_pid_is_refused(client, name, tmp_path):
    client.create_session(name=name)
    daemon = client.info()
    daemon.pid += 1
    owner = ripd.artifact_pb2.ArtifactOwner(session=name)
    with open(write(tmp_path / "a.bin", b"abc"), "rb") as f:
        with pytest.raises(ripd.FailedPrecondition, match="not by the ripd this client talks to"):
            ripd._files.put(daemon, owner, ripd.artifact_pb2.CommitUploadRequest(name="a"), f.fileno(), 5.0)
    assert not client.query_artifacts(owner={"session": name}).artifacts


def test_without_a_descriptor_socket_chunks_are_used(name, tmp_path, descriptor_calls):
    # A file where the descriptor socket would go: ripd serves the main socket alone.
    where = tempfile.mkdtemp(prefix="ripd-nofd-")
    try:
        os.mkdir(os.path.join(where, "ripd.sock.fd"))
        with running(*DAEMON_ARGS, "--socket", os.path.join(where, "ripd.sock")):
            with ripd.Client(os.path.join(where, "ripd.sock")) as client:
                assert client.info().descriptor_socket == ""
                client.create_session(name=name)
                data = os.urandom(6 * 1024 * 1024)
                source = write(tmp_path / "in.bin", data)
                with pytest.raises(ripd.FailedPrecondition):
                    client.put_artifact_file(session=name, file=source)
                artifact = client.put_artifact(session=name, file=source)
                with pytest.raises(ripd.FailedPrecondition):
                    client.open_artifact_file(artifact.id, session=name)
                client.get_artifact(artifact.id, session=name, file=tmp_path / "out.bin")
                assert (tmp_path / "out.bin").read_bytes() == data
    finally:
        shutil.rmtree(where, ignore_errors=True)
    assert descriptor_calls == {ripd._files.PUT: 2, ripd._files.OPEN: 2}  # each tried, and refused


@pytest.mark.parametrize("size", FILE_SIZES, ids=FILE_IDS)
def test_file_round_trip_asyncio(daemon, name, size, tmp_path, descriptor_calls):
    data = os.urandom(size)
    source = write(tmp_path / "in.bin", data)
    text = b"compressible text\n" * 4000

    async def main():
        async with ripd.aio.Client(daemon.socket) as client:
            await client.create_session(name=name)
            artifact = await client.put_artifact_file(session=name, file=source, name="blob")
            assert artifact.size == size and artifact.sha256 == hashlib.sha256(data).hexdigest()
            opened, content = await client.open_artifact_file(artifact.id, session=name)
            with content:
                assert opened.size == size and content.read() == data
            put = await client.put_artifact(session=name, file=source)
            assert put.sha256 == artifact.sha256
            await client.get_artifact(put.id, session=name, file=tmp_path / "out.bin")
            assert (tmp_path / "out.bin").read_bytes() == data
            assert descriptor_calls == {ripd._files.PUT: 2, ripd._files.OPEN: 2}

            deflated = await client.put_artifact(session=name, file=write(tmp_path / "t.txt", text))
            assert deflated.encoding == "deflate"
            with pytest.raises(ripd.FailedPrecondition):
                await client.open_artifact_file(deflated.id, session=name)
            await client.get_artifact(deflated.id, session=name, file=tmp_path / "t.out")
            assert (tmp_path / "t.out").read_bytes() == text

            read_end, write_end = os.pipe()
            try:
                with pytest.raises(ripd.InvalidArgument):
                    await client.put_artifact_file(session=name, file=read_end, name="pipe")
            finally:
                os.close(read_end)
                os.close(write_end)
            await client.create_session(name=name + "-other")
            with pytest.raises(ripd.NotFound):
                await client.open_artifact_file(artifact.id, session=name + "-other")

    asyncio.run(asyncio.wait_for(main(), GUARD))
