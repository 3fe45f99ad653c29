"""Accounts: Argon2id password hashes and stored, revocable login tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from lms.db import utcnow
from lms.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from lms.models import AuthToken, Role, School, User
from lms.services import clean_text, parse_enum

# argon2-cffi's defaults are Argon2id (type ID) with RFC 9106's low-memory profile. Module level
# so tests can swap in cheaper parameters; production never does.
hasher = PasswordHasher()
# One dummy hash per hasher: verifying against it when the login is unknown makes that failure
# cost the same as a wrong password, so response times do not reveal which logins exist.
_dummy_hashes: dict[int, str] = {}

MIN_PASSWORD_CHARS = 8
# Argon2 accepts any length; a cap keeps one request from buying minutes of hashing.
MAX_PASSWORD_CHARS = 1024
MAX_LOGIN_CHARS = 64
MAX_DISPLAY_NAME_CHARS = 100
WRONG_CREDENTIALS = "wrong login or password"


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash() -> str:
    key = id(hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash("newssem-no-such-user")
    return _dummy_hashes[key]


def token_digest(token: str) -> str:
    """Only digests are stored, so a leaked table does not leak live sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_user(
    db: AsyncSession,
    *,
    login: str,
    display_name: str,
    password: str,
    role: Role,
    school_id: int | None = None,
    locale: str = "ko",
) -> User:
    """A new account. Who may create which role is the caller's check; this keeps the data sane."""
    login = clean_text(login, "login", max_chars=MAX_LOGIN_CHARS)
    if any(ch.isspace() for ch in login):
        raise InvalidInput("login must not contain spaces", field="login")
    display_name = clean_text(display_name, "display name", max_chars=MAX_DISPLAY_NAME_CHARS)
    if not isinstance(password, str) or not (
        MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS
    ):
        raise InvalidInput(
            f"password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters",
            field="password",
        )
    role = parse_enum(Role, role, "role")
    locale = clean_text(locale, "locale", max_chars=8, min_chars=2)
    if role is not Role.ADMIN and school_id is None:
        raise InvalidInput("every user but a platform admin belongs to a school", field="school_id")
    if school_id is not None and await db.get(School, school_id) is None:
        raise NotFound("no such school", school_id=school_id)
    if await db.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict("login already taken", login=login)
    user = User(
        login=login,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        school_id=school_id,
        locale=locale,
    )
    db.add(user)
    await db.flush()
    return user


async def authenticate(db: AsyncSession, login: str, password: str) -> User:
    """The user behind a login and password; every failure looks and takes the same."""
    if not isinstance(login, str) or not isinstance(password, str):
        raise NotAuthenticated(WRONG_CREDENTIALS)
    login = login.strip()
    user = None
    if 0 < len(login) <= MAX_LOGIN_CHARS and len(password) <= MAX_PASSWORD_CHARS:
        user = await db.scalar(select(User).where(User.login == login))
    if user is None:
        verify_password(_dummy_hash(), password[:MAX_PASSWORD_CHARS])
        raise NotAuthenticated(WRONG_CREDENTIALS)
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise NotAuthenticated(WRONG_CREDENTIALS)
    if hasher.check_needs_rehash(user.password_hash):
        # Stronger parameters roll out as people log in; no mass rehash needed.
        user.password_hash = hash_password(password)
        await db.flush()
    return user


async def issue_token(db: AsyncSession, user: User, ttl: timedelta) -> tuple[str, AuthToken]:
    """A new login session; the raw token is returned once and only its digest is kept."""
    raw = secrets.token_urlsafe(32)
    token = AuthToken(
        token_hash=token_digest(raw),
        csrf_token=secrets.token_urlsafe(32),
        user_id=user.id,
        expires_at=utcnow() + ttl,
    )
    db.add(token)
    await db.flush()
    return raw, token


async def user_for_token(db: AsyncSession, token: str) -> tuple[User, AuthToken]:
    """Who a cookie or bearer token belongs to, if it is still valid."""
    if not isinstance(token, str) or not token or len(token) > 256:
        raise NotAuthenticated("not logged in")
    row = (
        await db.execute(
            select(User, AuthToken)
            .join(AuthToken, AuthToken.user_id == User.id)
            .where(AuthToken.token_hash == token_digest(token))
        )
    ).first()
    if row is None:
        raise NotAuthenticated("not logged in")
    user, stored = row
    if stored.revoked_at is not None or stored.expires_at <= utcnow():
        raise NotAuthenticated("session expired; log in again")
    if not user.is_active:
        raise NotAuthenticated("account deactivated")
    return user, stored


async def revoke_token(db: AsyncSession, token: str) -> None:
    """Log out: the token stops working on every node at once. Unknown tokens are ignored."""
    stored = await db.scalar(select(AuthToken).where(AuthToken.token_hash == token_digest(token)))
    if stored is not None and stored.revoked_at is None:
        stored.revoked_at = utcnow()
        await db.flush()
