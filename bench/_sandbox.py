"""What every bench needs of the sandbox: its folder and sandbox.json, and the environment a
lookout process (or boto3) is given to reach it: the sandbox's AWS config and credentials files,
no instance metadata, and none of the caller's own AWS_ variables (AWS_CA_BUNDLE among them)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

root = Path(__file__).resolve().parents[1]


def load() -> tuple[Path, dict]:
    """The sandbox folder ($LOOKOUT_SANDBOX, else <repo>/.sandbox) and its sandbox.json."""
    sandbox = Path(os.environ.get("LOOKOUT_SANDBOX", root / ".sandbox"))
    return sandbox, json.loads((sandbox / "sandbox.json").read_text())


def scale_config(sandbox: Path) -> Path:
    """The scale environment's config (`./sandbox/scale up` writes it); exits when there is none."""
    config = sandbox / "scale.yaml"
    if not config.exists():
        raise SystemExit("no scale environment: ./sandbox/scale up")
    return config


def aws(info: dict) -> dict[str, str]:
    """The AWS variables that point a client at the sandbox's profiles."""
    return {"AWS_CONFIG_FILE": info["aws_config_file"], "AWS_SHARED_CREDENTIALS_FILE": info["aws_shared_credentials_file"],
            "AWS_EC2_METADATA_DISABLED": "true"}


def inherited(info: dict, **extra: str) -> dict[str, str]:
    """This process's environment without its AWS_ variables, plus the sandbox's and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(aws(info), **extra)
    return env


def bare(info: dict, home: Path, **extra: str) -> dict[str, str]:
    """A console's whole environment in tmux (`env -i`): a terminal, HOME, the sandbox's AWS, and `extra`."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "TERM": "xterm-256color", "LANG": "C.UTF-8"}
    env.update(aws(info), **extra)
    return env


def peak_memory(pid: int, running) -> dict[str, int]:
    """A child's highest RSS (VmHWM), anonymous and file-backed pages in kB, read from /proc every
    5 ms while `running()` holds (wait4's ru_maxrss would count the forking Python's own RSS,
    which survives the exec)."""
    peaks = {"RssAnon": 0, "RssFile": 0, "VmHWM": 0}
    while running():
        try:
            for line in open(f"/proc/{pid}/status"):
                key = line.split(":")[0]
                if key in peaks:
                    peaks[key] = max(peaks[key], int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
        time.sleep(0.005)
    return peaks

