"""Reads, with boto3, what lookout's actions may change in one sandbox environment, as JSON:
every service's deployments and tasks, lookout's lock parameters, and each secret's and tracked
certificate's versions and labels (never a value).

usage: actions_state.py SANDBOX_DIR ENV                     -> the state
       actions_state.py SANDBOX_DIR ENV put-lock NAME VALUE  -> writes a lock parameter as another holder would
       actions_state.py SANDBOX_DIR ENV clear-locks          -> deletes every lock parameter of ENV
       actions_state.py SANDBOX_DIR ENV value NAME[:VERSION] -> the decrypted value, for a test to
                                                                compare and search for (never to print)
       actions_state.py SANDBOX_DIR ENV same NAME V1 V2      -> "same" or "different": the two versions' values
                                                                compared here, so no value leaves this script
       actions_state.py SANDBOX_DIR ENV absent NAME FILE     -> "absent", or "present" when any version's value of
                                                                NAME occurs in FILE (e.g. captured screens)
       actions_state.py SANDBOX_DIR ENV put-back NAME VERSION -> when the latest value differs from VERSION's,
                                                                copies VERSION's value as a new version (a
                                                                test's cleanup after a failure; prints nothing)
       actions_state.py SANDBOX_DIR ENV issue-leaf PCA_ARN   -> issues a throwaway leaf at the PCA (key made
                                                                here, never kept): {"arn", "serial"}
       actions_state.py SANDBOX_DIR ENV get-cert PCA_ARN ARN -> "issued" or the error code GetCertificate gives
"""
import json
import os
import sys
from pathlib import Path

import boto3

sandbox, env = Path(sys.argv[1]), sys.argv[2]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(v, None)
s = boto3.Session(profile_name=e["profile"])
ecs, ssm = s.client("ecs"), s.client("ssm")

if len(sys.argv) > 3:
    if sys.argv[3] == "put-lock":
        ssm.put_parameter(Name=sys.argv[4], Value=sys.argv[5], Type="String", Overwrite=False)
    elif sys.argv[3] == "put-back":
        name, version = sys.argv[4], sys.argv[5]
        wanted = ssm.get_parameter(Name="%s:%s" % (name, version), WithDecryption=True)["Parameter"]
        latest = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
        if latest["Value"] != wanted["Value"]:
            ssm.put_parameter(Name=name, Value=wanted["Value"], Type=wanted["Type"], Overwrite=True)
    elif sys.argv[3] == "same":
        first, second = (ssm.get_parameter(Name="%s:%s" % (sys.argv[4], v), WithDecryption=True)["Parameter"]["Value"]
                         for v in (sys.argv[5], sys.argv[6]))
        print("same" if first == second else "different")
    elif sys.argv[3] == "absent":
        text = Path(sys.argv[5]).read_text(errors="replace")
        values = [h["Value"] for page in ssm.get_paginator("get_parameter_history").paginate(Name=sys.argv[4], WithDecryption=True)
                  for h in page["Parameters"]]
        print("present" if any(v and v in text for v in values) else "absent")
    elif sys.argv[3] == "value":
        sys.stdout.write(ssm.get_parameter(Name=sys.argv[4], WithDecryption=True)["Parameter"]["Value"])
    elif sys.argv[3] in ("issue-leaf", "get-cert"):
        pca = s.client("acm-pca")
        if sys.argv[3] == "issue-leaf":
            import time
            from cryptography import x509
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            from cryptography.x509.oid import NameOID
            key = ec.generate_private_key(ec.SECP256R1())
            for _ in range(20):
                csr = x509.CertificateSigningRequestBuilder().subject_name(
                    x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "superseded.example")])).sign(key, hashes.SHA256())
                arn = pca.issue_certificate(CertificateAuthorityArn=sys.argv[4], Csr=csr.public_bytes(serialization.Encoding.PEM),
                                            SigningAlgorithm="SHA256WITHRSA", Validity={"Value": 30, "Type": "DAYS"})["CertificateArn"]
                for _ in range(50):
                    try:
                        pem = pca.get_certificate(CertificateAuthorityArn=sys.argv[4], CertificateArn=arn)["Certificate"]
                        break
                    except pca.exceptions.RequestInProgressException:
                        time.sleep(0.1)
                serial = x509.load_pem_x509_certificate(pem.encode()).serial_number
                # moto formats serials with "%X" and so misreads one whose first byte is below 0x10.
                if format(serial, "X")[0] != "0" and len(format(serial, "X")) % 2 == 0:
                    break
            raw = serial.to_bytes((serial.bit_length() + 7) // 8 or 1, "big")
            print(json.dumps({"arn": arn, "serial": ":".join("%02x" % b for b in raw)}))
        else:
            try:
                pca.get_certificate(CertificateAuthorityArn=sys.argv[4], CertificateArn=sys.argv[5])
                print("issued")
            except pca.exceptions.ClientError as error:
                print(error.response["Error"]["Code"])
    elif sys.argv[3] == "clear-locks":
        for page in ssm.get_paginator("describe_parameters").paginate(
                ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/lookout/locks/" + env + "/"]}]):
            for p in page["Parameters"]:
                ssm.delete_parameter(Name=p["Name"])
    sys.exit(0)

services = {}
described = ecs.describe_services(cluster=e["cluster"], services=e["services"])["services"]
arns = [a for page in ecs.get_paginator("list_tasks").paginate(cluster=e["cluster"], desiredStatus="RUNNING") for a in page["taskArns"]]
arns += [a for page in ecs.get_paginator("list_tasks").paginate(cluster=e["cluster"], desiredStatus="STOPPED") for a in page["taskArns"]]
arns = sorted(set(arns))
tasks = [t for i in range(0, len(arns), 100) for t in ecs.describe_tasks(cluster=e["cluster"], tasks=arns[i:i + 100])["tasks"]]
for service in described:
    name = service["serviceName"]
    services[name] = {
        "deployments": [{"id": d["id"], "status": d["status"], "rollout_state": d.get("rolloutState")} for d in service["deployments"]],
        "primary": next(d["id"] for d in service["deployments"] if d["status"] == "PRIMARY"),
        "running_tasks": sorted(t["taskArn"] for t in tasks if t.get("group") == "service:" + name and t["lastStatus"] == "RUNNING"),
        "running_started_by": sorted(t["startedBy"] for t in tasks if t.get("group") == "service:" + name and t["lastStatus"] == "RUNNING"),
        "tasks": sorted(({"arn": t["taskArn"], "started_by": t.get("startedBy"), "last_status": t["lastStatus"]}
                         for t in tasks if t.get("group") == "service:" + name), key=lambda t: t["arn"]),
    }

locks = {}
for page in ssm.get_paginator("describe_parameters").paginate(
        ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/lookout/locks/" + env + "/"]}]):
    for p in page["Parameters"]:
        locks[p["Name"]] = ssm.get_parameter(Name=p["Name"])["Parameter"]["Value"]

parameters = {}
for key, name in e["ssm"].items():
    history = []
    for page in ssm.get_paginator("get_parameter_history").paginate(Name=name, WithDecryption=False):
        history += [{"version": h["Version"], "labels": sorted(h.get("Labels", []))} for h in page["Parameters"]]
    parameters[key] = {"name": name, "history": history, "version": max(h["version"] for h in history)}

print(json.dumps({"services": services, "locks": locks, "parameters": parameters}, sort_keys=True))
