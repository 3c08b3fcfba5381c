"""The HTTPS front of one environment's AWS (issue 24): TLS in the fault proxy before moto.

acc's AWS is reached as https://127.0.0.1:<aws_tls_port>, as a user reaches a private API
endpoint whose certificate comes from the company's CA: the profile's `ca_bundle` (or
AWS_CA_BUNDLE) names the sandbox's root CA (pki/root-ca.pem), which signs the front's
certificate. The faults `tls-untrusted`, `tls-wrong-name` and `tls-expired` make the front
present, to each new connection, a certificate from another CA, one for another name, or one
expired a day ago; the HTTP behind it is the target's as always (its other faults apply).
Every certificate is made here when the proxy first needs it; keys live in memory (the ssl
module reads them once from a passphrase-encrypted temporary file, see front.tls_context).
"""
from __future__ import annotations

import datetime as dt
import ssl

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from . import layout

TLS_MODES = {"tls-untrusted", "tls-wrong-name", "tls-expired"}
GOOD_NAMES = [layout.HOST, "localhost"]
_contexts: dict[str, ssl.SSLContext] = {}


def _leaf(cn: str, names: list[str], issuer_cert, issuer_key, days: float, key) -> x509.Certificate:
    from . import pki
    return pki.sign_leaf(key.public_key(), cn, names, issuer_cert, issuer_key, days,
                         days_before=2 if days < 0 else 1 / 24)


def _context(chain: list[x509.Certificate], key) -> ssl.SSLContext:
    from . import pki
    from .front import tls_context
    from cryptography.hazmat.primitives import serialization
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return tls_context("".join(pki.cert_pem(c) for c in chain), key_pem)


def contexts() -> dict[str, ssl.SSLContext]:
    """`pass` (the good certificate) and one context per TLS fault."""
    if _contexts:
        return _contexts
    from . import pki
    root_cert, root_key = pki.root()
    other_key = ec.generate_private_key(ec.SECP256R1())
    other_name = pki.name("an unrelated CA")
    other = pki.make_ca(other_name, other_key.public_key(), other_name, other_key, 365, 0)
    made = {
        "pass": (GOOD_NAMES, root_cert, root_key, 30),
        "tls-untrusted": (GOOD_NAMES, other, other_key, 30),
        "tls-wrong-name": (["aws.elsewhere.sandbox.test"], root_cert, root_key, 30),
        "tls-expired": (GOOD_NAMES, root_cert, root_key, -1),
    }
    for mode, (names, issuer, issuer_key, days) in made.items():
        key = ec.generate_private_key(ec.SECP256R1())
        leaf = _leaf(names[0], names, issuer, issuer_key, days, key)
        _contexts[mode] = _context([leaf, issuer], key)
    return _contexts


def context_for(mode: str) -> ssl.SSLContext:
    return contexts()[mode if mode in TLS_MODES else "pass"]
