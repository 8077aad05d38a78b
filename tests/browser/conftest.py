"""Browser fixtures: Debian's chromium driven by Playwright against a real local server.

The server is a werkzeug ``make_server`` thread on 127.0.0.1 serving an app with its own SQLite
file, seeded once with the demo listings (tests/browser/demo_data.py). Browser tests always run
on SQLite: they exercise pages, not the database, and the shared ``app`` fixture's per-test
emptying must not pull data from under a running browser.

Fixtures for other browser test modules:

- ``live_app``: the Flask app the server runs (use ``with live_app.app_context():`` to add rows).
- ``live_server``: the base URL, e.g. ``http://127.0.0.1:38211``.
- ``demo``: ids of the demo locations (:class:`DemoIds`).
- ``page``: a fresh page (phone-sized context unless the test asks otherwise); every request
  leaving 127.0.0.1 is blocked and listed in ``page.outside_requests``.
- ``check_accessibility(page)``: runs axe-core and fails on any serious or critical violation.
  axe is loaded from the vendored copy under /static, same-origin, so the page's CSP (no inline
  script) stays on while it runs. ``page.csp_violations`` lists what the CSP refused.

Without /usr/bin/chromium the tests skip with the reason; with ``REQUIRE_BROWSER_TESTS=1`` (CI)
they fail instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from directory import create_app
from directory.extensions import db
from directory.geo.index import get_index
from directory.seeding import reference
from tests.browser.demo_data import DemoIds, seed_demo

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
AXE_URL = "/static/vendor/axe-core/axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
LOCAL_HOSTS = {"127.0.0.1"}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"REQUIRE_BROWSER_TESTS=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser-db") / "browser.db"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "browser-test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        db.create_all()
        reference.load_taxonomy(db.session)
        reference.load_states(db.session)
        db.session.commit()
    # Load the place index now, so the first search in a test is not the one that waits for it.
    get_index()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def demo(live_app) -> DemoIds:
    with live_app.app_context():
        ids = seed_demo(db.session)
        db.session.remove()
    return ids


@pytest.fixture(scope="session")
def live_server(live_app, demo) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    """Override in a test module (or parametrize) to use another size."""
    return PHONE


@pytest.fixture
def page(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, base_url=live_server)
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        host = urlsplit(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.outside_requests = outside
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()


@pytest.fixture
def check_accessibility() -> Callable:
    """``check_accessibility(page)`` fails the test on serious or critical axe violations."""

    def check(page) -> list[dict]:
        page.add_script_tag(url=AXE_URL)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        bad = [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]
        described = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(node["target"][0] for node in v["nodes"][:3])
            for v in bad
        ]
        assert not bad, f"{page.url}: " + " | ".join(described)
        return result["violations"]

    return check
