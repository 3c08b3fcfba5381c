import NIOCore

/// Reads response frames produced by `KafkaFrameDecoder`.
public enum KafkaResponseFrame {
    /// The correlation id opens every response header version.
    public static func correlationID(of frame: ByteBuffer) -> Int32? {
        frame.getInteger(at: frame.readerIndex, endianness: .big, as: Int32.self)
    }

    /// Response header version 1 (with tagged fields) goes with flexible versions, except
    /// for ApiVersions, whose response header stays version 0 so any client can read it.
    public static func headerVersion(apiKey: Int16, flexible: Bool) -> Int16 {
        apiKey == ApiVersionsResponse.apiKey ? 0 : (flexible ? 1 : 0)
    }

    /// Skips the response header and returns the body.
    public static func body(
        of frame: ByteBuffer,
        apiKey: Int16,
        flexible: Bool
    ) throws(KafkaProtocolError) -> ByteBuffer {
        var buffer = frame
        _ = try ResponseHeader(from: &buffer, version: self.headerVersion(apiKey: apiKey, flexible: flexible))
        return buffer
    }

    /// Decodes a whole response body; bytes left over mean the version or the frame is wrong.
    public static func decode<Response: KafkaResponseMessage>(
        _ type: Response.Type,
        frame: ByteBuffer,
        version: Int16
    ) throws(KafkaProtocolError) -> Response {
        var body = try self.body(of: frame, apiKey: Response.apiKey, flexible: Response.isFlexible(version: version))
        return try self.decodeBody(type, body: &body, version: version)
    }

    public static func decodeBody<Response: KafkaResponseMessage>(
        _ type: Response.Type,
        body: inout ByteBuffer,
        version: Int16
    ) throws(KafkaProtocolError) -> Response {
        let response = try Response(from: &body, version: version)
        guard body.readableBytes == 0 else { throw .trailingBytes(body.readableBytes) }
        return response
    }
}
