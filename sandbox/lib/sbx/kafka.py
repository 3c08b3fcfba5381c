"""confluent-kafka settings for a client of one environment, as lookout's users would set them."""
from __future__ import annotations

from . import layout


def client_conf(e: layout.Env, password: str | None = None, user: str = "client") -> dict:
    """password: the user's password (from SSM), needed where the environment uses SASL."""
    conf = {"bootstrap.servers": f"{layout.HOST}:{e.kafka_port}", "security.protocol": e.security,
            "client.id": f"sandbox-{e.name}"}
    if e.tls:
        conf["ssl.ca.location"] = str(layout.home() / "pki" / f"{e.name}-trust.pem")
    if e.sasl:
        conf["sasl.mechanism"] = e.mechanism
        conf["sasl.username"] = user
        conf["sasl.password"] = password or ""
    return conf
