"""What SSM holds of one tracked certificate, read with boto3 and python `cryptography`, as JSON:
the latest versions of cert and key, every version's labels, the latest leaf's serial, and whether
the latest key's public key is the latest certificate's (the key itself is never printed).

usage: cert_pair.py SANDBOX_DIR ENV   (run with the sandbox venv's python)
"""
import json
import os
import sys
from pathlib import Path

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import serialization

sandbox, env = Path(sys.argv[1]), sys.argv[2]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(v, None)
ssm = boto3.Session(profile_name=e["profile"]).client("ssm")


def history(name):
    out = []
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=name, WithDecryption=False):
        out += [{"version": h["Version"], "labels": sorted(h.get("Labels", [])), "type": h["Type"], "key_id": h.get("KeyId")}
                for h in page["Parameters"]]
    return out


cert_name, key_name = e["ssm"]["broker-cert"], e["ssm"]["broker-key"]
cert = ssm.get_parameter(Name=cert_name)["Parameter"]
key = ssm.get_parameter(Name=key_name, WithDecryption=True)["Parameter"]
leaf = x509.load_pem_x509_certificates(cert["Value"].encode())[0]
private = serialization.load_pem_private_key(key["Value"].encode(), password=None)
spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
raw = leaf.serial_number.to_bytes((leaf.serial_number.bit_length() + 7) // 8 or 1, "big")
print(json.dumps({
    "cert_version": cert["Version"], "key_version": key["Version"],
    "serial": ":".join("%02x" % b for b in raw),
    "match": private.public_key().public_bytes(*spki) == leaf.public_key().public_bytes(*spki),
    "pkcs8": key["Value"].startswith("-----BEGIN PRIVATE KEY-----"),
    "key_size": getattr(private, "key_size", None),
    "cert_history": history(cert_name), "key_history": history(key_name),
}, sort_keys=True))
