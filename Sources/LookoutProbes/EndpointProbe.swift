import Foundation
import LookoutConfig
import LookoutModel
import LookoutX509
import NIOCore
import X509

/// Probes one endpoint as a client on the internet meets it: DNS, TCP, TLS, then a Kafka round
/// trip, each with the endpoint's timeout and its own duration. A failed phase skips the later ones.
public struct EndpointProbe: Sendable {
    public let config: EndpointConfig
    /// The environment's trust anchors for the served chain.
    public let anchors: [Certificate]
    /// The Kafka round trip, given the address actually connected to; nil for `kafka: false` (the phase is off).
    public let kafkaRoundTrip: (@Sendable (Address) async throws -> Void)?

    public init(config: EndpointConfig, anchors: [Certificate], kafkaRoundTrip: (@Sendable (Address) async throws -> Void)?) {
        self.config = config
        self.anchors = anchors
        self.kafkaRoundTrip = kafkaRoundTrip
    }

    public func run() async -> EndpointObservation {
        let host = config.address.host
        let port = config.address.port
        let timeout = config.timeout.swiftDuration
        let clock = ContinuousClock()
        var observation = EndpointObservation(
            name: config.name, address: config.address.description, resolved: [],
            dns: PhaseResult(.skipped), tcp: PhaseResult(.skipped),
            tls: config.tls ? PhaseResult(.skipped) : PhaseResult(.off),
            kafka: config.kafka ? PhaseResult(.skipped) : PhaseResult(.off),
            tlsVersion: nil, served: nil, warnMs: config.warnMs)

        func measure<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async -> (Result<T, any Error>, Int) {
            let start = clock.now
            do {
                let value = try await withTimeout(timeout, body)
                return (.success(value), (clock.now - start).milliseconds)
            } catch {
                return (.failure(error), (clock.now - start).milliseconds)
            }
        }

        let (resolved, dnsMs) = await measure { try await DNSPhase.resolve(host, port: port) }
        guard case .success(let addresses) = resolved, let first = addresses.first else {
            observation.dns = PhaseResult(.failed, durationMs: dnsMs, error: Self.describe(resolved.failure))
            return observation
        }
        observation.resolved = addresses
        observation.dns = PhaseResult(.ok, durationMs: dnsMs)

        let (connected, tcpMs) = await measure { try await ConnectPhase.connect(to: first, port: port, timeout: timeout) }
        guard case .success(let channel) = connected else {
            observation.tcp = PhaseResult(.failed, durationMs: tcpMs, error: Self.describe(connected.failure))
            return observation
        }
        observation.tcp = PhaseResult(.ok, durationMs: tcpMs)

        if config.tls {
            // SNI carries names only, never an IP address.
            let isIP = host.contains(":") || host.split(separator: ".").allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
            let serverName = isIP ? nil : host
            let (handshake, tlsMs) = await measure { try await ConnectPhase.handshake(on: channel, serverName: serverName, timeout: timeout) }
            guard case .success(let result) = handshake, let leaf = result.chain.first else {
                try? await channel.close()
                observation.tls = PhaseResult(.failed, durationMs: tlsMs, error: Self.describe(handshake.failure))
                return observation
            }
            let summary = CertificateSummary(leaf)
            let chains = anchors.isEmpty ? nil : await ChainCheck.leadsToAnchors(leaf: leaf, intermediates: Array(result.chain.dropFirst()), anchors: anchors, now: Date())
            observation.served = ServedCertificate(subject: summary.subject, issuer: summary.issuer, serial: summary.serial, sans: summary.sans,
                                                   notAfter: summary.notAfter, chainsToAnchors: chains, nameMatches: namesCover(summary.sans, host: host))
            observation.tlsVersion = result.version
            observation.tls = PhaseResult(.ok, durationMs: tlsMs)
        }
        try? await channel.close()

        if config.kafka {
            if let kafkaRoundTrip {
                let target = Address(host: first, port: port)
                let (roundTrip, kafkaMs) = await measure { try await kafkaRoundTrip(target) }
                if case .failure(let error) = roundTrip {
                    observation.kafka = PhaseResult(.failed, durationMs: kafkaMs, error: Self.describe(error))
                } else {
                    observation.kafka = PhaseResult(.ok, durationMs: kafkaMs)
                }
            } else {
                observation.kafka = PhaseResult(.off)
            }
        }
        return observation
    }

    static func describe(_ error: (any Error)?) -> String {
        guard let error else { return "no answer" }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError { return "connect timed out" }
        return String(describing: error)
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
