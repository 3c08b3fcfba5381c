import NIOCore

/// Splits the inbound byte stream into Kafka response frames (the bytes after each size prefix).
///
/// Returns nil while a frame is incomplete; a size prefix below 4 (no room for a correlation
/// id) or above `maximumFrameSize` is an error, so a garbled stream cannot make it buffer
/// without bound.
public struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest answer lookout reads. Its largest at the scale it is built for (10,000
    /// partitions, 1,000 groups on 10 topics each): Metadata about 1 MB, one coordinator's
    /// batched OffsetFetch about 5 MB; 64 MiB leaves ten times that and more. (Kafka's own
    /// `socket.request.max.bytes` is 100 MiB.)
    public static let defaultMaximumFrameSize: Int32 = 64 * 1024 * 1024

    public let maximumFrameSize: Int32

    public init(maximumFrameSize: Int32 = KafkaFrameDecoder.defaultMaximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: Int32.self) else {
            return nil
        }
        guard size >= 4, size <= self.maximumFrameSize else {
            throw KafkaProtocolError.frameSize(size, maximum: self.maximumFrameSize)
        }
        guard buffer.readableBytes >= 4 + Int(size) else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try self.decode(buffer: &buffer)
    }
}
