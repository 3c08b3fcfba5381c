"""Resolve credentials with botocore in this process's environment, as the AWS CLI would.

Usage: botocore_credentials.py [--profile NAME] [--identity ENDPOINT REGION] [--container-host HOST:PORT]
Prints JSON: method, access_key, secret_sha256, token_sha256 (never the values), and with
--identity the caller ARN that STS GetCallerIdentity answers for them. --container-host puts the
address that AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is appended to (169.254.170.2 in botocore)
on loopback, by setting ContainerMetadataFetcher.IP_ADDRESS.
"""
import argparse
import hashlib
import json
import sys

import botocore.exceptions
import botocore.session
import botocore.utils

parser = argparse.ArgumentParser()
parser.add_argument("--profile")
parser.add_argument("--identity", nargs=2)
parser.add_argument("--container-host")
args = parser.parse_args()
if args.container_host:
    # full_url() is f"http://{IP_ADDRESS}{relative_uri}"; the class attribute is read at call time.
    botocore.utils.ContainerMetadataFetcher.IP_ADDRESS = args.container_host

session = botocore.session.Session(profile=args.profile)
try:
    credentials = session.get_credentials()
except botocore.exceptions.ProfileNotFound:
    json.dump({"method": None, "error": "ProfileNotFound"}, sys.stdout)
    sys.exit(0)
if credentials is None:
    json.dump({"method": None}, sys.stdout)
    sys.exit(0)
frozen = credentials.get_frozen_credentials()


def sha(value):
    return hashlib.sha256(value.encode()).hexdigest() if value else None


out = {"method": credentials.method, "access_key": frozen.access_key, "secret_sha256": sha(frozen.secret_key),
       "token_sha256": sha(frozen.token)}
if args.identity:
    endpoint, region = args.identity
    sts = session.create_client("sts", endpoint_url=endpoint, region_name=region)
    out["arn"] = sts.get_caller_identity()["Arn"]
json.dump(out, sys.stdout)
