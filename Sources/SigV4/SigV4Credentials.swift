/// The key pair (and optional session token) that signs a request.
///
/// Printing it never shows the secret key or the session token.
public struct SigV4Credentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let accessKeyId: String
    public let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var description: String {
        "SigV4Credentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["accessKeyId": accessKeyId, "secretAccessKey": "<redacted>"])
    }
}
