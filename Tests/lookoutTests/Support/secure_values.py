"""Every SecureString value in every sandbox environment's SSM, read with boto3, for a test that
proves lookout's outputs contain none of them. Prints JSON {env: [{name, needles[]}]} where the
needles are the value itself and, for PEM text, each body line (a leak of part of a key counts).
The caller must never print what this prints.

usage: secure_values.py SANDBOX_DIR  (run with the sandbox venv's python)
       secure_values.py SANDBOX_DIR --every-version -> {env: [{name, values[]}]}, every version of
           every SecureString of every environment
       secure_values.py SANDBOX_DIR ENV NAME  -> {"needles": [...]} for EVERY version of one
           parameter (a rotated key's old versions too): each value and each of its 40-character
           slices (PEM wraps lines, so a leak may cross them)
"""
import json
import os
import sys
from pathlib import Path

import boto3

sandbox = Path(sys.argv[1])
info = json.loads((sandbox / "sandbox.json").read_text())
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
          "AWS_REGION", "AWS_DEFAULT_REGION"):
    os.environ.pop(v, None)

if len(sys.argv) == 3 and sys.argv[2] == "--every-version":
    # {env: [{"name", "values": [every version's value]}]}: the canary test builds its own needles
    out = {}
    for name, e in info["environments"].items():
        ssm = boto3.Session(profile_name=e["profile"]).client("ssm", region_name=info["region"])
        found = []
        for page in ssm.get_paginator("describe_parameters").paginate(
                ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]):
            for p in page["Parameters"]:
                values = [v["Value"] for hp in ssm.get_paginator("get_parameter_history").paginate(
                    Name=p["Name"], WithDecryption=True) for v in hp["Parameters"]]
                found.append({"name": p["Name"], "values": sorted(set(values))})
        out[name] = found
    print(json.dumps(out))
    sys.exit(0)

if len(sys.argv) == 4:
    e = info["environments"][sys.argv[2]]
    ssm = boto3.Session(profile_name=e["profile"]).client("ssm", region_name=info["region"])
    needles = []
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=sys.argv[3], WithDecryption=True):
        for version in page["Parameters"]:
            value = version["Value"]
            needles.append(value)
            needles += [value[i:i + 40] for i in range(0, max(0, len(value) - 39))]
    print(json.dumps({"needles": sorted(set(needles))}))
    sys.exit(0)

out = {}
for name, e in info["environments"].items():
    ssm = boto3.Session(profile_name=e["profile"]).client("ssm", region_name=info["region"])
    found = []
    for page in ssm.get_paginator("describe_parameters").paginate(
            ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]):
        for p in page["Parameters"]:
            value = ssm.get_parameter(Name=p["Name"], WithDecryption=True)["Parameter"]["Value"]
            needles = [value] if len(value) >= 8 else []
            if "-----BEGIN" in value:
                needles = [line for line in value.splitlines() if len(line) >= 20 and not line.startswith("-----")]
            found.append({"name": p["Name"], "needles": needles})
    out[name] = found
print(json.dumps(out))
