/// A tagged field as it travels: its tag and its raw bytes.
public struct KafkaTaggedField: Hashable, Sendable {
    public var tag: UInt32
    public var data: [UInt8]

    public init(tag: UInt32, data: [UInt8]) {
        self.tag = tag
        self.data = data
    }
}
