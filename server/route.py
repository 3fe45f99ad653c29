"""One REST route: method, path, handler, and what it takes and returns, for router and OpenAPI.

Feature modules declare their own ``ROUTES: tuple[Route, ...]`` with this class; ``server.routes``
joins them into the one table the app and ``server.openapi`` read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp.typedefs import Handler
from pydantic import BaseModel

ID = r"{id:\d+}"


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    response: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    status: int = 200
    auth: bool = True
    errors: tuple[int, ...] = field(default=())
