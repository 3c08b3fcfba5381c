"""Seeds one environment's moto: ECS, Auto Scaling, SSM, Route53 (and, with pki, ACM PCA)."""
from __future__ import annotations

import json
import secrets
import string
import urllib.request

from . import layout
from .aws import Account, endpoint
from .canaries import canary


def set_deployment(e: layout.Env, service: str, **fields) -> dict:
    body = {"account": e.account, "region": layout.REGION, "cluster": e.cluster, "service": service, **fields}
    req = urllib.request.Request(endpoint(e) + "/sandbox-api/ecs/deployment", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def seed(e: layout.Env, before_services=None) -> dict:
    """Seeds one environment's AWS. `before_services` (the PKI's seeding) runs after the secrets
    and before the services start their tasks: every secret and certificate is older than the
    tasks that read it, so a fresh sandbox has no roll pending."""
    a = Account(e)
    facts: dict = {}
    ssm = a.client("ssm")
    for leaf in layout.USERS.values():
        ssm.put_parameter(Name=e.ssm(leaf), Value=canary(e, leaf), Type="SecureString",
                          Description=f"sandbox {leaf} of {e.name}")
    if before_services is not None:
        facts.update(before_services())

    ec2 = a.client("ec2")
    # moto starts without its ~1300 default AMIs (MOTO_EC2_LOAD_DEFAULT_AMIS=false: loading them
    # took 4-8 s of CPU per moto at the first EC2 call); the brokers' image is registered here
    image = ec2.register_image(Name=f"kafka-broker-{e.name}", Description="sandbox broker image")["ImageId"]
    ec2.create_launch_template(LaunchTemplateName=f"kafka-{e.name}-lt",
                               LaunchTemplateData={"ImageId": image, "InstanceType": "m5.large"})
    azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:3]
    asg = a.client("autoscaling")
    asg.create_auto_scaling_group(
        AutoScalingGroupName=e.asg, MinSize=3, MaxSize=3, DesiredCapacity=3, AvailabilityZones=azs,
        LaunchTemplate={"LaunchTemplateName": f"kafka-{e.name}-lt", "Version": "$Latest"})
    facts["instances"] = [i["InstanceId"] for i in
                          asg.describe_auto_scaling_groups(AutoScalingGroupNames=[e.asg])
                          ["AutoScalingGroups"][0]["Instances"]]

    ecs = a.client("ecs")
    ecs.create_cluster(clusterName=e.cluster)
    td = ecs.register_task_definition(
        family="kafka-broker", networkMode="bridge",
        containerDefinitions=[{
            "name": "kafka", "image": "confluentinc/cp-kafka:7.6.0", "essential": True,
            "cpu": 1024, "memory": 2048,
            "secrets": [{"name": leaf.upper().replace("-", "_"), "valueFrom": e.ssm(leaf)}
                        for leaf in layout.USERS.values()]}])["taskDefinition"]["taskDefinitionArn"]
    facts["task_definition"] = td
    facts["service_arns"] = {}
    for svc in layout.SERVICES:
        s = ecs.create_service(cluster=e.cluster, serviceName=svc, taskDefinition=td, desiredCount=1,
                               launchType="FARGATE")["service"]
        dep = s["deployments"][0]["id"]
        # as ECS starts a service's task: started by the deployment, in the service's group
        ecs.run_task(cluster=e.cluster, taskDefinition=td, count=1, launchType="FARGATE",
                     startedBy=dep, group=f"service:{svc}")
        set_deployment(e, svc, rolloutState="COMPLETED", runningCount=1, pendingCount=0)
        facts["service_arns"][svc] = s["serviceArn"]

    r53 = a.client("route53")
    zone = r53.create_hosted_zone(Name=e.zone, CallerReference=f"sandbox-{e.name}")["HostedZone"]
    r53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {"Name": e.public_name, "Type": "A", "TTL": 60,
                                                  "ResourceRecords": [{"Value": layout.HOST}]}}]})
    hc = r53.create_health_check(CallerReference=f"sandbox-{e.name}-public", HealthCheckConfig={
        "IPAddress": layout.HOST, "Port": e.public_port, "Type": "TCP",
        "RequestInterval": 30, "FailureThreshold": 3})["HealthCheck"]
    facts["hosted_zone_id"] = zone["Id"].split("/")[-1]
    facts["public_name"] = e.public_name
    facts["health_check_id"] = hc["Id"]
    return facts
