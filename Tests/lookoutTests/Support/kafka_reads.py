"""What confluent-kafka's list_topics() reads for one sandbox environment (over its TLS and SASL), in the shape
of lookout's snapshot JSON `kafka` part.

usage: kafka_reads.py SANDBOX_DIR ENV  (run with the sandbox venv's python)
       kafka_reads.py SANDBOX_DIR ENV offsets GROUP...
         the groups' committed offsets and every partition's end offset (high watermark), as
         {"committed": {group: {"topic/partition": offset}}, "end": {"topic/partition": offset}}
"""
import json
import sys
from pathlib import Path

from confluent_kafka.admin import AdminClient

sandbox, env = Path(sys.argv[1]), sys.argv[2]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
conf = {"bootstrap.servers": e["kafka_bootstrap"], "socket.timeout.ms": 5000}
security = e.get("security", "PLAINTEXT")
if security != "PLAINTEXT":
    # The environment's own TLS and SASL; the password read from its moto, never printed.
    import os
    import boto3
    conf["security.protocol"] = security
    if "SSL" in security:
        conf["ssl.ca.location"] = e["trust_file"]
        conf["ssl.endpoint.identification.algorithm"] = "https"
    if "SASL" in security:
        os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
        ssm = boto3.Session(profile_name=e["profile"]).client("ssm", region_name=info["region"])
        password = ssm.get_parameter(Name=e["ssm"]["admin-password"], WithDecryption=True)["Parameter"]["Value"]
        conf.update({"sasl.mechanism": e["sasl_mechanism"], "sasl.username": "admin", "sasl.password": password})
admin = AdminClient(conf)
md = admin.list_topics(timeout=10)
if sys.argv[3:4] == ["offsets"]:
    from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
    from confluent_kafka.admin import OffsetSpec
    committed = {}
    for group in sys.argv[4:]:
        result = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result()
        committed[group] = {f"{tp.topic}/{tp.partition}": tp.offset for tp in result.topic_partitions if tp.offset >= 0}
    wanted = {TopicPartition(name, p): OffsetSpec.latest() for name, t in md.topics.items() if not name.startswith("__") for p in t.partitions}
    end = {f"{tp.topic}/{tp.partition}": f.result().offset for tp, f in admin.list_offsets(wanted, request_timeout=10).items()}
    print(json.dumps({"committed": committed, "end": end}))
    sys.exit(0)
brokers = sorted(({"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()), key=lambda b: b["id"])
topics = []
for name, t in sorted(md.topics.items()):
    if name.startswith("__"):
        continue
    live = {b["id"] for b in brokers}
    parts = list(t.partitions.values())
    topics.append({"name": name, "partitions": len(parts),
                   "under_replicated": sum(1 for p in parts if len(p.isrs) < len(p.replicas)),
                   "offline": sum(1 for p in parts if p.leader < 0 or p.leader not in live)})
print(json.dumps({"cluster_id": md.cluster_id, "controller": md.controller_id, "brokers": brokers, "topics": topics}))
