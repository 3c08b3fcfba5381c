import NIOCore

/// A message type generated from one of Apache Kafka's JSON specs.
public protocol KafkaMessage: Sendable, Equatable {
    static var validVersions: ClosedRange<Int16> { get }
    /// The first version that uses compact types and tagged fields; nil if none does.
    static var firstFlexibleVersion: Int16? { get }

    /// Every field at its default.
    init()
    func encode(into buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError)
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaProtocolError)
}

extension KafkaMessage {
    public static func isFlexible(version: Int16) -> Bool {
        guard let first = firstFlexibleVersion else { return false }
        return version >= first
    }
}

/// A request or response of one Kafka API.
public protocol KafkaAPIMessage: KafkaMessage {
    static var apiKey: Int16 { get }
    static var apiName: String { get }
}

public protocol KafkaRequestMessage: KafkaAPIMessage {
    associatedtype Response: KafkaResponseMessage
}

public protocol KafkaResponseMessage: KafkaAPIMessage {}
