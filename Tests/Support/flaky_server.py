"""A JSON 1.1 endpoint on loopback that fails on purpose, to prove the retry rules.

Usage: flaky_server.py PORT STATUS CODE FAILURES
The first FAILURES POSTs get HTTP STATUS with {"__type": CODE}; later ones get an SSM
GetParameter answer. GET /count answers how many POSTs came in.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, status, code, failures = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
lock = threading.Lock()
posts = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with lock:
            self.reply(200, {"count": posts})

    def do_POST(self):
        global posts
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            posts += 1
            number = posts
        if number <= failures:
            self.reply(status, {"__type": code, "message": f"failure {number}"})
        else:
            self.reply(200, {"Parameter": {"Name": "/flaky", "Type": "String", "Value": "ok", "Version": 1}})

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
