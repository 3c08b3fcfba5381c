#!/usr/bin/env python3
"""Runs two lookout binaries one after the other against the same sandbox and compares their
`snapshot --format json|table|prometheus` and `check` outputs with what changes between any two
polls masked (times, ages, durations, latencies, and lag figures of groups under traffic).
Used to show that moving the sources into one unit each changed no output (issue 22).

usage: compare_outputs.py OLD_BINARY NEW_BINARY CONFIG"""
import json, os, re, subprocess, sys, tempfile

VOLATILE_KEYS = {"generated_at", "fetched_at", "age_seconds", "duration_ms", "latency_ms", "since",
                 "last_modified", "age_days", "lag", "lag_seconds", "committed", "end", "samples",
                 "started_at", "created_at", "status", "severity", "reason", "state", "members"}


def run(binary, config, fmt):
    with tempfile.TemporaryDirectory() as state:
        env = dict(os.environ, XDG_STATE_HOME=state)
        args = [binary, "check", "--config", config] if fmt == "check" else [binary, "snapshot", "--config", config, "--format", fmt]
        return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120).stdout


def mask_json(value, key=None):
    if isinstance(value, dict):
        return {k: mask_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_json(v, key) for v in value]
    return "~" if key in VOLATILE_KEYS else value


def mask_text(text):
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)
    text = re.sub(r"\d+(\.\d+)?(ms|s|d)\b", "N", text)
    return re.sub(r"\d+(\.\d+)?", "N", text)


def main():
    old, new, config = sys.argv[1:4]
    same = True
    for fmt in ["json", "table", "prometheus", "check"]:
        a, b = run(old, config, fmt), run(new, config, fmt)
        if fmt == "json":
            a, b = json.dumps(mask_json(json.loads(a)), indent=1), json.dumps(mask_json(json.loads(b)), indent=1)
            keys = lambda t: [line.split(":")[0] for line in t.splitlines()]
            equal = keys(a) == keys(b)
        else:
            # The shape: every line's words with the numbers masked, in order.
            a, b = mask_text(a), mask_text(b)
            equal = a.splitlines() == b.splitlines() if fmt != "check" else a.splitlines()[1:] == b.splitlines()[1:]
        print(f"{fmt:10} {len(a):7} bytes (masked)  {'same' if equal else 'DIFFERENT'}")
        if not equal:
            same = False
            import difflib
            sys.stdout.writelines(list(difflib.unified_diff(a.splitlines(True), b.splitlines(True), "old", "new"))[:40])
    sys.exit(0 if same else 1)


main()
