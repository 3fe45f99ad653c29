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
from lms.errors import Conflict, InvalidInput, NotAuthenticated
from lms.models import AuthToken, Role, User

# argon2-cffi's defaults are Argon2id with RFC 9106's low-memory profile.
hasher = PasswordHasher()
# Verifying against this when the login is unknown keeps both failures equally slow.
_DUMMY_HASH = hasher.hash("newssem-no-such-user")

MIN_PASSWORD_CHARS = 8
WRONG_CREDENTIALS = "wrong login or password"


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
    login = login.strip()
    if not login or len(login) > 64:
        raise InvalidInput("login must be 1 to 64 characters")
    if not display_name.strip():
        raise InvalidInput("display name must not be empty")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(f"password must be at least {MIN_PASSWORD_CHARS} characters")
    if role is not Role.ADMIN and school_id is None:
        raise InvalidInput("every user but a platform admin belongs to a school")
    if await db.scalar(select(User.id).where(User.login == login)) is not None:
        raise Conflict("login already taken", login=login)
    user = User(
        login=login,
        display_name=display_name.strip(),
        password_hash=hash_password(password),
        role=role,
        school_id=school_id,
        locale=locale,
    )
    db.add(user)
    await db.flush()
    return user


async def authenticate(db: AsyncSession, login: str, password: str) -> User:
    user = await db.scalar(select(User).where(User.login == login))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        raise NotAuthenticated(WRONG_CREDENTIALS)
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise NotAuthenticated(WRONG_CREDENTIALS)
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


async def issue_token(db: AsyncSession, user: User, ttl: timedelta) -> tuple[str, AuthToken]:
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
    stored = await db.scalar(select(AuthToken).where(AuthToken.token_hash == token_digest(token)))
    if stored is not None and stored.revoked_at is None:
        stored.revoked_at = utcnow()
        await db.flush()
