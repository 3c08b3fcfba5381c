import NIOCore

/// Writes whole request frames: size prefix, request header, body.
public enum KafkaRequestFrame {
    /// Request header version 2 (with tagged fields) goes with flexible request versions.
    public static func headerVersion(flexible: Bool) -> Int16 {
        flexible ? 2 : 1
    }

    public static func write<Request: KafkaRequestMessage>(
        _ request: Request,
        version: Int16,
        correlationID: Int32,
        clientID: String?,
        into buffer: inout ByteBuffer
    ) throws(KafkaProtocolError) {
        try self.write(
            apiKey: Request.apiKey,
            version: version,
            flexible: Request.isFlexible(version: version),
            correlationID: correlationID,
            clientID: clientID,
            into: &buffer
        ) { (body: inout ByteBuffer) throws(KafkaProtocolError) in
            try request.encode(into: &body, version: version)
        }
    }

    /// The type-erased form, for callers that hold only a closure writing the body.
    public static func write(
        apiKey: Int16,
        version: Int16,
        flexible: Bool,
        correlationID: Int32,
        clientID: String?,
        into buffer: inout ByteBuffer,
        body: (inout ByteBuffer) throws(KafkaProtocolError) -> Void
    ) throws(KafkaProtocolError) {
        let start = buffer.writerIndex
        buffer.writeInteger(Int32(0))
        let header = RequestHeader(
            requestApiKey: apiKey,
            requestApiVersion: version,
            correlationId: correlationID,
            clientId: clientID
        )
        do {
            try header.encode(into: &buffer, version: self.headerVersion(flexible: flexible))
            try body(&buffer)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
        let size = buffer.writerIndex - start - 4
        guard size <= Int(Int32.max) else {
            buffer.moveWriterIndex(to: start)
            throw .invalidLength(Int64(size))
        }
        buffer.setInteger(Int32(size), at: start)
    }
}
