"""The broker front of one environment (issue 4): TLS termination and/or a SASL gate before Tansu.

Tansu has no usable TLS or SASL (NOTES.md), so this process stands in for the broker's own:
- TLS (acc, prod): the certificate chain and key from SSM (/kafka/<env>/tls/broker-cert,
  broker-key), loaded at start.
- SASL gate (test: PLAIN; prod: SCRAM-SHA-512 and SCRAM-SHA-256, RFC 5802/7677, 4096
  iterations): passes ApiVersions through, answers SaslHandshake and SaslAuthenticate
  itself, closes on anything else before login, then relays bytes. Users `admin` and
  `client` with the passwords from SSM, read at start.
`launch()` (used by up and by the agent on a roll) reads SSM and hands the material to the
new process on its stdin: nothing secret is written to disk or to a log.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import ssl
import struct
import sys
import tempfile
import time

from . import layout, procs
from .proxy import start_server

ITERATIONS = 4096
API_VERSIONS, SASL_HANDSHAKE, SASL_AUTHENTICATE = 18, 17, 36
UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE, SASL_AUTHENTICATION_FAILED = 33, 34, 58


def mechanisms(e: layout.Env) -> list[str]:
    if e.mechanism == "PLAIN":
        return ["PLAIN"]
    if e.mechanism and e.mechanism.startswith("SCRAM"):
        return ["SCRAM-SHA-512", "SCRAM-SHA-256"]
    return []


# ---------------------------------------------------------------- launch (in up / the agent)
def launch(e: layout.Env, a=None, reason: str = "", refuse: tuple[str, ...] = ()) -> int:
    """`refuse`: users whose SSM password the new front does not take (a random one instead), as a
    broker whose user store was changed behind lookout's back (scenario kafka-login-refused)."""
    if a is None:
        from .aws import Account
        a = Account(e)
    material: dict = {"env": e.name, "listen": e.front_port, "upstream": e.tansu_port}
    if e.tls:
        ssm = a.client("ssm")
        material["cert"] = ssm.get_parameter(Name=e.ssm("tls/broker-cert"))["Parameter"]["Value"]
        material["key"] = a.ssm_value(e.ssm("tls/broker-key"))
    if e.sasl:
        material["mechanisms"] = mechanisms(e)
        material["users"] = {u: secrets.token_urlsafe(24) if u in refuse else a.ssm_value(e.ssm(leaf))
                             for u, leaf in layout.USERS.items()}
    role = f"front-{e.name}"
    procs.stop(role)
    pid = procs.spawn(role, procs.python("front"), stdin_data=json.dumps(material).encode())
    procs.wait_port(e.front_port, 10)
    wait_ready(e.front_port, 10, e.tls)
    print(f"{time.strftime('%H:%M:%S')} {role} started (pid {pid}){': ' + reason if reason else ''}", flush=True)
    return pid


def wait_ready(port: int, seconds: float, tls: bool) -> bool:
    """Until the front answers an ApiVersions (v0) through to Tansu: an open port is not yet a
    front that relays (a client connecting then saw its connection closed before the answer)."""
    import socket
    request = struct.pack(">hhih", API_VERSIONS, 0, 1, -1)
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection((layout.HOST, port), timeout=2) as raw:
                s = raw
                if tls:  # only whether it relays: no verification here
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
                    s = ctx.wrap_socket(raw)
                s.sendall(struct.pack(">i", len(request)) + request)
                if len(s.recv(4)) == 4:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


# ---------------------------------------------------------------- Kafka framing
async def read_frame(r: asyncio.StreamReader) -> bytes:
    n = struct.unpack(">i", await r.readexactly(4))[0]
    if n < 0 or n > 100 * 1024 * 1024:
        raise ValueError("bad frame size")
    return await r.readexactly(n)


def frame(payload: bytes) -> bytes:
    return struct.pack(">i", len(payload)) + payload


class Header:
    """Request header v1 (v2 adds tagged fields, which this gate skips)."""

    def __init__(self, data: bytes):
        self.api_key, self.version, self.correlation = struct.unpack_from(">hhi", data, 0)
        n = struct.unpack_from(">h", data, 8)[0]
        self.pos = 10 + max(n, 0)
        self.data = data

    def flexible(self) -> bool:
        return self.api_key == SASL_AUTHENTICATE and self.version >= 2

    def body(self) -> bytes:
        pos = self.pos
        if self.flexible():
            pos = skip_tags(self.data, pos)
        return self.data[pos:]


def read_uvarint(data: bytes, pos: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7


def uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def skip_tags(data: bytes, pos: int) -> int:
    count, pos = read_uvarint(data, pos)
    for _ in range(count):
        _, pos = read_uvarint(data, pos)
        size, pos = read_uvarint(data, pos)
        pos += size
    return pos


def handshake_response(corr: int, error: int, mechs: list[str]) -> bytes:
    out = struct.pack(">ihi", corr, error, len(mechs))
    for m in mechs:
        out += struct.pack(">h", len(m)) + m.encode()
    return frame(out)


def authenticate_response(h: Header, error: int, message: str | None, auth: bytes) -> bytes:
    msg = message.encode() if message is not None else None
    if h.flexible():
        out = struct.pack(">i", h.correlation) + b"\x00"
        out += struct.pack(">h", error)
        out += uvarint(0 if msg is None else len(msg) + 1) + (msg or b"")
        out += uvarint(len(auth) + 1) + auth
        out += struct.pack(">q", 0) + b"\x00"
        return frame(out)
    out = struct.pack(">ih", h.correlation, error)
    out += struct.pack(">h", -1) if msg is None else struct.pack(">h", len(msg)) + msg
    out += struct.pack(">i", len(auth)) + auth
    if h.version >= 1:
        out += struct.pack(">q", 0)
    return frame(out)


def auth_bytes(h: Header) -> bytes:
    body = h.body()
    if h.flexible():
        n, pos = read_uvarint(body, 0)
        return body[pos:pos + n - 1]
    n = struct.unpack_from(">i", body, 0)[0]
    return body[4:4 + n]


# ---------------------------------------------------------------- SASL
class AuthFailed(Exception):
    pass


class Scram:
    """Server side of SCRAM (RFC 5802) with SHA-256 / SHA-512 (RFC 7677), no channel binding."""

    def __init__(self, mechanism: str, users: dict[str, str], salts: dict[str, bytes]):
        self.hash = {"SCRAM-SHA-256": hashlib.sha256, "SCRAM-SHA-512": hashlib.sha512}[mechanism]
        self.name = self.hash().name
        self.users, self.salts = users, salts
        self.step = 0

    def hmac(self, key: bytes, msg: bytes) -> bytes:
        return hmac.new(key, msg, self.hash).digest()

    def first(self, msg: str) -> bytes:
        if not msg.startswith(("n,", "y,")):
            raise AuthFailed("channel binding is not supported")
        gs2, _, bare = msg.partition(",")[2].partition(",")
        self.gs2 = msg[: len(msg) - len(bare)]
        attrs = dict(p.split("=", 1) for p in bare.split(","))
        user = attrs.get("n", "").replace("=2C", ",").replace("=3D", "=")
        if user not in self.users:
            raise AuthFailed("unknown user")
        self.user, self.bare = user, bare
        self.nonce = attrs["r"] + base64.b64encode(secrets.token_bytes(18)).decode()
        salt = self.salts[user]
        self.server_first = f"r={self.nonce},s={base64.b64encode(salt).decode()},i={ITERATIONS}"
        return self.server_first.encode()

    def final(self, msg: str) -> bytes:
        without_proof, _, proof64 = msg.rpartition(",p=")
        attrs = dict(p.split("=", 1) for p in without_proof.split(","))
        if attrs.get("r") != self.nonce or base64.b64decode(attrs.get("c", "")) != self.gs2.encode():
            raise AuthFailed("nonce or channel binding mismatch")
        salted = hashlib.pbkdf2_hmac(self.name, self.users[self.user].encode(), self.salts[self.user], ITERATIONS)
        client_key = self.hmac(salted, b"Client Key")
        stored_key = self.hash(client_key).digest()
        auth_message = f"{self.bare},{self.server_first},{without_proof}".encode()
        signature = self.hmac(stored_key, auth_message)
        proof = base64.b64decode(proof64)
        if len(proof) != len(signature):
            raise AuthFailed("bad proof")
        candidate = bytes(x ^ y for x, y in zip(proof, signature))
        if not hmac.compare_digest(self.hash(candidate).digest(), stored_key):
            raise AuthFailed("wrong password")
        server_sig = self.hmac(self.hmac(salted, b"Server Key"), auth_message)
        return b"v=" + base64.b64encode(server_sig)


def plain(token: bytes, users: dict[str, str]) -> str:
    parts = token.split(b"\x00")
    if len(parts) != 3:
        raise AuthFailed("malformed PLAIN")
    user, password = parts[1].decode(), parts[2].decode()
    if user not in users or not hmac.compare_digest(users[user].encode(), password.encode()):
        raise AuthFailed("invalid username or password")
    return user


# ---------------------------------------------------------------- the server
def tls_context(chain: str, key_pem: str) -> ssl.SSLContext:
    """A server context from PEM text. ssl wants files: the key goes to a temp file encrypted with
    a one-time passphrase, both files gone when this returns."""
    from cryptography.hazmat.primitives import serialization
    key = serialization.load_pem_private_key(key_pem.encode(), None)
    once = secrets.token_bytes(32)
    enc = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(once))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as c, tempfile.NamedTemporaryFile("wb", suffix=".key") as k:
        c.write(chain)
        c.flush()
        k.write(enc)
        k.flush()
        ctx.load_cert_chain(c.name, k.name, password=once)
    return ctx


class Front:
    def __init__(self, m: dict):
        self.env = m["env"]
        self.listen, self.upstream = m["listen"], m["upstream"]
        self.mechs: list[str] = m.get("mechanisms", [])
        self.users: dict[str, str] = m.get("users", {})
        self.salts = {u: secrets.token_bytes(16) for u in self.users}
        self.ssl = tls_context(m["cert"], m["key"]) if m.get("cert") else None

    async def handle(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        peer = w.get_extra_info("peername")
        up_w = None
        try:
            up_r, up_w = await asyncio.open_connection(layout.HOST, self.upstream)
            if self.mechs:
                user = await self.login(r, w, up_r, up_w)
                if user is None:
                    return
            await asyncio.gather(pipe(r, up_w), pipe(up_r, w))
        except (OSError, asyncio.IncompleteReadError, ValueError, ssl.SSLError, struct.error) as ex:
            if not isinstance(ex, asyncio.IncompleteReadError):
                print(f"{peer}: {type(ex).__name__}", flush=True)
        finally:
            w.close()
            if up_w is not None:
                up_w.close()

    async def login(self, r, w, up_r, up_w) -> str | None:
        mechanism = None
        scram = None
        while True:
            data = await read_frame(r)
            h = Header(data)
            if h.api_key == API_VERSIONS:
                up_w.write(frame(data))
                await up_w.drain()
                w.write(frame(await read_frame(up_r)))
                await w.drain()
            elif h.api_key == SASL_HANDSHAKE:
                body = h.body()
                n = struct.unpack_from(">h", body, 0)[0]
                asked = body[2:2 + n].decode()
                ok = asked in self.mechs
                w.write(handshake_response(h.correlation, 0 if ok else UNSUPPORTED_SASL_MECHANISM, self.mechs))
                await w.drain()
                if not ok or h.version < 1:
                    print(f"refused: mechanism {asked} (handshake v{h.version})", flush=True)
                    return None
                mechanism = asked
                scram = Scram(asked, self.users, self.salts) if asked.startswith("SCRAM") else None
            elif h.api_key == SASL_AUTHENTICATE and mechanism:
                token = auth_bytes(h)
                try:
                    if scram is None:
                        user = plain(token, self.users)
                        reply, done = b"", True
                    elif scram.step == 0:
                        reply, done, user = scram.first(token.decode()), False, None
                        scram.step = 1
                    else:
                        reply, done, user = scram.final(token.decode()), True, scram.user
                except (AuthFailed, ValueError, KeyError, UnicodeDecodeError) as ex:
                    msg = f"Authentication failed during authentication due to invalid credentials with SASL mechanism {mechanism}"
                    w.write(authenticate_response(h, SASL_AUTHENTICATION_FAILED, msg, b""))
                    await w.drain()
                    print(f"refused login ({mechanism}): {ex}", flush=True)
                    return None
                w.write(authenticate_response(h, 0, None, reply))
                await w.drain()
                if done:
                    return user
            else:
                print(f"refused: API {h.api_key} before login", flush=True)
                return None

    async def run(self) -> None:
        server = await start_server(self.handle, self.listen, ssl=self.ssl)
        what = ", ".join(filter(None, ["TLS" if self.ssl else "", "SASL " + "/".join(self.mechs) if self.mechs else ""]))
        print(f"{time.strftime('%H:%M:%S')} front of {self.env} on {self.listen} ({what}) -> {self.upstream}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # a relay has nothing to flush: exit at once (cancelling live pipes only logs noise)
        loop.add_signal_handler(signal.SIGTERM, lambda: os._exit(0))
        await stop.wait()
        server.close()


async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    try:
        while True:
            data = await r.read(65536)
            if not data:
                break
            w.write(data)
            await w.drain()
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            w.close()
        except (OSError, RuntimeError):
            pass


def main() -> None:
    material = json.loads(sys.stdin.read())
    sys.stdin.close()
    asyncio.run(Front(material).run())


if __name__ == "__main__":
    main()
