"""What confluent-kafka's list_topics() reads for one plaintext sandbox environment, in the shape
of lookout's snapshot JSON `kafka` part.

usage: kafka_reads.py SANDBOX_DIR ENV  (run with the sandbox venv's python)
"""
import json
import sys
from pathlib import Path

from confluent_kafka.admin import AdminClient

sandbox, env = Path(sys.argv[1]), sys.argv[2]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
admin = AdminClient({"bootstrap.servers": e["kafka_bootstrap"], "socket.timeout.ms": 5000})
md = admin.list_topics(timeout=10)
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
