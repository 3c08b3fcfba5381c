"""Logs in to one sandbox environment's Kafka with confluent-kafka, as USER with the value of
the SSM parameter PARAM (optionally PARAM:VERSION), read with boto3 and never printed.

usage: kafka_login.py SANDBOX_DIR ENV USER PARAM[:VERSION]   (the sandbox venv's python)
Prints {"ok": true, "brokers": N} when Metadata answers, else {"ok": false, "error": "..."}
(librdkafka's error text: it names the mechanism and the failure, never the password).
"""
import json
import os
import sys
from pathlib import Path

import boto3
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

sandbox, env, user, param = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(v, None)
ssm = boto3.Session(profile_name=e["profile"]).client("ssm")
password = ssm.get_parameter(Name=param, WithDecryption=True)["Parameter"]["Value"]
security = e["security"]
conf = {"bootstrap.servers": e["kafka_bootstrap"], "socket.timeout.ms": 5000, "security.protocol": security,
        "sasl.mechanism": e["sasl_mechanism"], "sasl.username": user, "sasl.password": password}
if "SSL" in security:
    conf["ssl.ca.location"] = e["trust_file"]
    conf["ssl.endpoint.identification.algorithm"] = "https"
conf["log_level"] = 0  # librdkafka would log each failed login attempt on stderr
errors = []
conf["error_cb"] = lambda err: errors.append(str(err)) if str(err) not in errors else None
try:
    md = AdminClient(conf).list_topics(timeout=5)
    print(json.dumps({"ok": True, "brokers": len(md.brokers)}))
except KafkaException as err:
    text = "; ".join(errors + [str(err)])
    print(json.dumps({"ok": False, "error": text.replace(password, "<redacted>")}))
