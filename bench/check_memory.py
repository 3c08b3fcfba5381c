#!/usr/bin/env python3
"""`check`'s peak RSS with a full window, for one or more lookout binaries side by side (issue 26):
per binary a state folder of its own filled by `--window-runs` checks, then `--runs` measured
checks taken in turn (binary A, B, A, B, ...), so that the machine's load falls on each alike.
RSS is read from /proc every 5 ms: the highest (VmHWM), anonymous and file-backed; the state
file's read, update and write times come from LOOKOUT_STATE_TRACE.

usage (the sandbox venv's python, after ./sandbox/up and ./sandbox/scale up):
  bench/check_memory.py [--runs 4] [--window-runs 10] BINARY [BINARY ...]
e.g. the build the tests use against the package: .build/release/lookout dist/lookout-*/bin/lookout
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import _sandbox  # bench/_sandbox.py

parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=4)
parser.add_argument("--window-runs", type=int, default=10)
parser.add_argument("binaries", nargs="+")
args = parser.parse_args()
sandbox, info = _sandbox.load()
config = _sandbox.scale_config(sandbox)


def check(binary: str, env: dict[str, str]) -> dict[str, int]:
    child = subprocess.Popen([binary, "check", "--config", str(config)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return _sandbox.peak_memory(child.pid, lambda: child.poll() is None)


states: dict[str, Path] = {}
envs: dict[str, dict[str, str]] = {}
for binary in args.binaries:
    state = Path(tempfile.mkdtemp(prefix="lookout-check-memory-"))
    env = _sandbox.inherited(info, XDG_STATE_HOME=str(state), LOOKOUT_STATE_TRACE=str(state / "state.trace"))
    env.pop("AWS_CA_BUNDLE", None)
    states[binary], envs[binary] = state, env
    for _ in range(args.window_runs):
        check(binary, env)
measured: dict[str, list[dict[str, int]]] = {binary: [] for binary in args.binaries}
for _ in range(args.runs):
    for binary in args.binaries:
        measured[binary].append(check(binary, envs[binary]))
for binary, runs in measured.items():
    trace = (states[binary] / "state.trace").read_text().splitlines()[-2 * args.runs:]
    state_ms = sorted(round(json.loads(line)["state_ms"]) for line in trace)
    print(f"{binary}: peak RSS {[r['VmHWM'] // 1024 for r in runs]} MB, anonymous {[r['RssAnon'] // 1024 for r in runs]}, "
          f"file-backed {[r['RssFile'] // 1024 for r in runs]}; state file read, updated and written in {state_ms} ms")
for state in states.values():
    shutil.rmtree(state, ignore_errors=True)
