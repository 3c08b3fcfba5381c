"""Issues a new broker certificate from the environment's Private CA and writes key and
certificate to SSM as new versions, without rolling anything (as an operator might by hand).
Prints the new serial (colon hex), never the key.

usage: put_new_cert.py SANDBOX_DIR ENV
"""
import json
import os
import sys
import time
from pathlib import Path

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
import ipaddress

sandbox, env = Path(sys.argv[1]), sys.argv[2]
info = json.loads((sandbox / "sandbox.json").read_text())
e = info["environments"][env]
os.environ["AWS_CONFIG_FILE"] = info["aws_config_file"]
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = info["aws_shared_credentials_file"]
for v in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(v, None)
s = boto3.Session(profile_name=e["profile"])
pca, ssm = s.client("acm-pca"), s.client("ssm")
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = f"broker.kafka.{env}.internal"
csr = (x509.CertificateSigningRequestBuilder()
       .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
       .add_extension(x509.SubjectAlternativeName([x509.DNSName(name), x509.DNSName("localhost"),
                                                   x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
       .sign(key, hashes.SHA256()))
arn = pca.issue_certificate(CertificateAuthorityArn=e["pca_arn"], Csr=csr.public_bytes(serialization.Encoding.PEM),
                            SigningAlgorithm="SHA256WITHRSA", Validity={"Value": 365, "Type": "DAYS"},
                            IdempotencyToken=str(time.time_ns())[-30:])["CertificateArn"]
issued = pca.get_certificate(CertificateAuthorityArn=e["pca_arn"], CertificateArn=arn)
bundle = issued["Certificate"].strip() + "\n" + issued.get("CertificateChain", "").strip() + "\n"
pem_key = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
ssm.put_parameter(Name=e["ssm"]["broker-key"], Value=pem_key, Type="SecureString", Overwrite=True)
ssm.put_parameter(Name=e["ssm"]["broker-cert"], Value=bundle, Type="String", Overwrite=True)
serial = format(x509.load_pem_x509_certificate(issued["Certificate"].encode()).serial_number, "x")
serial = ("0" + serial) if len(serial) % 2 else serial
print(":".join(serial[i:i + 2] for i in range(0, len(serial), 2)))
