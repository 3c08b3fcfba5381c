"""The sandbox's ECS agent: a roll as ECS does it, and nothing at all without the agent."""
from __future__ import annotations

import json
import os
import signal
import time

from conftest import HOME, MUTATE, client, run, wait_for


def tasks_of(ecs, cluster: str, service: str) -> list[dict]:
    arns = ecs.list_tasks(cluster=cluster)["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []
    return [t for t in tasks if t["group"] == f"service:{service}"]


def primary(ecs, cluster: str, service: str) -> dict:
    s = ecs.describe_services(cluster=cluster, services=[service])["services"][0]
    return [d for d in s["deployments"] if d["status"] == "PRIMARY"][0]


def running(ecs, cluster, service):
    return [t for t in tasks_of(ecs, cluster, service) if t["lastStatus"] == "RUNNING"]


def test_force_new_deployment_rolls_the_task(sb):
    e = sb["environments"][MUTATE]
    ecs = client(sb, MUTATE, "ecs")
    svc = "kafka-broker-2"
    before = running(ecs, e["cluster"], svc)
    assert len(before) == 1
    old_dep = primary(ecs, e["cluster"], svc)["id"]
    ecs.update_service(cluster=e["cluster"], service=svc, forceNewDeployment=True)
    new_dep = primary(ecs, e["cluster"], svc)["id"]
    assert new_dep != old_dep
    seen = set()

    def rolled():
        seen.add(primary(ecs, e["cluster"], svc)["rolloutState"])
        now = running(ecs, e["cluster"], svc)
        return len(now) == 1 and now[0]["startedBy"] == new_dep and \
            primary(ecs, e["cluster"], svc)["rolloutState"] == "COMPLETED"
    wait_for(rolled, 30, interval=0.1, what="the new task")
    assert "IN_PROGRESS" in seen
    old = [t for t in tasks_of(ecs, e["cluster"], svc) if t["taskArn"] == before[0]["taskArn"]][0]
    assert old["lastStatus"] == "STOPPED" and old["desiredStatus"] == "STOPPED"
    new = running(ecs, e["cluster"], svc)[0]
    assert new["group"] == f"service:{svc}" and new["taskArn"] != old["taskArn"]


def test_desired_count_change_is_followed(sb):
    e = sb["environments"][MUTATE]
    ecs = client(sb, MUTATE, "ecs")
    svc = "kafka-broker-3"
    try:
        ecs.update_service(cluster=e["cluster"], service=svc, desiredCount=2)
        wait_for(lambda: len(running(ecs, e["cluster"], svc)) == 2, 30, what="2 tasks")
    finally:
        ecs.update_service(cluster=e["cluster"], service=svc, desiredCount=1)
    wait_for(lambda: len(running(ecs, e["cluster"], svc)) == 1, 30, what="1 task")
    dep = primary(ecs, e["cluster"], svc)
    assert running(ecs, e["cluster"], svc)[0]["startedBy"] == dep["id"]


def test_without_the_agent_nothing_changes(sb):
    e = sb["environments"][MUTATE]
    ecs = client(sb, MUTATE, "ecs")
    svc = "kafka-broker-1"
    pidfile = HOME / "run" / f"agent-{MUTATE}.pid"
    pid = json.loads(pidfile.read_text())["pid"]
    before = running(ecs, e["cluster"], svc)
    os.kill(pid, signal.SIGTERM)  # only the agent of this environment
    try:
        wait_for(lambda: not os.path.exists(f"/proc/{pid}"), 10, what="the agent to exit")
        ecs.update_service(cluster=e["cluster"], service=svc, forceNewDeployment=True)
        new_dep = primary(ecs, e["cluster"], svc)["id"]
        time.sleep(5)
        assert running(ecs, e["cluster"], svc) == before
        assert before[0]["startedBy"] != new_dep
    finally:
        out = run("up").stdout  # starts what is missing: the agent, nothing else
        assert f"agent-{MUTATE}" in out
    wait_for(lambda: [t["startedBy"] for t in running(ecs, e["cluster"], svc)] == [new_dep], 30,
             what="the restarted agent to catch up")


def _api_versions(s) -> bytes:
    """One ApiVersions v0 round trip on an open socket; returns the response frame."""
    import struct
    from conftest import _recv
    cid = b"sandbox-pytest"
    body = struct.pack(">hhih", 18, 0, 7, len(cid)) + cid
    s.sendall(struct.pack(">i", len(body)) + body)
    return _recv(s, struct.unpack(">i", _recv(s, 4))[0])


def _closed(s, timeout: float) -> bool:
    import socket
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_a_roll_on_dev_closes_open_kafka_connections_as_a_broker_restart(sb):
    """dev has no front to restart: the agent closes the broker's open connections (through the
    fault proxy), so clients see the restart; Tansu keeps running (its data is in memory)."""
    import socket
    from confluent_kafka.admin import AdminClient
    from conftest import kafka_conf, roll_and_wait
    env = "dev"
    e = sb["environments"][env]
    tansu = json.loads((HOME / "run" / f"tansu-{env}.pid").read_text())["pid"]
    socks = [socket.create_connection(("127.0.0.1", e["ports"][p]), timeout=5) for p in ("kafka_proxy", "public_proxy")]
    try:
        for s in socks:
            assert _api_versions(s)[:4] == (7).to_bytes(4, "big")  # correlation id: the broker answered
        assert not any(_closed(s, 1.5) for s in socks)  # left alone, they stay open
        roll_and_wait(sb, env, ["kafka-broker-1"])
        assert [_closed(s, 5) for s in socks] == [True, True]
    finally:
        for s in socks:
            s.close()
    assert os.path.exists(f"/proc/{tansu}")  # the same Tansu, topics and offsets intact
    md = AdminClient(kafka_conf(sb, env)).list_topics(timeout=10)  # a client reconnects fine
    assert {t: len(md.topics[t].partitions) for t in sb["topics"]} == sb["topics"]
    with socket.create_connection(("127.0.0.1", e["ports"]["kafka_proxy"]), timeout=5) as s:
        assert _api_versions(s)[:4] == (7).to_bytes(4, "big")
