"""Write the API's OpenAPI document to openapi.json at the repository root.

Run after changing any /api/v1 endpoint or schema: ``.venv/bin/python tools/write_openapi.py``
(tests/api/test_openapi.py fails while the committed file and the code disagree). It builds the
app on a throwaway in-memory database; no data is read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory import create_app  # noqa: E402
from directory.extensions import api  # noqa: E402


def spec_document() -> str:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "openapi", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    with app.test_request_context():
        return json.dumps(api.spec.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    (ROOT / "openapi.json").write_text(spec_document(), encoding="utf-8")
    print(f"wrote {ROOT / 'openapi.json'}")
