"""Certificates of the sandbox (issue 4).

- A sandbox root CA, made once, kept in .sandbox/pki/ (root-ca.pem; its key root-ca.key,
  0600: the sandbox's own test root, the one private key on disk, see README).
- Per environment an ACM PCA of type SUBORDINATE whose CSR the root signs, imported with the
  root as chain (NOTES.md); the trust anchors file pki/<env>-trust.pem holds the root.
- The broker certificate: key made here (RSA 2048, PKCS#8), CSR with the broker names and
  SAN IP 127.0.0.1, issued by the environment's PCA; leaf + chain PEM in SSM
  /kafka/<env>/tls/broker-cert (String) and the key in /kafka/<env>/tls/broker-key (SecureString).
- Scenarios cert-expiring, ca-expiring, cert-wrong-name, cert-untrusted and their reset.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import layout

UTC = dt.timezone.utc


def pki_dir() -> Path:
    d = layout.home() / "pki"
    d.mkdir(parents=True, exist_ok=True)
    return d


def now() -> dt.datetime:
    return dt.datetime.now(UTC)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_pem(key) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def name(cn: str, org: str = "lookout sandbox") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_ca(subject: x509.Name, public_key, issuer: x509.Name, issuer_key, days: int,
            path_len: int | None) -> x509.Certificate:
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
         .serial_number(x509.random_serial_number())
         .not_valid_before(now() - dt.timedelta(hours=1)).not_valid_after(now() + dt.timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                      data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                      crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
    if issuer_key.public_key() != public_key:
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def root() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    d = pki_dir()
    cert_file, key_file = d / "root-ca.pem", d / "root-ca.key"
    if cert_file.exists() and key_file.exists():
        return (x509.load_pem_x509_certificate(cert_file.read_bytes()),
                serialization.load_pem_private_key(key_file.read_bytes(), None))
    key = new_key()
    subject = name("lookout sandbox root CA")
    cert = make_ca(subject, key.public_key(), subject, key, 3650, 1)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key_pem(key))
    cert_file.write_text(cert_pem(cert))
    return cert, key


def sign_leaf(public_key, cn: str, sans: list[str], issuer_cert, issuer_key, days: float,
              days_before: float = 1 / 24) -> x509.Certificate:
    """Valid from `days_before` days ago until `days` from now (negative: expired already)."""
    alt = []
    for s in sans:
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(s)))
        except ValueError:
            alt.append(x509.DNSName(s))
    return (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(issuer_cert.subject)
            .public_key(public_key).serial_number(x509.random_serial_number())
            .not_valid_before(now() - dt.timedelta(days=days_before)).not_valid_after(now() + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.SubjectAlternativeName(alt), critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
            .sign(issuer_key, hashes.SHA256()))


def sans(e: layout.Env) -> list[str]:
    return [e.broker_dns, "localhost", layout.HOST]


def put_broker(a, e: layout.Env, chain_pem: str, key: str) -> None:
    ssm = a.client("ssm")
    ssm.put_parameter(Name=e.ssm("tls/broker-key"), Value=key, Type="SecureString", Overwrite=True,
                      Description=f"broker TLS key of {e.name} (PKCS#8 PEM)")
    ssm.put_parameter(Name=e.ssm("tls/broker-cert"), Value=chain_pem, Type="String", Overwrite=True,
                      Description=f"broker TLS certificate of {e.name} (leaf then chain)")


def import_sub(a, e: layout.Env, arn: str, days: int) -> None:
    pca = a.client("acm-pca")
    root_cert, root_key = root()
    csr = x509.load_pem_x509_csr(pca.get_certificate_authority_csr(CertificateAuthorityArn=arn)["Csr"].encode())
    sub = make_ca(csr.subject, csr.public_key(), root_cert.subject, root_key, days, 0)
    pca.import_certificate_authority_certificate(CertificateAuthorityArn=arn, Certificate=cert_pem(sub).encode(),
                                                 CertificateChain=cert_pem(root_cert).encode())


def issue_broker(a, e: layout.Env, arn: str) -> None:
    pca = a.client("acm-pca")
    key = new_key()
    alt = [x509.IPAddress(ipaddress.ip_address(s)) if s[0].isdigit() else x509.DNSName(s) for s in sans(e)]
    csr = (x509.CertificateSigningRequestBuilder().subject_name(name(e.broker_dns))
           .add_extension(x509.SubjectAlternativeName(alt), critical=False).sign(key, hashes.SHA256()))
    cert_arn = pca.issue_certificate(CertificateAuthorityArn=arn, Csr=csr.public_bytes(serialization.Encoding.PEM),
                                     SigningAlgorithm="SHA256WITHRSA", Validity={"Value": 365, "Type": "DAYS"},
                                     IdempotencyToken=f"sandbox{int(time.time())}")["CertificateArn"]
    for _ in range(50):
        try:
            got = pca.get_certificate(CertificateAuthorityArn=arn, CertificateArn=cert_arn)
            break
        except pca.exceptions.RequestInProgressException:
            time.sleep(0.1)
    chain = got["Certificate"].strip() + "\n" + got.get("CertificateChain", "").strip() + "\n"
    put_broker(a, e, chain, key_pem(key))


def seed(e: layout.Env) -> dict:
    from .aws import Account
    a = Account(e)
    root_cert, _ = root()
    (pki_dir() / f"{e.name}-trust.pem").write_text(cert_pem(root_cert))
    pca = a.client("acm-pca")
    arn = pca.create_certificate_authority(
        CertificateAuthorityConfiguration={"KeyAlgorithm": "RSA_2048", "SigningAlgorithm": "SHA256WITHRSA",
                                           "Subject": {"Organization": "lookout sandbox",
                                                       "CommonName": f"Kafka {e.name} Private CA"}},
        CertificateAuthorityType="SUBORDINATE", IdempotencyToken=f"sandbox-{e.name}")["CertificateAuthorityArn"]
    import_sub(a, e, arn, 730)
    issue_broker(a, e, arn)
    return {"pca_arn": arn, "trust_file": str(pki_dir() / f"{e.name}-trust.pem"),
            "root_ca_file": str(pki_dir() / "root-ca.pem")}


# ---------------------------------------------------------------- scenarios
def _facts(e: layout.Env) -> dict:
    return json.loads((layout.state_dir(e.name) / "aws.json").read_text())


def _remember_good(a, e: layout.Env) -> None:
    """Keep the SSM versions (numbers only, never values) that reset puts back."""
    path = layout.state_dir(e.name) / "pki-good.json"
    if path.exists():
        return
    ssm = a.client("ssm")
    versions = {leaf: ssm.get_parameter(Name=e.ssm(leaf))["Parameter"]["Version"]
                for leaf in ("tls/broker-cert", "tls/broker-key")}
    path.write_text(json.dumps(versions))


def _serve(a, e: layout.Env, chain: str, key: str) -> None:
    from .scenario import roll
    _remember_good(a, e)
    put_broker(a, e, chain, key)
    roll(e, a, list(layout.SERVICES))


def cert_expiring(e: layout.Env, a, source) -> str:
    root_cert, root_key = root()
    key = new_key()
    leaf = sign_leaf(key.public_key(), e.broker_dns, sans(e), root_cert, root_key, 5)
    _serve(a, e, cert_pem(leaf), key_pem(key))
    return f"{e.name}: broker serves a leaf signed by the sandbox root that expires {leaf.not_valid_after_utc:%Y-%m-%d}"


def cert_expired(e: layout.Env, a, source) -> str:
    root_cert, root_key = root()
    key = new_key()
    leaf = sign_leaf(key.public_key(), e.broker_dns, sans(e), root_cert, root_key, -1, days_before=30)
    _serve(a, e, cert_pem(leaf), key_pem(key))
    return f"{e.name}: broker serves a leaf signed by the sandbox root that expired {leaf.not_valid_after_utc:%Y-%m-%d}"


def cert_wrong_name(e: layout.Env, a, source) -> str:
    root_cert, root_key = root()
    key = new_key()
    leaf = sign_leaf(key.public_key(), "wrong.example.com", ["wrong.example.com"], root_cert, root_key, 365)
    _serve(a, e, cert_pem(leaf), key_pem(key))
    return f"{e.name}: broker serves a certificate for wrong.example.com only"


def cert_untrusted(e: layout.Env, a, source) -> str:
    other_key = new_key()
    other = make_ca(name("unrelated CA", "elsewhere"), other_key.public_key(), name("unrelated CA", "elsewhere"),
                    other_key, 365, 0)
    key = new_key()
    leaf = sign_leaf(key.public_key(), e.broker_dns, sans(e), other, other_key, 365)
    _serve(a, e, cert_pem(leaf) + cert_pem(other), key_pem(key))
    return f"{e.name}: broker serves a certificate from an unrelated CA"


def ca_expiring(e: layout.Env, a, source) -> str:
    import_sub(a, e, _facts(e)["pca_arn"], 20)
    (layout.state_dir(e.name) / "ca-expiring").write_text("1")
    return f"{e.name}: the Private CA's certificate re-imported with 20 days left"


def reset(e: layout.Env, a) -> None:
    marker = layout.state_dir(e.name) / "ca-expiring"
    if marker.exists():
        import_sub(a, e, _facts(e)["pca_arn"], 730)
        marker.unlink()
    path = layout.state_dir(e.name) / "pki-good.json"
    if not path.exists():
        return
    versions = json.loads(path.read_text())
    ssm = a.client("ssm")
    cert = ssm.get_parameter(Name=f"{e.ssm('tls/broker-cert')}:{versions['tls/broker-cert']}")["Parameter"]["Value"]
    key = ssm.get_parameter(Name=f"{e.ssm('tls/broker-key')}:{versions['tls/broker-key']}",
                            WithDecryption=True)["Parameter"]["Value"]
    put_broker(a, e, cert, key)
    path.unlink()
    from .scenario import roll
    roll(e, a, list(layout.SERVICES))


SCENARIOS = {"cert-expiring": cert_expiring, "cert-expired": cert_expired, "ca-expiring": ca_expiring, "cert-wrong-name": cert_wrong_name,
             "cert-untrusted": cert_untrusted}
