"""Every service of ripd through both clients: one scenario, run on `ripd.Client` and on
`ripd.aio.Client` (driven from a loop thread, so the scenario reads the same)."""
from __future__ import annotations

import asyncio
import hashlib
import threading
from typing import Any

import pytest
from google.protobuf import wrappers_pb2

import ripd
from ripd.proto import artifact_pb2, cookie_pb2, job_pb2, session_pb2

from conftest import GUARD


class AsyncDriven:
    """`ripd.aio.Client` behind blocking calls: each call runs on a loop in another thread."""

    def __init__(self, socket: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client = self.run(ripd.aio.connect(socket))

    def run(self, awaitable: Any) -> Any:
        async def wrapped() -> Any:
            return await awaitable
        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(GUARD)

    def _stream(self, stream: ripd.aio.AsyncStream) -> Any:
        driven = self

        class Iterator:
            def __iter__(self):
                return self

            def __next__(self):
                try:
                    return driven.run(stream.__anext__())
                except StopAsyncIteration:
                    raise StopIteration from None

            def close(self):
                driven.loop.call_soon_threadsafe(stream.cancel)

        return Iterator()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def call(*args: Any, **fields: Any) -> Any:
            async def start() -> Any:
                return method(*args, **fields)  # sent on the loop; a future or a stream
            started = asyncio.run_coroutine_threadsafe(start(), self.loop).result(GUARD)
            if isinstance(started, ripd.aio.AsyncStream):
                return self._stream(started)
            return self.run(started)
        return call

    def close(self) -> None:
        self.run(self.client.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(GUARD)
        self.loop.close()


@pytest.fixture(params=["sync", "asyncio"])
def any_client(request, daemon):
    if request.param == "sync":
        with ripd.Client(daemon.socket) as c:
            yield c
    else:
        driven = AsyncDriven(daemon.socket)
        try:
            yield driven
        finally:
            driven.close()


def test_admin(any_client):
    assert any_client.health().status == "SERVING"
    info = any_client.info()
    assert info.max_frame_bytes == 16 * 1024 * 1024
    assert len(any_client.get_descriptor_set().file_descriptor_set) > 0
    assert any_client.snapshot() is not None
    assert any_client.wal_info() is not None


def test_sessions(any_client, name):
    c = any_client
    created = c.create_session(name=name, tags=["prod"], headers={"X-A": "1"}, user_agent="Bot/1.0", timeout_minutes=5)
    assert created.id.startswith("sess_") and created.name == name
    assert c.get_session(session_pb2.GetSessionRequest(session=name)).id == created.id
    assert name in [s.name for s in c.list_sessions(tag="prod").sessions]
    assert c.use_session(session=name).name == name
    assert c.get_current_session().name == name
    updated = c.update_session(session=name, description=wrappers_pb2.StringValue(value="d"), add_tags=["b"])
    assert updated.description == "d" and "b" in updated.tags
    assert c.add_headers(session=name, headers={"X-B": "2"}).headers["X-B"] == "2"
    assert "X-A" not in c.remove_headers(session=name, names=["X-A"]).headers
    assert c.extend_session(session=name, minutes=5).timeout_minutes == 5
    assert c.record_request(session=name, url="https://example.com/", success=True).metadata.requests_count == 1
    assert c.session_stats(session=name).session.metadata.success_count == 1
    suspended = c.change_session_state(session=name, state=session_pb2.SESSION_STATE_SUSPENDED)
    assert suspended.state == session_pb2.SESSION_STATE_SUSPENDED
    clone = c.clone_session(**{"from": name, "to": name + "-clone", "headers": True})
    assert clone.headers["X-B"] == "2"
    assert not c.clear_session(session=clone.name, headers=True).headers
    imported = c.import_session(session=session_pb2.Session(name=name + "-imported", tags=["i"]))
    assert imported.tags == ["i"]
    c.cleanup_sessions()
    deleted = c.delete_sessions(sessions=[name, clone.name, imported.name]).deleted
    assert sorted(s.name for s in deleted) == sorted([name, clone.name, imported.name])


def test_cookies(any_client, name):
    c = any_client
    c.create_session(name=name)
    outcomes = c.store_response_cookies(session=name, url="https://example.com/login",
                                        set_cookie_lines=["sid=abc; Path=/; Secure; HttpOnly", "x=y; Domain=other.org"]).outcomes
    assert outcomes[0].stored and not outcomes[1].stored and outcomes[1].rejection
    assert c.cookie_header(session=name, url="https://example.com/a").header == "sid=abc"
    c.set_cookie(session=name, cookie=cookie_pb2.Cookie(name="k", value="v", domain="example.org", path="/"))
    assert {k.name for k in c.list_cookies(session=name).cookies} == {"sid", "k"}
    assert [k.name for k in c.delete_cookie(session=name, name="k", domain="example.org").deleted] == ["k"]
    assert len(c.clear_cookies(session=name).removed) == 1
    imported = c.import_cookies(session=name, cookies=[cookie_pb2.Cookie(name="a", value="1", domain="example.net",
                                                                         path="/", host_only=True)])
    assert imported.outcomes[0].stored
    assert c.cookie_header(session=name, url="http://example.net/").header == "a=1"


def test_jobs(any_client, name):
    c = any_client
    job = c.submit_job(urls=["https://a.example/", "https://b.example/"], method=name, name="j",
                       priority=job_pb2.JOB_PRIORITY_HIGH, tags=[name], config_json='{"depth": 1}')
    assert c.get_job(job_id=job.id).status == job_pb2.JOB_STATUS_PENDING
    assert [j.id for j in c.list_jobs(tags=[name]).jobs] == [job.id]
    watch = c.watch_job(job_id=job.id, logs_from_seq=1)
    assert next(watch).kind == job_pb2.JobEvent.KIND_CURRENT
    claimed = c.claim(worker_id="w", methods=[name], lease_ms=10_000, max_jobs=1).jobs
    assert [j.job.id for j in claimed] == [job.id]
    token = claimed[0].token
    assert not c.heartbeat(job_id=job.id, token=token, progress=job_pb2.JobProgress(completed=1)).cancel_requested
    assert c.append_logs(job_id=job.id, token=token, entries=[job_pb2.LogEntry(message="hello")]).last_seq == 1
    assert c.save_checkpoint(job_id=job.id, token=token, data=b"cp").checkpoint.data == b"cp"
    assert [e.message for e in c.get_job_logs(job_id=job.id).entries] == ["hello"]
    done = c.complete_job(job_id=job.id, token=token, summary="ok")
    assert done.status == job_pb2.JOB_STATUS_COMPLETED
    kinds = [event.kind for event in watch]  # ends after the event that finishes the job
    assert kinds[-1] == job_pb2.JobEvent.KIND_COMPLETED
    assert c.job_stats(group_by="method").total.jobs >= 1
    # A pending job holds its unique key: a second submit creates nothing and returns it.
    unique = c.submit_job(urls=["https://u.example/"], method=name + "-u", unique_key=name, unique_for_ms=3_600_000)
    again = c.submit_job(urls=["https://v.example/"], method=name + "-u", unique_key=name)
    assert not unique.deduplicated and again.deduplicated and again.id == unique.id

    other = c.submit_job(urls=["https://c.example/"], method=name, max_retries=wrappers_pb2.UInt32Value(value=0))
    assert c.pause_job(job_id=other.id).status == job_pb2.JOB_STATUS_PAUSED
    assert c.resume_job(job_id=other.id).status == job_pb2.JOB_STATUS_PENDING
    lease = c.claim(worker_id="w", methods=[name], lease_ms=10_000).jobs[0]
    assert c.release_job(job_id=other.id, token=lease.token).status == job_pb2.JOB_STATUS_PENDING
    lease = c.claim(worker_id="w", methods=[name], lease_ms=10_000).jobs[0]
    failed = c.fail_job(job_id=other.id, token=lease.token, error="boom", retryable=False)
    assert failed.status == job_pb2.JOB_STATUS_FAILED
    assert c.retry_job(job_id=other.id).status == job_pb2.JOB_STATUS_PENDING
    assert [j.id for j in c.cancel_jobs(job_id=other.id).cancelled] == [other.id]
    assert set(c.clear_jobs(completed=True, cancelled=True).removed) >= {job.id, other.id}


def test_limits_schedules_and_chains(any_client, name):
    c = any_client
    key = f"{name}.example"
    limit = c.set_limit(key=key, rate_count=1, rate_period_ms=60_000, concurrency=1)
    assert limit.burst == 1 and key in [l.key for l in c.list_limits().limits]
    assert c.acquire(url=f"https://www.{key}/a").granted
    refused = c.acquire(key=key)
    assert not refused.granted and 0 < refused.retry_after_ms <= 60_000
    assert c.remove_limit(key=key).key == key

    first = c.submit_job(urls=[f"https://{key}/1"], method=name)
    second = c.submit_job(urls=[f"https://{key}/2"], method=name, after=[first.id])
    assert second.status == job_pb2.JOB_STATUS_WAITING and list(second.waiting_for) == [first.id]
    lease = c.claim(worker_id="w", methods=[name], lease_ms=10_000).jobs[0]
    assert lease.job.id == first.id and lease.job.health.healthy
    c.fail_job(job_id=first.id, token=lease.token, error="gone", retryable=False)
    assert c.get_job(job_id=second.id).status == job_pb2.JOB_STATUS_CANCELLED

    schedule = c.add_schedule(name=name, cron="0 3 * * *", timezone="Europe/Berlin",
                              job=job_pb2.SubmitJobRequest(urls=[f"https://{key}/"], method=name))
    assert schedule.HasField("next_fire_at") and schedule.overlap == job_pb2.Schedule.OVERLAP_SKIP
    assert c.pause_schedule(name=name).paused
    assert not c.resume_schedule(name=name).paused
    assert c.remove_schedule(name=name).name == name
    with pytest.raises(ripd.InvalidArgument):
        c.add_schedule(name=name, cron="61 * * * *", job=job_pb2.SubmitJobRequest(urls=[f"https://{key}/"]))


def test_artifacts_raw(any_client, name):
    c = any_client
    c.create_session(name=name)
    owner = artifact_pb2.ArtifactOwner(session=name)
    upload = c.begin_upload(owner=owner).upload_id
    assert c.append_upload(upload_id=upload, offset=0, data=b"hello").received == 5
    artifact = c.commit_upload(upload_id=upload, name="h.txt", type=artifact_pb2.ARTIFACT_TYPE_TOOL_RESULT,
                               tags=["t"], metadata={"k": "v"}, expected_sha256=hashlib.sha256(b"hello").hexdigest())
    assert artifact.size == 5
    assert c.get_artifact_info(artifact_id=artifact.id, owner=owner).sha256 == artifact.sha256
    assert c.read_artifact(artifact_id=artifact.id, owner=owner, offset=1, length=3).data == b"ell"
    assert [a.id for a in c.query_artifacts(owner=owner, tags=["t"], name_glob="*.txt").artifacts] == [artifact.id]
    assert c.artifact_stats().artifacts >= 1
    aborted = c.begin_upload(owner=owner).upload_id
    c.abort_upload(upload_id=aborted)
    assert c.delete_artifact(artifact_id=artifact.id, owner=owner).deleted.id == artifact.id


def test_watch_streams(any_client, name):
    c = any_client
    c.create_session(name=name)
    sessions = c.watch_sessions(session=name)
    events = c.watch_events(sessions=True)
    c.record_request(session=name, url="https://example.com/", success=True)
    assert next(sessions).kind == session_pb2.SessionEvent.KIND_UPDATED
    event = next(e for e in events if e.session.session.name == name)
    assert event.WhichOneof("kind") == "session"
    sessions.close()
    events.close()
    assert c.health().status == "SERVING"


def test_call_by_path(any_client, name):
    c = any_client
    c.call("/rip.v1.SessionService/CreateSession", session_pb2.CreateSessionRequest(name=name))
    assert c.call("/rip.v1.SessionService/GetSession", session=name).name == name
    with pytest.raises(TypeError):
        c.get_session(session_pb2.GetSessionRequest(session=name), session=name)
    with pytest.raises(TypeError):
        c.get_session(session_pb2.CreateSessionRequest(name=name))
