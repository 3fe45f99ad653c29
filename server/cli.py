"""The ``newssem`` command: serve a node, migrate its database, seed the demo school.

``newssem serve`` is the one command a teacher trying the platform on a laptop runs: it makes
the data directory, migrates the embedded SQLite database, seeds a demo school when there are no
users yet, and prints the address and the logins to try.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from typing import Any

from aiohttp import web
from sqlalchemy import func, make_url, select

from lms.db import create_engine, session_factory, transaction
from lms.migrate import upgrade
from lms.models import User
from lms.services import demo
from lms.services.demo import DemoLogins
from server.settings import Settings

log = logging.getLogger("newssem")



def shown_url(settings: Settings) -> str:
    """The database URL without its password, fit for a terminal or a log."""
    return make_url(settings.effective_database_url).render_as_string(hide_password=True)


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def load_settings(args: argparse.Namespace) -> Settings:
    """Environment first, command-line flags over it."""
    overrides: dict[str, Any] = {}
    if getattr(args, "host", None):
        overrides["host"] = args.host
    if getattr(args, "port", None) is not None:
        overrides["port"] = args.port
    return Settings(**overrides)


def prepare_data_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)


def migrate(settings: Settings) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    upgrade(settings.effective_database_url)


async def _seed(settings: Settings, only_if_empty: bool) -> DemoLogins | None:
    engine = create_engine(settings.effective_database_url)
    try:
        async with transaction(session_factory(engine)) as db:
            if only_if_empty and await db.scalar(select(func.count()).select_from(User)):
                return None
            return await demo.seed_demo(
                db, files_root=settings.files_dir, font=settings.hospital_notice
            )
    finally:
        await engine.dispose()


def seed(settings: Settings, *, only_if_empty: bool) -> DemoLogins | None:
    """Seed the demo school; returns what ``seed_demo`` returned, or None if skipped."""
    return asyncio.run(_seed(settings, only_if_empty))


def print_banner(settings: Settings, logins: DemoLogins | None) -> None:
    out = [
        "",
        "newSSEM is running",
        f"  open           {settings.advertised_url}/",
        f"  health         {settings.advertised_url}/healthz",
        f"  database       {shown_url(settings)}",
    ]
    if logins is not None:
        out += ["", "demo school seeded; log in as:", *logins.lines()]
    out.append("")
    print("\n".join(out), flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    from server.app import init_app

    settings = load_settings(args)
    prepare_data_dir(settings)
    migrate(settings)
    logins = None if args.no_seed else seed(settings, only_if_empty=True)
    # run_app calls ``print`` once the socket is listening: the moment the URL starts working.
    web.run_app(
        init_app(settings),
        host=settings.host,
        port=settings.port,
        shutdown_timeout=10.0,
        print=lambda _message: print_banner(settings, logins),
        access_log=logging.getLogger("aiohttp.access"),
    )
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    migrate(settings)
    print(f"database is at the newest schema: {shown_url(settings)}")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    migrate(settings)
    logins = seed(settings, only_if_empty=False)
    print("\n".join(["demo school ready; log in as:", *logins.lines()]))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newssem", description=__doc__.splitlines()[0])
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, ...")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, seed the demo school if empty, serve")
    serve.add_argument("--host", help="listen address (NEWSSEM_HOST)")
    serve.add_argument("--port", type=int, help="listen port (NEWSSEM_PORT)")
    serve.add_argument("--no-seed", action="store_true", help="do not seed the demo school")
    serve.set_defaults(run=cmd_serve)

    commands.add_parser("migrate", help="apply the database migrations").set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("seed-demo", help="seed the demo school, print logins").set_defaults(
        run=cmd_seed_demo
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
