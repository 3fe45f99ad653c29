"""The platform as a teacher runs it: ``python -m server serve`` in a child process.

The browser tests talk to a real node (migrations, demo seed, socket.io and all) rather than
an in-process app, so they also prove that the one-command start works.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 60.0
# Settings that would point the node at shared infrastructure; the test node is self-contained.
HERMETIC_UNSET = ("NEWSSEM_DATABASE_URL", "NEWSSEM_REDIS_URL", "NEWSSEM_PUBLIC_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """One ``serve`` child on a free port with its own data directory and log file."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def external(cls, url: str) -> ServerProcess:
        """A node somebody else runs: nothing to start or stop, no log to show."""
        server = cls.__new__(cls)
        server.url = url
        server.process = None
        server.log_path = Path("/nonexistent")
        return server

    def start(self) -> None:
        env = {key: value for key, value in os.environ.items() if key not in HERMETIC_UNSET}
        env |= {
            "NEWSSEM_DATA_DIR": str(self.data_dir),
            "NEWSSEM_ICE_ADDRESS": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
        }
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        self.wait_healthy()

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as error:
                last_error = error
            time.sleep(0.2)
        raise RuntimeError(f"server not healthy after {STARTUP_TIMEOUT_S}s ({last_error!r}):\n"
                           f"{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM first so the node drains as in production; kill only if it hangs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
