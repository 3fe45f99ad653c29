"""Login, logout and "who am I"."""

from __future__ import annotations

import logging

from aiohttp import web

from lms.errors import NotAuthenticated
from lms.services import accounts
from lms.services.hospital import access as hospital_access
from server import keys
from server.auth import (
    LOGIN_LIMITER,
    clear_session_cookie,
    client_address,
    credentials,
    require_user,
    session_ttl,
    set_session_cookie,
)
from server.schemas import LoginRequest, LoginResponse, MeResponse, UserOut, dump
from server.views.common import read_body, unit_of_work

log = logging.getLogger(__name__)

async def login(request: web.Request) -> web.Response:
    """Check the password, issue a token, and set it as the session cookie as well."""
    body = await read_body(request, LoginRequest)
    limiter = request.app[LOGIN_LIMITER]
    address = client_address(request)
    limiter.check(body.login, address)
    async with unit_of_work(request) as db:
        try:
            user = await accounts.authenticate(db, body.login, body.password)
        except NotAuthenticated:
            limiter.failed(body.login, address)
            raise
        raw_token, token = await accounts.issue_token(db, user, session_ttl(request))
    payload = {"user": dump(UserOut, user), "csrf_token": token.csrf_token, "token": raw_token}
    response = web.json_response(LoginResponse.model_validate(payload).model_dump(mode="json"))
    set_session_cookie(request, response, raw_token)
    return response


async def logout(request: web.Request) -> web.Response:
    """Revoke the token on the server (every node), cut its live-class sockets after the
    commit, then drop the cookie."""
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        found = credentials(request)
        assert found is not None  # require_user has just accepted them
        await accounts.revoke_token(db, found[0])
        token_id = identity.token.id
    try:
        await request.app[keys.LIVE].login_revoked(token_id)
    except Exception:  # revoked in the database: its sockets are refused at their next join
        log.exception("could not cut the live sockets of login %s", token_id)
    response = web.json_response({"ok": True})
    clear_session_cookie(response)
    return response


async def me(request: web.Request) -> web.Response:
    """The caller and their CSRF token, so a reloaded page can keep sending changes."""
    async with unit_of_work(request) as db:
        identity = await require_user(request, db)
        capabilities = await hospital_access.capabilities(db, identity.user)
    me = {"user": identity.user, "csrf_token": identity.token.csrf_token}
    return web.json_response(dump(MeResponse, {**me, "capabilities": capabilities}))

