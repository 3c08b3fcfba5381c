"""The sandbox's ECS agent for one environment: plays the part of ECS that moto does not.

Every second it compares each service with its tasks in moto. A service whose PRIMARY
deployment id has no RUNNING task started by it (`forceNewDeployment`), or whose task count
differs from its desired count, is rolled the way ECS would: rolloutState IN_PROGRESS, the
old task stopped, what the service stands for restarted (its broker front, which reads its
secrets and certificate from SSM at start; where there is no front, dev, the broker's open
connections are closed through the fault proxy, as a broker restart closes them, while Tansu
itself stays up because it keeps its data in memory), then the new task run with
`startedBy: <deployment id>` and `group: service:<name>`, and rolloutState COMPLETED.
Services listed in state/<env>/held.json (scenario broker-down) are kept at no task.
The agent keeps no state of its own: stopped and started again, it catches up.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
import signal
import sys
import time

from . import layout
from .aws import Account
from .seed_aws import set_deployment


def _seconds(name: str, default: float) -> float:
    """A pause from the environment `up` ran in, in seconds (0.05 to 10); else the default."""
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return min(10.0, max(0.05, value))


# Seconds between the steps of a roll (ECS takes a while too), and between two looks at the
# services. `scripts/test` starts the sandbox with both short (SANDBOX_AGENT_STEP,
# SANDBOX_AGENT_TICK); a newcomer's `./sandbox/up` keeps ECS-like pauses of a second.
STEP_DELAY = _seconds("SANDBOX_AGENT_STEP", 1.0)
TICK = _seconds("SANDBOX_AGENT_TICK", 1.0)


@dataclass
class Roll:
    name: str
    dep: str
    desired: int
    current: list
    old: list
    held: bool


class Agent:
    def __init__(self, e: layout.Env):
        self.e = e
        self.a = Account(e)
        self.ecs = self.a.client("ecs")
        self.running = True

    def held(self) -> set[str]:
        try:
            return set(json.loads((layout.state_dir(self.e.name) / "held.json").read_text()))
        except (FileNotFoundError, ValueError):
            return set()

    def service_tasks(self) -> dict[str, list[dict]]:
        arns = []
        token = None
        while True:
            kw = {"cluster": self.e.cluster, "desiredStatus": "RUNNING"}
            if token:
                kw["nextToken"] = token
            page = self.ecs.list_tasks(**kw)
            arns += page["taskArns"]
            token = page.get("nextToken")
            if not token:
                break
        out: dict[str, list[dict]] = {}
        for i in range(0, len(arns), 100):
            for t in self.ecs.describe_tasks(cluster=self.e.cluster, tasks=arns[i:i + 100])["tasks"]:
                if t.get("lastStatus") == "RUNNING" and t.get("group", "").startswith("service:"):
                    out.setdefault(t["group"][len("service:"):], []).append(t)
        return out

    def tick(self) -> None:
        services = self.ecs.describe_services(cluster=self.e.cluster, services=layout.SERVICES)["services"]
        tasks = self.service_tasks()
        held = self.held()
        rolls = []
        for s in services:
            name = s["serviceName"]
            primary = next(d for d in s["deployments"] if d["status"] == "PRIMARY")
            desired = 0 if name in held else s["desiredCount"]
            mine = tasks.get(name, [])
            current = [t for t in mine if t.get("startedBy") == primary["id"]]
            old = [t for t in mine if t.get("startedBy") != primary["id"]]
            if not old and len(current) == desired:
                if primary.get("runningCount") != desired or primary.get("rolloutState") != "COMPLETED":
                    if name not in held:
                        set_deployment(self.e, name, rolloutState="COMPLETED", runningCount=len(current),
                                       pendingCount=0)
                continue
            rolls.append(Roll(name, primary["id"], desired, current, old, name in held))
        if rolls:
            self.roll(rolls)

    def roll(self, rolls: list["Roll"]) -> None:
        """Services whose deployment changed in the same second roll together, as ECS rolls
        services independently; their one front restarts once."""
        for r in rolls:
            print(f"{time.strftime('%H:%M:%S')} {r.name}: deployment {r.dep}: {len(r.old)} old, "
                  f"{len(r.current)} current, desired {r.desired}", flush=True)
            set_deployment(self.e, r.name, rolloutState="IN_PROGRESS", runningCount=len(r.current),
                           pendingCount=max(0, r.desired - len(r.current)))
            for t in r.old + r.current[r.desired:]:
                self.ecs.stop_task(cluster=self.e.cluster, task=t["taskArn"],
                                   reason=f"Task stopped by the sandbox agent for deployment {r.dep}")
        starting = [r for r in rolls if r.desired > min(len(r.current), r.desired)]
        if starting:
            time.sleep(STEP_DELAY)
            self.restart_front(", ".join(r.name for r in starting))
            time.sleep(STEP_DELAY)
        for r in starting:
            td = (r.old or r.current or [{}])[0].get("taskDefinitionArn") or self.task_definition(r.name)
            self.ecs.run_task(cluster=self.e.cluster, taskDefinition=td, count=r.desired - len(r.current),
                              launchType="FARGATE", startedBy=r.dep, group=f"service:{r.name}")
        for r in rolls:
            state = "IN_PROGRESS" if r.held else "COMPLETED"
            set_deployment(self.e, r.name, rolloutState=state, runningCount=r.desired, pendingCount=0)
            print(f"{time.strftime('%H:%M:%S')} {r.name}: deployment {r.dep} {state.lower()}", flush=True)

    def task_definition(self, name: str) -> str:
        return self.ecs.describe_services(cluster=self.e.cluster, services=[name])["services"][0]["taskDefinition"]

    def restart_front(self, service: str) -> None:
        if not self.e.has_front:
            self.drop_connections(service)
            return
        from .front import launch
        launch(self.e, self.a, reason=f"roll of {service}")

    def drop_connections(self, service: str) -> None:
        """What clients see of a broker restart without restarting Tansu (its data is in memory):
        every open connection to the environment's Kafka address and public endpoint closed."""
        import urllib.request
        for kind in ("kafka", "public"):
            req = urllib.request.Request(f"http://{layout.HOST}:{layout.CONTROL_PORT}/drop/{self.e.name}-{kind}",
                                         data=b"{}", method="POST")
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    n = json.loads(r.read()).get("dropped")
                print(f"{time.strftime('%H:%M:%S')} roll of {service}: {n} connection(s) of "
                      f"{self.e.name}-{kind} closed", flush=True)
            except OSError as ex:
                print(f"{time.strftime('%H:%M:%S')} roll of {service}: could not close the connections of "
                      f"{self.e.name}-{kind} ({ex}); is the fault proxy running?", flush=True)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "running", False))
        while self.running:
            try:
                self.tick()
            except Exception as ex:  # noqa: BLE001 - moto busy or restarting: try again
                print(f"{time.strftime('%H:%M:%S')} tick failed: {ex!r}", flush=True)
            time.sleep(TICK)


def main() -> None:
    Agent(layout.env(sys.argv[1])).run()


if __name__ == "__main__":
    main()
