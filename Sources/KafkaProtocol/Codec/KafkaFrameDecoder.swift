import NIOCore

/// Splits the inbound byte stream into Kafka response frames (the bytes after each size prefix).
///
/// Returns nil while a frame is incomplete; a size prefix below 4 (no room for a correlation
/// id) or above `maximumFrameSize` is an error, so a garbled stream cannot make it buffer
/// without bound.
public struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// Kafka's own default for `socket.request.max.bytes` is 100 MiB; a response to lookout's
    /// requests is far smaller.
    public static let defaultMaximumFrameSize: Int32 = 100 * 1024 * 1024

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
