"""up is idempotent; the files it writes are complete and point only at the fault proxy."""
from __future__ import annotations

import json

import yaml

from conftest import HOME, run


def pids() -> dict:
    return {p.stem: json.loads(p.read_text())["pid"] for p in (HOME / "run").glob("*.pid")}


def test_second_up_changes_nothing():
    before = pids()
    files = {name: (HOME / name).read_bytes() for name in ("lookout.yaml", "lookout-tests.yaml", "aws/config", "aws/credentials", "env.sh")}
    out = run("up").stdout
    assert "seeding" not in out
    assert pids() == before
    for name, data in files.items():
        assert (HOME / name).read_bytes() == data, name
    assert run("status").returncode == 0


def test_lookout_yaml_is_complete_and_points_at_the_proxy(sb):
    cfg = yaml.safe_load((HOME / "lookout.yaml").read_text())
    envs = {e["name"]: e for e in cfg["environments"]}
    assert list(envs) == ["dev", "test", "acc", "prod"]
    assert [e["protected"] for e in envs.values()] == [False, False, False, True]
    proxy_ports = set()
    for name, e in sb["environments"].items():
        proxy_ports |= {e["ports"]["aws_proxy"], e["ports"]["kafka_proxy"], e["ports"]["public_proxy"]}
        proxy_ports |= {e["ports"]["aws_tls_proxy"]} - {None}  # acc: AWS over HTTPS (the proxy's TLS front)
    for name, e in envs.items():
        s = sb["environments"][name]
        assert e["aws"]["endpoint"] == s["aws_endpoint"] and e["aws"]["profile"] == s["profile"]
        addresses = [e["aws"]["endpoint"].rsplit(":", 1)[1]] + [b.rsplit(":", 1)[1] for b in e["kafka"]["bootstrap"]]
        addresses += [x["address"].rsplit(":", 1)[1] for x in e["endpoints"]]
        assert {int(p) for p in addresses} <= proxy_ports, name
        assert [x["name"] for x in e["secrets"]] == ["admin-password", "client-password"]
        assert e["certificates"]["pca"] == s["pca_arn"]
        assert e["certificates"]["tracked"][0]["cert_ssm"] == s["ssm"]["broker-cert"]
        assert ("tls" in e["kafka"]) == (s["security"] in ("SSL", "SASL_SSL"))
        assert ("sasl" in e["kafka"]) == s["security"].startswith("SASL")
        if "tls" in e["kafka"]:
            assert (HOME / e["kafka"]["tls"]["ca_file"]).is_file()  # relative to the config's folder
        if "sasl" in e["kafka"]:
            assert e["kafka"]["sasl"]["password_ssm"] == s["ssm"]["admin-password"]
    assert envs["test"]["kafka"]["sasl"]["mechanism"] == "PLAIN"
    assert envs["prod"]["kafka"]["sasl"]["mechanism"] == "SCRAM-SHA-512"


def test_aws_profiles_and_env_sh():
    config = (HOME / "aws" / "config").read_text()
    for env, account in (("dev", "111111111111"), ("test", "222222222222"), ("acc", "333333333333"),
                         ("prod", "444444444444")):
        assert f"[profile lookout-{env}]" in config
        assert f"role_arn = arn:aws:iam::{account}:role/lookout" in config
    assert config.count("source_profile = sandbox-base") == 5  # the four environments and scale (./sandbox/scale)
    envsh = (HOME / "env.sh").read_text()
    for var in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "LOOKOUT_CONFIG"):
        assert f"export {var}=" in envsh
    # lookout's state files and audit log on the sandbox live in the sandbox, not in the user's own
    assert f"export XDG_STATE_HOME={HOME / 'lookout-state'}\n" in envsh


def test_a_tansu_started_anew_forgets_lookouts_state_file_of_that_environment(tmp_path, monkeypatch):
    """New offsets after a restart of Tansu (memory storage) would read as commits going back."""
    from sbx import layout
    monkeypatch.setenv("LOOKOUT_SANDBOX", str(tmp_path))
    folder = tmp_path / "lookout-state" / "lookout"
    folder.mkdir(parents=True)
    for name in ("dev.json", "prod.json", "audit.log"):
        (folder / name).write_text("{}")
    layout.forget_lookout_state("dev")
    layout.forget_lookout_state("test")  # none there: nothing to do
    assert sorted(p.name for p in folder.iterdir()) == ["audit.log", "prod.json"]


def test_the_sandbox_ports_are_never_handed_out_as_local_ports():
    """A client reconnecting to a refused port could otherwise be given that port and connect to
    itself, and the proxy could not listen there again (seen once in CI)."""
    import os
    import socket
    reserved = open("/proc/sys/net/ipv4/ip_local_reserved_ports").read().strip()
    if not os.access("/proc/sys/net/ipv4/ip_local_reserved_ports", os.W_OK):
        import pytest
        pytest.skip("this machine does not let the sandbox reserve ports")
    assert "45000-47999" in reserved.split(",")
    for _ in range(2000):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        assert not 45000 <= port <= 47999, port


def test_the_sandbox_stays_under_2_gb_of_memory():
    """The issue's budget: every process the sandbox runs (the PIDs in .sandbox/run/*.pid, as
    `status` counts them, plus any child they started) under 2048 MB of RSS in all."""
    import os
    from pathlib import Path
    roles = {p.stem: json.loads(p.read_text()) for p in (HOME / "run").glob("*.pid")}
    assert len(roles) >= 21  # 4 x (moto, tansu, traffic, agent) + 3 fronts + the proxy + sso
    parents = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass

    def tree(pid):
        out = {pid}
        for child, parent in parents.items():
            if parent == pid:
                out |= tree(child)
        return out

    def rss_kb(pid):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0
    pids = set()
    for role, info in roles.items():
        assert os.path.exists(f"/proc/{info['pid']}"), f"{role} is not running"
        pids |= tree(info["pid"])
    total_mb = sum(rss_kb(p) for p in pids) / 1024
    print(f"sandbox RSS: {total_mb:.0f} MB in {len(pids)} processes ({len(roles)} roles)")
    assert 500 < total_mb < 2048, total_mb  # 500: the four motos alone take more; a 0 means nothing was read


def test_the_tests_config_is_lookout_yaml_with_short_timeouts(sb):
    """lookout-tests.yaml holds the same environments as lookout.yaml and adds only `timeouts`;
    lookout.yaml itself keeps lookout's defaults (no `timeouts` key)."""
    real = yaml.safe_load((HOME / "lookout.yaml").read_text())
    tests = yaml.safe_load((HOME / "lookout-tests.yaml").read_text())
    assert "timeouts" not in real
    assert tests.pop("timeouts") == {"source": "6s", "action": "2m", "action_poll": "250ms"}
    assert tests == real
    assert sb["lookout_test_config"] == str(HOME / "lookout-tests.yaml")

