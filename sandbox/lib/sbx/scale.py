"""The scale environment (issue 26): `./sandbox/scale up [--partitions N] [--groups M] [--services S]`
starts a fifth environment, `scale`, on its own moto_server (45400) and Tansu (45410), not behind
the fault proxy, static (no traffic: every number is exact), and writes its config to
.sandbox/scale.yaml; `./sandbox/scale down` stops both and removes it.

Defaults: 10,000 partitions over 500 topics (20 each), two messages in every partition; 1,000
groups, each with committed offsets on 10 topics (one message behind on every partition: a lag of
200 per group), and `g-wide` on 50 topics (1,000 partitions); 50 ECS services of 6 tasks each (300) on an Auto Scaling group of 50 instances;
100 secrets; 20 tracked certificates issued by the environment's Private CA.
Seeding follows NOTES.md's measured recipe: topics in batches of 50, groups by
`alter_consumer_group_offsets` 50 in flight, end offsets exact (one message per batch).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from . import layout, procs


@dataclass(frozen=True)
class ScaleEnv(layout.Env):
    """Clients reach moto and Tansu directly: no proxy, so Tansu advertises its own port."""

    @property
    def kafka_port(self) -> int:
        return self.tansu_port

    @property
    def aws_url(self) -> str:
        return f"http://{layout.HOST}:{self.moto_port}"


SCALE = ScaleEnv("scale", 4, "555555555555", "PLAINTEXT", None, False)


def services(n: int) -> list[str]:
    return [f"svc-{i:03d}" for i in range(n)]


def seed_aws(e: ScaleEnv, n_services: int, tasks_per_service: int, instances: int, n_secrets: int, n_certs: int) -> dict:
    from . import pki
    from .aws import Account
    from .seed_aws import set_deployment
    a = Account(e)
    facts: dict = {}
    ssm = a.client("ssm")
    with ThreadPoolExecutor(8) as ex:
        list(ex.map(lambda i: ssm.put_parameter(Name=f"/kafka/scale/secret-{i:03d}", Value=f"scale-secret-{i:03d}-not-a-real-one",
                                                Type="SecureString"), range(n_secrets)))
    ec2 = a.client("ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"] if ec2.describe_images()["Images"] else "ami-12c6146b"
    ec2.create_launch_template(LaunchTemplateName="kafka-scale-lt", LaunchTemplateData={"ImageId": image, "InstanceType": "m5.large"})
    azs = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:3]
    asg = a.client("autoscaling")
    asg.create_auto_scaling_group(AutoScalingGroupName=e.asg, MinSize=instances, MaxSize=instances, DesiredCapacity=instances,
                                  AvailabilityZones=azs, LaunchTemplate={"LaunchTemplateName": "kafka-scale-lt", "Version": "$Latest"})
    ecs = a.client("ecs")
    ecs.create_cluster(clusterName=e.cluster)
    td = ecs.register_task_definition(family="app", networkMode="bridge", containerDefinitions=[
        {"name": "app", "image": "app:1", "essential": True, "cpu": 256, "memory": 512}])["taskDefinition"]["taskDefinitionArn"]

    def service(name: str) -> None:
        s = ecs.create_service(cluster=e.cluster, serviceName=name, taskDefinition=td, desiredCount=tasks_per_service,
                               launchType="FARGATE")["service"]
        left = tasks_per_service
        while left > 0:
            ecs.run_task(cluster=e.cluster, taskDefinition=td, count=min(10, left), launchType="FARGATE",
                         startedBy=s["deployments"][0]["id"], group=f"service:{name}")
            left -= 10
        set_deployment(e, name, rolloutState="COMPLETED", runningCount=tasks_per_service, pendingCount=0)

    with ThreadPoolExecutor(8) as ex:
        list(ex.map(service, services(n_services)))
    pca = a.client("acm-pca")
    arn = pca.create_certificate_authority(
        CertificateAuthorityConfiguration={"KeyAlgorithm": "RSA_2048", "SigningAlgorithm": "SHA256WITHRSA",
                                           "Subject": {"Organization": "lookout sandbox", "CommonName": "Kafka scale Private CA"}},
        CertificateAuthorityType="SUBORDINATE", IdempotencyToken="sandbox-scale")["CertificateAuthorityArn"]
    pki.import_sub(a, e, arn, 730)
    facts["pca_arn"] = arn

    def cert(i: int) -> None:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        key = pki.new_key()
        csr = (x509.CertificateSigningRequestBuilder().subject_name(pki.name(f"app-{i:02d}.kafka.scale.internal"))
               .sign(key, hashes.SHA256()))
        cert_arn = pca.issue_certificate(CertificateAuthorityArn=arn, Csr=csr.public_bytes(serialization.Encoding.PEM),
                                         SigningAlgorithm="SHA256WITHRSA", Validity={"Value": 365, "Type": "DAYS"},
                                         IdempotencyToken=f"scale{i}")["CertificateArn"]
        for _ in range(50):
            try:
                got = pca.get_certificate(CertificateAuthorityArn=arn, CertificateArn=cert_arn)
                break
            except pca.exceptions.RequestInProgressException:
                time.sleep(0.1)
        chain = got["Certificate"].strip() + "\n" + got.get("CertificateChain", "").strip() + "\n"
        ssm.put_parameter(Name=f"/kafka/scale/tls/cert-{i:02d}", Value=chain, Type="String")
        ssm.put_parameter(Name=f"/kafka/scale/tls/key-{i:02d}", Value=pki.key_pem(key), Type="SecureString")

    with ThreadPoolExecutor(4) as ex:
        list(ex.map(cert, range(n_certs)))
    r53 = a.client("route53")
    hc = r53.create_health_check(CallerReference="sandbox-scale-public", HealthCheckConfig={
        "IPAddress": layout.HOST, "Port": e.tansu_port, "Type": "TCP", "RequestInterval": 30, "FailureThreshold": 3})["HealthCheck"]
    facts["health_check_id"] = hc["Id"]
    return facts


def seed_kafka(e: ScaleEnv, partitions: int, groups: int, per_topic: int = 20, topics_per_group: int = 10) -> dict:
    from confluent_kafka import Producer, TopicPartition, ConsumerGroupTopicPartitions
    from confluent_kafka.admin import AdminClient, NewTopic
    from .kafka import client_conf
    conf = client_conf(e, user="admin")
    admin = AdminClient(conf)
    n_topics = max(1, partitions // per_topic)
    topics = [f"t{i:04d}" for i in range(n_topics)]
    for start in range(0, len(topics), 50):
        for f in admin.create_topics([NewTopic(t, per_topic, 1) for t in topics[start:start + 50]], request_timeout=60).values():
            f.result(60)
    producer = Producer({**conf, "batch.num.messages": 1, "linger.ms": 0, "acks": "all"})
    for t in topics:
        for p in range(per_topic):
            for _ in range(2):
                producer.produce(t, b"x", partition=p)
        producer.poll(0)
    producer.flush(120)
    names = [f"g{i:04d}" for i in range(groups)]
    futures = []
    for i, g in enumerate(names):
        mine = [topics[(i * topics_per_group + k) % len(topics)] for k in range(topics_per_group)]
        request = ConsumerGroupTopicPartitions(g, [TopicPartition(t, p, 1) for t in mine for p in range(per_topic)])
        futures += list(admin.alter_consumer_group_offsets([request], request_timeout=60).values())
        if len(futures) >= 50:
            for f in futures:
                f.result(60)
            futures = []
    for f in futures:
        f.result(60)
    # one group on 1,000 partitions (50 topics), for the console's widest partitions view
    wide = ConsumerGroupTopicPartitions("g-wide", [TopicPartition(t, p, 1) for t in topics[:50] for p in range(per_topic)])
    for f in admin.alter_consumer_group_offsets([wide], request_timeout=60).values():
        f.result(60)
    return {"topics": len(topics), "partitions": len(topics) * per_topic, "groups": len(names) + 1,
            "lag_per_group": topics_per_group * per_topic}


def config_yaml(e: ScaleEnv, facts: dict, n_services: int, n_secrets: int, n_certs: int) -> str:
    L = ["# written by ./sandbox/scale up: the scale environment alone (issue 26)",
         "timeouts: { source: 30s, action: 2m, action_poll: 250ms }", "refresh: 10s", "environments:",
         "  - name: scale", "    aws:", f"      region: {layout.REGION}", "      profile: lookout-scale",
         f"      endpoint: {e.aws_url}", "    ecs:", f"      cluster: {e.cluster}",
         f"      services: [{', '.join(services(n_services))}]", "    autoscaling:", f"      groups: [{e.asg}]",
         "    kafka:", f"      bootstrap: [\"{layout.HOST}:{e.tansu_port}\"]",
         "      lag: { groups: [\"*\"], warn: 100000, crit: 1000000, window: 10, min_samples: 3, allowance: 0 }",
         "    certificates:", "      warn_days: 30", "      crit_days: 7", f"      pca: {facts['pca_arn']}", "      tracked:"]
    for i in range(n_certs):
        L += [f"        - name: app-{i:02d}", f"          common_name: app-{i:02d}.kafka.scale.internal",
              f"          cert_ssm: /kafka/scale/tls/cert-{i:02d}", f"          key_ssm: /kafka/scale/tls/key-{i:02d}"]
    L += ["    endpoints:", "      - name: public", f"        address: \"{layout.HOST}:{e.tansu_port}\"", "        tls: false",
          "        kafka: true", f"        route53_health_check: {facts['health_check_id']}", "        timeout: 5s", "    secrets:"]
    for i in range(n_secrets):
        L += [f"      - name: secret-{i:03d}", f"        ssm: /kafka/scale/secret-{i:03d}"]
    return "\n".join(L) + "\n"


def up(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="./sandbox/scale up")
    p.add_argument("--partitions", type=int, default=10_000)
    p.add_argument("--groups", type=int, default=1_000)
    p.add_argument("--services", type=int, default=50)
    p.add_argument("--tasks-per-service", type=int, default=6)
    p.add_argument("--instances", type=int, default=50)
    p.add_argument("--secrets", type=int, default=100)
    p.add_argument("--certificates", type=int, default=20)
    a = p.parse_args(argv)
    from .cli import start_moto, start_tansu
    from .files import _write
    e = SCALE
    t0 = time.time()
    down()
    layout.state_dir(e.name).mkdir(parents=True, exist_ok=True)
    start_moto(e)
    start_tansu(e)
    for port, what in ((e.moto_port, "moto"), (e.tansu_port, "tansu")):
        if not procs.wait_port(port, 30):
            sys.exit(f"{what} of scale did not open port {port}")
    if layout.SECURED:
        from . import pki
        pki.root()
    with ThreadPoolExecutor(2) as ex:
        aws = ex.submit(seed_aws, e, a.services, a.tasks_per_service, a.instances, a.secrets, a.certificates)
        kafka = ex.submit(seed_kafka, e, a.partitions, a.groups)
        facts, counts = aws.result(), kafka.result()
    facts.update(counts)
    (layout.state_dir(e.name) / "aws.json").write_text(json.dumps(facts, indent=1))
    _write(layout.home() / "scale.yaml", config_yaml(e, facts, a.services, a.secrets, a.certificates))
    print(f"scale: {counts['partitions']} partitions in {counts['topics']} topics, {counts['groups']} groups "
          f"(lag {counts['lag_per_group']} each), {a.services} services x {a.tasks_per_service} tasks, {a.instances} instances, "
          f"{a.secrets} secrets, {a.certificates} certificates; seeded in {time.time() - t0:.1f} s; config {layout.home() / 'scale.yaml'}")


def down() -> None:
    for role in ("moto-scale", "tansu-scale"):
        procs.stop(role)
    # its config names servers that are gone: the benches then say there is no scale environment
    (layout.home() / "scale.yaml").unlink(missing_ok=True)


def main(argv: list[str]) -> None:
    if not argv or argv[0] not in ("up", "down"):
        sys.exit("usage: ./sandbox/scale up [--partitions N] [--groups M] [--services S] | ./sandbox/scale down")
    up(argv[1:]) if argv[0] == "up" else down()
