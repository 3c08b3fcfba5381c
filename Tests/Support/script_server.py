"""Runs the tests' Python helper scripts in one long-lived process (the sandbox venv's python),
so that a test calling a helper in a loop pays for boto3's and confluent-kafka's import once,
not on every call.

Protocol: one JSON request per line on stdin, {"script": PATH, "args": [...]}; one JSON answer
per line, {"status": N, "stdout": "...", "stderr": "..."}, as the script run on its own would
have exited and printed. Each script runs as __main__ with its own globals and sys.argv; the
environment is put back after each run. The answers go to a private copy of the original
stdout: whatever writes to file descriptor 1 itself (a C library) lands on stderr instead.
"""
import contextlib
import io
import json
import os
import runpy
import sys
import traceback

import boto3  # noqa: F401 - imported once, here, for every script
import botocore  # noqa: F401
import confluent_kafka  # noqa: F401
import cryptography.x509  # noqa: F401

# The sandbox's profiles say which CA each environment's AWS needs (acc: its HTTPS front's, in
# the profile's ca_bundle); a machine-wide AWS_CA_BUNDLE would override it, as it does for the
# AWS CLI. The lookout under test runs without it too (LookoutBinary's environment).
os.environ.pop("AWS_CA_BUNDLE", None)
answers = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)


def run(script: str, args: list[str]) -> dict:
    out, err = io.StringIO(), io.StringIO()
    saved_argv, saved_env, saved_path = sys.argv, dict(os.environ), list(sys.path)
    sys.argv = [script] + args
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    status = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                runpy.run_path(script, run_name="__main__")
            except SystemExit as exit_:
                if exit_.code is None:
                    status = 0
                elif isinstance(exit_.code, int):
                    status = exit_.code
                else:
                    print(exit_.code, file=sys.stderr)
                    status = 1
            except BaseException:  # noqa: BLE001 - the script failed: as python would, exit 1
                # Only the frames, as --tb=short shows them: no local values.
                traceback.print_exc(limit=-4)
                status = 1
    finally:
        sys.argv, sys.path[:] = saved_argv, saved_path
        os.environ.clear()
        os.environ.update(saved_env)
    return {"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}


for line in sys.stdin:
    if not line.strip():
        continue
    request = json.loads(line)
    answers.write(json.dumps(run(request["script"], request.get("args", []))) + "\n")
