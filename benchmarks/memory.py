"""Memory of one server worker over many sessions: does it grow per session?

Run by the benchmark as a fresh process per app (`python -m benchmarks.memory project 10000`):
the process builds the app exactly as a gunicorn worker does (benchmarks.wsgi) and drives it
through its WSGI interface in process, so 10,000 sessions take seconds rather than minutes of
sockets. Each Sciatica Check session is a new user: launch (which reads the SQLite store), a
"no", then a "yes" to a cauda equina question (the emergency, which ends the session). Each
baseline session is a launch. Resident memory (VmRSS from /proc/self/status) is read after the
first checkpoint's sessions and at the end; the slope between them is the growth per session."""
from __future__ import annotations

import gc
import json
import sys
import time
import uuid


def drive(which: str, sessions: int, checkpoints: list) -> dict:
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    from benchmarks import wsgi
    from benchmarks.common import envelope, intent, launch, rss_kib

    app = wsgi.project() if which == "project" else wsgi.baseline()
    requests = [launch()] if which == "baseline" else \
        [launch(), intent("AMAZON.NoIntent"), intent("AMAZON.YesIntent")]

    def post(body: dict) -> dict:
        environ = EnvironBuilder(method="POST", path="/", data=json.dumps(body),
                                 content_type="application/json").get_environ()
        iterable, status, _headers = run_wsgi_app(app, environ)
        try:
            data = b"".join(iterable)
        finally:
            close = getattr(iterable, "close", None)
            if close:
                close()
        if not status.startswith("200"):
            raise RuntimeError(f"{which}: HTTP {status}: {data[:200]!r}")
        return json.loads(data)

    readings = {}
    started = time.perf_counter()
    outcomes = {}
    for number in range(1, sessions + 1):
        attributes: dict = {}
        session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        user_id = f"amzn1.ask.account.bench-{uuid.uuid4().hex}"
        answer = {}
        for index, request in enumerate(requests):
            answer = post(envelope(request, new=index == 0, attributes=attributes,
                                   session_id=session_id, user_id=user_id))
            attributes = answer.get("sessionAttributes") or {}
        outcome = attributes.get("outcome")
        outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1
        if number in checkpoints:
            gc.collect()
            readings[number] = rss_kib()
    elapsed = time.perf_counter() - started
    return {"which": which, "sessions": sessions, "requests_per_session": len(requests),
            "rss_kib": {str(k): v for k, v in sorted(readings.items())},
            "outcomes": outcomes, "seconds": elapsed}


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    which, sessions = argv[0], int(argv[1])
    first = int(argv[2]) if len(argv) > 2 else max(1, sessions // 10)
    print(json.dumps(drive(which, sessions, [first, sessions])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
