"""A worker process of its own, run by test_worker.py:
    worker_process.py SOCKET METHOD MODE LEASE_SECONDS

Its handler works a job's URLs in order, saving the list of those done as the checkpoint after
each and skipping those an earlier attempt did. MODE "hang": prints "HANG <job id>" at the
third URL and waits there (for SIGKILL); "block": prints "STARTED <job id>" and waits to be
told to stop (SIGTERM); "finish": works everything, once. Prints "WORKED <n>" when run returns.
"""
import json
import sys

import ripd


def main(socket: str, method: str, mode: str, lease_seconds: str) -> None:
    client = ripd.Client(socket)
    worker = ripd.Worker(client, methods=[method], lease_seconds=float(lease_seconds))

    @worker.handler
    def work(job: ripd.Job, ctx: ripd.Context):
        done = json.loads(job.checkpoint) if job.checkpoint else []
        resumed = len(done)
        if mode == "block":
            print("STARTED", job.id, flush=True)
            while True:
                ctx.wait(3600)
                ctx.log("info", "still here")  # raises JobCancelled once the worker stops
        for url in job.urls:
            if url in done:
                continue
            if mode == "hang" and len(done) == 2:
                print("HANG", job.id, flush=True)
                ctx.wait(3600)
            ctx.log("info", f"fetched {url} (attempt {job.attempt})", url=url)
            done.append(url)
            ctx.checkpoint(json.dumps(done).encode())
            ctx.progress(completed=len(done), current_url=url)
        return {"resumed_from": resumed, "attempt": job.attempt}

    worked = worker.run(once=mode == "finish")
    print("WORKED", worked, flush=True)
    client.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
