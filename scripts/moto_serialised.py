"""The AWS emulator (moto) in server mode, handling one request at a time.

moto's backends take no locks, so under a threaded server two concurrent conditional writes
can both pass their condition, which real DynamoDB never allows: each conditional write and
each transaction is atomic there. Serialising the requests gives the emulator that atomicity;
the races the tests provoke still happen between the clients.

Usage: python moto_serialised.py HOST PORT
"""

import os
import sys
import threading

from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)


def main() -> None:
    host, port = sys.argv[1], int(sys.argv[2])
    # moto builds some of its URLs from this, as its own launcher sets it.
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    one_at_a_time = threading.Lock()

    def serialised(environ, start_response):
        with one_at_a_time:
            # The whole body is produced inside the lock.
            return list(app(environ, start_response))

    run_simple(host, port, serialised, threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
