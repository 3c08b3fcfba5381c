"""What confluent-kafka's list_topics() reads for one sandbox environment, over that
environment's TLS and SASL (the password read from its moto with boto3, never printed).

usage: kafka_secured_reads.py SANDBOX_DIR ENV [MECHANISM]   (the sandbox venv's python)
MECHANISM overrides the environment's SASL mechanism (prod's gate also speaks SCRAM-SHA-256).
Prints {"snapshot": <lookout's snapshot `kafka` shape>, "raw": <brokers, partitions>}.

usage: kafka_secured_reads.py SANDBOX_DIR ENV offsets GROUP...
Prints the groups' committed offsets and every partition's end offset (high watermark), as
{"committed": {group: {"topic/partition": offset}}, "end": {"topic/partition": offset},
 "states": {group: {"state": "Stable" | "Empty" | ..., "members": n}},
 "listed": {group: {"state": <as the broker sends it>, "protocol_type": ..., "members": n}}}
(both DescribeGroups: describe_consumer_groups() and the older list_groups()).
"""
import json
import os
import sys
from pathlib import Path

import boto3
from confluent_kafka.admin import AdminClient

sandbox, env = Path(sys.argv[1]), sys.argv[2]
offsets = sys.argv[3:4] == ["offsets"]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
security = e["security"]
conf = {"bootstrap.servers": e["kafka_bootstrap"], "socket.timeout.ms": 5000, "security.protocol": security}
if "SSL" in security:
    conf["ssl.ca.location"] = e["trust_file"]
    conf["ssl.endpoint.identification.algorithm"] = "https"
if "SASL" in security:
    os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
    ssm = boto3.Session(profile_name=e["profile"]).client("ssm")
    password = ssm.get_parameter(Name=e["ssm"]["admin-password"], WithDecryption=True)["Parameter"]["Value"]
    conf.update({"sasl.mechanism": sys.argv[3] if len(sys.argv) > 3 and not offsets else e["sasl_mechanism"],
                 "sasl.username": "admin", "sasl.password": password})
admin = AdminClient(conf)
md = admin.list_topics(timeout=10)
if offsets:
    from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
    from confluent_kafka.admin import OffsetSpec
    committed = {}
    for group in sys.argv[4:]:
        result = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result()
        committed[group] = {f"{tp.topic}/{tp.partition}": tp.offset for tp in result.topic_partitions if tp.offset >= 0}
    wanted = {TopicPartition(name, p): OffsetSpec.latest() for name, t in md.topics.items() if not name.startswith("__") for p in t.partitions}
    end = {f"{tp.topic}/{tp.partition}": f.result().offset for tp, f in admin.list_offsets(wanted, request_timeout=10).items()}
    names = {"STABLE": "Stable", "EMPTY": "Empty", "DEAD": "Dead", "PREPARING_REBALANCING": "PreparingRebalance",
             "COMPLETING_REBALANCING": "CompletingRebalance", "UNKNOWN": "Unknown"}
    states = {}
    for group, future in admin.describe_consumer_groups(sys.argv[4:], request_timeout=10).items():
        try:
            d = future.result()
            states[group] = {"state": names.get(d.state.name, d.state.name), "members": len(d.members)}
        except Exception as error:  # noqa: BLE001 - the group's read failed: say so
            states[group] = {"state": f"error: {error}", "members": None}
    # The same DescribeGroups read through librdkafka's older list_groups(), which counts every
    # member the broker lists: describe_consumer_groups() leaves out the members of a group in a
    # state it does not know (Tansu's "Unknown" after a rejoin), so the tests compare those here.
    import warnings
    listed = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for group in sys.argv[4:]:
            try:
                for g in admin.list_groups(group=group, timeout=10):
                    listed[g.id] = {"state": g.state, "protocol_type": g.protocol_type, "members": len(g.members)}
            except Exception as error:  # noqa: BLE001 - the group's read failed: say so
                listed[group] = {"state": f"error: {error}", "members": None}
    print(json.dumps({"committed": committed, "end": end, "states": states, "listed": listed}))
    sys.exit(0)
brokers = sorted(({"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()), key=lambda b: b["id"])
live = {b["id"] for b in brokers}
topics = []
for name, t in sorted(md.topics.items()):
    if name.startswith("__"):
        continue
    parts = list(t.partitions.values())
    topics.append({"name": name, "partitions": len(parts),
                   "under_replicated": sum(1 for p in parts if len(p.isrs) < len(p.replicas)),
                   "offline": sum(1 for p in parts if p.leader < 0 or p.leader not in live),
                   "partition_details": [{"partition": p.id, "leader": p.leader if p.leader >= 0 else None,
                                          "replicas": list(p.replicas), "isr": list(p.isrs),
                                          "under_replicated": len(p.isrs) < len(p.replicas),
                                          "offline": p.leader < 0 or p.leader not in live}
                                         for p in sorted(parts, key=lambda p: p.id)]})
raw = {"cluster_id": md.cluster_id, "controller_id": md.controller_id,
       "brokers": sorted([[b.id, b.host, b.port] for b in md.brokers.values()]),
       "topics": {name: {str(p.id): [p.leader, list(p.replicas), list(p.isrs)] for p in t.partitions.values()}
                  for name, t in md.topics.items()}}
print(json.dumps({"snapshot": {"cluster_id": md.cluster_id, "controller": md.controller_id, "brokers": brokers, "topics": topics},
                  "raw": raw}))
