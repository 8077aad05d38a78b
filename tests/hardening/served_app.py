"""The app the gunicorn tests serve: the directory with the given settings, and one fault
planted outside Flask. A request whose query asks for it raises in WSGI middleware, where no
Flask error handler can answer it, so gunicorn's own error handling (its log and its error
page) is what the test sees."""

from __future__ import annotations

from directory import create_app


def create(**config):
    app = create_app(config)
    inner = app.wsgi_app

    def middleware(environ, start_response):
        if "escape=1" in environ.get("QUERY_STRING", ""):
            raise RuntimeError(
                f"planted fault for {environ['PATH_INFO']}?{environ['QUERY_STRING']}"
            )
        return inner(environ, start_response)

    app.wsgi_app = middleware
    return app
