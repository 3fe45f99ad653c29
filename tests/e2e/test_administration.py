"""A school admin imports a class of accounts from CSV: a bad file is reported line by line and
nothing is created; the corrected file creates everyone with one-time passwords; one account is
deactivated and can no longer log in."""

from __future__ import annotations

import urllib.error
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.api_client import ApiClient
from tests.e2e.pages import find_user_row, import_accounts, log_in, tid
from tests.e2e.server_process import ServerProcess

pytestmark = pytest.mark.e2e


def test_school_admin_imports_accounts_and_deactivates_one(
    live_server: ServerProcess, new_page: Any
) -> None:
    tag = uuid.uuid4().hex[:6]
    admin = new_page()
    admin.on("dialog", lambda dialog: dialog.accept())
    log_in(admin, live_server.url, "schooladmin")

    bad = (
        "login,display_name,role,school_code\n"
        f"kim{tag},김민지,student,DEMO\n"
        f"kim{tag},김민수,student,DEMO\n"
        f"lee{tag},이서준,student,NOPE\n"
    )
    import_accounts(admin, bad)
    errors = tid(admin, "csv-error")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_have_attribute("data-line", "3")
    expect(errors.nth(0)).to_have_attribute("data-reason", "duplicate_in_file")
    expect(errors.nth(1)).to_have_attribute("data-reason", "unknown_school")

    good = (
        "login,display_name,role,school_code\n"
        f"kim{tag},김민지,student,DEMO\n"
        f"lee{tag},이서준,student,DEMO\n"
    )
    import_accounts(admin, good)
    passwords = tid(admin, "otp")
    expect(passwords).to_have_count(2)
    first_password = passwords.nth(0).inner_text()
    ApiClient(live_server.url, f"kim{tag}", first_password)  # the one-time password works

    row = find_user_row(admin, f"lee{tag}", f"lee{tag}")
    tid(row, "deactivate").click()
    expect(row).to_have_attribute("data-active", "false")
    with pytest.raises(urllib.error.HTTPError) as refused:
        ApiClient(live_server.url, f"lee{tag}", passwords.nth(1).inner_text())
    assert refused.value.code == 401
