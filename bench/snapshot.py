#!/usr/bin/env python3
"""One run, three figures: `lookout snapshot` over the four sandbox environments, the same reads
done with the aws CLI (what an SRE does without lookout), and lookout on the slowest single
environment. Prints the figures (medians of N runs) and the two ratios.

Beside the four-environments / slowest-one ratio it prints what bounds it on a small machine: the
CPU that lookout and the sandbox's own servers (moto, Tansu, fronts, the fault proxy) spent during
each run, the floor that CPU sets on the number of cores there are, and a peer's ratio measured in
the same run: boto3 doing the aws CLI's reads, every environment in its own thread, against the
slowest environment alone (run with the sandbox venv's python, which has boto3).

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

import _sandbox  # bench/_sandbox.py

root = Path(__file__).resolve().parents[1]
parser = argparse.ArgumentParser()
parser.add_argument("--runs", type=int, default=5)
parser.add_argument("--lookout", default=str(root / ".build/release/lookout"))
args = parser.parse_args()

sandbox, info = _sandbox.load()
env = _sandbox.inherited(info, LOOKOUT_CONFIG=info["lookout_config"], XDG_STATE_HOME=tempfile.mkdtemp(prefix="lookout-bench-"))


CLOCK_TICK = os.sysconf("SC_CLK_TCK")


def process_tree(pid):
    found = [pid]
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children") as children:
                for child in children.read().split():
                    found += process_tree(int(child))
    except OSError:
        pass
    return found


def servers_cpu():
    """CPU seconds the sandbox's processes (and their children) have used so far."""
    ticks = 0
    for pid in info["pids"].values():
        for each in process_tree(pid):
            try:
                with open(f"/proc/{each}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                pass
    return ticks / CLOCK_TICK


cpu_samples = {}


def timed(command, label=None):
    servers_before = servers_cpu()
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{command[:3]} failed ({status})")
    if label:
        cpu_samples.setdefault(label, []).append((usage.ru_utime + usage.ru_stime, servers_cpu() - servers_before))
    return elapsed


def median(commands, label=None):
    samples = []
    for _ in range(args.runs):
        samples.append(sum(timed(c, label) for c in commands))
    return statistics.median(samples)


def cpu(label):
    own = statistics.median(a for a, _ in cpu_samples[label])
    servers = statistics.median(b for _, b in cpu_samples[label])
    return own, servers


PEER = r"""
import json, sys, threading, time, boto3, botocore.config
info = json.loads(open(sys.argv[1]).read())
names = sys.argv[2:]
config = botocore.config.Config(retries={"max_attempts": 1})
def reads(name, out):
    e = info["environments"][name]
    session = boto3.Session(profile_name=e["profile"], region_name=info["region"])
    client = lambda service: session.client(service, endpoint_url=e["aws_endpoint"], config=config)
    ecs, asg, ssm, pca, r53 = (client(s) for s in ("ecs", "autoscaling", "ssm", "acm-pca", "route53"))
    ecs.list_services(cluster=e["cluster"])
    ecs.describe_services(cluster=e["cluster"], services=e["services"])
    arns = ecs.list_tasks(cluster=e["cluster"])["taskArns"]
    if arns:
        ecs.describe_tasks(cluster=e["cluster"], tasks=arns)
    asg.describe_auto_scaling_groups(AutoScalingGroupNames=[e["asg"]])
    ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Option": "Equals",
                            "Values": [e["ssm"]["admin-password"], e["ssm"]["client-password"]]}])
    pca.describe_certificate_authority(CertificateAuthorityArn=e["pca_arn"])
    pca.get_certificate_authority_certificate(CertificateAuthorityArn=e["pca_arn"])
    ssm.get_parameter(Name=e["ssm"]["broker-cert"])
    r53.get_health_check_status(HealthCheckId=e["health_check_id"])
    out[name] = True
boto3.Session()  # the import and the loader's first use are not part of the figure
start = time.perf_counter()
done = {}
threads = [threading.Thread(target=reads, args=(n, done)) for n in names]
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - start
if len(done) != len(names): sys.exit("a peer read failed")
print(elapsed)
"""


def peer(names):
    """boto3's wall time for the aws CLI's reads of `names`, one thread per environment."""
    samples = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", PEER, str(sandbox / "sandbox.json"), *names],
                             env=env, check=True, capture_output=True, text=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
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
all_four = median([lookout], "all")
cli = median([c for n in names for c in aws_cli_reads(n)])
singles = {n: median([lookout + ["--env", n]], n) for n in names}
slowest = max(singles, key=singles.get)
peer_singles = {n: peer([n]) for n in names}
peer_slowest = max(peer_singles, key=peer_singles.get)
peer_all = peer(names)

print(f"lookout snapshot, four environments: {all_four * 1000:.0f} ms (median of {args.runs})")
print(f"aws CLI, the same reads ({sum(len(aws_cli_reads(n)) for n in names[:1]) * len(names)} invocations): {cli * 1000:.0f} ms")
print(f"lookout snapshot, slowest single environment ({slowest}): {singles[slowest] * 1000:.0f} ms")
print(f"ratio lookout / aws CLI: {all_four / cli:.3f} (target <= 0.02)")
print(f"ratio four environments / slowest one: {all_four / singles[slowest]:.2f} (target <= 1.3)")
cores = os.cpu_count()
for label, wall in (("all", all_four), (slowest, singles[slowest])):
    own, servers = cpu(label)
    print(f"  CPU during {'four environments' if label == 'all' else label}: lookout {own * 1000:.0f} ms, sandbox servers "
          f"{servers * 1000:.0f} ms; on {cores} cores that is at least {(own + servers) / cores * 1000:.0f} ms of the "
          f"{wall * 1000:.0f} ms")
print(f"peer: boto3, the same AWS reads, four environments in four threads {peer_all * 1000:.0f} ms, slowest alone "
      f"({peer_slowest}) {peer_singles[peer_slowest] * 1000:.0f} ms: ratio {peer_all / peer_singles[peer_slowest]:.2f}")
