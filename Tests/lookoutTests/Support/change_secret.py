"""Changes a sandbox secret the way an operator would, without printing it.

usage: change_secret.py SANDBOX_DIR ENV put   -> writes a new random client-password version, prints the version
       change_secret.py SANDBOX_DIR ENV roll  -> forces a new deployment of every broker service
"""
import json
import os
import secrets
import sys
from pathlib import Path

import boto3

sandbox, env, what = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(v, None)
s = boto3.Session(profile_name=e["profile"])
if what == "put":
    answer = s.client("ssm").put_parameter(Name=e["ssm"]["client-password"], Value=secrets.token_urlsafe(24),
                                           Type="SecureString", Overwrite=True)
    print(answer["Version"])
elif what == "roll":
    ecs = s.client("ecs")
    for name in e["services"]:
        ecs.update_service(cluster=e["cluster"], service=name, forceNewDeployment=True)
