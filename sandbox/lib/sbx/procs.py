"""Processes of the sandbox: started detached, tracked by PID files, stopped by PID."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from . import layout


def pidfile(role: str) -> Path:
    return layout.run_dir() / f"{role}.pid"


def read_pid(role: str) -> int | None:
    try:
        info = json.loads(pidfile(role).read_text())
    except (FileNotFoundError, ValueError):
        return None
    pid = info.get("pid")
    if not pid or not alive(pid, info.get("start")):
        return None
    return pid


def _start_time(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return None


def alive(pid: int, start: str | None = None) -> bool:
    st = _start_time(pid)
    if st is None:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    if state == "Z":
        return False
    return start is None or st == start


def spawn(role: str, argv: list[str], env: dict | None = None, stdin_data: bytes | None = None,
          unset: tuple = ()) -> int:
    """Start argv detached (own session), log to logs/<role>.log, record its PID."""
    layout.run_dir().mkdir(parents=True, exist_ok=True)
    layout.log_dir().mkdir(parents=True, exist_ok=True)
    log = open(layout.log_dir() / f"{role}.log", "ab")
    full_env = dict(os.environ)
    full_env.update(env or {})
    for k in unset:
        full_env.pop(k, None)
    full_env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    full_env["LOOKOUT_SANDBOX"] = str(layout.home())
    p = subprocess.Popen(
        argv, stdout=log, stderr=subprocess.STDOUT,
        stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
        env=full_env, start_new_session=True, close_fds=True, cwd=str(layout.home()),
    )
    if stdin_data is not None:
        p.stdin.write(stdin_data)
        p.stdin.close()
    log.close()
    pidfile(role).write_text(json.dumps({"pid": p.pid, "start": _start_time(p.pid), "argv0": argv[0]}))
    return p.pid


def python(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", f"sbx.{module}", *args]


def stop(role: str, timeout: float = 5.0) -> bool:
    """SIGTERM the recorded PID, SIGKILL after timeout. True if something was stopped."""
    pid = read_pid(role)
    pidfile(role).unlink(missing_ok=True)
    if pid is None:
        return False
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return True


def stop_many(roles: list[str], timeout: float = 5.0) -> list[str]:
    """SIGTERM all at once, then wait; SIGKILL what is left. Returns the roles stopped."""
    pids = {}
    for role in roles:
        pid = read_pid(role)
        pidfile(role).unlink(missing_ok=True)
        if pid is not None:
            try:
                os.kill(pid, signal.SIGTERM)
                pids[role] = pid
            except ProcessLookupError:
                pass
    deadline = time.time() + timeout
    while time.time() < deadline and any(alive(p) for p in pids.values()):
        time.sleep(0.05)
    for pid in pids.values():
        if alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return sorted(pids)


def roles() -> list[str]:
    return sorted(p.stem for p in layout.run_dir().glob("*.pid"))


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


def wait_port(port: int, timeout: float = 20.0, host: str = layout.HOST) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def port_open(port: int, host: str = layout.HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
