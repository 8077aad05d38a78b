"""Take the README's screenshots of the public pages at phone and desktop widths.

Serves the app from a throwaway SQLite database seeded with the fictional demo listings used by
the browser tests (tests/browser/demo_data.py) and photographs home, results and a location page
with Debian's chromium. Run by hand: ``.venv/bin/python tools/screenshots.py``; the PNGs in
docs/screenshots/ are committed.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory import create_app  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.seeding import reference  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE  # noqa: E402
from tests.browser.demo_data import seed_demo  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZES = {"phone": PHONE, "desktop": DESKTOP}


def seeded_app(folder: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "screenshots",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'screenshots.db'}",
        }
    )
    with app.app_context():
        db.create_all()
        reference.load_taxonomy(db.session)
        reference.load_states(db.session)
        db.session.commit()
        ids = seed_demo(db.session)
        db.session.remove()
    return app, ids


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        app, ids = seeded_app(Path(folder))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        pages = {
            "home": "/",
            "results": "/search?near=10001&radius=5&service=fentanyl_test_strips",
            "location": f"/locations/{ids.drop_in}",
        }
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for size, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, base_url=base)
                page = context.new_page()
                for name, path in pages.items():
                    page.goto(path)
                    target = OUT / f"{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT))
                context.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
