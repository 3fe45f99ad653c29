"""Fixtures for live-class tests: real nodes on 127.0.0.1 and real socket.io clients.

A node is ``server.app.init_app(settings)`` served by aiohttp's ``TestServer``; clients hold a
real bearer token and connect to namespace ``/class`` with it in ``auth``, as a script or the
mobile app would. The school world is the REST tests' (``tests.api.conftest.world``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from lms.models import LiveSession, LiveSessionStatus, User
from lms.services import accounts
from server import keys
from server.app import init_app
from server.live import NAMESPACE
from server.settings import Settings
from tests.api.conftest import World, world  # noqa: F401  (the shared school world fixture)

WAIT_SECONDS = 5.0


class Node:
    """One running node: its base URL and REST helpers."""

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.url = f"http://127.0.0.1:{server.port}"
        self.http = aiohttp.ClientSession()
        self.tokens: dict[str, str] = {}

    async def token(self, login: str) -> str:
        """A real bearer token for ``login``, issued as ``POST /api/auth/login`` would.

        Issued directly rather than over REST: the login route is the API tests' subject, and
        skipping its deliberately slow password check keeps this suite quick.
        """
        if login not in self.tokens:
            async with self.server.app[keys.DB]() as db, db.begin():
                user = await db.scalar(select(User).where(User.login == login))
                assert user is not None, login
                self.tokens[login], _ = await accounts.issue_token(db, user, timedelta(hours=1))
        return self.tokens[login]

    async def rest(self, method: str, path: str, login: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {await self.token(login)}"}
        async with self.http.request(
            method, f"{self.url}{path}", headers=headers, **kwargs
        ) as response:
            return response.status, await response.json()


class LiveClient:
    """A socket.io client that records every event the server sends it."""

    def __init__(self, login: str) -> None:
        self.login = login
        self.sio = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, list[Any]] = defaultdict(list)
        self.sio.on("*", self._record, namespace=NAMESPACE)
        self.sio.on("disconnect", self._gone, namespace=NAMESPACE)
        self.gone = asyncio.Event()

    async def _gone(self, reason: Any = None) -> None:
        self.gone.set()

    async def wait_disconnected(self) -> None:
        async with asyncio.timeout(WAIT_SECONDS):
            await self.gone.wait()

    async def _record(self, event: str, data: Any = None) -> None:
        self.events[event].append(data)

    async def connect(
        self, node: Node, token: str | None, headers: dict[str, str] | None = None
    ) -> None:
        await self.sio.connect(
            node.url,
            namespaces=[NAMESPACE],
            transports=["websocket"],
            auth={"token": token} if token else None,
            headers=headers or {},
            wait_timeout=WAIT_SECONDS,
        )

    async def call(self, event: str, data: Any = None) -> dict[str, Any]:
        return await self.sio.call(event, data, namespace=NAMESPACE, timeout=WAIT_SECONDS)

    async def join(
        self, session_id: int, last_seq: int | None = None, tab_id: str | None = None
    ) -> dict[str, Any]:
        """Join as a browser tab does; ``tab_id`` names the tab across its reconnects."""
        payload: dict[str, Any] = {"session_id": session_id, "last_seq": last_seq}
        if tab_id is not None:
            payload["tab_id"] = tab_id
        ack = await self.call("join", payload)
        assert ack["ok"], ack
        return ack

    async def wait_for(
        self, event: str, check: Callable[[Any], bool] = lambda _: True
    ) -> Any:
        """The first recorded ``event`` whose data passes ``check``, waiting if need be."""
        async with asyncio.timeout(WAIT_SECONDS):
            while True:
                for data in self.events[event]:
                    if check(data):
                        return data
                await asyncio.sleep(0.02)

    def forget(self, *events: str) -> None:
        """Drop what was recorded so far, so ``wait_for`` only sees what comes next."""
        for event in events or list(self.events):
            self.events[event].clear()

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        await self.sio.shutdown()


def present(*user_ids: int) -> Callable[[Any], bool]:
    """A presence check: exactly these users are listed."""
    return lambda data: {p["user_id"] for p in data["participants"]} == set(user_ids)


StartNode = Callable[[Settings], Awaitable[Node]]
Connect = Callable[..., Awaitable[LiveClient]]


@pytest.fixture
async def start_node(engine: AsyncEngine) -> AsyncIterator[StartNode]:
    """Start nodes on free ports; all are stopped (drained) at the end of the test.

    Depends on ``engine`` so the tables exist first and the nodes stop before the tables are
    emptied (a node draining into a truncated table would wait on its lock).
    """
    started: list[Node] = []

    async def start(settings: Settings) -> Node:
        server = TestServer(init_app(settings), host="127.0.0.1")
        await server.start_server()
        node = Node(server)
        started.append(node)
        return node

    yield start
    for node in reversed(started):
        await node.http.close()
        await node.server.close()


@pytest.fixture
async def node(start_node: StartNode, settings: Settings, engine: AsyncEngine) -> Node:
    """One node on the test database (``engine`` creates the tables first)."""
    return await start_node(settings)


@pytest.fixture
def redis_settings(settings: Settings, redis_url: str) -> Settings:
    """Settings for a node of a two-node deployment with a channel no other test uses."""
    return settings.model_copy(
        update={"redis_url": redis_url, "fanout_channel": f"newssem-test-{uuid.uuid4().hex}"}
    )


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Log in on ``node`` and connect a live client as ``login``."""
    clients: list[LiveClient] = []

    async def open_client(node: Node, login: str) -> LiveClient:
        client = LiveClient(login)
        clients.append(client)
        await client.connect(node, await node.token(login))
        return client

    yield open_client
    for client in clients:
        await client.close()


async def set_status(
    db: async_sessionmaker[AsyncSession], session_id: int, status: LiveSessionStatus
) -> None:
    now = datetime.now(UTC)
    values: dict[str, Any] = {"status": status}
    if status is not LiveSessionStatus.SCHEDULED:
        values["started_at"] = now
    if status is LiveSessionStatus.ENDED:
        values["ended_at"] = now
    async with db() as s, s.begin():
        await s.execute(update(LiveSession).where(LiveSession.id == session_id).values(**values))


@pytest.fixture
async def live(world: World, db: async_sessionmaker[AsyncSession]) -> int:  # noqa: F811
    """The world's session, started."""
    await set_status(db, world.session, LiveSessionStatus.LIVE)
    return world.session


async def count(db: async_sessionmaker[AsyncSession], model: Any, **where: Any) -> int:
    async with db() as s:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await s.scalar(query) or 0)
