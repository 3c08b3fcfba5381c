import KafkaProtocol
import LookoutSecrets

// The requests, negotiation and authentication ``ConnectionStateMachine`` keeps track of.
extension ConnectionStateMachine {
    /// What the client can send for one request.
    struct RequestSpec: Equatable {
        var id: RequestID
        var apiKey: Int16
        var clientVersions: ClosedRange<Int16>
    }

    struct OutgoingRequest: Equatable {
        var id: RequestID
        var correlationID: Int32
        var version: Int16
    }

    struct RequestFailure: Equatable {
        var id: RequestID
        var error: ConnectionError
    }

    struct InFlightRequest: Equatable {
        var id: RequestID
        var apiKey: Int16
        var version: Int16
    }

    struct Negotiation: Equatable {
        var apiVersionsVersion: Int16
        var correlationID: Int32
        var queued: [RequestSpec]
    }

    /// What the connection logs in with, when it does.
    struct SASLCredentials: Equatable {
        var mechanism: KafkaSASLMechanism
        var username: String
        var password: SecretValue
    }

    struct Authentication: Equatable {
        enum Step: Equatable {
            case handshake
            case authenticate
        }

        var brokerVersions: [Int16: ClosedRange<Int16>]
        var queued: [RequestSpec]
        var step: Step
        var correlationID: Int32
        var authenticateVersion: Int16
        var sasl: SASLAuthenticationStateMachine
    }

    struct Ready: Equatable {
        var brokerVersions: [Int16: ClosedRange<Int16>]
        var inFlight: [Int32: InFlightRequest]
    }
}
