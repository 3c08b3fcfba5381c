"""`./sandbox/scenario ARGS` run in the tests' script server: `scenario.py SANDBOX_LIB ARGS...`.

The same code as the command (sandbox/lib/sbx/scenario.py, of the checkout that runs the
sandbox), without a new interpreter importing boto3 for each of the tests' hundreds of scenario
calls. Settings the scenario module reads when it loads (SANDBOX_DELAY_MS) keep their defaults
here: a call that sets them runs the command itself (Sandbox.scenario).
"""
import sys

sys.path.insert(0, sys.argv[1])
from sbx.scenario import main  # noqa: E402 - the path first

main(sys.argv[2:])
