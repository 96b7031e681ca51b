"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from types import SimpleNamespace

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium():
    # Playwright's sync API runs an event loop in this thread while it is started; the ORM calls the
    # test makes between page actions are still plain synchronous calls. Module scope stops it (and
    # its loop) before other modules' asyncio tests run.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: ./scripts/test installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                  "--no-first-run", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def new_page(chromium):
    """Open pages in fresh contexts (separate cookies: one per person), Chinese first like a local user."""
    contexts = []

    def open_page(locale: str = "zh-CN"):
        context = chromium.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                       extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def asgi_server():
    """Daphne with the platform's ASGI application (HTTP, static files, WebSockets) on a free port, in a thread
    of this process so the test's settings and moved clock hold there too (pytest-django's live server is WSGI
    and speaks no WebSocket). Twisted's reactor runs once per process, hence the session scope.

    ``run(fn)`` calls ``fn()`` in the server's own worker thread, as a request would be served: what it sends
    after commit reaches the in-memory channel layer's listeners (from the test's thread it would be dropped,
    see witness.feed.publish_group)."""
    from daphne.server import Server  # installs Twisted's asyncio reactor; import before the reactor
    from twisted.internet import reactor

    from asgiref.sync import sync_to_async
    from channels.routing import get_default_application
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections

    # Django serves each ASGI request from a fresh thread, so a persistent connection (CONN_MAX_AGE) would
    # be left open by every request until garbage collection: close them at the end of each request, as
    # Django's documentation asks of ASGI deployments.
    database = connections.settings["default"]
    max_age = database.get("CONN_MAX_AGE", 0)
    database["CONN_MAX_AGE"] = 0
    server = Server(application=ASGIStaticFilesHandler(get_default_application()),
                    endpoints=["tcp:port=0:interface=127.0.0.1"], signal_handlers=False, verbosity=0)
    thread = threading.Thread(target=server.run, name="daphne-live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.listening_addresses:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("Daphne did not start listening")
        time.sleep(0.02)
    host, port = server.listening_addresses[0]

    def run(fn, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(sync_to_async(fn)(), reactor._asyncioEventloop).result(timeout)

    yield SimpleNamespace(url=f"http://{host}:{port}", run=run)  # shaped like pytest-django's live_server
    # Close the connection the WebSocket consumers' thread holds (PostgreSQL drops the test database after).
    run(connections.close_all, 10)
    reactor.callFromThread(reactor.stop)
    thread.join(10)
    database["CONN_MAX_AGE"] = max_age
