"""The asyncio client: pipelining, streams, errors, a dropped connection."""
from __future__ import annotations

import asyncio
import signal

import pytest

import ripd
from ripd.proto import job_pb2

from conftest import GUARD


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, GUARD))


def test_ten_thousand_pipelined_calls_on_one_connection(daemon, name):
    async def main():
        async with ripd.aio.Client(daemon.socket) as client:
            await client.create_session(name=name)
            before = (await client.info()).connections_total
            replies = await asyncio.gather(*[client.get_session(session=name) for _ in range(10_000)])
            assert len(replies) == 10_000 and all(r.name == name for r in replies)
            info = await client.info()
            assert info.connections_total == before  # no connection was opened meanwhile
            assert info.requests_total >= 10_000
    run(main())


def test_stream_cancelled_midway_then_connection_reused(daemon, name):
    async def main():
        client = await ripd.aio.connect(daemon.socket)
        job = await client.submit_job(urls=["https://a.example/"], method=name)
        base = (await client.info()).streams_open
        async for event in client.watch_job(job_id=job.id):
            assert event.kind == job_pb2.JobEvent.KIND_CURRENT
            break  # the stream is dropped here: cancelled
        async with client.watch_events(jobs=True) as events:
            await client.pause_job(job_id=job.id)
            assert (await events.__anext__()).job.job.status == job_pb2.JOB_STATUS_PAUSED
        assert (await client.resume_job(job_id=job.id)).status == job_pb2.JOB_STATUS_PENDING
        while (await client.info()).streams_open != base:  # until the daemon has both cancels
            pass
        assert not client._calls
        await client.close()
    run(main())


def test_errors_are_the_same_classes(daemon, name):
    async def main():
        async with ripd.aio.Client(daemon.socket) as client:
            with pytest.raises(ripd.NotFound):
                await client.get_session(session=name)
            await client.create_session(name=name)
            with pytest.raises(ripd.AlreadyExists):
                await client.create_session(name=name)
            with pytest.raises(ripd.InvalidArgument):
                await client.create_session(name="")
            assert (await client.health()).status == "SERVING"
    run(main())


def test_dropped_connection_fails_every_call_in_flight(own_daemon, name):
    async def main():
        client = await ripd.aio.connect(own_daemon.socket)
        claim = client.claim(worker_id="w", methods=[name], wait_ms=600_000)
        events = client.watch_events(jobs=True)
        while True:  # until both calls are in flight at the daemon
            info = await client.info()
            if info.claims_waiting == 1 and info.streams_open == 1:
                break
        own_daemon.process.send_signal(signal.SIGKILL)
        with pytest.raises(ripd.Unavailable):
            await claim
        with pytest.raises(ripd.Unavailable):
            await events.__anext__()
        with pytest.raises(ripd.Unavailable):
            client.health()
    run(main())


def test_a_claim_given_up_hands_its_jobs_back(daemon, name):
    async def main():
        async with ripd.aio.Client(daemon.socket) as client:
            with pytest.raises(asyncio.TimeoutError):  # the daemon keeps the claim parked
                await asyncio.wait_for(client.claim(worker_id="w", methods=[name], wait_ms=600_000), 0.05)
            async with client.watch_events(jobs=True) as events:
                job = await client.submit_job(urls=["https://a.example/"], method=name)
                statuses = []
                async for event in events:  # leased to the abandoned claim, then handed back
                    if event.job.job.id == job.id:
                        statuses.append(event.job.job.status)
                        if statuses[-1] == job_pb2.JOB_STATUS_PENDING and job_pb2.JOB_STATUS_RUNNING in statuses:
                            break
            assert (await client.get_job(job_id=job.id)).status == job_pb2.JOB_STATUS_PENDING
    run(main())
