"""IAM Identity Center (sbx.sso): botocore's own SSO providers resolve the sandbox's SSO profiles
through the portal, with the token cache `sandbox/sso-login` wrote into a fresh HOME.

botocore fixes its token cache folder (~/.aws/sso/cache) when it is imported, so every client
runs in its own Python with HOME set, as a user's shell would run it. No token is printed: the
checks compare hashes and key names."""
from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import HOME, run

ENVS = ["dev", "test", "acc", "prod"]
SESSION_KEYS = {"startUrl", "region", "accessToken", "expiresAt", "clientId", "clientSecret",
                "registrationExpiresAt", "refreshToken"}
LEGACY_KEYS = {"startUrl", "region", "accessToken", "expiresAt"}
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

# what a user's boto3 does with the profile: STS (its account and role) and ECS (its cluster)
PROBE = r"""
import json, sys
import boto3
from botocore.config import Config
cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=3, read_timeout=15)
out = {}
for profile in sys.argv[1:]:
    try:
        s = boto3.Session(profile_name=profile)
        ident = s.client("sts", config=cfg).get_caller_identity()
        out[profile] = {"account": ident["Account"], "arn": ident["Arn"],
                        "clusters": s.client("ecs", config=cfg).list_clusters()["clusterArns"]}
    except Exception as e:
        code = getattr(e, "response", {}).get("Error", {}).get("Code")
        out[profile] = {"error": type(e).__name__, "code": code, "message": str(e)[:300]}
print(json.dumps(out))
"""


def probe(sb: dict, home: Path, *profiles: str, config: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(home), AWS_CONFIG_FILE=str(config or sb["aws_config_file"]),
               AWS_SHARED_CREDENTIALS_FILE=sb["aws_shared_credentials_file"], AWS_EC2_METADATA_DISABLED="true",
               **sb["sso_env"])
    p = subprocess.run([sys.executable, "-c", PROBE, *profiles], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr[-2000:]
    return json.loads(p.stdout)


def login(home: Path, env: str, *flags: str) -> str:
    return run("sso-login", env, "--home", str(home), *flags).stdout


def cache_file(sb: dict, home: Path, legacy: bool) -> Path:
    name = sb["sso_start_url"] if legacy else sb["sso_session"]
    return home / ".aws" / "sso" / "cache" / f"{hashlib.sha1(name.encode()).hexdigest()}.json"


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def seconds_left(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() - time.time()


def http(sb: dict, method: str, path: str, body: dict | None = None, token: str | None = None):
    """(status, headers, JSON body) from the portal / OIDC, errors included."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["x-amz-sso_bearer_token"] = token
    req = urllib.request.Request(sb["sso_portal"] + path, method=method, headers=headers,
                                 data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            data = r.read()
            return r.status, r.headers, json.loads(data) if data else None
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read() or b"null")


def test_config_has_an_sso_session_and_both_profile_forms_per_environment(sb):
    cp = configparser.RawConfigParser()
    cp.read(sb["aws_config_file"])
    s = cp[f"sso-session {sb['sso_session']}"]
    assert (s["sso_start_url"], s["sso_region"], s["sso_registration_scopes"]) == \
        (sb["sso_start_url"], sb["region"], "sso:account:access")
    assert sb["sso_env"] == {"AWS_ENDPOINT_URL_SSO": sb["sso_portal"], "AWS_ENDPOINT_URL_SSO_OIDC": sb["sso_portal"]}
    for env in ENVS:
        e = sb["environments"][env]
        new, old = cp[f"profile {e['sso_profile']}"], cp[f"profile {e['sso_legacy_profile']}"]
        ca = {"ca_bundle": e["aws_ca_bundle"]} if e["aws_ca_bundle"] else {}  # acc: AWS over HTTPS
        assert dict(new) == {"sso_session": sb["sso_session"], "sso_account_id": e["account"], "sso_role_name": "lookout",
                             "region": sb["region"], "endpoint_url": e["aws_endpoint"], **ca}
        assert dict(old) == {"sso_start_url": sb["sso_start_url"], "sso_region": sb["region"],
                             "sso_account_id": e["account"], "sso_role_name": "lookout", "region": sb["region"],
                             "endpoint_url": e["aws_endpoint"], **ca}


@pytest.mark.parametrize("legacy", [False, True], ids=["sso_session", "legacy"])
def test_sso_login_writes_the_cli_token_cache(sb, tmp_path, legacy):
    out = login(tmp_path, "dev", *(["--legacy"] if legacy else []))
    path = cache_file(sb, tmp_path, legacy)
    assert str(path) in out
    token = json.loads(path.read_text())
    assert set(token) == (LEGACY_KEYS if legacy else SESSION_KEYS)
    assert (token["startUrl"], token["region"]) == (sb["sso_start_url"], sb["region"])
    assert STAMP.match(token["expiresAt"])
    left = seconds_left(token["expiresAt"])
    assert (8 * 3600 - 60 < left <= 8 * 3600) if legacy else (3600 - 60 < left <= 3600)
    if not legacy:
        assert STAMP.match(token["registrationExpiresAt"]) and seconds_left(token["registrationExpiresAt"]) > 80 * 86400
    assert path.stat().st_mode & 0o777 == 0o600
    assert token["accessToken"] not in out  # the token is never printed


@pytest.mark.parametrize("legacy", [False, True], ids=["sso_session", "legacy"])
def test_botocore_resolves_every_environment_through_the_portal(sb, tmp_path, legacy):
    login(tmp_path, "dev", *(["--legacy"] if legacy else []))
    key = "sso_legacy_profile" if legacy else "sso_profile"
    profiles = {env: sb["environments"][env][key] for env in ENVS}
    got = probe(sb, tmp_path, *profiles.values())
    for env, profile in profiles.items():
        e = sb["environments"][env]
        r = got[profile]
        assert "error" not in r, r
        assert r["account"] == e["account"]
        assert r["arn"] == f"arn:aws:sts::{e['account']}:assumed-role/lookout/{sb['sso_user']}"
        assert r["clusters"] == [f"arn:aws:ecs:{sb['region']}:{e['account']}:cluster/{e['cluster']}"]


def test_an_expired_token_is_refreshed_through_create_token_and_written_back(sb, tmp_path):
    login(tmp_path, "dev", "--expired")
    path = cache_file(sb, tmp_path, legacy=False)
    before = json.loads(path.read_text())
    assert seconds_left(before["expiresAt"]) < 0
    r = probe(sb, tmp_path, sb["environments"]["dev"]["sso_profile"])[sb["environments"]["dev"]["sso_profile"]]
    assert "error" not in r, r
    assert r["account"] == sb["environments"]["dev"]["account"]
    after = json.loads(path.read_text())
    assert set(after) == SESSION_KEYS
    assert digest(after["accessToken"]) != digest(before["accessToken"])
    assert digest(after["refreshToken"]) != digest(before["refreshToken"])  # rotated
    assert 3600 - 120 < seconds_left(after["expiresAt"]) <= 3600
    assert (after["clientId"], after["registrationExpiresAt"]) == (before["clientId"], before["registrationExpiresAt"])
    # the used refresh token is good once
    status, headers, body = http(sb, "POST", "/token", {
        "grantType": "refresh_token", "clientId": before["clientId"], "clientSecret": before["clientSecret"],
        "refreshToken": before["refreshToken"]})
    assert (status, headers["x-amzn-ErrorType"], body["error"]) == (400, "InvalidGrantException", "invalid_grant")


@pytest.mark.parametrize("legacy,flags,error", [
    (False, ["--expired", "--no-refresh"], "TokenRetrievalError"),
    (True, ["--legacy", "--expired"], "UnauthorizedSSOTokenError"),
], ids=["sso_session-no-refresh", "legacy"])
def test_an_expired_token_that_cannot_be_refreshed_is_botocores_expired_error(sb, tmp_path, legacy, flags, error):
    login(tmp_path, "dev", *flags)
    token = json.loads(cache_file(sb, tmp_path, legacy).read_text())
    assert "refreshToken" not in token and seconds_left(token["expiresAt"]) < 0
    profile = sb["environments"]["dev"]["sso_legacy_profile" if legacy else "sso_profile"]
    r = probe(sb, tmp_path, profile)[profile]
    assert r.get("error") == error, r


def test_an_account_or_role_not_assigned_is_the_portals_forbidden(sb, tmp_path):
    config = tmp_path / "config"
    config.write_text(Path(sb["aws_config_file"]).read_text() + "\n".join([
        "", "[profile wrong-account]", f"sso_session = {sb['sso_session']}", "sso_account_id = 999999999999",
        "sso_role_name = lookout", f"region = {sb['region']}", f"endpoint_url = {sb['environments']['dev']['aws_endpoint']}",
        "", "[profile wrong-role]", f"sso_session = {sb['sso_session']}",
        f"sso_account_id = {sb['environments']['dev']['account']}", "sso_role_name = admin", f"region = {sb['region']}",
        f"endpoint_url = {sb['environments']['dev']['aws_endpoint']}", ""]))
    login(tmp_path, "dev")
    got = probe(sb, tmp_path, "wrong-account", "wrong-role", config=config)
    for profile in ("wrong-account", "wrong-role"):
        assert got[profile]["code"] == "ForbiddenException", got[profile]
        assert "GetRoleCredentials" in got[profile]["message"] and "No access" in got[profile]["message"]


def test_portal_and_oidc_answers_on_the_wire(sb, tmp_path):
    """The shapes a client in another language reads (see sandbox/README.md)."""
    login(tmp_path, "dev")
    token = json.loads(cache_file(sb, tmp_path, legacy=False).read_text())
    dev = sb["environments"]["dev"]["account"]
    creds = f"/federation/credentials?account_id={dev}&role_name=lookout"
    status, headers, body = http(sb, "GET", creds, token=token["accessToken"])
    assert status == 200 and set(body["roleCredentials"]) == {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}
    assert 3000 < body["roleCredentials"]["expiration"] / 1000 - time.time() <= 3600  # epoch milliseconds
    for t in (None, "not-a-token"):
        status, headers, body = http(sb, "GET", creds, token=t)
        assert (status, headers["x-amzn-ErrorType"], body["__type"]) == (401, "UnauthorizedException", "UnauthorizedException")
        assert body["message"]
    status, headers, body = http(sb, "GET", "/federation/credentials?account_id=999999999999&role_name=lookout",
                                 token=token["accessToken"])
    assert (status, headers["x-amzn-ErrorType"], body) == (403, "ForbiddenException",
                                                          {"message": "No access", "__type": "ForbiddenException"})
    status, _, body = http(sb, "GET", "/assignment/accounts", token=token["accessToken"])
    assert status == 200 and {a["accountId"] for a in body["accountList"]} == {e["account"] for e in sb["environments"].values()}
    grant = {"grantType": "refresh_token", "clientId": token["clientId"], "clientSecret": token["clientSecret"]}
    for change, expect in (({"clientSecret": "wrong"}, (401, "InvalidClientException", "invalid_client")),
                           ({"clientId": "unknown"}, (401, "InvalidClientException", "invalid_client")),
                           ({"refreshToken": "wrong"}, (400, "InvalidGrantException", "invalid_grant")),
                           ({"grantType": "urn:ietf:params:oauth:grant-type:device_code"},
                            (400, "UnsupportedGrantTypeException", "unsupported_grant_type"))):
        status, headers, body = http(sb, "POST", "/token", {**grant, "refreshToken": token["refreshToken"], **change})
        assert (status, headers["x-amzn-ErrorType"], body["error"]) == expect, change
        assert body["error_description"]
    # logout ends the session: its access token and its refresh token are refused
    assert http(sb, "POST", "/logout", token=token["accessToken"])[0] == 200
    assert http(sb, "GET", creds, token=token["accessToken"])[0] == 401
    status, headers, _ = http(sb, "POST", "/token", {**grant, "refreshToken": token["refreshToken"]})
    assert status in (400, 401)


def test_tokens_are_in_no_sandbox_file(sb, tmp_path):
    """The portal keeps tokens in memory and logs none; only the user's own cache holds them."""
    login(tmp_path, "dev")
    token = json.loads(cache_file(sb, tmp_path, legacy=False).read_text())
    probe(sb, tmp_path, sb["environments"]["dev"]["sso_profile"])  # a GetRoleCredentials with it
    secrets = [token["accessToken"], token["refreshToken"], token["clientSecret"]]
    found = []
    for path in HOME.rglob("*"):
        if "venv" in path.parts or not path.is_file():
            continue
        text = path.read_bytes().decode(errors="replace")
        found += [f"#{i} in {path}" for i, s in enumerate(secrets) if s in text]
    del secrets, token
    assert not found, found
