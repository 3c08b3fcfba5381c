"""Seed a test's own moto_server with what the LookoutAWS tests read back, using boto3.

Usage: moto_seed.py ENDPOINT REGION
Prints JSON with the names, ARNs and counts the Swift tests compare against. Values of
SecureStrings are not printed; their SHA-256 is.
"""
import hashlib
import json
import sys

import boto3

endpoint, region = sys.argv[1], sys.argv[2]
session = boto3.session.Session(aws_access_key_id="AKIDSEED", aws_secret_access_key="seed-secret",
                                region_name=region)


def client(name):
    return session.client(name, endpoint_url=endpoint)


out = {}

ec2 = client("ec2")

ecs = client("ecs")
ecs.create_cluster(clusterName="kafka-test")
ecs.register_task_definition(family="broker", containerDefinitions=[{"name": "broker", "image": "tansu", "memory": 128}])
services = [f"svc-{i:02d}" for i in range(12)]
for name in services:
    ecs.create_service(cluster="kafka-test", serviceName=name, taskDefinition="broker", desiredCount=1,
                       launchType="FARGATE")
tasks = ecs.run_task(cluster="kafka-test", taskDefinition="broker", count=7, launchType="FARGATE",
                     startedBy="ecs-svc/seed", group="service:svc-00")["tasks"]
out["ecs"] = {"cluster": "kafka-test", "services": services, "tasks": sorted(t["taskArn"] for t in tasks)}

ec2.create_launch_template(LaunchTemplateName="kafka-lt", LaunchTemplateData={"ImageId": "ami-12345678",
                                                                              "InstanceType": "t3.micro"})
asg = client("autoscaling")
groups = []
for i in range(3):
    name = f"kafka-asg-{i}"
    asg.create_auto_scaling_group(AutoScalingGroupName=name, LaunchTemplate={"LaunchTemplateName": "kafka-lt"},
                                  MinSize=1, MaxSize=5, DesiredCapacity=i + 1, AvailabilityZones=[region + "a"])
    groups.append({"name": name, "desired": i + 1})
described = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["kafka-asg-2"])["AutoScalingGroups"][0]
out["autoscaling"] = {"groups": groups,
                      "instances": sorted(i["InstanceId"] for i in described["Instances"])}

ssm = client("ssm")
secret = "s3cret-" + hashlib.sha256(endpoint.encode()).hexdigest()[:16]
ssm.put_parameter(Name="/kafka/test/admin-password", Value=secret, Type="SecureString")
for version in range(2, 61):
    ssm.put_parameter(Name="/kafka/test/history", Value=f"v{version}", Type="String", Overwrite=True) \
        if version > 2 else ssm.put_parameter(Name="/kafka/test/history", Value="v2", Type="String")
for i in range(15):
    ssm.put_parameter(Name=f"/kafka/test/many/p{i:02d}", Value=str(i), Type="String")
out["ssm"] = {"secure": "/kafka/test/admin-password", "secure_sha256": hashlib.sha256(secret.encode()).hexdigest(),
              "history": "/kafka/test/history", "history_versions": 59, "many_prefix": "/kafka/test/many/",
              "many": 15}

pca = client("acm-pca")
ca_arn = pca.create_certificate_authority(
    CertificateAuthorityConfiguration={"KeyAlgorithm": "RSA_2048", "SigningAlgorithm": "SHA256WITHRSA",
                                       "Subject": {"CommonName": "lookout test root"}},
    CertificateAuthorityType="ROOT")["CertificateAuthorityArn"]
csr = pca.get_certificate_authority_csr(CertificateAuthorityArn=ca_arn)["Csr"]
issued = pca.issue_certificate(CertificateAuthorityArn=ca_arn, Csr=csr.encode(), SigningAlgorithm="SHA256WITHRSA",
                               TemplateArn="arn:aws:acm-pca:::template/RootCACertificate/V1",
                               Validity={"Value": 10, "Type": "YEARS"})["CertificateArn"]
root_pem = pca.get_certificate(CertificateAuthorityArn=ca_arn, CertificateArn=issued)["Certificate"]
pca.import_certificate_authority_certificate(CertificateAuthorityArn=ca_arn, Certificate=root_pem.encode())
out["pca"] = {"arn": ca_arn, "certificate": root_pem}

route53 = client("route53")
checks = []
for i in range(4):
    check = route53.create_health_check(
        CallerReference=f"ref-{i}",
        HealthCheckConfig={"Type": "TCP", "IPAddress": "127.0.0.1", "Port": 9000 + i})["HealthCheck"]
    checks.append(check["Id"])
out["route53"] = {"health_checks": sorted(checks)}

json.dump(out, sys.stdout)
