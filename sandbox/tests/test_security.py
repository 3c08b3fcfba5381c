"""Issue 4: Private CA certificates, TLS fronts and SASL gates, proven with independent
clients (openssl s_client, Python ssl, confluent-kafka, boto3), and rolls that reload them.

No assert here may show a secret when it fails: pytest's assertion rewriting prints the values
of the compared expressions (call arguments included), so secrets are only ever compared into
a bool or an index first, and failures name indices and paths (tracebacks are --tb=short:
pytest.ini)."""
from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import subprocess
import time

import pytest
from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import client, kafka_conf, roll_and_wait, scenario, ssm_password, wait_for

TLS_ENVS = ["acc", "prod"]
CERT_ENV = "acc"


def served(port: int) -> x509.Certificate:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw, ctx.wrap_socket(raw) as s:
        return x509.load_der_x509_certificate(s.getpeercert(binary_form=True))


def s_client(port: int, ca_file: str, verify_ip: bool = True) -> subprocess.CompletedProcess:
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", ca_file, "-verify_return_error"]
    if verify_ip:
        args += ["-verify_ip", "127.0.0.1"]
    return subprocess.run(args, input="", capture_output=True, text=True, timeout=20)


def ssm_cert(sb, env) -> x509.Certificate:
    e = sb["environments"][env]
    pem = client(sb, env, "ssm").get_parameter(Name=e["ssm"]["broker-cert"])["Parameter"]["Value"]
    return x509.load_pem_x509_certificate(pem.encode())


@pytest.mark.parametrize("env", TLS_ENVS)
def test_openssl_verifies_the_chain_to_the_trust_anchor(sb, env):
    e = sb["environments"][env]
    for port in (e["ports"]["kafka_proxy"], e["ports"]["public_proxy"]):
        p = s_client(port, e["ca_file"])
        assert p.returncode == 0, p.stdout[-500:] + p.stderr[-500:]
        assert "Verify return code: 0 (ok)" in p.stdout


@pytest.mark.parametrize("env", TLS_ENVS)
def test_the_served_certificate_is_the_one_in_ssm_issued_by_the_private_ca(sb, env):
    e = sb["environments"][env]
    cert = served(e["ports"]["kafka_proxy"])
    assert cert.serial_number == ssm_cert(sb, env).serial_number
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert ipaddress.ip_address("127.0.0.1") in sans.get_values_for_type(x509.IPAddress)
    pca = client(sb, env, "acm-pca")
    ca = pca.describe_certificate_authority(CertificateAuthorityArn=e["pca_arn"])["CertificateAuthority"]
    assert ca["Type"] == "SUBORDINATE" and ca["Status"] == "ACTIVE"
    ca_pem = pca.get_certificate_authority_certificate(CertificateAuthorityArn=e["pca_arn"])["Certificate"]
    assert cert.issuer == x509.load_pem_x509_certificate(ca_pem.encode()).subject
    key = client(sb, env, "ssm").get_parameter(Name=e["ssm"]["broker-key"])["Parameter"]
    assert key["Type"] == "SecureString"
    # SSM's certificate value: the leaf then its chain, the chain being the Private CA's certificate
    ca = x509.load_pem_x509_certificate(ca_pem.encode())
    pem = client(sb, env, "ssm").get_parameter(Name=e["ssm"]["broker-cert"])["Parameter"]["Value"]
    certs = x509.load_pem_x509_certificates(pem.encode())
    assert len(certs) == 2
    leaf, chain = certs
    assert leaf.serial_number == cert.serial_number
    leaf.verify_directly_issued_by(ca)  # raises unless the PCA's key signed the leaf
    assert chain == ca
    root = x509.load_pem_x509_certificate(open(e["ca_file"], "rb").read())
    chain.verify_directly_issued_by(root)  # and the PCA chains to the trust anchor
    # the key: encrypted at rest, PKCS#8 PEM once decrypted, and the leaf's own key (booleans only)
    encrypted = key["Value"].startswith("kms:")
    clear = client(sb, env, "ssm").get_parameter(Name=e["ssm"]["broker-key"], WithDecryption=True)["Parameter"]["Value"]
    pkcs8 = clear.startswith("-----BEGIN PRIVATE KEY-----\n") and clear.rstrip().endswith("-----END PRIVATE KEY-----")
    try:
        pair = serialization.load_pem_private_key(clear.encode(), None).public_key() == leaf.public_key()
    except ValueError:
        pair = False
    del clear
    assert encrypted, "the key is not stored encrypted"
    assert pkcs8, "the key is not a PKCS#8 PEM"
    assert pair, "the key is not the served leaf's"


# ---------------------------------------------------------------- SASL
def login(sb, env, timeout: float = 6, **overrides) -> tuple[bool, list]:
    errors: list = []
    conf = kafka_conf(sb, env, **overrides)
    conf["error_cb"] = errors.append
    admin = AdminClient(conf)
    try:
        md = admin.list_topics(timeout=timeout)
        return "orders" in md.topics, errors
    except KafkaException:
        admin.poll(0.5)  # serves error_cb
        return False, errors


def auth_error(errors) -> bool:
    return any(e.code() in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED) for e in errors)


@pytest.mark.parametrize("env,mechanism", [("test", "PLAIN"), ("prod", "SCRAM-SHA-512"), ("prod", "SCRAM-SHA-256")])
def test_login_with_the_ssm_password(sb, env, mechanism):
    for user in ("admin", "client"):
        ok, errors = login(sb, env, **{"sasl.mechanism": mechanism, "sasl.username": user,
                                       "sasl.password": ssm_password(sb, env, user)})
        assert ok, errors


@pytest.mark.parametrize("env", ["test", "prod"])
def test_refused_logins(sb, env):
    mech = sb["environments"][env]["sasl_mechanism"]
    ok, errors = login(sb, env, 2, **{"sasl.password": "not-the-password"})
    assert not ok and auth_error(errors), errors
    ok, errors = login(sb, env, 2, **{"sasl.username": "mallory"})
    assert not ok and auth_error(errors), errors
    wrong = "SCRAM-SHA-256" if mech == "PLAIN" else "PLAIN"
    ok, errors = login(sb, env, 2, **{"sasl.mechanism": wrong})
    assert not ok and auth_error(errors), errors
    no_sasl = "PLAINTEXT" if env == "test" else "SSL"
    ok, errors = login(sb, env, 2, **{"security.protocol": no_sasl})
    assert not ok, errors


@pytest.mark.parametrize("env", ["test", "prod"])  # PLAIN, SCRAM-SHA-512
def test_a_new_password_is_required_only_after_the_roll(sb, env):
    """A password put into SSM is required only once the services are rolled (the agent restarts
    the gate, which reads SSM at start); then the same the other way round."""
    e = sb["environments"][env]
    ssm = client(sb, env, "ssm")
    name = e["ssm"]["admin-password"]
    old = ssm_password(sb, env, "admin")
    new = "N" + old[1:][::-1]

    def works(password) -> bool:
        return login(sb, env, **{"sasl.password": password})[0]

    def refused(password) -> bool:
        ok, errors = login(sb, env, 3, **{"sasl.password": password})
        return not ok and auth_error(errors)

    try:
        ssm.put_parameter(Name=name, Value=new, Type="SecureString", Overwrite=True)
        still_old, not_yet_new = works(old), refused(new)
        assert still_old, "before the roll the gate must still take the old password"
        assert not_yet_new, "before the roll the gate must refuse the new password"
        roll_and_wait(sb, env)
        wait_for(lambda: works(new), 20, what="login with the new password after the roll")
        old_refused = refused(old)
        assert old_refused, "after the roll the old password must be refused"
        # the reverse: the original back in SSM is required only after the next roll
        ssm.put_parameter(Name=name, Value=old, Type="SecureString", Overwrite=True)
        still_new, not_yet_old = works(new), refused(old)
        assert still_new, "before the second roll the gate must still take the new password"
        assert not_yet_old, "before the second roll the gate must refuse the original password"
        roll_and_wait(sb, env)
        wait_for(lambda: works(old), 20, what="login with the original password after the second roll")
        new_refused = refused(new)
        assert new_refused, "after the second roll the new password must be refused"
    finally:
        ssm.put_parameter(Name=name, Value=old, Type="SecureString", Overwrite=True)
        roll_and_wait(sb, env)
    wait_for(lambda: works(old), 20, what="the original password again")


def test_a_new_certificate_is_served_only_after_the_roll(sb):
    env = CERT_ENV
    e = sb["environments"][env]
    ssm, pca = client(sb, env, "ssm"), client(sb, env, "acm-pca")
    before = served(e["ports"]["kafka_proxy"])
    versions = {k: ssm.get_parameter(Name=e["ssm"][k])["Parameter"]["Version"] for k in ("broker-cert", "broker-key")}
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    names = [x509.DNSName(f"broker.kafka.{env}.internal"), x509.DNSName("localhost"),
             x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"broker.kafka.{env}.internal")]))
           .add_extension(x509.SubjectAlternativeName(names), critical=False).sign(key, hashes.SHA256()))
    arn = pca.issue_certificate(CertificateAuthorityArn=e["pca_arn"], Csr=csr.public_bytes(serialization.Encoding.PEM),
                                SigningAlgorithm="SHA256WITHRSA", Validity={"Value": 90, "Type": "DAYS"})["CertificateArn"]
    got = wait_for(lambda: _get_cert(pca, e["pca_arn"], arn), 10, what="the issued certificate")
    new = x509.load_pem_x509_certificate(got["Certificate"].encode())
    try:
        ssm.put_parameter(Name=e["ssm"]["broker-key"], Type="SecureString", Overwrite=True,
                          Value=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()).decode())
        ssm.put_parameter(Name=e["ssm"]["broker-cert"], Type="String", Overwrite=True,
                          Value=got["Certificate"] + "\n" + got["CertificateChain"] + "\n")
        time.sleep(2)
        assert served(e["ports"]["kafka_proxy"]).serial_number == before.serial_number
        roll_and_wait(sb, env)
        assert served(e["ports"]["kafka_proxy"]).serial_number == new.serial_number
        assert s_client(e["ports"]["kafka_proxy"], e["ca_file"]).returncode == 0
    finally:
        cert_old = ssm.get_parameter(Name=f"{e['ssm']['broker-cert']}:{versions['broker-cert']}")["Parameter"]["Value"]
        key_old = ssm.get_parameter(Name=f"{e['ssm']['broker-key']}:{versions['broker-key']}",
                                    WithDecryption=True)["Parameter"]["Value"]
        ssm.put_parameter(Name=e["ssm"]["broker-key"], Value=key_old, Type="SecureString", Overwrite=True)
        ssm.put_parameter(Name=e["ssm"]["broker-cert"], Value=cert_old, Type="String", Overwrite=True)
        roll_and_wait(sb, env)
    assert served(e["ports"]["kafka_proxy"]).serial_number == before.serial_number


def _get_cert(pca, ca_arn, arn):
    try:
        return pca.get_certificate(CertificateAuthorityArn=ca_arn, CertificateArn=arn)
    except pca.exceptions.RequestInProgressException:
        return None


# ---------------------------------------------------------------- certificate scenarios
@pytest.fixture
def cert_env(reset_env):
    reset_env.append(CERT_ENV)
    return CERT_ENV


def days_left(cert: x509.Certificate) -> float:
    return (cert.not_valid_after_utc - dt.datetime.now(dt.timezone.utc)).total_seconds() / 86400


def test_cert_expiring(sb, cert_env):
    e = sb["environments"][cert_env]
    original = served(e["ports"]["kafka_proxy"]).serial_number
    scenario("cert-expiring", cert_env)
    cert = served(e["ports"]["kafka_proxy"])
    assert 4.9 < days_left(cert) <= 5.01
    assert ssm_cert(sb, cert_env).serial_number == cert.serial_number
    assert s_client(e["ports"]["kafka_proxy"], e["ca_file"]).returncode == 0  # still chains to the anchors
    scenario("reset", cert_env)
    assert served(e["ports"]["kafka_proxy"]).serial_number == original


def test_cert_expired(sb, cert_env):
    """The broker serves a leaf whose validity ended yesterday; openssl refuses it as expired."""
    e = sb["environments"][cert_env]
    original = served(e["ports"]["kafka_proxy"]).serial_number
    scenario("cert-expired", cert_env)
    cert = served(e["ports"]["kafka_proxy"])
    assert -1.01 < days_left(cert) < 0
    assert ssm_cert(sb, cert_env).serial_number == cert.serial_number
    p = s_client(e["ports"]["kafka_proxy"], e["ca_file"])
    assert p.returncode != 0 and "certificate has expired" in (p.stdout + p.stderr), p.stdout + p.stderr
    scenario("reset", cert_env)
    assert served(e["ports"]["kafka_proxy"]).serial_number == original


def test_ca_expiring(sb, cert_env):
    e = sb["environments"][cert_env]
    pca = client(sb, cert_env, "acm-pca")

    def ca_days():
        ca = pca.describe_certificate_authority(CertificateAuthorityArn=e["pca_arn"])["CertificateAuthority"]
        return (ca["NotAfter"] - dt.datetime.now(dt.timezone.utc)).total_seconds() / 86400
    assert ca_days() > 300
    scenario("ca-expiring", cert_env)
    assert 19.9 < ca_days() <= 20.01
    scenario("reset", cert_env)
    assert ca_days() > 300


def test_cert_wrong_name(sb, cert_env):
    e = sb["environments"][cert_env]
    scenario("cert-wrong-name", cert_env)
    p = s_client(e["ports"]["kafka_proxy"], e["ca_file"])
    assert p.returncode != 0
    assert s_client(e["ports"]["kafka_proxy"], e["ca_file"], verify_ip=False).returncode == 0  # chain fine
    ok, errors = login(sb, cert_env)
    assert not ok
    scenario("reset", cert_env)
    assert s_client(e["ports"]["kafka_proxy"], e["ca_file"]).returncode == 0
    assert login(sb, cert_env)[0]


def test_cert_untrusted(sb, cert_env):
    e = sb["environments"][cert_env]
    scenario("cert-untrusted", cert_env)
    p = s_client(e["ports"]["kafka_proxy"], e["ca_file"], verify_ip=False)
    assert p.returncode != 0
    assert not login(sb, cert_env)[0]
    scenario("reset", cert_env)
    assert s_client(e["ports"]["kafka_proxy"], e["ca_file"]).returncode == 0


def test_no_secret_value_in_any_sandbox_file(sb):
    """Passwords and broker keys live in SSM only: not in logs, state, config or any other file."""
    from conftest import HOME
    secrets = []
    for env, e in sb["environments"].items():
        secrets += [ssm_password(sb, env, "admin") or "", ssm_password(sb, env, "client") or ""]
        if not e["sasl_mechanism"]:
            ssm = client(sb, env, "ssm")
            secrets += [ssm.get_parameter(Name=e["ssm"][leaf], WithDecryption=True)["Parameter"]["Value"]
                        for leaf in ("admin-password", "client-password")]
        key = client(sb, env, "ssm").get_parameter(Name=e["ssm"]["broker-key"], WithDecryption=True)["Parameter"]["Value"]
        secrets.append("".join(key.splitlines()[1:3]))  # a piece of the base64 body
    secrets = [s for s in secrets if s]
    n = len(secrets)
    assert n >= 12  # 8 passwords and 4 key pieces
    found = []
    for path in HOME.rglob("*"):
        if "venv" in path.parts or not path.is_file():
            continue
        text = path.read_bytes().decode(errors="replace").replace("\n", "")
        hits = [i for i, s in enumerate(secrets) if s in text]
        if hits:
            found.append(f"secret #{hits} in {path}")
        del text
    del secrets
    assert not found, found


def test_traffic_follows_a_rotated_client_password(sb):
    """The sandbox's own clients read their password again when the gate refuses the old one."""
    import json
    from pathlib import Path
    env = "test"
    e = sb["environments"][env]
    ssm = client(sb, env, "ssm")
    name = e["ssm"]["client-password"]
    old = ssm_password(sb, env, "client")
    produced = Path(e["produced_file"])
    try:
        ssm.put_parameter(Name=name, Value="R" + old[1:][::-1], Type="SecureString", Overwrite=True)
        roll_and_wait(sb, env)
        after = json.loads(produced.read_text())["total"]
        wait_for(lambda: json.loads(produced.read_text())["total"] > after + 20, 40, interval=1,
                 what="producers to go on with the new password")
    finally:
        ssm.put_parameter(Name=name, Value=old, Type="SecureString", Overwrite=True)
        roll_and_wait(sb, env)
    after = json.loads(produced.read_text())["total"]
    wait_for(lambda: json.loads(produced.read_text())["total"] > after + 20, 40, interval=1,
             what="producers to go on with the old password again")


# ---------------------------------------------------------------- the gate on the wire
def _req(api_key: int, version: int, corr: int, body: bytes, flexible: bool = False) -> bytes:
    import struct
    cid = b"sandbox-pytest"
    head = struct.pack(">hhih", api_key, version, corr, len(cid)) + cid + (b"\x00" if flexible else b"")
    return struct.pack(">i", len(head) + len(body)) + head + body


def _frame(s: socket.socket) -> bytes:
    import struct
    from conftest import _recv
    return _recv(s, struct.unpack(">i", _recv(s, 4))[0])


@pytest.mark.parametrize("version", [0, 1, 2])
def test_gate_speaks_sasl_authenticate_v0_to_v2(sb, version):
    """lookout's own Kafka client may pick any version Tansu advertises (0-2)."""
    import struct
    e = sb["environments"]["test"]
    password = ssm_password(sb, "test", "admin")
    for pw, want in ((password, 0), ("wrong", 58)):
        with socket.create_connection(("127.0.0.1", e["ports"]["kafka_proxy"]), timeout=5) as s:
            s.sendall(_req(17, 1, 1, struct.pack(">h", 5) + b"PLAIN"))
            corr, err = struct.unpack_from(">ih", _frame(s), 0)
            assert (corr, err) == (1, 0)
            token = b"\x00admin\x00" + pw.encode()
            if version >= 2:
                body = bytes([len(token) + 1]) + token + b"\x00"
            else:
                body = struct.pack(">i", len(token)) + token
            s.sendall(_req(36, version, 2, body, flexible=version >= 2))
            resp = _frame(s)
            corr = struct.unpack_from(">i", resp, 0)[0]
            pos = 5 if version >= 2 else 4
            assert corr == 2
            assert struct.unpack_from(">h", resp, pos)[0] == want
            if want == 0:
                s.sendall(_req(3, 0, 3, struct.pack(">i", 0)))  # Metadata v0, all topics: relayed to Tansu
                meta = _frame(s)
                assert struct.unpack_from(">i", meta, 0)[0] == 3 and b"orders" in meta
            else:
                assert b"Authentication failed" in resp


def test_gate_closes_on_anything_but_sasl_before_login(sb):
    import struct
    e = sb["environments"]["test"]
    with socket.create_connection(("127.0.0.1", e["ports"]["kafka_proxy"]), timeout=5) as s:
        s.sendall(_req(3, 0, 1, struct.pack(">i", 0)))  # Metadata without login
        s.settimeout(5)
        assert s.recv(10) == b""


# ---------------------------------------------------------------- TLS-only scenarios without TLS
@pytest.mark.parametrize("name", ["cert-expiring", "cert-expired", "cert-wrong-name", "cert-untrusted"])
@pytest.mark.parametrize("env", ["dev", "test"])
def test_tls_only_scenarios_refuse_an_environment_without_tls(sb, reset_env, env, name):
    """Nothing serves a certificate on dev (PLAINTEXT) or test (SASL_PLAINTEXT): the scenario
    says so, exits non-zero and changes nothing (SSM, deployments, scenario state)."""
    from conftest import HOME, run
    reset_env.append(env)
    e = sb["environments"][env]
    ssm, ecs = client(sb, env, "ssm"), client(sb, env, "ecs")

    def snapshot():
        versions = {k: ssm.get_parameter(Name=e["ssm"][k])["Parameter"]["Version"] for k in ("broker-cert", "broker-key")}
        deps = {s["serviceName"]: [d["id"] for d in s["deployments"]]
                for s in ecs.describe_services(cluster=e["cluster"], services=e["services"])["services"]}
        state = {f: (HOME / "state" / env / f).read_text() if (HOME / "state" / env / f).exists() else None
                 for f in ("scenarios.json", "pki-good.json")}
        return versions, deps, state
    before = snapshot()
    p = run("scenario", name, env, check=False)
    assert p.returncode != 0
    assert "needs an environment whose brokers serve TLS (acc, prod)" in p.stderr, p.stderr
    assert "Nothing was changed" in p.stderr
    time.sleep(1.5)  # an agent would have started a roll by now
    assert snapshot() == before
