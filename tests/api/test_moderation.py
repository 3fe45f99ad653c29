"""``GET /api/sessions/{id}/moderation-log``: who may read a class's moderation log."""

from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from lms.models import ModerationAction
from lms.services import moderation
from tests.api.conftest import LoginAs, World
from tests.api.helpers import assert_error


async def test_the_class_teachers_and_admins_read_the_log_others_cannot(
    app_client: TestClient,
    world: World,
    login_as: LoginAs,
    db: async_sessionmaker[AsyncSession],
) -> None:
    async with db() as s, s.begin():
        await moderation.log_action(
            s,
            world.session,
            world.users["teacher"],
            ModerationAction.REMOVE,
            world.users["student1"],
            {"reason": "removed"},
        )
        await moderation.log_action(
            s, world.session, world.users["teacher"], ModerationAction.MUTE_ALL, None, {}
        )
    path = f"/api/sessions/{world.session}/moderation-log"
    for login in ("teacher", "admin", "sa_a"):
        response = await app_client.get(path, headers=await login_as(login))
        assert response.status == 200, (login, await response.text())
        items = (await response.json())["items"]
        assert [item["action"] for item in items] == ["remove", "mute_all"]
    first, second = items
    assert first["actor"] == {"id": world.users["teacher"], "display_name": "Teacher"}
    assert first["target"] == {"id": world.users["student1"], "display_name": "Student1"}
    assert first["details"] == {"reason": "removed"}
    assert second["target"] is None and second["created_at"].endswith("Z")

    response = await app_client.get(
        f"{path}?after_id={first['id']}", headers=await login_as("teacher")
    )
    assert [item["id"] for item in (await response.json())["items"]] == [second["id"]]

    for login in ("student1", "teacher2", "sa_b", "teacher_b"):
        response = await app_client.get(path, headers=await login_as(login))
        assert response.status == 403, login
        assert_error(await response.json(), "forbidden")

    response = await app_client.get(path)
    assert response.status == 401
    response = await app_client.get(
        "/api/sessions/999999/moderation-log", headers=await login_as("teacher")
    )
    assert response.status == 404
    for query in ("limit=0", "limit=abc", "after_id=-1", "owner=1"):
        response = await app_client.get(f"{path}?{query}", headers=await login_as("teacher"))
        assert response.status == 400, query
        assert_error(await response.json(), "invalid_input")
