import Foundation

/// A failed AWS call, with what a person needs to act on it: which environment, service and
/// operation, and what AWS (or the network) said. Never holds a secret: messages are scrubbed of
/// the credentials and secret values the call used.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// AWS answered with an error.
        case service(code: String, message: String, status: Int)
        /// No HTTP answer: connection refused, timeout, TLS, proxy.
        case transport(TransportError)
        /// An answer that is not what the protocol promises (garbled body, missing element).
        case badResponse(status: Int, detail: String)
        /// No usable credentials.
        case credentials(CredentialsError)
        /// The request could not be built from the configuration (e.g. a bad endpoint).
        case invalidRequest(String)
    }

    public var environment: String?
    public var service: String
    public var operation: String
    public var kind: Kind
    public var requestId: String?
    /// How many times the call was sent (retries of throttling and 5xx included).
    public var attempts: Int

    public init(
        environment: String?, service: String, operation: String, kind: Kind, requestId: String? = nil,
        attempts: Int = 1
    ) {
        self.environment = environment
        self.service = service
        self.operation = operation
        self.kind = kind
        self.requestId = requestId
        self.attempts = attempts
    }

    /// The AWS error code (`ParameterNotFound`, `ThrottlingException`), when AWS gave one.
    public var code: String? {
        if case .service(let code, _, _) = kind { return code }
        return nil
    }

    public var message: String {
        switch kind {
        case .service(_, let message, _): message
        case .transport(let error): error.description
        case .badResponse(_, let detail): detail
        case .credentials(let error): error.description
        case .invalidRequest(let detail): detail
        }
    }

    /// AWS refused the call for want of permission (`AccessDenied`, `AccessDeniedException`,
    /// `UnauthorizedOperation`, or HTTP 403 with any code).
    public var isAccessDenied: Bool {
        guard case .service(let code, _, let status) = kind else { return false }
        return status == 403 || code.hasPrefix("AccessDenied") || code == "UnauthorizedOperation"
    }

    public var isThrottling: Bool {
        guard case .service(let code, _, let status) = kind else { return false }
        return status == 429 || Self.throttlingCodes.contains(code)
    }

    /// Throttling and server-side (5xx) errors are worth another try; nothing else is.
    public var isRetryable: Bool {
        switch kind {
        case .service(_, _, let status): isThrottling || (500...599).contains(status)
        case .badResponse(let status, _): (500...599).contains(status)
        default: false
        }
    }

    /// The codes botocore's standard retry mode treats as throttling.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    public var description: String {
        var text = environment.map { "[\($0)] " } ?? ""
        text += "\(service) \(operation): "
        switch kind {
        case .service(let code, let message, let status):
            text += "\(code) (HTTP \(status))" + (message.isEmpty ? "" : ": \(message)")
        case .transport(let error):
            text += error.description
        case .badResponse(let status, let detail):
            text += "unreadable answer (HTTP \(status)): \(detail)"
        case .credentials(let error):
            text += error.description
        case .invalidRequest(let detail):
            text += detail
        }
        if attempts > 1 { text += " (after \(attempts) attempts)" }
        if let requestId { text += " [request id \(requestId)]" }
        return text
    }
}

/// Removes known secret strings from text that came back from a server.
struct Redactor: Sendable {
    var secrets: [String]

    func scrub(_ text: String) -> String {
        var result = text
        for secret in secrets where secret.count >= 4 {
            result = result.replacingAll(secret, with: "<redacted>")
        }
        return result
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
