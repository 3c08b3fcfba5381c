"""Scenarios: `scenario NAME ENV [SOURCE]` and `scenario reset ENV` (see sandbox/README.md)."""
from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

from . import layout

DELAY_MS = int(os.environ.get("SANDBOX_DELAY_MS", "3000"))


def control(path: str, body: dict | None = None) -> dict:
    data = json.dumps(body or {}).encode() if body is not None else None
    req = urllib.request.Request(f"http://{layout.HOST}:{layout.CONTROL_PORT}{path}", data=data,
                                 method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        raise SystemExit(f"fault proxy refused: {e.read().decode()}")
    except OSError as e:
        raise SystemExit(f"the fault proxy is not running ({e}); ./sandbox/up starts it")


# The Kafka group calls: OffsetFetch 9, FindCoordinator 10, DescribeGroups 15, ListGroups 16
# (and ListOffsets 2, whose end offsets the lag needs); Metadata (3) and ApiVersions (18) pass.
GROUP_API_KEYS = [2, 9, 10, 15, 16]


# aws-rate: AWS's request rates (sbx.proxy.AWS_RATES) times this, so that a sandbox poll, which
# makes some tens of calls, meets them as a production poll meets the real ones.
RATE_SCALE = 0.05


def fault(e: layout.Env, kind: str, mode: str, service: str | None = None, api_keys: list[int] | None = None) -> str:
    body = {"mode": mode, "delay_ms": DELAY_MS if mode == "slow" else None, "service": service, "api_keys": api_keys,
            "scale": RATE_SCALE if mode == "rate" else None}
    control(f"/faults/{e.name}-{kind}", body)
    what = f" ({service} only)" if service else ""
    if api_keys:
        what = f" (the group calls only: API keys {', '.join(map(str, api_keys))})"
    extra = f", {DELAY_MS} ms" if mode == "slow" else f", AWS's rates x {RATE_SCALE}" if mode == "rate" else ""
    return f"{e.name}-{kind}: {mode}{extra}{what}"


def _state(e: layout.Env, name: str, default):
    try:
        return json.loads((layout.state_dir(e.name) / name).read_text())
    except (FileNotFoundError, ValueError):
        return default


def _put(e: layout.Env, name: str, data) -> None:
    d = layout.state_dir(e.name)
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / (name + ".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, d / name)


def traffic_control(e: layout.Env, **changes) -> None:
    c = _state(e, "traffic.json", {"producers_paused": False, "stalled": []})
    c.update(changes)
    _put(e, "traffic.json", c)


def remember(e: layout.Env, entry: dict) -> None:
    active = _state(e, "scenarios.json", [])
    active = [a for a in active if a["name"] != entry["name"]] + [entry]
    _put(e, "scenarios.json", active)


def account(e: layout.Env):
    from .aws import Account
    return Account(e)


def wait_rolled(e: layout.Env, a, services: list[str], timeout: float = 60) -> None:
    """Until each service's PRIMARY deployment is COMPLETED with a RUNNING task it started."""
    ecs = a.client("ecs")
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = True
        for s in ecs.describe_services(cluster=e.cluster, services=services)["services"]:
            dep = next(d for d in s["deployments"] if d["status"] == "PRIMARY")
            arns = ecs.list_tasks(cluster=e.cluster, startedBy=dep["id"], desiredStatus="RUNNING")["taskArns"]
            if dep.get("rolloutState") != "COMPLETED" or len(arns) < s["desiredCount"]:
                done = False
        if done:
            return
        time.sleep(0.5)
    raise SystemExit(f"{e.name}: the roll of {', '.join(services)} did not complete in {timeout:.0f} s "
                     f"(is the agent running? ./sandbox/status)")


def roll(e: layout.Env, a, services: list[str]) -> None:
    ecs = a.client("ecs")
    for s in services:
        ecs.update_service(cluster=e.cluster, service=s, forceNewDeployment=True)
    wait_rolled(e, a, services)


# ---------------------------------------------------------------- scenarios
def broker_down(e: layout.Env, source: str | None) -> str:
    services = [source] if source else list(layout.SERVICES)
    for s in services:
        if s not in layout.SERVICES:
            raise SystemExit(f"unknown service {s!r}; one of {', '.join(layout.SERVICES)}")
    held = sorted(set(_state(e, "held.json", [])) | set(services))
    _put(e, "held.json", held)
    msgs = [f"{e.name}: ECS tasks of {', '.join(services)} stopped and kept at 0 by the agent"]
    if not source:
        msgs.append(fault(e, "kafka", "refuse"))
        msgs.append(fault(e, "public", "refuse"))
    a = account(e)
    ecs = a.client("ecs")
    deadline = time.time() + 30
    while time.time() < deadline:
        arns = ecs.list_tasks(cluster=e.cluster, desiredStatus="RUNNING")["taskArns"]
        tasks = ecs.describe_tasks(cluster=e.cluster, tasks=arns)["tasks"] if arns else []
        if not [t for t in tasks if t["group"][len("service:"):] in services and t["lastStatus"] == "RUNNING"]:
            break
        time.sleep(0.5)
    else:
        raise SystemExit(f"{e.name}: the agent did not stop the tasks (is it running?)")
    return "; ".join(msgs)


def instance_unhealthy(e: layout.Env, source: str | None) -> str:
    a = account(e)
    asg = a.client("autoscaling")
    instances = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[e.asg])["AutoScalingGroups"][0]["Instances"]
    ids = [i["InstanceId"] for i in instances]
    target = source or ids[0]
    if target.isdigit():
        target = ids[int(target)]
    if target not in ids:
        raise SystemExit(f"{target} is not an instance of {e.asg}: {', '.join(ids)}")
    asg.set_instance_health(InstanceId=target, HealthStatus="Unhealthy", ShouldRespectGracePeriod=False)
    return f"{e.name}: instance {target} of {e.asg} Unhealthy"


def group_stalled(e: layout.Env, source: str | None) -> str:
    group = source or "billing"
    if group not in ("billing", "analytics"):
        raise SystemExit("group-stalled takes billing (default) or analytics: the groups with a live member")
    stalled = sorted(set(_state(e, "traffic.json", {}).get("stalled", [])) | {group})
    traffic_control(e, stalled=stalled)
    return f"{e.name}: group {group} keeps its member and commits nothing"


def group_rejoin(e: layout.Env, source: str | None) -> str:
    """One-shot, nothing to undo: billing's member leaves the group and joins again. Tansu
    sometimes never completes a rebalance after its gate or front restarted, and its member may
    still hold the partitions it had (so its own liveness check never fires); this is the kick a
    test gives before it waits for `Stable`."""
    if source not in (None, "billing"):
        raise SystemExit("group-rejoin takes billing (default): the group with a member that rejoins")
    traffic_control(e, billing_rejoin=time.time())
    return f"{e.name}: billing's member leaves the group and joins again"


def producers_paused(e: layout.Env, source: str | None) -> str:
    traffic_control(e, producers_paused=True)
    deadline = time.time() + 15
    path = layout.state_dir(e.name) / "produced.json"
    while time.time() < deadline:
        try:
            if json.loads(path.read_text()).get("producers_paused"):
                break
        except (FileNotFoundError, ValueError):
            pass
        time.sleep(0.2)
    time.sleep(1.5)  # what was in flight is delivered and counted
    return f"{e.name}: producers paused (counts final in {path})"


SIMPLE = {
    "aws-refuse": ("aws", "refuse"), "aws-blackhole": ("aws", "blackhole"), "aws-slow": ("aws", "slow"),
    "aws-throttle": ("aws", "throttle"), "aws-rate": ("aws", "rate"), "aws-5xx": ("aws", "5xx"), "aws-garbage": ("aws", "garbage"),
    "aws-expired": ("aws", "expired"), "aws-denied": ("aws", "denied"),
    # the certificate of an AWS TLS front (acc's): another CA's, another name's, expired
    "aws-tls-untrusted": ("aws", "tls-untrusted"), "aws-tls-wrong-name": ("aws", "tls-wrong-name"),
    "aws-tls-expired": ("aws", "tls-expired"),
    "kafka-refuse": ("kafka", "refuse"), "kafka-blackhole": ("kafka", "blackhole"),
    "kafka-slow": ("kafka", "slow"), "kafka-garbage": ("kafka", "garbage"),
    "endpoint-refuse": ("public", "refuse"), "endpoint-blackhole": ("public", "blackhole"),
    "endpoint-slow": ("public", "slow"), "endpoint-garbage": ("public", "garbage"),
}
# Faults on the Kafka group calls alone (the proxy reads the API key of each request; plaintext only).
GROUPS = {"groups-blackhole": "blackhole", "groups-slow": "slow", "groups-garbage": "garbage", "groups-refuse": "refuse"}
def kafka_login_refused(e: layout.Env, source: str | None) -> str:
    """The broker stops taking lookout's password (user admin): its front starts again with
    another one, so every new login of admin fails; the client user (the traffic) logs in as before."""
    if not e.sasl:
        raise SystemExit(f"kafka-login-refused needs an environment whose brokers ask for a SASL login "
                         f"({', '.join(x.name for x in layout.ENVS if x.sasl)}); {e.name} is {e.security}. Nothing was changed.")
    from .front import launch
    launch(e, account(e), reason="scenario kafka-login-refused", refuse=("admin",))
    return f"{e.name}: the brokers refuse user admin's password (SSM's); user client logs in as before"


SPECIAL = {"kafka-login-refused": kafka_login_refused, "broker-down": broker_down, "instance-unhealthy": instance_unhealthy,
           "group-stalled": group_stalled, "producers-paused": producers_paused,
           "group-rejoin": group_rejoin}
ONE_SHOT = {"group-rejoin"}


def cert_scenarios():
    if not layout.SECURED:
        return {}
    from . import pki
    return pki.SCENARIOS


# What only an environment that serves TLS can show: the broker's served certificate. (ca-expiring
# changes the Private CA, which every environment has and lookout tracks, so it stays allowed.)
TLS_ONLY = {"cert-expiring", "cert-expired", "cert-wrong-name", "cert-untrusted"}


def refuse_without_tls(name: str, e: layout.Env) -> None:
    if name in TLS_ONLY and not e.tls:
        tls_envs = ", ".join(x.name for x in layout.ENVS if x.tls)
        raise SystemExit(f"{name} needs an environment whose brokers serve TLS ({tls_envs}); "
                         f"{e.name} is {e.security}, nothing serves a certificate there. Nothing was changed.")


# ---------------------------------------------------------------- reset
def reset(e: layout.Env) -> str:
    control(f"/reset/{e.name}", {})
    if any(x["name"] == "kafka-login-refused" for x in _state(e, "scenarios.json", [])):
        from .front import launch
        launch(e, account(e), reason="reset")
    held = _state(e, "held.json", [])
    (layout.state_dir(e.name) / "held.json").unlink(missing_ok=True)
    traffic_control(e, producers_paused=False, stalled=[])
    a = account(e)
    asg = a.client("autoscaling")
    for i in asg.describe_auto_scaling_groups(AutoScalingGroupNames=[e.asg])["AutoScalingGroups"][0]["Instances"]:
        if i["HealthStatus"] != "Healthy":
            asg.set_instance_health(InstanceId=i["InstanceId"], HealthStatus="Healthy")
    if layout.SECURED:
        from . import pki
        pki.reset(e, a)
    if held:
        wait_rolled(e, a, held)
    _put(e, "scenarios.json", [])
    return f"{e.name}: reset (faults pass, no held service, traffic normal, instances healthy" + \
           (", certificates restored)" if layout.SECURED else ")")


def usage() -> str:
    names = sorted(list(SIMPLE) + list(GROUPS) + list(SPECIAL) + list(cert_scenarios()))
    return ("usage: ./sandbox/scenario NAME ENV [SOURCE] | ./sandbox/scenario reset ENV\n"
            f"  NAME: {', '.join(names)}\n  ENV: {', '.join(layout.BY_NAME)}")


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        raise SystemExit(usage())
    name, e = argv[0], layout.env(argv[1])
    source = argv[2] if len(argv) > 2 else None
    if name == "reset":
        print(reset(e))
        return
    refuse_without_tls(name, e)  # before anything changes
    if name.startswith("aws-tls-") and not e.aws_https:
        fronted = ", ".join(x.name for x in layout.ENVS if x.aws_https)
        raise SystemExit(f"{name} needs an environment whose AWS is reached over HTTPS ({fronted}); "
                         f"{e.name}'s is plain HTTP, no certificate to fault. Nothing was changed.")
    if name in GROUPS:
        if e.tls:
            raise SystemExit(f"{name} needs a plaintext Kafka listener (the proxy cannot read API keys through TLS); "
                             f"{e.name} is {e.security}. Nothing was changed.")
        msg = fault(e, "kafka", GROUPS[name], api_keys=GROUP_API_KEYS)
    elif name in SIMPLE:
        kind, mode = SIMPLE[name]
        if source and kind != "aws":
            raise SystemExit(f"{name} takes no SOURCE")
        msg = fault(e, kind, mode, source)
    elif name in SPECIAL:
        msg = SPECIAL[name](e, source)
    elif name in cert_scenarios():
        msg = cert_scenarios()[name](e, account(e), source)
    else:
        raise SystemExit(usage())
    if name not in ONE_SHOT:  # a kick, not a state: nothing for reset to undo
        remember(e, {"name": name, "source": source, "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    print(msg)
