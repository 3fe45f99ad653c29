"""A node sweeps its file store before serving: what a crash left an hour ago is gone."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.ext.asyncio import AsyncEngine

from server.app import init_app
from server.settings import Settings
from tests.lms.test_file_sweep import TWO_HOURS, crashed_blob, crashed_upload
from tests.sample_files import pdf_bytes


async def test_a_starting_node_clears_what_crashed_uploads_left(
    settings: Settings, engine: AsyncEngine
) -> None:
    root = settings.files_dir
    stale = crashed_upload(root, "upload-00000000000000aa")
    in_flight = crashed_upload(root, "upload-00000000000000bb", seconds_ago=60)
    orphan = crashed_blob(root, pdf_bytes(2), seconds_ago=TWO_HOURS)
    async with TestClient(TestServer(init_app(settings))) as client:
        assert (await client.get("/healthz")).status == 200
        assert not stale.exists() and in_flight.is_file()
        assert not (root / orphan[:2] / orphan[2:4] / orphan).exists()
