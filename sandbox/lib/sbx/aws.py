"""boto3 clients for the sandbox's own use: straight to an environment's moto (never through
the fault proxy), with credentials of a role in the environment's account."""
from __future__ import annotations

import boto3
from botocore.config import Config

from . import layout

BASE_KEY = "AKIASANDBOXBASE00001"
BASE_SECRET = "sandbox-base-secret-key-not-a-real-one00"
_CFG = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=3, read_timeout=30)


def endpoint(e: layout.Env) -> str:
    return f"http://{layout.HOST}:{e.moto_port}"


class Account:
    """Clients for one environment's account, assumed once from the base keys."""

    def __init__(self, e: layout.Env, role: str = "sandbox-admin"):
        self.env = e
        sts = boto3.client("sts", region_name=layout.REGION, endpoint_url=endpoint(e),
                           aws_access_key_id=BASE_KEY, aws_secret_access_key=BASE_SECRET, config=_CFG)
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{e.account}:role/{role}",
                                RoleSessionName="sandbox")["Credentials"]
        self.session = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                                     aws_secret_access_key=creds["SecretAccessKey"],
                                     aws_session_token=creds["SessionToken"], region_name=layout.REGION)
        self._clients: dict[str, object] = {}

    def client(self, name: str):
        if name not in self._clients:
            self._clients[name] = self.session.client(name, endpoint_url=endpoint(self.env), config=_CFG)
        return self._clients[name]

    def ssm_value(self, name: str) -> str:
        return self.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
