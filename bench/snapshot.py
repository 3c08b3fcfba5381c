#!/usr/bin/env python3
"""One run, three figures: `lookout snapshot` over the four sandbox environments, the same reads
done with the aws CLI (what an SRE does without lookout), and lookout on the slowest single
environment. Prints the figures (medians of N runs) and the two ratios.

usage: bench/snapshot.py [--runs N] [--lookout PATH]   (the sandbox must be up: ./sandbox/up)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

root = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--lookout", default=str(root / ".build/release/lookout"))
args = parser.parse_args()

sandbox = Path(os.environ.get("LOOKOUT_SANDBOX", root / ".sandbox"))
info = json.loads((sandbox / "sandbox.json").read_text())
env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
env.update(AWS_CONFIG_FILE=info["aws_config_file"], AWS_SHARED_CREDENTIALS_FILE=info["aws_shared_credentials_file"],
           AWS_EC2_METADATA_DISABLED="true", LOOKOUT_CONFIG=info["lookout_config"],
           XDG_STATE_HOME=tempfile.mkdtemp(prefix="lookout-bench-"))


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median(commands):
    samples = []
    for _ in range(args.runs):
        samples.append(sum(timed(c) for c in commands))
    return statistics.median(samples)


def aws_cli_reads(name):
    e = info["environments"][name]
    p = ["aws", "--profile", e["profile"], "--region", info["region"], "--output", "json"]
    return [
        p + ["ecs", "list-services", "--cluster", e["cluster"]],
        p + ["ecs", "describe-services", "--cluster", e["cluster"], "--services", *e["services"]],
        p + ["ecs", "list-tasks", "--cluster", e["cluster"]],
        # describe-tasks needs the ARNs list-tasks printed; an SRE pastes them, we pass the same count
        p + ["ecs", "describe-tasks", "--cluster", e["cluster"], "--tasks", *task_arns(name)],
        p + ["autoscaling", "describe-auto-scaling-groups", "--auto-scaling-group-names", e["asg"]],
        p + ["ssm", "describe-parameters", "--parameter-filters",
             f"Key=Name,Option=Equals,Values={e['ssm']['admin-password']},{e['ssm']['client-password']}"],
        p + ["acm-pca", "describe-certificate-authority", "--certificate-authority-arn", e["pca_arn"]],
        p + ["acm-pca", "get-certificate-authority-certificate", "--certificate-authority-arn", e["pca_arn"]],
        p + ["ssm", "get-parameter", "--name", e["ssm"]["broker-cert"]],
        p + ["route53", "get-health-check-status", "--health-check-id", e["health_check_id"]],
    ]


def task_arns(name):
    e = info["environments"][name]
    out = subprocess.run(["aws", "--profile", e["profile"], "--region", info["region"], "--output", "json",
                          "ecs", "list-tasks", "--cluster", e["cluster"]], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)["taskArns"]


names = list(info["environments"])
lookout = [args.lookout, "snapshot", "--format", "json"]
timed(lookout)  # the first call to each moto service is slow; measure warm servers
all_four = median([lookout])
cli = median([c for n in names for c in aws_cli_reads(n)])
singles = {n: median([lookout + ["--env", n]]) for n in names}
slowest = max(singles, key=singles.get)

print(f"lookout snapshot, four environments: {all_four * 1000:.0f} ms (median of {args.runs})")
print(f"aws CLI, the same reads ({sum(len(aws_cli_reads(n)) for n in names[:1]) * len(names)} invocations): {cli * 1000:.0f} ms")
print(f"lookout snapshot, slowest single environment ({slowest}): {singles[slowest] * 1000:.0f} ms")
print(f"ratio lookout / aws CLI: {all_four / cli:.3f} (target <= 0.02)")
print(f"ratio four environments / slowest one: {all_four / singles[slowest]:.2f} (target <= 1.3)")
