"""Shared helpers: the sandbox is found through .sandbox/sandbox.json (or $LOOKOUT_SANDBOX).

Tests use only independent clients (boto3 with the written AWS profiles, confluent-kafka through
the fault proxy). Tests that change shared state reset their scenario in a finally/fixture.
"""
from __future__ import annotations

import json
import os
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("LOOKOUT_SANDBOX") or ROOT / ".sandbox")
sys.path.insert(0, str(ROOT / "sandbox" / "lib"))

# the environment that mutating tests use (others may be in use by other people)
MUTATE = os.environ.get("SANDBOX_TEST_ENV", "test")


def info() -> dict:
    path = HOME / "sandbox.json"
    if not path.exists():
        pytest.fail(f"no sandbox at {HOME} (run ./sandbox/up)")
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def sb() -> dict:
    data = info()
    os.environ["AWS_CONFIG_FILE"] = data["aws_config_file"]
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = data["aws_shared_credentials_file"]
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
              "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CA_BUNDLE"):
        os.environ.pop(v, None)
    return data


NO_RETRY = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=3, read_timeout=10)


def session(sb: dict, env: str) -> boto3.Session:
    return boto3.Session(profile_name=sb["environments"][env]["profile"])


def client(sb: dict, env: str, service: str, config: Config = NO_RETRY):
    """A boto3 client as a user of the profile gets it: endpoint from the profile's endpoint_url."""
    return session(sb, env).client(service, config=config)


def run(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
    p = subprocess.run([str(ROOT / "sandbox" / args[0]), *args[1:]], capture_output=True, text=True,
                       timeout=timeout, env={**os.environ, "LOOKOUT_SANDBOX": str(HOME)})
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({p.returncode}): {p.stdout}{p.stderr}")
    return p


def scenario(*args: str) -> str:
    return run("scenario", *args).stdout


@pytest.fixture
def reset_env():
    """Yields a list; every environment appended is reset afterwards, pass or fail."""
    envs: list[str] = []
    yield envs
    for e in envs:
        run("scenario", "reset", e, check=False)


def ssm_password(sb: dict, env: str, user: str) -> str | None:
    e = sb["environments"][env]
    if not e["sasl_mechanism"]:
        return None
    leaf = {"admin": "admin-password", "client": "client-password"}[user]
    return client(sb, env, "ssm").get_parameter(Name=e["ssm"][leaf], WithDecryption=True)["Parameter"]["Value"]


def kafka_conf(sb: dict, env: str, user: str = "admin", **extra) -> dict:
    e = sb["environments"][env]
    conf = {"bootstrap.servers": e["kafka_bootstrap"], "security.protocol": e["security"],
            "socket.timeout.ms": 5000, "client.id": "sandbox-pytest"}
    if e["ca_file"]:
        conf["ssl.ca.location"] = e["ca_file"]
    if e["sasl_mechanism"]:
        conf.update({"sasl.mechanism": e["sasl_mechanism"], "sasl.username": user,
                     "sasl.password": ssm_password(sb, env, user)})
    conf.update(extra)
    return conf


def wait_for(pred, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def refused(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return False
    except ConnectionRefusedError:
        return True


def describe_group_members(port: int, group: str) -> tuple[str, int]:
    """Raw Kafka DescribeGroups v0 (confluent-kafka reports 0 members against Tansu: NOTES.md)."""
    cid = b"sandbox-pytest"
    body = struct.pack(">hhih", 15, 0, 7, len(cid)) + cid + struct.pack(">ih", 1, len(group)) + group.encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(struct.pack(">i", len(body)) + body)
        n = struct.unpack(">i", _recv(s, 4))[0]
        data = _recv(s, n)
    pos = 4 + 4 + 2  # correlation id, array length, error code

    def string():
        nonlocal pos
        ln = struct.unpack_from(">h", data, pos)[0]
        pos += 2
        out = data[pos:pos + max(ln, 0)].decode()
        pos += max(ln, 0)
        return out
    string()  # group id
    state = string()
    string(), string()  # protocol type, protocol
    members = struct.unpack_from(">i", data, pos)[0]
    return state, max(members, 0)


def _recv(s: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def roll_and_wait(sb: dict, env: str, services: list[str] | None = None, timeout: float = 60) -> None:
    """forceNewDeployment, then wait for what ECS would show after the roll: each PRIMARY
    deployment COMPLETED with a RUNNING task started by it (rolloutState alone is COMPLETED
    before the agent has even seen the new deployment)."""
    e = sb["environments"][env]
    ecs = client(sb, env, "ecs")
    services = services or e["services"]
    for s in services:
        ecs.update_service(cluster=e["cluster"], service=s, forceNewDeployment=True)

    def done():
        for s in ecs.describe_services(cluster=e["cluster"], services=services)["services"]:
            d = [x for x in s["deployments"] if x["status"] == "PRIMARY"][0]
            if d["rolloutState"] != "COMPLETED":
                return False
            if not ecs.list_tasks(cluster=e["cluster"], startedBy=d["id"], desiredStatus="RUNNING")["taskArns"]:
                return False
        return True
    wait_for(done, timeout, interval=0.3, what=f"the roll of {', '.join(services)} in {env}")
