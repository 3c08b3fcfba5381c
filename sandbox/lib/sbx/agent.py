"""The sandbox's ECS agent for one environment: plays the part of ECS that moto does not.

Every second it compares each service with its tasks in moto. A service whose PRIMARY
deployment id has no RUNNING task started by it (`forceNewDeployment`), or whose task count
differs from its desired count, is rolled the way ECS would: rolloutState IN_PROGRESS, the
old task stopped, what the service stands for restarted (its broker front, which reads its
secrets and certificate from SSM at start), then the new task run with
`startedBy: <deployment id>` and `group: service:<name>`, and rolloutState COMPLETED.
Services listed in state/<env>/held.json (scenario broker-down) are kept at no task.
The agent keeps no state of its own: stopped and started again, it catches up.
"""
from __future__ import annotations

import json
import signal
import sys
import time

from . import layout
from .aws import Account
from .seed_aws import set_deployment

STEP_DELAY = 0.5  # seconds between the steps of a roll (ECS takes a while too)


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
            self.roll(name, primary["id"], desired, current, old, held=name in held)

    def roll(self, name: str, dep: str, desired: int, current: list, old: list, held: bool) -> None:
        print(f"{time.strftime('%H:%M:%S')} {name}: deployment {dep}: {len(old)} old, "
              f"{len(current)} current, desired {desired}", flush=True)
        set_deployment(self.e, name, rolloutState="IN_PROGRESS", runningCount=len(current),
                       pendingCount=max(0, desired - len(current)))
        surplus = old + current[desired:] if len(current) > desired else old
        for t in surplus:
            self.ecs.stop_task(cluster=self.e.cluster, task=t["taskArn"],
                               reason=f"Task stopped by the sandbox agent for deployment {dep}")
        keep = min(len(current), desired)
        if desired > keep:
            time.sleep(STEP_DELAY)
            self.restart_front(name)
            time.sleep(STEP_DELAY)
            td = (old or current or [{}])[0].get("taskDefinitionArn") or self.task_definition(name)
            self.ecs.run_task(cluster=self.e.cluster, taskDefinition=td, count=desired - keep,
                              launchType="FARGATE", startedBy=dep, group=f"service:{name}")
        state = "IN_PROGRESS" if held else "COMPLETED"
        set_deployment(self.e, name, rolloutState=state, runningCount=desired, pendingCount=0)
        print(f"{time.strftime('%H:%M:%S')} {name}: deployment {dep} {state.lower()}", flush=True)

    def task_definition(self, name: str) -> str:
        return self.ecs.describe_services(cluster=self.e.cluster, services=[name])["services"][0]["taskDefinition"]

    def restart_front(self, service: str) -> None:
        if not self.e.has_front:
            return
        from .front import launch
        launch(self.e, self.a, reason=f"roll of {service}")

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "running", False))
        while self.running:
            try:
                self.tick()
            except Exception as ex:  # noqa: BLE001 - moto busy or restarting: try again
                print(f"{time.strftime('%H:%M:%S')} tick failed: {ex!r}", flush=True)
            time.sleep(1)


def main() -> None:
    Agent(layout.env(sys.argv[1])).run()


if __name__ == "__main__":
    main()
