"""Secret canaries (issue 25): `./sandbox/canaries [ENV ...]` writes a new, unique value for
every secret of each environment (default: all four) as a new SSM version, the way an operator
rotates, then rolls the broker services so the brokers take them:

- each password (admin-password, client-password): `canary<env><leaf>` and 24 random letters and
  digits, so that a hit anywhere names its environment and secret at a glance;
- the broker's private key: a new key (its certificate issued for it by the environment's Private
  CA), unique by nature; a search looks for its PEM text, its DER and their encodings.

Nothing secret is printed or logged: only names and SSM versions. The test that searches for
the canaries reads them from SSM itself (Tests/lookoutTests/Support/secure_values.py).
"""
from __future__ import annotations

import secrets
import string
import sys
from concurrent.futures import ThreadPoolExecutor

from . import layout

ALNUM = string.ascii_letters + string.digits


def canary(e: layout.Env, leaf: str) -> str:
    return f"canary{e.name}{leaf.replace('-', '')}" + "".join(secrets.choice(ALNUM) for _ in range(24))


def seed(e: layout.Env) -> str:
    from .aws import Account
    from .scenario import roll
    a = Account(e)
    ssm = a.client("ssm")
    versions = []
    for leaf in layout.USERS.values():
        answer = ssm.put_parameter(Name=e.ssm(leaf), Value=canary(e, leaf), Type="SecureString", Overwrite=True)
        versions.append(f"{leaf} v{answer['Version']}")
    if layout.SECURED:
        from . import pki
        pki.issue_broker(a, e, pki._facts(e)["pca_arn"])
        version = ssm.get_parameter(Name=e.ssm("tls/broker-key"))["Parameter"]["Version"]
        versions.append(f"broker-key v{version}")
    roll(e, a, list(layout.SERVICES))
    return f"{e.name}: {', '.join(versions)}; services rolled"


def main(argv: list[str]) -> None:
    envs = [layout.env(n) for n in argv] if argv else list(layout.ENVS)
    with ThreadPoolExecutor(len(envs)) as ex:
        for line in ex.map(seed, envs):
            print(line, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
