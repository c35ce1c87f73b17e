#!/usr/bin/env python3
"""GetSession calls/s on one connection: the C client (tools/cclient ripload, one call at a
time), ripd.Client serially, and ripd.aio.Client serially and pipelined, in one run against one
ripd started here on a temporary socket.

    .venv-python/bin/python clients/python/bench.py [--seconds 5] [--ripd .build/release/ripd]

Aims (issue 13): a sync round trip within 2x the C client's; pipelined asyncio at least 50,000
calls/s on one connection.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ripd

REPO = Path(__file__).resolve().parents[2]
SESSION = "bench"


def start_ripd(binary: str, directory: str) -> subprocess.Popen:
    socket = os.path.join(directory, "ripd.sock")
    process = subprocess.Popen([binary, "--socket", socket, "--data-dir", os.path.join(directory, "data")],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # type: ignore[union-attr]
        if "ripd listening" in line:
            return process
    raise SystemExit(f"ripd did not start: {process.wait()}")


def c_client(socket: str, seconds: float) -> float:
    ripload = REPO / "tools" / "cclient" / "build" / "ripload"
    if not os.access(ripload, os.X_OK):
        subprocess.run([str(REPO / "tools" / "build-cclient")], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([str(ripload), socket, "1", "1", str(seconds), "get-session"], check=True,
                         capture_output=True, text=True).stdout
    return float(re.search(r"([0-9.]+) calls/s", out).group(1))  # type: ignore[union-attr]


def sync_serial(socket: str, seconds: float) -> float:
    with ripd.Client(socket) as client:
        calls, end = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < end:
            for _ in range(100):
                client.get_session(session=SESSION)
            calls += 100
        return calls / (time.perf_counter() - start)


async def aio(socket: str, seconds: float, window: int) -> float:
    """`window` calls in flight: 1 is a serial round trip; more pipelines them."""
    async with ripd.aio.Client(socket) as client:
        calls, end = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < end:
            if window == 1:
                for _ in range(100):
                    await client.get_session(session=SESSION)
                calls += 100
            else:
                await asyncio.gather(*[client.get_session(session=SESSION) for _ in range(window)])
                calls += window
        return calls / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--ripd", default=str(REPO / ".build" / "release" / "ripd"))
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="ripd-pybench-")
    daemon = start_ripd(args.ripd, directory)
    socket = os.path.join(directory, "ripd.sock")
    try:
        with ripd.Client(socket) as client:
            client.create_session(name=SESSION)
        rows = [("C client (ripload 1 1), serial", c_client(socket, args.seconds)),
                ("ripd.Client (sync), serial", sync_serial(socket, args.seconds)),
                ("ripd.aio.Client, serial", asyncio.run(aio(socket, args.seconds, 1))),
                ("ripd.aio.Client, pipelined (10,000 in flight)", asyncio.run(aio(socket, args.seconds, 10_000)))]
    finally:
        daemon.send_signal(signal.SIGKILL)
        daemon.wait()
        shutil.rmtree(directory, ignore_errors=True)
    c_rate = rows[0][1]
    print(f"GetSession on one connection, {args.seconds:g} s each, {args.ripd}")
    for label, rate in rows:
        print(f"  {label:48} {rate:>10,.0f} calls/s  {1e6 / rate:7.1f} µs/call  {c_rate / rate:5.2f}x C's time")
    sync_ratio, pipelined = c_rate / rows[1][1], rows[3][1]
    print(f"aims: sync round trip within 2x C's: {'met' if sync_ratio <= 2 else 'not met'} ({sync_ratio:.2f}x); "
          f"pipelined asyncio >= 50,000 calls/s: {'met' if pipelined >= 50_000 else 'not met'} ({pipelined:,.0f})")


if __name__ == "__main__":
    sys.exit(main())
