"""Every scenario does what it says through the proxy, seen by independent clients, and
`reset` undoes it."""
from __future__ import annotations

import json
import socket
import time

import botocore.exceptions as bx
import pytest
from botocore.config import Config
from botocore.parsers import ResponseParserError
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from conftest import MUTATE, client, kafka_conf, refused, scenario, session

ENV = MUTATE


def aws_works(sb) -> bool:
    return client(sb, ENV, "ecs").list_clusters()["clusterArns"] != []


def kafka_works(sb) -> bool:
    md = AdminClient(kafka_conf(sb, ENV)).list_topics(timeout=10)
    return "orders" in md.topics


@pytest.fixture
def env(sb, reset_env):
    reset_env.append(ENV)
    return sb["environments"][ENV]


@pytest.fixture
def creds(sb):
    """Clients made (role assumed) before the fault, so the fault hits the service call."""
    s = session(sb, ENV)
    s.get_credentials().get_frozen_credentials()
    return s


def test_aws_refuse(sb, env, creds):
    ecs = creds.client("ecs", config=Config(retries={"max_attempts": 1}, connect_timeout=2))
    scenario("aws-refuse", ENV)
    assert refused(env["ports"]["aws_proxy"])
    with pytest.raises(bx.EndpointConnectionError):
        ecs.list_clusters()
    scenario("reset", ENV)
    assert aws_works(sb)


def test_aws_blackhole(sb, env, creds):
    ecs = creds.client("ecs", config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=2))
    scenario("aws-blackhole", ENV)
    with socket.create_connection(("127.0.0.1", env["ports"]["aws_proxy"]), timeout=2):
        pass  # it accepts
    t0 = time.time()
    with pytest.raises(bx.ReadTimeoutError):
        ecs.list_clusters()
    assert time.time() - t0 >= 1.9
    scenario("reset", ENV)
    assert aws_works(sb)


def test_aws_slow(sb, env, creds):
    ecs = creds.client("ecs", config=Config(retries={"max_attempts": 1}, read_timeout=20))
    scenario("aws-slow", ENV)
    t0 = time.time()
    assert ecs.list_clusters()["clusterArns"]
    assert time.time() - t0 >= 2.9
    scenario("reset", ENV)
    t0 = time.time()
    assert ecs.list_clusters()["clusterArns"]
    assert time.time() - t0 < 1.5


def test_aws_throttle_in_each_protocol(sb, env, creds):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
    scenario("aws-throttle", ENV)
    calls = [("ecs", "list_clusters", {}, "ThrottlingException"),                  # JSON 1.1
             ("ssm", "describe_parameters", {}, "ThrottlingException"),            # JSON 1.1
             ("autoscaling", "describe_auto_scaling_groups", {}, "Throttling"),    # Query XML
             ("sts", "get_caller_identity", {}, "Throttling"),                     # Query XML
             ("route53", "list_hosted_zones", {}, "Throttling"),                   # REST-XML
             ("ec2", "describe_instances", {}, "RequestLimitExceeded")]            # EC2 XML
    for svc, op, kw, code in calls:
        with pytest.raises(bx.ClientError) as ex:
            getattr(creds.client(svc, config=cfg), op)(**kw)
        assert ex.value.response["Error"]["Code"] == code, svc
        assert ex.value.response["Error"]["Message"] in ("Rate exceeded", "Request limit exceeded."), svc
    # botocore itself classifies these as throttles (it retries them in standard mode)
    from botocore.retries.standard import RetryContext, ThrottledRetryableChecker
    err = ex.value.response
    assert ThrottledRetryableChecker().is_retryable(RetryContext(attempt_number=1, parsed_response=err))
    scenario("reset", ENV)
    assert aws_works(sb)


def test_aws_throttle_of_one_service(sb, env, creds):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
    scenario("aws-throttle", ENV, "ssm")
    assert creds.client("ecs", config=cfg).list_clusters()["clusterArns"]
    with pytest.raises(bx.ClientError) as ex:
        creds.client("ssm", config=cfg).describe_parameters()
    assert ex.value.response["Error"]["Code"] == "ThrottlingException"


@pytest.mark.parametrize("name,json_code,xml_code", [("aws-expired", "ExpiredTokenException", "ExpiredToken"),
                                                     ("aws-denied", "AccessDeniedException", "AccessDenied")])
def test_aws_credentials_expired_or_refused(sb, env, creds, name, json_code, xml_code):
    """botocore reads the proxy's answer as AWS's own: ExpiredToken or AccessDenied, in the
    service's protocol, and does not retry it (one request each)."""
    cfg = Config(retries={"max_attempts": 3, "mode": "standard"})
    scenario(name, ENV)
    before = proxy_counts()[f"{ENV}-aws"]["requests"]
    for svc, op, code in (("ecs", "list_clusters", json_code), ("ssm", "describe_parameters", json_code),
                          ("autoscaling", "describe_auto_scaling_groups", xml_code), ("route53", "list_hosted_zones", xml_code)):
        with pytest.raises(bx.ClientError) as ex:
            getattr(creds.client(svc, config=cfg), op)()
        assert ex.value.response["Error"]["Code"] == code, svc
    assert proxy_counts()[f"{ENV}-aws"]["requests"] - before == 4, "botocore retried a credentials error"
    scenario("reset", ENV)
    assert aws_works(sb)


def proxy_counts() -> dict:
    from sbx.scenario import control
    return control("/counts")


def test_aws_garbage(sb, env, creds):
    cfg = Config(retries={"max_attempts": 1})
    scenario("aws-garbage", ENV)
    for svc, op in (("ecs", "list_clusters"), ("autoscaling", "describe_auto_scaling_groups")):
        with pytest.raises((ResponseParserError, UnicodeDecodeError)):  # XML, JSON
            getattr(creds.client(svc, config=cfg), op)()
    scenario("reset", ENV)
    assert aws_works(sb)


def kafka_errors(sb, timeout: float, logs: list | None = None, **extra) -> list[KafkaError]:
    """list_topics must fail; returns what confluent-kafka reported through error_cb meanwhile
    (and appends librdkafka's log lines to logs)."""
    import logging
    errors: list[KafkaError] = []
    conf = kafka_conf(sb, ENV, error_cb=errors.append, **extra)
    if logs is not None:
        logger = logging.getLogger(f"sandbox-pytest-rdkafka-{len(logs)}-{time.time()}")
        logger.propagate = False
        handler = logging.Handler()
        handler.emit = lambda record: logs.append(record.getMessage())
        logger.addHandler(handler)
        conf["logger"] = logger
    a = AdminClient(conf)
    with pytest.raises(KafkaException):
        a.list_topics(timeout=timeout)
    a.poll(0.5)  # serves error_cb and the logger
    return errors


def refused_transport(errors: list[KafkaError]) -> bool:
    return any(e.code() == KafkaError._TRANSPORT and "Connection refused" in e.str() for e in errors)


def test_kafka_refuse(sb, env):
    assert kafka_works(sb)
    scenario("kafka-refuse", ENV)
    assert refused(env["ports"]["kafka_proxy"])
    errors = kafka_errors(sb, 4)
    # confluent-kafka itself sees the refusal: a transport error "Connection refused"
    assert refused_transport(errors), [e.str() for e in errors]
    scenario("reset", ENV)
    assert kafka_works(sb)


@pytest.mark.parametrize("name", ["groups-blackhole", "groups-garbage", "groups-refuse"])
def test_group_calls_fail_alone(sb, env, name):
    """The proxy faults the group calls alone (chosen by API key): confluent-kafka still reads
    the metadata, and its group calls fail; after reset they answer again."""
    if sb["environments"][ENV]["security"] not in ("PLAINTEXT", "SASL_PLAINTEXT"):
        pytest.skip("the proxy reads API keys on plaintext listeners only")
    scenario(name, ENV)
    admin = AdminClient(kafka_conf(sb, ENV, **{"socket.timeout.ms": 3000}))
    assert "orders" in admin.list_topics(timeout=10).topics, "metadata must still answer"
    try:
        result = admin.list_consumer_groups(request_timeout=4).result(timeout=15)
        failed = bool(result.errors) and not any(g.group_id == "billing" for g in result.valid)
        why = [str(e) for e in result.errors]
    except KafkaException as error:
        failed, why = True, [str(error)]
    assert failed, "the group calls answered through the fault"
    assert why, "no error said why"
    scenario("reset", ENV)
    admin = AdminClient(kafka_conf(sb, ENV))
    assert admin.list_consumer_groups(request_timeout=10).result(timeout=15).valid is not None


def test_kafka_blackhole(sb, env):
    scenario("kafka-blackhole", ENV)
    with socket.create_connection(("127.0.0.1", env["ports"]["kafka_proxy"]), timeout=2):
        pass
    t0 = time.time()
    logs: list[str] = []
    errors = kafka_errors(sb, 4, logs, **{"socket.timeout.ms": 2000})
    assert time.time() - t0 >= 3.5
    # not a refusal: the connection is accepted, then the first request times out
    assert not refused_transport(errors), [e.str() for e in errors]
    assert not any("Connection refused" in line for line in logs), logs
    assert any("Timed out" in line for line in logs), logs
    scenario("reset", ENV)
    assert kafka_works(sb)


def test_broker_down(sb, env):
    ecs = client(sb, ENV, "ecs")
    scenario("broker-down", ENV)
    arns = ecs.list_tasks(cluster=env["cluster"], desiredStatus="RUNNING")["taskArns"]
    assert arns == []
    for s in ecs.describe_services(cluster=env["cluster"], services=env["services"])["services"]:
        assert s["runningCount"] == 0 and s["desiredCount"] == 1
    assert refused(env["ports"]["kafka_proxy"])
    with pytest.raises(KafkaException):
        AdminClient(kafka_conf(sb, ENV)).list_topics(timeout=4)
    scenario("reset", ENV)
    tasks = ecs.describe_tasks(cluster=env["cluster"],
                               tasks=ecs.list_tasks(cluster=env["cluster"], desiredStatus="RUNNING")["taskArns"])["tasks"]
    assert sorted(t["group"] for t in tasks) == [f"service:{s}" for s in env["services"]]
    assert kafka_works(sb)


def test_broker_down_of_one_service(sb, env):
    ecs = client(sb, ENV, "ecs")
    scenario("broker-down", ENV, "kafka-broker-2")
    arns = ecs.list_tasks(cluster=env["cluster"], desiredStatus="RUNNING")["taskArns"]
    groups = sorted(t["group"] for t in ecs.describe_tasks(cluster=env["cluster"], tasks=arns)["tasks"])
    assert groups == ["service:kafka-broker-1", "service:kafka-broker-3"]
    assert kafka_works(sb)  # the other brokers still serve


def test_instance_unhealthy(sb, env):
    asg = client(sb, ENV, "autoscaling")

    def health():
        g = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[env["asg"]])["AutoScalingGroups"][0]
        return sorted(i["HealthStatus"] for i in g["Instances"])
    scenario("instance-unhealthy", ENV)
    assert health() == ["Healthy", "Healthy", "Unhealthy"]
    time.sleep(2)
    assert health() == ["Healthy", "Healthy", "Unhealthy"]  # not replaced
    scenario("reset", ENV)
    assert health() == ["Healthy"] * 3


def test_endpoint_faults(sb, env):
    port = env["ports"]["public_proxy"]
    scenario("endpoint-blackhole", ENV)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.settimeout(2)
        s.sendall(b"\x00\x00\x00\x0b\x00\x12\x00\x00\x00\x00\x00\x01\x00\x01x")  # ApiVersions v0
        with pytest.raises(socket.timeout):
            s.recv(10)
    assert kafka_works(sb)  # the Kafka address is another target
    scenario("endpoint-slow", ENV)
    conf = kafka_conf(sb, ENV)
    conf["bootstrap.servers"] = env["public_endpoint"]
    conf["socket.timeout.ms"] = 15000
    t0 = time.time()
    AdminClient(conf).list_topics(timeout=20)
    assert time.time() - t0 >= 2.9
    scenario("reset", ENV)
    t0 = time.time()
    AdminClient(conf).list_topics(timeout=10)
    assert time.time() - t0 < 2.5


def test_reset_restores_everything(sb, env):
    for name in ("aws-throttle", "kafka-blackhole", "group-stalled", "producers-paused", "instance-unhealthy"):
        scenario(name, ENV)
    out = scenario("reset", ENV)
    assert "reset" in out
    assert aws_works(sb) and kafka_works(sb)
    from conftest import HOME
    faults = json.loads((HOME / "state" / "faults.json").read_text())
    assert all(f["mode"] == "pass" for n, f in faults.items() if n.startswith(ENV + "-"))


def test_throttle_bodies_on_the_wire(sb, env):
    """What a client of our own sees: the exact status and body per protocol."""
    import http.client
    port = env["ports"]["aws_proxy"]
    scenario("aws-throttle", ENV)
    auth = "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/eu-west-1/{}/aws4_request, SignedHeaders=host, Signature=0"

    def post(path, headers, body):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("POST", path, body=body, headers=headers)
        r = c.getresponse()
        return r.status, r.read()
    status, body = post("/", {"X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
                              "Content-Type": "application/x-amz-json-1.1", "Authorization": auth.format("ecs")}, "{}")
    assert (status, json.loads(body)) == (400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
    status, body = post("/", {"Content-Type": "application/x-www-form-urlencoded",
                              "Authorization": auth.format("autoscaling")},
                        "Action=DescribeAutoScalingGroups&Version=2011-01-01")
    assert status == 400 and b"<Code>Throttling</Code>" in body and b"<ErrorResponse" in body
    status, body = post("/2013-04-01/hostedzone", {"Authorization": auth.format("route53")}, "")
    assert status == 400 and b"<Code>Throttling</Code>" in body and b"route53.amazonaws.com/doc/2013-04-01/" in body


def test_kafka_garbage_and_endpoint_refuse(sb, env):
    scenario("kafka-garbage", ENV)
    with pytest.raises(KafkaException):
        AdminClient(kafka_conf(sb, ENV)).list_topics(timeout=4)
    scenario("reset", ENV)
    assert kafka_works(sb)
    scenario("endpoint-refuse", ENV)
    assert refused(env["ports"]["public_proxy"])
    assert kafka_works(sb)


# ---------------------------------------------------------------- server-side request counts, aws-5xx
def counts(sb) -> dict:
    import urllib.request
    with urllib.request.urlopen(sb["control"]["counts"], timeout=5) as r:
        return json.loads(r.read())


def delta(sb, before: dict, target: str, service: str | None = None) -> int:
    now = counts(sb)[target]
    if service is None:
        return now["requests"] - before[target]["requests"]
    return now["by_service"].get(service, 0) - before[target]["by_service"].get(service, 0)


def test_counts_see_every_request_and_aws_5xx_is_retried_by_botocore(sb, env, creds):
    target = f"{ENV}-aws"
    # total_max_attempts is the config file's max_attempts (botocore's Config max_attempts counts retries)
    retrying = Config(retries={"total_max_attempts": 3, "mode": "standard"})
    ecs, ssm = creds.client("ecs", config=retrying), creds.client("ssm", config=retrying)
    ecs.list_clusters()  # connection made, nothing pending
    # passed through: one request each, a non-retryable error included
    before = counts(sb)
    assert ecs.list_clusters()["clusterArns"]
    with pytest.raises(ssm.exceptions.ParameterNotFound):
        ssm.get_parameter(Name="/sandbox-pytest/does-not-exist")
    assert (delta(sb, before, target, "ecs"), delta(sb, before, target, "ssm")) == (1, 1)
    scenario("aws-5xx", ENV)
    before = counts(sb)
    with pytest.raises(bx.ClientError) as ex:
        ecs.list_clusters()
    assert ex.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert ex.value.response["Error"]["Code"] == "InternalFailure"
    assert ex.value.response["ResponseMetadata"]["RetryAttempts"] == 2
    assert delta(sb, before, target, "ecs") == 3  # botocore's standard mode: 3 attempts, all seen
    assert delta(sb, before, target) == 3
    scenario("reset", ENV)
    before = counts(sb)
    assert ecs.list_clusters()["clusterArns"]
    assert delta(sb, before, target, "ecs") == 1


def test_aws_5xx_in_each_protocol_and_of_one_service(sb, env, creds):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"})
    scenario("aws-5xx", ENV)
    calls = [("ecs", "list_clusters", "InternalFailure"),                       # JSON 1.1
             ("autoscaling", "describe_auto_scaling_groups", "InternalFailure"),  # Query XML
             ("route53", "list_hosted_zones", "InternalFailure"),               # REST-XML
             ("ec2", "describe_instances", "InternalError")]                    # EC2 XML
    for svc, op, code in calls:
        with pytest.raises(bx.ClientError) as ex:
            getattr(creds.client(svc, config=cfg), op)()
        assert ex.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500, svc
        assert ex.value.response["Error"]["Code"] == code, svc
    scenario("aws-5xx", ENV, "ssm")  # one service only: the others pass
    assert creds.client("ecs", config=cfg).list_clusters()["clusterArns"]
    with pytest.raises(bx.ClientError) as ex:
        creds.client("ssm", config=cfg).describe_parameters()
    assert ex.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    scenario("reset", ENV)
    assert creds.client("ssm", config=cfg).describe_parameters() is not None


def test_aws_rate_throttles_a_burst_and_botocore_adaptive_slows_down(sb, env, creds):
    """The rate fault (a token bucket per API at AWS's rates, scaled): a burst of calls with no
    retries meets throttling; botocore's own adaptive retry mode, asked for as many, gets every
    answer by waiting; the proxy counted the throttles."""
    scenario("aws-rate", ENV)
    before = proxy_counts()[f"{ENV}-aws"]["throttled"]
    plain = creds.client("ecs", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    codes = []
    for _ in range(8):
        try:
            plain.list_clusters()
            codes.append("ok")
        except bx.ClientError as ex:
            codes.append(ex.response["Error"]["Code"])
    assert "ThrottlingException" in codes and codes[0] == "ok", codes
    adaptive = creds.client("ecs", config=Config(retries={"max_attempts": 3, "mode": "adaptive"}))
    for _ in range(8):
        assert adaptive.list_clusters()["clusterArns"]
    assert proxy_counts()[f"{ENV}-aws"]["throttled"] > before
    scenario("reset", ENV)
    assert aws_works(sb)
