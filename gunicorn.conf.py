"""gunicorn settings for ``make run`` and the load test (see docs/deployment.md for why)."""

import gc
import multiprocessing
import os
import shutil
import tempfile

from directory.serving import PrivateLogger, install_headed_errors

# Search is CPU-bound Python (haversine over candidates) plus short database reads: one process
# per core keeps the CPU busy, and a few threads per worker cover the time spent waiting on the
# database and slow clients without the memory cost of more processes.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
worker_class = "gthread"
timeout = 30
graceful_timeout = 10
keepalive = 5
# Long search URLs (many filters) must reach the app, which answers with its own clear errors.
limit_request_line = 8190
limit_request_field_size = 8190
preload_app = True
# Privacy: the access log records method, path WITHOUT query string, status, size and time:
# no client address, no searched place, no query text. The error log goes through the same
# filter (directory/serving.py): a request line gunicorn logs loses its query and address.
accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
logger_class = PrivateLogger
# The error pages gunicorn writes itself (bad request line, an exception that escaped the app)
# carry the security headers too.
install_headed_errors()

# X-Forwarded-Proto (https or not) is believed only from the proxies the app trusts: none unless
# TRUSTED_PROXIES says how many hops there are, and then from FORWARDED_ALLOW_IPS (default: this
# machine, where deploy/nginx.conf runs). gunicorn's own default trusts 127.0.0.1 always.
_trusted_proxies = os.environ.get("TRUSTED_PROXIES", "0")
forwarded_allow_ips = (
    os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
    if _trusted_proxies.isdigit() and int(_trusted_proxies) > 0
    else ""
)

# Rate limits must be counted once for all workers: without RATELIMIT_STORAGE_URI (Redis for
# several machines), a SQLite file that this server's workers share (directory/rate_limits.py),
# removed when the server stops. "memory://" would count in each worker: 4 workers, 4 times
# the limit.
_rate_limit_directory = None
if os.environ.get("RATELIMIT_STORAGE_URI", "memory://") == "memory://":
    _rate_limit_directory = tempfile.mkdtemp(prefix="hrd-rate-limits-")
    os.environ["RATELIMIT_STORAGE_URI"] = f"sqlite:///{_rate_limit_directory}/counters.db"


def on_exit(server):
    if _rate_limit_directory:
        shutil.rmtree(_rate_limit_directory, ignore_errors=True)


def when_ready(server):
    # The place index and the search's snapshot, built once in the master and shared by the
    # forked workers. Measured on the national data (docs/deployment.md): without it, ready in
    # 5.6 s but the first search of each worker took 18 s and the workers held 1,159 MB; with
    # it, ready in 15.5 s, first searches under 0.9 s, 508 MB in all.
    from directory.geo.index import get_index
    from directory.queries.engine import prepare

    get_index()
    prepare(server.app.wsgi())
    # What is loaded now lives as long as the process: move it out of the garbage collector's
    # sight. Otherwise every full collection walks its half a million objects (412 ms measured
    # on the national data, in the middle of someone's search), and touching them would copy
    # the shared pages into each worker.
    gc.freeze()


def post_fork(server, worker):
    # Connections opened in the master before forking must not be shared between workers.
    # The app is the one gunicorn preloaded (whatever app spec it was given), not a second
    # one built by importing wsgi: that would cost a start-up per worker and re-bind the
    # module-level extensions (the rate limiter) to another app's settings.
    from directory.extensions import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
