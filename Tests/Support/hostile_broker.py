"""A Kafka broker on loopback that answers with hostile but well-formed data, for the tests that
point the built binary at it: names a broker chooses must not drive the terminal, and offsets at
the edges of Int64 must not crash lookout.

Usage: hostile_broker.py MODE PORT_FILE   (binds a free loopback port, writes it to PORT_FILE)

It speaks the Kafka wire protocol itself (size-prefixed frames, request header v1/v2, response
header v0/v1) and is one broker, node 1 at 127.0.0.1 on the bound port, controller and
coordinator of every group. It advertises each API below from version 0 to the highest lookout
has (the versions of Apache Kafka 3.8), so each client picks the version it would pick against
a real broker (lookout the highest both sides have: ConnectionStateMachine.negotiate), and
lookout's answers travel the decoding it uses in production. Any other API key, or a version
outside these ranges, closes the connection, as Kafka does. ApiVersions asked for in a version
above the highest is answered in version 0 with UNSUPPORTED_VERSION (35) and ApiVersions' own
range (KIP-511); lookout and librdkafka then ask again in version 0.

  ApiVersions 0-3   Metadata 0-12   ListOffsets 0-8   OffsetFetch 0-9
  FindCoordinator 0-5   ListGroups 0-5   DescribeGroups 0-5

Every group is a Stable classic group of protocol type "consumer" and protocol "range", with one
member assigned the partitions it committed to. Unknown topics are answered
UNKNOWN_TOPIC_OR_PARTITION (3), unknown groups described as Dead with no members and no commits.

HOSTILE_BROKER_VERSIONS=legacy advertises only versions before each API's flexible ones
(ApiVersions 0-2, Metadata 0-8, ListOffsets 0-5, OffsetFetch 0-5, FindCoordinator 0-2,
ListGroups 0-2, DescribeGroups 0-4): lookout then falls back to ApiVersions v0 and reads every
name as a classic (int16-length) string. HOSTILE_BROKER_LOG=1 logs each request to stderr.

Modes:
  evil-names       Cluster id "hostile\\x1b]0;pwned\\x07\\u202ecluster". Topic
                   "evil\\x1b]0;pwned\\x07topic\\u009b31m\\u202e" (an OSC title sequence, a bell,
                   a C1 CSI and a right-to-left override, UTF-8 encoded), 2 partitions, and
                   "orders", 1 partition; every partition led by 1, replicas [1], isr [1].
                   Group "evil\\x1b]0;pwned\\x07\\u202egroup\\u009b31m": Stable, protocol type
                   consumer, one member whose member id, client id and host carry escapes too;
                   commits 400 on both partitions of the evil topic. Group "billing": Stable,
                   one member, commits 990 on orders/0. Every end offset is 1000.
  extreme-offsets  Topic "orders", 3 partitions, and "payments", 1 partition. Group "billing"
                   (Stable, one member): orders/0 end Int64.max, committed -1 (no commit,
                   listed as Kafka lists one asked for); orders/1 end Int64.max, committed 0;
                   orders/2 end 5, committed Int64.max (past the end); payments/0 end Int64.max,
                   committed 1 (so the group's lag, summed, passes Int64.max unless saturated);
                   commits on orders/2147483646 (7) and orders/-5 (3), partitions the metadata
                   does not name.

Proven with confluent-kafka 2.16 (librdkafka 2.16.0) by hostile_broker_check.py, both modes, both
version sets: AdminClient's list_topics, list_consumer_groups, describe_consumer_groups,
list_consumer_group_offsets and list_offsets. librdkafka picks ApiVersions 3, Metadata 12,
ListGroups 5, FindCoordinator 2, DescribeGroups 5, OffsetFetch 9 and ListOffsets 7 (legacy:
ApiVersions 3 then 0, Metadata 8, ListGroups 2, FindCoordinator 2, DescribeGroups 4,
OffsetFetch 5, ListOffsets 5). lookout picks the highest of each range above.
"""
import os
import socket
import struct
import sys
import threading

INT64_MAX = 2**63 - 1
NODE_ID = 1
HOST = "127.0.0.1"

# MARK: - What each mode serves

# Per mode: the cluster id; each topic's end offsets, one per partition (so its partition count);
# each group's one member (member id, client id, client host) and its commits,
# (topic, partition) -> offset.
MODES = {
    "evil-names": {
        "cluster_id": "hostile\x1b]0;pwned\x07\u202ecluster",
        "topics": {
            "evil\x1b]0;pwned\x07topic\u009b31m\u202e": [1000, 1000],
            "orders": [1000],
        },
        "groups": {
            "evil\x1b]0;pwned\x07\u202egroup\u009b31m": {
                "member": ("member-1\x1b[2J", "evil\x1b]0;pwned\x07client\u202e", "/127.0.0.1\x1b[31m\u009b1m"),
                "commits": {("evil\x1b]0;pwned\x07topic\u009b31m\u202e", 0): 400,
                            ("evil\x1b]0;pwned\x07topic\u009b31m\u202e", 1): 400},
            },
            "billing": {
                "member": ("billing-1", "billing-client", "/127.0.0.1"),
                "commits": {("orders", 0): 990},
            },
        },
    },
    "extreme-offsets": {
        "cluster_id": "extreme-offsets",
        "topics": {
            "orders": [INT64_MAX, INT64_MAX, 5],
            "payments": [INT64_MAX],
        },
        "groups": {
            "billing": {
                "member": ("billing-1", "billing-client", "/127.0.0.1"),
                "commits": {("orders", 0): -1, ("orders", 1): 0, ("orders", 2): INT64_MAX,
                            ("payments", 0): 1, ("orders", 2147483646): 7, ("orders", -5): 3},
            },
        },
    },
}

# MARK: - The APIs served

API_VERSIONS, METADATA, LIST_OFFSETS, OFFSET_FETCH = 18, 3, 2, 9
FIND_COORDINATOR, LIST_GROUPS, DESCRIBE_GROUPS = 10, 16, 15

# Per API key: the highest version (lookout's, Kafka 3.8's) and the first flexible one, which
# also switches the request header to v2 and the response header to v1 (not for ApiVersions,
# whose response header stays v0 so that any client can read it).
HIGHEST = {API_VERSIONS: 3, METADATA: 12, LIST_OFFSETS: 8, OFFSET_FETCH: 9,
           FIND_COORDINATOR: 5, LIST_GROUPS: 5, DESCRIBE_GROUPS: 5}
FIRST_FLEXIBLE = {API_VERSIONS: 3, METADATA: 9, LIST_OFFSETS: 6, OFFSET_FETCH: 6,
                  FIND_COORDINATOR: 3, LIST_GROUPS: 3, DESCRIBE_GROUPS: 5}
if os.environ.get("HOSTILE_BROKER_VERSIONS") == "legacy":
    ADVERTISED = {key: (0, FIRST_FLEXIBLE[key] - 1) for key in HIGHEST}
else:
    ADVERTISED = {key: (0, high) for key, high in HIGHEST.items()}

UNSUPPORTED_VERSION, UNKNOWN_TOPIC_OR_PARTITION = 35, 3
NO_AUTHORIZED_OPERATIONS = -2147483648
LOG = os.environ.get("HOSTILE_BROKER_LOG") == "1"


class Closed(Exception):
    """The request cannot be answered: the connection closes, as Kafka closes it."""


# MARK: - Encoding

class Reader:
    """Reads a request body; `flexible` picks compact lengths and tagged-field sections."""

    def __init__(self, data: bytes, flexible: bool):
        self.data, self.at, self.flexible = data, 0, flexible

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise Closed("truncated request")
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk

    def int8(self) -> int: return struct.unpack(">b", self.take(1))[0]
    def int16(self) -> int: return struct.unpack(">h", self.take(2))[0]
    def int32(self) -> int: return struct.unpack(">i", self.take(4))[0]
    def int64(self) -> int: return struct.unpack(">q", self.take(8))[0]
    def boolean(self) -> bool: return self.take(1) != b"\x00"
    def uuid(self) -> bytes: return self.take(16)

    def uvarint(self) -> int:
        value = shift = 0
        while True:
            byte = self.take(1)[0]
            value |= (byte & 0x7F) << shift
            if byte < 0x80:
                return value
            shift += 7

    def length(self, wide: bool) -> int:
        """A string's or array's length; -1 for null."""
        if self.flexible:
            return self.uvarint() - 1
        return self.int32() if wide else self.int16()

    def string(self) -> str | None:
        size = self.length(wide=False)
        return None if size < 0 else self.take(size).decode("utf-8", "replace")

    def array(self, element) -> list | None:
        count = self.length(wide=True)
        return None if count < 0 else [element() for _ in range(count)]

    def tags(self) -> None:
        """Skips a tagged-field section (none is known here)."""
        if self.flexible:
            for _ in range(self.uvarint()):
                self.uvarint()
                self.take(self.uvarint())


class Writer:
    """Writes a response body; `flexible` picks compact lengths and tagged-field sections."""

    def __init__(self, flexible: bool):
        self.out, self.flexible = bytearray(), flexible

    def int8(self, v: int): self.out += struct.pack(">b", v)
    def int16(self, v: int): self.out += struct.pack(">h", v)
    def int32(self, v: int): self.out += struct.pack(">i", v)
    def int64(self, v: int): self.out += struct.pack(">q", v)
    def boolean(self, v: bool): self.out += b"\x01" if v else b"\x00"
    def uuid(self, v: bytes): self.out += v

    def uvarint(self, v: int):
        while v >= 0x80:
            self.out.append((v & 0x7F) | 0x80)
            v >>= 7
        self.out.append(v)

    def length(self, size: int | None, wide: bool):
        if self.flexible:
            self.uvarint(0 if size is None else size + 1)
        elif wide:
            self.int32(-1 if size is None else size)
        else:
            self.int16(-1 if size is None else size)

    def string(self, v: str | None):
        data = None if v is None else v.encode("utf-8")
        self.length(None if data is None else len(data), wide=False)
        self.out += data or b""

    def blob(self, v: bytes):
        self.length(len(v), wide=True)
        self.out += v

    def array(self, items, element):
        self.length(len(items), wide=True)
        for item in items:
            element(item)

    def tags(self):
        """An empty tagged-field section."""
        if self.flexible:
            self.uvarint(0)


def classic(fill) -> bytes:
    """Bytes written with classic (non-flexible) lengths: the consumer protocol's blobs."""
    w = Writer(flexible=False)
    fill(w)
    return bytes(w.out)


# MARK: - The cluster of one mode

class Cluster:
    def __init__(self, mode: dict, port: int):
        self.port = port
        self.cluster_id = mode["cluster_id"]
        self.ends = mode["topics"]
        self.groups = mode["groups"]
        # A fixed, non-zero id per topic (Metadata v10 and later carry them).
        self.topic_ids = {name: bytes([0x10 + i] * 16) for i, name in enumerate(self.ends)}

    def end(self, topic: str, partition: int) -> int | None:
        ends = self.ends.get(topic)
        return ends[partition] if ends is not None and 0 <= partition < len(ends) else None

    def assignment(self, group: str) -> tuple[bytes, bytes]:
        """ConsumerProtocol subscription and assignment (version 0) of the group's member: its
        topics, and every partition of them that it committed to."""
        by_topic: dict[str, list[int]] = {}
        for topic, partition in self.groups[group]["commits"]:
            if self.end(topic, partition) is not None:
                by_topic.setdefault(topic, []).append(partition)
        topics = sorted(by_topic)

        def subscription(w: Writer):
            w.int16(0)
            w.array(topics, w.string)
            w.length(None, wide=True)  # no user data

        def assignment(w: Writer):
            def topic(name):
                w.string(name)
                w.array(sorted(by_topic[name]), w.int32)
            w.int16(0)
            w.array(topics, topic)
            w.length(None, wide=True)  # no user data
        return classic(subscription), classic(assignment)


# MARK: - Handlers: (cluster, version, reader, writer) per API key

def api_versions(cluster: Cluster, version: int, r: Reader, w: Writer):
    w.int16(0)

    def api(key):
        low, high = ADVERTISED[key]
        w.int16(key), w.int16(low), w.int16(high)
        w.tags()
    w.array(sorted(ADVERTISED), api)
    if version >= 1:
        w.int32(0)  # throttle
    w.tags()


def metadata(cluster: Cluster, version: int, r: Reader, w: Writer):
    def topic_request():
        topic_id = r.uuid() if version >= 10 else None
        name = r.string()
        r.tags()
        if name is None:  # asked for by id alone
            return next((n for n, i in cluster.topic_ids.items() if i == topic_id), None)
        return name
    asked = r.array(topic_request)
    if version == 0 and asked == []:
        asked = None  # version 0 has no null: an empty list means every topic
    if version >= 4:
        r.boolean()  # allow auto topic creation: never done here
    include_cluster_operations = r.boolean() if 8 <= version <= 10 else False
    include_topic_operations = r.boolean() if version >= 8 else False
    r.tags()

    names = list(cluster.ends) if asked is None else asked
    if version >= 3:
        w.int32(0)  # throttle

    def broker(_):
        w.int32(NODE_ID), w.string(HOST), w.int32(cluster.port)
        if version >= 1:
            w.string(None)  # rack
        w.tags()
    w.array([NODE_ID], broker)
    if version >= 2:
        w.string(cluster.cluster_id)
    if version >= 1:
        w.int32(NODE_ID)  # controller

    def topic(name):
        ends = cluster.ends.get(name)
        w.int16(0 if ends is not None else UNKNOWN_TOPIC_OR_PARTITION)
        w.string(name)
        if version >= 10:
            w.uuid(cluster.topic_ids.get(name, bytes(16)))
        if version >= 1:
            w.boolean(False)  # internal

        def partition(index):
            w.int16(0), w.int32(index), w.int32(NODE_ID)
            if version >= 7:
                w.int32(0)  # leader epoch
            w.array([NODE_ID], w.int32)  # replicas
            w.array([NODE_ID], w.int32)  # in sync
            if version >= 5:
                w.array([], w.int32)  # offline
            w.tags()
        w.array(list(range(len(ends or []))), partition)
        if version >= 8:
            w.int32(0b1_1000_1000 if include_topic_operations else NO_AUTHORIZED_OPERATIONS)
        w.tags()
    w.array([n for n in names if n is not None], topic)
    if 8 <= version <= 10:
        w.int32(0b1_1000_0000 if include_cluster_operations else NO_AUTHORIZED_OPERATIONS)
    w.tags()


def list_offsets(cluster: Cluster, version: int, r: Reader, w: Writer):
    r.int32()  # replica id
    if version >= 2:
        r.int8()  # isolation level: committed and uncommitted ends are the same here

    def partition_request():
        index = r.int32()
        if version >= 4:
            r.int32()  # current leader epoch
        timestamp = r.int64()
        if version == 0:
            r.int32()  # max number of offsets
        r.tags()
        return index, timestamp

    def topic_request():
        name = r.string()
        partitions = r.array(partition_request)
        r.tags()
        return name, partitions
    asked = r.array(topic_request)
    r.tags()

    if version >= 2:
        w.int32(0)  # throttle

    def topic(entry):
        name, partitions = entry
        w.string(name)

        def partition(p):
            index, timestamp = p
            end = cluster.end(name, index)
            # Latest (-1) is the end offset; earliest (-2) is 0; no other lookup finds one.
            offset = -1 if end is None else end if timestamp == -1 else 0 if timestamp == -2 else -1
            w.int32(index), w.int16(0 if end is not None else UNKNOWN_TOPIC_OR_PARTITION)
            if version == 0:
                w.array([offset] if offset >= 0 else [], w.int64)
            else:
                w.int64(-1), w.int64(offset)
            if version >= 4:
                w.int32(0 if end is not None else -1)  # leader epoch
            w.tags()
        w.array(partitions, partition)
        w.tags()
    w.array(asked, topic)
    w.tags()


def offset_fetch(cluster: Cluster, version: int, r: Reader, w: Writer):
    def topic_request():
        name = r.string()
        partitions = r.array(r.int32)
        r.tags()
        return name, partitions

    def group_request():
        group = r.string()
        if version >= 9:
            r.string(), r.int32()  # member id and epoch
        topics = r.array(topic_request)
        r.tags()
        return group, topics
    if version >= 8:
        asked = r.array(group_request)
    else:
        asked = [(r.string(), r.array(topic_request))]
    if version >= 7:
        r.boolean()  # require stable: every commit here is stable
    r.tags()

    def commits(group: str, topics) -> dict[str, list[tuple[int, int]]]:
        """The group's commits by topic: all of them (topics null), or those asked for, -1 where
        none was made, as Kafka answers."""
        made = cluster.groups.get(group, {}).get("commits", {})
        by_topic: dict[str, list[tuple[int, int]]] = {}
        if topics is None:
            for (topic, partition), offset in made.items():
                by_topic.setdefault(topic, []).append((partition, offset))
        else:
            for topic, partitions in topics:
                by_topic[topic] = [(p, made.get((topic, p), -1)) for p in partitions]
        return by_topic

    def topics(by_topic):
        def topic(name):
            w.string(name)

            def partition(entry):
                index, offset = entry
                w.int32(index), w.int64(offset)
                if version >= 5:
                    w.int32(-1)  # leader epoch of the commit
                w.string(""), w.int16(0)  # metadata, error
                w.tags()
            w.array(by_topic[name], partition)
            w.tags()
        w.array(list(by_topic), topic)

    if version >= 3:
        w.int32(0)  # throttle
    if version >= 8:
        def group(entry):
            name, asked_topics = entry
            w.string(name)
            topics(commits(name, asked_topics))
            w.int16(0)
            w.tags()
        w.array(asked, group)
    else:
        topics(commits(*asked[0]))
        if version >= 2:
            w.int16(0)
    w.tags()


def find_coordinator(cluster: Cluster, version: int, r: Reader, w: Writer):
    key = r.string() if version <= 3 else None
    if version >= 1:
        r.int8()  # key type: group or transaction, node 1 coordinates both
    keys = r.array(r.string) if version >= 4 else [key]
    r.tags()

    if version >= 1:
        w.int32(0)  # throttle
    if version >= 4:
        def coordinator(k):
            w.string(k), w.int32(NODE_ID), w.string(HOST), w.int32(cluster.port)
            w.int16(0), w.string(None)
            w.tags()
        w.array(keys, coordinator)
    else:
        w.int16(0)
        if version >= 1:
            w.string(None)  # error message
        w.int32(NODE_ID), w.string(HOST), w.int32(cluster.port)
    w.tags()


def list_groups(cluster: Cluster, version: int, r: Reader, w: Writer):
    states = r.array(r.string) if version >= 4 else []
    types = r.array(r.string) if version >= 5 else []
    r.tags()
    # Every group is a classic one, Stable; filters match without regard to case, as Kafka's.
    listed = [g for g in cluster.groups
              if (not states or "stable" in (s.lower() for s in states))
              and (not types or "classic" in (t.lower() for t in types))]

    if version >= 1:
        w.int32(0)  # throttle
    w.int16(0)

    def group(name):
        w.string(name), w.string("consumer")
        if version >= 4:
            w.string("Stable")
        if version >= 5:
            w.string("classic")
        w.tags()
    w.array(listed, group)
    w.tags()


def describe_groups(cluster: Cluster, version: int, r: Reader, w: Writer):
    asked = r.array(r.string)
    include_operations = r.boolean() if version >= 3 else False
    r.tags()

    if version >= 1:
        w.int32(0)  # throttle

    def group(name):
        known = cluster.groups.get(name)
        # An unknown group is described as Dead with no members, as Kafka does before version 6.
        w.int16(0), w.string(name)
        w.string("Stable" if known else "Dead")
        w.string("consumer" if known else ""), w.string("range" if known else "")

        def member(_):
            member_id, client_id, client_host = known["member"]
            subscription, assignment = cluster.assignment(name)
            w.string(member_id)
            if version >= 4:
                w.string(None)  # group instance id
            w.string(client_id), w.string(client_host)
            w.blob(subscription), w.blob(assignment)
            w.tags()
        w.array([0] if known else [], member)
        if version >= 3:
            w.int32(0b1_0000_1000 if include_operations else NO_AUTHORIZED_OPERATIONS)
        w.tags()
    w.array(asked, group)
    w.tags()


HANDLERS = {API_VERSIONS: api_versions, METADATA: metadata, LIST_OFFSETS: list_offsets,
            OFFSET_FETCH: offset_fetch, FIND_COORDINATOR: find_coordinator,
            LIST_GROUPS: list_groups, DESCRIBE_GROUPS: describe_groups}


# MARK: - Frames and connections

def answer(cluster: Cluster, frame: bytes) -> bytes:
    """The response frame (size prefix included) for one request frame."""
    if len(frame) < 8:
        raise Closed("request frame without a header")
    api_key, version, correlation = struct.unpack(">hhi", frame[:8])
    if LOG:
        print(f"hostile_broker: api {api_key} v{version} correlation {correlation}", file=sys.stderr, flush=True)
    if api_key == API_VERSIONS and version > ADVERTISED[API_VERSIONS][1]:
        # KIP-511: a version this broker does not know is answered in version 0, saying which it
        # does; its body is not read (its layout is unknown here).
        low, high = ADVERTISED[API_VERSIONS]
        body = struct.pack(">hihhh", UNSUPPORTED_VERSION, 1, API_VERSIONS, low, high)
        return frame_of(struct.pack(">i", correlation) + body)
    if api_key not in ADVERTISED or not ADVERTISED[api_key][0] <= version <= ADVERTISED[api_key][1]:
        raise Closed(f"api key {api_key} version {version} is not served")
    flexible = version >= FIRST_FLEXIBLE[api_key]
    r = Reader(frame[8:], flexible=False)
    r.string()  # client id: request header v1 and v2 keep its int16 length
    r.flexible = flexible
    r.tags()  # header v2's tagged fields
    w = Writer(flexible=flexible)
    HANDLERS[api_key](cluster, version, r, w)
    header = struct.pack(">i", correlation)
    if flexible and api_key != API_VERSIONS:
        header += b"\x00"  # response header v1: no tagged fields
    return frame_of(header + bytes(w.out))


def frame_of(body: bytes) -> bytes:
    return struct.pack(">i", len(body)) + body


def read_exactly(conn: socket.socket, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def serve(cluster: Cluster, conn: socket.socket) -> None:
    """Answers the requests of one connection in order, until the client closes it."""
    with conn:
        try:
            while True:
                size = read_exactly(conn, 4)
                if size is None:
                    return
                (length,) = struct.unpack(">i", size)
                if not 8 <= length <= 100 << 20:
                    raise Closed(f"request frame of {length} bytes")
                frame = read_exactly(conn, length)
                if frame is None:
                    return
                conn.sendall(answer(cluster, frame))
        except Closed as reason:
            print(f"hostile_broker: closing a connection: {reason}", file=sys.stderr, flush=True)
        except OSError:
            pass


def write_port(port_file: str, port: int) -> None:
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(port))
    os.replace(tmp, port_file)


def main() -> None:
    mode, port_file = sys.argv[1], sys.argv[2]
    listener = socket.create_server((HOST, 0))
    port = listener.getsockname()[1]
    cluster = Cluster(MODES[mode], port)
    write_port(port_file, port)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(cluster, conn), daemon=True).start()


if __name__ == "__main__":
    main()
