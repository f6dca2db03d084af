"""moto's server, with DynamoDB requests served one at a time.

`moto_server` answers every request on its own thread, and moto's DynamoDB is not safe under that: a
TransactWriteItems applies its items one by one and, when a condition fails, puts back a copy of the whole
table taken before it started (undoing what other threads wrote meanwhile), and a conditional write checks
and writes in two steps. Real DynamoDB makes each request atomic, and Skycast's races (one channel per
creator, one job per upload, ...) rely on it. Reads are serialized too: they iterate over the same tables
that a write changes. Every other service is served as moto_server serves it, on threads.

Run as `python local/moto_server.py -H 127.0.0.1 -p 4566` (local/moto.ts does).
"""

import argparse
import os
import signal
import sys
import threading
from typing import Any, Callable, Iterable

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple

# The SDKs name a DynamoDB operation in this header: `DynamoDB_20120810.TransactWriteItems`.
DYNAMODB_TARGET_PREFIX = "DynamoDB_20120810."


class SerializedDynamoDB:
    """A WSGI middleware that runs DynamoDB requests under one lock, the rest as they come."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET_PREFIX):
            return self.app(environ, start_response)
        with self.lock:
            response = self.app(environ, start_response)
            # The body is read inside the lock: a lazy body could still be reading the tables.
            try:
                body = b"".join(response)
            finally:
                close = getattr(response, "close", None)
                if close:
                    close()
        return [body]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-H", "--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("-p", "--port", type=int, default=5000, help="port to listen on")
    args = parser.parse_args()
    # moto calls itself on this port for some operations, as moto_server sets it.
    os.environ.setdefault("MOTO_PORT", str(args.port))

    def leave(_signum: int, _frame: Any) -> None:
        sys.exit(0)

    signal.signal(signal.SIGINT, leave)
    signal.signal(signal.SIGTERM, leave)

    app = DomainDispatcherApplication(create_backend_app)
    run_simple(
        args.host,
        args.port,
        SerializedDynamoDB(app),
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
