"""ripd.Worker: a batch drained, a worker killed mid-job and another resuming from its
checkpoint after the lease expires, a cancel reaching a running handler, SIGTERM handing a job
back, and failures retried or not."""
from __future__ import annotations

import json
import signal
import threading

import ripd
from ripd.proto import job_pb2

from conftest import GUARD, finish, read_line

FINISHED = {job_pb2.JOB_STATUS_COMPLETED, job_pb2.JOB_STATUS_FAILED, job_pb2.JOB_STATUS_CANCELLED}


def wait_status(client: ripd.Client, job_id: str, statuses: set[int]) -> job_pb2.Job:
    """Follows the job's changes (WatchJob) until its status is one of `statuses`."""
    with client.watch_job(job_id=job_id) as events:
        for event in events:
            if event.job.status in statuses:
                return event.job
    return client.get_job(job_id=job_id)


def test_worker_drains_a_batch(daemon, client, name):
    jobs = [client.submit_job(urls=[f"https://{i}.example/a", f"https://{i}.example/b"], method=name,
                              config_json=json.dumps({"n": i})).id for i in range(6)]
    worker_client = ripd.Client(daemon.socket)
    worker = ripd.Worker(worker_client, methods=[name], concurrency=3, lease_seconds=30, claim_wait_seconds=0.2)

    @worker.handler
    def work(job, ctx):
        assert job.attempt == 1 and job.checkpoint is None
        for done, url in enumerate(job.urls, 1):
            ctx.log("info", f"fetching {url}", url=url)
            ctx.progress(completed=done, current_url=url)
            ctx.checkpoint(str(done).encode())
        ctx.metrics(items=len(job.urls))
        return f"config {job.config['n']}"

    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        finished = [wait_status(client, job_id, FINISHED) for job_id in jobs]
    finally:
        worker.stop()
        thread.join(GUARD)
    assert not thread.is_alive()
    for i, job in enumerate(finished):
        assert job.status == job_pb2.JOB_STATUS_COMPLETED, job
        assert job.summary == f"config {i}" and job.checkpoint.data == b"2" and job.progress.completed == 2
        assert job.metrics["items"] == 2.0
        logs = client.get_job_logs(job_id=job.id).entries
        assert [e.url for e in logs] == list(job.urls)
    worker_client.close()


def test_run_once_works_one_batch(daemon, client, name):
    jobs = [client.submit_job(urls=["https://a.example/"], method=name).id for _ in range(3)]
    with ripd.Client(daemon.socket) as worker_client:
        worker = ripd.Worker(worker_client, methods=[name], concurrency=2, handler=lambda job, ctx: None)
        assert worker.run(once=True) == 2
        assert worker.run(once=True) == 1
        assert worker.run(once=True, wait_seconds=0) == 0
    assert {client.get_job(job_id=j).status for j in jobs} == {job_pb2.JOB_STATUS_COMPLETED}


def test_killed_worker_resumes_from_checkpoint_after_lease_expiry(daemon, client, processes, name):
    urls = [f"https://example.com/{i}" for i in range(5)]
    job = client.submit_job(urls=urls, method=name)
    first = processes.python("worker_process.py", daemon.socket, name, "hang", "2")
    assert read_line(first) == f"HANG {job.id}"
    first.send_signal(signal.SIGKILL)
    first.wait(GUARD)
    # The lease (2 s) runs out without heartbeats: the job goes back to the queue, checkpoint kept.
    requeued = wait_status(client, job.id, {job_pb2.JOB_STATUS_PENDING, job_pb2.JOB_STATUS_SCHEDULED})
    assert requeued.checkpoint.data == json.dumps(urls[:2]).encode()

    second = processes.python("worker_process.py", daemon.socket, name, "finish", "2")
    assert finish(second).split() == ["WORKED", "1"]
    done = client.get_job(job_id=job.id)
    assert done.status == job_pb2.JOB_STATUS_COMPLETED and done.attempt == 2
    assert json.loads(done.summary) == {"resumed_from": 2, "attempt": 2}
    assert [e.url for e in client.get_job_logs(job_id=job.id).entries] == urls


def test_cancel_reaches_a_running_handler(daemon, client, name):
    job = client.submit_job(urls=["https://a.example/"], method=name)
    started, seen = threading.Event(), []

    def work(job, ctx):
        started.set()
        try:
            while True:
                ctx.wait(3600)  # woken by the heartbeat that brings the cancel
                ctx.log("info", "working")
        except ripd.JobCancelled as cancelled:
            seen.append(cancelled)
            raise

    with ripd.Client(daemon.socket) as worker_client:
        worker = ripd.Worker(worker_client, methods=[name], lease_seconds=1.5, handler=work, claim_wait_seconds=0.2)
        thread = threading.Thread(target=worker.run, kwargs={"once": True})
        thread.start()
        try:
            assert started.wait(GUARD)
            assert [j.id for j in client.cancel_jobs(job_id=job.id).requested] == [job.id]
            assert wait_status(client, job.id, FINISHED).status == job_pb2.JOB_STATUS_CANCELLED
        finally:
            worker.stop()
            thread.join(GUARD)
    assert len(seen) == 1 and "cancel requested" in str(seen[0])


def test_sigterm_hands_the_job_back(daemon, client, processes, name):
    job = client.submit_job(urls=["https://a.example/"], method=name)
    process = processes.python("worker_process.py", daemon.socket, name, "block", "30")
    assert read_line(process) == f"STARTED {job.id}"
    process.send_signal(signal.SIGTERM)
    assert finish(process).split() == ["WORKED", "1"]
    back = client.get_job(job_id=job.id)
    assert back.status == job_pb2.JOB_STATUS_PENDING and not back.HasField("lease")


def test_failures_retry_unless_permanent(daemon, client, name):
    retried = client.submit_job(urls=["https://a.example/"], method=name + "-r")
    permanent = client.submit_job(urls=["https://a.example/"], method=name + "-p")

    def flaky(job, ctx):
        raise ValueError("flaky")

    def broken(job, ctx):
        raise ripd.PermanentFailure("the site is gone")

    with ripd.Client(daemon.socket) as worker_client:
        ripd.Worker(worker_client, methods=[name + "-r"], handler=flaky).run(once=True)
        ripd.Worker(worker_client, methods=[name + "-p"], handler=broken).run(once=True)
    again = client.get_job(job_id=retried.id)
    assert again.status in (job_pb2.JOB_STATUS_PENDING, job_pb2.JOB_STATUS_SCHEDULED)
    assert again.error == "ValueError: flaky"
    failed = client.get_job(job_id=permanent.id)
    assert failed.status == job_pb2.JOB_STATUS_FAILED and failed.error == "the site is gone"
