#!/usr/bin/env python3
"""The soak (issue 25): the console runs on the sandbox in tmux for an hour while one of dev's
broker services is rolled every 5 minutes and dev's public endpoint flaps (refused for 20 s)
every 2; every 10 s the console's RSS and open descriptors are read from /proc, and every poll's
lateness against its due time and its duration come from the console itself
(LOOKOUT_POLL_TRACE). Passes when: the console never exits; RSS grows at most 5 % (--max-rss-growth) between the
first sample after minute 5 (or 25 % of the run, for short runs) and the last; the descriptors
stay flat (the least count of the last third of the run within 4 of the first third's: a
poll's connections come and go);
every poll starts within 1 s of its due time; and no environment goes without a finished poll
for longer than its refresh plus twice the source timeout plus 5 s (a source's timeout bounds a
poll; the margin is for a loaded machine).

usage (the sandbox venv's python, after ./sandbox/up and a release build):
  bench/soak.py [--minutes 60] [--roll-every 300] [--flap-every 120] [--report docs/soak.md]
CI runs `--minutes 2 --roll-every 40 --flap-every 30 --max-rss-growth 25` (SoakSmokeSandboxTests).
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
import urllib.request
from pathlib import Path

import _sandbox  # bench/_sandbox.py

root = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--minutes", type=float, default=60)
parser.add_argument("--roll-every", type=float, default=300)
parser.add_argument("--flap-every", type=float, default=120)
parser.add_argument("--flap-for", type=float, default=20)
parser.add_argument("--sample-every", type=float, default=10)
parser.add_argument("--lookout", default=str(root / ".build/release/lookout"))
parser.add_argument("--report", help="write the figures as Markdown to this file")
parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="an extra variable for the console (an experiment: MALLOC_ARENA_MAX=2)")
parser.add_argument("--keep-trace", help="copy the poll trace (JSON lines) here")
parser.add_argument("--max-rss-growth", type=float, default=5.0,
                    help="percent; the 2-minute CI run allows 25 (its groups' windows of 10 polls are still filling)")
args = parser.parse_args()

sandbox, info = _sandbox.load()
sys.path.insert(0, str(root / "sandbox" / "lib"))
os.environ["LOOKOUT_SANDBOX"] = str(sandbox)
from sbx import layout  # noqa: E402
from sbx.aws import Account  # noqa: E402

work = Path(tempfile.mkdtemp(prefix="lookout-soak-"))
trace = work / "polls.jsonl"
env = _sandbox.bare(info, work, LOOKOUT_CONFIG=info["lookout_config"], XDG_STATE_HOME=str(work / "state"), LOOKOUT_POLL_TRACE=str(trace))
env.update(dict(pair.split("=", 1) for pair in args.env))
REFRESH_S, SOURCE_TIMEOUT_S = 10.0, 10.0  # lookout.yaml's refresh and lookout's default source timeout
SOCKET = f"lookout-soak-{os.getpid()}"
tmux = shutil.which("tmux") or sys.exit("bench/soak needs tmux")


def tm(*a: str) -> str:
    return subprocess.run([tmux, "-L", SOCKET, "-f", "/dev/null", *a], capture_output=True, text=True).stdout


def control(path: str, body: dict) -> None:
    req = urllib.request.Request(info["control"]["faults"].rsplit("/", 1)[0] + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def proc(pid: int) -> tuple[int, int] | None:
    try:
        rss = next(int(line.split()[1]) for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS:"))
        return rss, len(os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return None


command = " ".join(["env", "-i", *[f"{k}={v}" for k, v in env.items()], args.lookout])
tm("new-session", "-d", "-s", "soak", "-x", "200", "-y", "50", command)
time.sleep(1)
pid = int(tm("display-message", "-p", "-t", "soak", "#{pane_pid}").strip() or 0)
e = layout.env("dev")
ecs = Account(e).client("ecs")
start = time.time()
end = start + args.minutes * 60
next_roll, next_flap, flap_until = start + args.roll_every, start + args.flap_every, None
samples: list[tuple[float, int, int]] = []
rolls = flaps = 0
crashed = None
try:
    while time.time() < end:
        now = time.time()
        got = proc(pid)
        if got is None or not tm("list-panes", "-t", "soak", "-F", "#{pane_dead}").startswith("0"):
            crashed = f"the console ended at {now - start:.0f} s"
            break
        samples.append((now - start, *got))
        if now >= next_roll:
            service = layout.SERVICES[rolls % len(layout.SERVICES)]
            ecs.update_service(cluster=e.cluster, service=service, forceNewDeployment=True)
            rolls += 1
            next_roll += args.roll_every
        if flap_until is None and now >= next_flap:
            control(f"/faults/{e.name}-public", {"mode": "refuse"})
            flaps += 1
            flap_until, next_flap = now + args.flap_for, next_flap + args.flap_every
        if flap_until is not None and now >= flap_until:
            control(f"/faults/{e.name}-public", {"mode": "pass"})
            flap_until = None
        time.sleep(max(0.0, min(args.sample_every, end - time.time(), (flap_until or end) - time.time())))
finally:
    control(f"/faults/{e.name}-public", {"mode": "pass"})
    screen = tm("capture-pane", "-p", "-t", "soak")
    tm("send-keys", "-t", "soak", "q")
    time.sleep(1)
    tm("kill-server")

polls = [json.loads(line) for line in trace.read_text().splitlines()] if trace.exists() else []
elapsed = time.time() - start
settle = min(300.0, args.minutes * 60 * 0.25)
after = [s for s in samples if s[0] >= settle]
rss_first, rss_last = (after[0][1], after[-1][1]) if after else (0, 0)
growth = (rss_last - rss_first) / rss_first * 100 if rss_first else 0.0
fds = [s[2] for s in after]
# A poll holds its connections open while it runs, so a sample taken then counts them (the most
# is noise: four environments polled at once hold some 60): a leak is a rise of the least count,
# the console between polls, from the first third of the run to the last.
third = max(1, len(fds) // 3)
first_fds, last_fds = fds[:third], fds[-third:]
flat = bool(fds) and min(last_fds) - min(first_fds) <= 4
# The C heap as the console saw it after each poll: bytes in use (a leak grows these) against
# bytes the allocator holds (fragmentation grows only these), first poll after the settle and last.
heap = [(p["at"] - start, p.get("heap_in_use", -1), p.get("heap_held", -1)) for p in polls]
heap_after = [h for h in heap if h[0] >= settle] or heap
late = sorted(p["late_ms"] for p in polls)
took = sorted(p["took_ms"] for p in polls)
by_env: dict[str, list[float]] = {}
for p in polls:
    by_env.setdefault(p["environment"], []).append(p["at"])
gap_limit = REFRESH_S + 2 * SOURCE_TIMEOUT_S + 5
gaps = {name: max((b - a for a, b in zip(ats, ats[1:])), default=0.0) for name, ats in by_env.items()}
checks = {
    "the console ran to the end": crashed is None,
    f"RSS growth <= {args.max_rss_growth:g} % (from {settle:.0f} s)": growth <= args.max_rss_growth,
    "descriptors flat (the last third's least within 4 of the first third's)": flat,
    "every poll started within 1 s of its due time": bool(late) and late[-1] <= 1000,
    f"no environment without a finished poll for over {gap_limit:.0f} s": bool(gaps) and max(gaps.values()) <= gap_limit,
    "every environment polled": set(by_env) == {x.name for x in layout.ENVS},
}


def pct(values: list[int], q: float) -> int:
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0


lines = [
    f"soak: {elapsed / 60:.1f} min, {len(samples)} samples, {rolls} rolls of a dev broker service, {flaps} endpoint flaps",
    f"RSS: {rss_first} kB at {settle:.0f} s, {rss_last} kB at the end ({growth:+.1f} %); min {min((s[1] for s in samples), default=0)} kB, max {max((s[1] for s in samples), default=0)} kB",
    "C heap in use: {a} kB at {s:.0f} s, {b} kB at the end; held by the allocator: {c} kB, then {d} kB".format(
        a=heap_after[0][1] // 1024 if heap_after else 0, b=heap_after[-1][1] // 1024 if heap_after else 0, s=settle,
        c=heap_after[0][2] // 1024 if heap_after else 0, d=heap_after[-1][2] // 1024 if heap_after else 0),
    f"descriptors after {settle:.0f} s: min {min(fds, default=0)}, max {max(fds, default=0)}; first third {min(first_fds, default=0)}-{max(first_fds, default=0)}, "
    f"last third {min(last_fds, default=0)}-{max(last_fds, default=0)}",
    f"polls: {len(polls)} ({', '.join(f'{k} {len(v)}' for k, v in sorted(by_env.items()))}); lateness ms median {pct(late, 0.5)}, "
    f"p99 {pct(late, 0.99)}, max {late[-1] if late else 0}; duration ms median {pct(took, 0.5)}, p99 {pct(took, 0.99)}, max {took[-1] if took else 0}",
    f"longest gap between finished polls: {', '.join(f'{k} {v:.1f} s' for k, v in sorted(gaps.items()))}",
] + [f"{'PASS' if ok else 'FAIL'}: {name}" for name, ok in checks.items()]
if crashed:
    lines.append(f"FAIL: {crashed}; last screen:\n{screen}")
print("\n".join(lines), flush=True)
if args.report:
    series = "\n".join(f"| {s[0] / 60:.1f} | {s[1]} | {s[2]} |" for s in samples[:: max(1, len(samples) // 24)])
    Path(args.report).write_text(
        "# Soak\n\nWritten by `bench/soak.py --minutes {m:g} --roll-every {r:g} --flap-every {f:g}` on {d} against the sandbox "
        "(lookout.yaml: the four environments, refresh 10 s, default timeouts).\n\n```\n{body}\n```\n\n"
        "| minute | RSS kB | descriptors |\n|---|---|---|\n{series}\n".format(
            m=args.minutes, r=args.roll_every, f=args.flap_every, d=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            body="\n".join(lines), series=series))
if args.keep_trace and trace.exists():
    shutil.copyfile(trace, args.keep_trace)
shutil.rmtree(work, ignore_errors=True)
sys.exit(0 if all(checks.values()) else 1)
