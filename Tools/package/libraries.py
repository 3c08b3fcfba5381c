"""The Debian packages a binary needs at run time: every library `ldd` resolves for it, mapped to
its package by `dpkg -S`. Used by scripts/package to write the INSTALL file.

usage: libraries.py BINARY        prints the package names, one per line, sorted
"""
import os
import re
import subprocess
import sys


def resolved(binary: str) -> list[str]:
    """The paths ldd resolves (the vDSO has none); a library ldd cannot find is an error."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    paths = []
    for line in out.splitlines():
        if "not found" in line:
            sys.exit(f"libraries.py: {line.strip()}")
        match = re.search(r"(/\S+)\s+\(0x", line)
        if match:
            paths.append(match.group(1))
    return paths


def package(path: str) -> str:
    """dpkg -S of the path as ldd gave it, else of its real path, else with /usr (merged /usr)."""
    real = os.path.realpath(path)
    for candidate in dict.fromkeys([path, real, "/usr" + path, "/usr" + real,
                                    path.removeprefix("/usr"), real.removeprefix("/usr")]):
        found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if found.returncode == 0:
            return found.stdout.split(":")[0].strip()
    sys.exit(f"libraries.py: no Debian package holds {path}")


if __name__ == "__main__":
    print("\n".join(sorted({package(p) for p in resolved(sys.argv[1])})))
