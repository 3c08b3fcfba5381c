#!/usr/bin/env python3
"""The console at scale (issue 26): the console in tmux on the sandbox's `scale` environment
(`./sandbox/scale up`) with LOOKOUT_FRAME_TRACE, driven key by key: the overview, `:groups`
(1,000 rows) scrolled, `/` filtering on every keystroke, Enter on the widest group (its
partitions), then the same overview keys on the four-environment sandbox for comparison. The
console measures each key from its read to its frame written; this prints the median, p95 and
most per step, and the console's RSS after `--polls` polls (LOOKOUT_POLL_TRACE).

usage (the sandbox venv's python, after ./sandbox/up, ./sandbox/scale up and a release build):
  bench/console_scale.py [--polls 100] [--refresh 2s]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _sandbox  # bench/_sandbox.py

root = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--polls", type=int, default=100)
parser.add_argument("--refresh", default="2s")
parser.add_argument("--lookout", default=str(root / ".build/release/lookout"))
parser.add_argument("--view", choices=["partitions", "overview"], default="partitions",
                    help="where the console waits for its polls: the widest group's partitions (after every key step), or the overview (after its first)")
args = parser.parse_args()
sandbox, info = _sandbox.load()
tmux = shutil.which("tmux") or sys.exit("needs tmux")
SOCKET = f"lookout-console-scale-{os.getpid()}"


def tm(*a: str) -> str:
    return subprocess.run([tmux, "-L", SOCKET, "-f", "/dev/null", *a], capture_output=True, text=True).stdout


def console(config: Path, work: Path) -> tuple[Path, Path, int]:
    frames, polls = work / "frames.jsonl", work / "polls.jsonl"
    env = _sandbox.bare(info, work, XDG_STATE_HOME=str(work / "state"), LOOKOUT_FRAME_TRACE=str(frames), LOOKOUT_POLL_TRACE=str(polls))
    command = " ".join(["env", "-i", *[f"{k}={v}" for k, v in env.items()], args.lookout, "--config", str(config)])
    tm("new-session", "-d", "-s", work.name, "-x", "200", "-y", "50", command)
    time.sleep(0.5)
    return frames, polls, int(tm("display-message", "-p", "-t", work.name, "#{pane_pid}").strip() or 0)


def lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def keys(session: str, frames: Path, step: str, sequence: list[str], results: dict) -> None:
    before = len(lines(frames))
    for key in sequence:
        tm("send-keys", "-t", session, *([key] if len(key) > 1 else ["-l", key]))
        time.sleep(0.05)
    time.sleep(0.5)
    got = [x["us"] / 1000 for x in lines(frames)[before:]]
    results[step] = got


def summary(values: list[float]) -> str:
    if not values:
        return "no frames"
    values = sorted(values)
    return f"{len(values)} keys: median {statistics.median(values):.1f} ms, p95 {values[int(0.95 * (len(values) - 1))]:.1f} ms, max {values[-1]:.1f} ms"


def rss(pid: int) -> int:
    try:
        return next(int(x.split()[1]) for x in open(f"/proc/{pid}/status") if x.startswith("VmRSS:"))
    except (FileNotFoundError, StopIteration):
        return 0


results: dict[str, list[float]] = {}
scale_config = _sandbox.scale_config(sandbox)
work = Path(tempfile.mkdtemp(prefix="lk-scale-"))
config = work / "scale.yaml"
config.write_text(scale_config.read_text().replace("refresh: 10s", f"refresh: {args.refresh}"))
frames, polls, pid = console(config, work)
deadline = time.time() + 120
while time.time() < deadline and not lines(polls):
    time.sleep(0.5)
keys(work.name, frames, "scale overview: j, k", ["j", "k"] * 10, results)
if args.view == "partitions":
    keys(work.name, frames, "scale :groups (open)", [":", "g", "r", "o", "u", "p", "s", "Enter"], results)
    keys(work.name, frames, "scale :groups scrolled (j x50, PageDown x5)", ["j"] * 50 + ["PageDown"] * 5, results)
    keys(work.name, frames, "scale / filter typed g-wide", ["/", "g", "-", "w", "i", "d", "e", "Enter"], results)
    keys(work.name, frames, "scale Enter: the widest group's partitions, scrolled", ["Enter"] + ["j"] * 30 + ["PageDown"] * 5, results)
rows = max((x["rows"] for x in lines(frames)), default=0)
while time.time() < deadline + 3600 and len(lines(polls)) < args.polls:
    time.sleep(1)
# RSS moves within a poll (a poll's arrays, then a malloc_trim at most once a minute): sampled
# every half second over 30 s, the median and the highest
samples = []
for _ in range(60):
    samples.append(rss(pid))
    time.sleep(0.5)
memory, highest = statistics.median(samples), max(samples)
traced = lines(polls)
heap = [(x.get("heap_in_use", 0), x.get("heap_held", 0)) for x in traced[-10:]]
trims = [x["trim_ms"] for x in traced if x.get("trim_ms", -1) >= 0]
tm("kill-server")
# a new session on a server still going down goes down with it (no frames from the second console)
for _ in range(50):
    if subprocess.run([tmux, "-L", SOCKET, "list-sessions"], capture_output=True).returncode != 0:
        break
    time.sleep(0.1)

work2 = Path(tempfile.mkdtemp(prefix="lk-small-"))
small = work2 / "lookout.yaml"
small.write_text((sandbox / "lookout-tests.yaml").read_text().replace("ca_file: pki/", f"ca_file: {sandbox}/pki/"))
frames2, polls2, _ = console(small, work2)
deadline = time.time() + 60
while time.time() < deadline and len(lines(polls2)) < 4:
    time.sleep(0.5)
keys(work2.name, frames2, "sandbox (4 environments) overview: j, k", ["j", "k"] * 10, results)
tm("kill-server")

for step, values in results.items():
    print(f"{step}: {summary(values)}")
print(f"largest view: {rows} rows; console RSS after {args.polls} polls of scale in the {args.view} view, over the next 30 s: median {memory / 1024:.0f} MB, highest {highest / 1024:.0f} MB")
if heap:
    print("C heap at the last polls (in use / held, MB): " + ", ".join(f"{u / 2**20:.0f}/{h / 2**20:.0f}" for u, h in heap))
if trims:
    print(f"malloc_trim after a poll: median {statistics.median(trims):.1f} ms, max {max(trims):.1f} ms over {len(trims)} polls")
shutil.rmtree(work, ignore_errors=True)
shutil.rmtree(work2, ignore_errors=True)
