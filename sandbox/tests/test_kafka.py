"""confluent-kafka, through the fault proxy: topics, exact end offsets, groups as named."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from confluent_kafka import ConsumerGroupState, ConsumerGroupTopicPartitions, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

from conftest import MUTATE, describe_group_members, kafka_conf, scenario, wait_for

ENVS = ["dev", "test", "acc", "prod"]


def admin(sb, env) -> AdminClient:
    return AdminClient(kafka_conf(sb, env))


def end_offsets(a: AdminClient, topics: dict[str, int]) -> dict[tuple[str, int], int]:
    req = {TopicPartition(t, p): OffsetSpec.latest() for t, n in topics.items() for p in range(n)}
    res = a.list_offsets(req, request_timeout=10)
    return {(tp.topic, tp.partition): f.result().offset for tp, f in res.items()}


def committed(a: AdminClient, group: str) -> dict[tuple[str, int], int]:
    r = a.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)], request_timeout=10)[group].result()
    return {(tp.topic, tp.partition): tp.offset for tp in r.topic_partitions}


@pytest.mark.parametrize("env", ENVS)
def test_topics_and_broker_are_seen_through_the_proxy(sb, env):
    e = sb["environments"][env]
    md = admin(sb, env).list_topics(timeout=10)
    assert {t: len(md.topics[t].partitions) for t in sb["topics"]} == sb["topics"]
    # the broker advertises the proxy's address, so clients stay on the proxy
    assert [f"{b.host}:{b.port}" for b in md.brokers.values()] == [e["kafka_bootstrap"]]


def test_end_offsets_equal_what_the_producers_counted(sb, reset_env):
    env = MUTATE
    reset_env.append(env)
    scenario("producers-paused", env)
    produced = json.loads(Path(sb["environments"][env]["produced_file"]).read_text())
    assert produced["producers_paused"] and produced["total"] > 0
    ends = end_offsets(admin(sb, env), sb["topics"])
    counted = {(t, int(p)): n for t, parts in produced["topics"].items() for p, n in parts.items()}
    assert ends == counted
    time.sleep(2)
    assert end_offsets(admin(sb, env), sb["topics"]) == ends  # paused means paused
    scenario("reset", env)
    wait_for(lambda: sum(end_offsets(admin(sb, env), sb["topics"]).values()) > sum(ends.values()), 15,
             what="producers to resume")


def disturbed(sb, since: float) -> set[str]:
    """Environments with a fault or scenario on, or changed since `since` (others share the sandbox)."""
    import urllib.request
    from conftest import HOME
    with urllib.request.urlopen(sb["control"]["faults"], timeout=5) as r:
        faults = json.loads(r.read())
    out = {n.split("-")[0] for n, f in faults.items() if f.get("mode") != "pass"}
    for env in ENVS:
        p = HOME / "state" / env / "scenarios.json"
        if p.exists() and (json.loads(p.read_text() or "[]") or p.stat().st_mtime >= since):
            out.add(env)
    return out


def test_groups_behave_as_named_over_a_minute(sb):
    """billing keeps up (ok), analytics commits while its lag grows (warn), archiver left (stop).
    An environment someone else disturbs meanwhile is left out; at least two are judged."""
    samples: dict[str, list] = {env: [] for env in ENVS}
    admins = {env: admin(sb, env) for env in ENVS}
    t0 = time.time()
    skipped = disturbed(sb, t0)
    for i in range(7):
        for env in ENVS:
            if env in skipped:
                continue
            a = admins[env]
            try:
                ends = end_offsets(a, sb["topics"])
                samples[env].append({g: (committed(a, g), ends) for g in sb["groups"]})
            except KafkaException:
                if env not in disturbed(sb, t0):
                    raise
            skipped |= disturbed(sb, t0)
        if i < 6:
            time.sleep(10)
    judged = [env for env in ENVS if env not in skipped]
    assert len(judged) >= 2, f"too many environments disturbed by others: {sorted(skipped)}"
    for env in judged:
        s = samples[env]

        def lag(sample, group):
            c, ends = sample[group]
            return sum(ends[k] - v for k, v in c.items())

        def commits(sample, group):
            return sum(sample[group][0].values())
        # billing: small lag at every sample, commits move
        assert all(lag(x, "billing") <= 30 for x in s), [lag(x, "billing") for x in s]
        assert commits(s[-1], "billing") > commits(s[0], "billing")
        # analytics: commits move and lag grows between every pair of samples
        for a_, b_ in zip(s, s[1:]):
            assert commits(b_, "analytics") > commits(a_, "analytics"), env
            assert lag(b_, "analytics") > lag(a_, "analytics"), env
        # archiver: commits never move, lag grows
        assert len({commits(x, "archiver") for x in s}) == 1
        assert lag(s[-1], "archiver") > lag(s[0], "archiver") > 0
        states = {g: f.result().state for g, f in admins[env].describe_consumer_groups(list(sb["groups"])).items()}
        assert states == {"billing": ConsumerGroupState.STABLE, "analytics": ConsumerGroupState.STABLE,
                          "archiver": ConsumerGroupState.EMPTY}, env
        tansu = sb["environments"][env]["ports"]["tansu"]
        assert describe_group_members(tansu, "archiver") == ("Empty", 0)
        assert describe_group_members(tansu, "billing") == ("Stable", 1)


def test_group_stalled_keeps_its_member_and_stops_committing(sb, reset_env):
    env = MUTATE
    reset_env.append(env)
    a = admin(sb, env)
    scenario("group-stalled", env)
    time.sleep(2)
    first = committed(a, "billing")
    ends0 = end_offsets(a, sb["topics"])
    time.sleep(8)
    assert committed(a, "billing") == first
    ends1 = end_offsets(a, sb["topics"])
    assert sum(ends1.values()) > sum(ends0.values())
    assert describe_group_members(sb["environments"][env]["ports"]["tansu"], "billing") == ("Stable", 1)
    scenario("reset", env)
    wait_for(lambda: sum(committed(a, "billing").values()) > sum(first.values()), 15, what="billing to commit again")


def test_group_rejoin_makes_billings_member_leave_and_join_again(sb):
    """A one-shot kick (nothing to undo): the traffic's billing member leaves and joins again,
    and the group is Stable with its one member after it (raw DescribeGroups on Tansu)."""
    from conftest import HOME
    env = MUTATE
    log = HOME / "logs" / f"traffic-{env}.log"
    seen = log.stat().st_size
    scenario("group-rejoin", env)
    wait_for(lambda: "asked to leave the group and join again" in log.read_bytes()[seen:].decode(errors="replace"),
             10, what="billing's member to leave")
    tansu = sb["environments"][env]["ports"]["tansu"]
    wait_for(lambda: describe_group_members(tansu, "billing") == ("Stable", 1), 45, interval=1,
             what="billing Stable with one member after the rejoin")
    path = HOME / "state" / env / "scenarios.json"
    active = json.loads(path.read_text()) if path.exists() else []
    assert all(a["name"] != "group-rejoin" for a in active), active


@pytest.mark.parametrize("env", ENVS)
def test_a_consumer_reads_the_producers_messages(sb, env):
    """A confluent-kafka Consumer, through the proxy with the environment's security (TLS trust
    anchor, SASL user and SSM password as lookout.yaml gives them), reads real messages."""
    import re
    import uuid
    from confluent_kafka import Consumer
    c = Consumer(kafka_conf(sb, env, "client", **{"group.id": f"sandbox-pytest-{uuid.uuid4()}",
                                                   "enable.auto.commit": False}))
    try:
        c.assign([TopicPartition("orders", 0, 0)])
        got = []
        deadline = time.time() + 20
        while time.time() < deadline and len(got) < 3:
            m = c.poll(1)
            if m is not None and m.error() is None:
                got.append((m.partition(), m.offset(), m.value()))
    finally:
        c.close()
    assert len(got) == 3, got
    # from offset 0 of partition 0, in order, as traffic.py produces them: "<env>-orders-<seq>"
    assert [(p, o) for p, o, _ in got] == [(0, 0), (0, 1), (0, 2)]
    assert all(re.fullmatch(rf"{env}-orders-\d+".encode(), v) for _, _, v in got), got
