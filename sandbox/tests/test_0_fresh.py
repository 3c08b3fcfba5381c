"""What a fresh sandbox is, read before any other test changes it (this file's name sorts first)."""
from __future__ import annotations

from conftest import client


def test_a_fresh_sandbox_has_no_roll_pending(sb):
    """Every secret and certificate is written before the tasks that read it start (the PKI is
    seeded before the services): by PRODUCT.md's time rule nothing is pending after `up`. Read
    with boto3: each parameter's last change against each service's running tasks' start (or,
    without one, its PRIMARY deployment's creation). Runs first, before any test changes a thing."""
    for name, e in sb["environments"].items():
        ssm, ecs = client(sb, name, "ssm"), client(sb, name, "ecs")
        starts = []
        for service in ecs.describe_services(cluster=e["cluster"], services=e["services"])["services"]:
            primary = next(d for d in service["deployments"] if d["status"] == "PRIMARY")
            arns = ecs.list_tasks(cluster=e["cluster"], serviceName=service["serviceName"])["taskArns"]
            tasks = ecs.describe_tasks(cluster=e["cluster"], tasks=arns)["tasks"] if arns else []
            starts += [t.get("startedAt") or primary["createdAt"] for t in tasks if t["lastStatus"] == "RUNNING"]
        assert starts, name
        for key, parameter in e["ssm"].items():
            changed = ssm.get_parameter(Name=parameter)["Parameter"]["LastModifiedDate"]
            assert changed <= min(starts), f"{name} {key} changed after its services' tasks started"
