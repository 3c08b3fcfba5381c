"""Where everything of the sandbox lives: environments, accounts, ports and paths.

Ports are fixed (45000-45999) so that a second `up` finds the same sandbox and tests in
any language can read them from `.sandbox/sandbox.json`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REGION = "eu-west-1"
BASE_PORT = 45000             # the sandbox's ports; 46000-47999 belong to the tests' own servers
CONTROL_PORT = 45900          # fault proxy control (HTTP on loopback)
SSO_PORT = 45901              # IAM Identity Center stand-in (sbx.sso): SSO portal + SSO OIDC
HOST = "127.0.0.1"
# IAM Identity Center (sbx.sso): the [sso-session] of aws/config, the permission sets assigned in
# every environment's account (a role name the portal answers for; any other: ForbiddenException),
# the user sso-login signs in (the RoleSessionName of the credentials the portal mints)
SSO_SESSION = "sandbox"
SSO_ROLES = ("lookout",)
SSO_USER = "sandbox-user"
SSO_SCOPES = "sso:account:access"
TOPICS = {"orders": 6, "payments": 3, "audit": 1}
# messages per second per topic (spread round-robin over the partitions)
RATES = {"orders": 6.0, "payments": 3.0, "audit": 1.0}
SERVICES = ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"]
BROKER_IDS = {"kafka-broker-1": 1, "kafka-broker-2": 2, "kafka-broker-3": 3}
GROUPS = {"billing": ["orders", "payments"], "analytics": ["orders"], "archiver": ["audit"]}
USERS = {"admin": "admin-password", "client": "client-password"}


@dataclass(frozen=True)
class Env:
    name: str
    index: int
    account: str
    security: str          # PLAINTEXT | SASL_PLAINTEXT | SSL | SASL_SSL
    mechanism: str | None  # SASL mechanism lookout uses
    protected: bool

    @property
    def base(self) -> int:
        return BASE_PORT + 100 * self.index

    # internal ports (never given to a client)
    @property
    def moto_port(self) -> int:
        return self.base

    @property
    def tansu_port(self) -> int:
        return self.base + 10

    @property
    def front_port(self) -> int:
        """TLS front and/or SASL gate in front of Tansu (test, acc, prod)."""
        return self.base + 11

    # public ports (all through the fault proxy)
    @property
    def aws_port(self) -> int:
        return self.base + 1

    @property
    def aws_https(self) -> bool:
        """acc's AWS is reached over HTTPS through the proxy's TLS front (sbx.aws_front)."""
        return self.name == "acc"

    @property
    def aws_tls_port(self) -> int:
        return self.base + 2

    @property
    def aws_url(self) -> str:
        """The AWS address clients are given: the TLS front for acc, plain HTTP elsewhere."""
        return f"https://{HOST}:{self.aws_tls_port}" if self.aws_https else f"http://{HOST}:{self.aws_port}"

    @property
    def kafka_port(self) -> int:
        return self.base + 20

    @property
    def public_port(self) -> int:
        return self.base + 30

    @property
    def tls(self) -> bool:
        return self.security in ("SSL", "SASL_SSL")

    @property
    def sasl(self) -> bool:
        return self.security.startswith("SASL")

    @property
    def has_front(self) -> bool:
        return self.security != "PLAINTEXT"

    @property
    def kafka_upstream(self) -> int:
        """Where the Kafka fault proxy and the public endpoint proxy forward to."""
        return self.front_port if self.has_front else self.tansu_port

    @property
    def profile(self) -> str:
        return f"lookout-{self.name}"

    @property
    def sso_profile(self) -> str:
        """sso_session form (refreshable through SSO OIDC)."""
        return f"lookout-{self.name}-sso"

    @property
    def sso_legacy_profile(self) -> str:
        """sso_start_url form (the token is used as it is, never refreshed)."""
        return f"lookout-{self.name}-sso-legacy"

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/lookout"

    @property
    def cluster(self) -> str:
        return f"kafka-{self.name}"

    @property
    def asg(self) -> str:
        return f"kafka-{self.name}-asg"

    @property
    def zone(self) -> str:
        return f"kafka.{self.name}.sandbox.test"

    @property
    def public_name(self) -> str:
        return f"public.kafka.{self.name}.sandbox.test"

    @property
    def broker_dns(self) -> str:
        return f"broker.kafka.{self.name}.internal"

    def ssm(self, leaf: str) -> str:
        return f"/kafka/{self.name}/{leaf}"


SECURED = True  # per-environment security flavours (issue 4)
ENVS = [
    Env("dev", 0, "111111111111", "PLAINTEXT", None, False),
    Env("test", 1, "222222222222", "SASL_PLAINTEXT" if SECURED else "PLAINTEXT", "PLAIN" if SECURED else None, False),
    Env("acc", 2, "333333333333", "SSL" if SECURED else "PLAINTEXT", None, False),
    Env("prod", 3, "444444444444", "SASL_SSL" if SECURED else "PLAINTEXT", "SCRAM-SHA-512" if SECURED else None, True),
]
BY_NAME = {e.name: e for e in ENVS}


def env(name: str) -> Env:
    try:
        return BY_NAME[name]
    except KeyError:
        raise SystemExit(f"unknown environment {name!r}; one of {', '.join(BY_NAME)}")


def sso_url() -> str:
    """The SSO portal and SSO OIDC (one server): AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC."""
    return f"http://{HOST}:{SSO_PORT}"


def sso_start_url() -> str:
    """sso_start_url of the sandbox's sso-session and legacy profiles (its SHA-1 names the legacy
    token cache file; the session's name names the other)."""
    return f"{sso_url()}/start"


def repo_root() -> Path:
    return Path(__file__).resolve().parents[3]


def home() -> Path:
    """The sandbox folder: $LOOKOUT_SANDBOX or <repo>/.sandbox."""
    return Path(os.environ.get("LOOKOUT_SANDBOX") or repo_root() / ".sandbox")


def run_dir() -> Path:
    return home() / "run"


def log_dir() -> Path:
    return home() / "logs"


def state_dir(env_name: str | None = None) -> Path:
    p = home() / "state"
    return p / env_name if env_name else p


def lookout_state_dir() -> Path:
    """lookout's own `$XDG_STATE_HOME` when it runs on the sandbox (env.sh exports it): its
    per-environment state files (the lag window, the last good data) and its audit log."""
    return home() / "lookout-state"


def forget_lookout_state(env_name: str) -> None:
    """A Tansu started anew holds new offsets: lookout's lag window of that environment would
    read them as commits going back (a rewind), so its state file goes with the old cluster."""
    (lookout_state_dir() / "lookout" / f"{env_name}.json").unlink(missing_ok=True)
