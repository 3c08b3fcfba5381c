"""moto_server with two sandbox additions, both outside the AWS API.

1. ECS tasks are pinned at their status from the start (moto otherwise advances a task one
   step on every DescribeTasks; NOTES.md), as `POST /moto-api/state-manager/set-transition`
   would do, but before any request can come in.
2. `POST /sandbox-api/ecs/deployment` lets the sandbox's ECS agent set what moto never
   changes by itself: a service's PRIMARY deployment rolloutState and the service's
   running/pending counts, so a roll reads IN_PROGRESS then COMPLETED, as on AWS.
   Body: {"account", "region", "cluster", "service", "rolloutState", "runningCount", "pendingCount"}.
Everything else is moto's own server, unchanged.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys

from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from moto.moto_api import state_manager
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.core.utils import utcnow


def set_deployment(body: dict) -> dict:
    from moto.ecs.models import ecs_backends

    backend = ecs_backends[body["account"]][body["region"]]
    service = backend._get_service(body["cluster"], body["service"])
    dep = service.deployments[0]
    if "rolloutState" in body:
        dep["rolloutState"] = body["rolloutState"]
        word = "completed" if body["rolloutState"] == "COMPLETED" else "in progress"
        dep["rolloutStateReason"] = f"ECS deployment {dep['id']} {word}."
    for key, attr in (("runningCount", "running_count"), ("pendingCount", "pending_count")):
        if key in body:
            dep[key] = body[key]
            setattr(service, attr, body[key])
    dep["updatedAt"] = utcnow()
    return {"id": dep["id"], "rolloutState": dep["rolloutState"],
            "runningCount": dep["runningCount"], "pendingCount": dep["pendingCount"]}


def wrap(app):
    def sandbox_app(environ, start_response):
        if environ.get("PATH_INFO") == "/sandbox-api/ecs/deployment":
            req = Request(environ)
            try:
                out = set_deployment(json.loads(req.get_data() or b"{}"))
                resp = Response(json.dumps(out), 200, content_type="application/json")
            except Exception as e:  # noqa: BLE001 - report anything to the caller
                resp = Response(json.dumps({"error": repr(e)}), 400, content_type="application/json")
            return resp(environ, start_response)
        return app(environ, start_response)
    return sandbox_app


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("-H", "--host", default="127.0.0.1")
    p.add_argument("-p", "--port", type=int, required=True)
    a = p.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 1_000_000_000})
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    run_simple(a.host, a.port, wrap(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main()
