"""Artifacts through put_artifact/get_artifact: chunked both ways, SHA-256 checked."""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
import tracemalloc

import pytest

import ripd

from conftest import GUARD

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
    from_file = client.put_artifact(session=name, file=source)
    assert from_file.name == "in.bin" and from_file.sha256 == artifact.sha256
    info = client.get_artifact(from_file.id, session=name, file=tmp_path / "out.bin")
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


def test_memory_stays_bounded(client, name, tmp_path):
    size = 40 * 1024 * 1024
    source = tmp_path / "big.bin"
    with open(source, "wb") as f:
        for _ in range(size // (1 << 20)):
            f.write(os.urandom(1 << 20))
    client.create_session(name=name)
    tracemalloc.start()
    try:
        artifact = client.put_artifact(session=name, file=source)
        client.get_artifact(artifact.id, session=name, file=tmp_path / "copy.bin")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (tmp_path / "copy.bin").read_bytes() == source.read_bytes()
    # A window of four 4 MiB reads in flight, and the copies of one chunk; not the artifact.
    assert peak < 30 * 1024 * 1024, f"peak {peak} bytes for a {size}-byte artifact"


def test_owner_is_required(client):
    with pytest.raises(TypeError):
        client.put_artifact(data=b"x", name="x")
    with pytest.raises(TypeError):
        client.put_artifact(session="a", job="b", data=b"x", name="x")
