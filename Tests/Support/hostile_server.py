"""Servers that answer with hostile bytes, for the tests that feed them to the built binary.

Usage: hostile_server.py MODE PORT_FILE   (binds a free loopback port, writes it to PORT_FILE)

  tls-bad-san  TLS on the port, serving a certificate (made here with python `cryptography`)
               whose first IP address SAN is 5 bytes long and the second 3: one made with two
               IPv4 SANs, its DER patched in place (same length, so every outer length holds).
  deep-xml     HTTP answering every request 200 with an XML document nested 50,000 deep.
  huge-body    HTTP answering every request 200 with a 20 MiB body.
  evil-error   HTTP answering every request 400 with an AWS error whose code and message hold an
               OSC title sequence, a bell, a carriage return and a right-to-left override (raw
               bytes and XML character references, as a hostile endpoint or proxy could send).
  ecs-poison   ECS (JSON 1.1) for cluster `c`: every service asked for exists with desiredCount 1
               and one RUNNING task, but a DescribeServices request that names `poison` is answered
               200 with a body cut short (it does not decode); `all-poison` in the mode's place
               garbles every DescribeServices answer. GET /counts gives the requests per operation
               (boto3 reads it as a real ECS: proven in the test that uses it).
"""
import datetime
import json
import os
import socket
import ssl
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

mode, port_file = sys.argv[1], sys.argv[2]


def write_port(port: int) -> None:
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, port_file)


def bad_san_certificate(folder: str) -> tuple[str, str]:
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hostile \x1b]0;title\x07 endpoint")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.IPAddress(ipaddress.ip_address("10.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    good = bytes([0x87, 4, 127, 0, 0, 1, 0x87, 4, 10, 0, 0, 1])
    bad = bytes([0x87, 5, 127, 0, 0, 1, 10, 0x87, 3, 0, 0, 1])
    assert der.count(good) == 1, "the SANs are not where expected"
    der = der.replace(good, bad)
    cert_path, key_path = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
    with open(cert_path, "w") as f:
        f.write(ssl.DER_cert_to_PEM_cert(der))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


def serve_tls() -> None:
    folder = tempfile.mkdtemp()
    cert, key = bad_san_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    write_port(listener.getsockname()[1])
    while True:
        conn, _ = listener.accept()

        def handshake(conn=conn):
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.settimeout(5)
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                pass

        threading.Thread(target=handshake, daemon=True).start()


COUNTS: dict[str, int] = {}
COUNTS_LOCK = threading.Lock()


def ecs_answer(operation: str, request: dict) -> tuple[int, bytes]:
    """ECS for cluster `c`: services as asked, one RUNNING task each (arn .../c/task-NAME)."""
    if operation == "DescribeServices":
        names = request.get("services", [])
        if mode == "all-poison" or "poison" in names:
            return 200, b'{"services":[{"serviceName":"broker-a","desiredCount":'  # cut short
        services = [{"serviceName": n, "serviceArn": f"arn:aws:ecs:eu-west-1:123456789012:service/c/{n}",
                     "status": "ACTIVE", "desiredCount": 1, "runningCount": 1, "pendingCount": 0,
                     "deployments": [{"id": f"ecs-svc/{n}", "status": "PRIMARY", "rolloutState": "COMPLETED",
                                      "createdAt": 1796000000.0}]} for n in names]
        return 200, json.dumps({"services": services, "failures": []}).encode()
    if operation == "ListTasks":
        names = ["broker-a", "broker-b", "broker-c", "poison"]
        return 200, json.dumps({"taskArns": [f"arn:aws:ecs:eu-west-1:123456789012:task/c/task-{n}" for n in names]}).encode()
    if operation == "DescribeTasks":
        tasks = [{"taskArn": arn, "group": "service:" + arn.rsplit("task-", 1)[1], "lastStatus": "RUNNING",
                  "desiredStatus": "RUNNING"} for arn in request.get("tasks", [])]
        return 200, json.dumps({"tasks": tasks, "failures": []}).encode()
    return 400, json.dumps({"__type": "InvalidParameterException", "message": f"not played here: {operation}"}).encode()


class Hostile(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if mode in ("ecs-poison", "all-poison"):
            if self.command == "GET" and self.path == "/counts":
                with COUNTS_LOCK:
                    status, body = 200, json.dumps(COUNTS).encode()
            else:
                operation = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
                with COUNTS_LOCK:
                    COUNTS[operation] = COUNTS.get(operation, 0) + 1
                status, body = ecs_answer(operation, json.loads(raw or b"{}"))
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif mode == "evil-error":
            body = ("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling&#x1B;]0;pwned&#x7;</Code>"
                    "<Message>slow down\x1b[2J\r\u202eforged &#x9b;31m</Message></Error>"
                    "<RequestId>r-1</RequestId></ErrorResponse>").encode()
            self.send_response(400)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif mode == "deep-xml":
            body = b"<a>" * 50_000 + b"</a>" * 50_000
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            size = 20 << 20
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            chunk = b"<" + b"a" * 65_535
            try:
                for _ in range(size // len(chunk)):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client stopped reading: what a cap does

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


if mode == "tls-bad-san":
    serve_tls()
else:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    write_port(server.server_address[1])
    server.serve_forever()
