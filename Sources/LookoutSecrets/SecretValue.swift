/// A secret read through the client (an SSM SecureString, a private key): kept in memory only,
/// and never shown by `print`, string interpolation, `dump` or a debugger description.
///
/// Read the value with ``reveal()`` at the one place that needs it.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let storage: String

    public init(_ value: String) {
        storage = value
    }

    public func reveal() -> String {
        storage
    }

    public var isEmpty: Bool { storage.isEmpty }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "SecretValue(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension SecretValue: Decodable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }
}
