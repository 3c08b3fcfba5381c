"""What a failing test prints: with this suite's settings (pytest.ini) no argument values appear
in tracebacks, so a secret passed to a call that fails is not shown. Needs no sandbox."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

INI = Path(__file__).with_name("pytest.ini")
LEAKY = '''
import os


def login(**overrides):
    raise RuntimeError("login failed")


def test_a_call_with_a_secret_fails():
    login(**{"sasl.username": "admin", "sasl.password": os.environ["LEAK_SECRET"]})
'''


def run_failing(tmp_path: Path, secret: str, *extra: str) -> str:
    (tmp_path / "test_leaky.py").write_text(LEAKY)  # the secret is not in the source either
    p = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", str(INI),
                        "--rootdir", str(tmp_path), *extra, str(tmp_path / "test_leaky.py")],
                       capture_output=True, text=True, timeout=60, env={**os.environ, "LEAK_SECRET": secret})
    assert p.returncode == 1, "the leaky test should have failed"
    return p.stdout + p.stderr


def test_a_failing_call_does_not_show_its_secret_argument(tmp_path):
    secret = "S" + uuid.uuid4().hex
    out = run_failing(tmp_path, secret)
    assert "RuntimeError: login failed" in out
    shown = secret in out
    assert not shown, "the secret argument is in the failure output with the suite's settings"
    # the control: pytest's default long tracebacks print the call's arguments, secret included
    shown_by_default = secret in run_failing(tmp_path, secret, "--tb=long")
    assert shown_by_default, "pytest's long traceback no longer shows arguments: this test proves nothing"
