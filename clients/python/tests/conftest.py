"""Fixtures: the real ripd binary ($RIPD_BIN) on a temporary socket and data directory.

Every process a test starts is killed with SIGKILL when the test (or, for the daemon, the
session) ends, whatever happened; waits are for events, with timeouts only as hang guards.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import pytest

import ripd

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
#: Hang guard for any single wait (a real wait takes milliseconds to a few seconds).
GUARD = 60.0


def ripd_bin() -> str:
    path = os.environ.get("RIPD_BIN") or str(REPO / ".build" / "debug" / "ripd")
    if not os.access(path, os.X_OK):
        pytest.exit(f"no ripd binary at {path}: build it (swift build --product ripd) or set RIPD_BIN", returncode=2)
    return path


class Daemon:
    """One ripd process: its socket, data directory and stderr lines."""

    def __init__(self, *args: str, user: int | None = None) -> None:
        # Under /tmp with mode 0755 (not pytest's 0700 tmp_path): tests of other uids (a refused
        # peer, a daemon of another user) need to reach it.
        self.dir = tempfile.mkdtemp(prefix="ripd-pytest-")
        os.chmod(self.dir, 0o755)
        if user is not None:
            os.chown(self.dir, user, user)
        self.socket = os.path.join(self.dir, "ripd.sock")
        self.lines: list[str] = []
        self._listening = threading.Event()
        self.process = subprocess.Popen(
            [ripd_bin(), "--socket", self.socket, "--data-dir", os.path.join(self.dir, "data"), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            user=user, group=user)
        threading.Thread(target=self._read_log, daemon=True).start()
        if not self._listening.wait(GUARD) or self.process.poll() is not None:
            self.kill()
            raise RuntimeError("ripd did not start:\n" + "".join(self.lines))

    def _read_log(self) -> None:
        for line in self.process.stderr:  # type: ignore[union-attr]
            self.lines.append(line)
            if "ripd listening" in line:
                self._listening.set()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(GUARD)
        shutil.rmtree(self.dir, ignore_errors=True)


#: --retry-backoff 100: a job whose lease expired is claimable again a tenth of a second later.
DAEMON_ARGS = ("--fsync", "never", "--retry-backoff", "100")


@contextlib.contextmanager
def running(*args: str, user: int | None = None):
    """A Daemon for the block, killed when it ends."""
    d = Daemon(*args, user=user)
    try:
        yield d
    finally:
        d.kill()


@pytest.fixture(scope="session")
def daemon():
    with running(*DAEMON_ARGS) as d:
        yield d


@pytest.fixture
def own_daemon():
    """A ripd of the test's own, for tests that kill it or change its socket."""
    with running(*DAEMON_ARGS) as d:
        yield d


@pytest.fixture
def client(daemon: Daemon):
    with ripd.Client(daemon.socket) as c:
        yield c


@pytest.fixture
def name() -> str:
    """A fresh name for a session or a job method."""
    return "py-" + uuid.uuid4().hex[:12]


class Processes:
    """Processes a test starts: all killed with SIGKILL when it ends."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def python(self, script: str, *args: str, **kwargs) -> subprocess.Popen:
        process = subprocess.Popen([sys.executable, str(HERE / script), *args], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
        self.started.append(process)
        return process

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(GUARD)


@pytest.fixture
def processes():
    p = Processes()
    try:
        yield p
    finally:
        p.kill_all()


def read_line(process: subprocess.Popen, timeout: float = GUARD) -> str:
    """The next line the process prints, or a failure with its stderr when it exits first."""
    result: list[str] = []
    reader = threading.Thread(target=lambda: result.append(process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout)
    if not result or not result[0]:
        process.kill()
        raise AssertionError(f"no line from {process.args} within {timeout}s: {process.stderr.read()}")  # type: ignore[union-attr]
    return result[0].strip()


def finish(process: subprocess.Popen, timeout: float = GUARD) -> str:
    """Waits for the process to exit 0; returns its stdout."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"{process.args} exited {process.returncode}: {err}"
    return out
