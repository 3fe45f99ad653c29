"""Creating many accounts from a CSV file, all or nothing.

Columns: ``login, display_name, role, school_code`` and optionally ``password``. A row
without a password gets a generated one-time password, returned once in the result and never
stored in clear. Every bad row is reported with its line number and a reason code; if there is
even one, nothing is stored.

The work is split in three so the slow part (Argon2 hashing, ~50 ms per password) holds no
database transaction: ``check_import`` validates (read-only), ``hash_passwords`` hashes in
worker threads, ``apply_import`` re-checks logins (someone may have taken one meanwhile) and
inserts every row in one transaction.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from lms.errors import Conflict
from lms.models import Role, School, User
from lms.services import accounts
from lms.services.csv_table import RowError, extra_cells_error, read_csv
from lms.services.user_admin import SCHOOL_ADMIN_MANAGES, require_user_manager

REQUIRED_COLUMNS = frozenset({"login", "display_name", "role", "school_code"})
OPTIONAL_COLUMNS = frozenset({"password"})
LOGIN = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Roles a CSV may create: platform admins are made one by one, deliberately.
IMPORTABLE_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.TEACHER, Role.STUDENT})
# School offices write roles in Korean as often as in English; both are accepted.
ROLE_WORDS: dict[str, Role] = {
    **{role.value: role for role in Role},
    "학생": Role.STUDENT,
    "교사": Role.TEACHER,
    "선생님": Role.TEACHER,
    "학교관리자": Role.SCHOOL_ADMIN,
    "학교 관리자": Role.SCHOOL_ADMIN,
}
# No 0/O, 1/l/I: one-time passwords are read off paper handed to a student.
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OTP_LENGTH = 10
# Argon2id with OWASP's minimum parameters (19 MiB, 2 passes, 1 lane); see ``hash_passwords``.
IMPORT_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
HASH_WORKERS = 2


def one_time_password() -> str:
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(OTP_LENGTH))


@dataclass
class ImportRow:
    line: int
    login: str
    display_name: str
    role: Role
    school_id: int
    school_code: str
    password: str
    generated: bool
    password_hash: str = ""


@dataclass
class ImportPlan:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


async def check_import(db: AsyncSession, actor: User, data: bytes) -> ImportPlan:
    """Validate every row against the file and the database; nothing is written."""
    require_user_manager(actor)
    table = read_csv(data, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    plan = ImportPlan(total_rows=len(table.rows))
    codes = {row["school_code"] for _, row in table.rows if row["school_code"]}
    schools = {
        school.code: school
        for school in await db.scalars(select(School).where(School.code.in_(codes)))
    }
    logins = [row["login"] for _, row in table.rows if row["login"]]
    taken = await _taken_logins(db, logins)
    first_line: dict[str, int] = {}
    for line, row in table.rows:
        errors = _check_row(actor, line, row, schools, taken, first_line)
        if errors:
            plan.errors.extend(errors)
            continue
        password = row.get("password", "")
        school = schools[row["school_code"]]
        plan.rows.append(
            ImportRow(
                line=line,
                login=row["login"],
                display_name=row["display_name"],
                role=ROLE_WORDS[row["role"].lower()],
                school_id=school.id,
                school_code=school.code,
                password=password or one_time_password(),
                generated=not password,
            )
        )
    return plan


async def _taken_logins(db: AsyncSession, logins: list[str]) -> set[str]:
    """Logins already in the database, compared case-insensitively as people read them."""
    taken: set[str] = set()
    lowered = sorted({login.lower() for login in logins})
    for start in range(0, len(lowered), 500):  # stay under every backend's parameter limit
        chunk = lowered[start : start + 500]
        taken.update(
            await db.scalars(
                select(func.lower(User.login)).where(func.lower(User.login).in_(chunk))
            )
        )
    return taken


def _check_row(
    actor: User,
    line: int,
    row: dict[str, str],
    schools: dict[str, School],
    taken: set[str],
    first_line: dict[str, int],
) -> list[RowError]:
    errors: list[RowError] = []

    def bad(reason: str, message: str, column: str | None = None) -> None:
        errors.append(RowError(line, reason, message, column, row.get(column) if column else None))

    extra = extra_cells_error(line, row)
    if extra is not None:
        errors.append(extra)
    for column in sorted(REQUIRED_COLUMNS):
        if not row[column]:
            bad("missing_value", f"{column} is empty", column)
    login = row["login"]
    if login:
        if not LOGIN.fullmatch(login):
            bad("bad_login", "a login uses letters, digits, '.', '_' and '-' (at most 64)", "login")
        elif login.lower() in first_line:
            bad(
                "duplicate_in_file",
                f"this login is also on line {first_line[login.lower()]}",
                "login",
            )
        elif login.lower() in taken:
            bad("login_taken", "an account with this login exists", "login")
        first_line.setdefault(login.lower(), line)
    if len(row["display_name"]) > accounts.MAX_DISPLAY_NAME_CHARS:
        bad(
            "too_long",
            f"a name has at most {accounts.MAX_DISPLAY_NAME_CHARS} characters",
            "display_name",
        )
    if row["role"]:
        role = ROLE_WORDS.get(row["role"].lower())
        if role is None:
            bad("bad_role", "role must be school_admin, teacher or student", "role")
        if role is not None and role not in IMPORTABLE_ROLES:
            bad("bad_role", "platform admins are not created by import", "role")
        elif (
            role is not None
            and actor.role is Role.SCHOOL_ADMIN
            and role not in SCHOOL_ADMIN_MANAGES
        ):
            bad("role_not_allowed", "a school admin imports teachers and students only", "role")
    code = row["school_code"]
    if code:
        school = schools.get(code)
        if school is None:
            bad("unknown_school", "no school has this code", "school_code")
        elif actor.role is Role.SCHOOL_ADMIN and school.id != actor.school_id:
            bad("other_school", "a school admin imports into their own school only", "school_code")
    password = row.get("password", "")
    if password and not (
        accounts.MIN_PASSWORD_CHARS <= len(password) <= accounts.MAX_PASSWORD_CHARS
    ):
        errors.append(
            RowError(
                line,
                "bad_password",
                f"a password has {accounts.MIN_PASSWORD_CHARS} to "
                f"{accounts.MAX_PASSWORD_CHARS} characters (leave it empty to generate one)",
                "password",
            )
        )
    return errors


async def hash_passwords(plan: ImportPlan) -> None:
    """Hash every row's password in worker threads, outside any transaction.

    Imports use ``IMPORT_HASHER``, Argon2id at OWASP's minimum profile (~60 ms instead of
    ~300 ms), so a school's 700 students take seconds, not minutes; every password is
    rehashed with the full profile at its owner's first login (``accounts.authenticate``).
    At most ``HASH_WORKERS`` hashes run at once: each holds 19 MiB.
    """
    gate = asyncio.Semaphore(HASH_WORKERS)

    async def one(password: str) -> str:
        async with gate:
            return await asyncio.to_thread(IMPORT_HASHER.hash, password)

    hashes = await asyncio.gather(*(one(row.password) for row in plan.rows))
    for row, hashed in zip(plan.rows, hashes, strict=True):
        row.password_hash = hashed


async def apply_import(db: AsyncSession, actor: User, plan: ImportPlan) -> list[User]:
    """Insert every row of a checked, hashed plan; a login taken meanwhile refuses them all."""
    require_user_manager(actor)
    if not plan.ok:
        raise Conflict("the file has errors; nothing was imported")
    taken = await _taken_logins(db, [row.login for row in plan.rows])
    clashes = [
        RowError(row.line, "login_taken", "an account with this login exists", "login", row.login)
        for row in plan.rows
        if row.login.lower() in taken
    ]
    if clashes:
        plan.errors.extend(clashes)
        raise Conflict(
            "logins were taken while the file was checked; nothing was imported",
            errors=[error.to_dict() for error in clashes],
        )
    users = [
        User(
            login=row.login,
            display_name=row.display_name,
            password_hash=row.password_hash,
            role=row.role,
            school_id=row.school_id,
        )
        for row in plan.rows
    ]
    db.add_all(users)
    try:
        await db.flush()
    except IntegrityError:
        # Another import took a login between the re-check and the insert.
        raise Conflict("a login was taken meanwhile; nothing was imported") from None
    return users
