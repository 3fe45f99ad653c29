"""Load test: every school's live class at once, against several app nodes.

    python -m loadtest.live_classes --schools 146 --students 10 --nodes 2 --seconds 60 --json
    python -m loadtest.live_classes --url http://node-a:8080,http://node-b:8080 ...

What it simulates: one class per school in session at the same time, each with its teacher and
``--students`` students, all on socket.io websockets as the browser client uses them (namespace
``/class``, bearer token in ``auth``, ``session_id`` in the query string).

Method.

- Seeding. The load test has a PostgreSQL database of its own (``--database-url``, default
  ``newssem_live_load``, created when missing and migrated). The district's shape is seeded with
  ``loadtest.lms_seed`` (one course a school of 30 students, or ``--students`` if more; no past
  sessions) unless the database already holds a seeded shape; either way each of the first
  ``--schools`` schools gives its first course, that course's teacher and its first
  ``--students`` enrolled students. Every run creates its own live sessions, already ``live``
  with the waiting room and the lock off, so runs never see each other's rooms; they are ended
  and the run's tokens revoked afterwards. Tokens are issued directly
  (``lms.services.accounts.issue_token``): an Argon2 check per login would be what is measured.
- Nodes. ``--nodes`` app nodes (``python -m server serve --no-seed``) are started on 127.0.0.1,
  the first alone (it migrates), then the others, all on the same database and, with more than
  one node, fanned out through Redis on a channel of this run's own. Each class goes to one node
  by its session id, as nginx's ``hash $arg_session_id`` does (CRC32 modulo the node count): all
  sockets of one class meet on one node. With ``--url`` (comma-separated base URLs) nothing is
  started: the classes go to those nodes, and seeding happens on ``NEWSSEM_DATABASE_URL``, the
  database those nodes share.
- Clients run in ``--workers`` processes, each driving a share of the classes from one asyncio
  loop with python-socketio ``AsyncClient``s (websocket transport); the raw samples go back to
  the parent, which aggregates them.
- Phase 0, baseline: one class alone on the otherwise idle nodes joins and sends
  ``--probe-chats`` chats one after the other, each timed from send to ack and to its arrival at
  the teacher. The machine is shared and noisy, so loaded figures are quoted as ratios to this.
- Phase 1, ramp: every teacher and student connects and joins at a random moment within
  ``--ramp`` seconds.
- Phase 2, steady, ``--seconds`` long: every student chats every ``--chat-interval`` seconds
  (each gap drawn from 0.5-1.5 times it; sent on schedule whether or not earlier acks are back,
  so slow acks do not thin the load), raises a hand and lowers it 1-3 s later, once. Halfway
  through, every teacher launches a yes/no quick poll (``quiz:launch``); students answer 0.5-3 s
  after ``quiz:launched``; the teacher closes it 10 s after launching (in phases shorter than
  22 s: half the phase minus one second, at least 7 s, so the poll may outlast the phase).
- Phase 3: once every acknowledged chat has reached everyone who was in the room when it was
  sent (or ``--timeout`` has passed), everyone sends ``leave`` and disconnects.

Output (one JSON object with ``--json``, a table otherwise). Latencies in milliseconds, each as
``{n, p50, p95, p99, max}`` (nearest-rank percentiles):

- ``join``: connect plus ``join`` until its ack;
- ``chat_ack``: ``chat:send`` to its ack (the ack comes after the commit);
- ``chat_fanout``: ``chat:send`` to the ``room_event`` reaching the class's teacher (the send
  time travels in the message body; sender and teacher live in the same worker process);
- ``hand_ack``: ``hand:raise`` and ``hand:lower`` to their acks;
- ``poll_answer_ack``: ``quiz:answer`` to its ack (stored);
- ``poll_all_answered``: ``quiz:launch`` to the teacher's first ``quiz:progress`` in which no
  student present in the room is still listed as not answered.

``counts``: clients, joined, chats sent and acked, ``fanout_expected`` (acked chats times the
class members in the room when each was sent), ``fanout_received`` and ``delivery_ratio``
(received over expected), hands, polls launched / all answered / closed, answers sent and acked.
``errors``: by code (a failing ack's ``error.code``, ``timeout`` for an ack that did not come
within ``--timeout``, ``connect_error``, ``disconnected`` for a socket lost before leaving,
``poll_incomplete`` for a poll closed before every present student's answer showed), and
``errors_by_event`` the same split by event, with a few ``error_examples``.
``baseline``: the probe's ``chat_ack`` and ``chat_fanout``; ``ratios``: loaded over baseline for
the p50 and p95 of both. ``nodes``: per node its URL, classes, CPU % (process CPU time over the
steady phase's wall time x100; 100 = one core) and the largest RSS seen in the steady phase
(null with ``--url``); ``workers_cpu_pct`` the same for the load generator, which shares the
machine: near 100 per worker means the harness, not the server, set the pace.
``load_average`` (1/5/15 min at the start and end of the steady phase) and ``cpus``.

Exit status 1 when any error occurred, a client did not join, or the delivery ratio is below
1.0, so a pipeline can gate on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

DEFAULT_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/newssem_live_load"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
NAMESPACE = "/class"
CHAT_MARK = "부하시험@"
LATENCIES = ("join", "chat_ack", "chat_fanout", "hand_ack", "poll_answer_ack", "poll_all_answered")
MAX_EXAMPLES = 8
# Seeded class size when the database is empty: a real class, so later runs of up to this many
# students a class reuse the same seed.
SEED_CLASS_SIZE = 30
REPO = Path(__file__).resolve().parents[1]


# -- what a worker is given -------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    user_id: int
    token: str


@dataclass(frozen=True)
class ClassPlan:
    """One class of this run: its fresh live session, its node, its teacher and students."""

    session_id: int
    course_id: int
    node: str
    teacher: Member
    students: tuple[Member, ...]


@dataclass(frozen=True)
class Timing:
    """Absolute wall-clock moments (``time.time()``) shared by every worker process."""

    ramp_start: float
    ramp: float
    seconds: float
    chat_interval: float
    timeout: float
    settle: float = 2.0

    @property
    def steady_start(self) -> float:
        return self.ramp_start + self.ramp + self.settle

    @property
    def steady_end(self) -> float:
        return self.steady_start + self.seconds

    @property
    def poll_close_after(self) -> float:
        """10 s; a shorter phase gives it half the phase minus 1 s, but at least 7 s (answers
        come 0.5-3 s after the poll appears, which under load is itself seconds late)."""
        return 10.0 if self.seconds >= 22 else max(7.0, self.seconds / 2 - 1.0)


def node_for(session_id: int, nodes: list[str]) -> str:
    """nginx's ``hash $arg_session_id``: CRC32 of the key modulo the number of servers."""
    return nodes[zlib.crc32(str(session_id).encode()) % len(nodes)]


# -- samples ------------------------------------------------------------------------------------


@dataclass
class Samples:
    """Raw figures of one process, sent to the parent as a plain dict."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in LATENCIES})
    counts: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def latency(self, name: str, began: float) -> None:
        self.latencies[name].append((time.time() - began) * 1000)

    def error(self, event: str, code: str, detail: str = "") -> None:
        key = f"{event} {code}"
        self.errors[key] += 1
        # The first two of each kind, so one flood of timeouts does not hide the other kinds.
        if self.errors[key] <= 2 and len(self.examples) < MAX_EXAMPLES * 4:
            self.examples.append(f"{key}: {detail}"[:300])

    def as_dict(self) -> dict[str, Any]:
        return {
            "latencies": self.latencies,
            "counts": dict(self.counts),
            "errors": dict(self.errors),
            "examples": self.examples,
        }


async def sleep_until(moment: float) -> None:
    delay = moment - time.time()
    if delay > 0:
        await asyncio.sleep(delay)


# -- one socket ---------------------------------------------------------------------------------


class Client:
    """One teacher or student: a socket.io client that records what the class needs measured."""

    def __init__(self, room: Classroom, member: Member, teacher: bool, http: Any) -> None:
        import socketio

        self.room = room
        self.member = member
        self.teacher = teacher
        self.samples = room.samples
        self.timing = room.timing
        self.rng = room.rng
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False, http_session=http)
        self.sio.on("room_event", self.on_room_event, namespace=NAMESPACE)
        self.sio.on("quiz:launched", self.on_quiz_launched, namespace=NAMESPACE)
        self.sio.on("quiz:progress", self.on_quiz_progress, namespace=NAMESPACE)
        self.sio.on("disconnect", self.on_disconnect, namespace=NAMESPACE)
        self.joined_at: float | None = None
        self.leaving = False
        self.received: dict[str, float] = {}
        self.background: set[asyncio.Task[None]] = set()
        self.sequence = 0
        self.arrived = asyncio.Event()

    # socket events

    async def on_room_event(self, data: Any) -> None:
        if not isinstance(data, dict) or data.get("kind") != "chat":
            return
        payload = data.get("payload") or {}
        body, client_id = payload.get("body", ""), payload.get("client_id")
        if not body.startswith(CHAT_MARK) or client_id in self.received:
            return
        now = time.time()
        self.received[client_id] = now
        self.arrived.set()
        if self.teacher:
            sent = float(body[len(CHAT_MARK) :].split()[0])
            self.samples.latencies["chat_fanout"].append((now - sent) * 1000)

    async def on_quiz_launched(self, data: Any) -> None:
        if self.teacher or self.joined_at is None:
            return
        run = data.get("run") if isinstance(data, dict) else None
        if not run or run.get("status") != "open" or not run.get("questions"):
            return
        task = asyncio.create_task(self.answer(run["id"], run["questions"][0]["id"]))
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def on_quiz_progress(self, data: Any) -> None:
        self.room.progress(data)

    async def on_disconnect(self, reason: Any = None) -> None:
        if not self.leaving and self.joined_at is not None:
            self.samples.error("socket", "disconnected", f"user {self.member.user_id}: {reason}")
            self.joined_at = None

    async def wait_received(self, client_id: str) -> bool:
        """Wait until the chat ``client_id`` has reached this client (the baseline's pacing)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.timing.timeout):
                while client_id not in self.received:
                    self.arrived.clear()
                    await self.arrived.wait()
        return client_id in self.received

    # calls

    def client_id(self, what: str) -> str:
        self.sequence += 1
        return f"lt-{what}-{self.member.user_id}-{self.sequence}-{uuid.uuid4().hex[:8]}"

    async def call(self, event: str, data: dict[str, Any]) -> dict[str, Any] | None:
        """The ack when it is ``ok``; otherwise the failure is counted and None returned."""
        import socketio

        try:
            ack = await self.sio.call(event, data, namespace=NAMESPACE, timeout=self.timing.timeout)
        except socketio.exceptions.TimeoutError:
            self.samples.error(event, "timeout", f"no ack within {self.timing.timeout} s")
            return None
        except (socketio.exceptions.BadNamespaceError, socketio.exceptions.DisconnectedError):
            self.samples.error(event, "not_connected", f"user {self.member.user_id}")
            return None
        if not isinstance(ack, dict) or not ack.get("ok"):
            error = (ack.get("error") or {}) if isinstance(ack, dict) else {}
            self.samples.error(event, str(error.get("code", "bad_ack")), str(error or ack))
            return None
        return ack

    async def enter(self, at: float) -> None:
        """Connect and join at ``at``; ``join`` is timed from the start of the connect."""
        import socketio

        await sleep_until(at)
        began = time.time()
        url = f"{self.room.plan.node}/?session_id={self.room.plan.session_id}"
        try:
            await self.sio.connect(
                url,
                namespaces=[NAMESPACE],
                transports=["websocket"],
                auth={"token": self.member.token},
                wait_timeout=self.timing.timeout,
            )
        except socketio.exceptions.ConnectionError as error:
            self.samples.error("connect", "connect_error", str(error))
            return
        ack = await self.call("join", {"session_id": self.room.plan.session_id, "last_seq": None})
        if ack is not None:
            self.samples.latency("join", began)
            self.samples.counts["joined"] += 1
            self.joined_at = time.time()

    async def chat(self, number: int) -> str:
        client_id = self.client_id("chat")
        sent = time.time()
        body = f"{CHAT_MARK}{sent:.6f} 선생님, 질문 있어요 {number}"
        self.samples.counts["chats_sent"] += 1
        ack = await self.call("chat:send", {"client_id": client_id, "body": body})
        if ack is not None:
            self.samples.latency("chat_ack", sent)
            self.samples.counts["chats_acked"] += 1
            self.room.acked[client_id] = sent
        return client_id

    async def hand(self, at: float) -> None:
        await sleep_until(at)
        for event, counter in (("hand:raise", "hands_raised"), ("hand:lower", "hands_lowered")):
            if self.joined_at is None:
                return
            began = time.time()
            if await self.call(event, {"client_id": self.client_id("hand")}) is not None:
                self.samples.latency("hand_ack", began)
                self.samples.counts[counter] += 1
            await asyncio.sleep(self.rng.uniform(1.0, 3.0))

    async def answer(self, run_id: int, question_id: int) -> None:
        await asyncio.sleep(self.rng.uniform(0.5, 3.0))
        if self.joined_at is None:
            return
        began = time.time()
        self.samples.counts["answers_sent"] += 1
        response = {"choice": self.rng.randint(0, 1)}
        payload = {
            "client_id": self.client_id("answer"),
            "run_id": run_id,
            "question_id": question_id,
            "response": response,
        }
        if await self.call("quiz:answer", payload) is not None:
            self.samples.latency("poll_answer_ack", began)
            self.samples.counts["answers_acked"] += 1

    async def student_steady(self) -> None:
        """Chats on an open-loop schedule and one hand, until the end of the steady phase."""
        if self.joined_at is None:
            return
        t = self.timing
        tasks = [
            asyncio.create_task(self.hand(t.steady_start + self.rng.uniform(0, t.seconds * 0.6)))
        ]
        at = t.steady_start + self.rng.uniform(0, t.chat_interval)
        number = 0
        while at < t.steady_end:
            await sleep_until(at)
            if self.joined_at is None:
                break
            tasks.append(asyncio.create_task(self.chat(number)))
            number += 1
            at += t.chat_interval * self.rng.uniform(0.5, 1.5)
        await asyncio.gather(*tasks)

    async def teacher_steady(self) -> None:
        """Launch a yes/no poll halfway through, close it ``poll_close_after`` seconds later."""
        t = self.timing
        await sleep_until(t.steady_start + t.seconds / 2 + self.rng.uniform(0, 1.0))
        if self.joined_at is None:
            return
        launched = time.time()
        self.room.poll_launched = launched
        ack = await self.call(
            "quiz:launch", {"client_id": self.client_id("poll"), "poll": "yes_no"}
        )
        if ack is None:
            return
        self.samples.counts["polls_launched"] += 1
        self.room.poll_run = ack["run"]["id"]
        self.room.progress(ack.get("progress"))
        await sleep_until(launched + t.poll_close_after)
        if not self.room.poll_done:
            self.samples.error("quiz:progress", "poll_incomplete", f"run {self.room.poll_run}")
            self.room.poll_done = True  # closing now: a later "all answered" is no sample
        closing = {"client_id": self.client_id("close"), "run_id": self.room.poll_run}
        if await self.call("quiz:close", closing) is not None:
            self.samples.counts["polls_closed"] += 1

    async def leave(self, at: float) -> None:
        await sleep_until(at)
        self.leaving = True
        if self.background:
            await asyncio.gather(*self.background, return_exceptions=True)
        if self.joined_at is not None and self.sio.connected:
            await self.call("leave", {})
        with contextlib.suppress(Exception):
            await self.sio.disconnect()


# -- one class ----------------------------------------------------------------------------------


class Classroom:
    """A class of this run: its teacher's and students' clients and what they sent."""

    def __init__(
        self, plan: ClassPlan, timing: Timing, samples: Samples, rng: random.Random, http: Any
    ) -> None:
        self.plan = plan
        self.timing = timing
        self.samples = samples
        self.rng = rng
        self.teacher = Client(self, plan.teacher, True, http)
        self.students = [Client(self, member, False, http) for member in plan.students]
        self.clients = [self.teacher, *self.students]
        self.acked: dict[str, float] = {}  # chat client id -> send time, for acked chats
        self.poll_run: int | None = None
        self.poll_launched = 0.0
        self.poll_done = False

    def progress(self, data: Any) -> None:
        """The teacher's view of the poll: done when no present student is left to answer."""
        if self.poll_done or not isinstance(data, dict) or data.get("run_id") != self.poll_run:
            return
        waiting = [p for p in data.get("not_answered", []) if p.get("present")]
        if not waiting and data.get("respondents", 0) > 0:
            self.poll_done = True
            self.samples.latency("poll_all_answered", self.poll_launched)
            self.samples.counts["polls_all_answered"] += 1

    def delivery(self) -> tuple[int, int]:
        """(expected, received): every acked chat to everyone in the room when it was sent."""
        expected = received = 0
        for client_id, sent in self.acked.items():
            for client in self.clients:
                if client.joined_at is not None and client.joined_at <= sent:
                    expected += 1
                    received += client_id in client.received
        return expected, received

    async def drain(self, deadline: float) -> None:
        while time.time() < deadline:
            expected, received = self.delivery()
            if received >= expected:
                return
            await asyncio.sleep(0.1)

    def account(self) -> None:
        expected, received = self.delivery()
        self.samples.counts["fanout_expected"] += expected
        self.samples.counts["fanout_received"] += received

    async def run(self) -> None:
        t = self.timing
        self.samples.counts["clients"] += len(self.clients)
        await asyncio.gather(
            *(client.enter(t.ramp_start + self.rng.uniform(0, t.ramp)) for client in self.clients)
        )
        await sleep_until(t.steady_start)
        await asyncio.gather(
            self.teacher.teacher_steady(), *(s.student_steady() for s in self.students)
        )
        for client in self.clients:
            if client.background:
                await asyncio.gather(*client.background, return_exceptions=True)
        await self.drain(time.time() + t.timeout)
        self.account()
        # Leaving is spread like joining (at most over 2 s), not a single burst.
        leave_at, spread = max(time.time(), t.steady_end), min(2.0, max(t.ramp, 0.5))
        await asyncio.gather(
            *(c.leave(leave_at + self.rng.uniform(0, spread)) for c in self.clients)
        )

    async def probe(self, chats: int) -> None:
        """The baseline: this class alone, chats one at a time, each waited for at the teacher."""
        self.samples.counts["clients"] += len(self.clients)
        await asyncio.gather(*(client.enter(time.time()) for client in self.clients))
        senders = [s for s in self.students if s.joined_at is not None]
        if self.teacher.joined_at is None or not senders:
            self.samples.error("probe", "not_joined", "the baseline class could not join")
        else:
            await asyncio.sleep(0.5)
            for number in range(chats):
                client_id = await senders[number % len(senders)].chat(number)
                await self.teacher.wait_received(client_id)
                await asyncio.sleep(0.1)
        await self.drain(time.time() + self.timing.timeout)
        self.account()
        await asyncio.gather(*(client.leave(time.time()) for client in self.clients))


# -- worker processes ---------------------------------------------------------------------------


async def drive(
    plans: list[ClassPlan], timing: Timing, mode: str, seed: int, probe: int
) -> Samples:
    import aiohttp

    samples = Samples()
    # One HTTP session for every socket of the process, without aiohttp's 100-connection cap.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        rooms = [
            Classroom(plan, timing, samples, random.Random(seed * 100_003 + plan.session_id), http)
            for plan in plans
        ]
        if mode == "probe":
            await rooms[0].probe(probe)
        else:
            await asyncio.gather(*(room.run() for room in rooms))
        for room in rooms:
            for client in room.clients:
                with contextlib.suppress(Exception):
                    await client.sio.shutdown()
    return samples


def worker_main(seed: int, probe: int, pipe: Pipe) -> None:
    """Say ready; then, per job (classes, mode, common timing), drive them and send the samples.

    Workers are started before the nodes, so their start-up overlaps the nodes'; ``None`` ends.
    """
    pipe.send("ready")
    while (job := pipe.recv()) is not None:
        plans, mode, timing = job
        try:
            samples = asyncio.run(drive(plans, timing, mode, seed, probe))
            pipe.send(samples.as_dict())
        except BaseException as error:  # the parent must hear about it, not wait forever
            pipe.send({"crash": repr(error)})
            raise


class Workers:
    """The client processes (spawned: no state shared with the parent but what is sent)."""

    def __init__(self, count: int, args: argparse.Namespace) -> None:
        context = multiprocessing.get_context("spawn")
        self.args = args
        self.processes: list[Any] = []
        self.pipes: list[Pipe] = []
        self.started = False
        for index in range(count):
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=worker_main,
                args=(args.seed + index, args.probe_chats, child_end),
                daemon=True,
            )
            process.start()
            self.processes.append(process)
            self.pipes.append(parent_end)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def _ready(self) -> None:
        if self.started:
            return
        for pipe in self.pipes:
            if not pipe.poll(120) or pipe.recv() != "ready":
                raise RuntimeError("a load worker did not start")
        self.started = True

    def run(
        self, shares: list[list[ClassPlan]], mode: str, during: Any = None
    ) -> tuple[list[dict[str, Any]], Any]:
        """Give share i to worker i, start them together, optionally watch, collect samples."""
        self._ready()
        args = self.args
        timing = Timing(
            ramp_start=time.time() + 0.3,
            ramp=args.ramp if mode == "load" else 0.0,
            seconds=args.seconds,
            chat_interval=args.chat_interval,
            timeout=args.timeout,
        )
        pipes = self.pipes[: len(shares)]
        for pipe, share in zip(pipes, shares, strict=True):
            pipe.send((share, mode, timing))
        watched = during(timing, self.pids[: len(shares)]) if during else None
        budget = timing.steady_end - time.time() + 4 * args.timeout + 60
        results = []
        for pipe in pipes:
            if not pipe.poll(max(budget, 10)):
                raise RuntimeError("a load worker did not report in time")
            result = pipe.recv()
            if "crash" in result:
                raise RuntimeError(f"a load worker failed: {result['crash']}")
            results.append(result)
        return results, watched

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send(None)
        for process in self.processes:
            process.join(5)
            if process.is_alive():
                process.terminate()


# -- nodes --------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalNodes:
    """App nodes as subprocesses on 127.0.0.1, started in order and stopped on exit."""

    def __init__(
        self,
        count: int,
        database_url: str,
        redis_url: str | None,
        workdir: Path,
        profile: Path | None = None,
    ) -> None:
        self.count = count
        self.profile = profile
        self.database_url = database_url
        self.redis_url = redis_url
        self.workdir = workdir
        self.channel = f"newssem-load-{uuid.uuid4().hex[:12]}"
        self.processes: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        self.logs: list[Path] = []

    def _start(self, index: int) -> str:
        port = free_port()
        data_dir = self.workdir / f"node{index}"
        data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "NEWSSEM_DATABASE_URL": self.database_url,
            "NEWSSEM_DATA_DIR": str(data_dir),
            "NEWSSEM_FANOUT_CHANNEL": self.channel,
            "NEWSSEM_HOST": "127.0.0.1",
            "NEWSSEM_PORT": str(port),
        }
        env.pop("NEWSSEM_PUBLIC_URL", None)
        if self.redis_url:
            env["NEWSSEM_REDIS_URL"] = self.redis_url
        else:
            env.pop("NEWSSEM_REDIS_URL", None)
        log = data_dir / "node.log"
        self.logs.append(log)
        command = [sys.executable, "-m", "server", "--log-level", "WARNING", "serve"]
        if self.profile is not None:  # cProfile writes its stats when the node stops (SIGTERM)
            self.profile.mkdir(parents=True, exist_ok=True)
            profile = ["-m", "cProfile", "-o", str(self.profile / f"node{index}.prof")]
            command = [sys.executable, *profile, *command[1:]]
        command += ["--host", "127.0.0.1", "--port", str(port), "--no-seed"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        url = f"http://127.0.0.1:{port}"
        self.urls.append(url)
        return url

    def _wait_healthy(self, index: int, deadline: float) -> None:
        url, process = self.urls[index], self.processes[index]
        last = "no answer"
        while time.time() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"node {url} exited:\n{self.tail(index)}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                last = f"{error.code} {error.read()[:300]!r}"
            except (urllib.error.URLError, OSError) as error:
                last = repr(error)
            time.sleep(0.2)
        raise RuntimeError(f"node {url} not healthy in time ({last}):\n{self.tail(index)}")

    def tail(self, index: int) -> str:
        try:
            return self.logs[index].read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def start(self) -> list[str]:
        self._start(0)
        self._wait_healthy(0, time.time() + 120)
        for index in range(1, self.count):
            self._start(index)
        for index in range(1, self.count):
            self._wait_healthy(index, time.time() + 120)
        return self.urls

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


# -- the database -------------------------------------------------------------------------------


@dataclass
class Prepared:
    seed_reused: bool
    seed_seconds: float | None
    classes: list[tuple[int, int, Member, tuple[Member, ...]]]  # session, course, teacher, students
    baseline: tuple[int, int, Member, tuple[Member, ...]]
    session_ids: list[int]
    token_ids: list[int]


async def pick_classes(db: Any, schools: int, students: int) -> list[tuple[int, int, list[int]]]:
    """Per seeded school (first ``schools`` by code): its first course, teacher, students."""
    from sqlalchemy import select

    from lms.models import Course, Enrolment, School
    from loadtest.lms_seed import CODE_PREFIX

    school_ids = list(
        await db.scalars(
            select(School.id)
            .where(School.code.like(f"{CODE_PREFIX}%"))
            .order_by(School.code)
            .limit(schools)
        )
    )
    if len(school_ids) < schools:
        raise SystemExit(
            f"the database holds {len(school_ids)} seeded schools, fewer than {schools}: "
            "use --reseed or another --database-url"
        )
    picked = []
    for school_id in school_ids:
        course_id = await db.scalar(
            select(Course.id).where(Course.school_id == school_id).order_by(Course.id).limit(1)
        )
        members = (
            await db.execute(
                select(Enrolment.user_id, Enrolment.role)
                .where(Enrolment.course_id == course_id)
                .order_by(Enrolment.user_id)
            )
        ).all()
        teachers = [uid for uid, role in members if str(role.value) == "teacher"]
        learners = [uid for uid, role in members if str(role.value) == "student"][:students]
        if not teachers or len(learners) < students:
            raise SystemExit(
                f"course {course_id} has {len(learners)} students (wanted {students}) "
                f"and {len(teachers)} teachers: use --reseed or another --database-url"
            )
        picked.append((course_id, teachers[0], learners))
    return picked


async def prepare(url: str, schools: int, students: int, hours: float) -> Prepared:
    """Seed if needed, then this run's live sessions (open rooms) and its members' tokens."""
    from sqlalchemy import func, select

    from lms.db import create_engine, session_factory
    from lms.models import LiveSession, LiveSessionStatus, RoomSettings, School, User
    from lms.services import accounts
    from loadtest.lms_seed import CODE_PREFIX, Shape, seed

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            present = await conn.scalar(
                select(func.count()).select_from(School).where(School.code.like(f"{CODE_PREFIX}%"))
            )
        seed_seconds = None
        if not present:
            size = max(students, SEED_CLASS_SIZE)
            shape = Shape(
                schools=schools,
                courses_per_school=1,
                students=schools * size,
                students_per_course=size,
                sessions_per_course=0,
                items_per_course=0,
            )
            seed_seconds = (await seed(engine, shape)).seconds
        async with session_factory(engine)() as db, db.begin():
            picked = await pick_classes(db, schools, students)
            now = datetime.now(UTC)
            stamp = now.strftime("%H:%M:%S")
            wanted = [(course, teacher, learners) for course, teacher, learners in picked]
            wanted.append(picked[0])  # the baseline class: a second session of the first course
            sessions = [
                LiveSession(
                    course_id=course,
                    title=f"부하 시험 {stamp}" if index < len(picked) else f"기준 측정 {stamp}",
                    scheduled_start=now,
                    scheduled_end=now + timedelta(hours=hours),
                    status=LiveSessionStatus.LIVE,
                    started_at=now,
                    started_by=teacher,
                )
                for index, (course, teacher, _) in enumerate(wanted)
            ]
            db.add_all(sessions)
            await db.flush()
            # Written out rather than left to the defaults: every room open, chat allowed.
            db.add_all(
                RoomSettings(session_id=s.id, waiting_room=False, locked=False, student_chat=True)
                for s in sessions
            )
            user_ids = {uid for _, teacher, learners in picked for uid in (teacher, *learners)}
            users = {
                user.id: user
                for user in await db.scalars(select(User).where(User.id.in_(user_ids)))
            }
            tokens: dict[int, Member] = {}
            token_ids = []
            for uid in sorted(user_ids):
                raw, stored = await accounts.issue_token(db, users[uid], timedelta(hours=hours))
                tokens[uid] = Member(uid, raw)
                token_ids.append(stored.id)
        classes = [
            (session.id, course, tokens[teacher], tuple(tokens[uid] for uid in learners))
            for session, (course, teacher, learners) in zip(sessions, wanted, strict=True)
        ]
        return Prepared(
            seed_reused=bool(present),
            seed_seconds=seed_seconds,
            classes=classes[:-1],
            baseline=classes[-1],
            session_ids=[s.id for s in sessions],
            token_ids=token_ids,
        )
    finally:
        await engine.dispose()


async def finish(url: str, session_ids: list[int], token_ids: list[int]) -> None:
    """End this run's sessions and revoke its tokens: nothing of the run stays usable."""
    from sqlalchemy import update

    from lms.db import create_engine
    from lms.models import AuthToken, LiveSession, LiveSessionStatus

    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                update(LiveSession)
                .where(LiveSession.id.in_(session_ids))
                .values(status=LiveSessionStatus.ENDED, ended_at=now)
            )
            await conn.execute(
                update(AuthToken).where(AuthToken.id.in_(token_ids)).values(revoked_at=now)
            )
    finally:
        await engine.dispose()


# -- aggregation --------------------------------------------------------------------------------


def stats(samples: list[float]) -> dict[str, Any]:
    from loadtest.lms_scale import percentile

    if not samples:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    return {
        "n": len(samples),
        "p50": round(percentile(samples, 0.50), 1),
        "p95": round(percentile(samples, 0.95), 1),
        "p99": round(percentile(samples, 0.99), 1),
        "max": round(max(samples), 1),
    }


def merge(results: list[dict[str, Any]]) -> Samples:
    total = Samples()
    for result in results:
        for name, values in result["latencies"].items():
            total.latencies[name].extend(values)
        total.counts.update(result["counts"])
        total.errors.update(result["errors"])
        total.examples.extend(result["examples"])
    return total


def examples(lines: list[str]) -> list[str]:
    """At most two examples of each kind of error (``event code``), at most 16 in all."""
    seen: Counter[str] = Counter()
    kept = []
    for line in lines:
        kind = line.split(": ", 1)[0]  # "event code"; event names hold ":" but never ": "
        seen[kind] += 1
        if seen[kind] <= 2 and len(kept) < 2 * MAX_EXAMPLES:
            kept.append(line)
    return kept


def ratio(loaded: float | None, base: float | None) -> float | None:
    if loaded is None or not base:
        return None
    return round(loaded / base, 2)


def node_health(url: str) -> dict[str, Any] | None:
    """A node's ``/healthz`` body (given with 503 too), or None when it does not answer."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return dict(json.load(response))
    except urllib.error.HTTPError as error:
        with contextlib.suppress(Exception):
            return dict(json.load(error))
    except Exception:
        pass
    return None


class Watcher:
    """Over the steady phase: CPU and memory of local nodes and the workers (psutil), and from
    every node's ``/healthz``, local or remote, how late its event loop ran and how many of
    its database connections were in use."""

    def __init__(self, node_pids: list[int], urls: list[str]) -> None:
        self.node_pids = node_pids
        self.urls = urls

    def read_health(self, lag: list[float | None], pool: list[int | None]) -> None:
        for index, url in enumerate(self.urls):
            body = node_health(url)
            if body is None:
                continue
            recent = (body.get("event_loop") or {}).get("recent_max_ms")
            if isinstance(recent, int | float):
                lag[index] = max(lag[index] or 0.0, float(recent))
            used = ((body.get("database") or {}).get("pool") or {}).get("checked_out")
            if isinstance(used, int):
                pool[index] = max(pool[index] or 0, used)

    def __call__(self, timing: Timing, worker_pids: list[int]) -> dict[str, Any]:
        import psutil

        def procs(pids: list[int]) -> list[psutil.Process | None]:
            found = []
            for pid in pids:
                try:
                    found.append(psutil.Process(pid))
                except psutil.Error:
                    found.append(None)
            return found

        nodes, workers = procs(self.node_pids), procs(worker_pids)
        time.sleep(max(0.0, timing.steady_start - time.time()))
        began = time.time()
        load_start = os.getloadavg()
        for proc in (*nodes, *workers):
            with contextlib.suppress(Exception):
                proc.cpu_percent(None)  # type: ignore[union-attr]
        rss = [0.0] * len(nodes)
        lag: list[float | None] = [None] * len(self.urls)
        pool: list[int | None] = [None] * len(self.urls)
        while time.time() < timing.steady_end:
            for index, proc in enumerate(nodes):
                with contextlib.suppress(Exception):
                    rss[index] = max(rss[index], proc.memory_info().rss / 2**20)  # type: ignore[union-attr]
            self.read_health(lag, pool)
            time.sleep(min(1.0, max(0.0, timing.steady_end - time.time())))

        def cpu(proc: psutil.Process | None) -> float | None:
            try:
                return round(proc.cpu_percent(None), 1) if proc else None
            except psutil.Error:
                return None

        return {
            "node_cpu": [cpu(proc) for proc in nodes],
            "node_rss": [round(value, 1) for value in rss],
            "node_loop_lag": lag,
            "node_pool_used": pool,
            "worker_cpu": [cpu(proc) for proc in workers],
            "load_start": [round(x, 2) for x in load_start],
            "load_end": [round(x, 2) for x in os.getloadavg()],
            "seconds": round(time.time() - began, 1),
        }


def report(
    args: argparse.Namespace,
    prepared: Prepared,
    urls: list[str],
    plans: list[ClassPlan],
    baseline: Samples,
    loaded: Samples,
    watched: dict[str, Any] | None,
    remote: bool,
) -> dict[str, Any]:
    latency = {name: stats(values) for name, values in loaded.latencies.items()}
    base = {name: stats(baseline.latencies[name]) for name in ("chat_ack", "chat_fanout")}
    counts = {
        key: int(loaded.counts.get(key, 0))
        for key in (
            "clients", "joined", "chats_sent", "chats_acked", "fanout_expected",
            "fanout_received", "hands_raised", "hands_lowered", "polls_launched",
            "polls_all_answered", "polls_closed", "answers_sent", "answers_acked",
        )
    }  # fmt: skip
    expected = counts["fanout_expected"]
    counts["delivery_ratio"] = round(counts["fanout_received"] / expected, 4) if expected else None
    by_code: Counter[str] = Counter()
    all_errors = baseline.errors + loaded.errors
    for key, value in all_errors.items():
        by_code[key.rsplit(" ", 1)[-1]] += value
    classes_per_node = Counter(plan.node for plan in plans)
    nodes = []
    for index, url in enumerate(urls):
        nodes.append(
            {
                "url": url,
                "classes": classes_per_node.get(url, 0),
                "cpu_pct": watched["node_cpu"][index] if watched and not remote else None,
                "rss_mb": watched["node_rss"][index] if watched and not remote else None,
                "loop_lag_max_ms": watched["node_loop_lag"][index] if watched else None,
                "db_connections_max": watched["node_pool_used"][index] if watched else None,
            }
        )
    ok = (
        not all_errors
        and counts["joined"] == counts["clients"]
        and counts["delivery_ratio"] == 1.0
        and baseline.counts.get("joined", 0) == baseline.counts.get("clients", -1)
    )
    return {
        "ok": ok,
        "schools": args.schools,
        "students_per_class": args.students,
        "nodes_count": len(urls),
        "local_nodes": not remote,
        "fanout": "redis" if (len(urls) > 1 and not remote) else ("local" if not remote else None),
        "seconds": args.seconds,
        "ramp_seconds": args.ramp,
        "chat_interval_seconds": args.chat_interval,
        "workers": args.workers,
        "seed_reused": prepared.seed_reused,
        "seed_seconds": None if prepared.seed_seconds is None else round(prepared.seed_seconds, 1),
        "latency_ms": latency,
        "baseline_ms": base,
        "ratios": {
            "chat_ack_p50": ratio(latency["chat_ack"]["p50"], base["chat_ack"]["p50"]),
            "chat_ack_p95": ratio(latency["chat_ack"]["p95"], base["chat_ack"]["p95"]),
            "chat_fanout_p50": ratio(latency["chat_fanout"]["p50"], base["chat_fanout"]["p50"]),
            "chat_fanout_p95": ratio(latency["chat_fanout"]["p95"], base["chat_fanout"]["p95"]),
        },
        "counts": counts,
        "errors_total": sum(all_errors.values()),
        "errors": dict(by_code),
        "errors_by_event": dict(all_errors),
        "error_examples": examples(baseline.examples + loaded.examples),
        "nodes": nodes,
        "workers_cpu_pct": watched["worker_cpu"] if watched else None,
        "steady_measured_seconds": watched["seconds"] if watched else None,
        "load_average": {"start": watched["load_start"], "end": watched["load_end"]}
        if watched
        else None,
        "cpus": os.cpu_count(),
    }


def table(result: dict[str, Any]) -> str:
    """The readable form: latencies, baseline and ratios, counts, errors, nodes."""
    out = [
        f"live classes: {result['schools']} schools x {result['students_per_class']} students, "
        f"{result['nodes_count']} node(s), {result['seconds']} s steady"
        f" — {'OK' if result['ok'] else 'FAILED'}",
        "",
        f"{'latency (ms)':<22}{'n':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}",
    ]

    def row(label: str, figure: dict[str, Any]) -> str:
        cells = [f"{figure[k]:>9}" if figure[k] is not None else f"{'-':>9}" for k in
                 ("p50", "p95", "p99", "max")]  # fmt: skip
        return f"{label:<22}{figure['n']:>7}{''.join(cells)}"

    for name, figure in result["latency_ms"].items():
        out.append(row(name, figure))
    for name, figure in result["baseline_ms"].items():
        out.append(row(f"baseline {name}", figure))
    out += ["", "loaded / baseline: " + ", ".join(f"{k} {v}" for k, v in result["ratios"].items())]
    out += ["", "counts: " + ", ".join(f"{k} {v}" for k, v in result["counts"].items())]
    out.append(f"errors: {result['errors_total']} {result['errors_by_event'] or ''}")
    out += [f"  {example}" for example in result["error_examples"]]
    for node in result["nodes"]:
        out.append(
            f"node {node['url']}: {node['classes']} classes, cpu {node['cpu_pct']} %, "
            f"rss {node['rss_mb']} MB"
        )
    out.append(f"workers cpu %: {result['workers_cpu_pct']}")
    out.append(f"load average: {result['load_average']} on {result['cpus']} cpus")
    if "phase_seconds" in result:
        out.append(f"phases (s): {result['phase_seconds']}")
    return "\n".join(out)


# -- the whole run ------------------------------------------------------------------------------


def split(plans: list[ClassPlan], workers: int) -> list[list[ClassPlan]]:
    shares = [plans[index::workers] for index in range(max(1, min(workers, len(plans))))]
    return [share for share in shares if share]


def run(args: argparse.Namespace) -> dict[str, Any]:
    from lms import migrate
    from loadtest.lms_scale import check_url, ensure_database, reset_database

    remote = bool(args.url)
    phases: dict[str, float] = {}
    if remote:
        database_url = os.environ.get("NEWSSEM_DATABASE_URL")
        if not database_url:
            raise SystemExit("with --url, set NEWSSEM_DATABASE_URL to the nodes' database")
    else:
        database_url = args.database_url
        check_url(database_url)
    workers = Workers(min(args.workers, args.schools), args)
    try:
        began = time.perf_counter()
        if not remote:
            asyncio.run(ensure_database(database_url))
            if args.reseed:
                asyncio.run(reset_database(database_url))
            migrate.upgrade(database_url)
        hours = 2 + (args.ramp + args.seconds) / 3600
        prepared = asyncio.run(prepare(database_url, args.schools, args.students, hours))
        phases["prepare"] = time.perf_counter() - began
        try:
            return measure(args, prepared, database_url, workers, remote, phases)
        finally:
            asyncio.run(finish(database_url, prepared.session_ids, prepared.token_ids))
    finally:
        workers.close()


def measure(
    args: argparse.Namespace,
    prepared: Prepared,
    database_url: str,
    workers: Workers,
    remote: bool,
    phases: dict[str, float],
) -> dict[str, Any]:
    """Nodes up (unless remote), the baseline probe, the loaded run; the report."""
    nodes: LocalNodes | None = None
    with tempfile.TemporaryDirectory(prefix="newssem-live-load-") as scratch:
        workdir = args.keep_logs or scratch
        began = time.perf_counter()
        if remote:
            urls = [url.strip().rstrip("/") for url in args.url.split(",") if url.strip()]
        else:
            redis_url = args.redis_url if args.nodes > 1 else None
            profile = Path(args.profile) if args.profile else None
            nodes = LocalNodes(args.nodes, database_url, redis_url, Path(workdir), profile)
        try:
            if nodes is not None:
                urls = nodes.start()
                phases["nodes_start"] = time.perf_counter() - began

            def plan(entry: tuple[int, int, Member, tuple[Member, ...]]) -> ClassPlan:
                session_id, course_id, teacher, students = entry
                return ClassPlan(
                    session_id, course_id, node_for(session_id, urls), teacher, students
                )

            began = time.perf_counter()
            probe_results, _ = workers.run([[plan(prepared.baseline)]], "probe")
            phases["baseline"] = time.perf_counter() - began
            began = time.perf_counter()
            plans = [plan(entry) for entry in prepared.classes]
            watcher = Watcher([p.pid for p in nodes.processes] if nodes else [], urls)
            results, watched = workers.run(split(plans, len(workers.processes)), "load", watcher)
            phases["load"] = time.perf_counter() - began
        finally:
            if nodes is not None:
                nodes.stop()
    result = report(
        args, prepared, urls, plans, merge(probe_results), merge(results), watched, remote
    )
    result["phase_seconds"] = {name: round(value, 1) for name, value in phases.items()}
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m loadtest.live_classes", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--schools", type=int, default=146, help="classes, one per school")
    parser.add_argument("--students", type=int, default=10, help="students per class")
    parser.add_argument("--nodes", type=int, default=2, help="local app nodes to start")
    parser.add_argument("--seconds", type=float, default=60.0, help="steady phase length")
    parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which all join")
    parser.add_argument("--chat-interval", type=float, default=10.0, help="seconds between chats")
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--timeout", type=float, default=10.0, help="ack timeout, seconds")
    parser.add_argument("--probe-chats", type=int, default=20, help="baseline chats")
    parser.add_argument("--seed", type=int, default=146, help="random seed of the schedule")
    parser.add_argument(
        "--url", default=None, help="comma-separated base URLs of running nodes (start none)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("NEWSSEM_LIVE_LOAD_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the load test's own database (local nodes only)",
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="fan-out for >1 node")
    parser.add_argument("--reseed", action="store_true", help="empty the database first")
    parser.add_argument(
        "--keep-logs", default=None, help="keep the local nodes' data dirs and logs in this dir"
    )
    parser.add_argument(
        "--profile", default=None, help="run local nodes under cProfile; stats to DIR/node*.prof"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if min(args.schools, args.students, args.nodes, args.workers) < 1:
        raise SystemExit("--schools, --students, --nodes and --workers must be at least 1")
    if args.seconds < 4 or args.chat_interval <= 0 or args.ramp < 0 or args.timeout <= 0:
        raise SystemExit("--seconds must be >= 4; --chat-interval, --timeout > 0; --ramp >= 0")
    result = run(args)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(table(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
