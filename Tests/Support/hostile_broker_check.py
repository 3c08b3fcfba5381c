"""Proves hostile_broker.py with an independent Kafka client: confluent-kafka (librdkafka).

Usage: hostile_broker_check.py MODE   (the sandbox venv's python: confluent-kafka; HostileBytesTests runs it before it feeds the broker to the binary)

Starts `hostile_broker.py MODE` beside this file, then reads it with confluent_kafka's
AdminClient: list_topics (the cluster id, the broker, every topic name byte for byte with its
partitions, leaders, replicas and in-sync replicas), list_consumer_groups (every group id),
describe_consumer_groups (state, the member's client id and host), list_consumer_group_offsets
for each group, and list_offsets latest for every partition. Prints a JSON summary (escapes
shown as \\u sequences, never raw) and exits 1 if anything differs from what the mode
promises, listed under "problems". HOSTILE_BROKER_VERSIONS is passed on to the broker.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

INT64_MAX = 2**63 - 1
EVIL_TOPIC = "evil\x1b]0;pwned\x07topic\u009b31m\u202e"
EVIL_GROUP = "evil\x1b]0;pwned\x07\u202egroup\u009b31m"

# What each mode promises, written out here rather than read from the broker. "ends" are the
# latest offsets by (topic, partition); "commits" what list_consumer_group_offsets reports.
# librdkafka reports a partition listed with -1 (no commit) as -1001, its OFFSET_INVALID.
EXPECTED = {
    "evil-names": {
        "cluster_id": "hostile\x1b]0;pwned\x07\u202ecluster",
        "partitions": {EVIL_TOPIC: 2, "orders": 1},
        "ends": {(EVIL_TOPIC, 0): 1000, (EVIL_TOPIC, 1): 1000, ("orders", 0): 1000},
        "groups": {
            EVIL_GROUP: {
                "client": ("evil\x1b]0;pwned\x07client\u202e", "/127.0.0.1\x1b[31m\u009b1m"),
                "commits": {(EVIL_TOPIC, 0): 400, (EVIL_TOPIC, 1): 400},
            },
            "billing": {
                "client": ("billing-client", "/127.0.0.1"),
                "commits": {("orders", 0): 990},
            },
        },
    },
    "extreme-offsets": {
        "cluster_id": "extreme-offsets",
        "partitions": {"orders": 3, "payments": 1},
        "ends": {("orders", 0): INT64_MAX, ("orders", 1): INT64_MAX, ("orders", 2): 5, ("payments", 0): INT64_MAX},
        "groups": {
            "billing": {
                "client": ("billing-client", "/127.0.0.1"),
                "commits": {("orders", 0): -1001, ("orders", 1): 0, ("orders", 2): INT64_MAX, ("payments", 0): 1,
                            ("orders", 2147483646): 7, ("orders", -5): 3},
            },
        },
    },
}

TIMEOUT = 15


def start_broker(mode: str, folder: str) -> tuple[subprocess.Popen, int]:
    port_file = os.path.join(folder, "port")
    broker = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "hostile_broker.py"),
                               mode, port_file])
    deadline = time.monotonic() + 10
    while not os.path.exists(port_file):
        if broker.poll() is not None or time.monotonic() > deadline:
            broker.kill()
            sys.exit(f"hostile_broker.py {mode} did not start")
        time.sleep(0.05)
    with open(port_file) as f:
        return broker, int(f.read())


def key(topic: str, partition: int) -> str:
    return f"{topic}/{partition}"


def check(mode: str, port: int) -> dict:
    expected = EXPECTED[mode]
    problems: list[str] = []

    def same(what: str, seen, wanted):
        if seen != wanted:
            problems.append(f"{what}: saw {seen!r}, expected {wanted!r}")

    admin = AdminClient({"bootstrap.servers": f"127.0.0.1:{port}", "broker.address.family": "v4"})

    # Metadata: the cluster, its broker, every topic and partition.
    metadata = admin.list_topics(timeout=TIMEOUT)
    same("cluster id", metadata.cluster_id, expected["cluster_id"])
    same("brokers", {b.id: (b.host, b.port) for b in metadata.brokers.values()}, {1: ("127.0.0.1", port)})
    same("controller", metadata.controller_id, 1)
    topics = {}
    for name, topic in metadata.topics.items():
        if topic.error is not None:
            problems.append(f"topic {name!r}: {topic.error}")
        topics[name] = {p.id: f"leader {p.leader}, replicas {list(p.replicas)}, isr {list(p.isrs)}"
                        for p in topic.partitions.values()}
    same("topics", sorted(topics), sorted(expected["partitions"]))
    for name, count in expected["partitions"].items():
        same(f"partitions of {name!r}", topics.get(name), {i: "leader 1, replicas [1], isr [1]" for i in range(count)})

    # Groups: listed, then described.
    listing = admin.list_consumer_groups(request_timeout=TIMEOUT).result(TIMEOUT)
    for error in listing.errors:
        problems.append(f"list_consumer_groups: {error}")
    groups = {g.group_id: g.state.name for g in listing.valid}
    same("groups", sorted(groups), sorted(expected["groups"]))
    described = {}
    for group, future in admin.describe_consumer_groups(list(expected["groups"]), request_timeout=TIMEOUT).items():
        description = future.result(TIMEOUT)
        described[group] = {"state": description.state.name,
                            "members": [f"client {m.client_id}, host {m.host}" for m in description.members],
                            "assigned": sorted(key(tp.topic, tp.partition) for m in description.members
                                               for tp in (m.assignment.topic_partitions if m.assignment else []))}
        same(f"state of {group!r}", description.state.name, "STABLE")
        same(f"members of {group!r}", [(m.client_id, m.host) for m in description.members], [expected["groups"][group]["client"]])

    # Committed offsets, one group per call (librdkafka takes one at a time).
    commits = {}
    for group, wanted in expected["groups"].items():
        futures = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)], request_timeout=TIMEOUT)
        answer = futures[group].result(TIMEOUT)
        same(f"group of the offsets of {group!r}", answer.group_id, group)
        seen = {}
        for tp in answer.topic_partitions:
            if tp.error is not None:
                problems.append(f"offset of {group!r} on {key(tp.topic, tp.partition)!r}: {tp.error}")
            seen[(tp.topic, tp.partition)] = tp.offset
        same(f"commits of {group!r}", seen, wanted["commits"])
        commits[group] = {key(*k): v for k, v in sorted(seen.items())}

    # End offsets: latest, every partition at once.
    asked = {TopicPartition(topic, partition): OffsetSpec.latest() for topic, partition in expected["ends"]}
    ends = {}
    for tp, future in admin.list_offsets(asked, request_timeout=TIMEOUT).items():
        ends[(tp.topic, tp.partition)] = future.result(TIMEOUT).offset
    same("latest offsets", ends, expected["ends"])

    return {
        "mode": mode,
        "versions": os.environ.get("HOSTILE_BROKER_VERSIONS", "current"),
        "client": "confluent-kafka (librdkafka %s)" % __import__("confluent_kafka").libversion()[0],
        "cluster_id": metadata.cluster_id,
        "topics": topics,
        "groups": groups,
        "described": described,
        "commits": commits,
        "ends": {key(*k): v for k, v in sorted(ends.items())},
        "problems": problems,
    }


def main() -> None:
    mode = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        broker, port = start_broker(mode, folder)
        try:
            summary = check(mode, port)
        finally:
            broker.kill()
            broker.wait()
    print(json.dumps(summary, indent=2, default=str))  # ensure_ascii: escapes print as \u001b
    sys.exit(1 if summary["problems"] else 0)


if __name__ == "__main__":
    main()
