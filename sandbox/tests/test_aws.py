"""boto3, through each environment's profile (assumed role) and the fault proxy: each
environment sees its own account and resources, and only its own."""
from __future__ import annotations

import pytest

from conftest import client

ENVS = ["dev", "test", "acc", "prod"]


@pytest.mark.parametrize("env", ENVS)
def test_profile_assumes_the_environment_role_in_its_own_account(sb, env):
    e = sb["environments"][env]
    ident = client(sb, env, "sts").get_caller_identity()
    assert ident["Account"] == e["account"]
    assert ident["Arn"].startswith(f"arn:aws:sts::{e['account']}:assumed-role/lookout/")
    assert len({x["account"] for x in sb["environments"].values()}) == 4


@pytest.mark.parametrize("env", ENVS)
def test_ecs_services_have_one_running_task_started_by_their_deployment(sb, env):
    e = sb["environments"][env]
    ecs = client(sb, env, "ecs")
    assert ecs.list_clusters()["clusterArns"] == [f"arn:aws:ecs:{sb['region']}:{e['account']}:cluster/{e['cluster']}"]
    services = ecs.describe_services(cluster=e["cluster"], services=e["services"])["services"]
    assert [s["serviceName"] for s in services] == e["services"]
    arns = ecs.list_tasks(cluster=e["cluster"], desiredStatus="RUNNING")["taskArns"]
    tasks = ecs.describe_tasks(cluster=e["cluster"], tasks=arns)["tasks"]
    for s in services:
        assert s["desiredCount"] == 1
        primary = [d for d in s["deployments"] if d["status"] == "PRIMARY"][0]
        assert primary["rolloutState"] == "COMPLETED"
        mine = [t for t in tasks if t["group"] == f"service:{s['serviceName']}" and t["lastStatus"] == "RUNNING"]
        assert len(mine) == 1, mine
        assert mine[0]["startedBy"] == primary["id"]
        assert primary["id"].startswith("ecs-svc/")
    # pinned: describing again does not move a task towards STOPPED (moto would, unpinned)
    again = ecs.describe_tasks(cluster=e["cluster"], tasks=arns)["tasks"]
    assert {t["taskArn"]: t["lastStatus"] for t in again} == {t["taskArn"]: t["lastStatus"] for t in tasks}


@pytest.mark.parametrize("env", ENVS)
def test_auto_scaling_group_has_three_healthy_instances(sb, env):
    e = sb["environments"][env]
    groups = client(sb, env, "autoscaling").describe_auto_scaling_groups()["AutoScalingGroups"]
    assert [g["AutoScalingGroupName"] for g in groups] == [e["asg"]]
    inst = groups[0]["Instances"]
    assert len(inst) == 3
    assert {i["LifecycleState"] for i in inst} == {"InService"}
    assert {i["HealthStatus"] for i in inst} == {"Healthy"}


@pytest.mark.parametrize("env", ENVS)
def test_passwords_are_secure_strings(sb, env):
    e = sb["environments"][env]
    ssm = client(sb, env, "ssm")
    for leaf in ("admin-password", "client-password"):
        p = ssm.get_parameter(Name=e["ssm"][leaf])["Parameter"]
        assert p["Type"] == "SecureString"
        # booleans only: a failing assert must not print the value
        encrypted = p["Value"].startswith("kms:")  # not decrypted without WithDecryption
        clear = ssm.get_parameter(Name=e["ssm"][leaf], WithDecryption=True)["Parameter"]["Value"]
        long_enough, decrypted = len(clear) >= 32, not clear.startswith("kms:")
        del clear
        assert encrypted, f"{leaf} is returned in clear without WithDecryption"
        assert long_enough and decrypted, f"{leaf}: not 32+ characters once decrypted"


@pytest.mark.parametrize("env", ENVS)
def test_route53_zone_record_and_health_check(sb, env):
    e = sb["environments"][env]
    r53 = client(sb, env, "route53")
    zones = r53.list_hosted_zones()["HostedZones"]
    assert [z["Name"] for z in zones] == [f"kafka.{env}.sandbox.test."]
    records = r53.list_resource_record_sets(HostedZoneId=zones[0]["Id"])["ResourceRecordSets"]
    assert any(r["Name"] == e["public_name"] + "." and r["Type"] == "A" for r in records)
    status = r53.get_health_check_status(HealthCheckId=e["health_check_id"])
    assert status["HealthCheckObservations"]
    hc = r53.get_health_check(HealthCheckId=e["health_check_id"])["HealthCheck"]["HealthCheckConfig"]
    assert hc["Port"] == e["ports"]["public_proxy"]


def test_environments_see_only_their_own_resources(sb):
    for env in ENVS:
        ecs = client(sb, env, "ecs")
        ssm = client(sb, env, "ssm")
        names = {p["Name"] for p in ssm.describe_parameters()["Parameters"]}
        for other in ENVS:
            if other == env:
                continue
            o = sb["environments"][other]
            assert ecs.describe_clusters(clusters=[o["cluster"]])["clusters"] == []
            assert not any(n.startswith(f"/kafka/{other}/") for n in names)
