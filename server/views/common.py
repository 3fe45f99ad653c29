"""What every handler does the same way: open its one database session, read and validate a
JSON body, read path ids."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import transaction
from lms.errors import InvalidInput, NotFound
from server import keys

M = TypeVar("M", bound=BaseModel)

# Ids are 32-bit integers in the database; a larger one cannot name anything.
MAX_ID = 2**31 - 1


@asynccontextmanager
async def unit_of_work(request: web.Request) -> AsyncIterator[AsyncSession]:
    """One session and one transaction per request: commits on success, rolls back on error.

    The body is read first (aiohttp keeps it for ``read_body``), so a slow upload never holds a
    database connection or an SQLite write lock open while it trickles in.
    """
    if request.can_read_body:
        await request.read()
    async with transaction(request.app[keys.DB]) as db:
        yield db


async def read_body(request: web.Request, model: type[M]) -> M:
    """The request body validated against ``model`` (400 on bad JSON, types or fields).

    Reading the body is also where aiohttp enforces ``client_max_size`` (413).
    """
    raw = await request.read()
    if not raw.strip():
        raise InvalidInput("a JSON body is required")
    return model.model_validate_json(raw)


def read_query(request: web.Request, model: type[M]) -> M:
    return model.model_validate(dict(request.query))


def path_id(request: web.Request, name: str = "id") -> int:
    value = int(request.match_info[name])  # the route pattern admits digits only
    if value > MAX_ID:
        raise NotFound("no such object")
    return value


def json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)
