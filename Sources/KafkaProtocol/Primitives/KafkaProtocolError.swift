/// Why bytes could not be read as, or a value could not be written as, a Kafka message.
public enum KafkaProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a value was complete.
    case truncated(needed: Int, available: Int)
    /// A length or count prefix that no valid message carries.
    case invalidLength(Int64)
    /// A variable-length integer longer than its type allows.
    case varintTooLong
    /// A string whose bytes are not UTF-8.
    case invalidUTF8
    /// A null where the version does not allow one.
    case unexpectedNull(field: String, version: Int16)
    /// A message version outside the message's valid versions.
    case unsupportedVersion(message: String, version: Int16)
    /// A field the version cannot carry holds a value other than its default.
    case unsupportedField(field: String, version: Int16)
    /// A frame's size prefix is negative or above the configured maximum.
    case frameSize(Int32, maximum: Int32)
    /// Bytes left over after a complete message.
    case trailingBytes(Int)

    public var description: String {
        switch self {
        case .truncated(let needed, let available):
            return "message truncated: needed \(needed) more bytes, \(available) left"
        case .invalidLength(let length):
            return "invalid length prefix \(length)"
        case .varintTooLong:
            return "variable-length integer too long"
        case .invalidUTF8:
            return "string is not valid UTF-8"
        case .unexpectedNull(let field, let version):
            return "\(field) may not be null in version \(version)"
        case .unsupportedVersion(let message, let version):
            return "\(message) has no version \(version)"
        case .unsupportedField(let field, let version):
            return "\(field) cannot be sent in version \(version)"
        case .frameSize(let size, let maximum):
            return "frame size \(size) outside 0...\(maximum)"
        case .trailingBytes(let count):
            return "\(count) unexpected bytes after the message"
        }
    }
}
