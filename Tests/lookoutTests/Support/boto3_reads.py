"""What boto3 reads for one sandbox environment, in the shape of lookout's snapshot JSON, so a
test can compare every field lookout reports with an independent client's reading.

usage: boto3_reads.py SANDBOX_DIR ENV  (run with the sandbox venv's python)
"""
import json
import sys
from pathlib import Path

import boto3
from botocore.config import Config

sandbox = Path(sys.argv[1])
env = sys.argv[2]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
import os
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
    os.environ.pop(v, None)
s = boto3.Session(profile_name=e["profile"])
cfg = Config(retries={"max_attempts": 1}, connect_timeout=3, read_timeout=10)


def t(d):
    return None if d is None else d.astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


ecs = s.client("ecs", config=cfg)
services = ecs.describe_services(cluster=e["cluster"], services=e["services"])["services"]
arns = ecs.list_tasks(cluster=e["cluster"])["taskArns"]
tasks = ecs.describe_tasks(cluster=e["cluster"], tasks=arns)["tasks"] if arns else []
out_tasks = []
for task in tasks:
    group = task.get("group", "")
    svc = group[len("service:"):] if group.startswith("service:") else None
    if svc not in e["services"]:
        continue
    out_tasks.append({"arn": task["taskArn"], "service": svc, "last_status": task["lastStatus"],
                      "health": task.get("healthStatus") if task.get("healthStatus") not in (None, "UNKNOWN") else None,
                      "started_at": t(task.get("startedAt")), "started_by": task.get("startedBy")})
out_services = []
for svc in sorted(services, key=lambda x: x["serviceName"]):
    own = [x for x in out_tasks if x["service"] == svc["serviceName"]]
    primary = next(d for d in svc["deployments"] if d["status"] == "PRIMARY")
    out_services.append({"name": svc["serviceName"], "desired": svc["desiredCount"],
                         "running": sum(1 for x in own if x["last_status"] == "RUNNING"),
                         "pending": sum(1 for x in own if x["last_status"] in ("PROVISIONING", "PENDING", "ACTIVATING")),
                         "deployment": {"id": primary["id"], "rollout_state": primary.get("rolloutState"), "created_at": t(primary.get("createdAt"))}})

asg = s.client("autoscaling", config=cfg).describe_auto_scaling_groups(AutoScalingGroupNames=[e["asg"]])["AutoScalingGroups"]
out_groups = [{"name": g["AutoScalingGroupName"], "min": g["MinSize"], "max": g["MaxSize"], "desired": g["DesiredCapacity"],
               "in_service": sum(1 for i in g["Instances"] if i["LifecycleState"] == "InService"),
               "instances": sorted([{"id": i["InstanceId"], "lifecycle_state": i["LifecycleState"], "health": i["HealthStatus"]} for i in g["Instances"]], key=lambda i: i["id"])}
              for g in asg]

ssm = s.client("ssm", config=cfg)
out_secrets = []
for name in ("admin-password", "client-password"):
    path = e["ssm"][name]
    meta = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals", "Values": [path]}])["Parameters"][0]
    out_secrets.append({"name": name, "ssm": path, "version": meta["Version"], "last_modified": t(meta["LastModifiedDate"])})

pca = s.client("acm-pca", config=cfg)
ca = pca.describe_certificate_authority(CertificateAuthorityArn=e["pca_arn"])["CertificateAuthority"]
from cryptography import x509
ca_pem = pca.get_certificate_authority_certificate(CertificateAuthorityArn=e["pca_arn"])["Certificate"]
ca_cert = x509.load_pem_x509_certificate(ca_pem.encode())
cert_pem = ssm.get_parameter(Name=e["ssm"]["broker-cert"])["Parameter"]["Value"]
leaf = x509.load_pem_x509_certificate(cert_pem.encode())


def serial(n):
    h = format(n, "x")
    if len(h) % 2:
        h = "0" + h
    return ":".join(h[i:i + 2] for i in range(0, len(h), 2))


out_certs = [
    {"name": "ca", "source": "ca", "serial": serial(ca_cert.serial_number), "not_after": t(ca["NotAfter"]), "ca_status": ca["Status"]},
    {"name": "broker", "source": "tracked", "serial": serial(leaf.serial_number), "not_after": t(leaf.not_valid_after_utc)},
]
checks = s.client("route53", config=cfg).get_health_check_status(HealthCheckId=e["health_check_id"])["HealthCheckObservations"]
out_checks = [{"id": e["health_check_id"], "endpoint": "public",
               "healthy_observations": sum(1 for o in checks if o["StatusReport"]["Status"].startswith("Success")),
               "total_observations": len(checks)}]
print(json.dumps({"ecs": {"cluster": e["cluster"], "services": out_services, "tasks": sorted(out_tasks, key=lambda x: (x["service"], x["arn"]))},
                  "autoscaling": {"groups": out_groups}, "secrets": out_secrets, "certificates": out_certs,
                  "health_checks": out_checks}))
