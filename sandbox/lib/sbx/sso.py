"""IAM Identity Center for the sandbox: the SSO portal, SSO OIDC's CreateToken and a login
endpoint, one small threaded HTTP server (the `sso` role; see sandbox/README.md), plus
`sandbox/sso-login`, which caches a token as `aws sso login` would.

Portal (service `sso`, rest-json, unsigned; the access token in `x-amz-sso_bearer_token`):
  GET  /federation/credentials?account_id=&role_name=  GetRoleCredentials: STS AssumeRole of
       arn:aws:iam::ACCOUNT:role/ROLE on that account's moto, RoleSessionName = the token's user
  GET  /assignment/accounts                            ListAccounts (the four environments)
  GET  /assignment/roles?account_id=                   ListAccountRoles
  POST /logout                                         Logout: ends the token's whole session
OIDC (service `sso-oidc`, rest-json, unsigned):
  POST /token                                          CreateToken, grantType refresh_token only
Sandbox only:
  POST /sandbox/login  {"session_name" | "start_url", "region", "expires_in", "refresh", "user"}
       -> {"cache_key": sha1, "token": what `aws sso login` writes to ~/.aws/sso/cache/<sha1>.json}
  GET  /sandbox/status -> counts (never a token)
  GET  /start          the start URL's page

Tokens live in this process's memory only (never on disk, never logged): a restarted portal has
forgotten them, as a revoked session is, and the portal answers UnauthorizedException until
`sso-login` runs again.
"""
from __future__ import annotations

import argparse
import configparser
import hashlib
import json
import math
import os
import re
import secrets
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from . import layout

SESSION_ACCESS_TTL = 3600       # sso_session login: the access token (refreshable)
LEGACY_ACCESS_TTL = 8 * 3600    # sso_start_url login: the access token (never refreshed)
REFRESHED_TTL = 3600            # CreateToken(refresh_token): the new access token
SESSION_TTL = 8 * 3600          # a sign-in session: its refresh tokens end with it (Identity Center's default)
REGISTRATION_TTL = 90 * 86400   # the OIDC client registration (clientId/clientSecret)
ROLE_TTL = 3600                 # the role credentials (STS DurationSeconds)
MAX_BODY = 64 * 1024
USER_RE = re.compile(r"^[\w+=,.@-]{2,64}$")  # STS RoleSessionName


def cache_key(start_url: str, session_name: str | None = None) -> str:
    """The token cache file's name without `.json`: SHA-1 hex of the sso-session's NAME, or of
    the start URL for a legacy profile (botocore.utils.SSOTokenLoader)."""
    return hashlib.sha1((session_name if session_name is not None else start_url).encode("utf-8")).hexdigest()


def utc(ts: float) -> str:
    """The CLI's timestamp form: 2026-12-06T05:00:00Z."""
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _h(token: str) -> str:
    """Tokens are kept by their hash: the tables never hold one to show."""
    return hashlib.sha256(token.encode()).hexdigest()


class Refused(Exception):
    """An error answer: HTTP status and the error shape's name in the service model."""

    def __init__(self, status: int, name: str, message: str):
        super().__init__(message)
        self.status, self.name, self.message = status, name, message


# SSO OIDC's error shapes carry an OAuth `error` code and `error_description` (no `message`)
OIDC_CODES = {"InvalidRequestException": "invalid_request", "InvalidClientException": "invalid_client",
              "InvalidGrantException": "invalid_grant", "UnsupportedGrantTypeException": "unsupported_grant_type",
              "InternalServerException": "server_error"}


# ---------------------------------------------------------------- state
class Store:
    """Sessions, access tokens, refresh tokens and client registrations, in memory."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sessions: dict[str, dict] = {}   # sid -> user, start_url, session_name, region, ends
        self.access: dict[str, dict] = {}     # sha256(access token) -> sid, expires
        self.refresh: dict[str, dict] = {}    # sha256(refresh token) -> sid, client_id
        self.clients: dict[str, dict] = {}    # client_id -> sid, sha256(secret), expires

    def _prune(self, now: float) -> None:
        for sid in [s for s, v in self.sessions.items() if v["ends"] < now - 86400]:
            self.end_session(sid)
        for h in [h for h, v in self.access.items() if v["expires"] < now - 86400]:
            del self.access[h]

    def end_session(self, sid: str) -> None:
        """Logout, or a day after the session ended: its tokens and its client registration go."""
        self.sessions.pop(sid, None)
        for table in (self.access, self.refresh, self.clients):
            for h in [h for h, v in table.items() if v["sid"] == sid]:
                del table[h]

    def login(self, body: dict, default_start_url: str) -> dict:
        session_name = body.get("session_name")
        start_url = body.get("start_url") or default_start_url
        region = body.get("region") or layout.REGION
        user = body.get("user") or layout.SSO_USER
        if session_name is not None and not (isinstance(session_name, str) and session_name):
            raise Refused(400, "InvalidRequestException", "session_name must be a non-empty string")
        if not isinstance(start_url, str) or not isinstance(region, str):
            raise Refused(400, "InvalidRequestException", "start_url and region must be strings")
        if not isinstance(user, str) or not USER_RE.match(user):
            raise Refused(400, "InvalidRequestException", "user must match [\\w+=,.@-]{2,64}")
        default_ttl = SESSION_ACCESS_TTL if session_name else LEGACY_ACCESS_TTL
        expires_in = body.get("expires_in", default_ttl)
        if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or not math.isfinite(expires_in) \
                or abs(expires_in) > 366 * 86400:
            raise Refused(400, "InvalidRequestException", "expires_in must be a number of seconds (negative: already expired)")
        refresh = bool(body.get("refresh", True)) and session_name is not None
        now = time.time()
        expires = now + expires_in
        with self.lock:
            self._prune(now)
            sid = uuid.uuid4().hex
            self.sessions[sid] = {"user": user, "start_url": start_url, "session_name": session_name,
                                  "region": region, "ends": max(now + SESSION_TTL, expires)}
            access = "aoa" + secrets.token_urlsafe(48)
            self.access[_h(access)] = {"sid": sid, "expires": expires}
            token = {"startUrl": start_url, "region": region, "accessToken": access, "expiresAt": utc(expires)}
            if session_name is not None:
                # a client registration per sign-in (the CLI registers once and reuses it; one per
                # session keeps the portal from holding a secret to hand out again)
                cid, secret, reg_expires = secrets.token_urlsafe(16), secrets.token_urlsafe(48), now + REGISTRATION_TTL
                self.clients[cid] = {"sid": sid, "secret_h": _h(secret), "expires": reg_expires}
                token.update({"clientId": cid, "clientSecret": secret, "registrationExpiresAt": utc(reg_expires)})
                if refresh:
                    rt = "aor" + secrets.token_urlsafe(48)
                    self.refresh[_h(rt)] = {"sid": sid, "client_id": cid}
                    token["refreshToken"] = rt
        return {"cache_key": cache_key(start_url, session_name), "token": token}

    def session_of(self, access_token: str | None) -> dict:
        now = time.time()
        with self.lock:
            a = self.access.get(_h(access_token)) if access_token else None
            s = self.sessions.get(a["sid"]) if a else None
            if not a or not s or a["expires"] <= now or s["ends"] <= now:
                raise Refused(401, "UnauthorizedException", "Session token not found or invalid")
            return {**s, "sid": a["sid"]}

    def logout(self, access_token: str | None) -> None:
        s = self.session_of(access_token)
        with self.lock:
            self.end_session(s["sid"])

    def create_token(self, body: dict) -> dict:
        for k in ("clientId", "clientSecret", "grantType"):
            if not isinstance(body.get(k), str) or not body[k]:
                raise Refused(400, "InvalidRequestException", f"{k} is required")
        if body["grantType"] != "refresh_token":
            raise Refused(400, "UnsupportedGrantTypeException",
                          "the sandbox grants refresh_token only (sandbox/sso-login signs in)")
        now = time.time()
        with self.lock:
            c = self.clients.get(body["clientId"])
            if not c or not secrets.compare_digest(c["secret_h"], _h(body["clientSecret"])) or c["expires"] <= now:
                raise Refused(401, "InvalidClientException", "Invalid client provided")
            rt = body.get("refreshToken")
            r = self.refresh.get(_h(rt)) if isinstance(rt, str) and rt else None
            s = self.sessions.get(r["sid"]) if r else None
            if not r or r["client_id"] != body["clientId"] or not s or s["ends"] <= now:
                raise Refused(400, "InvalidGrantException", "Invalid refresh token provided")
            del self.refresh[_h(rt)]  # rotated: a refresh token is good once
            expires_in = int(min(REFRESHED_TTL, s["ends"] - now))
            access, new_rt = "aoa" + secrets.token_urlsafe(48), "aor" + secrets.token_urlsafe(48)
            self.access[_h(access)] = {"sid": r["sid"], "expires": now + expires_in}
            self.refresh[_h(new_rt)] = {"sid": r["sid"], "client_id": body["clientId"]}
        return {"accessToken": access, "tokenType": "Bearer", "expiresIn": expires_in, "refreshToken": new_rt}

    def counts(self) -> dict:
        now = time.time()
        with self.lock:
            return {"sessions": sum(s["ends"] > now for s in self.sessions.values()),
                    "access_tokens_valid": sum(a["expires"] > now for a in self.access.values()),
                    "refresh_tokens": len(self.refresh), "client_registrations": len(self.clients)}


# ---------------------------------------------------------------- STS (moto)
class Minter:
    """Role credentials from STS AssumeRole on the account's own moto (straight, not through the
    fault proxy), with the sandbox's base keys, as `sbx.aws.Account` does."""

    def __init__(self, accounts: dict[str, str]):
        self.accounts = accounts  # account id -> moto endpoint
        self.lock = threading.Lock()
        self.clients: dict[str, object] = {}

    def client(self, account: str):
        with self.lock:
            if account not in self.clients:
                import boto3
                from botocore.config import Config
                from .aws import BASE_KEY, BASE_SECRET
                self.clients[account] = boto3.client(
                    "sts", region_name=layout.REGION, endpoint_url=self.accounts[account],
                    aws_access_key_id=BASE_KEY, aws_secret_access_key=BASE_SECRET,
                    config=Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3, read_timeout=10))
            return self.clients[account]

    def warm(self) -> None:
        """Loads boto3 and the STS clients in the background, so the first GetRoleCredentials is
        not the one that pays for it (the port is open meanwhile)."""
        try:
            for account in self.accounts:
                self.client(account)
        except Exception as e:  # noqa: BLE001 - only a head start; requests retry
            print(f"warm-up: {e!r}", flush=True)

    def role_credentials(self, account: str, role: str, user: str) -> dict:
        try:
            c = self.client(account).assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role}",
                                                 RoleSessionName=user, DurationSeconds=ROLE_TTL)["Credentials"]
        except Exception as e:  # noqa: BLE001 - moto down or refusing: the portal's own failure
            raise Refused(500, "InternalServerException", f"STS AssumeRole in {account} failed: {type(e).__name__}")
        return {"accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
                "sessionToken": c["SessionToken"], "expiration": int(c["Expiration"].timestamp() * 1000)}


# ---------------------------------------------------------------- HTTP
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 120  # an idle keep-alive connection is closed (and its thread ends)
    server_version = "sandbox-sso"
    sys_version = ""
    store: Store
    minter: Minter
    base_url: str
    names: dict[str, str]  # account id -> environment name

    def log_request(self, code="-", size="-"):  # noqa: ARG002 - refusals only; never a query or a header
        try:
            status = int(code)
        except (TypeError, ValueError):
            status = 0
        if status >= 400 or not status:
            print(f"{time.strftime('%H:%M:%S')} {self.command} {urlsplit(self.path).path} {code}", flush=True)

    def log_message(self, format, *args):  # noqa: A002 - http.server's own errors (bad request lines)
        print(f"{time.strftime('%H:%M:%S')} {format % args}"[:300], flush=True)

    def _send(self, status: int, body: bytes, ctype: str = "application/json", extra: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, obj, extra: dict | None = None) -> None:
        self._send(status, json.dumps(obj).encode(), extra=extra)

    def _refuse(self, r: Refused, oidc: bool = False) -> None:
        """Portal: {"message", "__type"}; OIDC: {"error", "error_description"} (its model's
        members); the name in x-amzn-ErrorType either way (botocore reads that first)."""
        if oidc:
            body = {"error": OIDC_CODES.get(r.name, "invalid_request"), "error_description": r.message}
        else:
            body = {"message": r.message, "__type": r.name}
        self._json(r.status, body, {"x-amzn-ErrorType": r.name})

    def _body(self) -> dict:
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY or n < 0:
            self.close_connection = True  # the body stays unread
            raise Refused(400, "InvalidRequestException", "body too large")
        raw = self.rfile.read(n) if n else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise Refused(400, "InvalidRequestException", "the body is not JSON")
        if not isinstance(body, dict):
            raise Refused(400, "InvalidRequestException", "the body is not a JSON object")
        return body

    def _token(self) -> str | None:
        return self.headers.get("x-amz-sso_bearer_token")

    def do_GET(self):  # noqa: N802
        try:
            self._get()
        except Exception as e:  # noqa: BLE001 - an answer, not a dropped connection; the type only in the log
            print(f"{time.strftime('%H:%M:%S')} GET {urlsplit(self.path).path}: {type(e).__name__}", flush=True)
            self._refuse(Refused(500, "InternalServerException", "the sandbox portal failed"))

    def do_POST(self):  # noqa: N802
        try:
            self._post()
        except Exception as e:  # noqa: BLE001
            print(f"{time.strftime('%H:%M:%S')} POST {urlsplit(self.path).path}: {type(e).__name__}", flush=True)
            self._refuse(Refused(500, "InternalServerException", "the sandbox portal failed"),
                         urlsplit(self.path).path == "/token")

    def _get(self) -> None:
        u = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        try:
            if u.path == "/federation/credentials":
                s = self.store.session_of(self._token())
                account, role = q.get("account_id"), q.get("role_name")
                if not account or not role:
                    raise Refused(400, "InvalidRequestException", "account_id and role_name are required")
                if account not in self.minter.accounts or role not in layout.SSO_ROLES:
                    raise Refused(403, "ForbiddenException", "No access")
                self._json(200, {"roleCredentials": self.minter.role_credentials(account, role, s["user"])})
            elif u.path == "/assignment/accounts":
                self.store.session_of(self._token())
                self._json(200, {"accountList": [
                    {"accountId": a, "accountName": self.names.get(a, a), "emailAddress": f"{self.names.get(a, a)}@sandbox.test"}
                    for a in self.minter.accounts]})
            elif u.path == "/assignment/roles":
                self.store.session_of(self._token())
                account = q.get("account_id")
                if not account:
                    raise Refused(400, "InvalidRequestException", "account_id is required")
                roles = layout.SSO_ROLES if account in self.minter.accounts else ()
                self._json(200, {"roleList": [{"roleName": r, "accountId": account} for r in roles]})
            elif u.path == "/sandbox/status":
                self._json(200, {"portal": self.base_url, "accounts": self.names, "roles": list(layout.SSO_ROLES),
                                 **self.store.counts()})
            elif u.path in ("/start", "/start/"):
                self._send(200, b"<html><body>lookout sandbox: IAM Identity Center stand-in. "
                                b"Sign in with ./sandbox/sso-login ENV.</body></html>\n", "text/html")
            else:
                raise Refused(404, "ResourceNotFoundException", f"no such resource: GET {u.path}")
        except Refused as r:
            self._refuse(r)

    do_HEAD = do_GET

    def _post(self) -> None:
        u = urlsplit(self.path)
        oidc = u.path == "/token"
        try:
            body = self._body()
            if oidc:
                if "aws_iam" in parse_qs(u.query):
                    raise Refused(400, "UnsupportedGrantTypeException", "CreateTokenWithIAM is not in the sandbox")
                self._json(200, self.store.create_token(body))
            elif u.path == "/logout":
                self.store.logout(self._token())
                self._send(200, b"")
            elif u.path == "/sandbox/login":
                self._json(200, self.store.login(body, f"{self.base_url}/start"))
            else:
                raise Refused(404, "ResourceNotFoundException", f"no such resource: POST {u.path}")
        except Refused as r:
            self._refuse(r, oidc)


def make_server(host: str, port: int, accounts: dict[str, str], names: dict[str, str] | None = None) -> ThreadingHTTPServer:
    store, minter = Store(), Minter(accounts)
    srv = ThreadingHTTPServer((host, port), Handler)
    srv.daemon_threads = True
    base = f"http://{host}:{srv.server_address[1]}"
    srv.RequestHandlerClass = type("SandboxSSO", (Handler,), {
        "store": store, "minter": minter, "base_url": base, "names": names or {}})
    srv.minter = minter  # type: ignore[attr-defined]
    return srv


def serve_main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="sbx.sso")
    p.add_argument("-H", "--host", default=layout.HOST)
    p.add_argument("-p", "--port", type=int, default=layout.SSO_PORT)
    p.add_argument("--account", action="append", default=[], metavar="ID=ENDPOINT",
                   help="an account and its moto (default: every environment of layout.py)")
    a = p.parse_args(argv)
    if a.account:
        accounts = dict(x.split("=", 1) for x in a.account)
        names = {acc: next((e.name for e in layout.ENVS if e.account == acc), acc) for acc in accounts}
    else:
        accounts = {e.account: f"http://{layout.HOST}:{e.moto_port}" for e in layout.ENVS}
        names = {e.account: e.name for e in layout.ENVS}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    for attempt in range(50):  # a port still held for a moment by a process just stopped
        try:
            srv = make_server(a.host, a.port, accounts, names)
            break
        except OSError as e:
            if attempt == 49:
                raise
            print(f"port {a.port} busy ({e.strerror}); retrying", flush=True)
            time.sleep(0.1)
    print(f"sandbox SSO portal + OIDC on http://{a.host}:{a.port} for accounts {', '.join(accounts)}", flush=True)
    threading.Thread(target=srv.minter.warm, daemon=True).start()
    try:
        srv.serve_forever(poll_interval=0.5)
    finally:
        srv.server_close()


# ---------------------------------------------------------------- sso-login
def _sandbox_json() -> dict:
    try:
        return json.loads((layout.home() / "sandbox.json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


def profile_sso(config_file: Path, profile: str) -> dict:
    """What `aws sso login --profile PROFILE` reads: the sso-session (name, start URL, region) or
    the legacy profile's sso_start_url and sso_region."""
    cp = configparser.RawConfigParser()
    if not cp.read(config_file):
        raise SystemExit(f"no AWS config at {config_file} (./sandbox/up writes it)")
    sec = f"profile {profile}"
    if not cp.has_section(sec):
        raise SystemExit(f"no [{sec}] in {config_file}")
    p = cp[sec]
    if "sso_session" in p:
        name = p["sso_session"]
        if not cp.has_section(f"sso-session {name}"):
            raise SystemExit(f"[{sec}] names sso_session {name}, which {config_file} has not")
        s = cp[f"sso-session {name}"]
        return {"session_name": name, "start_url": s["sso_start_url"], "region": s["sso_region"]}
    if "sso_start_url" in p and "sso_region" in p:
        return {"start_url": p["sso_start_url"], "region": p["sso_region"]}
    raise SystemExit(f"[{sec}] in {config_file} is no SSO profile")


def write_cache(home: Path, key: str, token: dict) -> Path:
    """As the CLI (botocore's JSONFileCache) writes it: json.dumps, a temporary file in the
    folder renamed over the old one, mode 0600."""
    folder = home / ".aws" / "sso" / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{key}.json"
    tmp = folder / f".{key}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(json.dumps(token))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path


def login(portal: str, sso: dict, expires_in: float | None = None, refresh: bool = True,
          user: str | None = None) -> dict:
    """Asks the running portal for a token: {"cache_key", "token"}."""
    body = dict(sso, refresh=refresh)
    if expires_in is not None:
        body["expires_in"] = expires_in
    if user:
        body["user"] = user
    req = urllib.request.Request(f"{portal}/sandbox/login", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        raise SystemExit(f"the SSO portal refused the login: {e.code} {e.read().decode(errors='replace')[:300]}")
    except OSError as e:
        raise SystemExit(f"the SSO portal at {portal} is not running ({e}); ./sandbox/up starts it")


def login_main(argv: list[str]) -> None:
    info = _sandbox_json()
    p = argparse.ArgumentParser(
        prog="sandbox/sso-login",
        description="Signs in to the sandbox's IAM Identity Center and writes the token cache "
                    "DIR/.aws/sso/cache/<sha1>.json as `aws sso login --profile lookout-ENV-sso[-legacy]` would.")
    p.add_argument("env", help="dev, test, acc or prod (picks the profile)")
    p.add_argument("--home", type=Path, default=Path.home(), help="writes under DIR/.aws/sso/cache (default: $HOME)")
    p.add_argument("--legacy", action="store_true", help="the sso_start_url profile (cache key: SHA-1 of the start URL)")
    p.add_argument("--expired", action="store_true",
                   help="an access token that expired an hour ago (with a valid refresh token unless --no-refresh)")
    p.add_argument("--no-refresh", action="store_true", help="no refresh token in the cache")
    p.add_argument("--expires-in", type=int, metavar="SECONDS",
                   help=f"access token lifetime (default {SESSION_ACCESS_TTL} for sso_session, {LEGACY_ACCESS_TTL} legacy)")
    p.add_argument("--user", help=f"the signed-in user, the credentials' RoleSessionName (default {layout.SSO_USER})")
    p.add_argument("--portal", default=info.get("sso_portal") or layout.sso_url(), help=argparse.SUPPRESS)
    p.add_argument("--config", type=Path, default=Path(info.get("aws_config_file") or layout.home() / "aws" / "config"),
                   help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    e = layout.env(a.env)
    profile = e.sso_legacy_profile if a.legacy else e.sso_profile
    sso = profile_sso(a.config, profile)
    expires_in = -3600 if a.expired else a.expires_in
    out = login(a.portal, sso, expires_in, refresh=not a.no_refresh, user=a.user)
    key = cache_key(sso["start_url"], sso.get("session_name"))
    if out.get("cache_key") != key:
        raise SystemExit(f"the portal named the cache {out.get('cache_key')}, botocore would read {key}")
    token = out["token"]
    path = write_cache(a.home, key, token)
    what = f"sso_session {sso['session_name']}" if "session_name" in sso else f"sso_start_url {sso['start_url']}"
    state = "EXPIRED" if a.expired else "expires"
    print(f"wrote {path}: profile {profile} ({what}), user {a.user or layout.SSO_USER}, access token {state} "
          f"{token['expiresAt']}, {'refreshable' if 'refreshToken' in token else 'no refresh token'}")
    env = info.get("sso_env") or {"AWS_ENDPOINT_URL_SSO": a.portal, "AWS_ENDPOINT_URL_SSO_OIDC": a.portal}
    home = "" if a.home == Path.home() else f"HOME={a.home} "
    print(f"use: source {layout.home() / 'env.sh'}; {home}" + " ".join(f"{k}={v}" for k, v in env.items())
          + f" AWS_PROFILE={profile} ...")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "login":
        login_main(sys.argv[2:])
    else:
        serve_main(sys.argv[1:])


if __name__ == "__main__":
    main()
