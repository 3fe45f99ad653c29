"""``newssem serve`` as an operator runs it: a real process, a real port, a temp data dir."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from lms.services.demo import DEMO_PASSWORD
from server.cli import build_parser

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str, body: dict | None = None, timeout: float = 5.0) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_parser_knows_the_three_commands() -> None:
    parser = build_parser()
    args = parser.parse_args(["serve", "--host", "0.0.0.0", "--port", "9000", "--no-seed"])
    assert (args.host, args.port, args.no_seed) == ("0.0.0.0", 9000, True)
    assert parser.parse_args(["migrate"]).command == "migrate"
    assert parser.parse_args(["seed-demo"]).command == "seed-demo"


def test_serve_smoke(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("NEWSSEM_")},
        "NEWSSEM_DATA_DIR": str(tmp_path / "data"),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"server exited early:\n{process.stdout.read()}")
            try:
                health = get_json(f"{base}/healthz", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        assert health is not None, "server never answered /healthz"
        status, body = health
        assert status == 200, body
        assert body["database"]["ok"] is True and body["database"]["backend"] == "sqlite"

        status, body = get_json(
            f"{base}/api/auth/login", {"login": "teacher", "password": DEMO_PASSWORD}
        )
        assert status == 200, body
        assert body["user"]["role"] == "teacher"
        assert (tmp_path / "data" / "newssem.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            pytest.fail(f"server did not stop on SIGINT:\n{output}")
    assert process.returncode == 0, output
    assert base in output
    assert "teacher" in output and DEMO_PASSWORD in output  # the demo logins are printed
