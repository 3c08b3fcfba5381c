import Foundation
import LookoutX509
import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import X509

/// Connects (the TCP phase), then shakes hands with TLS (the TLS phase), capturing the chain the
/// endpoint serves; the chain is judged by lookout, against the environment's anchors, not by
/// the TLS library's defaults.
enum ConnectPhase {
    struct Handshake: Sendable {
        var chain: [Certificate]
        var version: String?
    }

    static func connect(to address: String, port: Int, timeout: Duration) async throws -> any Channel {
        let socket = try SocketAddress(ipAddress: address, port: port)
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout.milliseconds)))
            .connect(to: socket).get()
    }

    static func handshake(on channel: any Channel, serverName: String?, timeout: Duration) async throws -> Handshake {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .noHostnameVerification
        let context = try NIOSSLContext(configuration: configuration)
        let captured = CapturedChain()
        let finished = channel.eventLoop.makePromise(of: Void.self)
        let timeoutTask = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout.milliseconds))) {
            finished.fail(Timeout(after: timeout))
        }
        finished.futureResult.whenComplete { _ in timeoutTask.cancel() }
        try await channel.eventLoop.flatSubmit { () -> EventLoopFuture<Void> in
            do {
                let handler = try NIOSSLClientHandler(context: context, serverHostname: serverName) { certificates, promise in
                    captured.set(certificates)
                    promise.succeed(.certificateVerified)
                }
                try channel.pipeline.syncOperations.addHandlers([handler, HandshakeWatcher(promise: finished)])
            } catch {
                finished.fail(error)
            }
            return finished.futureResult
        }.get()
        let version = try await channel.eventLoop.submit { () -> String? in
            try channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self).tlsVersion.map(describe)
        }.get()
        let chain = try captured.get().map { try Certificate(derEncoded: $0.toDERBytes()) }
        return Handshake(chain: chain, version: version)
    }

    static func describe(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1.0"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }
}

private final class CapturedChain: @unchecked Sendable {
    private let lock = NSLock()
    private var certificates: [NIOSSLCertificate] = []

    func set(_ certificates: [NIOSSLCertificate]) {
        lock.lock()
        self.certificates = certificates
        lock.unlock()
    }

    func get() -> [NIOSSLCertificate] {
        lock.lock()
        defer { lock.unlock() }
        return certificates
    }
}

/// Completes its promise when the handshake is done, fails it on any error or close before that.
private final class HandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    let promise: EventLoopPromise<Void>

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event as? TLSUserEvent ?? .shutdownCompleted {
            promise.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ChannelError.eof)
        context.fireChannelInactive()
    }
}

/// The chain an address serves over TLS, as the TLS phase captures it (no verification by the TLS
/// library: the caller judges it). Used by a reissue to see which serial every endpoint serves.
public enum ServedChain {
    public static func fetch(host: String, port: Int, timeout: Duration) async throws -> [Certificate] {
        let addresses = try await withTimeout(timeout) { try await DNSPhase.resolve(host, port: port) }
        guard let first = addresses.first else { throw DNSPhase.Failure(description: "\(host) resolves to no address") }
        let channel = try await ConnectPhase.connect(to: first, port: port, timeout: timeout)
        let isIP = host.contains(":") || host.split(separator: ".").allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
        do {
            let handshake = try await ConnectPhase.handshake(on: channel, serverName: isIP ? nil : host, timeout: timeout)
            try? await channel.close()
            return handshake.chain
        } catch {
            try? await channel.close()
            throw error
        }
    }
}
