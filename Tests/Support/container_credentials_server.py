"""A stand-in for the ECS container credentials endpoint, on loopback.

Usage: container_credentials_server.py PORT TOKEN ACCESS_KEY SECRET SESSION_TOKEN
Answers GET /creds with the credentials JSON only when Authorization equals TOKEN (else 401);
TOKEN "-" means no Authorization header at all (as ECS's RELATIVE_URI endpoint is asked).
"""
import datetime
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, token, access_key, secret, session_token = sys.argv[1:6]
expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        expected = None if token == "-" else token
        if self.path != "/creds" or self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"AccessKeyId": access_key, "SecretAccessKey": secret, "Token": session_token,
                           "Expiration": expiration, "RoleArn": "arn:aws:iam::123456789012:role/task"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
