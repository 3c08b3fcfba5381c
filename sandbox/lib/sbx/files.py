"""What the sandbox writes for its clients: lookout.yaml, aws/config, aws/credentials,
env.sh and sandbox.json (the same facts, machine-readable, for tests in any language)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from . import aws, layout


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def _ca_bundle(e: layout.Env) -> list[str]:
    """acc's AWS is HTTPS through the proxy's TLS front, whose certificate the sandbox's root CA
    signs: its profiles trust that CA as a user's profile trusts a company CA."""
    return [f"ca_bundle = {layout.home() / 'pki' / 'root-ca.pem'}"] if e.aws_https else []


def aws_files() -> None:
    home = layout.home()
    cfg = ["# written by sandbox/up: one profile per environment, each a role in its own account",
           "[profile sandbox-base]", f"region = {layout.REGION}", ""]
    for e in layout.ENVS:
        cfg += [f"[profile {e.profile}]", f"region = {layout.REGION}", f"role_arn = {e.role_arn}",
                "source_profile = sandbox-base", f"role_session_name = lookout-{e.name}",
                f"endpoint_url = {e.aws_url}", *_ca_bundle(e), ""]
    # the scale environment (./sandbox/scale, issue 26): its own moto, straight, no proxy
    cfg += ["[profile lookout-scale]", f"region = {layout.REGION}", "role_arn = arn:aws:iam::555555555555:role/lookout",
            "source_profile = sandbox-base", "role_session_name = lookout-scale",
            f"endpoint_url = http://{layout.HOST}:{layout.BASE_PORT + 400}", ""]
    # IAM Identity Center (sbx.sso; see sandbox/README.md): the same role in the same account, its
    # credentials from the sandbox's SSO portal with a token `sandbox/sso-login` cached. botocore and
    # lookout reach the portal through AWS_ENDPOINT_URL_SSO(_OIDC) (sandbox.json's `sso_env`): the
    # profile's endpoint_url is the environment's AWS proxy, which is no SSO portal.
    cfg += ["# IAM Identity Center: ./sandbox/sso-login ENV [--legacy] caches the token; set the",
            "# variables of sandbox.json's sso_env (AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL_SSO_OIDC)",
            f"[sso-session {layout.SSO_SESSION}]", f"sso_start_url = {layout.sso_start_url()}",
            f"sso_region = {layout.REGION}", f"sso_registration_scopes = {layout.SSO_SCOPES}", ""]
    for e in layout.ENVS:
        cfg += [f"[profile {e.sso_profile}]", f"sso_session = {layout.SSO_SESSION}",
                f"sso_account_id = {e.account}", f"sso_role_name = {layout.SSO_ROLES[0]}",
                f"region = {layout.REGION}", f"endpoint_url = {e.aws_url}", *_ca_bundle(e), "",
                f"[profile {e.sso_legacy_profile}]", f"sso_start_url = {layout.sso_start_url()}",
                f"sso_region = {layout.REGION}", f"sso_account_id = {e.account}",
                f"sso_role_name = {layout.SSO_ROLES[0]}", f"region = {layout.REGION}",
                f"endpoint_url = {e.aws_url}", *_ca_bundle(e), ""]
    _write(home / "aws" / "config", "\n".join(cfg))
    creds = ["# static keys of the sandbox (moto checks no signature); not a real account",
             "[sandbox-base]", f"aws_access_key_id = {aws.BASE_KEY}",
             f"aws_secret_access_key = {aws.BASE_SECRET}", ""]
    _write(home / "aws" / "credentials", "\n".join(creds), 0o600)
    envsh = f"""# source me: points AWS tools and lookout at the sandbox
for v in AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \\
         AWS_SECURITY_TOKEN AWS_ENDPOINT_URL AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_REGION \\
         AWS_DEFAULT_REGION AWS_CA_BUNDLE AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \\
         AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_EC2_METADATA_SERVICE_ENDPOINT; do unset $v; done
export AWS_CONFIG_FILE={home}/aws/config
export AWS_SHARED_CREDENTIALS_FILE={home}/aws/credentials
export AWS_EC2_METADATA_DISABLED=true
export LOOKOUT_CONFIG={home}/lookout.yaml
export LOOKOUT_SANDBOX={home}
# lookout's state files and audit log for the sandbox, apart from your own; `up` forgets an
# environment's state file when its Tansu starts anew (new offsets are not a rewind)
export XDG_STATE_HOME={layout.lookout_state_dir()}
"""
    _write(home / "env.sh", envsh)


def _q(s: str) -> str:
    return json.dumps(s)


def lookout_yaml(seeded: dict) -> None:
    """seeded: env name -> facts from seeding (aws.json of each environment)."""
    L = ["# written by sandbox/up: the four sandbox environments; every address goes through",
         "# the sandbox's fault proxy (see sandbox/README.md)",
         "refresh: 10s", "theme: default", "environments:"]
    for e in layout.ENVS:
        s = seeded[e.name]
        L += [f"  - name: {e.name}",
              f"    protected: {'true' if e.protected else 'false'}",
              "    read_only: false",
              "    aws:",
              f"      region: {layout.REGION}",
              f"      profile: {e.profile}",
              f"      endpoint: {e.aws_url}",
              "    ecs:",
              f"      cluster: {e.cluster}",
              f"      services: [{', '.join(layout.SERVICES)}]",
              "      brokers: { " + ", ".join(f"{k}: {v}" for k, v in layout.BROKER_IDS.items()) + " }",
              "    autoscaling:",
              f"      groups: [{e.asg}]",
              "    kafka:",
              f"      bootstrap: [\"{layout.HOST}:{e.kafka_port}\"]"]
        if e.tls:
            L.append(f"      tls: {{ ca_file: pki/{e.name}-trust.pem }}")
        if e.sasl:
            L.append(f"      sasl: {{ mechanism: {e.mechanism}, username: admin, "
                     f"password_ssm: {e.ssm('admin-password')} }}")
        L += ["      lag: { groups: [\"*\"], warn: 1000, crit: 100000, warn_seconds: 60, crit_seconds: 600,",
              "             window: 10, min_samples: 3, allowance: 0 }",
              "    certificates:", "      warn_days: 30", "      crit_days: 7"]
        if s.get("pca_arn"):
            L.append(f"      pca: {s['pca_arn']}")
            L += ["      tracked:",
                  "        - name: broker",
                  f"          common_name: {e.broker_dns}",
                  f"          sans: [{e.broker_dns}, localhost, \"{layout.HOST}\"]",
                  f"          cert_ssm: {e.ssm('tls/broker-cert')}",
                  f"          key_ssm: {e.ssm('tls/broker-key')}",
                  f"          restart: [{', '.join(layout.SERVICES)}]"]
        L += ["    endpoints:",
              "      - name: public",
              f"        address: \"{layout.HOST}:{e.public_port}\"",
              f"        tls: {'true' if e.tls else 'false'}",
              "        kafka: true",
              f"        route53_health_check: {s['health_check_id']}",
              "        timeout: 5s",
              "        warn_ms: 500",
              "    secrets:"]
        for user, leaf in layout.USERS.items():
            L += [f"      - name: {leaf}",
                  f"        ssm: {e.ssm(leaf)}",
                  f"        restart: [{', '.join(layout.SERVICES)}]",
                  "        generate: { length: 32, alphabet: alnum }"]
    _write(layout.home() / "lookout.yaml", "\n".join(L) + "\n")
    # The tests' config: the same environments with short waits, so that a black-holed source
    # or an action's roll costs the tests seconds. lookout.yaml keeps lookout's defaults: it is
    # the realistic config a newcomer's console opens.
    T = L[:2] + ["# lookout-tests.yaml: lookout.yaml with the short timeouts the tests use",
                 "timeouts: { source: 6s, action: 2m, action_poll: 250ms }"] + L[2:]
    _write(layout.home() / "lookout-tests.yaml", "\n".join(T) + "\n")


def sandbox_json(seeded: dict, pids: dict) -> None:
    home = layout.home()
    out = {
        "home": str(home),
        "region": layout.REGION,
        "lookout_config": str(home / "lookout.yaml"),
        "lookout_test_config": str(home / "lookout-tests.yaml"),
        "aws_config_file": str(home / "aws" / "config"),
        "aws_shared_credentials_file": str(home / "aws" / "credentials"),
        "base_profile": "sandbox-base",
        "control": {"host": layout.HOST, "port": layout.CONTROL_PORT,
                    "faults": f"http://{layout.HOST}:{layout.CONTROL_PORT}/faults",
                    "counts": f"http://{layout.HOST}:{layout.CONTROL_PORT}/counts"},
        # IAM Identity Center (sbx.sso): portal and OIDC on one server; clients reach them through
        # the variables of sso_env (the profiles' endpoint_url is the AWS proxy)
        "sso_portal": layout.sso_url(),
        "sso_start_url": layout.sso_start_url(),
        "sso_session": layout.SSO_SESSION,
        "sso_region": layout.REGION,
        "sso_roles": list(layout.SSO_ROLES),
        "sso_user": layout.SSO_USER,
        "sso_env": {"AWS_ENDPOINT_URL_SSO": layout.sso_url(), "AWS_ENDPOINT_URL_SSO_OIDC": layout.sso_url()},
        "topics": layout.TOPICS,
        "rates_per_second": layout.RATES,
        "groups": {"billing": {"topics": layout.GROUPS["billing"], "expect": "ok"},
                   "analytics": {"topics": layout.GROUPS["analytics"], "expect": "warn"},
                   "archiver": {"topics": layout.GROUPS["archiver"], "expect": "stop"}},
        "pids": pids,
        "environments": {},
    }
    for e in layout.ENVS:
        s = seeded[e.name]
        out["environments"][e.name] = {
            "account": e.account, "profile": e.profile, "role_arn": e.role_arn,
            "sso_profile": e.sso_profile, "sso_legacy_profile": e.sso_legacy_profile,
            "protected": e.protected, "security": e.security, "sasl_mechanism": e.mechanism,
            "aws_endpoint": e.aws_url,
            # acc: the endpoint above is the TLS front; the same proxy target also answers plain HTTP
            "aws_plain_endpoint": f"http://{layout.HOST}:{e.aws_port}",
            "aws_ca_bundle": str(home / "pki" / "root-ca.pem") if e.aws_https else None,
            "kafka_bootstrap": f"{layout.HOST}:{e.kafka_port}",
            "public_endpoint": f"{layout.HOST}:{e.public_port}",
            "ports": {"aws_proxy": e.aws_port, "aws_tls_proxy": e.aws_tls_port if e.aws_https else None, "kafka_proxy": e.kafka_port, "public_proxy": e.public_port,
                      "moto": e.moto_port, "tansu": e.tansu_port,
                      "front": e.front_port if e.has_front else None},
            "proxy_targets": {"aws": f"{e.name}-aws", "kafka": f"{e.name}-kafka", "public": f"{e.name}-public"},
            "ca_file": str(home / "pki" / f"{e.name}-trust.pem") if e.tls else None,
            "cluster": e.cluster, "services": layout.SERVICES, "brokers": layout.BROKER_IDS,
            "asg": e.asg,
            "ssm": {leaf: e.ssm(leaf) for leaf in layout.USERS.values()}
                   | {"broker-cert": e.ssm("tls/broker-cert"), "broker-key": e.ssm("tls/broker-key")},
            "produced_file": str(layout.state_dir(e.name) / "produced.json"),
            **{k: v for k, v in s.items() if k not in ("tansu_start",)},
        }
    _write(home / "sandbox.json", json.dumps(out, indent=2) + "\n")
