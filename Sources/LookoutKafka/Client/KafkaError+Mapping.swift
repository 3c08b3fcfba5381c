import KafkaProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

extension KafkaError {
    init(connectError error: any Error, broker: KafkaBrokerAddress, timeout: Duration) {
        let detail: String
        switch error {
        case ChannelError.connectTimeout:
            detail = "connect timed out after \(timeout)"
        case let error as IOError:
            detail = "cannot connect: \(Self.reason(error))"
        case let error as NIOConnectionError:
            let reasons = error.connectionErrors.map { Self.reason($0.error) }
            if let dns = error.dnsAAAAError ?? error.dnsAError, reasons.isEmpty {
                detail = "cannot resolve \(broker.host): \(dns)"
            } else {
                detail = "cannot connect: " + (reasons.isEmpty ? "no address" : Set(reasons).sorted().joined(separator: "; "))
            }
        default:
            detail = "cannot connect: \(error)"
        }
        self.init(code: .connectFailed, broker: broker.description, detail: detail)
    }

    /// What the messages of security failures name.
    struct SecurityContext {
        var host: String
        var trustSource: String?
        var username: String?
        var mechanism: KafkaSASLMechanism?
    }

    init(requestError error: any Error, broker: KafkaBrokerAddress, apiKey: Int16, timeout: Duration, security: SecurityContext? = nil) {
        let context = security ?? SecurityContext(host: broker.host)
        let api = KafkaAPINames.name(apiKey)
        let broker = broker.description
        switch error {
        case let error as KafkaError:
            self = error
        case let error as ConnectionError:
            switch error {
            case .closed:
                self.init(code: .connectionClosed, broker: broker, api: api, detail: "connection closed before the answer")
            case .timedOut(let key):
                self.init(code: .timedOut, broker: broker, api: KafkaAPINames.name(key), detail: "no answer within \(timeout)")
            case .unsupportedVersion(let key, let client, let brokerVersions):
                let offered = brokerVersions.map { "versions \($0.lowerBound)...\($0.upperBound)" } ?? "no version"
                self.init(
                    code: .unsupportedVersion, broker: broker, api: KafkaAPINames.name(key),
                    detail: "the broker offers \(offered), lookout speaks \(client.lowerBound)...\(client.upperBound)"
                )
            case .brokerError(let key, let code):
                self.init(code: .brokerError(code), broker: broker, api: KafkaAPINames.name(key), detail: KafkaErrorCode.describe(code))
            case .unexpectedCorrelationID(let id):
                self.init(code: .protocolViolation, broker: broker, api: api, detail: "an answer to unknown request \(id)")
            case .protocolViolation(let reason):
                self.init(code: .protocolViolation, broker: broker, api: api, detail: reason)
            case .ioError(let reason):
                self.init(code: .connectionClosed, broker: broker, api: api, detail: "connection failed: \(Self.strip(reason))")
            case .authenticationFailed(let failure):
                self.init(code: .authenticationFailed, broker: broker, api: api, detail: Self.describe(failure, context: context))
            case .tls(let failure):
                switch failure {
                case .untrusted:
                    self.init(code: .certificateUntrusted, broker: broker, detail: "certificate not trusted by \(context.trustSource ?? "the system's trust store")")
                case .nameMismatch:
                    self.init(code: .certificateNameMismatch, broker: broker, detail: "certificate name does not match \(context.host)")
                case .handshakeFailed(let reason):
                    self.init(code: .tlsFailed, broker: broker, detail: reason)
                }
            }
        case let error as KafkaProtocolError:
            self.init(code: .protocolViolation, broker: broker, api: api, detail: "cannot read the answer: \(error)")
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof:
            self.init(code: .connectionClosed, broker: broker, api: api, detail: "connection closed")
        default:
            self.init(code: .connectionClosed, broker: broker, api: api, detail: "connection failed: \(Self.strip(String(describing: error)))")
        }
    }

    private static func describe(_ failure: SASLFailure, context: SecurityContext) -> String {
        let user = "authentication failed for user \(context.username ?? "?")"
        let mechanism = context.mechanism.map { " with \($0.name)" } ?? ""
        switch failure {
        case .mechanismNotOffered(let asked, let offered):
            let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
            return "\(user): the broker does not offer \(asked) (it offers \(list))"
        case .rejected(let code, let message):
            return "\(user)\(mechanism): \(message.map { "the broker said \"\($0)\"" } ?? KafkaErrorCode.describe(code))"
        case .serverError(let error):
            return "\(user)\(mechanism): the broker said \"\(error)\""
        case .serverSignatureMismatch:
            return "\(user)\(mechanism): the broker's SCRAM signature is wrong, so it does not know the password (an impostor, or a different user store)"
        case .protocolViolation(let reason):
            return "\(user)\(mechanism): \(reason)"
        }
    }

    /// "connection refused" rather than NIO's "connect(descriptor:addr:size:): ... (errno: 111)".
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? IOError, let text = strerror(error.errnoCode) else {
            return Self.strip(String(describing: error))
        }
        return String(cString: text).lowercased()
    }

    /// NIO prefixes errno texts with the failing call; people need the reason.
    private static func strip(_ text: String) -> String {
        if let range = text.firstRange(of: "): ") {
            return String(text[range.upperBound...])
        }
        return text
    }
}

/// Names of the APIs lookout speaks, for messages.
enum KafkaAPINames {
    private static let names: [Int16: String] = Dictionary(uniqueKeysWithValues: [
        (ApiVersionsRequest.apiKey, ApiVersionsRequest.apiName),
        (MetadataRequest.apiKey, MetadataRequest.apiName),
        (DescribeClusterRequest.apiKey, DescribeClusterRequest.apiName),
        (ListGroupsRequest.apiKey, ListGroupsRequest.apiName),
        (FindCoordinatorRequest.apiKey, FindCoordinatorRequest.apiName),
        (DescribeGroupsRequest.apiKey, DescribeGroupsRequest.apiName),
        (OffsetFetchRequest.apiKey, OffsetFetchRequest.apiName),
        (ListOffsetsRequest.apiKey, ListOffsetsRequest.apiName),
        (SaslHandshakeRequest.apiKey, SaslHandshakeRequest.apiName),
        (SaslAuthenticateRequest.apiKey, SaslAuthenticateRequest.apiName),
    ])

    static func name(_ apiKey: Int16) -> String {
        names[apiKey] ?? "API \(apiKey)"
    }
}
