"""What boto3 reads of one sandbox environment's changes since a time, in the shape of
`lookout events --format json`'s (object, time, summary start) for ECS deployments, Auto Scaling
activities and SSM versions, so a test can compare lookout's timeline with an independent client.

usage: boto3_changes.py SANDBOX_DIR ENV SINCE_EPOCH  (the sandbox venv's python)
"""
import datetime
import json
import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config

sandbox, env, since = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE"):
    os.environ.pop(v, None)
s = boto3.Session(profile_name=e["profile"])
cfg = Config(retries={"max_attempts": 3}, connect_timeout=3, read_timeout=10)
cutoff = datetime.datetime.fromtimestamp(since, datetime.timezone.utc)


def t(d):
    return d.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


out = []
ecs = s.client("ecs", config=cfg)
for svc in ecs.describe_services(cluster=e["cluster"], services=e["services"])["services"]:
    for d in svc.get("deployments", []):
        if d["createdAt"] >= cutoff:
            out.append({"source": "ecs", "object": f"service {svc['serviceName']}", "time": t(d["createdAt"]), "kind": f"deployment {d['id']} started"})
        if d.get("rolloutState") in ("COMPLETED", "FAILED") and d["updatedAt"] >= cutoff and d["updatedAt"] != d["createdAt"]:
            word = "completed" if d["rolloutState"] == "COMPLETED" else "failed"
            out.append({"source": "ecs", "object": f"service {svc['serviceName']}", "time": t(d["updatedAt"]), "kind": f"deployment {d['id']} {word}"})
asg = s.client("autoscaling", config=cfg)
for page in asg.get_paginator("describe_scaling_activities").paginate(AutoScalingGroupName=e["asg"]):
    for a in page["Activities"]:
        if a["StartTime"] >= cutoff:
            out.append({"source": "autoscaling", "object": f"group {e['asg']}", "time": t(a["StartTime"]), "kind": a.get("Description", "activity")})
ssm = s.client("ssm", config=cfg)
# the parameters lookout-tests.yaml names for this environment: its secrets, and the broker certificate and key
names = {"admin-password": "secret admin-password", "client-password": "secret client-password",
         "broker-cert": "certificate broker", "broker-key": "certificate broker key"}
for key, obj in names.items():
    path = e["ssm"].get(key)
    if not path:
        continue
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=path, WithDecryption=False):
        for p in page["Parameters"]:
            if p["LastModifiedDate"] >= cutoff:
                out.append({"source": "ssm", "object": obj, "time": t(p["LastModifiedDate"]), "kind": f"version {p['Version']} of {path} written"})
print(json.dumps(sorted(out, key=lambda x: (x["time"], x["source"], x["object"], x["kind"]))))
