#!/usr/bin/env python3
"""What the scale environment's broker (Tansu) itself spends on the reads lookout and its peers
make (issue 26): confluent-kafka alone, every group's committed offsets and every partition's end
offset, over one connection and over 2 and 4 at once, and the committed offsets again with the
partitions named; for each the wall time and Tansu's own CPU time (its /proc/<pid>/stat).
No client can read faster than the broker answers: this is the floor under `bench/scale.py`'s ratio.

usage (the sandbox venv's python, after ./sandbox/up and ./sandbox/scale up):
  bench/broker_reads.py
"""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

import _sandbox  # bench/_sandbox.py

sandbox, _ = _sandbox.load()
bootstrap = "127.0.0.1:45410"  # the scale environment's Tansu (sandbox/lib/sbx/scale.py)
pid = int(json.loads((sandbox / "run" / "tansu-scale.pid").read_text())["pid"])


def broker_cpu() -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


admin = AdminClient({"bootstrap.servers": bootstrap})
groups = [g.group_id for g in admin.list_consumer_groups(request_timeout=30).result().valid]
metadata = admin.list_topics(timeout=30)
partitions = [TopicPartition(t, p) for t, tm in metadata.topics.items() for p in tm.partitions]
print(f"{len(groups)} groups, {len(partitions)} partitions")
named: dict[str, list[TopicPartition]] = {}


def committed(share: list[str], name: bool = False) -> None:
    client = AdminClient({"bootstrap.servers": bootstrap})
    futures = {}
    for group in share:
        asked = [TopicPartition(tp.topic, tp.partition) for tp in named[group]] if name else None
        futures.update(client.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group, asked)], request_timeout=60))
    for group, future in futures.items():
        named[group] = future.result().topic_partitions


def ends(share: list[TopicPartition]) -> None:
    client = AdminClient({"bootstrap.servers": bootstrap})
    for start in range(0, len(share), 1000):
        request = {tp: OffsetSpec.latest() for tp in share[start:start + 1000]}
        for future in client.list_offsets(request, request_timeout=60).values():
            future.result()


def measure(label: str, items: list, read, connections: int, **extra) -> None:
    before, began = broker_cpu(), time.perf_counter()
    threads = [threading.Thread(target=read, args=(items[i::connections],), kwargs=extra) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{label}, {connections} connection(s): wall {1000 * (time.perf_counter() - began):.0f} ms, "
          f"Tansu's CPU {1000 * (broker_cpu() - before):.0f} ms")


for connections in (1, 2, 4):
    measure("committed offsets of every group", groups, committed, connections)
measure("committed offsets of every group, partitions named", groups, committed, 1, name=True)
for connections in (1, 2, 4):
    measure("end offsets of every partition", partitions, ends, connections)
