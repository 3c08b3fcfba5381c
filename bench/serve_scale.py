#!/usr/bin/env python3
"""`lookout serve` at production scale (issues 26 and 27), on the sandbox's `scale` environment
(`./sandbox/scale up`): its RSS (read from /proc every 100 ms: the highest, and after the last
poll, split into anonymous and file-backed pages), the series it serves, and each scrape's time as
Prometheus asks (OpenMetrics, gzip) beside the same bytes fetched by curl, after N polls.

usage (the sandbox venv's python, after ./sandbox/up, ./sandbox/scale up and a release build):
  bench/serve_scale.py [--polls 10] [--scrapes 8] [--lookout .build/release/lookout]
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import _sandbox  # bench/_sandbox.py

root = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--polls", type=int, default=10)
parser.add_argument("--scrapes", type=int, default=8)
parser.add_argument("--lookout", default=str(root / ".build/release/lookout"))
args = parser.parse_args()

sandbox, info = _sandbox.load()
config = _sandbox.scale_config(sandbox)
state = Path(tempfile.mkdtemp(prefix="lookout-serve-scale-"))
env = _sandbox.inherited(info, XDG_STATE_HOME=str(state))
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
url = f"http://127.0.0.1:{port}"
child = subprocess.Popen([args.lookout, "serve", "--config", str(config), "--listen", f"127.0.0.1:{port}"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
fields = ("VmRSS", "RssAnon", "RssFile")
peak = {k: 0 for k in fields}
last = {k: 0 for k in fields}
done = threading.Event()


def sample() -> None:
    while not done.is_set():
        try:
            for line in open(f"/proc/{child.pid}/status"):
                key = line.split(":")[0]
                if key in fields:
                    last[key] = int(line.split()[1])
                    peak[key] = max(peak[key], last[key])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.1)


threading.Thread(target=sample, daemon=True).start()


def get(path: str, headers: dict[str, str] | None = None) -> tuple[bytes, float, dict]:
    request = urllib.request.Request(url + path, headers=headers or {})
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = answer.read()
        return body, time.perf_counter() - t0, dict(answer.headers)


def polls() -> int:
    """Polls so far, read as Prometheus reads (gzip: the plain text is rendered anew for each
    request, 67 MB at scale, and would be what is measured)."""
    try:
        text = gzip.decompress(get("/metrics", {"Accept-Encoding": "gzip"})[0]).decode()
    except OSError:
        return 0
    return int(sum(float(m) for m in re.findall(r'^lookout_poll_cycles_total\{[^}]*\} ([0-9.e+]+)', text, re.M)))


try:
    deadline = time.time() + 60 + args.polls * 30
    while polls() < args.polls:
        if child.poll() is not None or time.time() > deadline:
            sys.exit(f"serve did not reach {args.polls} polls: {child.stderr.read().decode()[-2000:]}")
        time.sleep(2)
    accept = {"Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", "Accept-Encoding": "gzip"}
    times, sizes = [], []
    for _ in range(args.scrapes):
        body, seconds, _ = get("/metrics", accept)
        times.append(seconds * 1000)
        sizes.append(len(body))
        time.sleep(0.5)
    text = gzip.decompress(body)
    series = sum(1 for line in text.split(b"\n") if line and not line.startswith(b"#"))
    curl = []
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(["curl", "-s", "-o", "/dev/null", "-H", f"Accept: {accept['Accept']}", "-H", "Accept-Encoding: gzip", url + "/metrics"], check=True)
        curl.append((time.perf_counter() - t0) * 1000)
    time.sleep(1)
    print(f"serve on scale after {args.polls} polls: {series:,} series, {len(text) / 1e6:.0f} MB of text, {statistics.median(sizes) / 1e6:.1f} MB gzip")
    print(f"scrape (OpenMetrics, gzip): median {statistics.median(times):.1f} ms, max {max(times):.1f} ms over {len(times)}; "
          f"curl fetching the same: median {statistics.median(curl):.1f} ms")
    print(f"RSS highest {peak['VmRSS'] / 1024:.0f} MB (anonymous {peak['RssAnon'] / 1024:.0f}, file-backed {peak['RssFile'] / 1024:.0f}); "
          f"now {last['VmRSS'] / 1024:.0f} MB (anonymous {last['RssAnon'] / 1024:.0f}, file-backed {last['RssFile'] / 1024:.0f})")
finally:
    done.set()
    child.terminate()
    child.wait(timeout=10)
