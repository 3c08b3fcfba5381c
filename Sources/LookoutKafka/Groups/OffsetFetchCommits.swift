import KafkaProtocol
import NIOCore

/// A group's committed offsets, compact: topics in order, each with its partitions in order and
/// each partition's offset. At production scale 1,000 groups commit to 200 partitions each: as a
/// dictionary a group, 8.5 MB at once; decoded into OffsetFetch's generated structs (56 bytes a
/// partition), 11 MB more. Here 12 bytes a partition.
public struct KafkaCommittedOffsets: Sendable, Equatable, CustomStringConvertible {
    /// The topics in order, each once.
    public private(set) var topics: [String] = []
    /// Where each topic's partitions end in ``partitions``.
    private var topicEnds: [Int32] = []
    private var partitions: [Int32] = []
    private var offsets: [Int64] = []

    public init() {}

    public init(_ commits: [KafkaTopicPartition: Int64]) {
        self.init(commits.map { ($0.key.topic, $0.key.partition, $0.value) })
    }

    /// From commits in any order; of a partition given twice, the last.
    init(_ commits: [(topic: String, partition: Int32, offset: Int64)]) {
        let order = commits.indices.sorted {
            let a = commits[$0], b = commits[$1]
            return (a.topic, a.partition, $0) < (b.topic, b.partition, $1)
        }
        partitions.reserveCapacity(commits.count)
        offsets.reserveCapacity(commits.count)
        for (position, index) in order.enumerated() {
            let commit = commits[index]
            if position + 1 < order.count {
                let next = commits[order[position + 1]]
                if next.topic == commit.topic && next.partition == commit.partition { continue }
            }
            if topics.last != commit.topic {
                topics.append(commit.topic)
                topicEnds.append(Int32(partitions.count))
            }
            partitions.append(commit.partition)
            offsets.append(commit.offset)
            topicEnds[topicEnds.count - 1] = Int32(partitions.count)
        }
    }

    public var isEmpty: Bool { partitions.isEmpty }
    public var count: Int { partitions.count }

    /// The partitions of the topic at `index` in ``topics``, in order, with their offsets.
    public func commits(ofTopicAt index: Int) -> (partitions: ArraySlice<Int32>, offsets: ArraySlice<Int64>) {
        let start = index == 0 ? 0 : Int(topicEnds[index - 1]), end = Int(topicEnds[index])
        return (partitions[start..<end], offsets[start..<end])
    }

    public subscript(key: KafkaTopicPartition) -> Int64? {
        guard let topic = Self.search(topics, key.topic) else { return nil }
        let (ids, values) = commits(ofTopicAt: topic)
        guard let at = Self.search(ids, key.partition) else { return nil }
        return values[at]
    }

    /// Every commit in order.
    public var all: [(key: KafkaTopicPartition, offset: Int64)] {
        topics.indices.flatMap { topic in
            let (ids, values) = commits(ofTopicAt: topic)
            return zip(ids, values).map { (KafkaTopicPartition(topic: topics[topic], partition: $0), $1) }
        }
    }

    public var keys: [KafkaTopicPartition] { all.map(\.key) }

    public var dictionary: [KafkaTopicPartition: Int64] {
        Dictionary(all.map { ($0.key, $0.offset) }) { _, last in last }
    }

    public var description: String {
        "[" + all.map { "\($0.key): \($0.offset)" }.joined(separator: ", ") + "]"
    }

    /// The index of `value` in sorted `elements`.
    private static func search<C: RandomAccessCollection>(_ elements: C, _ value: C.Element) -> C.Index? where C.Element: Comparable {
        var low = elements.startIndex, high = elements.endIndex
        while low < high {
            let middle = elements.index(low, offsetBy: elements.distance(from: low, to: high) / 2)
            if elements[middle] < value { low = elements.index(after: middle) } else { high = middle }
        }
        return low < elements.endIndex && elements[low] == value ? low : nil
    }
}

/// OffsetFetch asked as the generated request, its answer read straight into each group's
/// ``KafkaCommittedOffsets`` from version 8 on (many groups in one answer), without the generated
/// structs in between; before version 8 (one group an answer) as generated.
struct OffsetFetchCommitsRequest: KafkaRequestMessage {
    typealias Response = OffsetFetchCommitsResponse
    static let apiKey = OffsetFetchRequest.apiKey
    static let apiName = OffsetFetchRequest.apiName
    static let validVersions = OffsetFetchRequest.validVersions
    static let firstFlexibleVersion = OffsetFetchRequest.firstFlexibleVersion

    var request = OffsetFetchRequest()

    init() {}

    init(_ request: OffsetFetchRequest) {
        self.request = request
    }

    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        try request.encode(into: &buffer, version: version)
    }

    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        request = try OffsetFetchRequest(from: &buffer, version: version)
    }
}

struct OffsetFetchCommitsResponse: KafkaResponseMessage {
    static let apiKey = OffsetFetchResponse.apiKey
    static let apiName = OffsetFetchResponse.apiName
    static let validVersions = OffsetFetchResponse.validVersions
    static let firstFlexibleVersion = OffsetFetchResponse.firstFlexibleVersion

    struct Group: Sendable, Equatable {
        var id: String
        var errorCode: Int16
        /// Partitions answered without an error and with an offset (Kafka answers -1 for none).
        var commits: KafkaCommittedOffsets
    }

    /// From version 8 on.
    var groups: [Group] = []
    /// Before version 8: the answer as generated.
    var single: OffsetFetchResponse?

    init() {}

    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        throw .unsupportedVersion(message: "OffsetFetchResponse, which lookout only reads,", version: version)
    }

    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError) {
        guard version >= 8 else {
            single = try OffsetFetchResponse(from: &buffer, version: version)
            return
        }
        _ = try buffer.readKafkaInteger(as: Int32.self)  // throttle time
        var commits: [(topic: String, partition: Int32, offset: Int64)] = []
        var groups: [Group] = []
        _ = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
            let id = try buffer.readKafkaString(compact: true)
            commits.removeAll(keepingCapacity: true)
            _ = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
                let topic = try buffer.readKafkaString(compact: true)
                _ = try buffer.readKafkaArray(compact: true) { (buffer: inout ByteBuffer) throws(KafkaProtocolError) in
                    let partition = try buffer.readKafkaInteger(as: Int32.self)
                    let offset = try buffer.readKafkaInteger(as: Int64.self)
                    _ = try buffer.readKafkaInteger(as: Int32.self)  // leader epoch
                    _ = try buffer.readKafkaNullableString(compact: true)  // metadata
                    let errorCode = try buffer.readKafkaInteger(as: Int16.self)
                    _ = try buffer.readKafkaTaggedFields()
                    if errorCode == 0, offset >= 0 { commits.append((topic, partition, offset)) }
                }
                _ = try buffer.readKafkaTaggedFields()
            }
            let errorCode = try buffer.readKafkaInteger(as: Int16.self)
            _ = try buffer.readKafkaTaggedFields()
            groups.append(Group(id: id, errorCode: errorCode, commits: KafkaCommittedOffsets(commits)))
        }
        _ = try buffer.readKafkaTaggedFields()
        self.groups = groups
    }
}
