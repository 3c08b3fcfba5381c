"""A test's cleanup after a secret action failed half-way: makes the brokers of one sandbox
environment serve VERSION's value of a secret again, without lookout (whose own Kafka login may
be the thing that broke). Prints nothing; never reads a value out.

usage: secret_put_back.py SANDBOX_DIR ENV NAME VERSION   (the sandbox venv's python)
When the latest value differs from VERSION's, VERSION's value is written as a new version and
labelled `current`. Then kafka-broker-1 is rolled through ECS (forceNewDeployment; the sandbox's
agent restarts the environment's broker front, which reads every secret from SSM at start) and
followed until its new task runs, whether or not the value changed: the brokers may still serve
a version the failed action wrote.
"""
import json
import os
import sys
import time
from pathlib import Path

import boto3

sandbox, env, name, version = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(v, None)
session = boto3.Session(profile_name=e["profile"])
ssm, ecs = session.client("ssm"), session.client("ecs")

wanted = ssm.get_parameter(Name="%s:%s" % (name, version), WithDecryption=True)["Parameter"]
latest = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
if latest["Value"] != wanted["Value"]:
    written = ssm.put_parameter(Name=name, Value=wanted["Value"], Type=wanted["Type"], Overwrite=True)["Version"]
    ssm.label_parameter_version(Name=name, ParameterVersion=written, Labels=["current"])

service = "kafka-broker-1"
deployment = ecs.update_service(cluster=e["cluster"], service=service, forceNewDeployment=True)["service"]
primary = next(d["id"] for d in deployment["deployments"] if d["status"] == "PRIMARY")
deadline = time.time() + 60
while time.time() < deadline:
    dep = next(d for d in ecs.describe_services(cluster=e["cluster"], services=[service])["services"][0]["deployments"]
               if d["status"] == "PRIMARY")
    running = ecs.list_tasks(cluster=e["cluster"], startedBy=primary, desiredStatus="RUNNING")["taskArns"]
    if dep["id"] == primary and dep.get("rolloutState") == "COMPLETED" and running:
        sys.exit(0)
    time.sleep(0.5)
sys.exit("%s: the roll of %s did not complete in 60 s" % (env, service))
