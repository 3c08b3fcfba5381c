"""The package as a bastion gets it: dist/lookout-VERSION-linux-x86_64.tar.gz (scripts/package),
unpacked into an empty folder and run from / with a minimal PATH and nothing on the library path,
against the sandbox. Run by scripts/test after ./scripts/start (which makes the package) with
the sandbox's venv: `python -m pytest Tests/Package`.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = Path(os.environ.get("LOOKOUT_SANDBOX") or ROOT / ".sandbox")
VERSION = (ROOT / "VERSION").read_text().strip()
NAME = f"lookout-{VERSION}-linux-x86_64"
TARBALL = ROOT / "dist" / f"{NAME}.tar.gz"
MINIMAL_PATH = "/usr/bin:/bin"


def sandbox_env() -> dict[str, str]:
    """The variables .sandbox/env.sh exports, and nothing of this process's environment."""
    env = {"PATH": MINIMAL_PATH, "HOME": str(SANDBOX / "package-home"), "LANG": "C.UTF-8", "TERM": "xterm-256color"}
    for line in (SANDBOX / "env.sh").read_text().splitlines():
        match = re.match(r"export (\w+)=(.*)$", line)
        if match:
            env[match.group(1)] = match.group(2)
    return env


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    if not TARBALL.exists():
        pytest.fail(f"no package at {TARBALL}: scripts/package makes it (./scripts/start runs it)")
    sums = (TARBALL.parent / f"{NAME}.tar.gz.sha256").read_text().split()
    assert sums == [hashlib.sha256(TARBALL.read_bytes()).hexdigest(), TARBALL.name]
    folder = tmp_path_factory.mktemp("bastion")
    assert not any(folder.iterdir())
    with tarfile.open(TARBALL) as tar:
        tar.extractall(folder, filter="data")
    unpacked = folder / NAME
    for part in ["bin/lookout", "INSTALL", "install", "share/man/man1/lookout.1", "share/lookout/themes/default.yaml",
                 "share/bash-completion/completions/lookout", "share/zsh/site-functions/_lookout",
                 "share/fish/vendor_completions.d/lookout.fish"]:
        assert (unpacked / part).exists(), part
    return unpacked


def run(package: Path, *arguments: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(package / "bin/lookout"), *arguments], cwd="/", env=env or sandbox_env(),
                          capture_output=True, text=True, timeout=120)


def test_version_names_the_version_and_the_commit(package):
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short=7", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = run(package, "--version")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rf"lookout {re.escape(VERSION)} \({commit}(-dirty)?\)\n", result.stdout), result.stdout


def test_no_swift_runtime_library_and_install_names_what_ldd_and_dpkg_find(package):
    ldd = subprocess.run(["ldd", str(package / "bin/lookout")], capture_output=True, text=True, check=True).stdout
    assert "not found" not in ldd, ldd
    for swift in ("libswift", "libFoundation", "libdispatch", "libBlocksRuntime", "/opt/swift"):
        assert swift not in ldd, f"{swift} in ldd:\n{ldd}"
    packages = set()
    for path in re.findall(r"(/\S+)\s+\(0x", ldd):
        real = os.path.realpath(path)
        for candidate in dict.fromkeys([path, real, "/usr" + path, "/usr" + real, path.removeprefix("/usr"), real.removeprefix("/usr")]):
            found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if found.returncode == 0:
                packages.add(found.stdout.split(":")[0])
                break
        else:
            pytest.fail(f"dpkg -S finds no package for {path}")
    listed = re.search(r"apt-get install (.+)", (package / "INSTALL").read_text()).group(1).split()
    assert sorted(listed) == sorted(packages)
    print(f"ldd: {len(re.findall(r'=>', ldd))} libraries, {len(packages)} Debian packages: {' '.join(sorted(packages))}")


def test_config_validate_and_a_snapshot_of_the_sandbox(package):
    config = str(SANDBOX / "lookout.yaml")
    validate = run(package, "config", "validate", "--config", config)
    assert validate.returncode == 0, validate.stderr
    assert all(name in validate.stdout for name in ("dev", "test", "acc", "prod")), validate.stdout
    snapshot = run(package, "snapshot", "--format", "json", "--config", config)
    assert snapshot.returncode == 0, snapshot.stderr
    document = json.loads(snapshot.stdout)
    assert [e["name"] for e in document["environments"]] == ["dev", "test", "acc", "prod"]
    for environment in document["environments"]:
        ecs = next(s for s in environment["sources"] if s["name"] == "ecs")
        assert ecs["status"] != "unknown", environment.get("errors")


def test_the_console_in_tmux_with_a_packaged_theme(package):
    """The binary lives outside the repository: `high-contrast` can only come from the package's share/lookout/themes."""
    socket = f"lookout-package-{os.getpid()}"
    env = sandbox_env()
    command = " ".join(["cd / &&", "env -i", *(f"{k}='{v}'" for k, v in env.items()),
                        str(package / "bin/lookout"), "--theme", "high-contrast"])
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "160", "-y", "45", command], check=True)
    try:
        screen = ""
        deadline = time.time() + 40
        while time.time() < deadline:
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            if all(name in screen for name in ("dev", "test", "acc", "prod")) and "loading" not in screen:
                break
            time.sleep(0.5)
        assert all(name in screen for name in ("dev", "test", "acc", "prod")), screen
        assert "theme" not in screen.lower() or "not found" not in screen.lower(), screen
        subprocess.run(["tmux", "-L", socket, "send-keys", "q"], check=True)
        deadline = time.time() + 10
        while time.time() < deadline and subprocess.run(["tmux", "-L", socket, "has-session"], capture_output=True).returncode == 0:
            time.sleep(0.2)
        assert subprocess.run(["tmux", "-L", socket, "has-session"], capture_output=True).returncode != 0, "q did not end the console"
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


def test_the_man_page_renders(package):
    result = subprocess.run(["man", "-l", str(package / "share/man/man1/lookout.1")], capture_output=True, text=True,
                            env={"PATH": MINIMAL_PATH, "MANPAGER": "cat", "MANWIDTH": "100", "LANG": "C.UTF-8"})
    assert result.returncode == 0, result.stderr
    for heading in ("NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "service roll", "secret rotate", "cert reissue"):
        assert heading in result.stdout, heading


def completion_env(package: Path) -> dict[str, str]:
    env = sandbox_env()
    env["PATH"] = f"{package / 'bin'}:{MINIMAL_PATH}"
    return env


def test_bash_completes_environment_and_service_names(package):
    script = package / "share/bash-completion/completions/lookout"
    def complete(*words: str) -> list[str]:
        line = " ".join(words)
        program = (f"source {script}\n"
                   f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
                   f"COMP_LINE={line!r}; COMP_POINT={len(line)}\n"
                   # as bash calls it: the command, the word being completed, the word before it
                   f"_lookout lookout {words[-1]!r} {words[-2]!r}; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        result = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True, env=completion_env(package), cwd="/")
        assert result.returncode == 0, result.stderr
        return sorted(w for w in result.stdout.split("\n") if w)
    assert complete("lookout", "snapshot", "--env", "") == ["acc", "dev", "prod", "test"]
    assert complete("lookout", "service", "roll", "--env", "dev", "--service", "") == ["kafka-broker-1", "kafka-broker-2", "kafka-broker-3"]


def complete_in_tmux(package: Path, shell: list[str], setup: str, line: str) -> str:
    """The screen after typing `line` and Tab in an interactive `shell` (in tmux) that ran `setup`:
    fish reads the command line only in an interactive session, so no shell is driven otherwise."""
    socket = f"lookout-package-{shell[0]}-{os.getpid()}"
    env = completion_env(package) | {"HOME": str(SANDBOX / "package-home")}
    Path(env["HOME"]).mkdir(exist_ok=True)
    command = " ".join(["cd / &&", "env -i", *(f"{k}='{v}'" for k, v in env.items()), *shell, "; sleep 60"])
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "150", "-y", "30", command], check=True)
    try:
        time.sleep(1)
        subprocess.run(["tmux", "-L", socket, "send-keys", setup, "Enter"], check=True)
        time.sleep(1)
        subprocess.run(["tmux", "-L", socket, "send-keys", line, "Tab"], check=True)
        screen, deadline = "", time.time() + 15
        while time.time() < deadline:
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            if "prod" in screen.split(line.strip(), 1)[-1]:
                break
            time.sleep(0.3)
        return screen
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_load_their_completions_and_complete_environment_names(package, shell):
    if not shutil.which(shell, path=MINIMAL_PATH):
        pytest.fail(f"{shell} is not installed (scripts/test installs it from Debian)")
    if shell == "zsh":
        setup = f"fpath=({package / 'share/zsh/site-functions'} $fpath); autoload -Uz compinit && compinit -u -D"
        screen = complete_in_tmux(package, ["zsh", "-f"], setup, "lookout snapshot --env ")
    else:
        setup = f"source {package / 'share/fish/vendor_completions.d/lookout.fish'}"
        screen = complete_in_tmux(package, ["fish", "--no-config"], setup, "lookout snapshot --env ")
    offered = screen.split("lookout snapshot --env", 1)[-1]
    for name in ("acc", "dev", "prod", "test"):
        assert re.search(rf"\b{name}\b", offered), f"{shell}: {name} not offered:\n{screen}"


def test_install_puts_it_under_a_prefix(package, tmp_path):
    """The package's own `install` (scripts/install): bin, themes, man page and completions under PREFIX."""
    prefix = tmp_path / "prefix"
    result = subprocess.run([str(package / "install"), str(prefix)], capture_output=True, text=True,
                            env={"PATH": MINIMAL_PATH}, cwd="/")
    assert result.returncode == 0, result.stderr
    for part in ["bin/lookout", "share/lookout/themes/light.yaml", "share/man/man1/lookout.1",
                 "share/bash-completion/completions/lookout", "share/zsh/site-functions/_lookout",
                 "share/fish/vendor_completions.d/lookout.fish"]:
        assert (prefix / part).is_file(), part
    assert os.access(prefix / "bin/lookout", os.X_OK)
    assert "installed lookout " + VERSION in result.stdout, result.stdout
    version = subprocess.run([str(prefix / "bin/lookout"), "--version"], capture_output=True, text=True, env={"PATH": MINIMAL_PATH}, cwd="/")
    assert version.stdout.startswith(f"lookout {VERSION} ("), version.stdout


@pytest.mark.parametrize("signal_name,status", [("ABRT", 134), ("SEGV", 139), ("INT", 130), ("TERM", 143), ("HUP", 129)])
def test_a_crash_or_a_signal_gives_the_terminal_back(package, tmp_path, signal_name, status):
    """The console killed as a crash kills it (SIGABRT: a failed precondition; SIGSEGV), or ended
    by SIGINT, SIGTERM or SIGHUP: the tty is given back (canonical mode and echo on, the main
    screen) before the signal ends it (raised again: the shell sees 128 + its number), so the
    engineer's shell is usable again. Before, the terminal stayed raw."""
    config = tmp_path / "nowhere.yaml"
    config.write_text('environments:\n  - name: nowhere\n    aws: { region: eu-west-1, endpoint: "http://127.0.0.1:9" }\n'
                      '    ecs: { cluster: c }\n')
    out = tmp_path / "after.txt"
    socket = f"lookout-crash-{os.getpid()}-{signal_name}"
    env = {"PATH": MINIMAL_PATH, "HOME": str(tmp_path), "TERM": "xterm-256color", "LANG": "C.UTF-8",
           "AWS_ACCESS_KEY_ID": "AKIDCRASH", "AWS_SECRET_ACCESS_KEY": "crash", "AWS_EC2_METADATA_DISABLED": "true"}
    script = (f"{package / 'bin/lookout'} --config {config}; echo EXIT=$? > {out}; "
              f"stty -a | tr ' ;' '\\n\\n' | grep -x -e -icanon -e icanon -e -echo -e echo >> {out}; sleep 30")
    runner = tmp_path / "run.sh"  # a file: on tmux's own command line `$?` would be expanded too early
    runner.write_text(script + "\n")
    command = " ".join(["env -i", *(f"{k}='{v}'" for k, v in env.items()), "bash", "--norc", str(runner)])
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "30", command], check=True)
    try:
        pid, deadline = None, time.time() + 20
        while pid is None and time.time() < deadline:
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            # anchored: the bash running it carries the same words further along its command line
            found = subprocess.run(["pgrep", "-f", "^" + re.escape(f"{package / 'bin/lookout'} --config {config}")],
                                   capture_output=True, text=True).stdout.split()
            if found and "nowhere" in screen:
                pid = int(found[0])
            time.sleep(0.3)
        assert pid, "the console did not start"
        os.kill(pid, getattr(__import__("signal"), f"SIG{signal_name}"))
        deadline = time.time() + 20
        while time.time() < deadline and not (out.exists() and len(out.read_text().split()) >= 3):
            time.sleep(0.2)
        lines = out.read_text().split()
        assert lines[0] == f"EXIT={status}", lines
        assert "icanon" in lines and "echo" in lines and "-icanon" not in lines and "-echo" not in lines, f"the tty stayed raw: {lines}"
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
