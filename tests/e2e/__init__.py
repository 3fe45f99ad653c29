"""Browser tests: the real server and the real client, driven through headless Chromium."""
