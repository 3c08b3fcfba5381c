"""Traffic of one environment: producers with exact counts and the consumer groups.

- producers: `batch.num.messages=1` (Tansu's high watermark is only exact then: NOTES.md),
  round-robin over partitions, counting delivered messages per partition in
  state/<env>/produced.json;
- `billing` consumes everything and commits (ok);
- `analytics` is a member that commits only half of what arrived since its last commit,
  every 5 s, so its commits move while its lag grows (warn);
- `archiver` joins once, commits what it read, and leaves while `audit` grows (stop).
Control: state/<env>/traffic.json {"producers_paused": bool, "stalled": [group, ...]};
a stalled group keeps its member joined (polling, heartbeating) and commits nothing.
produced.json also says when the traffic is ready (`up` waits for it): `ready` per group is
true once billing and analytics committed and archiver's marker state/<env>/archiver.done exists.
On an authentication failure (a rotated password took effect) the clients are rebuilt with
the password read again from SSM.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

from . import layout
from .kafka import client_conf

CONSUMER = {"auto.offset.reset": "earliest", "enable.auto.commit": False,
            "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000}


def atomic_json(path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


class Traffic:
    def __init__(self, e: layout.Env):
        self.e = e
        self.dir = layout.state_dir(e.name)
        self.stop = threading.Event()
        self.rebuild = threading.Event()
        self.counts = {t: [0] * n for t, n in layout.TOPICS.items()}
        self.failed = 0
        self.lock = threading.Lock()
        self.control = {"producers_paused": False, "stalled": []}
        self.password = None
        self.threads: list[threading.Thread] = []
        self.ready = {"billing": False, "analytics": False}  # committed at least once by this process

    # ---- setup ----
    def read_password(self) -> None:
        if self.e.sasl:
            from .aws import Account
            self.password = Account(self.e).ssm_value(self.e.ssm("client-password"))

    def conf(self, **extra) -> dict:
        c = client_conf(self.e, self.password)
        c["error_cb"] = self.on_error
        c.update(extra)
        return c

    def on_error(self, err: KafkaError) -> None:
        if err.code() in (KafkaError._AUTHENTICATION, KafkaError.SASL_AUTHENTICATION_FAILED) \
                and not self.rebuild.is_set():
            print(f"authentication failed: {err.name()}; will read the password again", flush=True)
            self.rebuild.set()

    def read_control(self) -> None:
        try:
            self.control = json.loads((self.dir / "traffic.json").read_text())
        except (FileNotFoundError, ValueError):
            self.control = {"producers_paused": False, "stalled": []}

    def stalled(self, group: str) -> bool:
        return group in self.control.get("stalled", [])

    # ---- producer ----
    def delivered(self, err, msg) -> None:
        with self.lock:
            if err is None:
                self.counts[msg.topic()][msg.partition()] += 1
            else:
                self.failed += 1

    def produce_loop(self, stop: threading.Event) -> None:
        p = Producer(self.conf(**{"batch.num.messages": 1, "linger.ms": 5, "acks": "all",
                                  "message.timeout.ms": 600000, "enable.idempotence": True}))
        while not stop.is_set():
            try:
                md = p.list_topics(timeout=10)
                if all(t in md.topics and len(md.topics[t].partitions) == n for t, n in layout.TOPICS.items()):
                    break
            except KafkaException as ex:
                print(f"metadata: {ex}", flush=True)
            stop.wait(1)
        credit = {t: 0.0 for t in layout.TOPICS}
        nxt = {t: 0 for t in layout.TOPICS}
        seq = 0
        last = time.monotonic()
        while not stop.is_set():
            now = time.monotonic()
            dt, last = now - last, now
            if not self.control.get("producers_paused"):
                for t, n in layout.TOPICS.items():
                    credit[t] += layout.RATES[t] * dt
                    while credit[t] >= 1:
                        try:
                            p.produce(t, value=f"{self.e.name}-{t}-{seq}".encode(), partition=nxt[t],
                                      on_delivery=self.delivered)
                        except (BufferError, KafkaException) as ex:
                            print(f"produce {t}: {ex}", flush=True)
                            credit[t] = 0
                            break
                        credit[t] -= 1
                        seq += 1
                        nxt[t] = (nxt[t] + 1) % n
            else:
                p.flush(1)
            p.poll(0.1)
        p.flush(3)  # what cannot be delivered in 3 s was never counted

    # ---- groups ----
    # Tansu sometimes never completes a rebalance after its gate or front restarted (the
    # SyncGroup times out, DescribeGroups says "Unknown" for minutes): a member that holds no
    # partitions for this long leaves and joins again, as a real consumer's liveness check would.
    REJOIN_AFTER = 30.0

    def billing_loop(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.billing_member(stop)

    def billing_member(self, stop: threading.Event) -> None:
        c = Consumer(self.conf(**{"group.id": "billing", **CONSUMER}))
        paused = False
        unassigned_since = time.monotonic()
        asked = self.control.get("billing_rejoin")  # `./sandbox/scenario group-rejoin` changes it

        def on_assign(consumer, parts):
            if self.stalled("billing"):
                consumer.pause(parts)

        c.subscribe(layout.GROUPS["billing"], on_assign=on_assign)
        while not stop.is_set():
            want = self.stalled("billing")
            if want != paused:
                parts = c.assignment()
                (c.pause if want else c.resume)(parts)
                paused = want
            msgs = c.consume(200, 0.5)
            if msgs and not paused:
                try:
                    c.commit(asynchronous=False)
                    self.ready["billing"] = True
                except Exception as ex:  # noqa: BLE001 - a rebalance or a fault; next round retries
                    print(f"billing commit: {ex}", flush=True)
            if c.assignment():
                unassigned_since = None
            elif unassigned_since is None:
                unassigned_since = time.monotonic()
            elif time.monotonic() - unassigned_since > self.REJOIN_AFTER:
                print(f"billing: no partitions for {self.REJOIN_AFTER:.0f} s: leaving the group and joining again", flush=True)
                break
            if self.control.get("billing_rejoin") != asked:
                print("billing: asked to leave the group and join again (group-rejoin)", flush=True)
                break
        c.close()

    def analytics_loop(self, stop: threading.Event) -> None:
        c = Consumer(self.conf(**{"group.id": "analytics", **CONSUMER}))
        c.subscribe(layout.GROUPS["analytics"], on_assign=lambda consumer, parts: consumer.pause(parts))
        last_hw: dict = {}
        next_tick = time.monotonic() + 1  # the first commit soon (up waits for it), then every 5 s
        while not stop.is_set():
            c.consume(10, 0.5)  # keeps the member alive; its partitions stay paused
            if time.monotonic() < next_tick:
                continue
            next_tick = time.monotonic() + 5
            if self.stalled("analytics"):
                continue
            try:
                parts = c.assignment()
                if not parts:
                    next_tick = time.monotonic() + 1  # not assigned yet: look again soon
                    continue
                committed = {(tp.topic, tp.partition): tp.offset for tp in c.committed(parts, timeout=5)}
                new = []
                for tp in parts:
                    key = (tp.topic, tp.partition)
                    hw = c.get_watermark_offsets(tp, timeout=5, cached=False)[1]
                    done = committed.get(key, -1)
                    if done < 0:
                        target = hw // 2
                    else:
                        target = done + max(0, hw - last_hw.get(key, hw)) // 2
                    last_hw[key] = hw
                    if target > max(done, 0) or done < 0:
                        new.append(TopicPartition(tp.topic, tp.partition, target))
                if new:
                    c.commit(offsets=new, asynchronous=False)
                    self.ready["analytics"] = True
                elif not self.ready["analytics"]:
                    next_tick = time.monotonic() + 2  # a restart with commits: the first ones soon
            except Exception as ex:  # noqa: BLE001
                print(f"analytics commit: {ex}", flush=True)
        c.close()

    def archiver_once(self, stop: threading.Event) -> None:
        marker = self.dir / "archiver.done"
        if marker.exists():
            return
        # joins at once (a join takes seconds), reads from the start while audit fills up
        c = Consumer(self.conf(**{"group.id": "archiver", **CONSUMER}))
        c.subscribe(layout.GROUPS["archiver"])
        got, deadline = 0, time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline and got < 3:
            got += len(c.consume(100, 0.5))
        if got:
            c.commit(asynchronous=False)
            marker.write_text(str(got))
        c.close()
        if not got:
            raise RuntimeError("archiver read nothing")  # the guard tries again
        print(f"archiver read {got} messages, committed and left", flush=True)

    # ---- main ----
    def guard(self, loop, stop: threading.Event) -> None:
        """Run loop until stop; a client that fails is made again (the fault proxy can break any)."""
        while not stop.is_set():
            try:
                loop(stop)
                return
            except Exception as ex:  # noqa: BLE001
                print(f"{loop.__name__} failed: {ex!r}; again in 2 s", flush=True)
                stop.wait(2)

    def start_clients(self) -> threading.Event:
        stop = threading.Event()
        self.threads = [threading.Thread(target=self.guard, args=(f, stop), daemon=True, name=f.__name__)
                        for f in (self.produce_loop, self.billing_loop, self.analytics_loop, self.archiver_once)]
        for t in self.threads:
            t.start()
        return stop

    def write_counts(self) -> None:
        with self.lock:
            data = {"topics": {t: {str(i): n for i, n in enumerate(c)} for t, c in self.counts.items()},
                    "total": sum(sum(c) for c in self.counts.values()), "failed": self.failed,
                    "producers_paused": bool(self.control.get("producers_paused")),
                    "updated": time.time(), "pid": os.getpid(),
                    "ready": {**self.ready, "archiver": (self.dir / "archiver.done").exists()}}
        atomic_json(self.dir / "produced.json", data)

    def load_counts(self) -> None:
        """Start from the topics' end offsets: only this process produces to them, so a
        restarted traffic (after a crash too) keeps counting exactly."""
        from confluent_kafka.admin import AdminClient, OffsetSpec
        admin = AdminClient(self.conf())
        while not self.stop.is_set():
            try:
                req = {TopicPartition(t, p): OffsetSpec.latest() for t, n in layout.TOPICS.items() for p in range(n)}
                got = {tp: f.result().offset for tp, f in admin.list_offsets(req, request_timeout=10).items()}
                with self.lock:
                    for tp, off in got.items():
                        self.counts[tp.topic][tp.partition] = off
                return
            except Exception as ex:  # noqa: BLE001 - Kafka not reachable yet (or a fault): wait
                print(f"reading end offsets: {ex}", flush=True)
                self.stop.wait(2)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
        self.read_control()
        self.read_password()
        self.load_counts()
        stop = self.start_clients()
        while not self.stop.is_set():
            self.read_control()
            self.write_counts()
            if self.rebuild.is_set():
                stop.set()
                for t in self.threads:
                    t.join(15)
                self.rebuild.clear()
                time.sleep(2)
                self.read_password()
                stop = self.start_clients()
            self.stop.wait(0.5)
        stop.set()
        for t in self.threads:
            t.join(15)
        self.write_counts()


def main() -> None:
    Traffic(layout.env(sys.argv[1])).run()


if __name__ == "__main__":
    main()
