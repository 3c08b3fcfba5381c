#!/usr/bin/env python3
"""lookout at production scale (issue 26), on the sandbox's `scale` environment
(`./sandbox/scale up`: 10,000 partitions, 1,000 groups, 50 services of 6 tasks, 50 instances, 100
secrets, 20 certificates). One run, medians of N:

- lookout's `snapshot --format json` (a fresh process: what `check` in a cron job pays), wall time,
  CPU time (user + system) and peak RSS; `check`'s peak RSS once the state file holds a full
  window (10 polls; `--window-runs`), split into anonymous memory and file-backed pages (the
  binary and the shared libraries: Foundation, ICU, libcurl, OpenSSL); the state file's size and
  the time to read, update and write it (`LOOKOUT_STATE_TRACE`);
- the same reads by the peers, concurrently as lookout does them: confluent-kafka's AdminClient
  (metadata, every group's committed offsets, the end offsets in batches of 1,000 partitions) and
  boto3 (every page of ECS, Auto Scaling, SSM, ACM PCA, Route53); the ratio lookout / peer;
- every group's lag as lookout reports it against confluent-kafka's committed and end offsets;
- the scale broker's (Tansu's) CPU time while it serves lookout's reads and the peers': what no
  client can go below (Tansu answers an OffsetFetch of every group in about 2 s of its own CPU).

usage (the sandbox venv's python, after ./sandbox/up, ./sandbox/scale up and a release build):
  bench/scale.py [--runs 3] [--lookout .build/release/lookout]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import _sandbox  # bench/_sandbox.py

root = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=3)
parser.add_argument("--lookout", default=str(root / ".build/release/lookout"))
parser.add_argument("--window-runs", type=int, default=10, help="`check` runs before the measured ones: the window's polls")
args = parser.parse_args()

sandbox, info = _sandbox.load()
config = _sandbox.scale_config(sandbox)
state = Path(tempfile.mkdtemp(prefix="lookout-scale-"))
env = _sandbox.inherited(info, XDG_STATE_HOME=str(state), LOOKOUT_STATE_TRACE=str(state / "state.trace"))
for key, value in env.items():
    os.environ[key] = value
os.environ.pop("AWS_CA_BUNDLE", None)


broker_pid = int(json.loads((sandbox / "run" / "tansu-scale.pid").read_text())["pid"])


def broker_cpu() -> float:
    """CPU seconds (user + system) the scale environment's Tansu has spent so far."""
    fields = Path(f"/proc/{broker_pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_lookout(*arguments: str) -> tuple[float, float, int, bytes, int, int]:
    """Wall s, CPU s, peak RSS kB, stdout, peak anonymous kB, peak file-backed kB (`_sandbox.peak_memory`)."""
    t0 = time.perf_counter()
    child = subprocess.Popen([args.lookout, *arguments, "--config", str(config)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(child.stdout.read()))
    reader.start()
    peaks = _sandbox.peak_memory(child.pid, reader.is_alive)
    reader.join()
    _, _, usage = os.wait4(child.pid, 0)
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, peaks["VmHWM"], b"".join(chunks), peaks["RssAnon"], peaks["RssFile"]


def peer() -> tuple[float, dict]:
    """The same reads with confluent-kafka and boto3, Kafka and AWS side by side; wall s and the offsets read."""
    import boto3
    from confluent_kafka import TopicPartition, ConsumerGroupTopicPartitions
    from confluent_kafka.admin import AdminClient, OffsetSpec
    out: dict = {}

    def kafka() -> None:
        admin = AdminClient({"bootstrap.servers": "127.0.0.1:45410"})
        metadata = admin.list_topics(timeout=30)
        partitions = [TopicPartition(t, p) for t, tm in metadata.topics.items() for p in tm.partitions]
        ends = {}
        for start in range(0, len(partitions), 1000):
            request = {tp: OffsetSpec.latest() for tp in partitions[start:start + 1000]}
            for tp, f in admin.list_offsets(request, request_timeout=30).items():
                ends[(tp.topic, tp.partition)] = f.result().offset
        groups = [g.group_id for g in admin.list_consumer_groups(request_timeout=30).result().valid]
        committed = {}
        futures = {}
        for g in groups:
            futures.update(admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(g)], request_timeout=30))
        for g, f in futures.items():
            committed[g] = {(tp.topic, tp.partition): tp.offset for tp in f.result().topic_partitions}
        out["ends"], out["committed"] = ends, committed

    def aws() -> None:
        session = boto3.Session(profile_name="lookout-scale", region_name=info["region"])
        ecs, asg, ssm = session.client("ecs"), session.client("autoscaling"), session.client("ssm")
        pca, r53 = session.client("acm-pca"), session.client("route53")
        names = [a.split("/")[-1] for p in ecs.get_paginator("list_services").paginate(cluster="kafka-scale") for a in p["serviceArns"]]
        for i in range(0, len(names), 10):
            ecs.describe_services(cluster="kafka-scale", services=names[i:i + 10])
        arns = [a for p in ecs.get_paginator("list_tasks").paginate(cluster="kafka-scale") for a in p["taskArns"]]
        for i in range(0, len(arns), 100):
            ecs.describe_tasks(cluster="kafka-scale", tasks=arns[i:i + 100])
        list(asg.get_paginator("describe_auto_scaling_groups").paginate(AutoScalingGroupNames=["kafka-scale-asg"]))
        params = [p["Name"] for page in ssm.get_paginator("describe_parameters").paginate() for p in page["Parameters"]]
        for i in range(0, len(params), 10):
            ssm.get_parameters(Names=params[i:i + 10])
        facts = json.loads((sandbox / "state" / "scale" / "aws.json").read_text())
        pca.describe_certificate_authority(CertificateAuthorityArn=facts["pca_arn"])
        pca.get_certificate_authority_certificate(CertificateAuthorityArn=facts["pca_arn"])
        r53.get_health_check_status(HealthCheckId=facts["health_check_id"])

    t0 = time.perf_counter()
    threads = [threading.Thread(target=kafka), threading.Thread(target=aws)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, out


snapshots, checks, peers = [], [], []
last = b""
for _ in range(args.window_runs):
    run_lookout("check")
broker = {"lookout": [], "peers": []}  # the broker's CPU seconds while serving each
for _ in range(args.runs):
    before = broker_cpu()
    snapshots.append(run_lookout("snapshot", "--format", "json"))
    broker["lookout"].append(broker_cpu() - before)
    last = snapshots[-1][3]
    checks.append(run_lookout("check"))
    before = broker_cpu()
    peers.append(peer())
    broker["peers"].append(broker_cpu() - before)
lookout_wall = statistics.median(s[0] for s in snapshots)
peer_wall = statistics.median(p[0] for p in peers)
offsets = peers[-1][1]

# every group's lag, lookout against confluent-kafka
document = json.loads(last)
environment = document["environments"][0]
groups = environment["kafka"]["groups"]
wrong = 0
for g in groups:
    mine = offsets["committed"].get(g["id"], {})
    expected = sum(offsets["ends"][key] - offset for key, offset in mine.items() if offset >= 0)
    wrong += g.get("lag") != expected
state_files = list((state / "lookout").glob("*.state"))
state_ms = sorted(json.loads(line)["state_ms"] for line in (state / "state.trace").read_text().splitlines()[-(2 * args.runs):])
sources = {s["name"]: s["duration_ms"] for s in environment["sources"]}
print(f"scale: {sum(t['partitions'] for t in environment['kafka']['topics'])} partitions, {len(groups)} groups, "
      f"{len(environment['ecs']['services'])} services, {len(environment['secrets'])} secrets")
print(f"lookout snapshot: {lookout_wall * 1000:.0f} ms median of {args.runs} (CPU {statistics.median(s[1] for s in snapshots) * 1000:.0f} ms, "
      f"peak RSS {statistics.median(s[2] for s in snapshots) / 1024:.0f} MB); sources ms {sources}")
print(f"lookout check (after {args.window_runs} runs): peak RSS {statistics.median(c[2] for c in checks) / 1024:.0f} MB "
      f"(anonymous {statistics.median(c[4] for c in checks) / 1024:.0f} MB, file-backed {statistics.median(c[5] for c in checks) / 1024:.0f} MB); "
      f"state file {sum(f.stat().st_size for f in state_files) / 1e6:.1f} MB, read, updated and written in {statistics.median(state_ms):.0f} ms "
      f"median (max {state_ms[-1]:.0f} ms) of {len(state_ms)}")
print(f"peers (confluent-kafka + boto3, side by side): {peer_wall * 1000:.0f} ms median; lookout / peers = {lookout_wall / peer_wall:.2f}")
lookout_broker, peers_broker = (statistics.median(broker[k]) for k in ("lookout", "peers"))
print(f"the scale broker's CPU serving the reads (median): for lookout {lookout_broker * 1000:.0f} ms, for the peers "
      f"{peers_broker * 1000:.0f} ms; the broker's own time for lookout's reads is {lookout_broker / peer_wall:.2f} of the peers' wall time")
print(f"lag: {len(groups) - wrong} of {len(groups)} groups equal confluent-kafka's")
sys.exit(0 if wrong == 0 else 1)
