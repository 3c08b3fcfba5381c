"""The sandbox's fault proxy: one asyncio process in front of every address a client is given.

Targets (per environment): `<env>-aws` (HTTP, to moto; acc's also over HTTPS on a second port, the
TLS front of sbx.aws_front), `<env>-kafka` (TCP, the bootstrap and
advertised Kafka address) and `<env>-public` (TCP, the public endpoint). Each target has a
fault: mode pass | refuse | blackhole | slow | throttle (aws: every request) | rate (aws: a token
bucket per API at AWS's rates, `scale` times them, e.g. 0.05 for the sandbox's small polls; a
request that finds its bucket empty is throttled) | 5xx (aws) | expired (aws:
ExpiredToken) | denied (aws: AccessDenied) | garbage | tls-untrusted | tls-wrong-name |
tls-expired (aws with a TLS front: the certificate its HTTPS port presents), with `delay_ms` for slow and an optional
`service` (aws: the SigV4 scope's service, e.g. ssm) that limits the fault to one AWS service, or
`api_keys` (kafka: e.g. [9, 10, 15, 16], the group calls) that limits it to the requests of those
Kafka API keys, the rest of the connection passing (plaintext listeners only: TLS hides them).
Control: HTTP on 127.0.0.1:CONTROL_PORT
  GET  /faults                 -> {target: fault}
  POST /faults/<target>        body {"mode": ..., "delay_ms": ..., "service": ...}
  POST /reset/<env>            every target of that environment back to pass
  GET  /counts                 -> {"<env>-aws": {"requests": N, "by_service": {"ecs": n, ...}, "throttled": N}}
                                  every HTTP request read on that target, faulted or not;
                                  monotonic since the proxy started (take deltas)
  POST /drop/<target>          closes every open connection of the target (both sides), as a
                               broker restart would; -> {"target": ..., "dropped": n clients}
Faults are kept in state/faults.json so a restarted proxy keeps them; counts are not.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import ssl
import struct

from . import layout
from .aws_errors import (access_denied_response, expired_token_response, garbage_response, header,
                         internal_error_response, throttle_response)
from .aws_front import TLS_MODES, context_for
from .kafka_frames import FrameFilter

MODES = {"pass", "refuse", "blackhole", "slow", "throttle", "rate", "5xx", "garbage", "expired", "denied"} | TLS_MODES
HTTP_ONLY = {"throttle", "rate", "5xx", "expired", "denied"}

# Request rates AWS throttles at, per account and Region, as token buckets: (burst, refill a second),
# by SigV4 service and operation (None: one bucket the service's other operations share, as ECS's
# read actions share theirs). From AWS's documents where
# they give figures: ECS's read actions (its example: DescribeClusters, a bucket of 50 refilled at
# 20 a second), SSM's GetParameter(s) at the standard throughput (40 a second), Route 53's 5
# requests a second per account; elsewhere 20 a second with a burst of 50. The `rate` fault
# multiplies both by its `scale` (default 1).
AWS_RATES: dict[tuple[str, str | None], tuple[float, float]] = {
    ("ecs", None): (50, 20),
    ("ssm", "GetParameter"): (40, 40),
    ("ssm", "GetParameters"): (40, 40),
    ("ssm", None): (50, 20),
    ("route53", None): (5, 5),
}
DEFAULT_RATE = (50, 20)


def operation(head: bytes, body: bytes) -> str | None:
    """The API operation of an AWS request: X-Amz-Target's (JSON), Action= (Query); None (REST)."""
    target = header(head, "x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    m = re.search(rb"(?:^|&)Action=([A-Za-z0-9]+)", body)
    return m.group(1).decode() if m else None


class Bucket:
    def __init__(self, burst: float, refill: float) -> None:
        self.burst, self.refill = burst, refill
        self.tokens, self.at = burst, asyncio.get_running_loop().time()

    def take(self) -> bool:
        now = asyncio.get_running_loop().time()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.refill)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True
PASS = {"mode": "pass"}
ERROR_ANSWERS = {"throttle": throttle_response, "5xx": internal_error_response,
                 "expired": expired_token_response, "denied": access_denied_response}


class Target:
    def __init__(self, name: str, kind: str, listen: int, upstream: int, tls_listen: int | None = None,
                 frames: bool = False):
        self.name, self.kind, self.listen, self.upstream = name, kind, listen, upstream
        # a plaintext Kafka target: every connection goes frame by frame (sbx.kafka_frames), so a
        # fault set later reaches the connections already open, as it would on a real broker
        self.frames = frames
        self.tls_listen = tls_listen            # the HTTPS port of an AWS target with a TLS front
        self.fault: dict = dict(PASS)
        self.server: asyncio.AbstractServer | None = None
        self.tls_server: asyncio.AbstractServer | None = None
        self.conns: set[asyncio.StreamWriter] = set()       # both sides of every open connection
        self.upstreams: set[asyncio.StreamWriter] = set()   # the upstream sides among them
        self.requests = 0                      # HTTP requests read (aws targets)
        self.by_service: dict[str, int] = {}   # the same, by SigV4 service ("unsigned" without)
        self.throttled = 0                     # requests the `rate` fault throttled
        self.buckets: dict[tuple[str, str | None], Bucket] = {}  # the `rate` fault's, made on first use

    def within_rate(self, service: str | None, op: str | None) -> bool:
        """Whether a request of `service`'s `op` finds a token in its bucket (the `rate` fault)."""
        # an operation with a rate of its own has its own bucket; the others share their service's
        key = (service or "unsigned", op) if (service, op) in AWS_RATES else (service or "unsigned", None)
        bucket = self.buckets.get(key)
        if bucket is None:
            burst, refill = AWS_RATES.get(key) or DEFAULT_RATE
            scale = float(self.fault.get("scale", 1.0))
            bucket = self.buckets[key] = Bucket(max(1.0, burst * scale), refill * scale)
        if bucket.take():
            return True
        self.throttled += 1
        return False

    def count(self, service: str | None) -> None:
        self.requests += 1
        key = service or "unsigned"
        self.by_service[key] = self.by_service.get(key, 0) + 1

    def mode_for(self, service: str | None = None) -> str:
        """The fault of the whole connection (Kafka) or of a request of `service` (AWS)."""
        only = self.fault.get("service")
        if only and service is not None and only != service:
            return "pass"
        if self.fault.get("api_keys"):
            return "pass"  # chosen per request instead (api_mode)
        return self.fault.get("mode", "pass")

    def api_mode(self, api_key: int) -> str:
        """The fault of one Kafka request of `api_key`: the fault's when it names that key or none."""
        keys = self.fault.get("api_keys")
        if not keys:
            return self.fault.get("mode", "pass")
        return self.fault.get("mode", "pass") if api_key in keys else "pass"

    @property
    def delay(self) -> float:
        return float(self.fault.get("delay_ms", 3000)) / 1000.0


def targets() -> dict[str, Target]:
    out = {}
    for e in layout.ENVS:
        out[f"{e.name}-aws"] = Target(f"{e.name}-aws", "http", e.aws_port, e.moto_port,
                                      e.aws_tls_port if e.aws_https else None)
        out[f"{e.name}-kafka"] = Target(f"{e.name}-kafka", "tcp", e.kafka_port, e.kafka_upstream, frames=not e.tls)
        out[f"{e.name}-public"] = Target(f"{e.name}-public", "tcp", e.public_port, e.kafka_upstream)
    return out


def abort(w: asyncio.StreamWriter) -> None:
    """Close with RST: the peer sees a reset, not an orderly end."""
    try:
        sock = w.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        w.transport.abort()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        pass


def drop(w: asyncio.StreamWriter) -> None:
    """Close as a process that exits does: an orderly FIN after what was already written."""
    try:
        w.close()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        pass


class Proxy:
    def __init__(self) -> None:
        self.targets = targets()
        self.state_file = layout.state_dir() / "faults.json"

    # ---- state ----
    def load(self) -> None:
        try:
            saved = json.loads(self.state_file.read_text())
        except (FileNotFoundError, ValueError):
            return
        for name, fault in saved.items():
            if name in self.targets:
                self.targets[name].fault = fault

    def save(self) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({n: t.fault for n, t in self.targets.items()}, indent=1))
        os.replace(tmp, self.state_file)

    async def apply(self, t: Target, fault: dict) -> None:
        mode = fault.get("mode", "pass")
        if mode not in MODES or (mode in HTTP_ONLY and t.kind != "http"):
            raise ValueError(f"mode {mode!r} not available for {t.name}")
        if mode in TLS_MODES and t.tls_listen is None:
            raise ValueError(f"mode {mode!r} needs an AWS target with a TLS front; {t.name} is plain HTTP")
        keys = fault.get("api_keys")
        if keys is not None and (t.kind != "tcp" or not isinstance(keys, list) or not all(isinstance(k, int) for k in keys)
                                 or mode not in {"pass", "blackhole", "slow", "garbage", "refuse"}):
            raise ValueError(f"api_keys (a list of Kafka API keys) needs a Kafka target and blackhole, slow, garbage or refuse")
        if mode == "rate" and not (isinstance(fault.get("scale", 1), (int, float)) and 0 < fault.get("scale", 1) <= 10):
            raise ValueError("rate: scale must be a number in (0, 10]")
        was_tls = t.fault.get("mode") in TLS_MODES
        t.fault = {k: v for k, v in fault.items() if v is not None}
        t.buckets = {}  # a new fault starts with full buckets
        if mode == "refuse" and not keys and not fault.get("service"):
            for server in (t.server, t.tls_server):
                if server is not None:
                    server.close()
            t.server = t.tls_server = None
            for w in list(t.conns):
                abort(w)
        elif t.server is None:
            await self.listen(t)
        if was_tls or mode in TLS_MODES:
            for w in list(t.conns):  # the next request meets the new certificate in a new handshake
                abort(w)
        self.save()

    async def listen(self, t: Target) -> None:
        handler = self.http_conn if t.kind == "http" else self.tcp_conn
        t.server = await start_server(lambda r, w: handler(t, r, w), t.listen)
        if t.tls_listen is not None:
            t.tls_server = await start_server(lambda r, w: self.https_conn(t, r, w), t.tls_listen)

    # ---- TCP (Kafka) ----
    async def tcp_conn(self, t: Target, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        t.conns.add(w)
        up_w = None
        try:
            if t.mode_for() == "blackhole":
                while t.mode_for() == "blackhole":
                    await asyncio.sleep(0.1)
            if t.mode_for() == "garbage":
                await self.tcp_garbage(r, w)
                return
            up_r, up_w = await asyncio.open_connection(layout.HOST, t.upstream)
            t.conns.add(up_w)
            t.upstreams.add(up_w)
            if t.fault.get("api_keys") or t.frames:
                frames = FrameFilter(t, w)
                await asyncio.gather(frames.requests(r, up_w), frames.responses(up_r, w))
            else:
                await asyncio.gather(self.pump(t, r, up_w, False), self.pump(t, up_r, w, True))
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            t.conns.discard(w)
            w.close()
            if up_w is not None:
                t.conns.discard(up_w)
                t.upstreams.discard(up_w)
                up_w.close()

    async def pump(self, t: Target, r: asyncio.StreamReader, w: asyncio.StreamWriter, downstream: bool) -> None:
        try:
            while True:
                data = await r.read(65536)
                if not data:
                    break
                while t.mode_for() == "blackhole":
                    await asyncio.sleep(0.1)
                if downstream and t.mode_for() == "slow":
                    await asyncio.sleep(t.delay)
                if downstream and t.mode_for() == "garbage":  # an open connection turns bad too
                    junk = b"\xde\xad\xbe\xef" + os.urandom(27)
                    data = struct.pack(">i", len(junk)) + junk
                w.write(data)
                await w.drain()
        except (OSError, ConnectionError):
            pass
        finally:
            try:
                w.write_eof()
            except (OSError, RuntimeError):
                pass

    async def tcp_garbage(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        # Answer each chunk the client sends with a frame that is no Kafka response.
        while True:
            data = await r.read(65536)
            if not data:
                return
            junk = b"\xde\xad\xbe\xef" + os.urandom(27)
            w.write(struct.pack(">i", len(junk)) + junk)
            await w.drain()

    # ---- HTTP (AWS) ----
    async def https_conn(self, t: Target, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        """The TLS front: a handshake with the certificate of the current fault, then HTTP as always."""
        t.conns.add(w)
        try:
            await w.start_tls(context_for(t.fault.get("mode", "pass")))
        except (OSError, ssl.SSLError, ConnectionError, asyncio.IncompleteReadError):
            t.conns.discard(w)  # the client refused the certificate (as it should under a TLS fault)
            abort(w)
            return
        await self.http_conn(t, r, w)

    async def http_conn(self, t: Target, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        t.conns.add(w)
        try:
            while True:
                req = await read_http_message(r, request=True, w=w)
                if req is None:
                    return
                head, body = req
                service = sigv4_service(head)
                t.count(service)
                mode = t.mode_for(service)
                if mode in TLS_MODES:  # a fault of the handshake, met before this request
                    mode = "pass"
                if mode == "blackhole":
                    while t.mode_for(service) == "blackhole":
                        await asyncio.sleep(0.1)
                    mode = t.mode_for(service)
                if mode == "slow":
                    await asyncio.sleep(t.delay)
                    mode = "pass"
                if mode == "rate":
                    mode = "pass" if t.within_rate(service, operation(head, body)) else "throttle"
                if mode in ERROR_ANSWERS:  # an AWS error in the service's protocol; the connection stays
                    w.write(ERROR_ANSWERS[mode](head, body, service))
                    await w.drain()
                    continue
                if mode == "garbage":
                    w.write(garbage_response(head))
                    await w.drain()
                    return
                if mode == "refuse":
                    abort(w)
                    return
                keep = await self.http_forward(t, head, body, w)
                if not keep:
                    return
        except (OSError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            t.conns.discard(w)
            w.close()

    async def http_forward(self, t: Target, head: bytes, body: bytes, w: asyncio.StreamWriter) -> bool:
        up_r, up_w = await asyncio.open_connection(layout.HOST, t.upstream)
        try:
            up_w.write(head + body)
            await up_w.drain()
            resp = await read_http_message(up_r, request=False)
            if resp is None:
                raise OSError("upstream closed")
            rhead, rbody = resp
            w.write(rhead + rbody)
            await w.drain()
            closing = re.search(rb"(?im)^connection:\s*close", rhead) is not None
            return not closing and not re.search(rb"(?im)^connection:\s*close", head)
        finally:
            up_w.close()

    # ---- control ----
    async def control(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            msg = await read_http_message(r, request=True)
            if msg is None:
                return
            head, body = msg
            line = head.split(b"\r\n", 1)[0].decode()
            method, path, _ = line.split(" ", 2)
            code, out = 200, None
            try:
                if method == "GET" and path == "/faults":
                    out = {n: t.fault for n, t in self.targets.items()}
                elif method == "POST" and path.startswith("/faults/"):
                    name = path.split("/", 2)[2]
                    if name not in self.targets:
                        raise KeyError(name)
                    await self.apply(self.targets[name], json.loads(body or b"{}"))
                    out = self.targets[name].fault
                elif method == "GET" and path == "/counts":
                    out = {n: {"requests": t.requests, "by_service": dict(sorted(t.by_service.items())), "throttled": t.throttled}
                           for n, t in self.targets.items() if t.kind == "http"}
                elif method == "POST" and path.startswith("/drop/"):
                    name = path.split("/", 2)[2]
                    if name not in self.targets:
                        raise KeyError(name)
                    t = self.targets[name]
                    clients = [c for c in t.conns if c not in t.upstreams]
                    for c in list(t.conns):
                        drop(c)
                    out = {"target": name, "dropped": len(clients)}
                elif method == "POST" and path.startswith("/reset/"):
                    env = path.split("/", 2)[2]
                    layout.env(env)
                    for n, t in self.targets.items():
                        if n.startswith(env + "-"):
                            await self.apply(t, dict(PASS))
                    out = {n: t.fault for n, t in self.targets.items() if n.startswith(env + "-")}
                else:
                    code, out = 404, {"error": "not found"}
            except (KeyError, ValueError, SystemExit) as e:
                code, out = 400, {"error": str(e)}
            except OSError as e:  # a port that cannot be bound again: say so, keep running
                code, out = 500, {"error": f"cannot listen again: {e}"}
            data = json.dumps(out).encode()
            w.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                    b"Connection: close\r\n\r\n" % (code, len(data)) + data)
            await w.drain()
        finally:
            w.close()

    async def run(self) -> None:
        self.load()
        for t in self.targets.values():
            if t.fault.get("mode") != "refuse" or t.fault.get("service") or t.fault.get("api_keys"):
                await self.listen(t)
        ctl = await asyncio.start_server(self.control, layout.HOST, layout.CONTROL_PORT, reuse_address=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # a relay has nothing to flush: exit at once (cancelling live pipes only logs noise)
        loop.add_signal_handler(signal.SIGTERM, lambda: os._exit(0))
        loop.add_signal_handler(signal.SIGINT, stop.set)
        await stop.wait()
        ctl.close()


async def start_server(handler, port: int, attempts: int = 50, **kw) -> asyncio.AbstractServer:
    """Listen on the port, retrying for a few seconds while it is still taken (a connection
    that lingers from the previous listener)."""
    for i in range(attempts):
        try:
            return await asyncio.start_server(handler, layout.HOST, port, reuse_address=True, **kw)
        except OSError as e:
            if i == attempts - 1:
                raise
            print(f"port {port} busy ({e.strerror}); retrying", flush=True)
            await asyncio.sleep(0.1)
    raise AssertionError("unreachable")


async def read_http_message(r: asyncio.StreamReader, request: bool,
                            w: asyncio.StreamWriter | None = None) -> tuple[bytes, bytes] | None:
    """One HTTP/1.1 message. With w, a request's `Expect: 100-continue` is answered here and
    dropped from the head (libcurl sends it for bodies over 1 KB and would wait a second)."""
    try:
        head = await r.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if e.partial:
            raise
        return None
    except asyncio.LimitOverrunError:
        raise ValueError("header too long")
    if request and w is not None and re.search(rb"(?im)^expect:\s*100-continue", head):
        head = re.sub(rb"(?im)^expect:[^\r\n]*\r\n", b"", head)
        w.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        await w.drain()
    m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    if m:
        return head, await r.readexactly(int(m.group(1)))
    if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
        body = b""
        while True:
            size_line = await r.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            chunk = await r.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                return head, body
    if request:
        return head, b""
    if head.split(b" ", 2)[1] in (b"204", b"304"):
        return head, b""
    return head, await r.read()


def sigv4_service(head: bytes) -> str | None:
    auth = header(head, "authorization") or ""
    m = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", auth)
    return m.group(1) if m else None


def main() -> None:
    asyncio.run(Proxy().run())


if __name__ == "__main__":
    main()
