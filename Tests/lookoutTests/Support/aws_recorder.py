"""A loopback HTTP relay that records the AWS operation of every request it passes on, so a
test can count what lookout asked AWS to do (a dry run must ask for no write).

usage: aws_recorder.py UPSTREAM_URL LOG_FILE PORT_FILE [RULE ...]
Listens on a free loopback port (written to PORT_FILE once listening), relays each request to
UPSTREAM_URL unchanged (moto does not check signatures), and appends one line per request to
LOG_FILE: the operation (X-Amz-Target's last part, or the Query protocol's Action). Bodies are
never logged: a PutParameter body would hold a value.

RULEs break AWS half-way through an action, at an exact point:
  blackhole-after=OPERATION:N  once N requests for OPERATION have been answered, every later
                               request (any operation) is read and never answered
  deny=OPERATION:N             the Nth request for OPERATION is answered 400 AccessDeniedException
                               (JSON protocol) without reaching AWS; others pass
  blackhole=OPERATION:N        the Nth request for OPERATION is read and never answered nor passed
                               on (AWS never sees it); others pass
  lose-answer=OPERATION:N      the Nth request for OPERATION is passed on to AWS, which acts on it,
                               and its answer is never sent back; others pass
OPERATION may name a target as OPERATION@NAME (e.g. PutParameter@/kafka/test/client-password):
then only requests whose JSON body's "Name" is NAME count, so lookout's lock parameters (also
PutParameter) do not.
The log line of a request that a rule stopped ends with " blackholed", " denied" or " answer-lost".
"""
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import json
import os
import threading
import time

upstream, log_file, port_file = sys.argv[1], sys.argv[2], sys.argv[3]
rules = {}
for rule in sys.argv[4:]:
    kind, _, spec = rule.partition("=")
    op, _, count = spec.rpartition(":")
    if kind not in ("blackhole-after", "deny", "blackhole", "lose-answer") or not op or not count.isdigit():
        sys.exit("aws_recorder.py: bad rule %r" % rule)
    op, _, name = op.partition("@")
    rules[kind] = (op, name or None, int(count))
counts = {}
answered = {}
lock = threading.Lock()


def counted(op, target):
    """The key a request counts under: the operation, or the operation and its target's name."""
    return op if target is None else "%s@%s" % (op, target)


def verdict(op, target):
    """What the rules say about this request: None (relay it), 'blackhole', 'deny' or 'lose-answer'."""
    with lock:
        for key in {op, counted(op, target)}:
            counts[key] = counts.get(key, 0) + 1
        if "blackhole-after" in rules:
            wanted, name, n = rules["blackhole-after"]
            if answered.get(counted(wanted, name), 0) >= n:
                return "blackhole"
        for kind in ("deny", "blackhole", "lose-answer"):
            if kind in rules:
                wanted, name, n = rules[kind]
                key = counted(wanted, name)
                if counted(op, target if name else None) == key and counts[key] == n:
                    return kind
    return None


def target_name(body):
    """The JSON protocol's "Name" of the request (a parameter's name; never its value)."""
    try:
        name = json.loads(body.decode("utf-8")).get("Name")
        return name if isinstance(name, str) else None
    except (ValueError, AttributeError):
        return None


def operation(headers, path, body):
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "Action" in query:
        return query["Action"][0]
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    if "Action" in form:
        return form["Action"][0]
    return "%s %s" % (headers.get("X-Method", "?"), urllib.parse.urlsplit(path).path)


class Relay(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def relay(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        op = operation(self.headers, self.path, body)
        target = target_name(body)
        stop = verdict(op, target)
        with open(log_file, "a") as log:
            log.write(op + {"blackhole": " blackholed", "deny": " denied", "lose-answer": " answer-lost"}.get(stop, "") + "\n")
        if stop == "blackhole":
            while True:
                time.sleep(3600)
        if stop == "deny":
            data = json.dumps({"__type": "AccessDeniedException",
                               "message": "aws_recorder.py: %s denied by the test" % op}).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        request = urllib.request.Request(upstream.rstrip("/") + self.path, data=body if body else None, method=self.command)
        for key, value in self.headers.items():
            if key.lower() not in ("host", "content-length", "connection", "expect"):
                request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, headers, data = response.status, response.getheaders(), response.read()
        except urllib.error.HTTPError as error:
            status, headers, data = error.code, error.headers.items(), error.read()
        if stop == "lose-answer":
            while True:
                time.sleep(3600)
        self.send_response(status)
        for key, value in headers:
            if key.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if status < 300:
            with lock:
                for key in {op, counted(op, target)}:
                    answered[key] = answered.get(key, 0) + 1

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = relay

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
server = ThreadingHTTPServer(("127.0.0.1", 0), Relay)
# Written whole and then renamed: a reader polling for the file never sees it empty.
with open(port_file + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.replace(port_file + ".tmp", port_file)
server.serve_forever()
